// Package chart draws the figures an answer's cited facts give: a bar chart
// of amounts of one kind and unit, each bar labelled with the entity, the
// period and the value as the source states it, conflicting reports side by
// side with who reported each, the sources and the knowledge's as-of date in
// a footnote. Like the answer text, a chart shows nothing that is not in a
// cited fact: Plan takes every bar from a cited figure, and Render refuses a
// picture whose labels carry a value, unit or period that no cited fact
// gives (Check).
//
// The package reads answers and knowledge; it does not answer anything
// itself. Callers ask answer.Engine as they would for text and chart the
// Answer they got: one answering path.
package chart

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// MinBars is the fewest comparable figures worth a chart.
const MinBars = 2

// MaxBars bounds the bars of one chart; an answer cites at most a few facts,
// so this is only a guard for legibility at phone width.
const MaxBars = 8

// ErrNotChartable is returned (wrapped, as a *NotChartableError) when the
// cited facts hold fewer than MinBars comparable figures.
var ErrNotChartable = errors.New("nothing to chart")

// NotChartableError says why an answer has no chart.
type NotChartableError struct {
	Reason string // for the reader: "the cited facts give only one figure ($12B)"
}

func (e *NotChartableError) Error() string { return "nothing to chart: " + e.Reason }

// Is makes errors.Is(err, ErrNotChartable) true.
func (e *NotChartableError) Is(target error) bool { return target == ErrNotChartable }

func notChartable(format string, args ...any) error {
	return &NotChartableError{Reason: fmt.Sprintf(format, args...)}
}

// Bar is one drawn figure and where it comes from.
type Bar struct {
	N           int    // the citation's [n]
	FactID      string // the cited fact
	Attribution string // who reported it
	Entity      string // whose figure it is: "Microsoft"
	Measure     string // what it measures, as the fact says
	Figure      knowledge.Figure
	Value       string // the value as the source states it: "more than $10B"
	Period      string // "2025", "FY to June 2024", "as of December 2024"
	// Conflict is set when another bar reports the same measure for the same
	// period with a different amount and a different attribution: the two
	// are drawn side by side, each with its attribution.
	Conflict bool
	Group    int // bars of one conflict share a group; 0 for a bar alone
}

// Source is one line of the footnote.
type Source struct {
	Ns          []int // the citations it covers
	Attribution string
	Title       string
	AsOf        knowledge.Date
}

// Spec is what a chart shows, worked out from an answer before anything is
// drawn. It depends only on the index version and the cited facts (in
// order), never on the question's wording, so it can be cached by them.
type Spec struct {
	Title        string
	Subtitle     string // the unit: "US dollars", "users"
	Bars         []Bar
	Sources      []Source
	AsOf         knowledge.Date // the knowledge's as-of date
	IndexVersion string
	FactIDs      []string // the cited facts, in citation order
	Omitted      int      // cited figures of another kind or unit, not drawn
	// Facts are the cited facts as the knowledge states them, and
	// SourceTitles their sources' titles: what Check holds the picture to.
	Facts        []knowledge.Fact
	SourceTitles []string
}

// Key identifies a chart: the index version and the cited facts in order.
func (s Spec) Key() string { return KeyOf(s.IndexVersion, s.FactIDs) }

// KeyOf is the cache key of a chart of factIDs from the index version.
func KeyOf(version string, factIDs []string) string {
	return version + "|" + strings.Join(factIDs, ",")
}

// ErrStale means the knowledge given is not the one the answer came from
// (the index was swapped in between): ask again.
var ErrStale = errors.New("chart: the index changed since the answer; ask again")

// Plan works out the chart of an answer from the knowledge it came from
// (base must be the index generation whose version the answer reports).
// It returns a *NotChartableError when the cited facts hold fewer than
// MinBars comparable figures.
func Plan(a answer.Answer, base *knowledge.Base) (Spec, error) {
	if !a.Answered || len(a.Citations) == 0 {
		return Spec{}, notChartable("the sources do not cover the question, so there is no figure to draw")
	}
	if base == nil {
		return Spec{}, errors.New("chart: no knowledge base")
	}
	if a.IndexVersion != "" && base.Version() != a.IndexVersion {
		return Spec{}, ErrStale
	}
	facts := make([]knowledge.Fact, 0, len(a.Citations))
	ns := make([]int, 0, len(a.Citations))
	for _, c := range a.Citations {
		f, ok := base.Fact(c.FactID)
		if !ok {
			return Spec{}, fmt.Errorf("chart: cited fact %q is not in knowledge %s", c.FactID, base.Version())
		}
		facts = append(facts, f)
		ns = append(ns, c.N)
	}
	spec, err := plan(facts, ns, base)
	if err != nil {
		return Spec{}, err
	}
	spec.IndexVersion = base.Version()
	return spec, nil
}

// Chartable reports whether an answer's cited facts hold at least MinBars
// comparable figures.
func Chartable(a answer.Answer, base *knowledge.Base) bool {
	_, err := Plan(a, base)
	return err == nil
}

// candidate is a cited figure before grouping.
type candidate struct {
	bar  Bar
	kind string // what it may be compared with: "money USD", "count user"
	pos  int    // order of appearance
}

func plan(facts []knowledge.Fact, ns []int, base *knowledge.Base) (Spec, error) {
	var cands []candidate
	groups := map[string][]candidate{}
	var order []string
	for i, f := range facts {
		for _, g := range f.Figures {
			kind, ok := comparableKind(g)
			if !ok {
				continue
			}
			c := candidate{kind: kind, pos: len(cands), bar: Bar{
				N: ns[i], FactID: f.ID, Attribution: f.Attribution, Entity: entityOf(f, g),
				Measure: g.Measure, Figure: g, Value: ValueLabel(g), Period: PeriodLabel(g, f.AsOf),
			}}
			cands = append(cands, c)
			if _, seen := groups[kind]; !seen {
				order = append(order, kind)
			}
			groups[kind] = append(groups[kind], c)
		}
	}
	if len(cands) == 0 {
		return Spec{}, notChartable("the cited facts give no amount to draw")
	}
	best := order[0]
	for _, k := range order[1:] {
		if len(groups[k]) > len(groups[best]) {
			best = k
		}
	}
	chosen := dedupe(groups[best])
	if len(chosen) < MinBars {
		if len(cands) >= MinBars {
			return Spec{}, notChartable("the cited figures are not comparable (%s): a chart never puts different kinds or units on one axis", describe(cands))
		}
		return Spec{}, notChartable("the cited facts give only one figure (%s)", describe(cands))
	}
	if len(chosen) > MaxBars {
		chosen = chosen[:MaxBars]
	}
	bars := make([]Bar, len(chosen))
	for i, c := range chosen {
		bars[i] = c.bar
	}
	bars = markConflicts(bars)
	spec := Spec{
		Bars:     bars,
		Title:    title(bars),
		Subtitle: unitName(bars[0].Figure),
		AsOf:     base.LatestAsOf(),
		Omitted:  len(cands) - len(chosen),
	}
	drawn := map[string]bool{}
	for _, b := range bars {
		drawn[b.FactID] = true
	}
	var srcFacts []knowledge.Fact
	var srcNs []int
	for i, f := range facts {
		spec.FactIDs = append(spec.FactIDs, f.ID)
		spec.Facts = append(spec.Facts, f)
		if s, ok := base.Source(f.SourceID); ok {
			spec.SourceTitles = append(spec.SourceTitles, s.Title)
		}
		if drawn[f.ID] {
			srcFacts, srcNs = append(srcFacts, f), append(srcNs, ns[i])
		}
	}
	spec.Sources = sources(srcFacts, srcNs, base)
	return spec, nil
}

// comparableKind names what a figure can share an axis with; years (a date,
// not an amount) and figures without a measure are never drawn.
func comparableKind(g knowledge.Figure) (string, bool) {
	if g.Measure == "" || g.Amount <= 0 || math.IsInf(g.Amount, 0) || math.IsNaN(g.Amount) {
		return "", false
	}
	v := g.Value()
	switch v.Kind {
	case figure.Year:
		return "", false
	case figure.Money:
		return "money " + v.Currency, true
	case figure.Count:
		return "count " + v.Unit, true
	case figure.Duration:
		return "duration " + v.Unit, true
	case figure.Percent:
		return "percent", true
	}
	return "number", true
}

// dedupe keeps one bar for a figure stated twice by the same reporter.
func dedupe(cs []candidate) []candidate {
	var out []candidate
	for _, c := range cs {
		dup := false
		for _, o := range out {
			if o.bar.Entity == c.bar.Entity && o.bar.Period == c.bar.Period &&
				strings.EqualFold(o.bar.Attribution, c.bar.Attribution) &&
				knowledge.MeasureKey(o.bar.Measure) == knowledge.MeasureKey(c.bar.Measure) && o.bar.Figure.Value().Matches(c.bar.Figure.Value()) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

func describe(cs []candidate) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, c.bar.Measure+": "+c.bar.Value)
	}
	return strings.Join(parts, "; ")
}

// markConflicts finds bars that report the same measure and period with
// different amounts and attributions, and moves each such group together,
// where its first member stood.
func markConflicts(bars []Bar) []Bar {
	group := make([]int, len(bars))
	next := 0
	for i := range bars {
		for j := 0; j < i; j++ {
			a, b := bars[j], bars[i]
			if knowledge.MeasureKey(a.Measure) != knowledge.MeasureKey(b.Measure) || a.Period != b.Period || a.Entity != b.Entity ||
				strings.EqualFold(a.Attribution, b.Attribution) || a.Figure.Value().Matches(b.Figure.Value()) {
				continue
			}
			if group[j] == 0 {
				next++
				group[j] = next
			}
			if group[i] == 0 {
				group[i] = group[j]
			}
		}
	}
	out := make([]Bar, 0, len(bars))
	placed := make([]bool, len(bars))
	for i := range bars {
		if placed[i] {
			continue
		}
		if group[i] == 0 {
			out = append(out, bars[i])
			placed[i] = true
			continue
		}
		for j := i; j < len(bars); j++ {
			if group[j] == group[i] && !placed[j] {
				b := bars[j]
				b.Conflict, b.Group = true, group[i]
				out = append(out, b)
				placed[j] = true
			}
		}
	}
	return out
}

// entityOf is whose figure it is: the entity the measure starts with
// ("Doubao monthly active users"), else the fact's first entity, which by
// the knowledge's convention is its subject.
func entityOf(f knowledge.Fact, g knowledge.Figure) string {
	m := strings.ToLower(g.Measure)
	for _, e := range f.Entities {
		if strings.HasPrefix(m, strings.ToLower(e)+" ") {
			return e
		}
	}
	if len(f.Entities) > 0 {
		return f.Entities[0]
	}
	return "—"
}

// ValueLabel writes a figure compactly, with its qualifier, as the source
// states it: "$55.7B", "more than $10B", "75M users", "up to 15%".
func ValueLabel(g knowledge.Figure) string {
	v := g.Value()
	var s string
	switch v.Kind {
	case figure.Money:
		s = figure.CurrencySymbol(v.Currency) + compact(v.Amount)
	case figure.Count:
		s = compact(v.Amount)
		if v.Unit != "" {
			s += " " + strings.Fields(v.String())[len(strings.Fields(v.String()))-1]
		}
	default:
		s = v.String()
	}
	if g.Qualifier != "" {
		s = g.Qualifier + " " + s
	}
	return s
}

// compact writes 55.7e9 as "55.7B", 75e6 as "75M", 12500 as "12,500".
func compact(x float64) string {
	for _, s := range []struct {
		size float64
		name string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}} {
		if math.Abs(x) >= s.size {
			return strconv.FormatFloat(math.Round(x/s.size*1000)/1000, 'f', -1, 64) + s.name
		}
	}
	return figure.FromUnit(x, "").String()
}

// PeriodLabel writes a figure's period for a reader: "2025", "FY to June
// 2024"; a figure with no period is dated by its fact: "as of December 2024".
func PeriodLabel(g knowledge.Figure, asOf knowledge.Date) string {
	p := strings.TrimSpace(g.Period)
	if p == "" {
		if asOf.IsZero() {
			return ""
		}
		return "as of " + asOf.Human()
	}
	for _, prefix := range []string{"FY ending ", "fiscal year ending ", "FY ended ", "fiscal year ended "} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			if d, err := knowledge.ParseDate(rest); err == nil && d.Month != 0 {
				return fmt.Sprintf("FY to %s %d", time.Month(d.Month), d.Year)
			}
		}
	}
	if d, err := knowledge.ParseDate(p); err == nil {
		return d.Human()
	}
	return p
}

// unitName says what the axis counts.
func unitName(g knowledge.Figure) string {
	v := g.Value()
	switch v.Kind {
	case figure.Money:
		switch v.Currency {
		case "USD":
			return "US dollars"
		case "CNY":
			return "yuan (RMB)"
		case "EUR":
			return "euros"
		case "GBP":
			return "pounds sterling"
		case "HKD":
			return "Hong Kong dollars"
		case "JPY":
			return "yen"
		}
		return v.Currency
	case figure.Percent:
		return "percent"
	case figure.Count, figure.Duration:
		f := strings.Fields(figure.FromUnit(2, g.Unit).String())
		return f[len(f)-1]
	}
	return "amounts"
}

// title names what is compared: the measure when every bar measures the
// same thing, else the entities.
func title(bars []Bar) string {
	same := true
	for _, b := range bars[1:] {
		if knowledge.MeasureKey(b.Measure) != knowledge.MeasureKey(bars[0].Measure) {
			same = false
		}
	}
	if same {
		return capitalise(bars[0].Measure)
	}
	var ents []string
	for _, b := range bars {
		if !contains(ents, b.Entity) {
			ents = append(ents, b.Entity)
		}
	}
	switch len(ents) {
	case 1:
		return ents[0] + ": the cited figures"
	default:
		return strings.Join(ents[:len(ents)-1], ", ") + " and " + ents[len(ents)-1] + ": the cited figures"
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sources groups the citations by who reported them in which source.
func sources(facts []knowledge.Fact, ns []int, base *knowledge.Base) []Source {
	var out []Source
	for i, f := range facts {
		title := f.SourceID
		if s, ok := base.Source(f.SourceID); ok {
			title = s.Title
		}
		found := false
		for j := range out {
			if out[j].Attribution == f.Attribution && out[j].Title == title && out[j].AsOf == f.AsOf {
				out[j].Ns = append(out[j].Ns, ns[i])
				found = true
				break
			}
		}
		if !found {
			out = append(out, Source{Ns: []int{ns[i]}, Attribution: f.Attribution, Title: title, AsOf: f.AsOf})
		}
	}
	return out
}

// Line writes a footnote line: "[1][3] the Financial Times, as of January
// 2025 — title". The date comes before the title, so a line cut to fit a
// narrow picture keeps it.
func (s Source) Line() string {
	var b strings.Builder
	for _, n := range s.Ns {
		fmt.Fprintf(&b, "[%d]", n)
	}
	b.WriteString(" " + s.Attribution)
	if !s.AsOf.IsZero() {
		b.WriteString(", as of " + s.AsOf.Human())
	}
	b.WriteString(" — " + s.Title)
	return b.String()
}

// MeasureLabel is what a bar measures, without the entity its label
// already names: "Alphabet spending on chips" under "Alphabet" is
// "spending on chips".
func MeasureLabel(entity, measure string) string {
	if rest, ok := cutPrefixFold(measure, entity+" "); ok && rest != "" {
		return rest
	}
	return measure
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
