package commands

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	l := NewRateLimiter(6)
	l.now = func() time.Time { return now }

	for i := range 6 {
		if ok, _ := l.Allow("alice"); !ok {
			t.Fatalf("question %d refused; 6 a minute are allowed", i+1)
		}
	}
	ok, wait := l.Allow("alice")
	if ok {
		t.Fatal("seventh question in the same instant allowed")
	}
	if wait <= 0 || wait > 10*time.Second {
		t.Errorf("wait = %v; want up to one refill interval (10 s)", wait)
	}
	if ok, _ := l.Allow("bob"); !ok {
		t.Error("another user is limited by alice's questions")
	}
	// A refused question does not use up allowance: after the wait, one more.
	now = now.Add(wait)
	if ok, _ := l.Allow("alice"); !ok {
		t.Error("refused after waiting the time the limiter gave")
	}
	if ok, _ := l.Allow("alice"); ok {
		t.Error("two questions allowed after one refill interval")
	}
	now = now.Add(time.Minute)
	for i := range 6 {
		if ok, _ := l.Allow("alice"); !ok {
			t.Fatalf("after a minute, question %d refused", i+1)
		}
	}
}

func TestRateLimiterDefaultsAndPruning(t *testing.T) {
	if got := NewRateLimiter(0).PerMinute(); got != DefaultPerMinute {
		t.Errorf("NewRateLimiter(0).PerMinute() = %d; want %d", got, DefaultPerMinute)
	}
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	l := NewRateLimiter(2)
	l.now = func() time.Time { return now }
	for i := range pruneEvery - 1 {
		l.Allow(fmt.Sprint("user", i))
	}
	now = now.Add(time.Hour) // everyone's allowance is full again
	l.Allow("late")          // the pruneEvery-th call sweeps
	if n := l.remembered(); n > 1 {
		t.Errorf("%d users remembered after they all went idle; want at most 1", n)
	}
}

func TestRateLimitNotice(t *testing.T) {
	got := RateLimitNotice(6, 9400*time.Millisecond)
	if !strings.Contains(got, "6 questions a minute") || !strings.Contains(got, "9 s") {
		t.Errorf("notice = %q", got)
	}
	if got := RateLimitNotice(6, time.Millisecond); !strings.Contains(got, "1 s") {
		t.Errorf("notice for a tiny wait = %q", got)
	}
}
