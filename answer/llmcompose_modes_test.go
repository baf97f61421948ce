package answer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
)

// TestComposeLLMModes runs the test server's misbehaving models through
// Ask and checks, for each, what the streaming callback received and what
// the final answer shows.
func TestComposeLLMModes(t *testing.T) {
	ix := defaultIndex(t)
	promptWordsFor := func(n int) int { w, _ := answer.PromptSize(ix, investQ, n); return w }
	promptTokensFor := func(n int) int { _, tok := answer.PromptSize(ix, investQ, n); return tok }
	const unsupported = "Doubao is ByteDance's most profitable app [1]."
	tests := []struct {
		name     string
		script   []llmtest.Handler
		fallback llmtest.Handler
		srvOpts  []llmtest.Option
		check    bool // call ReadLimits first
		// wants
		mode     answer.Mode
		note     string
		problems []string // substrings, in order
		partials func(t *testing.T, seen []string, a answer.Answer)
		calls    int
	}{
		{
			name:     "a fluent story without citations",
			fallback: llmtest.Reply(llmtest.Story),
			mode:     answer.ModeExtractive, note: answer.NoteUnverified, calls: 2,
			problems: []string{"the answer cites no source", "repair: the answer cites no source"},
			partials: noPartials,
		},
		{
			name:     "story sentences each citing [1]",
			fallback: llmtest.Reply(llmtest.Citing(llmtest.Story, 1)),
			mode:     answer.ModeExtractive, note: answer.NoteUnverified, calls: 2,
			problems: []string{`sentence 1: "Lily" is not named in [1]`},
			partials: noPartials,
		},
		{
			name: "a correct answer with one unsupported sentence",
			script: []llmtest.Handler{fromPrompt(t, func(s []shownSource) string {
				g := groundedFrom(s)
				first, rest, _ := strings.Cut(g, "]. ")
				return first + "]. " + unsupported + " " + rest
			})},
			fallback: grounded(t),
			mode:     answer.ModeLLM, calls: 2,
			problems: []string{`sentence 2: "Doubao" is not named in [1]`, `"profitable"`},
			partials: func(t *testing.T, seen []string, a answer.Answer) {
				// The first sentence passed and was shown; the unsupported one
				// never was; the repair rewrote from the start, so nothing more
				// until the final answer.
				if len(seen) == 0 || !strings.HasPrefix(a.Text, seen[0]) {
					t.Errorf("partials %q; want the first sentence, then the answer", seen)
				}
			},
		},
		{
			name:     "an off-topic 'not covered'",
			fallback: llmtest.Reply(llmtest.OffTopicNotCovered),
			mode:     answer.ModeExtractive, note: answer.NoteUnverified, calls: 2,
			problems: []string{"the answer cites no source", "repair: the answer cites no source"},
			partials: noPartials,
		},
		{
			name:     "a model saying not covered to a question the facts answer",
			fallback: llmtest.Reply("The sources don't cover that."),
			mode:     answer.ModeExtractive, note: answer.NoteNotCoveredOverruled, calls: 1,
			problems: []string{"said the sources don't cover the question, but the facts answer it"},
			partials: noPartials,
		},
		{
			name:     "prompt too big: llama.cpp's error event, then fewer sources",
			fallback: llmtest.PromptTooBig(promptWordsFor(1)+60, grounded(t)),
			mode:     answer.ModeLLM, calls: 2,
			problems: []string{"the prompt did not fit the model's context; sent 1 of 3 sources instead"},
			partials: func(t *testing.T, seen []string, a answer.Answer) {
				if len(a.Citations) != 1 || a.Citations[0].N != 1 {
					t.Errorf("citations %+v; want [1] alone", a.Citations)
				}
				if len(seen) == 0 || seen[len(seen)-1] != a.Text {
					t.Errorf("partials %q; want them to end with the answer", seen)
				}
			},
		},
		{
			name:     "prompt too big even with one source",
			fallback: llmtest.PromptTooBig(10, grounded(t)),
			mode:     answer.ModeExtractive, note: answer.NoteLLMUnavailable, calls: 2,
			problems: []string{"sent 1 of 3 sources", "prompt too long for the model's context"},
			partials: noPartials,
		},
		{
			name:     "the context size from llama.cpp's /props: fewer sources before any call",
			fallback: grounded(t),
			srvOpts:  []llmtest.Option{llmtest.LlamaCppProps(promptTokensFor(2)+answer.DefaultAnswerTokens+20, 0)},
			check:    true,
			mode:     answer.ModeLLM, calls: 1,
			partials: func(t *testing.T, _ []string, a answer.Answer) {
				if len(a.Citations) == 0 || a.Citations[len(a.Citations)-1].N > 2 {
					t.Errorf("citations %+v; want only [1] and [2], which fit", a.Citations)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			env := newLLMEnv(t, ix, nil, tt.fallback, func(c *llm.Config) { c.MaxRetries = -1 }, tt.srvOpts...)
			env.srv.Script(tt.script...)
			if tt.check {
				c, err := llm.New(llm.Config{BaseURL: env.srv.URL, Model: llmtest.DefaultModel, HTTPClient: env.srv.Client()})
				if err != nil {
					t.Fatal(err)
				}
				if l, err := c.ReadLimits(context.Background()); err != nil || l.ContextTokens == 0 {
					t.Fatalf("ReadLimits = %+v, %v", l, err)
				}
				env.eng = answer.NewEngine(env.ix, answer.Options{LLM: c})
			}
			want, err := env.extractive.Ask(context.Background(), investQ, nil)
			if err != nil {
				t.Fatal(err)
			}
			var seen partials
			a, err := env.eng.Ask(context.Background(), investQ, seen.add)
			if err != nil {
				t.Fatal(err)
			}
			if a.Mode != tt.mode || a.Note != tt.note {
				t.Errorf("mode %q, note %q; want %q, %q", a.Mode, a.Note, tt.mode, tt.note)
			}
			if a.Mode == answer.ModeExtractive && a.Text != want.Text {
				t.Errorf("text %q; want the extractive answer %q", a.Text, want.Text)
			}
			if got := len(env.srv.ChatRequests()); got != tt.calls {
				t.Errorf("%d chat requests; want %d", got, tt.calls)
			}
			j := 0
			for _, p := range a.Verification.Problems {
				if j < len(tt.problems) && strings.Contains(p, tt.problems[j]) {
					j++
				}
			}
			if j < len(tt.problems) {
				t.Errorf("problems %q; want ones containing %q in order", a.Verification.Problems, tt.problems)
			}
			sources := sourcesOf(t, env.ix.Base(), want.Citations)
			final := ""
			if a.Mode == answer.ModeLLM {
				final = a.Text
			}
			checkPartials(t, seen.list(), sources, final)
			for _, p := range seen.list() {
				for _, bad := range []string{"Lily", "Max", "profitable", "cover"} {
					if strings.Contains(p, bad) {
						t.Errorf("partial %q shows %q", p, bad)
					}
				}
			}
			if tt.partials != nil {
				tt.partials(t, seen.list(), a)
			}
		})
	}
}

func noPartials(t *testing.T, seen []string, _ answer.Answer) {
	t.Helper()
	if len(seen) != 0 {
		t.Errorf("partials %q; want none", seen)
	}
}
