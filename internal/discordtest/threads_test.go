package discordtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/internal/discordtest"
)

func threadCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestThreadsAndReads: starting a thread on a message as Discord does, and
// reading messages back.
func TestThreadsAndReads(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := newSession(t, srv, srv.Token())
	ch := srv.ChannelID()
	q := srv.DispatchMessage(discordtest.MessageSpec{Content: "first"})
	a, err := s.ChannelMessageSendReply(ch, "second", q.Reference())
	if err != nil {
		t.Fatal(err)
	}

	// Reading back: one message, and the channel newest first.
	got, err := s.ChannelMessage(ch, q.ID)
	if err != nil || got.Content != "first" {
		t.Fatalf("GET message: %+v, %v", got, err)
	}
	if _, err := s.ChannelMessage(ch, "42"); threadCode(err) != discordtest.CodeUnknownMessage {
		t.Errorf("GET of an unknown message: %v", err)
	}
	list, err := s.ChannelMessages(ch, 1, "", "", "")
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("GET messages limit 1: %+v, %v", list, err)
	}
	if list, _ := s.ChannelMessages(ch, 50, a.ID, "", ""); len(list) != 1 || list[0].ID != q.ID {
		t.Errorf("GET messages before the reply: %+v", list)
	}
	if _, err := s.ChannelMessages(ch, 101, "", "", ""); threadCode(err) != discordtest.CodeInvalidFormBody {
		t.Errorf("limit 101: %v", err)
	}

	// A thread on the bot's message has its ID, the bot as owner, and
	// marks the message.
	th, err := s.MessageThreadStartComplex(ch, a.ID, &discordgo.ThreadStart{Name: "What is Doubao?", AutoArchiveDuration: 4320})
	if err != nil {
		t.Fatal(err)
	}
	if th.ID != a.ID || th.ParentID != ch || th.OwnerID != srv.BotUser().ID || !th.IsThread() || th.Name != "What is Doubao?" {
		t.Errorf("thread %+v", th)
	}
	if m, _ := srv.Message(a.ID); m.Thread == nil || m.Flags&discordgo.MessageFlagsHasThread == 0 {
		t.Errorf("the message does not carry its thread: %+v", m)
	}
	if c, err := s.Channel(th.ID); err != nil || c.OwnerID != srv.BotUser().ID || c.ParentID != ch {
		t.Errorf("GET of the thread: %+v, %v", c, err)
	}
	in, err := s.ChannelMessageSend(th.ID, "in the thread")
	if err != nil || in.ChannelID != th.ID {
		t.Fatalf("a message in the thread: %+v, %v", in, err)
	}
	if list, _ := s.ChannelMessages(th.ID, 50, "", "", ""); len(list) != 1 || list[0].ID != in.ID {
		t.Errorf("the thread's messages: %+v", list)
	}

	tests := []struct {
		name      string
		channel   string
		message   string
		title     string
		archive   int
		wantCode  int
		wantInErr string
	}{
		{"a second thread on the message", ch, a.ID, "again", 0, discordtest.CodeThreadAlreadyCreated, ""},
		{"a thread in a thread", th.ID, in.ID, "nested", 0, discordtest.CodeInvalidChannelType, ""},
		{"an unknown message", ch, "42", "x", 0, discordtest.CodeUnknownMessage, ""},
		{"a name too long", ch, q.ID, strings.Repeat("n", 101), 0, discordtest.CodeInvalidFormBody, "name"},
		{"an empty name", ch, q.ID, "", 0, discordtest.CodeInvalidFormBody, "name"},
		{"an archive duration Discord lacks", ch, q.ID, "x", 30, discordtest.CodeInvalidFormBody, "auto_archive_duration"},
	}
	for _, tt := range tests {
		_, err := s.MessageThreadStartComplex(tt.channel, tt.message, &discordgo.ThreadStart{Name: tt.title, AutoArchiveDuration: tt.archive})
		if threadCode(err) != tt.wantCode || (tt.wantInErr != "" && !strings.Contains(err.Error(), tt.wantInErr)) {
			t.Errorf("%s: %v, want code %d", tt.name, err, tt.wantCode)
		}
	}
	if n := len(srv.Threads()); n != 1 {
		t.Errorf("%d threads, want 1", n)
	}
}

// TestAutocompleteCallbacks: an autocomplete request takes a result of at
// most 25 choices, and only it takes one.
func TestAutocompleteCallbacks(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := newSession(t, srv, srv.Token())
	choices := func(n int) []*discordgo.ApplicationCommandOptionChoice {
		out := make([]*discordgo.ApplicationCommandOptionChoice, n)
		for i := range out {
			out[i] = &discordgo.ApplicationCommandOptionChoice{Name: "q", Value: "q"}
		}
		return out
	}
	result := func(c []*discordgo.ApplicationCommandOptionChoice) *discordgo.InteractionResponse {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &discordgo.InteractionResponseData{Choices: c}}
	}
	tests := []struct {
		name         string
		autocomplete bool
		resp         *discordgo.InteractionResponse
		wantCode     int
		wantChoices  int
	}{
		{"25 choices", true, result(choices(25)), 0, 25},
		{"no choices", true, result(nil), 0, 0},
		{"26 choices", true, result(choices(26)), discordtest.CodeInvalidFormBody, 0},
		{"a choice too long", true, result([]*discordgo.ApplicationCommandOptionChoice{{Name: strings.Repeat("x", 101), Value: "v"}}), discordtest.CodeInvalidFormBody, 0},
		{"a message to an autocomplete request", true, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "hi"}}, discordtest.CodeInvalidFormBody, 0},
		{"a result to a command", false, result(choices(1)), discordtest.CodeInvalidFormBody, 0},
	}
	for _, tt := range tests {
		in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask", Autocomplete: tt.autocomplete,
			Options: []discordtest.CommandOption{{Name: "question", Value: "doub", Focused: tt.autocomplete}}})
		var di discordgo.Interaction
		if err := di.UnmarshalJSON(in.Payload); err != nil {
			t.Fatal(err)
		}
		err := s.InteractionRespond(&di, tt.resp)
		if threadCode(err) != tt.wantCode {
			t.Errorf("%s: %v, want code %d", tt.name, err, tt.wantCode)
			continue
		}
		if tt.wantCode == 0 {
			cb, ok := in.Callback()
			if !ok || len(cb.Choices) != tt.wantChoices {
				t.Errorf("%s: callback %+v", tt.name, cb)
			}
			if tt.autocomplete && di.ApplicationCommandData().Options[0].Focused != true {
				t.Errorf("%s: the option is not focused in the payload", tt.name)
			}
		}
	}
}
