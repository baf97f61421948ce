package commands

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitText(t *testing.T) {
	long := func(word string, n int) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	tests := []struct {
		name string
		in   string
		max  int
		want []string // nil: only check the invariants
	}{
		{"empty", "", 10, []string{}},
		{"blank", "  \n ", 10, []string{}},
		{"fits", "short text", 10, []string{"short text"}},
		{"fits exactly", "0123456789", 10, []string{"0123456789"}},
		{"paragraphs first", "aaaa bbbb.\n\ncccc dddd", 15, []string{"aaaa bbbb.", "cccc dddd"}},
		{"lines before sentences", "aaa. bbb\nccc ddd", 12, []string{"aaa. bbb", "ccc ddd"}},
		{"sentences keep their full stop", "One two. Three four.", 12, []string{"One two.", "Three four."}},
		{"words", "alpha beta gamma delta", 11, []string{"alpha beta", "gamma delta"}},
		{"space right after the limit", "abcde fghij", 5, []string{"abcde", "fghij"}},
		{"hard cut inside a word", "abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"multi-byte characters count once", "ééééé ééééé", 5, []string{"ééééé", "ééééé"}},
		{"Chinese sentences", "投资很大。它很大。", 6, []string{"投资很大。", "它很大。"}},
		{"citation markers stay whole", "Fact one [1]. Fact two [2].", 14, []string{"Fact one [1].", "Fact two [2]."}},
		{"long text", long("word", 3000), 4096, nil},
		{"long text tiny limit", long("ab", 50), 7, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitText(tt.in, tt.max)
			for i, p := range got {
				if n := utf8.RuneCountInString(p); n > tt.max || n == 0 {
					t.Errorf("piece %d has %d characters (max %d): %q", i, n, tt.max, p)
				}
				if p != strings.TrimSpace(p) {
					t.Errorf("piece %d is not trimmed: %q", i, p)
				}
			}
			if strings.Join(strings.Fields(strings.Join(got, " ")), "") != strings.Join(strings.Fields(tt.in), "") {
				t.Errorf("pieces do not give back the text's words: %q", got)
			}
			if tt.want == nil {
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("SplitText(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("piece %d = %q; want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSplitTextNeverLosesCharacters(t *testing.T) {
	in := strings.Repeat("abcdefghij", 100) // no break at all
	got := SplitText(in, 64)
	if strings.Join(got, "") != in {
		t.Errorf("hard-cut pieces do not join back to the text")
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello!", 5, "hell…"},
		{"héllo wörld", 6, "héllo…"},
		{"anything", 0, ""},
		{"ab", 1, "…"},
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.max); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(Truncate(tt.in, tt.max)); n > tt.max {
			t.Errorf("Truncate(%q, %d) has %d characters", tt.in, tt.max, n)
		}
	}
}

func TestWithoutMentions(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<@900> How much?", "How much?"},
		{"How much <@!900>?", "How much ?"},
		{"@everyone @here <@&12> <#34> <@56> what about chips", "what about chips"},
		{"email me@everyone.com", "email me@everyone.com"},
		{"<@900>", ""},
		{"no mentions at all", "no mentions at all"},
		{"<@abc> is not a mention", "<@abc> is not a mention"},
	}
	for _, tt := range tests {
		if got := WithoutMentions(tt.in); got != tt.want {
			t.Errorf("WithoutMentions(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
