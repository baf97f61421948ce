package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/bytewatch/bytewatch/internal/ops"
)

// Recover turns a panic in the handler — including discordgo's own panics
// on a payload of an unexpected shape, such as ApplicationCommandData on a
// component interaction or StringValue on a number — into an error reply,
// so that no interaction is left without an answer, and returns it as an
// error wrapping ErrPanic.
func Recover(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) (err error) {
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				err = fmt.Errorf("%w: %v", ErrPanic, p)
				r.Outcome, r.Reason = "error", "panic"
				log.LogAttrs(ctx, slog.LevelError, "command panicked",
					slog.String("command", r.Command), r.idAttr(),
					slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
				rctx, cancel := replyContext(ctx)
				defer cancel()
				if ferr := r.Respond.Fail(rctx, err); ferr != nil {
					log.LogAttrs(ctx, slog.LevelWarn, "could not report a panic to the user",
						r.idAttr(), slog.Any("error", ferr))
				}
			}()
			return next.Handle(ctx, r)
		})
	}
}

// idAttr names the request in a log line: interaction_id or message_id.
func (r *Request) idAttr() slog.Attr {
	if r.Message != nil {
		return slog.String("message_id", r.Message.ID)
	}
	return slog.String("interaction_id", r.Interaction.ID)
}

// replyContext is for the last reply after something went wrong: it keeps
// ctx's values but not its cancellation, so that a handler cut off by its
// deadline can still say so.
func replyContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), DefaultCallTimeout)
}

// Defer acknowledges the interaction at once with a deferred ("thinking…")
// response, ephemeral when the request is private, so that Discord's 3 s
// deadline is met however long the answer takes.
//
// For a message it shows the typing indicator instead, until the reply. A
// request marked Instant (a reply that needs no work) skips both.
func Defer() Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) error {
			if r.Instant {
				return next.Handle(ctx, r)
			}
			if err := r.Respond.Defer(ctx); errors.Is(err, ErrAckUncertain) {
				// Discord may have taken it: answer anyway (Send copes).
				r.Annotate(slog.String("ack", err.Error()))
			} else if err != nil {
				return fmt.Errorf("acknowledging: %w", err)
			}
			return next.Handle(ctx, r)
		})
	}
}

// ForcePrivate makes every reply of the command ephemeral.
func ForcePrivate() Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) error {
			r.Private = true
			r.Respond.makePrivate()
			return next.Handle(ctx, r)
		})
	}
}

// ErrRateLimitedUser is returned when a user has asked too many questions.
var ErrRateLimitedUser = errors.New("user rate limit")

// RateLimit refuses a user who has used up their allowance, with a private
// notice saying when to try again (a ⏳ reaction on a message). It runs before Defer so that the notice
// can be private whatever the command's own visibility.
func RateLimit(l *RateLimiter) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) error {
			ok, wait := l.AllowInContext(ctx, r.GuildID(), r.UserID())
			if ok {
				return next.Handle(ctx, r)
			}
			r.Outcome = "rate_limited"
			return r.Respond.limited(ctx, RateLimitNotice(l.PerMinuteIn(r.GuildID()), wait))
		})
	}
}

// RateLimitNotice tells a user they are asking too fast.
func RateLimitNotice(perMinute int, wait time.Duration) string {
	secs := int(wait.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return fmt.Sprintf("You're asking faster than I can answer: at most %s a minute. Please try again in %d s.", Count(perMinute, "question", "questions"), secs)
}

// AsQuestion marks the command as a question from entry (ops.EntrySlash):
// Logging then logs it, and counts it in the metrics, as a question. Put it
// before RateLimit, so that refused questions count too.
// An empty entry keeps the one the request already has (messages set
// theirs by trigger).
func AsQuestion(entry string) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) error {
			if entry != "" {
				r.Entry = entry
			}
			return next.Handle(ctx, r)
		})
	}
}

// Logging writes one line per command: who, where, how long it took to
// acknowledge (first_response_ms) and to finish, the outcome and the index
// version; for a question (see AsQuestion) also its entry point and how its
// answer was composed, and it records the question in m (nil records
// nothing). The question itself is logged only at debug level; tokens
// never are.
func Logging(log *slog.Logger, m *ops.Metrics) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) error {
			start := r.Received
			if start.IsZero() {
				start = time.Now()
			}
			err := next.Handle(ctx, r)
			outcome := r.Outcome
			switch {
			case r.Entry != "":
				outcome = QuestionOutcome(outcome, err)
			case outcome != "":
			case err != nil:
				outcome = "error"
			default:
				outcome = "ok"
			}
			reason := r.Reason
			if reason == "" {
				reason = QuestionReason(err)
			}
			level := slog.LevelInfo
			if err != nil && !IsUserError(err) {
				level = slog.LevelError
			}
			msg := "command"
			var attrs []slog.Attr
			if r.Message != nil {
				msg = "message question"
				attrs = append(attrs, slog.String("entry", r.Entry), slog.String("trigger", r.Trigger),
					slog.String("message_id", r.Message.ID))
			} else {
				attrs = append(attrs, slog.String("command", r.Command))
				if r.Entry != "" {
					attrs = append(attrs, slog.String("entry", r.Entry))
				}
				attrs = append(attrs, slog.String("interaction_id", r.Interaction.ID))
			}
			attrs = append(attrs,
				slog.String("user_id", r.UserID()),
				slog.String("guild_id", r.GuildID()),
				slog.String("channel_id", r.ChannelID()),
				slog.String("outcome", outcome),
			)
			if reason != "" {
				attrs = append(attrs, slog.String("reason", reason))
			}
			if r.Message == nil {
				attrs = append(attrs, slog.Bool("private", r.Private))
			}
			var firstResponse time.Duration
			if acked := r.Respond.AckedAt(); !acked.IsZero() {
				firstResponse = acked.Sub(start)
				attrs = append(attrs, slog.Float64("first_response_ms", ms(firstResponse)))
			}
			took := time.Since(start)
			attrs = append(attrs, slog.Float64("took_ms", ms(took)))
			if r.Answer != nil {
				attrs = append(attrs, AnswerAttrs(r.Answer)...)
			} else if r.IndexVersion != "" {
				attrs = append(attrs, slog.String("index_version", r.IndexVersion))
			}
			attrs = append(attrs, r.attrs...)
			if err != nil {
				attrs = append(attrs, slog.Any("error", err))
			}
			log.LogAttrs(ctx, level, msg, attrs...)
			if r.Entry != "" {
				if r.Message != nil && !r.Respond.Replied() {
					took = 0 // nothing shown (answer-channel silence): no answer time
				}
				RecordQuestion(m, r.Entry, outcome, r.Answer, firstResponse, took)
			}
			return err
		})
	}
}

// Decider says, from retrieval and the decision alone (no LLM), whether a
// question will be answered: *answer.Engine.
type Decider interface {
	WillAnswer(ctx context.Context, question string) (bool, error)
}

// Decide settles, before any allowance is used or typing shown, whether a
// question that did not address the bot (Request.Quiet: an answer channel)
// will be answered; one that will not is left in silence, logged as
// not_covered with reason "silent". A nil d decides nothing. A question
// that cannot be asked (too long) goes on, to be told so.
func Decide(d Decider) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) error {
			if r.Quiet && d != nil {
				if ok, err := d.WillAnswer(ctx, r.Question); err == nil && !ok {
					r.Outcome, r.Reason = ops.OutcomeNotCovered, "silent"
					return nil
				}
			}
			return next.Handle(ctx, r)
		})
	}
}

// QuestionSteps are the steps every question takes before its handler, in
// the one order both entry points keep: mark it a question (entry; "" keeps
// the request's), decide whether it will be answered, take it from the
// asker's allowance, then acknowledge it (defer, or typing for a message).
// Logging and Recover wrap them (the Router's, or the message path's own).
func QuestionSteps(entry string, l *RateLimiter, d Decider) []Middleware {
	return []Middleware{AsQuestion(entry), Decide(d), RateLimit(l), Defer()}
}

// DeciderOf is a's Decider, or nil when it has none.
func DeciderOf(a Answerer) Decider {
	d, _ := a.(Decider)
	return d
}
