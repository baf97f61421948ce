package answer_test

import (
	"context"
	"slices"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/knowledge"
)

// TestKnowledgeQuestionsAnswered: the questions a knowledge file says a
// fact answers are what /ask suggests as people type, so each must be
// answered, citing that fact.
func TestKnowledgeQuestionsAnswered(t *testing.T) {
	t.Parallel()
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	eng := answer.NewEngine(defaultIndex(t), answer.Options{})
	n := 0
	for _, f := range base.Facts {
		for _, q := range f.Questions {
			n++
			a, err := eng.Ask(context.Background(), q, nil)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if !a.Answered || !slices.ContainsFunc(a.Citations, func(c answer.Citation) bool { return c.FactID == f.ID }) {
				t.Errorf("%s: the suggested question %q is not answered with the fact: %s", f.ID, q, a.Text)
			}
		}
	}
	if n < len(base.Facts) {
		t.Errorf("%d questions for %d facts: every fact should say what it answers", n, len(base.Facts))
	}
}
