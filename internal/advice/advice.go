// Package advice recognises text that reads as investment advice — telling
// the reader to buy, sell or hold, naming a price target, calling something
// a good investment — so that neither an answer nor a knowledge statement
// gives any. Both the answer verifier and the knowledge loader use it.
package advice

import (
	"regexp"
	"strings"
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
// ByteDance stock") is not advice. It is a
// heuristic: it catches the usual wording, not every way of saying it.
func Recommends(text string) (string, bool) {
	if !mayRecommend(text) {
		return "", false
	}
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

// adviceWords are words one of which every recommendation the pattern
// knows contains; investWords need a modal or a verdict beside them
// ("should invest", "a good investment"), since facts say "invest" all the
// time. The pattern is costly to run (the verifier runs it on every
// sentence an LLM streams); most sentences need not meet it.
var (
	adviceWords = []string{"buy", "sell", "short", "dump", "hold", "accumulate", "load up", "get in", "get out",
		"pile in", "bet", "rating", "target", "valued", "recommend", "advise", "suggest", "miss", "guarantee",
		"opportunit", "outperform", "underperform", "overweight", "underweight"}
	investWords = []string{"should", "must", "ought", "need to", "have to", "had better", "strong", "good", "great",
		"smart", "solid", "safe", "excellent", "compelling"}
)

// mayRecommend is a cheap test that text could match recommendation.
func mayRecommend(text string) bool {
	lower := strings.ToLower(text)
	for _, w := range adviceWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	if strings.Contains(lower, "invest") {
		for _, w := range investWords {
			if strings.Contains(lower, w) {
				return true
			}
		}
	}
	return false
}

// Declines reports whether text refuses to advise: "I can't tell you
// whether to buy …", "this is not a recommendation".
func Declines(text string) bool { return declining.MatchString(text) }
