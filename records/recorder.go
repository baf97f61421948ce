package records

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Defaults of a Recorder.
const (
	// DefaultTimeout bounds each database call the answering path makes.
	DefaultTimeout = 2 * time.Second
	// DefaultRetentionDays is RETENTION_DAYS's default.
	DefaultRetentionDays = 90
)

// Options configure a Recorder.
type Options struct {
	// KeepQuestions stores the questions' text (STORE_QUESTIONS, true by
	// default); false keeps everything else.
	KeepQuestions bool
	// Timeout bounds each call; 0 means DefaultTimeout.
	Timeout time.Duration
	// RetentionDays is how long records are kept (RETENTION_DAYS); 0 means
	// DefaultRetentionDays.
	RetentionDays int
	Logger        *slog.Logger
	// OnDrop is told of every record the database did not take
	// (bytewatch_records_dropped_total); nil counts nothing.
	OnDrop func()
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Recorder is the answering path's way into the Store: every call has a
// deadline, user ids are hashed with the database's salt before they reach
// it, and a question record the database cannot take is dropped with a log
// line and a count instead of holding anything up. It is safe for
// concurrent use.
type Recorder struct {
	store Store
	salt  []byte
	opts  Options
	log   *slog.Logger
	// prunedAt is when TakeAllowance last pruned, Unix milliseconds.
	prunedAt atomic.Int64
}

// NewRecorder returns a Recorder over store, reading (or making) the
// database's salt.
func NewRecorder(ctx context.Context, store Store, opts Options) (*Recorder, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.RetentionDays <= 0 {
		opts.RetentionDays = DefaultRetentionDays
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	salt, err := store.Salt(cctx)
	if err != nil {
		return nil, err
	}
	return &Recorder{store: store, salt: salt, opts: opts, log: opts.Logger}, nil
}

// Store is the Recorder's database.
func (r *Recorder) Store() Store { return r.store }

// Now is the Recorder's clock.
func (r *Recorder) Now() time.Time { return r.opts.Now() }

// RetentionDays is how long records are kept.
func (r *Recorder) RetentionDays() int { return r.opts.RetentionDays }

// KeepsQuestions reports whether the questions' text is stored.
func (r *Recorder) KeepsQuestions() bool { return r.opts.KeepQuestions }

// Hash is the salted hash of a user id, as the records keep it.
func (r *Recorder) Hash(userID string) string { return HashUser(r.salt, userID) }

// call bounds one database call: ctx's values, not its cancellation (a
// record is written after the answer, whatever became of the question's
// own context), and the Recorder's timeout.
func (r *Recorder) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), r.opts.Timeout)
}

// Record stores the record of a question asked by userID. On failure the
// record is dropped: logged, counted, and the error returned for the
// caller's log line; nothing is retried.
func (r *Recorder) Record(ctx context.Context, userID string, q Question) error {
	q.UserHash = r.Hash(userID)
	if q.AskedAt.IsZero() {
		q.AskedAt = r.opts.Now()
	}
	if !r.opts.KeepQuestions {
		q.Question, q.HasText = "", false
	}
	cctx, cancel := r.call(ctx)
	defer cancel()
	err := r.store.AddQuestion(cctx, q)
	if err != nil {
		if r.opts.OnDrop != nil {
			r.opts.OnDrop()
		}
		r.log.LogAttrs(ctx, slog.LevelWarn, "records: question record dropped",
			slog.String("record_id", q.ID), slog.String("entry", q.Entry), slog.Any("error", err))
		return fmt.Errorf("record dropped: %w", err)
	}
	return nil
}

// Lookup returns the record of a question, or ErrNotFound.
func (r *Recorder) Lookup(ctx context.Context, id string) (Question, error) {
	cctx, cancel := r.call(ctx)
	defer cancel()
	return r.store.Question(cctx, id)
}

// Vote records userID's vote on the answer to question id and returns the
// vote it replaced (0 for none). ErrNotFound when the answer is no longer
// in the records.
func (r *Recorder) Vote(ctx context.Context, id, userID string, value int, reason, text string) (int, error) {
	cctx, cancel := r.call(ctx)
	defer cancel()
	return r.store.Vote(cctx, Vote{QuestionID: id, VoterHash: r.Hash(userID), Value: value, Reason: reason,
		ReasonText: text, At: r.opts.Now()})
}

// Forget deletes userID's questions and votes.
func (r *Recorder) Forget(ctx context.Context, userID string) (Forgotten, error) {
	if userID == "" {
		return Forgotten{}, errors.New("records: forget whom? no user id")
	}
	cctx, cancel := r.call(ctx)
	defer cancel()
	return r.store.Forget(cctx, r.Hash(userID))
}

// Purge deletes the records older than the retention period.
func (r *Recorder) Purge(ctx context.Context) (Forgotten, error) {
	before := r.opts.Now().AddDate(0, 0, -r.opts.RetentionDays)
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return r.store.Purge(cctx, before)
}

// RunRetention purges old records now and then at every tick (daily in
// production: time.NewTicker(24*time.Hour).C) until ctx ends. Failures are
// logged; the next tick tries again.
func (r *Recorder) RunRetention(ctx context.Context, tick <-chan time.Time) {
	for {
		f, err := r.Purge(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.LogAttrs(ctx, slog.LevelWarn, "records: deleting old records failed", slog.Any("error", err))
		} else if err == nil && (f.Questions > 0 || f.Votes > 0) {
			r.log.LogAttrs(ctx, slog.LevelInfo, "records: deleted old records", slog.Int("retention_days", r.opts.RetentionDays),
				slog.Int64("questions", f.Questions), slog.Int64("votes", f.Votes))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// Report builds the report of the last days days (1 or more), listing as
// never used the facts of allFacts no answer cited.
func (r *Recorder) Report(ctx context.Context, days int, allFacts []string) (Report, error) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return BuildReport(cctx, r.store, r.opts.Now(), days, allFacts)
}
