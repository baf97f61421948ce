package ingest

import (
	"regexp"
	"strings"
)

// Attribution phrases. A reporter is up to eight words with no comma: "the
// Financial Times", "two people familiar with the matter", "analysts at
// Jefferies". Verbs of saying, in the forms news writing uses.
const (
	reporter    = `([^,;:"“”]{2,90}?)`
	sayVerb     = `(?:said|says|say|reported|reports|report|wrote|writes|estimated|estimates|estimate|noted|added|told\s+(?:the\s+)?\w+(?:\s+[A-Z]\w*){0,3}|showed|show|shows|found|understands|understood|has\s+learned|has\s+learnt|learned|learnt)`
	whenTail    = `(\s+(?:on|in|at|last|this|earlier|late|early|during|via|to|from)\b[^,;.]{0,60}?)?`
	sentenceEnd = `([.!?]["”’]?(?:\[[^\]]*\])?\s*)$`
)

var (
	// "According to X, the rest" at the start of a sentence.
	leadingAccording = regexp.MustCompile(`^(?i:according\s+to)\s+` + reporter + `,\s+`)
	// ", according to X" up to the next comma or the end.
	innerAccording = regexp.MustCompile(`,?\s+(?i:according\s+to)\s+` + reporter + `(,|` + sentenceEnd + `)`)
	// ", X said on Tuesday." at the end, or ", X reported in January," in the middle.
	trailingSaid = regexp.MustCompile(`,\s+` + reporter + `\s+` + sayVerb + whenTail + `(,\s|` + sentenceEnd + `)`)
	// "X said that …", "X reported in July that …" at the start.
	leadingThat = regexp.MustCompile(`^` + reporter + `\s+` + sayVerb + whenTail + `\s+that\s+`)
	// "In a memo, X said the company …": an optional opening phrase, a
	// reporter, "said" and the claim.
	introSaid    = regexp.MustCompile(`^(?:([^,]{3,80}),\s+)?` + reporter + `\s+(?:said|says|told\s+\w+)(?:\s+(?:on\s+\w+|in\s+\w+(?:\s+\d{4})?|last\s+\w+|this\s+\w+|earlier\s+this\s+\w+|yesterday|today))?\s+(?:that\s+)?`)
	leadingSelf  = regexp.MustCompile(`^(?:We|Our\s+(?:analysts|team|estimates|numbers|figures|data|model|models|forecasts?))\s+(?:estimate|expect|think|believe|forecast|calculate|reckon|project|say|show|suggest|indicate)\s+(?:that\s+)?`)
	named        = regexp.MustCompile(`^[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)*$`)
	connective   = regexp.MustCompile(`(?i)^(?:separately|meanwhile|however|also|in addition|additionally|elsewhere)$`)
	pronounStart = regexp.MustCompile(`(?i)^(?:it|its|they|their|he|she|his|her|we|i)\b`)
	// "X expect(s) …" keeps the sentence whole but names who expects it.
	leadingExpect = regexp.MustCompile(`^((?:[Aa]nalysts?|[Ee]conomists?|[Ee]xperts?|[Rr]esearchers?)\b[^,;]{0,60}?|[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,4})\s+(?:expects?|forecasts?|predicts?|projects?|believes?|reckons?|think|thinks|estimates?)\s`)
	// Who a reporter is described as, before the name: "data provider
	// QuestMobile", "estimates by research firm SemiAnalysis".
	reporterLead = regexp.MustCompile(`(?i)^(?:(?:an?\s+)?(?:data|estimates?|figures|research|report|reports|analysis|note)\s+(?:from|by)\s+)?(?:(?:data|research|analytics|market\s+research|consulting|app|investment)\s+(?:provider|firm|company|group|tracker|bank|house)\s+|brokerage\s+|rivals?\s+|competitors?\s+|peers?\s+)?`)
	// Speakers that stand for the article itself.
	selfReporter = regexp.MustCompile(`(?i)^(?:our|we|this\s+(?:newspaper|newswire|site|publication))\b`)
	// "the people", "one of the sources": the reporter named before.
	backReference = regexp.MustCompile(`(?i)^(?:the|one\s+of\s+the|both|those)\s+(people|person|sources?|officials?|executives?)$`)
	companyRef    = regexp.MustCompile(`(?i)^the\s+(?:company|group|firm)$`)
	leadingQuote  = regexp.MustCompile(`^["“']`)
)

// attribution is who a sentence says reported its claim.
type attribution struct {
	who string // "" when the sentence names no one
	// when is the time phrase of the attribution: " in August" in "the
	// company said in August".
	when string
	// statement is the sentence without the attribution phrase, when the
	// phrase could be taken out whole.
	statement string
}

// findAttribution reads who a sentence attributes its claim to and takes
// the phrase out of the statement where that leaves a sentence.
func findAttribution(s string) attribution {
	if leadingQuote.MatchString(s) {
		// Direct speech keeps its speaker inside; it is rarely a claim.
		return attribution{statement: s}
	}
	if m := leadingAccording.FindStringSubmatchIndex(s); m != nil && plausibleReporter(s[m[2]:m[3]]) {
		return attribution{who: s[m[2]:m[3]], statement: capitalise(s[m[1]:])}
	}
	if m := leadingThat.FindStringSubmatchIndex(s); m != nil && plausibleReporter(s[m[2]:m[3]]) {
		return attribution{who: s[m[2]:m[3]], when: group(s, m, 2), statement: capitalise(s[m[1]:])}
	}
	if m := innerAccording.FindStringSubmatchIndex(s); m != nil && plausibleReporter(s[m[2]:m[3]]) {
		return attribution{who: s[m[2]:m[3]], statement: joinAround(s[:m[0]], s[m[4]:m[5]], s[m[1]:])}
	}
	if m := trailingSaid.FindStringSubmatchIndex(s); m != nil && plausibleReporter(s[m[2]:m[3]]) {
		return attribution{who: s[m[2]:m[3]], when: group(s, m, 2), statement: joinAround(s[:m[0]], s[m[6]:m[7]], s[m[1]:])}
	}
	if m := leadingSelf.FindStringIndex(s); m != nil {
		// "We estimate ByteDance will spend …": the article's own claim.
		return attribution{who: "we", statement: capitalise(s[m[1]:])}
	}
	if m := introSaid.FindStringSubmatchIndex(s); m != nil && plausibleReporter(s[m[4]:m[5]]) {
		who, rest := s[m[4]:m[5]], s[m[1]:]
		if pronounStart.MatchString(rest) {
			// "TikTok said its user base …" is "TikTok's user base …";
			// "ByteDance said it would …" stays whole: taking the speaker
			// out would leave "it".
			if named.MatchString(who) && strings.HasPrefix(rest, "its ") {
				rest = who + "'s " + strings.TrimPrefix(rest, "its ")
			} else {
				return attribution{who: who, statement: s}
			}
		}
		intro := group(s, m, 1)
		if intro == "" || connective.MatchString(intro) {
			return attribution{who: who, statement: capitalise(rest)}
		}
		return attribution{who: who, statement: intro + ", " + rest}
	}
	if m := leadingExpect.FindStringSubmatchIndex(s); m != nil {
		return attribution{who: strings.TrimSpace(s[m[2]:m[3]]), statement: s}
	}
	return attribution{statement: s}
}

// group is submatch i of a FindStringSubmatchIndex result, or "".
func group(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}

// joinAround puts a sentence back together around a removed phrase: the
// text before, the separator the phrase ended with (a comma or the
// sentence's end) and the text after.
func joinAround(before, sep, after string) string {
	before = strings.TrimRight(before, " ,")
	sep = strings.TrimSpace(sep)
	switch {
	case sep == ",":
		return before + ", " + strings.TrimLeft(after, " ")
	default:
		return before + sep + after
	}
}

// plausibleReporter rejects matches that are a clause, not a name: too
// many words, or words that make it part of the claim.
func plausibleReporter(who string) bool {
	words := strings.Fields(who)
	if len(words) == 0 || len(words) > 9 {
		return false
	}
	for _, w := range words {
		switch strings.ToLower(w) {
		case "which", "while", "as", "but", "and", "because", "when", "it", "is", "was", "will", "would", "has", "had":
			if !(strings.ToLower(w) == "and" && len(words) <= 5) {
				return false
			}
		}
	}
	return true
}

// cleanReporter trims a reporter's description to its name: "data
// provider QuestMobile" → "QuestMobile".
func cleanReporter(who string) string {
	who = strings.TrimSpace(who)
	who = reporterLead.ReplaceAllString(who, "")
	who = reporterWhen.ReplaceAllString(who, "")
	return strings.TrimSpace(who)
}

// reporterWhen is a time phrase caught at the end of a reporter: "accounts
// filed on Monday", "a note in March 2025".
var reporterWhen = regexp.MustCompile(`(?i)\s+(?:on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|in\s+(?:january|february|march|april|may|june|july|august|september|october|november|december)(?:\s+\d{4})?|last\s+(?:week|month|year)|this\s+(?:week|month|year)|yesterday|today|published\s+on\s+\w+)$`)

func capitalise(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}
