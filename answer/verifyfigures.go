package answer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// qualifier is what a text says about a figure's exactness: "more than $10
// billion" is above, "up to $7 billion" at most.
type qualifier int

const (
	qualNone    qualifier = iota
	qualAbove             // more than, over, above, in excess of
	qualAtLeast           // at least, no less than
	qualBelow             // less than, under, below
	qualAtMost            // up to, as much as, at most
	qualAbout             // about, around, approximately, nearly
)

func (q qualifier) String() string {
	switch q {
	case qualAbove:
		return "more than"
	case qualAtLeast:
		return "at least"
	case qualBelow:
		return "less than"
	case qualAtMost:
		return "up to"
	case qualAbout:
		return "about"
	}
	return "exactly"
}

// qualifierPhrases are matched against the words just before a figure,
// longest first within each entry's position in the list, so "no more than"
// is at most, not more than.
var qualifierPhrases = []struct {
	words string
	q     qualifier
}{
	{"no more than", qualAtMost}, {"not more than", qualAtMost}, {"no less than", qualAtLeast},
	{"not less than", qualAtLeast}, {"no fewer than", qualAtLeast}, {"a maximum of", qualAtMost},
	{"a minimum of", qualAtLeast}, {"in excess of", qualAbove}, {"upwards of", qualAbove},
	{"more than", qualAbove}, {"greater than", qualAbove}, {"higher than", qualAbove}, {"north of", qualAbove},
	{"at least", qualAtLeast}, {"as much as", qualAtMost}, {"as many as", qualAtMost}, {"as high as", qualAtMost},
	{"at most", qualAtMost}, {"up to", qualAtMost}, {"maximum of", qualAtMost}, {"minimum of", qualAtLeast},
	{"less than", qualBelow}, {"fewer than", qualBelow}, {"lower than", qualBelow}, {"short of", qualBelow},
	{"close to", qualAbout}, {"an estimated", qualAbout}, {"more or less", qualAbout},
	{"over", qualAbove}, {"above", qualAbove}, {"exceeding", qualAbove}, {"beyond", qualAbove},
	{"under", qualBelow}, {"below", qualBelow},
	{"about", qualAbout}, {"around", qualAbout}, {"approximately", qualAbout}, {"approx.", qualAbout},
	{"roughly", qualAbout}, {"nearly", qualAbout}, {"almost", qualAbout}, {"some", qualAbout},
	{"circa", qualAbout}, {"estimated", qualAbout}, {"~", qualAbout},
}

// qualifierAround reads the qualifier of the figure text[start:end]: the
// words just before it ("more than $10 billion"), or after it ("15 apps or
// more", "15+ apps").
func qualifierAround(text string, start, end int) qualifier {
	before := strings.ToLower(strings.TrimRight(text[:start], " \t\u00a0"))
	// Only the words right before count: "more than" three words back
	// qualifies something else.
	for _, p := range qualifierPhrases {
		if strings.HasSuffix(before, p.words) {
			k := len(before) - len(p.words)
			if k == 0 || p.words == "~" {
				return p.q
			}
			if r, _ := utf8.DecodeLastRuneInString(before[:k]); !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return p.q
			}
		}
	}
	after := strings.ToLower(text[end:])
	if strings.HasPrefix(after, "+") {
		return qualAbove
	}
	for _, w := range []struct {
		words string
		q     qualifier
	}{{" or more", qualAtLeast}, {" or less", qualAtMost}, {" or fewer", qualAtMost}, {" plus", qualAbove}} {
		if strings.HasPrefix(after, w.words) && !strings.HasPrefix(strings.TrimLeft(after[len(w.words):], " "), "than") {
			return w.q
		}
	}
	return qualNone
}

// qualifierOf reads a knowledge figure's qualifier field.
func qualifierOf(s string) qualifier {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return qualNone
	}
	for _, p := range qualifierPhrases {
		if s == p.words {
			return p.q
		}
	}
	return qualAbout // something hedged we have no name for: never exact
}

// qualifierAllows reports whether a sentence may say sentence of a figure
// its source states with source: the same qualifier; "at least" for "more
// than" (which it follows from); "about" for an exact figure. A qualifier may
// never be dropped ("$10 billion" for "more than $10 billion") or changed
// into another ("less than" for "more than", "at least" for "up to").
func qualifierAllows(source, sentence qualifier) bool {
	switch {
	case source == sentence:
		return true
	case source == qualAbove && sentence == qualAtLeast:
		return true
	case source == qualNone && sentence == qualAbout:
		return true
	}
	return false
}

// rateAround reads a rate said of the figure text[start:end]: "$12 billion a
// month", "75 million monthly active users", "an annual $50 billion". It
// returns the period ("month", "year", …) or "".
func rateAround(text string, start, end int) string {
	after := strings.ToLower(text[end:])
	// Up to the end of the clause, at most six words.
	if i := strings.IndexAny(after, ",;:([.!?\n"); i >= 0 {
		after = after[:i]
	}
	words := strings.Fields(after)
	if len(words) > 6 {
		words = words[:6]
	}
	for i, w := range words {
		if p, ok := rateWords[w]; ok {
			return p
		}
		if (w == "a" || w == "per" || w == "each" || w == "every" || w == "an") && i+1 < len(words) {
			if p, ok := periodNouns[words[i+1]]; ok {
				return p
			}
		}
		if j := strings.IndexByte(w, '/'); j >= 0 {
			if p, ok := periodNouns[strings.TrimPrefix(w[j+1:], "a ")]; ok {
				return p
			}
		}
	}
	before := strings.Fields(strings.ToLower(text[:start]))
	for i := len(before) - 1; i >= 0 && i >= len(before)-3; i-- {
		if p, ok := rateWords[before[i]]; ok {
			return p
		}
	}
	return ""
}

var rateWords = map[string]string{
	"monthly": "month", "annually": "year", "annual": "year", "yearly": "year", "quarterly": "quarter",
	"weekly": "week", "daily": "day", "per-month": "month", "per-year": "year",
}

var periodNouns = map[string]string{
	"month": "month", "year": "year", "quarter": "quarter", "week": "week", "day": "day",
	"mo": "month", "yr": "year", "annum": "year",
}

// factFigure is a figure a source states, with what the statement says
// about it.
type factFigure struct {
	v    figure.Value
	qual qualifier
	rate string
	// stated is set for a figure read from the statement (not a structured
	// figure, not the date); its qualifier is what the model read.
	stated bool
}

// readFactFigures is every figure source f states: its structured figures,
// the figures in its statement and attribution, and its as-of year — all of
// which the prompt shows the model.
func readFactFigures(f knowledge.Fact) []factFigure {
	var out []factFigure
	for _, g := range f.Figures {
		out = append(out, factFigure{v: g.Value(), qual: qualifierOf(g.Qualifier)})
	}
	for _, v := range figure.Parse(f.Statement) {
		out = append(out, factFigure{v: v, qual: qualifierAround(f.Statement, v.Start, v.End),
			rate: rateAround(f.Statement, v.Start, countEnd(f.Statement, v)), stated: true})
	}
	for _, v := range figure.Parse(f.Attribution) {
		out = append(out, factFigure{v: v})
	}
	if !f.AsOf.IsZero() {
		out = append(out, factFigure{v: figure.Value{Kind: figure.Year, Amount: float64(f.AsOf.Year)}})
	}
	return out
}

// countEnd is where a figure's own text ends; rates are looked for after
// it. A count's noun phrase follows its figure text ("75 million" then
// "monthly active users"), so the search starts right after the amount.
func countEnd(_ string, v figure.Value) int { return v.End }

// figureMismatch says why a figure of a sentence matches none of a source's
// figures, or "" when one matches. unitsAgree decides whether two counted
// nouns name the same thing.
func figureMismatch(sentence string, fig figure.Value, figs []factFigure, unitsAgree func(a, b string) bool) (reason string, ok bool) {
	qual := qualifierAround(sentence, fig.Start, fig.End)
	rate := rateAround(sentence, fig.Start, fig.End)
	var best string
	for _, ff := range figs {
		if !fig.Matches(ff.v) {
			continue
		}
		switch {
		case fig.Kind == figure.Count && ff.v.Kind == figure.Count && fig.Unit != "" && ff.v.Unit != "" && !unitsAgree(fig.Unit, ff.v.Unit):
			best = fmt.Sprintf("counts %s, but the source's %s counts %s", plural(fig.Unit), ff.v.String(), plural(ff.v.Unit))
		case ff.v.Kind == figure.Year:
			// A date has no qualifier or rate to keep.
			return "", true
		case !qualifierAllows(ff.qual, qual):
			if qual == qualNone {
				best = fmt.Sprintf("drops the source's qualifier (%s %s)", ff.qual, ff.v.String())
			} else {
				best = fmt.Sprintf("says %s where the source says %s %s", qual, sayQual(ff.qual), ff.v.String())
			}
		case rate != "" && rate != ff.rate:
			best = fmt.Sprintf("is a rate per %s, which the source does not state", rate)
		default:
			return "", true
		}
	}
	return best, false
}

func sayQual(q qualifier) string {
	if q == qualNone {
		return "exactly"
	}
	return q.String()
}

func plural(unit string) string {
	if strings.HasSuffix(unit, "s") {
		return unit
	}
	if unit == "person" {
		return "people"
	}
	return unit + "s"
}

// yearAsCount reports whether a year-like figure is used as a count:
// "Doubao has 2025 users". A year before a plural noun is a count unless a
// word that dates it ("in 2025", "its 2025 plans") comes before it.
func yearAsCount(s string, fig figure.Value) bool {
	if fig.Kind != figure.Year || len(strings.TrimSpace(fig.Text)) != 4 {
		return false
	}
	after := strings.TrimLeft(s[fig.End:], " ")
	w := after
	if i := strings.IndexFunc(after, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		w = after[:i]
	}
	if len(w) < 3 || !strings.HasSuffix(w, "s") || strings.HasSuffix(w, "ss") || unicode.IsUpper(rune(w[0])) {
		return false
	}
	before := strings.Fields(strings.ToLower(s[:fig.Start]))
	if len(before) == 0 {
		return false
	}
	prev := strings.Trim(before[len(before)-1], ",;:()\"'")
	if datingWords[prev] || strings.HasSuffix(prev, "'s") || strings.HasSuffix(prev, "’s") {
		return false
	}
	if m := monthNames[prev]; m {
		return false
	}
	return true
}

var datingWords = map[string]bool{
	"in": true, "by": true, "since": true, "until": true, "till": true, "for": true, "of": true, "from": true,
	"during": true, "before": true, "after": true, "through": true, "to": true, "as": true, "and": true,
	"or": true, "the": true, "a": true, "its": true, "their": true, "his": true, "her": true, "our": true,
	"this": true, "that": true, "these": true, "those": true, "fiscal": true, "early": true, "late": true,
	"mid": true, "end": true, "calendar": true, "year": true, "within": true, "across": true, "throughout": true,
	"between": true, "over": true, "than": true, "on": true, "at": true,
}

var monthNames = map[string]bool{
	"january": true, "february": true, "march": true, "april": true, "may": true, "june": true, "july": true,
	"august": true, "september": true, "october": true, "november": true, "december": true,
}

// numberWords are spelled-out numbers the figure parser passes over when no
// scale or unit follows them ("two chatbots", "twice as much"): numbers all
// the same, which a cited source must state.
var numberWords = map[string]string{
	"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
	"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
	"sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
	"forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
	"hundred": "", "hundreds": "", "thousand": "", "thousands": "", "million": "", "millions": "",
	"billion": "", "billions": "", "trillion": "", "trillions": "", "dozen": "12", "dozens": "",
	"half": "", "twice": "", "double": "", "doubled": "", "triple": "", "tripled": "", "thrice": "",
	"zero": "0", "none": "",
}

// strayNumberWords lists the number words of s outside every parsed figure.
func strayNumberWords(s string, figs []figure.Value) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) {
				break
			}
			j += size
		}
		w := strings.ToLower(s[i:j])
		glued := i > 0 && s[i-1] >= '0' && s[i-1] <= '9' || j < len(s) && s[j] >= '0' && s[j] <= '9'
		if _, ok := numberWords[w]; ok && !glued && !insideFigure(i, figs) {
			out = append(out, s[i:j])
		}
		i = j
	}
	return out
}

func insideFigure(i int, figs []figure.Value) bool {
	for _, f := range figs {
		if i >= f.Start && i < f.End {
			return true
		}
	}
	return false
}

// statesNumberWord reports whether a source's statement states the number a
// word names: the word itself, or its digits.
func statesNumberWord(statement, word string) bool {
	w := strings.ToLower(word)
	for _, f := range strings.FieldsFunc(strings.ToLower(statement), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if f == w {
			return true
		}
		if d := numberWords[w]; d != "" && f == d {
			return true
		}
	}
	return false
}

// unreadableNumber finds a number written in characters other than ASCII
// digits — 𝟗𝟗, ⁹⁹, ⑨, ½, Khmer or Mongolian digits — which the figure parser
// does not read. Rather than pass over a number it cannot check, the
// verifier rejects the sentence.
func unreadableNumber(s string) (string, bool) {
	for i, r := range s {
		if unicode.IsNumber(r) && (r < '0' || r > '9') {
			j := i
			for j < len(s) {
				r2, size := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsNumber(r2) && r2 != '.' && r2 != ',' {
					break
				}
				j += size
			}
			return strings.TrimRight(s[i:j], ".,"), true
		}
	}
	return "", false
}
