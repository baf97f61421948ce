package commands

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultPerMinute is RATE_LIMIT_PER_MINUTE's default.
const DefaultPerMinute = 6

// pruneEvery is how many Allow calls pass between sweeps of idle users.
const pruneEvery = 256

// RateLimiter limits how many questions each user may ask: perMinute a
// minute, as a token bucket that also allows a burst of perMinute. One
// limiter is shared by every entry point, so /ask, /sources and messages
// count together. It is safe for concurrent use.
type RateLimiter struct {
	every time.Duration
	burst int
	now   func() time.Time

	mu    sync.Mutex
	users map[string]*rate.Limiter
	calls int
}

// NewRateLimiter allows each user perMinute questions a minute; perMinute
// below 1 means DefaultPerMinute.
func NewRateLimiter(perMinute int) *RateLimiter {
	if perMinute < 1 {
		perMinute = DefaultPerMinute
	}
	return &RateLimiter{
		every: time.Minute / time.Duration(perMinute),
		burst: perMinute,
		now:   time.Now,
		users: map[string]*rate.Limiter{},
	}
}

// PerMinute is how many questions a minute each user may ask.
func (l *RateLimiter) PerMinute() int { return l.burst }

// Allow takes one question from userID's allowance. When there is none left
// it reports false and how long until there is.
func (l *RateLimiter) Allow(userID string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.calls%pruneEvery == 0 {
		l.pruneLocked(now)
	}
	lim := l.users[userID]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.users[userID] = lim
	}
	if lim.AllowN(now, 1) {
		return true, 0
	}
	r := lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return false, wait
}

// pruneLocked forgets users whose allowance is full again: they are
// indistinguishable from users never seen, and the map would otherwise grow
// with every user who ever asked.
func (l *RateLimiter) pruneLocked(now time.Time) {
	for id, lim := range l.users {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.users, id)
		}
	}
}

// remembered counts the users the limiter keeps state for.
func (l *RateLimiter) remembered() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.users)
}
