package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// buttonOf returns the custom_id of the button labelled label in a message
// body as sent, "" when there is none.
func buttonOf(raw json.RawMessage, label string) string {
	var body struct {
		Components []struct {
			Components []struct {
				Type     int    `json:"type"`
				Label    string `json:"label"`
				CustomID string `json:"custom_id"`
			} `json:"components"`
		} `json:"components"`
	}
	json.Unmarshal(raw, &body)
	for _, row := range body.Components {
		for _, c := range row.Components {
			if c.Type == int(discordgo.ButtonComponent) && c.Label == label {
				return c.CustomID
			}
		}
	}
	return ""
}

// sentBody is the body the bot sent for message id.
func sentBody(t *testing.T, srv *discordtest.Server, id string) json.RawMessage {
	t.Helper()
	for _, m := range srv.SentMessages() {
		if m.ID == id {
			return m.Raw
		}
	}
	t.Fatalf("no sent message %s", id)
	return nil
}

func cites(m discordgo.Message, factID string) bool {
	for _, e := range m.Embeds {
		for _, f := range e.Fields {
			if strings.Contains(f.Value, factID) {
				return true
			}
		}
		if strings.Contains(e.Description, factID) {
			return true
		}
	}
	return false
}

func titleOf(m discordgo.Message) string {
	if len(m.Embeds) == 0 {
		return ""
	}
	return m.Embeds[0].Title
}

// TestFollowUpInReplyChain: replies to the bot's answers are answered in
// the context of the chain before them, and say what they answered.
func TestFollowUpInReplyChain(t *testing.T) {
	f := startBot(t, setup{})
	srv := f.srv
	user := userID(200)
	q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, Content: srv.BotMention() + " " + coveredQuestion})
	a1 := f.replyTo(t, generalChannel, q.ID)
	if titleOf(a1) != coveredQuestion {
		t.Fatalf("first answer's title %q", titleOf(a1))
	}
	if id := buttonOf(sentBody(t, srv, a1.ID), "Follow up"); id != commands.FollowUpButtonPrefix+coveredQuestion {
		t.Errorf("first answer's Follow up button %q", id)
	}

	steps := []struct {
		say, title, mustCite string
	}{
		{"and Microsoft?", "Answering: How much is Microsoft investing in AI infrastructure?", "Microsoft spent $55.7 billion"},
		{"what about Alphabet?", "Answering: How much is Alphabet investing in AI infrastructure?", "Alphabet, the parent company of Google"},
		{"and Tencent?", "Answering: How much is Tencent investing in AI infrastructure?", ""},
	}
	prev := a1
	for _, st := range steps {
		m := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, ReplyTo: prev.ID, ReplyPing: true, Content: st.say})
		r := f.replyTo(t, generalChannel, m.ID)
		if titleOf(r) != st.title {
			t.Errorf("%q: answer titled %q, want %q", st.say, titleOf(r), st.title)
		}
		text := embedText(r.Embeds[0])
		if st.mustCite != "" && !strings.Contains(text, st.mustCite) {
			t.Errorf("%q: answer %q lacks %q", st.say, text, st.mustCite)
		}
		if st.mustCite == "" && !strings.Contains(text, "don't cover") {
			t.Errorf("%q: answered %q; the sources don't cover it", st.say, text)
		}
		prev = r
	}
	// A mention that replies to nothing is a question of its own.
	alone := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, Content: srv.BotMention() + " and Microsoft?"})
	if r := f.replyTo(t, generalChannel, alone.ID); titleOf(r) != "and Microsoft?" {
		t.Errorf("a question alone was answered as %q", titleOf(r))
	}
}

// TestFollowUpThread: the Follow up button opens a thread on the answer
// once (a second click points to it), and in it the bot answers every
// message with the thread's turns as context.
func TestFollowUpThread(t *testing.T) {
	f := startBot(t, setup{})
	srv := f.srv
	ctx := testContext(t)
	in := f.ask(userID(210), "What is Doubao?", false)
	edit := finalEdit(t, in)
	id := buttonOf(edit.Raw, "Follow up")
	if id != commands.FollowUpButtonPrefix+"What is Doubao?" {
		t.Fatalf("Follow up button %q in %s", id, edit.Raw)
	}
	orig, _ := in.Original()

	click := srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: id, MessageID: orig.ID, UserID: userID(211)})
	cb := callback(t, click)
	if cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 || !strings.Contains(cb.Data.Content, "<#"+orig.ID+">") {
		t.Fatalf("first click answered %+v; want a private pointer to the thread", cb.Data)
	}
	th, err := srv.WaitThread(ctx, orig.ID)
	if err != nil {
		t.Fatal(err)
	}
	if th.Name != "What is Doubao?" || th.ParentID != generalChannel || th.OwnerID != srv.BotUser().ID || th.Type != discordgo.ChannelTypeGuildPublicThread {
		t.Errorf("thread %+v", th)
	}
	if _, err := srv.WaitBotMessage(ctx, th.ID, func(m discordgo.Message) bool { return m.Content == commands.FollowUpThreadIntro }); err != nil {
		t.Errorf("no introduction in the thread: %v", err)
	}

	again := srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: id, MessageID: orig.ID, UserID: userID(212)})
	cb2 := callback(t, again)
	if cb2.Data.Flags&discordgo.MessageFlagsEphemeral == 0 || !strings.Contains(cb2.Data.Content, "<#"+orig.ID+">") {
		t.Errorf("second click answered %+v", cb2.Data)
	}
	if n := len(srv.RequestsMatching("POST", "/channels/{c}/messages/{m}/threads")); n != 1 {
		t.Errorf("%d thread starts, want 1", n)
	}

	steps := []struct {
		say, title, mustSay string
	}{
		{"and its international version?", "Answering: What about Doubao's international version?", "Cici"},
		{"How many users does it have?", "Answering: How many users does Doubao have?", "75 million"},
		// A question that stands on its own is answered as itself.
		{"How much did Microsoft spend on AI in its last fiscal year?", "How much did Microsoft spend on AI in its last fiscal year?", "$55.7 billion"},
	}
	for i, st := range steps {
		m := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(213 + i), ChannelID: th.ID, Content: st.say})
		r := f.replyTo(t, th.ID, m.ID)
		if titleOf(r) != st.title {
			t.Errorf("%q in the thread: answer titled %q, want %q", st.say, titleOf(r), st.title)
		}
		if text := embedText(r.Embeds[0]); !strings.Contains(text, st.mustSay) {
			t.Errorf("%q in the thread: answer %q lacks %q", st.say, text, st.mustSay)
		}
		if b := buttonOf(sentBody(t, srv, r.ID), "Follow up"); b != "" {
			t.Errorf("an answer in a thread has a Follow up button %q", b)
		}
	}
	// Another bot's message in the thread is not answered.
	other := srv.DispatchMessage(discordtest.MessageSpec{AuthorBot: true, AuthorID: userID(230), ChannelID: th.ID, Content: "and Microsoft?"})
	last := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(231), ChannelID: th.ID, Content: "why?"})
	f.replyTo(t, th.ID, last.ID)
	if n := f.repliesTo(other.ID); n != 0 {
		t.Errorf("the bot answered another bot %d times", n)
	}
	// No thread can be opened on a private answer or in a DM: no button.
	if b := buttonOf(finalEdit(t, f.ask(userID(232), "What is Doubao?", true)).Raw, "Follow up"); b != "" {
		t.Errorf("a private answer has a Follow up button %q", b)
	}
	dm := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(233), DM: true, Content: "What is Doubao?"})
	if b := buttonOf(sentBody(t, srv, f.replyTo(t, dm.ChannelID, dm.ID).ID), "Follow up"); b != "" {
		t.Errorf("an answer in a DM has a Follow up button %q", b)
	}
}

// TestAskAutocomplete: /ask's question option completes from the
// questions the knowledge answers, as the person types.
func TestAskAutocomplete(t *testing.T) {
	f := startBot(t, setup{})
	srv := f.srv
	for _, c := range srv.Commands(guildID) {
		if c.Name == "ask" && (len(c.Options) == 0 || !c.Options[0].Autocomplete) {
			t.Errorf("/ask's question option is registered without autocomplete: %+v", c.Options)
		}
	}
	tests := []struct {
		typed string
		first string
		n     int // how many suggestions; -1 for any but none
	}{
		{"", "How much is ByteDance investing in AI?", 25},
		{"how many monthy", "How many monthly active users does Doubao have?", -1},
		{"dreamin", "What is Dreamina?", 1},
		{"zzzz", "", 0},
	}
	for i, tt := range tests {
		in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask", Autocomplete: true, UserID: userID(240 + i),
			Options: []discordtest.CommandOption{{Name: "question", Value: tt.typed, Focused: true}}})
		cb := callback(t, in) // within Discord's 3 s: the emulator refuses a later one
		if cb.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Fatalf("%q: callback type %d, want an autocomplete result", tt.typed, cb.Type)
		}
		if tt.n >= 0 && len(cb.Choices) != tt.n || tt.n < 0 && len(cb.Choices) == 0 {
			t.Errorf("%q: %d suggestions", tt.typed, len(cb.Choices))
		}
		if tt.first != "" && (len(cb.Choices) == 0 || cb.Choices[0].Name != tt.first || cb.Choices[0].Value != tt.first) {
			t.Errorf("%q: suggestions %+v, want %q first", tt.typed, cb.Choices, tt.first)
		}
	}
	// Autocomplete requests are not questions: no answer, no question metric.
	if n := len(srv.BotMessages("")); n != 0 {
		t.Errorf("%d messages posted", n)
	}
}

// TestFollowUpAfterRestart: a Follow up button pressed after the bot
// restarted opens the thread (its id carries what it needs), and the new
// bot answers in a thread the old one opened (GUILD_CREATE lists it).
func TestFollowUpAfterRestart(t *testing.T) {
	first := startBot(t, setup{})
	srv := first.srv
	in := first.ask(userID(250), "What is Jimeng?", false)
	id := buttonOf(finalEdit(t, in).Raw, "Follow up")
	orig, _ := in.Original()
	// A thread opened before the restart, on a reply to a mention.
	q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(251), Content: srv.BotMention() + " What is Doubao?"})
	a := first.replyTo(t, generalChannel, q.ID)
	click := srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: buttonOf(sentBody(t, srv, a.ID), "Follow up"), MessageID: a.ID, UserID: userID(252)})
	callback(t, click)

	first.stop()
	if err := <-first.done; err != nil {
		t.Fatalf("first bot: %v", err)
	}
	first.done <- nil // for its clean-up
	second := startBot(t, setup{server: srv})

	press := srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: id, MessageID: orig.ID, UserID: userID(253)})
	if cb := callback(t, press); !strings.Contains(cb.Data.Content, "<#"+orig.ID+">") {
		t.Errorf("the button after a restart answered %+v", cb.Data)
	}
	if th, err := srv.WaitThread(testContext(t), orig.ID); err != nil || th.Name != "What is Jimeng?" {
		t.Errorf("thread %+v: %v", th, err)
	}
	m := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(254), ChannelID: a.ID, Content: "and its international version?"})
	r := second.replyTo(t, a.ID, m.ID)
	if titleOf(r) != "Answering: What about Doubao's international version?" || !strings.Contains(embedText(r.Embeds[0]), "Cici") {
		t.Errorf("in the old thread: %q: %s", titleOf(r), embedText(r.Embeds[0]))
	}
}
