package answer

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/advice"
	"github.com/bytewatch/bytewatch/knowledge"
)

// support is what a source can back: the terms and concepts of its
// statement, attribution, date, entities and topics, analysed as retrieval
// analyses them.
type support struct {
	terms    map[string]bool
	concepts map[string]bool
}

func newSupport(an *index.Analyser, f knowledge.Fact) *support {
	s := &support{terms: map[string]bool{}, concepts: map[string]bool{}}
	text := f.Statement + " \n " + f.Attribution
	if !f.AsOf.IsZero() {
		text += " \n " + f.AsOf.Human()
	}
	for _, e := range f.Entities {
		text += " \n " + e
	}
	for _, t := range f.Topics {
		text += " \n " + t
	}
	for _, t := range an.Terms(text) {
		s.terms[t.Term] = true
		for _, c := range t.Concepts {
			s.concepts[c] = true
		}
	}
	return s
}

// backs reports whether the source backs term t: it has the term, or a
// concept the term means ("spent" for a fact saying "invest").
func (s *support) backs(t index.Term) bool {
	if s.terms[t.Term] {
		return true
	}
	for _, c := range t.Concepts {
		if s.concepts[c] {
			return true
		}
	}
	return false
}

// connectingWords carry how a sentence is put, not what it claims:
// reporting verbs, conjunctions, hedges. They need no source. (Not the
// vocabulary's question words as a whole: "make" and "own" carry the claim
// in "ByteDance makes its own H20 chips".) Analysed forms.
// Analysed once, on first use, and never changed after.
var connectingWords = sync.OnceValue(func() map[string]bool {
	words := map[string]bool{}
	an, err := index.DefaultAnalyser()
	if err != nil {
		return words
	}
	for _, w := range []string{
		"also", "while", "whereas", "meanwhile", "however", "although", "though", "separately", "additionally",
		"addition", "notably", "moreover", "furthermore", "both", "either", "neither", "other", "another",
		"say", "says", "said", "state", "states", "stated", "note", "notes", "noted", "add", "adds", "added",
		"indicate", "indicates", "indicated", "suggest", "suggests", "claim", "claims", "put",
		"reportedly", "accordingly", "respectively", "differ", "differs", "disagree", "disagrees",
		"company", "company's", "firm", "figure", "figures", "total", "overall", "around", "roughly", "approximately",
		"nearly", "almost", "least", "most", "more", "less", "exactly", "some", "estimate", "estimated",
		"currently", "now", "today", "recently", "reached", "reach", "reaches", "per", "each", "every",
		"worth", "month", "year", "annual", "annually", "monthly", "yearly", "quarter", "including", "include", "includes",
		"same", "such", "well", "e.g", "i.e", "etc", "according", "report", "reports", "reported", "reporting",
		"source", "sources", "amount", "will", "would", "could", "can", "may", "might", "is", "are", "was", "were",
		"has", "have", "had", "been", "being", "do", "does", "did", "how", "what", "which", "who", "when", "where",
		"why", "whether", "still", "yet", "use", "used", "uses", "using", "despite", "because", "since", "even", "though", "just", "only", "really", "actually", "then", "thus", "so", "many", "much", "several", "various", "like", "one", "two", "first", "second",
	} {
		for _, t := range an.Terms(w) {
			words[t.Term] = true
		}
	}
	return words
})

// unsupportedAllowance is how many content words of a sentence may go
// unbacked, for a sentence that has at least supportedForAllowance backed
// ones: a long faithful paraphrase may use a word of its own ("firmly",
// "swiftly"); a short sentence may not, or "Doubao is ByteDance's most
// profitable app [1]" would pass on the Doubao fact.
const (
	unsupportedAllowance  = 1
	supportedForAllowance = 4
)

// segment is the part of a sentence that a group of adjacent citation
// markers closes: "Microsoft spent $55.7 billion [3]" in "…, while
// Microsoft spent $55.7 billion [3]". A figure or a name is attributed to
// the facts its segment cites.
type segment struct {
	start, end int   // in the sentence
	cited      []int // the provided sources its marker group cites
}

// supportProblems checks that the sources a sentence cites back what it
// says: every name in a segment must be in the facts that segment cites,
// and every content word of the sentence in the facts the sentence cites,
// but for connecting words and a small allowance.
func (v *verifier) supportProblems(i int, body string, segs []segment, cited []int, counted []string) []string {
	if v.an == nil || len(cited) == 0 {
		return nil
	}
	countedTerms := map[string]bool{}
	for _, u := range counted {
		for _, t := range v.an.Terms(u) {
			countedTerms[t.Term] = true
		}
		for _, t := range v.an.Terms(plural(u)) {
			countedTerms[t.Term] = true
		}
	}
	var problems []string
	first := firstLetter(body)
	var unbacked []string
	backed := 0
	for _, sg := range segs {
		terms := v.an.Terms(body[sg.start:sg.end])
		for _, t := range terms {
			if connectingWords()[t.Term] || countedTerms[t.Term] ||
				strings.ContainsAny(t.Term, "0123456789") { // digits are checked as figures
				continue
			}
			start := -1
			if t.Start >= 0 {
				start = sg.start + t.Start
			}
			// A capitalised word is a name, unless it starts the sentence or
			// is a vocabulary word ("AI", "US").
			name := t.Entity || isNameWord(t.Word) && start != first && len(t.Concepts) == 0
			if name {
				if !v.backedBy(t, sg.cited) {
					problems = append(problems, fmt.Sprintf("sentence %d: %q is not named in %s", i, t.Word, markerList(sg.cited)))
				} else {
					backed++
				}
				continue
			}
			if v.backedBy(t, cited) {
				backed++
			} else {
				unbacked = append(unbacked, t.Word)
			}
		}
	}
	if len(unbacked) > 0 && (len(unbacked) > unsupportedAllowance || backed < supportedForAllowance) {
		problems = append(problems, fmt.Sprintf("sentence %d: %s not in the cited %s %s",
			i, quoteWords(unbacked), plural2(len(cited), "source", "sources"), markerList(cited)))
	}
	return problems
}

func (v *verifier) backedBy(t index.Term, cited []int) bool {
	for _, n := range cited {
		if v.supportOf(n).backs(t) {
			return true
		}
	}
	return false
}

func (v *verifier) supportOf(n int) *support {
	if s, ok := v.support[n]; ok {
		return s
	}
	f := v.sources[n]
	// Facts are analysed once per process, not once per answer: the
	// streaming gate and the final verification see the same facts.
	key := f.ID + "\x00" + f.Statement + "\x00" + f.Attribution + "\x00" + f.AsOf.String() + "\x00" + strings.Join(f.Entities, ",") + "\x00" + strings.Join(f.Topics, ",")
	var s *support
	if c, ok := supportCache.Load(key); ok {
		s = c.(*support)
	} else {
		s = newSupport(v.an, f)
		supportCache.Store(key, s)
	}
	v.support[n] = s
	return s
}

// supportCache holds each fact's support (read-only once stored), keyed by
// everything it is built from, so a reloaded fact gets a new entry.
var supportCache sync.Map

// isNameWord reports whether a word is written as a name: a capital letter
// ("Lily", "Nvidia"), or capitals inside it ("ByteDance", "iPhone").
func isNameWord(w string) bool {
	for _, r := range w {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// firstLetter is the offset of the first letter or digit of s: a
// capitalised word there is no sign of a name.
func firstLetter(s string) int {
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return i
		}
	}
	return -1
}

func quoteWords(ws []string) string {
	seen := map[string]bool{}
	var out []string
	for _, w := range ws {
		if !seen[strings.ToLower(w)] {
			seen[strings.ToLower(w)] = true
			out = append(out, fmt.Sprintf("%q", w))
		}
	}
	if len(out) == 1 {
		return out[0] + " is"
	}
	return strings.Join(out, ", ") + " are"
}

func plural2(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// segments cuts a sentence at its citation marker groups. markers are the
// [start, end) offsets of its valid markers with what each cites, in order.
// Text after the last group belongs to it; with no markers the whole
// sentence is one segment citing nothing.
func segments(s string, markers []markerAt) []segment {
	if len(markers) == 0 {
		return []segment{{start: 0, end: len(s)}}
	}
	var out []segment
	start := 0
	for k := 0; k < len(markers); {
		g := segment{start: start}
		end := markers[k].end
		g.cited = appendNew(g.cited, markers[k].cited...)
		k++
		// Adjacent markers, "[1][2]" or "[1], [2]", are one group.
		for k < len(markers) && strings.Trim(s[end:markers[k].start], " ,;\t") == "" {
			g.cited = appendNew(g.cited, markers[k].cited...)
			end = markers[k].end
			k++
		}
		g.end = end
		out = append(out, g)
		start = end
	}
	// The rest of the sentence ("… [1]." or "[1], in 2025.") joins the last group.
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out[len(out)-1].end = len(s)
	}
	return out
}

// markerAt is one valid citation marker in a sentence.
type markerAt struct {
	start, end int
	cited      []int
}

func appendNew(list []int, ns ...int) []int {
	for _, n := range ns {
		found := false
		for _, x := range list {
			if x == n {
				found = true
				break
			}
		}
		if !found {
			list = append(list, n)
		}
	}
	return list
}

// segmentAt finds the segment holding offset i.
func segmentAt(segs []segment, i int) segment {
	for _, sg := range segs {
		if i >= sg.start && i < sg.end {
			return sg
		}
	}
	return segs[len(segs)-1]
}

// exemptFromCiting reports the sentences that need no citation: the line
// saying the answer is not advice, a refusal to advise ("I can't tell you
// whether to buy ByteDance stock."), a sentence saying the sources don't
// cover something, and a sentence that claims nothing ("Reports differ.":
// only connecting words). None may state a figure; the caller checks that.
func (v *verifier) exemptFromCiting(s string) (notCovered, ok bool) {
	if strings.Contains(s, NotAdvice) {
		return false, true
	}
	if utf8.RuneCountInString(s) > maxNotCoveredRunes {
		return false, false
	}
	if isNotCoveredSentence(s) {
		return true, true
	}
	if v.an == nil {
		return false, false
	}
	content, names := 0, 0
	for _, t := range v.an.Terms(s) {
		switch {
		case t.Entity || isNameWord(t.Word) && len(t.Concepts) == 0 && t.Start != firstLetter(s):
			names++
		case connectingWords()[t.Term]:
		default:
			content++
		}
	}
	if names == 0 && advice.Declines(s) && adviceTalk.MatchString(s) {
		return false, true
	}
	return false, content == 0 && names == 0
}

// adviceTalk is what a refusal to advise talks about.
var adviceTalk = regexp.MustCompile(`(?i)\b(advice|advise|recommend\w*|buy\w*|sell\w*|invest\w*|hold\w*|stocks?|shares?|financial|money|portfolio)\b`)

// sourcesTalk is what a sentence saying the sources don't cover something
// talks about.
var sourcesTalk = regexp.MustCompile(`(?i)\b(sources?|facts?|information|data|details?|knowledge|context|provided|given|documents?|reports?|material)\b`)

// isNotCoveredSentence reports a sentence saying the sources don't cover
// something: "The sources don't cover that.", "There is no information on
// Doubao's revenue." A sentence that only sounds like one ("Lily can't find
// her red ball.") says nothing of the sources.
func isNotCoveredSentence(s string) bool {
	return utf8.RuneCountInString(s) <= maxNotCoveredRunes && notCoveredPhrase.MatchString(s) && sourcesTalk.MatchString(s)
}
