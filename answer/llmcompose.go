package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/index"
)

// Notes an answer carries when the LLM's text is not shown.
const (
	// NoteUnverified: the LLM's answer, repaired once, still failed
	// verification.
	NoteUnverified = "The composed answer could not be verified, so this is the extractive answer."
	// NoteLLMUnavailable: the LLM call failed (timeout, refused
	// connection, bad key, cut-off or malformed stream, …).
	NoteLLMUnavailable = "The language model was unavailable, so this is the extractive answer."
	// NoteLLMBusy: the LLM call was not started because it could not
	// have finished in the answer's time (the model is slow, or the queue
	// for it long), so the extractive answer is shown at once.
	NoteLLMBusy = "The language model is busy, so this is the extractive answer, given at once rather than after a wait."
	// NoteNotCoveredOverruled: the LLM said the sources don't cover a
	// question the facts answer.
	NoteNotCoveredOverruled = "The composed answer missed what the sources say, so this is the extractive answer."
)

// Coverage above which the facts answer a question plainly enough that an
// LLM saying they don't is overruled (see confidentlyCovered).
const (
	confidentUnion = 0.85
	confidentBest  = 0.6
)

// confidentlyCovered reports whether the extractive decision answers the
// question confidently: well above the policy's bar, not just over it.
func confidentlyCovered(sel selection) bool {
	return sel.answered && sel.coverage >= confidentUnion && sel.best >= confidentBest
}

// composeLLM asks the LLM to compose the answer from the facts the
// extractive answer cites, streaming verified sentences to onPartial, and
// verifies the result. A failed verification gets one repair attempt; if
// that fails too, or the LLM cannot be reached, the extractive answer is
// returned with a note saying why. It never returns an empty answer.
func (e *Engine) composeLLM(ctx context.Context, extractive Answer, res index.Result, sel selection, onPartial func(string)) Answer {
	out := extractive
	out.PromptVersion = PromptVersion
	out.Model = configuredModel(e.llm)
	p, sel, err := e.fitPrompt(extractive.Question, res, sel, extractive.Advice)
	if err != nil {
		// A template bug: nothing was sent, so say nothing of an LLM.
		e.log.Error("answer: cannot build the LLM prompt", "error", err)
		out.PromptVersion, out.Model = "", ""
		return out
	}
	out.Usage = &Usage{}
	ver := &Verification{Problems: []string{}} // "problems": [] rather than null in JSON
	gate := &partialGate{v: newVerifierWith(res.Analyser, p.sources), onPartial: onPartial}

	text, err := e.streamAnswer(ctx, p.messages(), gate, &out)
	for errors.Is(err, llm.ErrPromptTooLong) && len(sel.hits) > 1 {
		// The server says the prompt does not fit its context: send fewer
		// sources (the first ones, so the numbers stay the extractive
		// answer's) and record it as what it is.
		had := len(sel.hits)
		sel.hits = sel.hits[:had/2]
		if p, err = buildPrompt(extractive.Question, res, sel, extractive.Advice); err != nil {
			e.log.Error("answer: cannot build the LLM prompt", "error", err)
			return e.unverified(out, ver)
		}
		ver.Problems = append(ver.Problems, fmt.Sprintf("the prompt did not fit the model's context; sent %d of %d sources instead", len(sel.hits), had))
		e.log.Warn("answer: the prompt did not fit the model's context; retrying with fewer sources",
			"model", out.Model, "sources", len(sel.hits), "had", had)
		gate.v = newVerifierWith(res.Analyser, p.sources)
		gate.nextAttempt()
		text, err = e.streamAnswer(ctx, p.messages(), gate, &out)
	}
	if err != nil {
		return e.unavailable(ctx, out, ver, err)
	}
	rep := verifyWith(res.Analyser, text, p.sources)
	ver.FiguresChecked += rep.FiguresChecked
	if !rep.OK() {
		ver.Problems = append(ver.Problems, rep.Problems...)
		// Problems quote the answer, which may echo the question: only
		// their count above debug.
		e.log.Info("answer: the LLM answer failed verification; asking for a repair",
			"model", out.Model, "problems", len(rep.Problems))
		e.log.Debug("answer: verification problems", "problems", rep.Problems)
		msgs, err := p.repairMessages(text, rep.Problems)
		if err != nil {
			e.log.Error("answer: cannot build the repair prompt", "error", err)
			return e.unverified(out, ver)
		}
		gate.nextAttempt()
		text, err = e.streamAnswer(ctx, msgs, gate, &out)
		if err != nil {
			ver.Problems = append(ver.Problems, "repair: the language model was unavailable: "+err.Error())
			return e.unverified(out, ver)
		}
		rep = verifyWith(res.Analyser, text, p.sources)
		ver.FiguresChecked += rep.FiguresChecked
		if !rep.OK() {
			for _, pr := range rep.Problems {
				ver.Problems = append(ver.Problems, "repair: "+pr)
			}
			return e.unverified(out, ver)
		}
		ver.Repaired = true
	}
	out.Verification = ver
	out.Mode = ModeLLM
	out.Note = ""
	if rep.NotCovered && confidentlyCovered(sel) {
		// The model says the sources don't cover a question the facts plainly
		// answer: a model that ignored the question, or one too weak to read
		// the sources. The extractive answer is right; say why in the record.
		e.log.Info("answer: the LLM said the sources don't cover the question, but the facts answer it; answering extractively",
			"model", out.Model, "coverage", sel.coverage, "best", sel.best)
		ver.Problems = append(ver.Problems, fmt.Sprintf(
			"the language model said the sources don't cover the question, but the facts answer it (coverage %.2f): showing the extractive answer", sel.coverage))
		ver.FellBack = true
		out.Verification = ver
		out.Mode = ModeExtractive
		out.Note = NoteNotCoveredOverruled
		return out
	}
	if rep.NotCovered {
		// The model read the facts and found they don't answer the question.
		// Say so in bytewatch's own words rather than the model's: nothing it
		// added (or was talked into adding) reaches the reader.
		// No question text: message content is logged only at debug.
		e.log.Info("answer: the LLM found the sources don't cover the question", "model", out.Model)
		e.log.Debug("answer: not covered, according to the LLM", "question", out.Question)
		out.Answered = false
		out.Citations = nil
		out.Text = NotCoveredText(res.Base)
		if out.Advice {
			out.Text += "\n\n" + NotAdvice
		}
		return out
	}
	gate.finish(text)
	out.Text = strings.TrimSpace(text)
	if out.Advice && !strings.Contains(out.Text, NotAdvice) {
		out.Text += "\n\n" + NotAdvice
	}
	// The facts the text cites, numbered as the prompt numbered them (which
	// is how the extractive answer numbers its citations).
	out.Citations = nil
	for _, n := range rep.Cited {
		out.Citations = append(out.Citations, citationFor(n, sel.hits[n-1]))
	}
	e.log.Debug("answer: LLM answer verified", "model", out.Model, "figures_checked", ver.FiguresChecked,
		"repaired", ver.Repaired, "citations", len(out.Citations))
	return out
}

// streamAnswer makes one LLM call, adding its usage and model to out. An
// answer the token cap cut short loses its unfinished last sentence.
func (e *Engine) streamAnswer(ctx context.Context, msgs []llm.Message, gate *partialGate, out *Answer) (string, error) {
	comp, err := e.llm.Stream(ctx, msgs, gate.offer)
	out.Usage.PromptTokens += comp.Usage.PromptTokens
	out.Usage.CompletionTokens += comp.Usage.CompletionTokens
	out.Usage.TotalTokens += comp.Usage.TotalTokens
	if comp.Model != "" {
		out.Model = comp.Model
	}
	if err != nil {
		return "", err
	}
	if comp.FinishReason == "length" {
		// Say whose cap it was: a server started with a lower one (llama.cpp's
		// -n) stops answers before LLM_MAX_TOKENS.
		configured, server := 0, 0
		if l, ok := e.llm.(limited); ok {
			configured, server = l.MaxTokens(), l.Limits().MaxTokens
		}
		switch n := comp.Usage.CompletionTokens; {
		case server > 0 && (configured == 0 || server < configured):
			e.log.Info("answer: the LLM answer reached the server's own token cap (llama.cpp -n), which is below LLM_MAX_TOKENS; dropping its unfinished sentence",
				"model", out.Model, "server_max_tokens", server, "llm_max_tokens", configured)
		case configured > 0 && n > 0 && n < configured:
			e.log.Info("answer: the server stopped the LLM answer below LLM_MAX_TOKENS: the server's own cap (llama.cpp -n); dropping its unfinished sentence",
				"model", out.Model, "completion_tokens", n, "llm_max_tokens", configured)
		default:
			e.log.Info("answer: the LLM answer reached the token cap (LLM_MAX_TOKENS); dropping its unfinished sentence",
				"model", out.Model, "llm_max_tokens", configured)
		}
		return dropUnfinished(comp.Text), nil
	}
	return comp.Text, nil
}

// unavailable is the extractive answer after a failed LLM call.
func (e *Engine) unavailable(ctx context.Context, out Answer, ver *Verification, err error) Answer {
	level := slog.LevelWarn
	switch {
	case errors.Is(err, context.Canceled):
		level = slog.LevelDebug // the asker went away
	case errors.Is(err, llm.ErrOverloaded):
		level = slog.LevelInfo // load shedding, as designed
	}
	e.log.Log(ctx, level, "answer: the LLM was unavailable; answering extractively",
		"model", out.Model, "error", err)
	ver.FellBack = true
	out.Verification = ver
	out.Mode = ModeExtractive
	if errors.Is(err, llm.ErrOverloaded) {
		ver.Problems = append(ver.Problems, "the language model was busy: "+err.Error())
		out.Note = NoteLLMBusy
		return out
	}
	ver.Problems = append(ver.Problems, "the language model was unavailable: "+err.Error())
	out.Note = NoteLLMUnavailable
	return out
}

// unverified is the extractive answer after the repair failed too.
func (e *Engine) unverified(out Answer, ver *Verification) Answer {
	e.log.Warn("answer: the LLM answer failed verification twice; answering extractively",
		"model", out.Model, "problems", len(ver.Problems))
	e.log.Debug("answer: verification problems", "problems", ver.Problems)
	ver.FellBack = true
	out.Verification = ver
	out.Mode = ModeExtractive
	out.Note = NoteUnverified
	return out
}

// limited is an LLM that knows its server's limits (*llm.Client).
type limited interface {
	Limits() llm.Limits
	MaxTokens() int
}

// defaultAnswerTokens is the room left for an answer when no cap is known.
const defaultAnswerTokens = 700

// estimateTokens guesses a conversation's tokens from its length: about
// three bytes a token for English with markup, which overestimates a little
// for the usual tokenizers, plus a few tokens per message for the template.
func estimateTokens(msgs []llm.Message) int {
	n := 0
	for _, m := range msgs {
		n += len(m.Content)/3 + 8
	}
	return n
}

// fitPrompt builds the prompt, with fewer sources when the server has said
// its context size (llama.cpp's /props, Ollama's model info) and the prompt
// and the answer would not fit in it. The sources dropped are the last, so
// the numbers stay the extractive answer's.
func (e *Engine) fitPrompt(q string, res index.Result, sel selection, advice bool) (prompt, selection, error) {
	p, err := buildPrompt(q, res, sel, advice)
	l, ok := e.llm.(limited)
	if err != nil || !ok || l.Limits().ContextTokens == 0 {
		return p, sel, err
	}
	lim := l.Limits()
	answer := l.MaxTokens()
	if lim.MaxTokens > 0 && (answer == 0 || lim.MaxTokens < answer) {
		answer = lim.MaxTokens
	}
	if answer == 0 {
		answer = defaultAnswerTokens
	}
	had := len(sel.hits)
	for estimateTokens(p.messages())+answer > lim.ContextTokens && len(sel.hits) > 1 {
		sel.hits = sel.hits[:len(sel.hits)-1]
		if p, err = buildPrompt(q, res, sel, advice); err != nil {
			return p, sel, err
		}
	}
	if len(sel.hits) < had {
		e.log.Info("answer: fewer sources sent so that the prompt fits the model's context",
			"context_tokens", lim.ContextTokens, "from", lim.From, "sources", len(sel.hits), "had", had)
	}
	return p, sel, nil
}

// configuredModel is the model an LLM is set up to call, when it says.
func configuredModel(l LLM) string {
	if m, ok := l.(interface{ Model() string }); ok {
		return m.Model()
	}
	return ""
}

// partialGate passes to onPartial only what may be shown of a streaming
// answer: the prefix made of complete sentences that each pass
// verification. A sentence is complete once the start of the next one has
// arrived, so "$55." is not shown before "7 billion [3]." settles it. The
// first sentence that fails stops the attempt's partials; what was shown
// stays, and the final answer (repaired or extractive) replaces it. Each
// partial extends the one before, so a repair that rewrites the text shows
// nothing new until its final answer.
type partialGate struct {
	v         *verifier
	onPartial func(string)
	shown     string // what onPartial last received
	checked   int    // the current attempt's text is verified up to here
	blocked   bool   // a sentence of the current attempt failed
}

// offer takes the whole text of the current attempt so far.
func (g *partialGate) offer(soFar string) {
	if g.onPartial == nil || g.blocked || len(soFar) < g.checked {
		return
	}
	base := g.checked
	for _, sp := range splitSentences(soFar[base:], false) {
		if !sp.closed {
			break
		}
		// Every check the final answer gets; a sentence that needs no
		// citation because it says the sources don't cover something is held
		// back too — the final answer decides whether that is believed.
		if c := g.v.check(0, soFar[base+sp.start:base+sp.end]); len(c.problems) > 0 || c.uncited || c.notCovered {
			g.blocked = true
			break
		}
		g.checked = base + sp.end
	}
	verified := strings.TrimSpace(soFar[:g.checked])
	if len(verified) > len(g.shown) && strings.HasPrefix(verified, g.shown) {
		g.shown = verified
		g.onPartial(verified)
	}
}

// finish shows the whole answer once it has passed verification: its last
// sentence was never followed by another, so offer held it back.
func (g *partialGate) finish(text string) {
	text = strings.TrimSpace(text)
	if g.onPartial != nil && len(text) > len(g.shown) && strings.HasPrefix(text, g.shown) {
		g.shown = text
		g.onPartial(text)
	}
}

// nextAttempt readies the gate for the repair attempt's stream.
func (g *partialGate) nextAttempt() {
	g.checked, g.blocked = 0, false
}

// dropUnfinished removes a last sentence that does not end with a full
// stop, question or exclamation mark (optionally followed by citation
// markers and closing quotes): what a token cap leaves.
func dropUnfinished(text string) string {
	spans := splitSentences(text, true)
	if len(spans) == 0 {
		return ""
	}
	last := spans[len(spans)-1]
	if endsSentence(text[last.start:last.end]) {
		return text
	}
	if len(spans) == 1 {
		return ""
	}
	return text[:spans[len(spans)-2].end]
}

func endsSentence(s string) bool {
	for {
		s = strings.TrimRight(s, " \t\"')”’*_")
		i := strings.LastIndexByte(s, '[')
		if i < 0 || !strings.HasSuffix(s, "]") {
			break
		}
		if m, ok := parseMarker(s, i); !ok || m.end != len(s) {
			break
		}
		s = s[:i]
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '.' || r == '!' || r == '?'
}
