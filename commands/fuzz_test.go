package commands

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/answer"
)

// FuzzSplitText: pieces fit, are never empty, and lose nothing but white
// space.
func FuzzSplitText(f *testing.F) {
	f.Add("Fact one [1]. Fact two [2].\n\nAnother paragraph.", 14)
	f.Add("字节跳动计划投资。它很大。", 5)
	f.Add(strings.Repeat("word ", 100), 7)
	f.Add("a\n\n\n\nb", 1)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 1 || max > 5000 || !utf8.ValidString(s) {
			return
		}
		pieces := SplitText(s, max)
		var joined strings.Builder
		for _, p := range pieces {
			if p == "" || runes(p) > max {
				t.Fatalf("piece %q (%d characters, max %d)", p, runes(p), max)
			}
			joined.WriteString(p)
		}
		strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if strip(joined.String()) != strip(s) {
			t.Fatalf("pieces %q do not give back %q", pieces, s)
		}
	})
}

// FuzzRenderAnswer: whatever the text, question, note and number of
// citations, every message fits Discord's limits.
func FuzzRenderAnswer(f *testing.F) {
	f.Add("How much?", "More than $10 billion [1].", "", "the FT", 1)
	f.Add(strings.Repeat("q", 600), strings.Repeat("long answer [1]. ", 700), strings.Repeat("n", 2000), strings.Repeat("a", 1500), 40)
	f.Fuzz(func(t *testing.T, question, text, note, attribution string, n int) {
		if n < 0 || n > 200 {
			return
		}
		a := answer.Answer{Question: question, Text: text, Note: note, Answered: n > 0, Citations: citations(n, attribution)}
		msgs := RenderAnswer(a)
		if len(msgs) == 0 {
			t.Fatal("no messages")
		}
		for i, m := range msgs {
			if err := m.Validate(); err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
		}
	})
}
