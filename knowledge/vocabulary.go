package knowledge

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/bytewatch/bytewatch/internal/editdist"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// Declared is the vocabulary a knowledge base declares in base.yaml: the
// measures its figures measure, the units they are in and any periods
// beyond the standard forms (see PeriodForms). Figures that use other words
// are reported by the loader, because answers compare reports only when
// their measure, unit and period are written alike: "AI infrastructure
// spending" beside "AI infrastructure investment" hides a conflict.
type Declared struct {
	Measures []string
	// MeasureAliases maps other wordings of a declared measure to it:
	// "AI infrastructure spending" → "AI infrastructure investment". A
	// figure must use the measure's name; a draft may read an alias.
	MeasureAliases map[string]string
	Units          []string
	Periods        []string
}

// PeriodForms are the periods every base may use without declaring them.
const PeriodForms = `"2025", "2025-01", "2025-01-15", "2025-2027", "Q1 2025", "H1 2025", "FY ending 2025-06" or "FY ending 2025-06-30"`

var periodForm = regexp.MustCompile(`^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|\d{4}-\d{4}|[QH][1-4] \d{4}|FY ending \d{4}-\d{2}(?:-\d{2})?)$`)

// periodHints turn common other spellings into the standard form.
var periodHints = []struct {
	re   *regexp.Regexp
	hint func(m []string) string
}{
	{regexp.MustCompile(`(?i)^(?:FY|fiscal(?:\s+year)?)\s*'?(\d{2}|\d{4})$`), func(m []string) string {
		return fmt.Sprintf(`"FY ending %s-MM" (the month the fiscal year ends), or "%s" for the calendar year`, fullYear(m[1]), fullYear(m[1]))
	}},
	{regexp.MustCompile(`(?i)^(?:(\d{4})\s*-?\s*Q([1-4])|Q([1-4])\s*[-/']?\s*(\d{2}|\d{4})|([1-4])Q\s*'?(\d{2}|\d{4}))$`), func(m []string) string {
		q, y := m[2]+m[3]+m[5], m[1]+m[4]+m[6]
		return fmt.Sprintf(`"Q%s %s"`, q, fullYear(y))
	}},
	{regexp.MustCompile(`^(\d{4})\s*[/–]\s*(\d{2}|\d{4})$`), func(m []string) string {
		return fmt.Sprintf(`"%s-%s"`, m[1], fullYear(m[2]))
	}},
	{regexp.MustCompile(`(?i)^(?:the\s+)?(?:end\s+of\s+|year[\s-]end\s+)(\d{4})$`), func(m []string) string {
		return fmt.Sprintf(`"%s-12"`, m[1])
	}},
	{regexp.MustCompile(`(?i)^(?:calendar\s+(?:year\s+)?|CY\s*)(\d{4})$`), func(m []string) string { return `"` + m[1] + `"` }},
	{regexp.MustCompile(`(?i)^([a-z]+)\.?\s+(\d{4})$`), func(m []string) string {
		for i, name := range monthNames {
			if len(m[1]) >= 3 && strings.HasPrefix(strings.ToLower(name), strings.ToLower(m[1])) {
				return fmt.Sprintf(`"%s-%02d"`, m[2], i+1)
			}
		}
		return ""
	}},
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

func fullYear(y string) string {
	if len(y) == 2 {
		return "20" + y
	}
	return y
}

// checkPeriod says what is wrong with a period, or "" when it is a
// standard form or a declared one.
func checkPeriod(p string, declared []string) string {
	if p == "" || periodForm.MatchString(p) || slices.Contains(declared, p) {
		return ""
	}
	for _, h := range periodHints {
		if m := h.re.FindStringSubmatch(strings.TrimSpace(p)); m != nil {
			if hint := h.hint(m); hint != "" {
				return fmt.Sprintf("period %q is not a form the knowledge uses: write %s, so that reports of the same period are compared", p, hint)
			}
		}
	}
	return fmt.Sprintf("period %q is not a form the knowledge uses (%s) nor declared under periods: in base.yaml", p, PeriodForms)
}

// sameUnit reports whether two units name the same thing in other words:
// "dollars" and "USD", "user" and "users", "%" and "percent".
func sameUnit(a, b string) bool {
	if a == b || a == "year" || b == "year" {
		// "year" is the calendar year; "years" a duration.
		return false
	}
	va, vb := figure.FromUnit(1, a), figure.FromUnit(1, b)
	return va.Kind == vb.Kind && va.Currency == vb.Currency && va.Unit == vb.Unit
}

// closestUnit finds the known unit u means, and whether it is a spelling of
// it (an error) rather than a likely typo.
func closestUnit(u string, known []string) (string, bool) {
	for _, k := range known {
		if sameUnit(u, k) {
			return k, true
		}
	}
	best, bestD := "", 3
	for _, k := range known {
		vu, vk := figure.FromUnit(1, u), figure.FromUnit(1, k)
		if u == "year" || k == "year" || vu.Kind != vk.Kind {
			// "years" is a duration, "year" the calendar year; "EUR" is no
			// typo of "USD".
			continue
		}
		if vu.Kind == figure.Money {
			continue
		}
		if d := editdist.Levenshtein(strings.ToLower(u), strings.ToLower(k)); d < bestD && d <= len(k)/3 {
			best, bestD = k, d
		}
	}
	return best, false
}

// measureWords are a measure's meaningful words, as MeasureKey has them.
func measureWordSet(m string) []string {
	return strings.Fields(MeasureKey(m))
}

// closeMeasure reports whether measure m is likely another wording of
// known: the same words in another order, one word swapped ("spending" for
// "investment") with at least two in common, or a typo.
//
// Measures that differ in a name (names holds the base's entity names,
// lower-case: "Dalbit monthly active users" and "Ttokttok monthly active
// users") or in how often they count ("daily" and "monthly") are different
// measures, not wordings of one.
func closeMeasure(m, known string, names map[string]bool) bool {
	if m == known {
		return false
	}
	a, b := measureWordSet(m), measureWordSet(known)
	if strings.Join(a, " ") == strings.Join(b, " ") {
		return true
	}
	var onlyA, onlyB []string
	for _, w := range a {
		if !slices.Contains(b, w) {
			onlyA = append(onlyA, w)
		}
	}
	for _, w := range b {
		if !slices.Contains(a, w) {
			onlyB = append(onlyB, w)
		}
	}
	for _, w := range append(onlyA, onlyB...) {
		if names[w] || frequencyWords[w] {
			return false
		}
	}
	common := len(a) - len(onlyA)
	if common >= 2 && len(onlyA) <= 1 && len(onlyB) <= 1 {
		return true
	}
	d := editdist.Levenshtein(strings.ToLower(m), strings.ToLower(known))
	return d > 0 && d*8 <= len(known)
}

// frequencyWords tell measures of different things apart.
var frequencyWords = map[string]bool{"daily": true, "weekly": true, "monthly": true, "quarterly": true,
	"annual": true, "yearly": true, "cumulative": true, "total": true, "average": true, "peak": true}

// entityWords are the lower-case words of every entity name and alias.
func entityWords(entities []Entity) map[string]bool {
	out := map[string]bool{}
	for _, e := range entities {
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			for _, w := range measureWordSet(n) {
				out[w] = true
			}
		}
	}
	return out
}

// ClosestMeasure is the declared (or, when the base declares none, used)
// measure that m most likely means, when m is not one itself: a draft
// should not invent a measure the loader would then reject.
func (b *Base) ClosestMeasure(m string) (string, bool) {
	known := b.declared.Measures
	if len(known) == 0 {
		known = usedMeasures(b.Facts)
	}
	if slices.Contains(known, m) {
		return "", false
	}
	if name, ok := b.declared.aliasOf(m); ok {
		return name, true
	}
	names := entityWords(b.entities)
	for _, k := range known {
		if closeMeasure(m, k, names) {
			return k, true
		}
	}
	return "", false
}

// UnitSpelling is how the base writes unit u: "USD" for "dollars",
// "users" for "user"; u itself when the base knows no other spelling.
func (b *Base) UnitSpelling(u string) string {
	known := b.declared.Units
	if len(known) == 0 {
		for _, f := range b.Facts {
			for _, g := range f.Figures {
				known = append(known, g.Unit)
			}
		}
	}
	if slices.Contains(known, u) {
		return u
	}
	if k, same := closestUnit(u, known); same {
		return k
	}
	return u
}

// aliasOf finds the declared measure m is an alias of, whatever its case.
func (d Declared) aliasOf(m string) (string, bool) {
	for alias, name := range d.MeasureAliases {
		if strings.EqualFold(alias, m) {
			return name, true
		}
	}
	return "", false
}

// Declared is the vocabulary base.yaml declares.
func (b *Base) Declared() Declared { return b.declared }

func usedMeasures(facts []Fact) []string {
	var out []string
	for _, f := range facts {
		for _, g := range f.Figures {
			if g.Measure != "" && g.Unit != "year" && !slices.Contains(out, g.Measure) {
				out = append(out, g.Measure)
			}
		}
	}
	return out
}

// vocabularyProblems checks every figure's measure, unit and period against
// what the base declares — or, where it declares nothing, against what the
// other facts use. A spelling of a known unit, a period in a non-standard
// form and a measure close to a declared one are errors (answers would
// silently stop comparing them); a new measure or unit is a warning that
// names it, for the moderator to declare.
func vocabularyProblems(files []*sourceFile, d Declared) (errs, warns []Problem) {
	units := d.Units
	if len(units) == 0 {
		for _, sf := range files {
			for _, df := range sf.facts {
				for _, g := range df.fact.Figures {
					if !slices.Contains(units, g.Unit) && !slices.ContainsFunc(units, func(u string) bool { return sameUnit(g.Unit, u) }) {
						units = append(units, g.Unit)
					}
				}
			}
		}
	}
	measures := d.Measures
	declaredMeasures := len(measures) > 0
	if !declaredMeasures {
		for _, sf := range files {
			for _, df := range sf.facts {
				measures = append(measures, usedMeasures([]Fact{df.fact})...)
			}
		}
	}
	warnedMeasure := map[string]bool{}
	var sources []Source
	var facts []Fact
	for _, sf := range files {
		sources = append(sources, sf.source)
		for _, df := range sf.facts {
			facts = append(facts, df.fact)
		}
	}
	names := entityWords(mergeEntities(sources, facts))
	for _, sf := range files {
		file := sf.source.File
		for _, df := range sf.facts {
			for i, g := range df.fact.Figures {
				at := df.figures[i]
				if !slices.Contains(units, g.Unit) {
					switch k, same := closestUnit(g.Unit, units); {
					case same:
						errs = append(errs, Problem{File: file, Line: at.unit, Msg: fmt.Sprintf("unit %q: the knowledge writes this unit %q; use that, so that figures in it are compared", g.Unit, k)})
					case k != "":
						errs = append(errs, Problem{File: file, Line: at.unit, Msg: fmt.Sprintf("unit %q is not declared; did you mean %q? (or declare it under units: in base.yaml)", g.Unit, k)})
					case len(d.Units) > 0:
						warns = append(warns, Problem{File: file, Line: at.unit, Warning: true, Msg: fmt.Sprintf("unit %q is not declared under units: in base.yaml; declare it if it is right", g.Unit)})
					}
				}
				if msg := checkPeriod(g.Period, d.Periods); msg != "" {
					errs = append(errs, Problem{File: file, Line: at.period, Msg: msg})
				}
				if g.Measure == "" || g.Unit == "year" || (declaredMeasures && slices.Contains(measures, g.Measure)) {
					continue
				}
				close := ""
				for _, k := range measures {
					if closeMeasure(g.Measure, k, names) {
						close = k
						break
					}
				}
				if name, ok := d.aliasOf(g.Measure); ok {
					errs = append(errs, Problem{File: file, Line: at.measure, Msg: fmt.Sprintf("measure %q is an alias of %q in base.yaml: write %q, so that reports of it are compared", g.Measure, name, name)})
					continue
				}
				switch {
				case close != "" && declaredMeasures:
					errs = append(errs, Problem{File: file, Line: at.measure, Msg: fmt.Sprintf("measure %q is not declared; the closest declared measure is %q: use it, so that reports of it are compared, or declare the new one under measures: in base.yaml", g.Measure, close)})
				case close != "":
					warns = append(warns, Problem{File: file, Line: at.measure, Warning: true, Msg: fmt.Sprintf("measure %q is written %q elsewhere: if they are one measure, write them alike so that reports of it are compared", g.Measure, close)})
				case declaredMeasures && !warnedMeasure[g.Measure]:
					warnedMeasure[g.Measure] = true
					warns = append(warns, Problem{File: file, Line: at.measure, Warning: true, Msg: fmt.Sprintf("measure %q is not declared under measures: in base.yaml; declare it if it is a new measure", g.Measure)})
				}
			}
		}
	}
	return errs, warns
}
