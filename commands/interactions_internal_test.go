package commands

import (
	"context"
	"net/http"
	"testing"
)

func TestInteractionStateIsFreedAndCapped(t *testing.T) {
	ic := newInteractionClient(nil, 3)
	for _, tok := range []string{"a", "b", "c", "d"} {
		ic.bucket(tok)
	}
	if n := ic.openCount(); n != 3 {
		t.Errorf("%d interactions kept; want the cap, 3", n)
	}
	if ic.bucket("d") != nil {
		t.Error("an interaction past the cap got state")
	}
	for _, tok := range []string{"a", "b", "c"} {
		ic.forget(tok)
	}
	if n := ic.openCount(); n != 0 {
		t.Errorf("%d interactions kept after their answers; want 0", n)
	}
}

func TestTokenBucketWaitsForItsReset(t *testing.T) {
	tests := []struct {
		name      string
		remaining string
		after     string
		wantWait  bool
	}{
		{"room left", "2", "1.5", false},
		{"spent, reset far off", "0", "60", true},
		{"no headers", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &tokenBucket{}
			h := http.Header{}
			if tc.remaining != "" {
				h.Set("X-RateLimit-Remaining", tc.remaining)
				h.Set("X-RateLimit-Reset-After", tc.after)
			}
			b.update(h)
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // a wait would end with ctx at once
			err := b.wait(ctx)
			if (err != nil) != tc.wantWait {
				t.Errorf("wait = %v; want waiting %v", err, tc.wantWait)
			}
		})
	}
	var none *tokenBucket // past the cap: no state, no wait
	if err := none.wait(context.Background()); err != nil {
		t.Error(err)
	}
}
