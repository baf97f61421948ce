package records

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// failing is a Store whose writes fail, or block until their deadline.
type failing struct {
	Store
	block bool
}

func (f failing) AddQuestion(ctx context.Context, q Question) error {
	if f.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return errors.New("disk full")
}

func openTestSQLite(t testing.TB) Store {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRecorder(t *testing.T) {
	ctx := t.Context()
	now := t0
	clock := func() time.Time { return now }

	t.Run("records hash the user and keep the text only when asked to", func(t *testing.T) {
		for _, keep := range []bool{true, false} {
			s := openTestSQLite(t)
			r, err := NewRecorder(ctx, s, Options{KeepQuestions: keep, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			q := Question{ID: NewID(), Entry: EntrySlash, Question: "How much?", HasText: true, Outcome: OutcomeAnswered}
			if err := r.Record(ctx, "700000000000000001", q); err != nil {
				t.Fatal(err)
			}
			got, err := r.Lookup(ctx, q.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.HasText != keep || (got.Question == "How much?") != keep {
				t.Errorf("KeepQuestions=%v: stored text %q (%v)", keep, got.Question, got.HasText)
			}
			if got.UserHash == "700000000000000001" || len(got.UserHash) != 32 || got.UserHash != r.Hash("700000000000000001") {
				t.Errorf("user hash %q", got.UserHash)
			}
			if !got.AskedAt.Equal(now) {
				t.Errorf("asked at %v, want the clock's %v", got.AskedAt, now)
			}
		}
	})

	t.Run("a failing or stuck database drops the record, logs and counts it", func(t *testing.T) {
		for _, block := range []bool{false, true} {
			var dropped atomic.Int32
			var logs bytes.Buffer
			r, err := NewRecorder(ctx, failing{Store: openTestSQLite(t), block: block}, Options{
				Timeout: 50 * time.Millisecond, OnDrop: func() { dropped.Add(1) },
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			// The question's own context is already over: the record still
			// gets its own deadline.
			qctx, cancel := context.WithCancel(ctx)
			cancel()
			err = r.Record(qctx, "u", Question{ID: NewID(), Entry: EntrySlash, Outcome: OutcomeAnswered})
			if err == nil || dropped.Load() != 1 || !strings.Contains(logs.String(), "question record dropped") {
				t.Errorf("block=%v: Record = %v, dropped %d, log %q", block, err, dropped.Load(), logs.String())
			}
			if block && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("a stuck database: %v, want the deadline", err)
			}
		}
	})

	t.Run("hashes differ between databases", func(t *testing.T) {
		a, _ := NewRecorder(ctx, openTestSQLite(t), Options{})
		b, _ := NewRecorder(ctx, openTestSQLite(t), Options{})
		if a.Hash("42") == b.Hash("42") {
			t.Error("two databases hash a user alike: the salt is not per database")
		}
	})

	t.Run("retention deletes what is older than RETENTION_DAYS, at start and at each tick", func(t *testing.T) {
		s := openTestSQLite(t)
		now := t0
		var clockNow atomic.Pointer[time.Time]
		clockNow.Store(&now)
		r, err := NewRecorder(ctx, s, Options{RetentionDays: 30, Now: func() time.Time { return *clockNow.Load() }})
		if err != nil {
			t.Fatal(err)
		}
		for i, age := range []int{40, 20, 0} {
			q := Question{ID: id([]string{"forty", "twenty", "today"}[i]), AskedAt: t0.AddDate(0, 0, -age), Entry: EntrySlash, Outcome: OutcomeAnswered}
			if err := r.Record(ctx, "u", q); err != nil {
				t.Fatal(err)
			}
		}
		remaining := func() []string {
			qs, err := s.Questions(ctx, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, q := range qs {
				out = append(out, strings.TrimRight(q.ID, "a"))
			}
			sort.Strings(out)
			return out
		}
		rctx, stop := context.WithCancel(ctx)
		tick := make(chan time.Time)
		done := make(chan struct{})
		go func() { defer close(done); r.RunRetention(rctx, tick) }()
		// The purge at start runs before the loop waits for a tick: this
		// send returns once it has.
		tick <- t0
		if got := strings.Join(remaining(), " "); got != "today twenty" {
			t.Errorf("after the first purge: %s, want today twenty", got)
		}
		later := t0.AddDate(0, 0, 15)
		clockNow.Store(&later)
		tick <- later // runs the second purge …
		tick <- later // … which has finished once the loop takes this one
		if got := strings.Join(remaining(), " "); got != "today" {
			t.Errorf("15 days later: %s, want today", got)
		}
		stop()
		<-done
	})
}

func TestGroupQuestions(t *testing.T) {
	tests := []struct {
		name      string
		questions []string
		want      []string // "count question" per group
	}{
		{"case, punctuation and little words", []string{
			"What is the capital of France?", "what's the capital of France", "Capital of France?", "CAPITAL OF FRANCE",
			"Who will win the World Cup?",
		}, []string{"4 What is the capital of France?", "1 Who will win the World Cup?"}},
		{"plurals and word order", []string{
			"Does ByteDance make chips?", "ByteDance chip plans", "Nvidia chips for ByteDance?", "How is the weather in Paris?",
		}, []string{"3 Does ByteDance make chips?", "1 How is the weather in Paris?"}},
		{"one word in common is not enough", []string{
			"What is ByteDance's capex?", "What is ByteDance's revenue?", "ByteDance revenue",
		}, []string{"2 What is ByteDance's revenue?", "1 What is ByteDance's capex?"}},
		{"the most asked wording names the group", []string{
			"doubao revenue 2025", "Doubao revenue in 2025?", "Doubao revenue in 2025?",
		}, []string{"3 Doubao revenue in 2025?"}},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, g := range GroupQuestions(tt.questions, 10) {
				got = append(got, strings.TrimSpace(strings.Join([]string{itoa(g.Count), g.Question}, " ")))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("GroupQuestions = %q, want %q", got, tt.want)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestBuildReport(t *testing.T) {
	ctx := t.Context()
	s := openTestSQLite(t)
	qs := []Question{
		question(id("ans"), "a", 0, OutcomeAnswered, "f1", "f2"),
		question(id("ansb"), "b", 1, OutcomeAnswered, "f1"),
		question(id("close"), "c", 2, OutcomeClosest),
		question(id("nc"), "d", 3, OutcomeNotCovered),
		question(id("refused"), "e", 4, OutcomeRefused),
		question(id("old"), "a", -3*24*60, OutcomeNotCovered),
	}
	qs[2].Question, qs[3].Question = "Who owns Doubao?", "who owns doubao"
	nc := question(id("notext"), "f", 5, OutcomeNotCovered)
	nc.HasText, nc.Question = false, ""
	qs = append(qs, nc)
	for _, q := range qs {
		if err := s.AddQuestion(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []Vote{
		{QuestionID: id("ans"), VoterHash: "x", Value: Down, Reason: ReasonWrongFigure},
		{QuestionID: id("ans"), VoterHash: "y", Value: Down, Reason: ReasonOther, ReasonText: "old number"},
		{QuestionID: id("ans"), VoterHash: "z", Value: Up},
		{QuestionID: id("ansb"), VoterHash: "x", Value: Up},
	} {
		v.At = t0.Add(time.Hour)
		if _, err := s.Vote(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := BuildReport(ctx, s, t0.Add(2*time.Hour), 1, []string{"f1", "f2", "f3", "f4"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 6 || rep.Outcomes[OutcomeAnswered] != 2 || rep.Outcomes[OutcomeClosest] != 1 || rep.Outcomes[OutcomeNotCovered] != 2 || rep.Outcomes[OutcomeRefused] != 1 {
		t.Errorf("counts %d %v", rep.Questions, rep.Outcomes)
	}
	if rep.Up != 2 || rep.Down != 2 || rep.UpRate != 0.5 {
		t.Errorf("votes %d/%d rate %v", rep.Up, rep.Down, rep.UpRate)
	}
	if len(rep.Gaps) != 1 || rep.Gaps[0].Count != 2 || rep.GapsWithoutText != 1 {
		t.Errorf("gaps %+v, without text %d", rep.Gaps, rep.GapsWithoutText)
	}
	if len(rep.Disliked) != 1 || rep.Disliked[0].Down != 2 || rep.Disliked[0].Up != 1 || rep.Disliked[0].Reasons[ReasonWrongFigure] != 1 ||
		len(rep.Disliked[0].Texts) != 1 || strings.Join(rep.Disliked[0].FactIDs, ",") != "f1,f2" {
		t.Errorf("disliked %+v", rep.Disliked)
	}
	if len(rep.FactsUsed) != 2 || rep.FactsUsed[0] != (FactCount{"f1", 2}) || strings.Join(rep.FactsNeverUsed, ",") != "f3,f4" {
		t.Errorf("facts used %v, never %v", rep.FactsUsed, rep.FactsNeverUsed)
	}
	text := rep.Text()
	for _, want := range []string{"Questions asked: 6", "answered            2  33%", "Votes: 2 👍, 2 👎 (50% 👍)", "×2  Who owns Doubao?", "Wrong figure ×1, Other ×1", "“old number”", "facts: f1, f2", "Facts never cited: 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("Text lacks %q:\n%s", want, text)
		}
	}
	for _, days := range []int{0, -1, MaxReportDays + 1} {
		if _, err := BuildReport(ctx, s, t0, days, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("days=%d: %v, want ErrInvalid", days, err)
		}
	}
}
