package answer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
)

// closeQ comes close to the facts without the extractive decision
// answering it: the sources say ByteDance is the largest buyer of H20
// chips, not how many it bought.
const closeQ = "How many H20 chips did ByteDance buy?"

// TestLLMDecidesOnCloseFacts: with an LLM configured, facts the extractive
// gate finds too far to answer with still reach the LLM, which may answer
// from them (verified like any answer) or say the sources don't cover the
// question — shown as such, with the closest facts.
func TestLLMDecidesOnCloseFacts(t *testing.T) {
	checkLeaks(t)
	ix := defaultIndex(t)
	extractive, err := answer.NewEngine(ix, answer.Options{}).Ask(context.Background(), closeQ, nil)
	if err != nil {
		t.Fatal(err)
	}
	if extractive.Answered || len(extractive.Closest) == 0 {
		t.Fatalf("extractive answer: answered %v, %d closest facts; the test needs a question the gate refuses with closest facts", extractive.Answered, len(extractive.Closest))
	}
	cases := []struct {
		name         string
		reply        llmtest.Handler
		wantAnswered bool
		wantMode     answer.Mode
	}{
		{"the LLM answers from the close facts", grounded(t), true, answer.ModeLLM},
		{"the LLM says not covered", llmtest.Reply("My sources don't cover that."), false, answer.ModeExtractive},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := newLLMEnv(t, ix, nil, c.reply, nil)
			a, err := env.eng.Ask(context.Background(), closeQ, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(env.srv.ChatRequests()); n == 0 {
				t.Fatal("the LLM was not asked")
			}
			if a.Answered != c.wantAnswered || a.Mode != c.wantMode {
				t.Fatalf("answered %v, mode %s, text %q; want answered %v, mode %s", a.Answered, a.Mode, a.Text, c.wantAnswered, c.wantMode)
			}
			if c.wantAnswered {
				if len(a.Citations) == 0 || a.Verification == nil || len(a.Verification.Problems) != 0 {
					t.Errorf("citations %v, verification %+v; want a verified, cited answer", a.Citations, a.Verification)
				}
				return
			}
			if !strings.HasPrefix(a.Text, answer.NotCovered) || len(a.Closest) == 0 || len(a.Citations) != 0 {
				t.Errorf("text %q, %d closest, %d citations; want 'not covered' with the closest facts and no citations", a.Text, len(a.Closest), len(a.Citations))
			}
		})
	}
}
