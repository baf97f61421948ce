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
