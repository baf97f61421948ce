package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/internal/cli"
)

// TestAskHistory checks `ask --history`: a follow-up answered as its
// stand-alone question, in text and in JSON, and a question that stands on
// its own answered as itself.
func TestAskHistory(t *testing.T) {
	t.Parallel()
	type out struct {
		Question   string `json:"question"`
		Standalone string `json:"standalone_question"`
		Answered   bool   `json:"answered"`
		Citations  []struct {
			FactID string `json:"fact_id"`
		} `json:"citations"`
	}
	tests := []struct {
		name     string
		args     []string
		want     out
		wantFact string
	}{
		{"follow-up", []string{"ask", "--json", "--history", "How much is ByteDance investing in AI infrastructure?", "and Microsoft?"},
			out{Question: "and Microsoft?", Standalone: "How much is Microsoft investing in AI infrastructure?", Answered: true}, "microsoft-55-7b-fy2024"},
		{"two turns, flags after the question", []string{"ask", "and its international version?", "--history", "What is Doubao?", "--history", "How many users does it have?", "--json"},
			out{Question: "and its international version?", Standalone: "What about Doubao's international version?", Answered: true}, "cici-international-doubao"},
		{"stands on its own", []string{"ask", "--json", "--history", "What is Doubao?", "How much did Microsoft spend on AI in its last fiscal year?"},
			out{Question: "How much did Microsoft spend on AI in its last fiscal year?", Standalone: "How much did Microsoft spend on AI in its last fiscal year?", Answered: true}, "microsoft-55-7b-fy2024"},
		{"no history", []string{"ask", "--json", "and Microsoft?"},
			out{Question: "and Microsoft?", Standalone: "and Microsoft?", Answered: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := run(t, nil, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var got out
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("not one JSON object: %v\n%s", err, stdout)
			}
			if got.Question != tt.want.Question || got.Standalone != tt.want.Standalone || got.Answered != tt.want.Answered {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if tt.wantFact != "" && (len(got.Citations) == 0 || !strings.Contains(stdout, tt.wantFact)) {
				t.Errorf("%s not cited:\n%s", tt.wantFact, stdout)
			}
		})
	}
	// Text: the question answered comes first.
	code, stdout, stderr := run(t, nil, "ask", "--history", "How much is ByteDance investing in AI?", "why?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "Answering: Why is ByteDance investing in AI?\n") {
		t.Errorf("text answer starts %q", stdout[:min(len(stdout), 80)])
	}
	// An empty earlier question is a usage error.
	if code, _, stderr := run(t, nil, "ask", "--history", " ", "why?"); code != cli.ExitUsage || !strings.Contains(stderr, "--history") {
		t.Errorf("empty --history: exit %d, %s", code, stderr)
	}
}
