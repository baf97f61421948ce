package discordtest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/internal/discordtest"
)

func TestDeferredResponseThenEditOriginal(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := discordtest.New(t, discordtest.WithClock(clk.Now))
	seen := make(chan *discordgo.InteractionCreate, 1)
	handlerErrs := make(chan error, 1)
	openSession(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			seen <- i
			handlerErrs <- func() error {
				clk.Advance(time.Second) // the bot takes a second to defer
				err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
					Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
				})
				if err != nil {
					return err
				}
				q := i.ApplicationCommandData().GetOption("question").StringValue()
				content := "Answer to: " + q
				_, err = s.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{
					Content:         &content,
					AllowedMentions: &discordgo.MessageAllowedMentions{},
				})
				return err
			}()
		})
	})

	in := srv.DispatchInteraction(discordtest.InteractionSpec{
		Command: "ask",
		Options: []discordtest.CommandOption{{Name: "question", Value: "Does ByteDance train its own LLM?"}},
	})
	ctx := testContext(t)
	cb, err := in.WaitCallback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || cb.After != time.Second {
		t.Errorf("callback = type %d after %v", cb.Type, cb.After)
	}
	edit, err := in.WaitOriginalEdit(ctx, func(m discordtest.Message) bool { return strings.HasPrefix(m.Content, "Answer") })
	if err != nil {
		t.Fatal(err)
	}
	if edit.Content != "Answer to: Does ByteDance train its own LLM?" {
		t.Errorf("edit content = %q", edit.Content)
	}
	if edit.AllowedMentions == nil || len(edit.AllowedMentions.Parse) != 0 {
		t.Errorf("edit allowed_mentions = %+v; want an empty parse list", edit.AllowedMentions)
	}
	if err := waitFor(t, handlerErrs, "the handler"); err != nil {
		t.Fatalf("handler: %v", err)
	}
	orig, ok := in.Original()
	if !ok || orig.Flags&discordgo.MessageFlagsLoading != 0 || orig.Content != edit.Content || orig.WebhookID != srv.ApplicationID() {
		t.Errorf("@original = %+v (ok %v)", orig, ok)
	}

	// What the bot saw: Discord's payload shape, decoded by discordgo.
	i := waitFor(t, seen, "the interaction")
	if i.Member == nil || i.Member.User.ID != discordtest.DefaultUserID || i.Member.Permissions != discordtest.DefaultMemberPermissions {
		t.Errorf("member = %+v", i.Member)
	}
	if i.GuildID != discordtest.DefaultGuildID || i.ChannelID != discordtest.DefaultChannelID || i.AppID != srv.ApplicationID() {
		t.Errorf("interaction = guild %s channel %s app %s", i.GuildID, i.ChannelID, i.AppID)
	}
	if u := srv.UnknownRequests(); len(u) > 0 {
		t.Errorf("unknown requests: %+v", u)
	}
}

func TestInteractionRules(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := discordtest.New(t, discordtest.WithClock(clk.Now))
	type outcome struct {
		name string
		err  error
	}
	// Each command makes the bot break one rule; the handler reports each step.
	results := make(chan outcome, 32)
	report := func(name string, err error) { results <- outcome{name, err} }
	content := "ok"
	openSession(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			message := &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "hello"},
			}
			switch i.ApplicationCommandData().Name {
			case "late":
				clk.Advance(discordtest.DefaultInteractionDeadline + time.Millisecond)
				report("late callback", s.InteractionRespond(i.Interaction, message))
			case "twice":
				report("first callback", s.InteractionRespond(i.Interaction, message))
				report("second callback", s.InteractionRespond(i.Interaction, message))
			case "edit-first":
				_, err := s.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Content: &content})
				report("edit before callback", err)
				_, err = s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "x"})
				report("follow-up before callback", err)
			case "empty":
				report("empty message", s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
					Type: discordgo.InteractionResponseChannelMessageWithSource,
					Data: &discordgo.InteractionResponseData{},
				}))
			case "too-long":
				report("2001-char callback", s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
					Type: discordgo.InteractionResponseChannelMessageWithSource,
					Data: &discordgo.InteractionResponseData{Content: strings.Repeat("x", 2001)},
				}))
			case "component-type":
				report("update-message type", s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
					Type: discordgo.InteractionResponseUpdateMessage,
					Data: &discordgo.InteractionResponseData{Content: "x"},
				}))
			}
		})
	})

	// The clock stands still, so every callback but the late one is in time
	// however long the handlers take; "late" moves it past the deadline, so
	// it runs last, on its own.
	tests := []struct {
		command string
		want    map[string]int // step → Discord error code, 0 for success
	}{
		{"twice", map[string]int{"first callback": 0, "second callback": discordtest.CodeAlreadyAcknowledged}},
		{"edit-first", map[string]int{"edit before callback": discordtest.CodeUnknownWebhook, "follow-up before callback": discordtest.CodeUnknownWebhook}},
		{"empty", map[string]int{"empty message": discordtest.CodeEmptyMessage}},
		{"too-long", map[string]int{"2001-char callback": discordtest.CodeInvalidFormBody}},
		{"component-type", map[string]int{"update-message type": discordtest.CodeInvalidFormBody}},
	}
	want := map[string]int{}
	for _, tt := range tests {
		srv.DispatchInteraction(discordtest.InteractionSpec{Command: tt.command})
		for k, v := range tt.want {
			want[k] = v
		}
	}
	check := func(want map[string]int) {
		t.Helper()
		for range want {
			got := waitFor(t, results, "a handler step")
			code := 0
			if got.err != nil {
				code, _ = restCode(t, got.err)
			}
			if code != want[got.name] {
				t.Errorf("%s: code %d (%v); want %d", got.name, code, got.err, want[got.name])
			}
		}
	}
	check(want)
	srv.DispatchInteraction(discordtest.InteractionSpec{Command: "late"})
	check(map[string]int{"late callback": discordtest.CodeUnknownInteraction})
}

func TestLateCallbackIsRecordedOnTheInteraction(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := discordtest.New(t, discordtest.WithClock(clk.Now), discordtest.WithInteractionDeadline(50*time.Millisecond))
	openSession(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			clk.Advance(100 * time.Millisecond)
			s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
		})
	})
	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask"})
	ctx := testContext(t)
	req, err := in.WaitRequest(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if req.Status != 404 || req.Code != discordtest.CodeUnknownInteraction || req.Route != "/interactions/{interaction}/{token}/callback" {
		t.Errorf("late callback answered %d code %d route %q", req.Status, req.Code, req.Route)
	}
	if _, ok := in.Callback(); ok {
		t.Error("a late callback was accepted")
	}
}

func TestFollowupsAndOriginalLifecycle(t *testing.T) {
	t.Parallel()
	// The clock stands still: the callback is in time however slow the machine.
	srv := discordtest.New(t, discordtest.WithClock(newClock().Now))
	s := openSession(t, srv, nil)
	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "sources", DM: true, UserID: "700000000000000042"})
	ctx := testContext(t)
	// Answer from the test goroutine with the interaction as the bot would
	// have decoded it.
	i := &discordgo.Interaction{ID: in.ID, AppID: in.AppID, Token: in.Token}
	err := s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content: "Sources:", Flags: discordgo.MessageFlagsEphemeral,
			Embeds: []*discordgo.MessageEmbed{{Title: "ByteDance 2024 report", Description: "..."}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := in.WaitCallback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Data.Content != "Sources:" || len(cb.Data.Embeds) != 1 || cb.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("callback data = %+v", cb.Data)
	}
	orig, err := s.InteractionResponse(i)
	if err != nil || orig.Content != "Sources:" || orig.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("GET @original = %+v, %v", orig, err)
	}

	f1, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "part 2"})
	if err != nil || f1.ID == "" {
		t.Fatalf("follow-up: %+v, %v", f1, err)
	}
	edited := "part 2, revised"
	if _, err := s.FollowupMessageEdit(i, f1.ID, &discordgo.WebhookEdit{Content: &edited}); err != nil {
		t.Fatalf("follow-up edit: %v", err)
	}
	if _, err := s.FollowupMessageEdit(i, "123", &discordgo.WebhookEdit{Content: &edited}); err == nil {
		t.Error("editing an unknown follow-up succeeded")
	} else if code, _ := restCode(t, err); code != discordtest.CodeUnknownMessage {
		t.Errorf("unknown follow-up edit code = %d", code)
	}
	if got := in.Followups(); len(got) != 1 || got[0].Content != "part 2" || got[0].ID != f1.ID {
		t.Errorf("follow-ups = %+v", got)
	}
	if m, ok := srv.Message(f1.ID); !ok || m.Content != edited {
		t.Errorf("follow-up now = %+v", m)
	}

	if err := s.InteractionResponseDelete(i); err != nil {
		t.Fatal(err)
	}
	if _, ok := in.Original(); ok {
		t.Error("@original still there after delete")
	}
	content := "too late"
	if _, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content}); err == nil {
		t.Error("editing a deleted @original succeeded")
	} else if code, status := restCode(t, err); code != discordtest.CodeUnknownMessage || status != 404 {
		t.Errorf("edit after delete: code %d status %d", code, status)
	}
	// Webhook routes need no bot token, and a wrong token is an unknown webhook.
	bad := &discordgo.Interaction{ID: in.ID, AppID: in.AppID, Token: "not-a-token"}
	if _, err := s.InteractionResponse(bad); err == nil {
		t.Error("GET @original with a wrong token succeeded")
	} else if code, _ := restCode(t, err); code != discordtest.CodeUnknownWebhook {
		t.Errorf("wrong token code = %d", code)
	}
}

func TestCommandsBulkOverwrite(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	onInteraction, interactions := receive[*discordgo.InteractionCreate]()
	s := openSession(t, srv, func(s *discordgo.Session) { s.AddHandler(onInteraction) })
	app := srv.ApplicationID()

	ask := &discordgo.ApplicationCommand{
		Name: "ask", Description: "Ask about ByteDance's AI plans",
		Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true,
		}},
	}
	help := &discordgo.ApplicationCommand{Name: "help", Description: "How to use the bot"}
	created, err := s.ApplicationCommandBulkOverwrite(app, "", []*discordgo.ApplicationCommand{ask, help})
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 2 || created[0].ID == "" || created[0].ApplicationID != app || created[0].Type != discordgo.ChatApplicationCommand {
		t.Fatalf("created = %+v", created)
	}
	again, err := s.ApplicationCommandBulkOverwrite(app, "", []*discordgo.ApplicationCommand{ask})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].ID != created[0].ID {
		t.Errorf("overwrite changed /ask's ID: %s → %s", created[0].ID, again[0].ID)
	}
	listed, err := s.ApplicationCommands(app, "")
	if err != nil || len(listed) != 1 || listed[0].Name != "ask" {
		t.Errorf("listed = %+v, %v", listed, err)
	}
	guildCmds, err := s.ApplicationCommandBulkOverwrite(app, srv.GuildID(), []*discordgo.ApplicationCommand{help})
	if err != nil || len(guildCmds) != 1 || guildCmds[0].GuildID != srv.GuildID() {
		t.Errorf("guild overwrite = %+v, %v", guildCmds, err)
	}
	if got := srv.Commands(srv.GuildID()); len(got) != 1 || got[0].Name != "help" {
		t.Errorf("guild commands = %+v", got)
	}

	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask", Options: []discordtest.CommandOption{{Name: "question", Value: "q"}}})
	if got := waitFor(t, interactions, "the interaction"); got.ID != in.ID || got.ApplicationCommandData().ID != created[0].ID {
		t.Errorf("dispatched command ID = %s; want the registered %s", got.ApplicationCommandData().ID, created[0].ID)
	}

	invalid := []struct {
		name string
		cmd  *discordgo.ApplicationCommand
	}{
		{"upper-case name", &discordgo.ApplicationCommand{Name: "Ask", Description: "d"}},
		{"no description", &discordgo.ApplicationCommand{Name: "ask"}},
		{"name too long", &discordgo.ApplicationCommand{Name: strings.Repeat("a", 33), Description: "d"}},
		{"required after optional", &discordgo.ApplicationCommand{Name: "ask", Description: "d", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "a", Description: "d"},
			{Type: discordgo.ApplicationCommandOptionString, Name: "b", Description: "d", Required: true},
		}}},
	}
	for _, tt := range invalid {
		_, err := s.ApplicationCommandBulkOverwrite(app, "", []*discordgo.ApplicationCommand{tt.cmd})
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if code, status := restCode(t, err); code != discordtest.CodeInvalidFormBody || status != 400 {
			t.Errorf("%s: code %d status %d", tt.name, code, status)
		}
	}
	if _, err := s.ApplicationCommandBulkOverwrite(app, "123", []*discordgo.ApplicationCommand{help}); err == nil {
		t.Error("overwrite in a guild the bot is not in succeeded")
	}
	if _, err := s.ApplicationCommandBulkOverwrite(app, "", []*discordgo.ApplicationCommand{ask, ask}); err == nil {
		t.Error("duplicate names accepted")
	}
	var rest *discordgo.RESTError
	_, err = s.ApplicationCommands("1", "")
	if !errors.As(err, &rest) || rest.Message.Code != discordtest.CodeUnknownApplication {
		t.Errorf("wrong application: %v", err)
	}
}
