package records

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// allowanceInterval is the time one question of an allowance of perMinute
// a minute takes to come back, in milliseconds.
func allowanceInterval(perMinute int) int64 {
	return time.Minute.Milliseconds() / int64(perMinute)
}

// TakeAllowance is the shared per-user rate limit: a token bucket of
// perMinute questions, refilled one every minute/perMinute, kept as GCRA's
// theoretical arrival time (tat) in one row per key. One statement decides
// and records, so that two processes — or two connections of one — can
// never both take the last question: PostgreSQL locks the row for the
// update and evaluates the CASEs against its latest version, SQLite writes
// one statement at a time. In an UPDATE every right-hand side reads the
// row as it was, so admitted and tat are decided on the same old tat.
func (s *sqlStore) TakeAllowance(ctx context.Context, key string, perMinute int, now time.Time) (bool, time.Duration, error) {
	if key == "" || perMinute < 1 {
		return false, 0, fmt.Errorf("%w: allowance %q of %d a minute", ErrInvalid, key, perMinute)
	}
	interval := allowanceInterval(perMinute)
	at := ms(now)
	// The latest tat that still leaves a question: perMinute-1 intervals
	// ahead of now.
	last := at + int64(perMinute-1)*interval
	var tat int64
	var admitted int
	err := s.db.QueryRowContext(ctx, `INSERT INTO allowances (key, tat, admitted) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			admitted = CASE WHEN allowances.tat <= $3 THEN 1 ELSE 0 END,
			tat = CASE WHEN allowances.tat <= $3
				THEN (CASE WHEN allowances.tat > $4 THEN allowances.tat ELSE $4 END) + $5
				ELSE allowances.tat END
		RETURNING tat, admitted`,
		key, at+interval, last, at, interval).Scan(&tat, &admitted)
	if err != nil {
		return false, 0, fmt.Errorf("records: taking an allowance: %w", err)
	}
	if admitted == 1 {
		return true, 0, nil
	}
	return false, time.Duration(tat-last) * time.Millisecond, nil
}

// PruneAllowances deletes the allowances that are full again at now:
// they are the same as none.
func (s *sqlStore) PruneAllowances(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM allowances WHERE tat <= $1`, ms(now))
	if err != nil {
		return 0, fmt.Errorf("records: pruning allowances: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// allowancePruneEvery is how often a Recorder deletes the allowances that
// are full again, piggybacked on a take.
const allowancePruneEvery = 5 * time.Minute

// TakeAllowance takes one question from userID's allowance of perMinute
// questions a minute, in guildID ("" for the allowance that counts
// everywhere but in servers with a limit of their own), shared by every
// process on the database: the user is kept as their salted hash. It
// reports false and the wait until the next question when none is left.
// The call is bounded by ctx (the caller's deadline, which should be
// short: a rate limit must not hold up an answer) and by the Recorder's
// timeout. Every allowancePruneEvery a take also deletes the allowances
// that are full again; that failing is logged, not returned.
func (r *Recorder) TakeAllowance(ctx context.Context, guildID, userID string, perMinute int) (bool, time.Duration, error) {
	key := r.Hash(userID)
	if guildID != "" {
		key = guildID + "/" + key
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	now := r.opts.Now()
	ok, wait, err := r.store.TakeAllowance(ctx, key, perMinute, now)
	if err != nil {
		return false, 0, err
	}
	if r.prunedAt.Load() <= now.Add(-allowancePruneEvery).UnixMilli() {
		prev := r.prunedAt.Swap(now.UnixMilli())
		if prev <= now.Add(-allowancePruneEvery).UnixMilli() {
			if _, err := r.store.PruneAllowances(ctx, now); err != nil {
				r.log.LogAttrs(ctx, slog.LevelDebug, "records: pruning allowances", slog.Any("error", err))
			}
		}
	}
	return ok, wait, nil
}
