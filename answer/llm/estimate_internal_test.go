package llm

import (
	"testing"
	"time"
)

func TestEstimator(t *testing.T) {
	type call struct {
		ttft, total time.Duration
		tokens      int
	}
	tests := []struct {
		name      string
		calls     []call
		maxTokens int
		want      time.Duration // 0: no estimate
	}{
		{"none yet", nil, 0, 0},
		{"one call", []call{{time.Second, 3 * time.Second, 101}}, 0, 3 * time.Second},
		{"capped by max tokens", []call{{time.Second, 3 * time.Second, 101}}, 51, 2 * time.Second},
		{"unusable calls are ignored", []call{{0, time.Second, 10}, {time.Second, time.Second / 2, 10}, {time.Second, 2 * time.Second, 0}}, 0, 0},
		{"a slower call moves the estimate a fifth of the way", []call{
			{time.Second, 2 * time.Second, 1}, // first token only: time to first token 1 s, no rate
			{6 * time.Second, 6 * time.Second, 1},
		}, 0, 2 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e estimator
			for _, c := range tc.calls {
				e.observe(c.ttft, c.total, c.tokens)
			}
			got, ok := e.callTime(tc.maxTokens)
			if ok != (tc.want != 0) || (got-tc.want).Abs() > time.Millisecond {
				t.Errorf("callTime = %v, %v; want %v", got, ok, tc.want)
			}
		})
	}
}
