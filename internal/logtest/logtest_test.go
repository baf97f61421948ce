package logtest_test

import (
	"log/slog"
	"testing"

	"github.com/bytewatch/bytewatch/internal/logtest"
)

func TestLines(t *testing.T) {
	var b logtest.Buffer
	log := slog.New(slog.NewJSONHandler(&b, nil))
	log.Info("command", "outcome", "answered", "n", 3)
	log.Info("command", "outcome", "not_covered")
	b.Write([]byte("not json\n"))
	tests := []struct {
		want  map[string]string
		lines int
	}{
		{map[string]string{"msg": "command"}, 2},
		{map[string]string{"msg": "command", "outcome": "answered", "n": "3"}, 1},
		{map[string]string{"outcome": "fallback"}, 0},
	}
	for _, tt := range tests {
		if got := b.Lines(tt.want); len(got) != tt.lines {
			t.Errorf("Lines(%v) = %d lines, want %d", tt.want, len(got), tt.lines)
		}
	}
	if rec := b.Wait(t, map[string]string{"outcome": "not_covered"}); rec["msg"] != "command" {
		t.Errorf("Wait returned %v", rec)
	}
}
