package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// hostileMarkup is what a hostile asker or a misled LLM writes to ping
// people, format the answer or disguise a link.
const hostileMarkup = "@everyone @here <@&123456789012345678> <@700000000000000999> # Heading ```code``` ||spoiler|| **bold** [click](https://evil.example) <https://evil.example>"

// maxLogLine bounds any log line, at any level: a 10,000-character
// question must not make a 10,000-character line.
const maxLogLine = 2048

// TestHostileQuestions asks with mentions, markdown, masked links, control
// characters and 10 kB messages, through /ask, /sources, mentions and an
// answer channel: nobody is pinged, nothing echoed is formatted, every
// question gets a clear reply, and the log — at debug level — stays small.
func TestHostileQuestions(t *testing.T) {
	t.Parallel()
	f := startBot(t, setup{logLevel: slog.LevelDebug})
	srv := f.srv
	long := strings.Repeat("How much is ByteDance investing? ", 310) // 10,230 characters
	tooLong := commands.UserMessage(answer.ErrQuestionTooLong)

	t.Run("group", func(t *testing.T) {
		t.Run("markup in /ask is echoed as text", func(t *testing.T) {
			t.Parallel()
			in := f.ask(userID(200), hostileMarkup+" "+coveredQuestion, false)
			title := finalEdit(t, in).Embeds[0].Title
			checkEscapedTitle(t, title)
		})

		t.Run("markup in a mention is echoed as text and pings nobody", func(t *testing.T) {
			t.Parallel()
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(201), Content: srv.BotMention() + " " + hostileMarkup + " " + coveredQuestion})
			r := f.replyTo(t, generalChannel, q.ID)
			checkEscapedTitle(t, r.Embeds[0].Title)
			if r.MentionEveryone || len(r.Mentions) != 0 || len(r.MentionRoles) != 0 {
				t.Errorf("the reply pinged: everyone %v users %v roles %v", r.MentionEveryone, r.Mentions, r.MentionRoles)
			}
		})

		t.Run("markup and control characters in /sources", func(t *testing.T) {
			t.Parallel()
			in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "sources", UserID: userID(202),
				Options: []discordtest.CommandOption{{Name: "query", Value: "**Who** owns\x00 TikTok\x1b[31m ||now|| [x](https://evil.example)"}}})
			title := finalEdit(t, in).Embeds[0].Title
			if strings.Contains(title, "](") || !strings.Contains(title, `\*\*Who\*\*`) || strings.IndexFunc(title, unicode.IsControl) >= 0 {
				t.Errorf("/sources title %q", title)
			}
		})

		t.Run("control characters in /ask", func(t *testing.T) {
			t.Parallel()
			in := f.ask(userID(203), "How much\x00 is ByteDance\x07 investing\x1b[31m in AI\u200b infrastructure?\r\n\t", false)
			e := finalEdit(t, in).Embeds[0]
			checkAnswerEmbed(t, e, f.ix)
			if strings.IndexFunc(e.Title, unicode.IsControl) >= 0 {
				t.Errorf("title %q has control characters", e.Title)
			}
		})

		t.Run("a mention of nothing but control characters", func(t *testing.T) {
			t.Parallel()
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(204), Content: srv.BotMention() + " \x00\x01\x1b\u200b"})
			if r := f.replyTo(t, generalChannel, q.ID); r.Content != commands.UserMessage(answer.ErrEmptyQuestion) {
				t.Errorf("reply %q", r.Content)
			}
			f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": q.ID, "outcome": "invalid", "reason": "empty"})
		})

		t.Run("a 10 kB mention", func(t *testing.T) {
			t.Parallel()
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(205), Content: srv.BotMention() + " " + long})
			if r := f.replyTo(t, generalChannel, q.ID); r.Content != tooLong {
				t.Errorf("reply %q; want %q", r.Content, tooLong)
			}
			f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": q.ID, "outcome": "invalid", "reason": "too_long", "question_chars": fmt.Sprint(len(long) - 1)})
		})

		t.Run("a 10 kB question in an answer channel", func(t *testing.T) {
			t.Parallel()
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(206), ChannelID: answerChannel, Content: long + "?"})
			if r := f.replyTo(t, answerChannel, q.ID); r.Content != tooLong {
				t.Errorf("reply %q; want %q", r.Content, tooLong)
			}
			f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": q.ID, "entry": "answer_channel", "outcome": "invalid"})
		})

		t.Run("a 10 kB /ask, past Discord's own 500", func(t *testing.T) {
			t.Parallel()
			in := f.ask(userID(207), long, false)
			if _, err := in.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool { return m.Content == tooLong }); err != nil {
				t.Fatalf("no clear reply: %v; edits %+v", err, in.OriginalEdits())
			}
			f.logs.Wait(t, map[string]string{"msg": "command", "interaction_id": in.ID, "outcome": "invalid", "reason": "too_long"})
		})
	})

	checkNoMentionsOnTheWire(t, srv)
	logs := f.logs.String()
	for i, line := range strings.Split(logs, "\n") {
		if len(line) > maxLogLine {
			t.Errorf("log line %d has %d bytes (max %d): %.200s…", i, len(line), maxLogLine, line)
		}
	}
	if !strings.Contains(logs, `"level":"DEBUG"`) {
		t.Error("no debug lines: the test means to check them too")
	}
	if strings.Contains(logs, srv.Token()) {
		t.Error("the bot token is in the logs")
	}
}

// checkEscapedTitle checks that an answer's title shows hostileMarkup as
// text: no masked link, no formatting.
func checkEscapedTitle(t *testing.T, title string) {
	t.Helper()
	for _, want := range []string{`\# Heading`, "\\`\\`\\`code\\`\\`\\`", `\|\|spoiler\|\|`, `\*\*bold\*\*`, `[click]\(https://evil.example)`} {
		if !strings.Contains(title, want) {
			t.Errorf("title %q lacks %q", title, want)
		}
	}
	if strings.Contains(title, "](") || strings.Contains(title, "@everyone") || strings.Contains(title, "<@&") {
		t.Errorf("title %q keeps a link or a mention", title)
	}
}

// hostileLLM stands for an LLM whose answer carries links, mentions and
// markdown the verifier has no reason to reject: it streams them, then
// answers with them around the real answer's text once shown is closed
// (the test has seen them streamed).
type hostileLLM struct {
	commands.Answerer
	shown <-chan struct{}
}

// hostileAnswer is what the hostile LLM adds in front of the answer.
const hostileAnswer = "@everyone <@&123456789012345678> Read [the report](https://evil.example/phish) [1] ||hidden|| and [1](https://evil.example/cite).\n# Buy\n> quoted\n```js\nalert(1)\n```\n"

func (h hostileLLM) Ask(ctx context.Context, q string, onPartial func(string)) (answer.Answer, error) {
	a, err := h.Answerer.Ask(ctx, q, nil)
	if err != nil {
		return a, err
	}
	if onPartial != nil { // messages are answered whole
		for _, p := range []string{hostileAnswer[:40], hostileAnswer[:90], hostileAnswer} {
			onPartial(p)
		}
		select {
		case <-h.shown:
		case <-ctx.Done():
			return answer.Answer{}, ctx.Err()
		}
	}
	a.Mode, a.Model = answer.ModeLLM, "fake-model"
	a.Text = hostileAnswer + a.Text
	return a, nil
}

// TestHostileLLMOutput: what an LLM writes is shown as text — in the
// streamed partials, the final embed and a reply to a mention: no masked
// link renders (their addresses show), no markdown formats, nobody is
// pinged, and the [n] markers stay as they are.
func TestHostileLLMOutput(t *testing.T) {
	t.Parallel()
	shown := make(chan struct{})
	f := startBot(t, setup{
		answerer: func(e *answer.Engine) commands.Answerer { return hostileLLM{Answerer: e, shown: shown} },
		options:  func(o *bot.Options) { o.StreamInterval = 50 * time.Millisecond },
	})
	in := f.ask(userID(210), coveredQuestion, false)
	// The answer waits until the streamed text has been shown.
	if _, err := in.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool { return strings.Contains(m.Content, "evil.example") }); err != nil {
		t.Fatalf("no streamed edit showed the LLM's text: %v; edits %+v", err, in.OriginalEdits())
	}
	close(shown)
	final := finalEdit(t, in)
	q := f.srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(211), Content: f.srv.BotMention() + " " + coveredQuestion})
	reply := f.replyTo(t, generalChannel, q.ID)

	streamed := 0
	for _, e := range in.OriginalEdits() {
		if strings.Contains(e.Content, "evil.example") {
			streamed++
		}
		if strings.Contains(e.Content, "](") {
			t.Errorf("a streamed edit shows a masked link: %q", e.Content)
		}
	}
	if streamed == 0 {
		t.Errorf("no streamed edit showed the LLM's text; edits %+v", in.OriginalEdits())
	}
	for name, d := range map[string]string{"/ask": final.Embeds[0].Description, "the mention's reply": reply.Embeds[0].Description} {
		for _, want := range []string{`[the report]\(https://evil.example/phish) [1]`, `[1]\(https://evil.example/cite)`, `\|\|hidden\|\|`,
			"\n\\# Buy\n\\> quoted\n\\`\\`\\`js", "[1]", "$12 billion"} {
			if !strings.Contains(d, want) {
				t.Errorf("%s: description lacks %q:\n%s", name, want, d)
			}
		}
		if strings.Contains(d, "](") {
			t.Errorf("%s: description keeps a masked link:\n%s", name, d)
		}
	}
	if orig, _ := in.Original(); orig.MentionEveryone || len(orig.MentionRoles) != 0 {
		t.Error("the answer pinged")
	}
	if reply.MentionEveryone || len(reply.MentionRoles) != 0 || len(reply.Mentions) != 0 {
		t.Error("the reply pinged")
	}
	checkNoMentionsOnTheWire(t, f.srv)
}
