package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// TestCountWordsAgree: every count the bot shows agrees with its number —
// "1 fact", "2 facts" — never "1 facts" or "problem(s)".
func TestCountWordsAgree(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 facts"}, {1, "1 fact"}, {2, "2 facts"}, {29, "29 facts"}} {
		if got := commands.Count(tt.n, "fact", "facts"); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := commands.RateLimitNotice(1, time.Second); !strings.Contains(got, "at most 1 question a minute") {
		t.Errorf("RateLimitNotice(1) = %q", got)
	}
	text := func(msgs []commands.Message) string {
		var b strings.Builder
		for _, m := range msgs {
			b.WriteString(m.Content)
			for _, e := range m.Embeds {
				b.WriteString(e.Description)
			}
		}
		return b.String()
	}
	if got := text(commands.RenderSwapReport(index.SwapReport{OldVersion: "a", NewVersion: "b", Facts: 1})); !strings.Contains(got, ": 1 fact.") {
		t.Errorf("swap report of one fact: %q", got)
	}
	le := &knowledge.LoadError{Problems: []knowledge.Problem{{File: "a.yaml", Line: 1, Msg: "bad"}}}
	if got := text(commands.RenderLoadError(le, "v")); !strings.Contains(got, "have 1 problem,") || strings.Contains(got, "(s)") {
		t.Errorf("load error with one problem: %q", got)
	}
}
