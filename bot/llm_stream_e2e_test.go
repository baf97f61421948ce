package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// TestLLMStreamingEveryEdit asks /ask through the loopback Discord with an
// LLM behind the engine and checks every edit of the answer message while
// it streams, not only the last: each streamed edit is whole sentences that
// pass verification against the sources the prompt gave, and grows the one
// before; nothing of a story, an unsupported claim or a refusal is ever
// shown; the final edit is the answer Ask returned.
func TestLLMStreamingEveryEdit(t *testing.T) {
	t.Parallel()
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(context.Background(), base, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	want, err := answer.NewEngine(ix, answer.Options{}).Ask(context.Background(), coveredQuestion, nil)
	if err != nil || !want.Answered {
		t.Fatalf("the extractive answer: %v, answered %v", err, want.Answered)
	}
	sources := map[int]knowledge.Fact{}
	var statements []string
	for _, c := range want.Citations {
		f, _ := base.Fact(c.FactID)
		sources[c.N] = f
		statements = append(statements, "According to "+f.Attribution+", "+lowerFirst(strings.TrimSuffix(f.Statement, "."))+" ["+itoa(c.N)+"].")
	}
	groundedText := strings.Join(statements, " ")
	slow := llmtest.Delay(15 * time.Millisecond)

	tests := []struct {
		name       string
		script     []llmtest.Handler
		fallback   llmtest.Handler
		wantMode   answer.Mode
		minStreams int // streamed edits at least
		never      []string
	}{
		{name: "grounded", fallback: llmtest.Reply(groundedText, slow), wantMode: answer.ModeLLM, minStreams: 1},
		{name: "story without citations", fallback: llmtest.Reply(llmtest.Story, slow), wantMode: answer.ModeExtractive, never: []string{"Lily", "ball"}},
		{name: "story citing [1]", fallback: llmtest.Reply(llmtest.Citing(llmtest.Story, 1), slow), wantMode: answer.ModeExtractive, never: []string{"Lily", "ball"}},
		{
			name:     "one unsupported sentence, then repaired",
			script:   []llmtest.Handler{llmtest.Reply(statements[0]+" Doubao is ByteDance's most profitable app [1]. "+strings.Join(statements[1:], " "), slow)},
			fallback: llmtest.Reply(groundedText, slow), wantMode: answer.ModeLLM, minStreams: 1,
			never: []string{"profitable"},
		},
		{name: "off-topic not covered", fallback: llmtest.Reply(llmtest.OffTopicNotCovered, slow), wantMode: answer.ModeExtractive, never: []string{"Lily"}},
		{name: "not covered, overruled", fallback: llmtest.Reply("The sources don't cover that.", slow), wantMode: answer.ModeExtractive, never: []string{"cover"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, tt.fallback)
			srv.Script(tt.script...)
			client, err := llm.New(llm.Config{BaseURL: srv.URL, Model: llmtest.DefaultModel, HTTPClient: srv.Client(), Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			eng := answer.NewEngine(ix, answer.Options{LLM: client})
			answers := make(chan answer.Answer, 1)
			f := startBot(t, setup{
				answerer: func(*answer.Engine) commands.Answerer { return recordingAnswerer{Engine: eng, answers: answers} },
				options:  func(o *bot.Options) { o.StreamInterval = 20 * time.Millisecond },
			})
			in := f.ask(userID(900+i), coveredQuestion, false)
			last := finalEdit(t, in)
			final := <-answers
			if final.Mode != tt.wantMode {
				t.Errorf("mode %q; want %q (problems %q)", final.Mode, tt.wantMode, final.Verification.Problems)
			}
			if d := last.Embeds[0].Description; !strings.Contains(unescape(d), strings.SplitN(final.Text, " [", 2)[0]) {
				t.Errorf("final edit %q does not show the answer %q", d, final.Text)
			}
			streamed := 0
			prev := ""
			for k, e := range in.OriginalEdits() {
				if len(e.Embeds) > 0 || e.Content == commands.ProgressSearching {
					continue
				}
				streamed++
				text := unescape(e.Content)
				if r := answer.Verify(text, sources); !r.OK() {
					t.Errorf("edit %d showed %q, which fails verification: %q", k, text, r.Problems)
				}
				if !strings.HasPrefix(text, prev) {
					t.Errorf("edit %d %q does not extend the edit before %q", k, text, prev)
				}
				prev = text
				for _, bad := range tt.never {
					if strings.Contains(text, bad) {
						t.Errorf("edit %d showed %q: %q", k, bad, text)
					}
				}
			}
			if streamed < tt.minStreams {
				t.Errorf("%d streamed edits; want at least %d", streamed, tt.minStreams)
			}
			if tt.minStreams == 0 && streamed != 0 {
				t.Errorf("%d streamed edits; want none", streamed)
			}
		})
	}
}

// recordingAnswerer passes on each answer Ask returned.
type recordingAnswerer struct {
	*answer.Engine
	answers chan<- answer.Answer
}

func (r recordingAnswerer) Ask(ctx context.Context, q string, onPartial func(string)) (answer.Answer, error) {
	a, err := r.Engine.Ask(ctx, q, onPartial)
	r.answers <- a
	return a, err
}

var markdownEscape = regexp.MustCompile(`\\([\\` + "`" + `*_~|>\[\]()#.\-+!:])`)

// unescape undoes commands.EscapeMarkdown, to verify what was shown.
func unescape(s string) string { return markdownEscape.ReplaceAllString(s, "$1") }

func lowerFirst(s string) string {
	if w, _, _ := strings.Cut(s, " "); w == "The" || w == "Its" {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

func itoa(n int) string { return string(rune('0' + n)) }
