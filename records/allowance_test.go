package records

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestAllowancesShared runs two Recorders, as two processes would, on one
// database: each sees the questions the other admitted, and together they
// never admit more than the allowance.
func TestAllowancesShared(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			place := b.fresh(t)
			var mu sync.Mutex
			now := t0
			clock := func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				return now
			}
			advance := func(d time.Duration) {
				mu.Lock()
				defer mu.Unlock()
				now = now.Add(d)
			}
			procs := make([]*Recorder, 2)
			for i := range procs {
				s, err := b.open(ctx, place, 0)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				procs[i], err = NewRecorder(ctx, s, Options{Now: clock})
				if err != nil {
					t.Fatal(err)
				}
			}
			a, p2 := procs[0], procs[1]
			take := func(r *Recorder, guild, user string) (bool, time.Duration) {
				t.Helper()
				ok, wait, err := r.TakeAllowance(ctx, guild, user, 4)
				if err != nil {
					t.Fatal(err)
				}
				return ok, wait
			}
			for i := range 3 {
				if ok, _ := take(a, "", "alice"); !ok {
					t.Fatalf("process 1: question %d refused", i+1)
				}
			}
			if ok, _ := take(p2, "", "alice"); !ok {
				t.Fatal("process 2: alice's fourth question refused")
			}
			if ok, wait := take(p2, "", "alice"); ok || wait != 15*time.Second {
				t.Fatalf("process 2: a fifth: %v, wait %v; want refused after process 1's three, 15s", ok, wait)
			}
			if ok, _ := take(a, "", "alice"); ok {
				t.Fatal("process 1: a fifth allowed")
			}
			if ok, _ := take(a, "100", "alice"); !ok {
				t.Error("alice's allowance in a server of its own limit is not apart")
			}
			advance(15 * time.Second)
			if ok, _ := take(a, "", "alice"); !ok {
				t.Error("process 1: refused after the wait process 2 was given")
			}
			if ok, _ := take(p2, "", "alice"); ok {
				t.Error("process 2: a second question after one interval")
			}

			// Both processes at once, for a new user: exactly 4 of 30.
			const m = 30
			results := make(chan bool, m)
			var wg sync.WaitGroup
			for i := range m {
				r := procs[i%2]
				wg.Go(func() {
					ok, _, err := r.TakeAllowance(ctx, "", "bob", 4)
					if err != nil {
						t.Error(err)
					}
					results <- ok
				})
			}
			wg.Wait()
			close(results)
			n := 0
			for ok := range results {
				if ok {
					n++
				}
			}
			if n != 4 {
				t.Errorf("%d of %d takes from two processes at once admitted, want exactly 4", n, m)
			}

			// Full allowances are pruned as a take passes by.
			advance(allowancePruneEvery)
			if ok, _ := take(p2, "", "carol"); !ok {
				t.Error("carol refused")
			}
			var rows int
			if err := a.Store().(*sqlStore).db.QueryRowContext(ctx, `SELECT COUNT(*) FROM allowances`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != 1 {
				t.Errorf("%d allowances kept after a prune, want 1 (carol's)", rows)
			}
		})
	}
}

// TestAllowanceKeysAreHashed: the database never holds a user's id.
func TestAllowanceKeysAreHashed(t *testing.T) {
	ctx := t.Context()
	s := openTestSQLite(t).(*sqlStore)
	r, err := NewRecorder(ctx, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.TakeAllowance(ctx, "100", "700000000000000001", 6); err != nil {
		t.Fatal(err)
	}
	var key string
	if err := s.db.QueryRowContext(ctx, `SELECT key FROM allowances`).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if want := "100/" + r.Hash("700000000000000001"); key != want {
		t.Errorf("key %q, want %q (the server, then the salted hash)", key, want)
	}
}

// TestTakeAllowanceDeadline: a take is bounded by the caller's deadline.
func TestTakeAllowanceDeadline(t *testing.T) {
	ctx := t.Context()
	s := openTestSQLite(t).(*sqlStore)
	r, err := NewRecorder(ctx, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A write in progress holds SQLite's one connection.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, _, err := r.TakeAllowance(cctx, "", "alice", 6); err == nil {
		t.Error("a take while the database is held returned no error")
	}
}
