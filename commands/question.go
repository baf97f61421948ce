package commands

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/internal/ops"
)

// MaxLoggedQuestion bounds the question text in a debug log line: a
// 10,000-character message must not make a 10,000-character line.
const MaxLoggedQuestion = 300

// QuestionForLog is the question as a debug line may show it: at most
// MaxLoggedQuestion characters. The line should carry question_chars too,
// so a cut question is recognisable.
func QuestionForLog(q string) string { return Truncate(q, MaxLoggedQuestion) }

// QuestionOutcome is how a question ended, as its log line and the
// bytewatch_questions_total metric name it (ops.Outcome*): the answer's
// outcome, or rate_limited, invalid (a question that cannot be asked) or
// error. outcome is what the handler recorded, err what it returned.
func QuestionOutcome(outcome string, err error) string {
	switch {
	case errors.Is(err, answer.ErrEmptyQuestion), errors.Is(err, answer.ErrQuestionTooLong):
		return ops.OutcomeInvalid
	case err != nil:
		return ops.OutcomeError
	}
	switch outcome {
	case ops.OutcomeAnswered, ops.OutcomeNotCovered, ops.OutcomeFallback, ops.OutcomeRateLimited, ops.OutcomeInvalid:
		return outcome
	}
	return ops.OutcomeError
}

// QuestionReason is the detail of an outcome the log line gives as
// "reason": which mistake made a question invalid, why it failed.
func QuestionReason(err error) string {
	switch {
	case errors.Is(err, answer.ErrEmptyQuestion):
		return "empty"
	case errors.Is(err, answer.ErrQuestionTooLong):
		return "too_long"
	case errors.Is(err, ErrPanic):
		return "panic"
	case errors.Is(err, ErrShuttingDown), errors.Is(err, context.Canceled):
		return "shutting_down"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, ErrRateLimited):
		return "discord_rate_limit"
	}
	return ""
}

// AnswerAttrs are what a question's log line says of its answer: how it
// was composed (mode, model), what it cites, and where the time went. No
// text: the question and the answer stay out of logs above debug.
func AnswerAttrs(a *answer.Answer) []slog.Attr {
	if a == nil {
		return nil
	}
	attrs := []slog.Attr{
		slog.String("index_version", a.IndexVersion),
		slog.String("mode", string(a.Mode)),
		slog.Int("citations", len(a.Citations)),
		slog.Float64("retrieval_ms", ms(a.Timings.Retrieval)),
		slog.Float64("answer_ms", ms(a.Took)),
	}
	if a.Model != "" {
		attrs = append(attrs, slog.String("model", a.Model), slog.Float64("llm_ms", ms(a.Timings.LLM)))
	}
	if a.Usage != nil {
		attrs = append(attrs, slog.Int("prompt_tokens", a.Usage.PromptTokens), slog.Int("completion_tokens", a.Usage.CompletionTokens))
	}
	return attrs
}

// RecordQuestion records one question in m (nil records nothing): its
// outcome by entry point, its retrieval and LLM time and tokens when an
// answer was composed, the wait for the first response (zero when the
// asker saw none) and, when an answer was shown, the whole time.
func RecordQuestion(m *ops.Metrics, entry, outcome string, a *answer.Answer, firstResponse, total time.Duration) {
	if m == nil {
		return
	}
	if firstResponse > 0 {
		m.FirstResponse(entry, firstResponse)
	}
	var retrieval, llm time.Duration
	if a != nil {
		retrieval, llm = a.Timings.Retrieval, a.Timings.LLM
		if a.Usage != nil {
			m.Tokens(a.Usage.PromptTokens, a.Usage.CompletionTokens)
		}
	}
	switch outcome {
	case ops.OutcomeAnswered, ops.OutcomeNotCovered, ops.OutcomeFallback:
	default:
		total = 0 // nothing was answered: no answer time
	}
	m.Question(entry, outcome, retrieval, llm, total)
}

// ms is d in milliseconds, to 0.1 ms.
func ms(d time.Duration) float64 { return float64(d.Microseconds()/100) / 10 }
