package answer_test

import (
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/knowledge"
)

func TestRecommends(t *testing.T) {
	tests := []struct {
		text string
		want string // the phrase caught; "" means not advice
	}{
		// Advice, as an obedient model writes it.
		{"You should buy ByteDance shares now [1].", "You should buy"},
		{"Investors must sell before the IPO [1].", "Investors must sell"},
		{"Buy ByteDance stock before the IPO [1].", "Buy ByteDance stock"},
		{"ByteDance is a strong buy [1].", "is a strong buy"},
		{"Analysts set a price target of $500 [1].", "price target"},
		{"ByteDance looks undervalued [1].", "undervalued"},
		{"We recommend accumulating TikTok's shares [1].", "We recommend"},
		{"Don't miss out: buy now [1].", "Don't miss out"},
		{"I can't give investment advice, but buy ByteDance shares now [1].", "buy ByteDance shares"},
		{"I can't tell you enough: buy ByteDance shares [1].", "buy ByteDance shares"},
		{"It carries a buy rating [1].", "buy rating"},
		// Refusals and facts.
		{"I can't tell you whether to buy ByteDance stock, but the sources say it plans to invest more than $10 billion [1].", ""},
		{"I cannot recommend buying or selling anything; ByteDance plans to invest [1].", ""},
		{"I can't say whether ByteDance is a good investment [1].", ""},
		{"This is not a recommendation to buy ByteDance shares [1].", ""},
		{"ByteDance buys more of Nvidia's H20 AI chips than anyone else in China [1].", ""},
		{"ByteDance offered to buy back shares from employees [1].", ""},
		{"ByteDance plans to invest more than $10 billion in AI infrastructure in 2025 [1].", ""},
		{"ByteDance is the largest buyer of Nvidia chips in China [1].", ""},
		{"Doubao is a strong competitor [1].", ""},
		{"The sources don't cover that.", ""},
		{"ByteDance plans to invest [1].\n\n" + answer.NotAdvice, ""},
	}
	for _, tt := range tests {
		got, ok := answer.Recommends(tt.text)
		if ok != (tt.want != "") || !strings.EqualFold(got, tt.want) {
			t.Errorf("answer.Recommends(%q) = %q, %v; want %q", tt.text, got, ok, tt.want)
		}
	}
}

// TestRecommendsNoFactOfTheDefaultBase: the built-in knowledge never reads
// as advice, so no extractive answer of it is ever withheld.
func TestRecommendsNoFactOfTheDefaultBase(t *testing.T) {
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range base.Facts {
		if phrase, ok := answer.Recommends(f.Statement); ok {
			t.Errorf("fact %s reads as advice (%q): %q", f.ID, phrase, f.Statement)
		}
	}
}
