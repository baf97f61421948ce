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
	// guildLimit, when set, is a server's own limit (see UseGuildLimits).
	guildLimit func(guildID string) int
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

// UseGuildLimits makes AllowIn and PerMinuteIn ask limit for a server's own
// limit (below 1: the default). Call it before the limiter is used.
func (l *RateLimiter) UseGuildLimits(limit func(guildID string) int) { l.guildLimit = limit }

// PerMinuteIn is how many questions a minute each user may ask in guildID.
func (l *RateLimiter) PerMinuteIn(guildID string) int {
	if l.guildLimit == nil || guildID == "" {
		return l.burst
	}
	if n := l.guildLimit(guildID); n >= 1 {
		return n
	}
	return l.burst
}

// AllowIn is Allow with guildID's own limit, when it has one: the user's
// allowance there is counted apart from their allowance elsewhere.
func (l *RateLimiter) AllowIn(guildID, userID string) (bool, time.Duration) {
	n := l.PerMinuteIn(guildID)
	if n == l.burst {
		return l.Allow(userID)
	}
	return l.allow(guildID+"/"+userID, n)
}

// Allow takes one question from userID's allowance. When there is none left
// it reports false and how long until there is.
func (l *RateLimiter) Allow(userID string) (bool, time.Duration) {
	return l.allow(userID, l.burst)
}

// allow takes one question from key's allowance of perMinute a minute.
func (l *RateLimiter) allow(key string, perMinute int) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.calls%pruneEvery == 0 {
		l.pruneLocked(now)
	}
	lim := l.users[key]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(time.Minute/time.Duration(perMinute)), perMinute)
		l.users[key] = lim
	} else if lim.Burst() != perMinute {
		// The server's limit changed: the new one applies at once.
		lim.SetLimitAt(now, rate.Every(time.Minute/time.Duration(perMinute)))
		lim.SetBurstAt(now, perMinute)
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
		if lim.TokensAt(now) >= float64(lim.Burst()) {
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
