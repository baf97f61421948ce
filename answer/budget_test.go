package answer_test

import (
	"context"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/answer/llm"
)

// hangingLLM never answers; it only returns when its context ends.
type hangingLLM struct{}

func (hangingLLM) Stream(ctx context.Context, _ []llm.Message, _ func(string)) (llm.Completion, error) {
	<-ctx.Done()
	return llm.Completion{}, ctx.Err()
}

// TestLLMBudget checks that an LLM that hangs costs an answer no more than
// its budget: the user gets the extractive answer, with a note.
func TestLLMBudget(t *testing.T) {
	t.Parallel()
	const budget = 300 * time.Millisecond
	eng := answer.NewEngine(defaultIndex(t), answer.Options{LLM: hangingLLM{}, LLMBudget: budget})
	start := time.Now()
	a, err := eng.Ask(context.Background(), "How many monthly active users does Doubao have?", nil)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if !a.Answered || a.Mode != answer.ModeExtractive || a.Note == "" || len(a.Citations) == 0 {
		t.Errorf("after a hanging LLM: answered=%v mode=%s note=%q citations=%d", a.Answered, a.Mode, a.Note, len(a.Citations))
	}
	// The bound is the budget plus the time to answer extractively; a
	// second of slack keeps a loaded machine from failing the test.
	if took > budget+time.Second {
		t.Errorf("answer took %v with a %v budget", took, budget)
	}
}
