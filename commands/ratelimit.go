package commands

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultPerMinute is RATE_LIMIT_PER_MINUTE's default.
const DefaultPerMinute = 6

// pruneEvery is how many Allow calls pass between sweeps of idle users.
const pruneEvery = 256

// Bounds of the shared allowances (UseShared).
const (
	// SharedTimeout bounds each check of the shared allowances: a rate
	// limit must not hold up an answer.
	SharedTimeout = 200 * time.Millisecond
	// SharedPause is how long the limiter counts in the process only after
	// a check of the shared allowances failed, before it tries them again:
	// a database that is down costs one SharedTimeout per pause, not one
	// per question.
	SharedPause = 5 * time.Second
)

// SharedAllowances keeps the per-user allowances where every process of
// the bot counts them (records.Recorder, on the records' PostgreSQL):
// TakeAllowance takes one question from userID's allowance of perMinute a
// minute — in guildID under a server's own limit, "" otherwise — and says,
// when none is left, how long until there is one.
type SharedAllowances interface {
	TakeAllowance(ctx context.Context, guildID, userID string, perMinute int) (ok bool, wait time.Duration, err error)
}

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

	// shared, when set, decides instead of users (see UseShared);
	// sharedTimeout and sharedPause are SharedTimeout and SharedPause.
	shared        SharedAllowances
	sharedTimeout time.Duration
	sharedPause   time.Duration
	log           *slog.Logger
	// sharedDown is set from a failed check until one works again;
	// sharedRetry is when the next check may be made meanwhile.
	sharedDown  bool
	sharedRetry time.Time
	fallbacks   int // questions counted in the process while sharedDown
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

// UseShared makes the limiter count every user's questions in shared,
// which every process of the bot shares, instead of in the process alone.
// Each check is bounded by SharedTimeout; when one fails or is slow the
// limiter decides in the process, as without shared, for SharedPause, then
// tries again; log is told once when the shared allowances fail and once
// when they work again. Questions shared admits are counted in the process
// too, so that falling back does not give everyone a fresh allowance. Call
// it before the limiter is used.
func (l *RateLimiter) UseShared(shared SharedAllowances, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l.shared, l.log = shared, log
	l.sharedTimeout, l.sharedPause = SharedTimeout, SharedPause
}

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
	return l.AllowInContext(context.Background(), guildID, userID)
}

// AllowInContext is AllowIn with ctx's values for the shared allowances
// (its cancellation does not end a check: SharedTimeout does).
func (l *RateLimiter) AllowInContext(ctx context.Context, guildID, userID string) (bool, time.Duration) {
	n := l.PerMinuteIn(guildID)
	if n == l.burst {
		return l.take(ctx, "", userID, n)
	}
	return l.take(ctx, guildID, userID, n)
}

// Allow takes one question from userID's allowance. When there is none left
// it reports false and how long until there is.
func (l *RateLimiter) Allow(userID string) (bool, time.Duration) {
	return l.take(context.Background(), "", userID, l.burst)
}

// take takes one question from userID's allowance of perMinute a minute in
// guildID ("": the allowance that counts everywhere else): from the shared
// allowances when the limiter has them and they answer in time, else in
// the process.
func (l *RateLimiter) take(ctx context.Context, guildID, userID string, perMinute int) (bool, time.Duration) {
	key := userID
	if guildID != "" {
		key = guildID + "/" + userID
	}
	if l.shared != nil && l.sharedDue() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.sharedTimeout)
		ok, wait, err := l.shared.TakeAllowance(sctx, guildID, userID, perMinute)
		cancel()
		if err == nil {
			l.sharedWorked()
			if ok {
				l.allow(key, perMinute) // kept for a fallback; shared decided
			}
			return ok, wait
		}
		l.sharedFailed(err)
	}
	return l.allow(key, perMinute)
}

// sharedDue reports whether the shared allowances should be asked: they
// work, or the pause after a failure is over.
func (l *RateLimiter) sharedDue() bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	due := !l.sharedDown || !now.Before(l.sharedRetry)
	if !due {
		l.fallbacks++
	}
	return due
}

// sharedFailed notes a failed check: the first of a burst is logged.
func (l *RateLimiter) sharedFailed(err error) {
	now := l.now()
	l.mu.Lock()
	first := !l.sharedDown
	l.sharedDown, l.sharedRetry = true, now.Add(l.sharedPause)
	if first {
		l.fallbacks = 0
	}
	l.fallbacks++
	l.mu.Unlock()
	if first {
		l.log.Warn("rate limit: the shared allowances did not answer; counting each user's questions in this process until they do",
			"timeout", l.sharedTimeout, "retry_every", l.sharedPause, "error", err)
	}
}

// sharedWorked notes a check that worked: the end of a burst of failures
// is logged.
func (l *RateLimiter) sharedWorked() {
	l.mu.Lock()
	was, fallbacks := l.sharedDown, l.fallbacks
	l.sharedDown = false
	l.mu.Unlock()
	if was {
		l.log.Info("rate limit: the shared allowances answer again", "questions_counted_in_process", fallbacks)
	}
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
