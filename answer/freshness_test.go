package answer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/knowledge"
)

func TestStaleAnswersSayHowOldTheirNewestSourceIs(t *testing.T) {
	t.Parallel()
	def, err := knowledge.Default() // facts as of January 2025
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d int) func() time.Time {
		return func() time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	}
	tests := []struct {
		name     string
		q        string
		stale    time.Duration
		now      func() time.Time
		wantNote string // "" for no note
	}{
		{"fresh", "Who owns TikTok?", 180 * 24 * time.Hour, at(2025, 3, 1), ""},
		{"months old", "Who owns TikTok?", 180 * 24 * time.Hour, at(2025, 9, 15), "The newest source of this answer is from January 2025, 7 months ago"},
		{"years old", "Who owns TikTok?", 180 * 24 * time.Hour, at(2027, 6, 1), "from January 2025, 2 years ago"},
		{"off", "Who owns TikTok?", 0, at(2027, 6, 1), ""},
		{"not covered", "What is the weather in Paris?", 180 * 24 * time.Hour, at(2027, 6, 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := askBase(t, def, tt.q, answer.Options{StaleAfter: tt.stale, Now: tt.now})
			if tt.wantNote == "" && a.Stale != "" || !strings.Contains(a.Stale, tt.wantNote) {
				t.Errorf("stale %q, want %q (answer %q)", a.Stale, tt.wantNote, a.Text)
			}
			if j := answer.JSONOf(a); j.Stale != a.Stale {
				t.Errorf("JSON stale %q", j.Stale)
			}
		})
	}
}
