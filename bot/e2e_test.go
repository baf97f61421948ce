package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// TestBot runs one bot against one emulator and drives it the way users
// do, sub-tests in parallel (each as its own user, so rate limits don't
// mix), then checks what went over the wire as a whole.
func TestBot(t *testing.T) {
	t.Parallel()
	f := startBot(t, setup{})
	srv := f.srv

	var (
		ackMu sync.Mutex
		acks  []time.Duration
	)
	recordAck := func(cb discordtest.Callback) {
		ackMu.Lock()
		defer ackMu.Unlock()
		acks = append(acks, cb.After)
	}
	// Messages the bot must leave alone. Most leave no trace to wait for,
	// so they are checked once Run has returned (the last sub-test): by
	// then every handler has finished, and a reply would have been sent.
	var (
		ignoredMu sync.Mutex
		ignored   = map[string]string{} // message ID → what it is
	)
	mustIgnore := func(m discordgo.Message, what string) {
		ignoredMu.Lock()
		defer ignoredMu.Unlock()
		ignored[m.ID] = what
	}

	t.Run("startup", func(t *testing.T) {
		cmds := srv.Commands(guildID)
		var names []string
		for _, c := range cmds {
			names = append(names, c.Name)
			if c.Name == "reindex" && (c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != discordgo.PermissionManageGuild) {
				t.Errorf("/reindex default_member_permissions = %v; want 32", c.DefaultMemberPermissions)
			}
			if c.Name == "ask" && (len(c.Options) == 0 || c.Options[0].MaxLength != 500 || !c.Options[0].Required) {
				t.Errorf("/ask options = %+v", c.Options)
			}
		}
		slices.Sort(names)
		if want := []string{"about", "ask", "chart", "help", "reindex", "sources"}; !slices.Equal(names, want) {
			t.Errorf("guild commands = %v; want %v", names, want)
		}
		if global := srv.Commands(""); len(global) != 0 {
			t.Errorf("%d global commands; with DISCORD_GUILD_ID set they go to the guild only", len(global))
		}
		reqs := srv.RequestsMatching("PUT", "/applications/{app}/guilds/{guild}/commands")
		if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), `"default_member_permissions":"32"`) {
			t.Errorf("bulk overwrite requests = %d; /reindex permissions must go as the string \"32\"", len(reqs))
		}
		id, ok := srv.LastIdentify()
		if want := discordgo.IntentGuilds | discordgo.IntentGuildMessages | discordgo.IntentDirectMessages | discordgo.IntentMessageContent; !ok || id.Intents != want {
			t.Errorf("identify intents = %v; want %v", id.Intents, want)
		}
		if f.ready.ApplicationID != srv.ApplicationID() || !strings.Contains(f.ready.InviteURL, "client_id="+srv.ApplicationID()) ||
			!strings.Contains(f.ready.InviteURL, "scope=bot+applications.commands") {
			t.Errorf("ready = %+v", f.ready)
		}
	})

	t.Run("group", func(t *testing.T) {
		t.Run("ask is deferred at once and answered with a cited embed", func(t *testing.T) {
			t.Parallel()
			in := f.ask(userID(1), coveredQuestion, false)
			cb := callback(t, in)
			recordAck(cb)
			if cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || cb.Data.Flags&discordgo.MessageFlagsEphemeral != 0 {
				t.Errorf("callback type %d flags %d; want a public deferred response", cb.Type, cb.Data.Flags)
			}
			// In time: the emulator refuses a callback after Discord's 3 s.
			edits := in.OriginalEdits()
			final := finalEdit(t, in)
			edits = in.OriginalEdits()
			if len(edits) < 2 || edits[0].Content != commands.ProgressSearching {
				t.Errorf("first edit %+v; want the progress %q before the answer", edits[0], commands.ProgressSearching)
			}
			if final.Content != "" || len(final.Embeds) != 1 {
				t.Fatalf("final edit content %q, %d embeds", final.Content, len(final.Embeds))
			}
			e := final.Embeds[0]
			checkAnswerEmbed(t, e, f.ix)
			if e.Title != coveredQuestion || !strings.Contains(e.Description, "$12 billion") {
				t.Errorf("embed = %q / %q", e.Title, e.Description)
			}
			orig, ok := in.Original()
			if !ok || orig.Content != "" || len(orig.Embeds) != 1 || orig.MentionEveryone || len(orig.Mentions) != 0 {
				t.Errorf("@original = %+v", orig)
			}
			if n := len(in.Followups()); n != 0 {
				t.Errorf("%d follow-ups for a short answer", n)
			}
		})

		t.Run("twenty questions at once are all acknowledged in time", func(t *testing.T) {
			t.Parallel()
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					in := f.ask(userID(100+i), coveredQuestion, i%2 == 0)
					cb, err := in.WaitCallback(testContext(t))
					if err != nil {
						t.Errorf("question %d: %v", i, err)
						return
					}
					recordAck(cb) // in time, or the emulator would have refused it
					if _, err := in.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool { return len(m.Embeds) > 0 }); err != nil {
						t.Errorf("question %d: no answer: %v", i, err)
					}
				}()
			}
			wg.Wait()
		})

		t.Run("private ask is ephemeral", func(t *testing.T) {
			t.Parallel()
			in := f.ask(userID(2), coveredQuestion, true)
			cb := callback(t, in)
			recordAck(cb)
			if cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Errorf("callback flags %d; want ephemeral", cb.Data.Flags)
			}
			checkAnswerEmbed(t, finalEdit(t, in).Embeds[0], f.ix)
		})

		t.Run("ask about something not covered", func(t *testing.T) {
			t.Parallel()
			in := f.ask(userID(3), uncoveredQuestion, false)
			e := finalEdit(t, in).Embeds[0]
			if e.Color != commands.ColourNotCovered || !strings.Contains(e.Description, "don't cover") || len(e.Fields) != 0 {
				t.Errorf("not-covered embed = colour %06x %q fields %+v", e.Color, e.Description, e.Fields)
			}
		})

		t.Run("sources lists matching facts without an LLM", func(t *testing.T) {
			t.Parallel()
			in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "sources", UserID: userID(4),
				Options: []discordtest.CommandOption{{Name: "query", Value: "Who owns TikTok"}}})
			recordAck(callback(t, in))
			e := finalEdit(t, in).Embeds[0]
			if !strings.Contains(e.Description, "**[1]** ByteDance is the company that owns TikTok.") ||
				!strings.Contains(e.Description, "`bytedance-owns-tiktok`") || !strings.Contains(e.Description, "as of January 2025") {
				t.Errorf("sources description = %q", e.Description)
			}
			if e.Footer == nil || !strings.Contains(e.Footer.Text, f.ix.Version()) {
				t.Errorf("sources footer = %+v", e.Footer)
			}
		})

		t.Run("reindex refused without Manage Server", func(t *testing.T) {
			t.Parallel()
			in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "reindex", UserID: userID(5)})
			cb := callback(t, in)
			if cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 ||
				cb.Data.Content != commands.RefusedNotAllowed {
				t.Errorf("callback = type %d flags %d %q; want a private refusal", cb.Type, cb.Data.Flags, cb.Data.Content)
			}
		})

		t.Run("reindex refused in a DM", func(t *testing.T) {
			t.Parallel()
			in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "reindex", UserID: userID(6), DM: true,
				Permissions: discordgo.PermissionAdministrator})
			if cb := callback(t, in); cb.Data.Content != commands.RefusedInDM || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Errorf("callback content %q flags %d", cb.Data.Content, cb.Data.Flags)
			}
		})

		t.Run("help and about", func(t *testing.T) {
			t.Parallel()
			help := callback(t, srv.DispatchInteraction(discordtest.InteractionSpec{Command: "help", UserID: userID(7)}))
			if help.Type != discordgo.InteractionResponseChannelMessageWithSource || help.Data.Flags&discordgo.MessageFlagsEphemeral == 0 ||
				len(help.Data.Embeds) != 1 || !strings.Contains(help.Data.Embeds[0].Description, "/ask") ||
				!strings.Contains(help.Data.Embeds[0].Description, "<#"+answerChannel+">") {
				t.Errorf("/help = %+v", help.Data)
			}
			about := callback(t, srv.DispatchInteraction(discordtest.InteractionSpec{Command: "about", UserID: userID(7), DM: true}))
			st := f.ix.Base().Stats()
			d := about.Data.Embeds[0].Description
			for _, want := range []string{"v-test", commands.Count(st.Facts, "fact", "facts") + " from " + commands.Count(st.Sources, "source", "sources"), f.ix.Version(), "extractive"} {
				if !strings.Contains(d, want) {
					t.Errorf("/about = %q; want %q in it", d, want)
				}
			}
		})

		t.Run("a malformed option panics the handler and is answered", func(t *testing.T) {
			t.Parallel()
			// question must be a string; 42 makes discordgo's StringValue panic.
			in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask", UserID: userID(8),
				Options: []discordtest.CommandOption{{Name: "question", Value: 42}}})
			recordAck(callback(t, in))
			edit, err := in.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool {
				return m.Content == commands.UserMessage(commands.ErrPanic)
			})
			if err != nil {
				t.Fatalf("no error reply: %v; edits %+v", err, in.OriginalEdits())
			}
			if edit.AllowedMentions == nil {
				t.Error("error reply without allowed_mentions")
			}
			f.logs.Wait(t, map[string]string{"msg": "command panicked", "interaction_id": in.ID})
			f.logs.Wait(t, map[string]string{"msg": "command", "interaction_id": in.ID, "outcome": "error", "reason": "panic"})
		})

		t.Run("an unknown command is answered", func(t *testing.T) {
			t.Parallel()
			cb := callback(t, srv.DispatchInteraction(discordtest.InteractionSpec{Command: "stale", UserID: userID(9)}))
			if !strings.Contains(cb.Data.Content, "doesn't know /stale") {
				t.Errorf("callback = %+v", cb.Data)
			}
		})

		t.Run("a mention is answered as a reply that pings nobody", func(t *testing.T) {
			t.Parallel()
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(10),
				Content: "@everyone @here <@&123456789012345678> " + srv.BotMention() + " " + coveredQuestion})
			r := f.replyTo(t, generalChannel, q.ID)
			if r.Type != discordgo.MessageTypeReply || len(r.Embeds) != 1 {
				t.Fatalf("reply = %+v", r)
			}
			checkAnswerEmbed(t, r.Embeds[0], f.ix)
			if r.MentionEveryone || len(r.Mentions) != 0 || len(r.MentionRoles) != 0 {
				t.Errorf("the reply pinged: everyone %v users %v roles %v", r.MentionEveryone, r.Mentions, r.MentionRoles)
			}
			if strings.Contains(r.Embeds[0].Title, srv.BotMention()) {
				t.Errorf("the bot's mention was not stripped from the question: %q", r.Embeds[0].Title)
			}
			if len(srv.RequestsMatching("POST", "/channels/"+generalChannel+"/typing")) == 0 {
				t.Error("no typing indicator")
			}
		})

		t.Run("a reply to the bot is answered", func(t *testing.T) {
			t.Parallel()
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(11), Content: srv.BotMention() + " Who owns TikTok?"})
			first := f.replyTo(t, generalChannel, q.ID)
			follow := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(11), ReplyTo: first.ID, ReplyPing: true,
				Content: "How many monthly users does Doubao have?"})
			r := f.replyTo(t, generalChannel, follow.ID)
			if !strings.Contains(r.Embeds[0].Description, "75 million") || len(r.Mentions) != 0 {
				t.Errorf("reply = %q, mentions %v", r.Embeds[0].Description, r.Mentions)
			}
		})

		t.Run("a mention the sources don't cover says so", func(t *testing.T) {
			t.Parallel()
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(12), Content: srv.BotMention() + " " + uncoveredQuestion})
			r := f.replyTo(t, generalChannel, q.ID)
			if e := r.Embeds[0]; e.Color != commands.ColourNotCovered || !strings.Contains(e.Description, "don't cover") {
				t.Errorf("reply = colour %06x %q", e.Color, e.Description)
			}
		})

		t.Run("a DM is answered", func(t *testing.T) {
			t.Parallel()
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(13), DM: true, Content: coveredQuestion})
			checkAnswerEmbed(t, f.replyTo(t, q.ChannelID, q.ID).Embeds[0], f.ix)
		})

		t.Run("answer channel: covered questions answered, the rest ignored", func(t *testing.T) {
			t.Parallel()
			user := userID(14)
			statement := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, ChannelID: answerChannel, Content: "ByteDance is spending a lot."})
			uncovered := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, ChannelID: answerChannel, Content: uncoveredQuestion})
			covered := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, ChannelID: answerChannel, Content: coveredQuestion})
			checkAnswerEmbed(t, f.replyTo(t, answerChannel, covered.ID).Embeds[0], f.ix)
			// The question's log line is written after any reply.
			f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": uncovered.ID, "outcome": "not_covered", "reason": "silent"})
			if n := f.repliesTo(uncovered.ID); n != 0 {
				t.Errorf("%d replies to an uncovered question in the answer channel", n)
			}
			mustIgnore(statement, "a statement in the answer channel")
			// Not in an answer channel, an unaddressed question is left alone.
			elsewhere := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, Content: coveredQuestion})
			mention := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, ChannelID: answerChannel, Content: srv.BotMention() + " " + uncoveredQuestion})
			f.replyTo(t, answerChannel, mention.ID) // mentioned: "not covered" is said even here
			mustIgnore(elsewhere, "an unaddressed question outside the answer channels")
		})

		t.Run("other bots and webhooks are ignored", func(t *testing.T) {
			t.Parallel()
			otherBot := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: "710000000000000001", AuthorBot: true,
				Content: srv.BotMention() + " " + coveredQuestion})
			hook := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: "710000000000000002", WebhookID: "710000000000000003",
				ChannelID: answerChannel, Content: coveredQuestion})
			sync := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(15), Content: srv.BotMention() + " " + coveredQuestion})
			f.replyTo(t, generalChannel, sync.ID)
			mustIgnore(otherBot, "another bot's mention")
			mustIgnore(hook, "a webhook's question in the answer channel")
		})

		t.Run("rate limit across commands and messages", func(t *testing.T) {
			t.Parallel()
			user := userID(16)
			for i := range 3 {
				in := f.ask(user, coveredQuestion, false)
				finalEdit(t, in)
				q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, Content: fmt.Sprintf("%s %s (%d)", srv.BotMention(), coveredQuestion, i)})
				f.replyTo(t, generalChannel, q.ID)
			}
			in := f.ask(user, coveredQuestion, false)
			cb := callback(t, in)
			if cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 ||
				!strings.Contains(cb.Data.Content, "6 questions a minute") {
				t.Errorf("7th question: callback type %d flags %d %q; want a private rate-limit notice", cb.Type, cb.Data.Flags, cb.Data.Content)
			}
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, Content: srv.BotMention() + " " + coveredQuestion})
			if _, err := srv.WaitRequest(testContext(t), "PUT", "/channels/"+generalChannel+"/messages/"+q.ID+"/reactions/{emoji}/@me", nil); err != nil {
				t.Fatalf("no reaction on the 8th question: %v", err)
			}
			if got := srv.Reactions(generalChannel, q.ID); !slices.Equal(got, []string{bot.RateLimitedReaction}) {
				t.Errorf("reactions = %q; want %q", got, bot.RateLimitedReaction)
			}
			// The question's log line is written after any reply.
			f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": q.ID, "outcome": "rate_limited"})
			if f.repliesTo(q.ID) != 0 {
				t.Error("a rate-limited message was answered")
			}
			// Someone else is not affected.
			finalEdit(t, f.ask(userID(17), coveredQuestion, false))
		})
	})

	t.Run("still answers after a gateway reconnect", func(t *testing.T) {
		// Ready since READY: /readyz says so.
		if got := f.serving.list(); len(got) == 0 || !got[len(got)-1] {
			t.Fatalf("OnServing reported %v before the reconnect; want ready", got)
		}
		if code, body := f.scrape(t, "/readyz"); code != http.StatusOK {
			t.Fatalf("/readyz = %d %q while connected", code, body)
		}
		before, reported := srv.Resumes(), len(f.serving.list())
		if err := srv.Reconnect(); err != nil {
			t.Fatal(err)
		}
		ctx := testContext(t)
		if _, err := srv.WaitGateway(ctx, func(st discordtest.GatewayStats) bool { return st.Ready && st.Resumes > before }); err != nil {
			t.Fatal(err)
		}
		// The disconnect made it unready, the resume ready again.
		f.serving.wait(t, "a disconnect, then the resume", func(s []bool) bool {
			return len(s) >= reported+2 && slices.Contains(s[reported:], false) && s[len(s)-1]
		})
		if code, body := f.scrape(t, "/readyz"); code != http.StatusOK {
			t.Errorf("/readyz = %d %q after the resume", code, body)
		}
		in := f.ask(userID(18), coveredQuestion, false)
		recordAck(callback(t, in))
		checkAnswerEmbed(t, finalEdit(t, in).Embeds[0], f.ix)
		q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(18), Content: srv.BotMention() + " Who owns TikTok?"})
		f.replyTo(t, generalChannel, q.ID)
	})

	t.Run("wire and logs", func(t *testing.T) {
		checkNoMentionsOnTheWire(t, srv)
		for _, m := range srv.BotMessages("") {
			if m.ReferencedMessage != nil && m.ReferencedMessage.Author != nil && m.ReferencedMessage.Author.ID == srv.BotUser().ID {
				t.Errorf("the bot replied to its own message %s", m.ReferencedMessage.ID)
			}
		}
		logs := f.logs.String()
		if strings.Contains(logs, srv.Token()) {
			t.Error("the bot token is in the logs")
		}
		for _, q := range []string{coveredQuestion, uncoveredQuestion, "Who owns TikTok"} {
			if strings.Contains(logs, q) {
				t.Errorf("question text %q logged above debug level", q)
			}
		}
		// One line per question, with its ids, timings, outcome and index.
		common := []string{"user_id", "guild_id", "channel_id", "first_response_ms", "took_ms", "retrieval_ms", "answer_ms",
			"index_version", "mode", "citations", "question_chars"}
		for _, q := range []struct {
			name string
			want map[string]string
			keys []string
		}{
			{"/ask", map[string]string{"msg": "command", "command": "ask", "entry": "slash_command", "outcome": "answered"},
				append([]string{"interaction_id"}, common...)},
			{"a mention", map[string]string{"msg": "message question", "entry": "mention", "trigger": "mention", "outcome": "answered"},
				append([]string{"message_id"}, common...)},
			{"an answer channel question", map[string]string{"msg": "message question", "entry": "answer_channel", "outcome": "answered"},
				append([]string{"message_id"}, common...)},
		} {
			lines := f.logs.Lines(q.want)
			if len(lines) == 0 {
				t.Errorf("no log line for %s with %v", q.name, q.want)
				continue
			}
			for _, k := range q.keys {
				if _, ok := lines[0][k]; !ok {
					t.Errorf("the log line for %s lacks %q: %v", q.name, k, lines[0])
				}
			}
			if v := fmt.Sprint(lines[0]["index_version"]); v != f.ix.Version() {
				t.Errorf("the log line for %s has index_version %s; want %s", q.name, v, f.ix.Version())
			}
		}
		// One line per /ask, and only one: at info, or at error for a fault.
		for _, line := range f.logs.Lines(map[string]string{"msg": "command", "command": "ask"}) {
			id := fmt.Sprint(line["interaction_id"])
			if n := len(f.logs.Lines(map[string]string{"interaction_id": id, "msg": "command"})); n != 1 {
				t.Errorf("interaction %s has %d question lines; want one", id, n)
			}
			if n := len(f.logs.Lines(map[string]string{"interaction_id": id, "level": "INFO"})); n != 1 && line["outcome"] != "error" {
				t.Errorf("interaction %s has %d info lines; want its one question line", id, n)
			}
		}

		// The metrics count the same questions, by entry point and outcome.
		for sample, want := range map[string]float64{
			`bytewatch_questions_total{entry="slash_command",outcome="rate_limited"}`: 1,
			`bytewatch_questions_total{entry="mention",outcome="rate_limited"}`:       1,
			`bytewatch_questions_total{entry="answer_channel",outcome="answered"}`:    1,
			`bytewatch_questions_total{entry="answer_channel",outcome="not_covered"}`: 1,
			`bytewatch_questions_total{entry="slash_command",outcome="error"}`:        1, // the malformed option
			`bytewatch_first_response_seconds_count{entry="answer_channel"}`:          1,
			`bytewatch_answer_seconds_count{entry="answer_channel"}`:                  1, // the silent one shows nothing
		} {
			if got := f.metric(t, sample); got != want {
				t.Errorf("%s = %v; want %v", sample, got, want)
			}
		}
		asks := len(f.logs.Lines(map[string]string{"msg": "command", "command": "ask"}))
		slash := 0.0
		for _, o := range []string{"answered", "not_covered", "fallback", "rate_limited", "invalid", "error"} {
			slash += max(0, f.metric(t, `bytewatch_questions_total{entry="slash_command",outcome="`+o+`"}`))
		}
		if slash != float64(asks) {
			t.Errorf("bytewatch_questions_total counts %v /ask questions; the log has %d", slash, asks)
		}
		for _, sample := range []string{
			`bytewatch_questions_total{entry="slash_command",outcome="answered"}`,
			`bytewatch_questions_total{entry="slash_command",outcome="not_covered"}`,
			`bytewatch_questions_total{entry="mention",outcome="answered"}`,
			`bytewatch_questions_total{entry="mention",outcome="not_covered"}`,
			`bytewatch_first_response_seconds_count{entry="slash_command"}`,
			`bytewatch_first_response_seconds_count{entry="mention"}`,
			`bytewatch_answer_seconds_count{entry="mention"}`,
			`bytewatch_retrieval_seconds_count`,
		} {
			if got := f.metric(t, sample); got < 1 {
				t.Errorf("%s = %v; want at least 1", sample, got)
			}
		}
		ackMu.Lock()
		defer ackMu.Unlock()
		slices.Sort(acks)
		t.Logf("acknowledgement latency over %d deferred interactions (dispatch → callback accepted): min %v, median %v, p95 %v, max %v",
			len(acks), acks[0], acks[len(acks)/2], acks[len(acks)*95/100], acks[len(acks)-1])
	})

	t.Run("ignored messages got no reply", func(t *testing.T) {
		f.stop()
		select {
		case err := <-f.done:
			f.done <- err // for the cleanup
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return")
		}
		ignoredMu.Lock()
		defer ignoredMu.Unlock()
		if len(ignored) == 0 {
			t.Fatal("no messages to check")
		}
		for id, what := range ignored {
			if n := f.repliesTo(id); n != 0 {
				t.Errorf("%d replies to %s", n, what)
			}
			if l := f.logs.Lines(map[string]string{"message_id": id}); len(l) != 0 {
				t.Errorf("%s was handled: %v", what, l)
			}
		}
	})
}

// TestReindex edits and breaks a knowledge folder and reindexes it.
func TestReindex(t *testing.T) {
	t.Parallel()
	dir := copyKnowledge(t)
	f := startBot(t, setup{knowledgeDir: dir})
	srv := f.srv
	file := dir + "/bytedance-ai-investment-2025.yaml"
	const moderator = discordtest.DefaultMemberPermissions | discordgo.PermissionManageGuild
	reindex := func(t *testing.T, perms int64) discordtest.Message {
		t.Helper()
		in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "reindex", UserID: userID(30), Permissions: perms})
		cb := callback(t, in)
		if cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("callback type %d flags %d; want a private deferred response", cb.Type, cb.Data.Flags)
		}
		return finalEdit(t, in)
	}
	askTikTok := func(t *testing.T) string {
		t.Helper()
		return finalEdit(t, f.ask(userID(31), "Who owns TikTok?", false)).Embeds[0].Description
	}
	edit := func(t *testing.T, old, new string) {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s does not contain %q", file, old)
		}
		if err := os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("refused for a member without Manage Server", func(t *testing.T) {
		cb := callback(t, srv.DispatchInteraction(discordtest.InteractionSpec{Command: "reindex", UserID: userID(30)}))
		if cb.Data.Content != commands.RefusedNotAllowed {
			t.Errorf("callback = %q", cb.Data.Content)
		}
	})

	oldVersion := f.ix.Version()
	t.Run("an edited fact changes later answers", func(t *testing.T) {
		if d := askTikTok(t); strings.Contains(d, "Douyin") {
			t.Fatalf("answer mentions Douyin before the edit: %q", d)
		}
		edit(t, "ByteDance is the company that owns TikTok.", "ByteDance is the company that owns TikTok and its Chinese twin Douyin.")
		e := reindex(t, moderator).Embeds[0]
		newVersion := f.ix.Version()
		if newVersion == oldVersion {
			t.Fatal("the index version did not change")
		}
		text := embedText(e)
		for _, want := range []string{"Reindexed", oldVersion + "** → **" + newVersion, "Changed (1)", "`bytedance-owns-tiktok`"} {
			if !strings.Contains(text, want) {
				t.Errorf("reindex report lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "Added") || strings.Contains(text, "Removed") {
			t.Errorf("reindex report lists additions or removals:\n%s", text)
		}
		if d := askTikTok(t); !strings.Contains(d, "Douyin") {
			t.Errorf("answer after reindex = %q; want the edited fact", d)
		}
	})

	t.Run("a broken file is reported with file:line and the old index keeps serving", func(t *testing.T) {
		before := f.ix.Version()
		edit(t, "as_of: 2025-01", "as_of: 2025-13")
		b, _ := os.ReadFile(file)
		line := slices.Index(strings.Split(string(b), "\n"), "    as_of: 2025-13") + 1
		e := reindex(t, discordgo.PermissionAdministrator).Embeds[0]
		want := fmt.Sprintf("bytedance-ai-investment-2025.yaml:%d: ", line)
		if !strings.Contains(e.Description, want) || !strings.Contains(e.Description, "month out of range") ||
			!strings.Contains(e.Description, "keeps serving") || e.Color != commands.ColourError {
			t.Errorf("report = %q; want %q and the old index kept", e.Description, want)
		}
		if f.ix.Version() != before {
			t.Error("a broken knowledge folder replaced the index")
		}
		if d := askTikTok(t); !strings.Contains(d, "Douyin") {
			t.Errorf("answer after a failed reindex = %q; want the last good index's", d)
		}
	})
	checkNoMentionsOnTheWire(t, srv)
}

// streamingAnswerer streams its partial texts, one each time the test
// sends on next, and answers after one send more: the test, not the
// clock, decides when the LLM "writes".
type streamingAnswerer struct {
	commands.Answerer
	partials []string
	next     chan struct{}
}

func (s streamingAnswerer) Ask(ctx context.Context, q string, onPartial func(string)) (answer.Answer, error) {
	a, err := s.Answerer.Ask(ctx, q, nil)
	if err != nil {
		return a, err
	}
	for i := 0; i <= len(s.partials); i++ {
		select {
		case <-s.next:
		case <-ctx.Done():
			return answer.Answer{}, ctx.Err()
		}
		if i < len(s.partials) {
			onPartial(s.partials[i])
		}
	}
	a.Mode, a.Model = answer.ModeLLM, "fake-model"
	a.Text = "@everyone " + a.Text
	return a, nil
}

// TestStreamingAnswer shows an LLM answer as it streams: edits of
// @original at most about once a second, then the final embed.
func TestStreamingAnswer(t *testing.T) {
	t.Parallel()
	var partials []string
	for i := 1; i <= 3; i++ {
		partials = append(partials, "@everyone "+strings.Repeat("ByteDance invests [1]. ", i))
	}
	next := make(chan struct{})
	f := startBot(t, setup{answerer: func(e *answer.Engine) commands.Answerer {
		return streamingAnswerer{Answerer: e, partials: partials, next: next}
	}})
	in := f.ask(userID(40), coveredQuestion, false)
	ctx := testContext(t)
	release := func(what string) {
		t.Helper()
		select {
		case next <- struct{}{}:
		case <-ctx.Done():
			t.Fatalf("the answerer never asked for %s; edits %+v", what, in.OriginalEdits())
		}
	}
	isPartial := func(m discordtest.Message) bool { return strings.HasPrefix(m.Content, "@everyone ByteDance") }
	// Each partial text is shown before the next is written: the bot edits
	// as the text grows, waiting out its interval since the last edit.
	for i := range partials {
		release(fmt.Sprintf("partial text %d", i+1))
		if _, err := in.WaitOriginalEdit(ctx, func(m discordtest.Message) bool {
			return isPartial(m) && strings.Count(m.Content, "ByteDance invests") == i+1
		}); err != nil {
			t.Fatalf("partial text %d was not shown: %v; edits %+v", i+1, err, in.OriginalEdits())
		}
	}
	release("the answer")
	final := finalEdit(t, in)
	edits := in.OriginalEdits()
	var streamed []discordtest.Message
	for _, e := range edits {
		if isPartial(e) {
			streamed = append(streamed, e)
		}
	}
	if len(streamed) != len(partials) {
		t.Errorf("%d streamed edits for %d partial texts, each waited for", len(streamed), len(partials))
	}
	prev := edits[0].After // the progress edit
	for i, e := range streamed {
		if gap := e.After - prev; gap < 900*time.Millisecond {
			t.Errorf("streamed edit %d came %v after the previous edit; want about a second", i, gap)
		}
		prev = e.After
		if e.AllowedMentions == nil || len(e.AllowedMentions.Parse) != 0 {
			t.Errorf("streamed edit %d has allowed_mentions %+v", i, e.AllowedMentions)
		}
	}
	if edits[len(edits)-1].Raw == nil || final.Content != "" || !strings.HasPrefix(final.Embeds[0].Description, "@everyone") {
		t.Errorf("final edit = %q / %q", final.Content, final.Embeds[0].Description)
	}
	if orig, _ := in.Original(); orig.MentionEveryone {
		t.Error("the answer pinged @everyone")
	}
	checkNoMentionsOnTheWire(t, f.srv)
}

// blockingAnswerer holds questions containing "slow" until release closes
// (or their context ends).
type blockingAnswerer struct {
	commands.Answerer
	release chan struct{}
	started chan string
}

func (b blockingAnswerer) Ask(ctx context.Context, q string, onPartial func(string)) (answer.Answer, error) {
	if strings.Contains(q, "slow") {
		b.started <- q
		hold := b.release
		if strings.Contains(q, "forever") {
			hold = nil
		}
		select {
		case <-hold:
		case <-ctx.Done():
			return answer.Answer{}, ctx.Err()
		}
	}
	return b.Answerer.Ask(ctx, strings.NewReplacer("slow", "", "forever", "").Replace(q), onPartial)
}

// TestShutdown stops the bot with questions in flight: they finish (or are
// cut off at the shutdown deadline with a message), new ones are turned
// away with a reply, and Run returns.
func TestShutdown(t *testing.T) {
	t.Parallel()
	ba := blockingAnswerer{release: make(chan struct{}), started: make(chan string, 2)}
	f := startBot(t, setup{
		answerer: func(e *answer.Engine) commands.Answerer { ba.Answerer = e; return ba },
		options: func(o *bot.Options) {
			o.ShutdownTimeout = 1500 * time.Millisecond
			o.GuildID = "" // and registers globally
		},
	})
	srv := f.srv
	if n, g := len(srv.Commands("")), len(srv.Commands(guildID)); n != 6 || g != 0 {
		t.Errorf("%d global and %d guild commands; without DISCORD_GUILD_ID all 6 go global", n, g)
	}
	finishing := f.ask(userID(50), "slow "+coveredQuestion, false)
	cutOff := f.ask(userID(51), "slow forever "+coveredQuestion, false)
	for range 2 {
		select {
		case <-ba.started:
		case <-time.After(10 * time.Second):
			t.Fatal("the slow questions did not start")
		}
	}
	stoppedAt := time.Now()
	f.stop()
	f.logs.Wait(t, map[string]string{"msg": "bot stopping"})

	turnedAway := f.ask(userID(52), coveredQuestion, false)
	if cb := callback(t, turnedAway); cb.Data.Content != commands.UserMessage(commands.ErrShuttingDown) {
		t.Errorf("a question during shutdown got %q", cb.Data.Content)
	}
	close(ba.release)
	checkAnswerEmbed(t, finalEdit(t, finishing).Embeds[0], f.ix)
	if _, err := cutOff.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool {
		return m.Content == commands.UserMessage(commands.ErrShuttingDown)
	}); err != nil {
		t.Errorf("the question cut off at the deadline got no reply: %v; edits %+v", err, cutOff.OriginalEdits())
	}
	select {
	case err := <-f.done:
		f.done <- err
		// Not before the 1.5 s shutdown wait; well before the question
		// held for ever would have timed out (the 15 s bound leaves a busy
		// machine room for the close).
		if took := time.Since(stoppedAt); took < 1500*time.Millisecond || took > 15*time.Second {
			t.Errorf("Run returned %v after its context ended; want the 1.5 s shutdown wait plus the close", took)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
	if st := srv.GatewayStats(); st.Live {
		t.Error("the gateway connection is still live after Run returned")
	}
}

// TestConnectErrorsSayWhatToFix: the two set-up mistakes Discord answers by
// closing the gateway — a wrong token and the Message Content intent left
// off — end Run with an error that says which switch to flip.
func TestConnectErrorsSayWhatToFix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  []discordtest.Option
		token string
		want  string
	}{
		{"intent off", []discordtest.Option{discordtest.WithPrivilegedIntents(0)}, "", "Privileged Gateway Intents"},
		{"wrong token", nil, "not-the-token", "check DISCORD_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t, tt.opts...)
			token := tt.token
			if token == "" {
				token = srv.Token()
			}
			transport := http.DefaultTransport.(*http.Transport).Clone()
			t.Cleanup(transport.CloseIdleConnections)
			err := bot.Run(testContext(t), bot.Options{Token: token, APIBaseURL: srv.URL, Transport: transport,
				Answerer: streamingAnswerer{}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run = %v; want an error saying %q", err, tt.want)
			}
		})
	}
}

// panickingStreamer streams one partial answer, then panics.
type panickingStreamer struct{ commands.Answerer }

func (panickingStreamer) Ask(_ context.Context, _ string, onPartial func(string)) (answer.Answer, error) {
	onPartial("ByteDance invests [1].")
	panic("the answerer broke mid-stream")
}

// TestPanicWhileStreaming: an answerer that panics after streaming has
// begun still gets the user an error reply, and its streaming edits stop
// (goleak in TestMain finds a streamer left running).
func TestPanicWhileStreaming(t *testing.T) {
	t.Parallel()
	f := startBot(t, setup{answerer: func(e *answer.Engine) commands.Answerer { return panickingStreamer{e} }})
	in := f.ask(userID(41), coveredQuestion, false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := in.WaitOriginalEdit(ctx, func(m discordtest.Message) bool {
		text := m.Content
		for _, e := range m.Embeds {
			text += e.Description
		}
		return strings.Contains(strings.ToLower(text), "went wrong")
	}); err != nil {
		t.Fatalf("no error reply after a panic mid-stream: %v; edits %+v", err, in.OriginalEdits())
	}
	// No partial edit lands after the error reply. Once Run has returned
	// every handler has, and a streamer still running past it is a leak
	// goleak reports.
	f.stop()
	select {
	case err := <-f.done:
		f.done <- err // for the cleanup
	case <-ctx.Done():
		t.Fatal("Run did not return")
	}
	edits := in.OriginalEdits()
	if last := edits[len(edits)-1]; strings.Contains(last.Content, "ByteDance invests") {
		t.Errorf("a streamed partial overwrote the error reply: %+v", last)
	}
}
