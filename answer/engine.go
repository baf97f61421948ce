package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// Errors for questions that cannot be asked. Callers show them to the user.
var (
	ErrEmptyQuestion   = errors.New("the question is empty")
	ErrQuestionTooLong = errors.New("the question is too long")
)

// MaxQuestionRunes bounds a question. Discord's own limits are 500 for /ask
// and 2,000 for a message; nobody asks a real question longer than this.
const MaxQuestionRunes = 1000

// Searcher is what the engine needs of the index.
type Searcher interface {
	Search(ctx context.Context, question string, limit int) (index.Result, error)
}

// Options configure an Engine. The zero value answers extractively.
type Options struct {
	// LLM composes answers when set; nil means extractive answers only.
	LLM LLM
	// LLMBudget bounds everything one answer spends on the LLM — waiting
	// for a slot, streaming, the repair — after which the extractive answer
	// is shown. Zero means only the caller's context bounds it.
	LLMBudget time.Duration
	// Logger receives one line per question; nil discards.
	Logger *slog.Logger
	// Policy tunes when the engine answers; the zero value means DefaultPolicy.
	Policy Policy
	// StaleAfter, when positive, makes an answer whose newest cited fact is
	// older than this say how old it is (Answer.Stale): the sources may
	// have moved on. Zero says nothing.
	StaleAfter time.Duration
	// Now is the clock StaleAfter is measured with; nil means time.Now.
	Now func() time.Time
}

// Engine answers questions. It is safe for concurrent use.
type Engine struct {
	ix        Searcher
	llm       LLM
	llmBudget time.Duration
	log       *slog.Logger
	policy    Policy
	conflicts conflictCache
	stale     time.Duration
	now       func() time.Time
}

// NewEngine returns an Engine answering from ix.
func NewEngine(ix Searcher, opts Options) *Engine {
	e := &Engine{ix: ix, llm: opts.LLM, llmBudget: opts.LLMBudget, log: opts.Logger, policy: opts.Policy,
		stale: opts.StaleAfter, now: opts.Now}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.policy == (Policy{}) {
		e.policy = DefaultPolicy()
	}
	return e
}

// CleanQuestion strips control characters and surplus white space and
// checks the length. Every entry point cleans questions the same way.
func CleanQuestion(q string) (string, error) {
	q = strings.ToValidUTF8(q, " ")
	var b strings.Builder
	space := false
	for _, r := range q {
		if invisible(r) {
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	q = b.String()
	if q == "" {
		return "", ErrEmptyQuestion
	}
	if n := utf8.RuneCountInString(q); n > MaxQuestionRunes {
		return "", fmt.Errorf("%w: %d characters, at most %d", ErrQuestionTooLong, n, MaxQuestionRunes)
	}
	return q, nil
}

// invisible reports format characters that change how text displays
// without being seen: zero-width spaces and marks, and the bidirectional
// controls that can make an echoed question read differently.
func invisible(r rune) bool {
	switch {
	case r == '\u200b', r == '\u200c', r == '\u200e', r == '\u200f', r == '\ufeff', r == '\u061c':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// searchLimit is how many hits the engine considers; answers use at most
// maxFacts of them.
const (
	searchLimit = 10
	maxFacts    = 4
)

// Ask answers a question. onPartial, when not nil, receives the growing
// text of an LLM answer as it streams, verified sentence by sentence; it is
// never called when no LLM is called, and the final Answer replaces
// whatever it showed. The error is non-nil only for a question that cannot be asked
// (ErrEmptyQuestion, ErrQuestionTooLong) or when the index itself fails:
// an LLM failure falls back to the extractive answer.
func (e *Engine) Ask(ctx context.Context, question string, onPartial func(string)) (Answer, error) {
	start := time.Now()
	q, err := CleanQuestion(question)
	if err != nil {
		return Answer{}, err
	}
	res, sel, advice, err := e.retrieve(ctx, q)
	if err != nil {
		return Answer{}, err
	}
	retrieval := time.Since(start)
	var a Answer
	if !sel.answered && asksAboutSources(e.policy, res, advice) {
		a = composeAboutSources(q, res.Base)
	} else {
		a = composeExtractive(q, res, sel, advice)
	}
	if ids := adviceFacts(sel.hits); len(ids) > 0 {
		// A knowledge statement that reads as advice would be quoted as
		// advice, by either composer: withhold the answer and tell the
		// moderators which facts to fix.
		e.log.Warn("answer withheld: knowledge statements read as investment advice", "facts", ids)
		a = Answer{Question: q, Mode: ModeExtractive, Advice: advice, Text: Withheld}
		sel.answered = false
	}
	var llmTime time.Duration
	switch {
	case e.llm == nil || a.AboutSources:
	case sel.answered:
		llmStart := time.Now()
		llmCtx, cancel := e.llmContext(ctx)
		a = e.composeLLM(llmCtx, a, res, sel, onPartial)
		cancel()
		llmTime = time.Since(llmStart)
	case len(sel.closest) > 0 && !advice:
		// The facts came close but the extractive decision would not
		// answer: the LLM reads them and decides, verified like any
		// answer. Unless it answers, the reader gets "not covered" with
		// the closest facts.
		llmStart := time.Now()
		llmCtx, cancel := e.llmContext(ctx)
		trial := sel
		trial.hits, trial.answered, trial.closest = sel.closest, true, nil
		out := e.composeLLM(llmCtx, composeExtractive(q, res, trial, advice), res, trial, onPartial)
		cancel()
		llmTime = time.Since(llmStart)
		if out.Mode == ModeLLM && out.Answered {
			e.log.Info("answer: the LLM answered from facts the extractive decision found too far", "model", out.Model)
			a = out
		} else {
			a.Model, a.PromptVersion, a.Usage, a.Verification = out.Model, out.PromptVersion, out.Usage, out.Verification
		}
	}
	a.Stale = staleNote(a, e.now(), e.stale)
	a.Timings = Timings{Retrieval: retrieval, LLM: llmTime}
	a.IndexVersion = res.Version
	a.KnowledgeAsOf = res.Base.LatestAsOf()
	a.Took = time.Since(start)
	e.log.Debug("answered", "outcome", a.Outcome(), "why_not", sel.reason, "coverage", sel.coverage, "mode", a.Mode, "citations", len(a.Citations),
		"index_version", a.IndexVersion, "took_ms", a.Took.Milliseconds())
	return a, nil
}

// retrieve searches for the cleaned question q and decides which facts
// answer it, trying its parts and the sources' main subject as Ask
// describes. It calls no LLM.
func (e *Engine) retrieve(ctx context.Context, q string) (index.Result, selection, bool, error) {
	res, err := e.ix.Search(ctx, q, searchLimit)
	if err != nil {
		return index.Result{}, selection{}, false, fmt.Errorf("answer: %w", err)
	}
	advice := isAdviceRequest(q)
	sel := e.policy.decide(res, q, advice, e.conflicts.get(res.Base))
	// "how much is ByteDance spending on data centres and what's Doubao's
	// MAU": each part is answered as itself, and the answers joined.
	if r, s, ok, err := e.answerEach(ctx, q, advice, sel); err != nil {
		return index.Result{}, selection{}, false, fmt.Errorf("answer: %w", err)
	} else if ok {
		res, sel = r, s
	}
	if !sel.answered {
		// A message may wrap its question in noise ("Hi all! Quick one: how
		// much …?"); try its parts, last first, before saying not covered.
		r, s, ok, err := e.answerPart(ctx, q, advice)
		if err != nil {
			return index.Result{}, selection{}, false, fmt.Errorf("answer: %w", err)
		}
		if ok {
			res, sel = r, s
		}
	}
	if main := res.Base.About().MainQuestion; main != "" && asksMainQuestion(q, res, sel, advice) {
		r, err := e.ix.Search(ctx, main, searchLimit)
		if err != nil {
			return index.Result{}, selection{}, false, fmt.Errorf("answer: %w", err)
		}
		if s := e.policy.decide(r, main, false, e.conflicts.get(r.Base)); s.answered {
			res, sel = r, s
		}
	}
	if advice && !sel.answered && len(sel.closest) > 0 {
		// An advice request gets the facts it is about, with the
		// not-advice line, even when they don't answer what to do.
		sel.hits, sel.answered, sel.closest = sel.closest, true, nil
	}
	return res, sel, advice, nil
}

// WillAnswer reports, from retrieval and the decision alone (no LLM call),
// whether Ask would answer question rather than say its sources don't
// cover it. With an LLM, facts that came close count: the LLM may answer
// from them. The bot asks it before an answer channel's question uses any
// of the asker's allowance.
func (e *Engine) WillAnswer(ctx context.Context, question string) (bool, error) {
	q, err := CleanQuestion(question)
	if err != nil {
		return false, err
	}
	res, sel, advice, err := e.retrieve(ctx, q)
	if err != nil {
		return false, err
	}
	return sel.answered || asksAboutSources(e.policy, res, advice) || (e.llm != nil && len(sel.closest) > 0 && !advice), nil
}

// llmContext bounds what one answer spends on the LLM.
func (e *Engine) llmContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if e.llmBudget > 0 {
		return context.WithTimeout(ctx, e.llmBudget)
	}
	return ctx, func() {}
}

// maxMultiFacts bounds the facts of an answer to a message of several
// questions.
const maxMultiFacts = 6

// questionJoin finds where one question of a message ends and the next
// begins: a question mark, a semicolon or a plus, "also", or "and" before
// a question word.
var questionJoin = regexp.MustCompile(`(?i)\?+\s*|;\s*|\s\+\s|,?\s+(and\s+)?also\s+|,?\s+and\s+(what|what's|whats|how|who|who's|whos|why|when|which|where|is|are|does|do|did|can|will)\b`)

// multiParts splits a message into its questions; one part when it asks
// one thing.
func multiParts(q string) []string {
	var parts []string
	last := 0
	for _, m := range questionJoin.FindAllStringSubmatchIndex(q, -1) {
		parts = append(parts, q[last:m[0]])
		last = m[1]
		if m[4] >= 0 { // the question word starts the next part
			last = m[4]
		}
	}
	parts = append(parts, q[last:])
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(strings.Trim(p, ",.!-–— ")); len(strings.Fields(p)) >= 1 && p != "" {
			out = append(out, p)
		}
	}
	return out
}

// answerEach answers a message of several questions part by part, and
// joins the answers: ok when at least two parts are answered, or one is
// and the message as a whole was not. An index that fails is an error.
func (e *Engine) answerEach(ctx context.Context, q string, advice bool, whole selection) (index.Result, selection, bool, error) {
	parts := multiParts(q)
	if len(parts) < 2 {
		return index.Result{}, selection{}, false, nil
	}
	var (
		res    index.Result
		joined = selection{conflict: map[string][]string{}}
		n      int
	)
	var names string // the names the parts so far gave
	for _, p := range parts {
		r, err := e.ix.Search(ctx, p, searchLimit)
		if err != nil {
			return index.Result{}, selection{}, false, err
		}
		if given := entityWords(r, p); given != "" {
			names = given
		} else if names != "" {
			// "when did ByteDance get serious about AI and how many apps
			// do they have": a part that names nobody asks about the
			// names before it.
			p = names + " " + p
			if r, err = e.ix.Search(ctx, p, searchLimit); err != nil {
				return index.Result{}, selection{}, false, err
			}
		}
		s := e.policy.decide(r, p, advice, e.conflicts.get(r.Base))
		if !s.answered || (n > 0 && r.Version != res.Version) {
			continue // an answer never mixes two generations of the index
		}
		if n == 0 {
			res = r
		}
		n++
		for _, h := range s.hits {
			if len(joined.hits) < maxMultiFacts && !slices.ContainsFunc(joined.hits, func(x index.Hit) bool { return x.Fact.ID == h.Fact.ID }) {
				joined.hits = append(joined.hits, h)
			}
		}
		for k, v := range s.conflict {
			joined.conflict[k] = append(joined.conflict[k], v...)
		}
	}
	if n == 0 || (n == 1 && whole.answered) {
		return index.Result{}, selection{}, false, nil
	}
	joined.answered = true
	return res, joined, true, nil
}

// entityWords is the words of text that name a company or product, as
// written, joined by spaces; "" when it names none.
func entityWords(r index.Result, text string) string {
	if r.Analyser == nil {
		return ""
	}
	var words []string
	for _, t := range r.Analyser.Terms(text) {
		if t.Entity && !slices.Contains(words, t.Word) {
			words = append(words, t.Word)
		}
	}
	return strings.Join(words, " ")
}

// questionStart recognises a message that asks something.
var questionStart = regexp.MustCompile(`(?i)^\s*(what|how|who|where|when|why|which|is|are|does|do|did|can|could|will|would|should|tell me|give me|explain)\b`)

// asksMainQuestion reports whether a question the decision did not answer
// gets the sources' main question instead. "Should I buy ByteDance
// stock?" asks nothing the facts could cover once its advice words are set
// aside, and "What is ByteDance doing in AI?" only what every fact is
// about: both get the sources' main subject — the facts an investor would
// weigh first — rather than "not covered". A message must name that
// subject ("who won the super bowl" does not), and one asking when gets no
// amounts in place of a year.
func asksMainQuestion(q string, res index.Result, sel selection, advice bool) bool {
	switch {
	case sel.answered || res.Query.AboutSources || !namesSubject(res.Query.Units):
		return false
	case advice && len(sel.closest) == 0:
		return true
	}
	return sel.reason == reasonOnlyCommon && looksLikeQuestion(q) && !slices.Contains(res.Query.Wants, figure.Year)
}

// looksLikeQuestion reports whether a message is phrased as a question, as
// opposed to a string of keywords.
func looksLikeQuestion(q string) bool {
	return strings.HasSuffix(strings.TrimSpace(q), "?") || questionStart.MatchString(q)
}

// adviceFacts lists the facts whose statements read as investment advice.
func adviceFacts(hits []index.Hit) []string {
	var ids []string
	for _, h := range hits {
		if _, ok := Recommends(h.Fact.Statement); ok {
			ids = append(ids, h.Fact.ID)
		}
	}
	return ids
}

// questionEnd finds where a part of a message ends: sentence ends,
// semicolons, dashes, line breaks.
var questionEnd = regexp.MustCompile(`[.!?;]+(\s+|$)|\s+--\s*|\n+`)

// questionParts splits a message into its parts, questions first — a part
// ending in "?" — then the rest, each group from the last part to the
// first, since a question usually comes after its preamble ("Hi all! Quick
// one: how much …?") and an instruction aimed at the bot is no question.
func questionParts(q string) []string {
	var questions, others []string
	start := 0
	add := func(p string) {
		t := strings.TrimLeft(strings.TrimSpace(p), "-–—;:,.\"' ")
		if len(strings.Fields(t)) < 2 || t == q {
			return
		}
		if strings.HasSuffix(t, "?") {
			questions = append(questions, t)
		} else {
			others = append(others, t)
		}
	}
	for _, m := range questionEnd.FindAllStringIndex(q, -1) {
		add(q[start:m[1]])
		start = m[1]
	}
	add(q[start:])
	slices.Reverse(questions)
	slices.Reverse(others)
	return append(questions, others...)
}

// answerPart answers the first part of a message that can be answered. An
// index that fails is an error, not "not covered".
func (e *Engine) answerPart(ctx context.Context, q string, advice bool) (index.Result, selection, bool, error) {
	for _, p := range questionParts(q) {
		res, err := e.ix.Search(ctx, p, searchLimit)
		if err != nil {
			return index.Result{}, selection{}, false, err
		}
		if sel := e.policy.decide(res, p, advice, e.conflicts.get(res.Base)); sel.answered {
			return res, sel, true, nil
		}
	}
	return index.Result{}, selection{}, false, nil
}

// Sources lists the facts that best match a query, with their scores,
// without deciding whether they answer anything.
func (e *Engine) Sources(ctx context.Context, query string, limit int) ([]Citation, string, error) {
	q, err := CleanQuestion(query)
	if err != nil {
		return nil, "", err
	}
	res, err := e.ix.Search(ctx, q, limit)
	if err != nil {
		return nil, "", fmt.Errorf("answer: %w", err)
	}
	cites := make([]Citation, 0, len(res.Hits))
	for i, h := range res.Hits {
		if h.Coverage == 0 {
			continue
		}
		if _, ok := Recommends(h.Fact.Statement); ok {
			e.log.Warn("source left out: its statement reads as investment advice", "fact", h.Fact.ID)
			continue
		}
		cites = append(cites, citationFor(i+1, h))
		cites[len(cites)-1].N = len(cites)
	}
	return cites, res.Version, nil
}

func citationFor(n int, h index.Hit) Citation {
	return Citation{
		N: n, FactID: h.Fact.ID, SourceID: h.Fact.SourceID, SourceTitle: h.Source.Title,
		Attribution: h.Fact.Attribution, AsOf: h.Fact.AsOf, Text: h.Fact.Statement, Score: h.Score,
	}
}
