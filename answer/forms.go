package answer

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/bytewatch/bytewatch/index"
)

// The forms a question takes — what it asks, besides which facts it names:
// a list, a comparison, a share of a whole, a place, a remark that asks
// nothing. Words of English chat and of Chinese, never of one knowledge
// base.

// listQuestion finds a question asking for a list: "list of …", "what
// apps do they have", "all their products", "有哪些".
var listQuestion = regexp.MustCompile(`(?i)\b(list|lineup|line-up|rundown|run-down|roster)\b|\ball\s+(of\s+)?(the|their|its|his|her)\b|\bname\s+(all|the|their|its)\b|\b(what|which)\s+(other\s+)?([a-z]+\s+)?(apps|products|models|tools|services|brands|chatbots)\b|有哪些|哪些|有咩|有什么|有什麼|有啥`)

// comparativeForm finds a comparison made with words too common to carry
// a concept: "more … than", "ahead of", "against", "beating".
var comparativeForm = regexp.MustCompile(`(?i)\b(more|less|fewer|bigger|smaller|larger|higher|lower|better|worse)\b.{0,40}\bthan\b|\bagainst\b|\bvs\.?\b|\bversus\b|\bnext\s+to\b|\bcompared?\s+(to|with)\b|\brelative\s+to\b|\bstacks?\s+up\b|相比|对比|比较|\p{Han}*比\p{Han}*`)

// tellsOwnStory finds a message that speaks of its writer — the first
// person, or what they did: "my wife says", "tried dreamina", "bought the
// top".
var tellsOwnStory = regexp.MustCompile(`(?i)\b(i|i'm|im|i've|ive|me|my|mine)\b|\b(tried|saw|went|bought|sold)\b|我`)

// wordCount counts a message's words, each Chinese or Japanese character
// as one: those scripts put no spaces between words.
func wordCount(q string) int {
	n := 0
	for _, f := range strings.Fields(q) {
		letters := 0
		for _, r := range f {
			if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
				letters++
			}
		}
		n += max(1, letters)
	}
	return n
}

// questionWord finds a word that asks, anywhere in a message: "星绘 what
// does it do", "wait who owns tiktok again", "什么关系".
var questionWord = regexp.MustCompile(`(?i)[?？]|\b(what|whats|what's|wat|who|whos|who's|how|hows|why|which|when|where|is\s+it|are\s+they|does|do\s+they|did|can|any)\b|什么|吗|多少|哪|谁|怎么|为什么|几|干嘛|啥|呢|还是|還是|定係|定系` +
	// Cantonese asks with its own words: 咩 (what), 點解 (why), 幾多 (how
	// much), 邊個 (who), 係唔係 / 有冇 (is it, is there).
	`|咩|點|点解|幾|邊|边个|係唔係|系唔系|有冇|未呀` +
	// A statement with a tag asks too: "tiktok is owned by bytedance right".
	`|\b(right|correct|true|or\s+nah|or\s+not|isn'?t\s+it|innit)\s*[.!]*\s*$` +
	// … or asks it of the others: "FT says 12b or am i trippin", "anyone
	// got the number".
	`|\bor\s+(am\s+i|is\s+(that|it|this)|are\s+(they|we|you))\b|\b(anyone|anybody|someone)\s+(got|have|has|know|knows)\b`)

// asksSomething reports whether a message asks anything, by a question
// mark or a question word anywhere in it.
func asksSomething(q string) bool { return looksLikeQuestion(q) || questionWord.MatchString(q) }

// whereQuestion finds a question asking where.
var whereQuestion = regexp.MustCompile(`(?i)\bwhere\s+(is|are|was|were|will|would|do|does|did|can|gonna|'s|’s)\b|\bwheres\b|\bwhere's\b|\bin\s+which\s+(country|countries|city|cities|region|regions|market|markets)\b|\bwhich\s+(country|countries|city|cities|region|regions)\b|边度|邊度|哪里|哪裡|在哪|喺边|喺邊`)

// portionQuestion finds a question asking what part of a whole something
// is: "how much of", "what % of", "what share of".
var portionQuestion = regexp.MustCompile(`(?i)\b(how\s+much|what\s+(%|percent(age)?|share|portion|part|fraction|proportion)|which\s+(share|part|portion))\s+of\b|what\s+%\s+of\b|\bbreak\s*down\b|\bsplit\s+(of|between)\b`)

// shareAsked finds a question asking for a share rather than an amount:
// "what % of", "what share of".
var shareAsked = regexp.MustCompile(`(?i)%|\b(percent|percentage|share|portion|part|fraction|proportion|break\s*down|split)\b`)

// portionWhole finds the whole a "how much of" question takes a part of.
var portionWhole = regexp.MustCompile(`(?i)\bhow\s+much\s+of\s+(.{1,50}?)\s+(is|are|was|were|goes|go|going|went|will|gets|get|got|to|into|on|for)\b`)

// wholeNamed reports whether a "how much of" question's whole is something
// the vocabulary knows — "how much of the AI infra money goes to
// networking" asks for a share of a known amount — rather than only a
// company's money in general ("how much of ByteDance's cash").
func wholeNamed(question string, an *index.Analyser) bool {
	m := portionWhole.FindStringSubmatch(question)
	if m == nil || an == nil {
		return false
	}
	for _, t := range an.Terms(m[1]) {
		if len(t.Concepts) > 0 && !t.Entity {
			return true
		}
	}
	return false
}
