package knowledge

import (
	"sort"
	"strings"

	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// Value gives the figure as the figure package normalises numbers found in
// text, so the two can be compared. Unit decides the kind: a currency code
// (USD, CNY, EUR, GBP, JPY) is money, "percent" a percentage, "year" a
// calendar year, "days", "weeks", "months" or "years" a duration, and
// anything else a count of that thing ("users" → Unit "user").
func (g Figure) Value() figure.Value {
	return figure.FromUnit(g.Amount, g.Unit)
}

// String gives the figure for messages to a moderator:
// "more than $10 billion (AI infrastructure investment)".
func (g Figure) String() string {
	s := g.Value().String()
	if g.Qualifier != "" {
		s = g.Qualifier + " " + s
	}
	if g.Measure != "" {
		s += " (" + g.Measure + ")"
	}
	return s
}

// checkFigures checks that the structured figures and the statement agree:
// every figure must be stated, and (when complete) every number stated must
// have a figure, because answers are verified against the figures and
// searched by them.
func checkFigures(statement string, statementLine int, figures []Figure, figureLines []int, complete bool, p *problemList) {
	found := figure.Parse(statement)
	given := make([]figure.Value, len(figures))
	for i, g := range figures {
		given[i] = g.Value()
		if !figure.Contains(found, given[i]) {
			p.add(figureLines[i], "figure %s does not appear in the statement", g)
		}
	}
	if !complete {
		return
	}
	for _, v := range found {
		if !figure.Contains(given, v) {
			p.add(statementLine, "statement mentions %q but no figure gives it", v.Text)
		}
	}
}

// MeasureKey normalises what a figure measures so that two wordings of one
// measure compare equal: "AI infrastructure investment" and "investment in
// AI infrastructure" are one measure, whose reports may conflict.
func MeasureKey(m string) string {
	words := strings.FieldsFunc(strings.ToLower(m), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	kept := words[:0]
	for _, w := range words {
		switch w {
		case "in", "of", "on", "for", "the", "a", "an", "planned", "plan":
			continue
		}
		kept = append(kept, w)
	}
	sort.Strings(kept)
	return strings.Join(kept, " ")
}
