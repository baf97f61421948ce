package ingest

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// vocabulary is what the knowledge base knows that a draft reuses: its
// entities and their aliases, its subject, its measures (with the units
// they come in) and the units it counts things in.
type vocabulary struct {
	base       *knowledge.Base
	subject    string
	entities   []entityMatcher
	measures   []knownMeasure
	countUnits []string
	factIDs    map[string]string // fact id → source id
	sourceIDs  map[string]bool
}

type entityMatcher struct {
	name  string
	forms []*regexp.Regexp // the name and its aliases, as whole words
}

type knownMeasure struct {
	name  string
	words []string
	units map[string]bool
}

func newVocabulary(b *knowledge.Base) vocabulary {
	v := vocabulary{factIDs: map[string]string{}, sourceIDs: map[string]bool{}}
	if b == nil {
		return v
	}
	v.base = b
	v.subject = b.About().Subject
	for _, e := range b.Entities() {
		m := entityMatcher{name: e.Name}
		for _, form := range append([]string{e.Name}, e.Aliases...) {
			form = strings.TrimPrefix(form, "the ")
			if form == "" {
				continue
			}
			m.forms = append(m.forms, wordPattern(form))
		}
		v.entities = append(v.entities, m)
	}
	byName := map[string]*knownMeasure{}
	for _, s := range b.Sources {
		v.sourceIDs[s.ID] = true
	}
	for _, f := range b.Facts {
		v.factIDs[f.ID] = f.SourceID
		for _, g := range f.Figures {
			val := g.Value()
			if val.Kind == figure.Count && !slices.Contains(v.countUnits, strings.ToLower(g.Unit)) {
				v.countUnits = append(v.countUnits, strings.ToLower(g.Unit))
			}
			if g.Measure == "" || val.Kind == figure.Year {
				continue
			}
			km := byName[g.Measure]
			if km == nil {
				km = &knownMeasure{name: g.Measure, words: measureWords(g.Measure), units: map[string]bool{}}
				byName[g.Measure] = km
			}
			km.units[strings.ToLower(g.Unit)] = true
		}
	}
	for _, m := range b.Declared().Measures {
		if byName[m] == nil {
			// Declared but not used yet: any unit.
			byName[m] = &knownMeasure{name: m, words: measureWords(m)}
		}
	}
	for _, km := range byName {
		v.measures = append(v.measures, *km)
	}
	// An alias reads as its measure: "AI infrastructure budget" in a
	// sentence gives "AI infrastructure investment".
	for alias, name := range b.Declared().MeasureAliases {
		km := knownMeasure{name: name, words: measureWords(alias)}
		if m := byName[name]; m != nil {
			km.units = m.units
		}
		v.measures = append(v.measures, km)
	}
	sort.Slice(v.measures, func(i, j int) bool { return v.measures[i].name < v.measures[j].name })
	return v
}

// wordPattern matches form as whole words, case-sensitively: "BD" is an
// alias, "bd" in a word is not.
func wordPattern(form string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^\p{L}\p{N}])(` + regexp.QuoteMeta(form) + `)(?:$|[^\p{L}\p{N}])`)
}

func (e entityMatcher) firstIndex(s string) int {
	best := -1
	for _, re := range e.forms {
		if m := re.FindStringSubmatchIndex(s); m != nil && (best < 0 || m[2] < best) {
			best = m[2]
		}
	}
	return best
}

// find reports where s names the entity called name.
func (v vocabulary) find(s, name string) []int {
	for _, e := range v.entities {
		if e.name == name {
			if at := e.firstIndex(s); at >= 0 {
				return []int{at}
			}
		}
	}
	return nil
}

// canonical gives the knowledge's name for who when who is one of its
// entities or aliases: "Financial Times" → "the Financial Times".
func (v vocabulary) canonical(who string) (string, bool) {
	w := strings.TrimPrefix(strings.TrimPrefix(who, "the "), "The ")
	for _, e := range v.entities {
		for _, re := range e.forms {
			if m := re.FindStringSubmatch(w); m != nil && m[1] == w {
				return e.name, true
			}
		}
	}
	return "", false
}

// stopMeasureWords carry no meaning in a measure's name.
var stopMeasureWords = map[string]bool{"in": true, "of": true, "on": true, "for": true, "the": true, "a": true, "an": true, "and": true, "to": true, "by": true}

func measureWords(m string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(m), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !stopMeasureWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// measureFor picks the knowledge's measure for a figure: one in the same
// unit all of whose words the statement has (a word matches one sharing
// its first five letters: "investment" and "invest"). It gives "" when
// none or several fit equally, and for counts with no known measure names
// one from the entity and the words after the figure ("Doubao monthly
// active users").
func (v vocabulary) measureFor(statement string, entities []string, unit, after string) string {
	words := measureWords(statement)
	best, bestN, tie := "", 0, false
	for _, m := range v.measures {
		if len(m.units) > 0 && !m.units[strings.ToLower(unit)] {
			continue
		}
		all := true
		for _, w := range m.words {
			if !slices.ContainsFunc(words, func(s string) bool { return sameStem(s, w) }) {
				all = false
				break
			}
		}
		switch {
		case !all:
		case len(m.words) > bestN:
			best, bestN, tie = m.name, len(m.words), false
		case len(m.words) == bestN && m.name != best:
			tie = true
		}
	}
	if best != "" && !tie {
		return best
	}
	val := figure.FromUnit(1, unit)
	if val.Kind != figure.Count || len(entities) == 0 {
		return ""
	}
	// "75 million monthly active users": the words up to the unit's.
	var phrase []string
	stem := strings.TrimSuffix(strings.ToLower(unit), "s")
	for i, w := range strings.Fields(after) {
		w = strings.Trim(w, ".,;:()")
		phrase = append(phrase, w)
		if strings.HasPrefix(strings.ToLower(w), stem) || i >= 3 {
			break
		}
	}
	if len(phrase) == 0 || !strings.HasPrefix(strings.ToLower(phrase[len(phrase)-1]), stem) {
		return ""
	}
	m := entities[0] + " " + strings.Join(phrase, " ")
	if v.base != nil {
		if _, close := v.base.ClosestMeasure(m); close {
			// A near miss of a known measure would be rejected by the
			// loader; the moderator picks.
			return ""
		}
	}
	return m
}

func sameStem(a, b string) bool {
	if a == b {
		return true
	}
	n := 5
	return len(a) >= n && len(b) >= n && a[:n] == b[:n]
}

// measureHint lists the knowledge's measures for a moderator choosing one.
func (v vocabulary) measureHint() string {
	if len(v.measures) == 0 {
		return ""
	}
	names := make([]string, 0, len(v.measures))
	for _, m := range v.measures {
		names = append(names, m.name)
	}
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return strings.Join(names, "; ")
}

// capitalised runs: "Volcano Engine", "Alibaba's", "Morgan Stanley".
var nameRun = regexp.MustCompile(`\b[A-Z][\p{L}\p{N}&.-]*(?:\s+[A-Z][\p{L}\p{N}&.-]*)*`)

// unknownNames lists capitalised names in s that are neither known
// entities nor dates, leaving out the sentence's first word (which is
// capitalised anyway) unless it is possessive or the start of a longer
// name.
func (v vocabulary) unknownNames(s string, known []string) []string {
	var out []string
	for _, loc := range nameRun.FindAllStringIndex(s, -1) {
		name := strings.TrimRight(s[loc[0]:loc[1]], ".-")
		name = strings.TrimSuffix(strings.TrimSuffix(name, "'s"), "’s")
		if loc[0] == 0 && !strings.Contains(s[loc[0]:min(len(s), loc[1]+2)], "'s") && !strings.Contains(name, " ") {
			continue
		}
		if loc[0] == 0 {
			// "In 2025" and the like.
			if first, rest, ok := strings.Cut(name, " "); ok && commonCapital[first] {
				name = rest
			}
		}
		if commonCapital[name] || monthNumber(name) > 0 || len(name) <= 2 || strings.ContainsAny(name, "0123456789") ||
			acronym.MatchString(name) || demonym.MatchString(name) {
			continue
		}
		if _, ok := v.canonical(name); ok || slices.Contains(known, name) || v.namesKnown(name) {
			continue
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// namesKnown reports whether name contains a known entity ("ByteDance's
// Seed" is about a known name) — those are not new names.
func (v vocabulary) namesKnown(name string) bool {
	for _, e := range v.entities {
		if e.firstIndex(name) >= 0 {
			return true
		}
	}
	return false
}

// acronym ("GPUs", "RMB") and demonym ("European", "Chinese", "Finnish")
// single words are not names a fact is about.
var (
	acronym = regexp.MustCompile(`^[A-Z]{2,5}s?$`)
	demonym = regexp.MustCompile(`^[A-Z][a-z]+(?:ean|ian|ese|ish|can)$`)
)

// commonCapital are capitalised words that are not names.
var commonCapital = map[string]bool{
	"The": true, "A": true, "An": true, "In": true, "On": true, "At": true, "By": true, "For": true, "Its": true,
	"It": true, "This": true, "That": true, "These": true, "Those": true, "Earlier": true, "Later": true,
	"AI": true, "US": true, "U.S": true, "UK": true, "EU": true, "CEO": true, "Monday": true, "Tuesday": true,
	"Wednesday": true, "Thursday": true, "Friday": true, "Saturday": true, "Sunday": true, "Since": true,
	"But": true, "And": true, "As": true, "While": true, "Roughly": true, "About": true, "Some": true,
}

// reported is a figure a fact of the knowledge reports.
type reported struct {
	fact knowledge.Fact
	fig  knowledge.Figure
}

// sameMeasure lists the knowledge's figures of g's measure, period and unit
// with another amount: reports g may revise, or disagree with.
func (v vocabulary) sameMeasure(g draftFigure) []reported {
	if v.base == nil || g.measure == "" || g.unit == "year" {
		return nil
	}
	var out []reported
	key := knowledge.MeasureKey(g.measure)
	mine := figure.FromUnit(g.amount, g.unit)
	for _, f := range v.base.Facts {
		for _, fg := range f.Figures {
			if knowledge.MeasureKey(fg.Measure) == key && fg.Period == g.period && strings.EqualFold(fg.Unit, g.unit) && !fg.Value().Matches(mine) {
				out = append(out, reported{f, fg})
			}
		}
	}
	return out
}
