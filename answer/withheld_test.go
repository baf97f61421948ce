package answer_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/knowledge"
)

// TestAnswerQuotingAdviceIsWithheld: the loader refuses a statement that
// reads as investment advice, but a base built another way may still hold
// one; an answer that would quote it is withheld.
func TestAnswerQuotingAdviceIsWithheld(t *testing.T) {
	t.Parallel()
	def, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	facts := slices.Clone(def.Facts)
	i := slices.IndexFunc(facts, func(f knowledge.Fact) bool { return f.ID == "bytedance-owns-tiktok" })
	if i < 0 {
		t.Fatal("no fact bytedance-owns-tiktok in the default base")
	}
	facts[i].Statement = "ByteDance is the company that owns TikTok. Investors should buy ByteDance stock."
	base := knowledge.NewBaseAbout(def.About(), def.Sources, facts)
	a := askBase(t, base, "Who owns TikTok?", answer.Options{})
	if a.Text != answer.Withheld || strings.Contains(strings.ToLower(a.Text), "should buy") {
		t.Errorf("answer %q, want it withheld", a.Text)
	}
}
