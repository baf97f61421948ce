package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/records"
)

// fakeShared is a SharedAllowances whose answers a test sets.
type fakeShared struct {
	mu    sync.Mutex
	calls []string // guildID/userID/perMinute of each call
	take  func(ctx context.Context) (bool, time.Duration, error)
}

func (f *fakeShared) TakeAllowance(ctx context.Context, guildID, userID string, perMinute int) (bool, time.Duration, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fmt.Sprintf("%s/%s/%d", guildID, userID, perMinute))
	take := f.take
	f.mu.Unlock()
	return take(ctx)
}

func (f *fakeShared) called() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// logCounter counts log records by message.
type logCounter struct {
	mu   sync.Mutex
	msgs map[string]int
}

func (c *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCounter) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs[r.Message]++
	return nil
}
func (c *logCounter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *logCounter) WithGroup(string) slog.Handler      { return c }

func (c *logCounter) count(level string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for msg, k := range c.msgs {
		if level == "down" && msg == "rate limit: the shared allowances did not answer; counting each user's questions in this process until they do" ||
			level == "up" && msg == "rate limit: the shared allowances answer again" {
			n += k
		}
	}
	return n
}

var errDown = errors.New("database is closed")

func TestRateLimiterShared(t *testing.T) {
	admit := func(context.Context) (bool, time.Duration, error) { return true, 0, nil }
	refuse := func(context.Context) (bool, time.Duration, error) { return false, 42 * time.Second, nil }
	fail := func(context.Context) (bool, time.Duration, error) { return false, 0, errDown }
	type env struct {
		l     *RateLimiter
		f     *fakeShared
		logs  *logCounter
		clock func(time.Duration) // advances the limiter's clock
	}
	cases := []struct {
		name string
		run  func(t *testing.T, e env)
	}{
		{"the shared allowances decide, both ways", func(t *testing.T, e env) {
			e.f.take = admit
			for i := range 10 {
				if ok, _ := e.l.Allow("alice"); !ok {
					t.Fatalf("question %d refused though the shared allowance admitted it", i+1)
				}
			}
			e.f.take = refuse
			if ok, wait := e.l.Allow("bob"); ok || wait != 42*time.Second {
				t.Errorf("Allow = %v, %v; want the shared refusal and its wait", ok, wait)
			}
			if e.logs.count("down") != 0 {
				t.Error("a refusal was logged as a failure")
			}
		}},
		{"a server's own limit reaches the shared allowances", func(t *testing.T, e env) {
			e.f.take = admit
			e.l.UseGuildLimits(func(guildID string) int { return map[string]int{"100": 2}[guildID] })
			e.l.AllowIn("100", "alice")
			e.l.AllowIn("200", "alice")
			if got := e.f.calls; len(got) != 2 || got[0] != "100/alice/2" || got[1] != "/alice/6" {
				t.Errorf("calls %q, want [100/alice/2 /alice/6]", got)
			}
		}},
		{"a failure falls back to the process, logged once, retried after the pause", func(t *testing.T, e env) {
			e.f.take = fail
			for i := range 6 {
				if ok, _ := e.l.Allow("alice"); !ok {
					t.Fatalf("question %d refused in the fallback; 6 a minute are allowed", i+1)
				}
			}
			if ok, wait := e.l.Allow("alice"); ok || wait <= 0 {
				t.Errorf("the seventh in the fallback: %v, %v; want refused with a wait", ok, wait)
			}
			if n := e.f.called(); n != 1 {
				t.Errorf("the shared allowances were asked %d times during the pause, want once", n)
			}
			if n := e.logs.count("down"); n != 1 {
				t.Errorf("the failure logged %d times, want once", n)
			}
			e.clock(SharedPause)
			e.l.Allow("bob") // retried, fails again: no second log line
			if n := e.f.called(); n != 2 {
				t.Errorf("%d calls after the pause, want 2", n)
			}
			if n := e.logs.count("down"); n != 1 {
				t.Errorf("one burst of failures logged %d times, want once", n)
			}
			e.clock(SharedPause)
			e.f.take = admit
			if ok, _ := e.l.Allow("alice"); !ok {
				t.Error("refused once the shared allowances admit again")
			}
			if up := e.logs.count("up"); up != 1 {
				t.Errorf("the recovery logged %d times, want once", up)
			}
			e.f.take = fail
			e.l.Allow("alice")
			if n := e.logs.count("down"); n != 2 {
				t.Errorf("a second burst of failures: %d log lines in all, want 2", n)
			}
		}},
		{"a fallback keeps counting what the shared allowances admitted", func(t *testing.T, e env) {
			e.f.take = admit
			for range 4 {
				e.l.Allow("alice")
			}
			e.f.take = fail
			for i := range 2 {
				if ok, _ := e.l.Allow("alice"); !ok {
					t.Fatalf("fallback question %d refused; 2 of 6 were left", i+1)
				}
			}
			if ok, _ := e.l.Allow("alice"); ok {
				t.Error("the fallback gave alice a fresh allowance: 7 questions in an instant")
			}
		}},
		{"a slow database is cut off at the timeout", func(t *testing.T, e env) {
			e.l.sharedTimeout = 20 * time.Millisecond
			deadline := make(chan time.Duration, 1)
			e.f.take = func(ctx context.Context) (bool, time.Duration, error) {
				d, _ := ctx.Deadline()
				deadline <- time.Until(d)
				<-ctx.Done() // a database that never answers
				return false, 0, ctx.Err()
			}
			ctx, cancel := context.WithCancel(t.Context())
			cancel() // the request's own cancellation does not end the check
			if ok, _ := e.l.AllowInContext(ctx, "", "alice"); !ok {
				t.Error("refused when the database was slow; the process's allowance was full")
			}
			if d := <-deadline; d <= 0 || d > 20*time.Millisecond {
				t.Errorf("the check had %v left, want at most the 20ms timeout", d)
			}
			if n := e.logs.count("down"); n != 1 {
				t.Errorf("the timeout logged %d times, want once", n)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			l := NewRateLimiter(6)
			l.now = func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				return now
			}
			logs := &logCounter{msgs: map[string]int{}}
			f := &fakeShared{}
			l.UseShared(f, slog.New(logs))
			c.run(t, env{l: l, f: f, logs: logs, clock: func(d time.Duration) {
				mu.Lock()
				defer mu.Unlock()
				now = now.Add(d)
			}})
		})
	}
}

// TestRateLimiterSharedDatabase runs two limiters, as two processes would,
// on one records database: the second sees the first's questions, both at
// once never admit more than the allowance, and a process whose database
// is closed still answers, counting in the process.
func TestRateLimiterSharedDatabase(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), records.SQLiteFile)
	logs := &logCounter{msgs: map[string]int{}}
	var limiters [2]*RateLimiter
	var stores [2]records.Store
	for i := range limiters {
		s, err := records.OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		rec, err := records.NewRecorder(ctx, s, records.Options{})
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = s
		limiters[i] = NewRateLimiter(3)
		limiters[i].UseShared(rec, slog.New(logs))
	}
	one, two := limiters[0], limiters[1]
	for i := range 3 {
		if ok, _ := one.Allow("alice"); !ok {
			t.Fatalf("process 1: question %d refused", i+1)
		}
	}
	if ok, wait := two.Allow("alice"); ok || wait <= 0 || wait > 20*time.Second {
		t.Errorf("process 2, alice's fourth: %v, wait %v; want refused (process 1 had her three), up to 20s", ok, wait)
	}

	const m = 24
	results := make(chan bool, m)
	var wg sync.WaitGroup
	for i := range m {
		l := limiters[i%2]
		wg.Go(func() {
			ok, _ := l.AllowInContext(ctx, "", "bob")
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
	if n != 3 {
		t.Errorf("%d of %d questions from two processes at once admitted, want exactly 3", n, m)
	}
	if logs.count("down") != 0 {
		t.Fatal("the shared allowances failed while the database was open")
	}

	if err := stores[1].Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if ok, _ := two.Allow("carol"); !ok {
			t.Fatalf("process 2 with its database closed: carol's question %d refused", i+1)
		}
	}
	if ok, _ := two.Allow("carol"); ok {
		t.Error("process 2 with its database closed: a fourth allowed; the process's own count should hold")
	}
	if n := logs.count("down"); n != 1 {
		t.Errorf("the closed database logged %d times, want once", n)
	}
	if ok, _ := one.Allow("carol"); !ok {
		t.Error("process 1 refused carol: process 2's fallback questions reached the database")
	}
}
