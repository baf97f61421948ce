package commands

import (
	"context"
	"log/slog"
	"regexp"
	"strings"

	"github.com/bytewatch/bytewatch/answer"
)

// recommendation matches wording that tells the reader what to do with
// their money: "you should buy", "buy ByteDance shares", "a strong buy",
// "price target", "undervalued", "we recommend".
var recommendation = regexp.MustCompile(`(?i)\b(?:` +
	`(?:you|investors?|users?|readers?|everyone|people|one)\s+(?:should|must|ought\s+to|need\s+to|have\s+to|had\s+better)\s+` +
	`(?:(?:definitely|really|seriously|now|all|probably)\s+)?(?:buy|sell|short|hold|invest|accumulate|load\s+up|get\s+in|get\s+out|pile\s+in|bet|dump|consider\s+(?:buying|selling|shorting))` +
	`|(?:buy|sell|short|dump)(?:ing)?\s+(?:(?:some|more|your|all)\s+)?` +
	`(?:(?:bytedance|tiktok|nvidia|microsoft|alphabet|google|meta|amazon|apple|baidu|tencent|alibaba|its|their|the)(?:'s|’s)?\s+)?(?:stocks?|shares?|equity|options|calls|puts)` +
	`|(?:buy|sell|short)\s+(?:now|today|immediately|right\s+away|before|ahead\s+of|while\s+you\s+can|the\s+dip)` +
	`|(?:strong\s+)?(?:buy|sell|hold|outperform|underperform|overweight|underweight)\s+rating` +
	`|price\s+targets?` +
	`|(?:is|are|looks?|remains?)\s+(?:an?\s+)?(?:strong|good|great|smart|solid|safe|excellent|compelling)\s+(?:buy|investment|bet|opportunity)` +
	`|(?:under|over)valued` +
	`|(?:i|we)\s+(?:strongly\s+)?(?:recommend|advise|suggest)` +
	`|recommend(?:s|ed)?\s+(?:buying|selling|holding|shorting|investing|(?:that\s+)?(?:you|investors))` +
	`|don'?t\s+miss\s+(?:out|this|the)` +
	`|guaranteed\s+(?:returns?|profits?|gains?)` +
	`)\b`)

// declining matches a refusal to advise, which may name what it refuses:
// "I can't tell you whether to buy …", "I cannot recommend buying …",
// "this is not a recommendation to …".
var declining = regexp.MustCompile(`(?i)\b(?:` +
	`(?:can'?t|cannot|can\s+not|won'?t|will\s+not|unable\s+to|not\s+able\s+to|don'?t|do\s+not|doesn'?t|does\s+not|no\s+one\s+can)\s+` +
	`(?:(?:tell|say|predict)(?:\s+you)?\s+(?:whether|if|when)|recommend|advise|suggest|give|offer|provide|make)` +
	`|not\s+(?:an?\s+)?(?:recommendation|advice|offer|solicitation)` +
	`)`)

// clauseStart is where the clause a recommendation is in begins: a refusal
// before it ("I can't give advice, but buy now") does not cover it.
var clauseStart = regexp.MustCompile(`(?i)(?:[.!?;:\n]|\bbut\b|\bhowever\b|\bstill\b)`)

// Recommends reports whether text tells the reader to buy, sell or hold,
// names a price target or calls something a good investment — investment
// advice, which bytewatch never gives — and returns the first phrase that
// does. A refusal in the same clause ("I can't tell you whether to buy
// ByteDance stock") is not advice, nor is answer.NotAdvice. It is a
// heuristic: it catches the usual wording, not every way of saying it.
func Recommends(text string) (string, bool) {
	text = strings.ReplaceAll(text, answer.NotAdvice, "")
	for _, m := range recommendation.FindAllStringIndex(text, -1) {
		before := text[:m[0]]
		if cuts := clauseStart.FindAllStringIndex(before, -1); len(cuts) > 0 {
			before = before[cuts[len(cuts)-1][1]:]
		}
		if declining.MatchString(before + text[m[0]:m[1]]) {
			continue
		}
		return text[m[0]:m[1]], true
	}
	return "", false
}

// Withheld is the text shown instead of an answer whose sources read as
// investment advice.
const Withheld = "bytewatch is not showing this answer: a source it would quote reads as investment advice, which bytewatch never gives. This has been logged for the moderators."

// Note texts of guarded answers.
const (
	NoteAdviceFallback = "The composed answer gave investment advice, so this is the extractive answer."
	adviceProblem      = "the answer gives investment advice: "
)

// AdviceGuard is an Answerer that keeps investment advice out of Discord,
// whoever wrote it. The verifier (answer.Verify) checks every figure and
// citation of an LLM's answer, but an LLM talked into advice by an
// instruction in a question or a knowledge statement can write "Buy
// ByteDance shares now [1]." with no figure to catch. So:
//
//   - partials that read as advice (Recommends) are not shown, nor any
//     after them;
//   - an LLM answer that reads as advice is replaced by Extractive's
//     answer to the same question, with a note, and counts as a fallback;
//   - an extractive answer that reads as advice — only a knowledge
//     statement can make one — is withheld: the reader gets Withheld, the
//     log a warning naming the facts, so a moderator can fix the files;
//   - /sources leaves out facts that read as advice, with a warning.
//
// It is safe for concurrent use if Answerer and Extractive are.
type AdviceGuard struct {
	Answerer Answerer // the engine, with or without an LLM
	// Extractive answers without an LLM from the same index: the fallback
	// for an LLM answer that gave advice. Nil withholds such an answer.
	Extractive Answerer
	Logger     *slog.Logger // nil discards
}

func (g AdviceGuard) log() *slog.Logger {
	if g.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return g.Logger
}

// Ask implements Answerer.
func (g AdviceGuard) Ask(ctx context.Context, question string, onPartial func(string)) (answer.Answer, error) {
	guarded := onPartial
	if onPartial != nil {
		// Partials come on Ask's goroutine, each extending the last: once
		// one gives advice, so does every later one.
		blocked := false
		guarded = func(text string) {
			if blocked {
				return
			}
			if _, ok := Recommends(text); ok {
				blocked = true
				return
			}
			onPartial(text)
		}
	}
	a, err := g.Answerer.Ask(ctx, question, guarded)
	if err != nil {
		return a, err
	}
	phrase, ok := Recommends(a.Text)
	if !ok {
		return a, nil
	}
	if a.Mode != answer.ModeLLM || g.Extractive == nil {
		return g.withhold(ctx, a, phrase), nil
	}
	g.log().LogAttrs(ctx, slog.LevelWarn, "the LLM answer gave investment advice; answering extractively",
		slog.String("model", a.Model), slog.String("phrase", phrase))
	fb, err := g.Extractive.Ask(ctx, question, nil)
	if err != nil {
		return answer.Answer{}, err
	}
	withheld := false
	if phrase, ok := Recommends(fb.Text); ok {
		fb, withheld = g.withhold(ctx, fb, phrase), true
	}
	// Keep what the LLM attempt cost and why it was set aside.
	ver := answer.Verification{}
	if a.Verification != nil {
		ver = *a.Verification
		ver.Problems = append([]string(nil), ver.Problems...)
	}
	ver.FellBack = true
	ver.Problems = append(ver.Problems, adviceProblem+phrase)
	fb.Verification = &ver
	fb.Model, fb.PromptVersion, fb.Usage = a.Model, a.PromptVersion, a.Usage
	fb.Timings.LLM = a.Timings.LLM
	fb.Took += a.Took
	if fb.Note == "" && !withheld {
		fb.Note = NoteAdviceFallback
	}
	return fb, nil
}

// withhold replaces an answer whose sources read as advice with Withheld.
func (g AdviceGuard) withhold(ctx context.Context, a answer.Answer, phrase string) answer.Answer {
	facts := make([]string, len(a.Citations))
	for i, c := range a.Citations {
		facts[i] = c.FactID
	}
	g.log().LogAttrs(ctx, slog.LevelWarn, "answer withheld: it reads as investment advice; check these facts",
		slog.String("mode", string(a.Mode)), slog.Any("fact_ids", facts), slog.String("phrase", phrase),
		slog.String("index_version", a.IndexVersion))
	a.Text, a.Answered, a.Citations, a.Note = Withheld, false, nil, ""
	return a
}

// Sources implements Answerer, leaving out facts that read as advice.
func (g AdviceGuard) Sources(ctx context.Context, query string, limit int) ([]answer.Citation, string, error) {
	cites, version, err := g.Answerer.Sources(ctx, query, limit)
	if err != nil {
		return cites, version, err
	}
	kept := cites[:0:0]
	for _, c := range cites {
		if phrase, ok := Recommends(c.Text); ok {
			g.log().LogAttrs(ctx, slog.LevelWarn, "fact withheld from /sources: it reads as investment advice",
				slog.String("fact_id", c.FactID), slog.String("phrase", phrase), slog.String("index_version", version))
			continue
		}
		c.N = len(kept) + 1
		kept = append(kept, c)
	}
	return kept, version, nil
}
