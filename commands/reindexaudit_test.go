package commands_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

func TestReindexAuditLine(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	ok := index.SwapReport{OldVersion: "aaa", NewVersion: "bbb", Facts: 30,
		Changes: knowledge.Changes{Added: []string{"f1"}, Changed: []string{"f2", "f3"}}}
	tests := []struct {
		name    string
		rep     index.SwapReport
		err     error
		want    string
		notWant string
	}{
		{"swapped", ok, nil, "/reindex by <@42> <t:1796166000:f>: reindexed, index aaa → bbb, 30 facts (1 added, 0 removed, 2 changed).", ""},
		{"broken knowledge", index.SwapReport{}, &knowledge.LoadError{Problems: []knowledge.Problem{{File: "a.yaml", Line: 3, Msg: "bad"}, {File: "b.yaml", Line: 1, Msg: "bad"}}},
			"/reindex by <@42> <t:1796166000:f>: nothing reindexed — the knowledge files have 2 problems; index old keeps serving.", "a.yaml"},
		{"failed", index.SwapReport{}, errors.New("open /srv/bytewatch/index/store: no space left on device"),
			"/reindex by <@42> <t:1796166000:f>: failed (the bot's log says why); index old keeps serving.", "/srv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := commands.ReindexAuditLine("42", at, tt.rep, tt.err, "old")
			if got != tt.want {
				t.Errorf("ReindexAuditLine = %q\nwant %q", got, tt.want)
			}
			if tt.notWant != "" && strings.Contains(got, tt.notWant) {
				t.Errorf("ReindexAuditLine = %q shows %q", got, tt.notWant)
			}
		})
	}
}
