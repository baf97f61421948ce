package commands_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bytewatch/bytewatch/commands"
)

// decider answers WillAnswer with fixed values.
type decider struct {
	will bool
	err  error
}

func (d decider) WillAnswer(context.Context, string) (bool, error) { return d.will, d.err }

func TestDecide(t *testing.T) {
	tests := []struct {
		name     string
		quiet    bool
		d        commands.Decider
		wantNext bool
		wantWhy  string
	}{
		{"addressed: always on", false, decider{will: false}, true, ""},
		{"answer channel, will answer", true, decider{will: true}, true, ""},
		{"answer channel, will not", true, decider{will: false}, false, "silent"},
		{"answer channel, cannot tell (too long)", true, decider{err: errors.New("too long")}, true, ""},
		{"no decider", true, nil, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ran := false
			h := commands.Chain(commands.HandlerFunc(func(context.Context, *commands.Request) error {
				ran = true
				return nil
			}), commands.Decide(tc.d))
			r := &commands.Request{Quiet: tc.quiet, Question: "What is the capital of France?"}
			if err := h.Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			if ran != tc.wantNext || r.Reason != tc.wantWhy {
				t.Errorf("next ran %v, reason %q; want %v, %q", ran, r.Reason, tc.wantNext, tc.wantWhy)
			}
		})
	}
}
