package chart

import (
	"fmt"
	"strings"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// Check holds the texts a picture draws to the cited facts, as the answer
// verifier holds text: every value, unit and period on the picture must be
// one a cited fact gives. It checks each bar's labels against the figure of
// the fact the bar names (which must be cited), and every number anywhere
// on the picture against the cited facts' figures, periods and dates. The
// facts it reads are spec.Facts, taken from the knowledge, not the bars'
// own copies.
func Check(spec Spec, texts []Text) error {
	cited := map[string]knowledge.Fact{}
	var allowed []figure.Value
	for _, f := range spec.Facts {
		cited[f.ID] = f
		for _, g := range f.Figures {
			allowed = append(allowed, g.Value())
			allowed = append(allowed, figure.Parse(g.Period)...)
		}
		allowed = append(allowed, yearOf(f.AsOf)...)
	}
	for _, t := range spec.SourceTitles {
		allowed = append(allowed, figure.Parse(t)...)
	}
	allowed = append(allowed, yearOf(spec.AsOf)...)

	var problems []string
	for _, t := range texts {
		for _, v := range figure.Parse(t.Text) {
			if !containsExact(allowed, v) {
				problems = append(problems, fmt.Sprintf("%s %q shows %q, which no cited fact gives", t.Role, t.Text, v.Text))
			}
		}
	}

	// Each bar: its labels against its fact's figure.
	perBar := map[int]map[string][]string{}
	for _, t := range texts {
		if t.Bar < 0 {
			continue
		}
		if perBar[t.Bar] == nil {
			perBar[t.Bar] = map[string][]string{}
		}
		perBar[t.Bar][t.Role] = append(perBar[t.Bar][t.Role], t.Text)
	}
	for i, b := range spec.Bars {
		f, ok := cited[b.FactID]
		if !ok {
			problems = append(problems, fmt.Sprintf("bar %d draws fact %q, which is not cited", i+1, b.FactID))
			continue
		}
		g, ok := figureOf(f, b.Figure)
		if !ok {
			problems = append(problems, fmt.Sprintf("bar %d draws %s, which fact %q does not give", i+1, b.Figure, f.ID))
			continue
		}
		labels := perBar[i]
		if len(labels["entity"])+len(labels["measure"]) == 0 {
			problems = append(problems, fmt.Sprintf("bar %d has no label saying whose figure it is", i+1))
		}
		value := strings.Join(labels["value"], " ")
		vals := figure.Parse(value)
		if len(vals) != 1 || !sameQuantity(vals[0], g.Value()) {
			problems = append(problems, fmt.Sprintf("bar %d is labelled %q, but fact %q gives %s", i+1, value, f.ID, g.Value()))
		}
		if g.Qualifier != "" && !strings.HasPrefix(value, g.Qualifier+" ") {
			problems = append(problems, fmt.Sprintf("bar %d is labelled %q without the source's %q", i+1, value, g.Qualifier))
		}
		if period, want := strings.Join(labels["period"], " "), PeriodLabel(g, f.AsOf); period != want {
			problems = append(problems, fmt.Sprintf("bar %d's period is %q, but fact %q gives %q", i+1, period, f.ID, want))
		}
		if m := strings.Join(labels["measure"], " "); m != "" && !strings.EqualFold(m, g.Measure) && !strings.EqualFold(m, MeasureLabel(b.Entity, g.Measure)) {
			problems = append(problems, fmt.Sprintf("bar %d is labelled %q, but fact %q measures %q", i+1, m, f.ID, g.Measure))
		}
		if ent := strings.Join(labels["entity"], " "); ent != "" && !containsFold(f.Entities, ent) {
			problems = append(problems, fmt.Sprintf("bar %d is labelled %q, which fact %q does not name", i+1, ent, f.ID))
		}
		if attr := strings.Join(labels["attribution"], " "); attr != "" && attr != "per "+f.Attribution {
			problems = append(problems, fmt.Sprintf("bar %d is attributed %q, but fact %q was reported by %s", i+1, attr, f.ID, f.Attribution))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("chart: the picture shows what the cited facts do not say:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// figureOf finds the fact's figure a bar draws: same amount, unit, measure
// and period.
func figureOf(f knowledge.Fact, want knowledge.Figure) (knowledge.Figure, bool) {
	for _, g := range f.Figures {
		if g == want {
			return g, true
		}
	}
	return knowledge.Figure{}, false
}

// sameQuantity is figure.Matches, stricter about units: a count of apps is
// not a count of users, and money needs the same currency.
func sameQuantity(a, b figure.Value) bool {
	if !a.Matches(b) || a.Kind != b.Kind {
		return false
	}
	return a.Unit == b.Unit && strings.EqualFold(a.Currency, b.Currency)
}

func containsExact(vals []figure.Value, v figure.Value) bool {
	for _, o := range vals {
		if sameQuantity(v, o) {
			return true
		}
	}
	return false
}

func yearOf(d knowledge.Date) []figure.Value {
	if d.IsZero() {
		return nil
	}
	return []figure.Value{{Kind: figure.Year, Amount: float64(d.Year)}}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
