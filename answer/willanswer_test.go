package answer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
)

// TestWillAnswer: the decision an answer channel takes before using any of
// the asker's allowance agrees with what Ask does.
func TestWillAnswer(t *testing.T) {
	t.Parallel()
	eng := answer.NewEngine(defaultIndex(t), answer.Options{})
	tests := []struct {
		question string
		want     bool
		wantErr  error
	}{
		{"How much is ByteDance investing in AI infrastructure?", true, nil},
		{"What is the capital of France?", false, nil},
		{"Which sources do you have?", true, nil},
		{strings.Repeat("why ", answer.MaxQuestionRunes), false, answer.ErrQuestionTooLong},
		{"   ", false, answer.ErrEmptyQuestion},
	}
	for _, tc := range tests {
		got, err := eng.WillAnswer(context.Background(), tc.question)
		if !errors.Is(err, tc.wantErr) || got != tc.want {
			t.Errorf("WillAnswer(%.40q) = %v, %v; want %v, %v", tc.question, got, err, tc.want, tc.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		a, err := eng.Ask(context.Background(), tc.question, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a.Answered != got && !a.AboutSources {
			t.Errorf("%q: WillAnswer says %v, Ask answered %v", tc.question, got, a.Answered)
		}
	}
}
