package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/internal/cli"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/records"
)

// seedRecords writes questions and votes into the SQLite records in dir,
// as the bot would have.
func seedRecords(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	store, err := records.OpenSQLite(ctx, filepath.Join(dir, records.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec, err := records.NewRecorder(ctx, store, records.Options{KeepQuestions: true})
	if err != nil {
		t.Fatal(err)
	}
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	fact := base.Facts[0].ID
	answered := records.Question{ID: records.NewID(), Entry: records.EntrySlash, Question: "How much is ByteDance investing?", HasText: true,
		Outcome: records.OutcomeAnswered, FactIDs: []string{fact}}
	for _, q := range []records.Question{answered,
		{ID: records.NewID(), Entry: records.EntryMention, Question: "What is the capital of France?", HasText: true, Outcome: records.OutcomeNotCovered},
		{ID: records.NewID(), Entry: records.EntrySlash, Question: "capital of france?", HasText: true, Outcome: records.OutcomeNotCovered},
	} {
		if err := rec.Record(ctx, "700000000000000001", q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rec.Vote(ctx, answered.ID, "700000000000000002", records.Down, records.ReasonOutOfDate, ""); err != nil {
		t.Fatal(err)
	}
	old := records.Question{ID: records.NewID(), AskedAt: time.Now().AddDate(0, 0, -30), Entry: records.EntrySlash, Outcome: records.OutcomeAnswered}
	if err := rec.Record(ctx, "700000000000000003", old); err != nil {
		t.Fatal(err)
	}
}

func TestReportCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seedRecords(t, dir)
	env := map[string]string{"DATA_DIR": dir}

	code, stdout, stderr := run(t, env, "report", "--days", "1", "--json")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep records.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if rep.Days != 1 || rep.Questions != 3 || rep.Outcomes["not_covered"] != 2 || rep.Down != 1 ||
		len(rep.Gaps) != 1 || rep.Gaps[0].Count != 2 || len(rep.Disliked) != 1 || rep.Disliked[0].Reasons["out_of_date"] != 1 {
		t.Errorf("report %+v", rep)
	}
	base, _ := knowledge.Default()
	if len(rep.FactsUsed) != 1 || len(rep.FactsNeverUsed) != len(base.Facts)-1 {
		t.Errorf("facts used %v, never %d of %d", rep.FactsUsed, len(rep.FactsNeverUsed), len(base.Facts))
	}

	code, stdout, _ = run(t, env, "report", "--days", "60")
	if code != cli.ExitOK || !strings.Contains(stdout, "Questions asked: 4") || !strings.Contains(strings.ToLower(stdout), "×2  what is the capital of france?") && !strings.Contains(stdout, "×2  capital of france?") {
		t.Errorf("report --days 60: exit %d\n%s", code, stdout)
	}
}

func TestForgetCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seedRecords(t, dir)
	env := map[string]string{"DATA_DIR": dir}
	code, stdout, stderr := run(t, env, "forget", "--user", "700000000000000001")
	if code != cli.ExitOK || !strings.Contains(stdout, "Deleted 3 question records and 1 vote of user 700000000000000001.") {
		t.Errorf("forget: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, _ = run(t, env, "forget", "--user", "700000000000000001")
	if code != cli.ExitOK || !strings.Contains(stdout, "Deleted 0 question records and 0 votes") {
		t.Errorf("forget again: exit %d, %q", code, stdout)
	}
	code, stdout, _ = run(t, env, "report", "--days", "60")
	if code != cli.ExitOK || !strings.Contains(stdout, "Questions asked: 1") {
		t.Errorf("after forget: exit %d\n%s", code, stdout)
	}
}

func TestRecordsCommandMistakes(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"forget"}, "forget needs --user ID"},
		{[]string{"forget", "--user", "bob"}, "a Discord user id"},
		{[]string{"forget", "--user", "1", "extra"}, "forget takes no arguments"},
		{[]string{"report", "--days", "0"}, "--days 0: want 1 to"},
		{[]string{"report", "now"}, "report takes no arguments"},
	} {
		code, _, stderr := run(t, env, tt.args...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestRecordsCommandsNeedRecords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{{"report"}, {"forget", "--user", "1"}} {
		code, _, stderr := run(t, map[string]string{"DATA_DIR": dir}, args...)
		if code != cli.ExitFailure || !strings.Contains(stderr, "no records at "+filepath.Join(dir, records.SQLiteFile)) {
			t.Errorf("%v without records: exit %d, %q", args, code, stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a database was made: %v", entries)
	}
}
