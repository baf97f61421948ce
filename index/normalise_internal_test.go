package index

import (
	"testing"

	"github.com/bytewatch/bytewatch/knowledge"
)

func TestResolveRelativeTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q    string
		asOf knowledge.Date
		want string
	}{
		{"What did Alphabet spend last year?", knowledge.Date{Year: 2025, Month: 1}, "What did Alphabet spend 2024?"},
		{"plans for this year", knowledge.Date{Year: 2025}, "plans for 2025"},
		{"next year", knowledge.Date{Year: 2025}, "2026"},
		{"What happened last December?", knowledge.Date{Year: 2025, Month: 1}, "What happened December 2024?"},
		{"What happened last March?", knowledge.Date{Year: 2025, Month: 6}, "What happened March 2025?"},
		{"What happened last June?", knowledge.Date{Year: 2025, Month: 6}, "What happened June 2024?"},
		{"What happened last March?", knowledge.Date{Year: 2025}, "What happened March 2024?"},
		{"last year", knowledge.Date{}, "last year"},
	}
	for _, tt := range tests {
		if got := resolveRelativeTime(tt.q, tt.asOf); got != tt.want {
			t.Errorf("resolveRelativeTime(%q, %s) = %q, want %q", tt.q, tt.asOf, got, tt.want)
		}
	}
}

// TestForeignScript: words of scripts with no everyday frequencies are
// told apart from Latin words and from scripts split letter by letter.
func TestForeignScript(t *testing.T) {
	t.Parallel()
	for w, want := range map[string]bool{"얼마야": true, "カイロ": true, "привет": true, "much": false, "doubao": false, "豆包": false, "2025": false, "café": false} {
		if got := foreignScript(w); got != want {
			t.Errorf("foreignScript(%q) = %v, want %v", w, got, want)
		}
	}
}

// TestCapitalised: a word capitalised inside a sentence is marked; the
// first word of a sentence and words in capitals throughout are not.
func TestCapitalised(t *testing.T) {
	t.Parallel()
	an, err := newAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	text := "Tell me about plans for a Mars colony. Does it use AI? And Kairo"
	terms, spans := an.termSpans(text)
	got := capitalised(text, terms, spans)
	for _, w := range []string{"mar", "kairo"} {
		if !got[w] {
			t.Errorf("%q not marked capitalised in %v", w, got)
		}
	}
	for _, w := range []string{"tell", "doe", "ai", "plan"} {
		if got[w] {
			t.Errorf("%q marked capitalised", w)
		}
	}
}
