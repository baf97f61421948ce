package index

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// analyzer is the English analyzer the index uses for its text fields, so
// that the terms we reason about in Go are exactly the indexed terms.
type analyzer struct {
	a analysis.Analyzer
}

func newAnalyzer() (*analyzer, error) {
	a, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		return nil, fmt.Errorf("index: english analyzer: %w", err)
	}
	return &analyzer{a: a}, nil
}

// terms analyses text into its indexed terms, in order.
func (an *analyzer) terms(text string) []string {
	ts := an.a.Analyze([]byte(text))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}

// termSpans is terms with where each term's word stands in text.
func (an *analyzer) termSpans(text string) ([]string, [][2]int) {
	ts := an.a.Analyze([]byte(text))
	terms := make([]string, 0, len(ts))
	spans := make([][2]int, 0, len(ts))
	for _, t := range ts {
		terms = append(terms, string(t.Term))
		spans = append(spans, [2]int{t.Start, t.End})
	}
	return terms, spans
}

// withoutFigures blanks out the figures in text: the analyzer would split
// "$12 billion" into "12" and "billion" and "$12B" into "12b", so figures are
// indexed separately, normalised, and kept out of the text terms.
func withoutFigures(text string, figs []figure.Value) string {
	if len(figs) == 0 {
		return text
	}
	b := []byte(text)
	for _, f := range figs {
		for i := f.Start; i < f.End && i < len(b); i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

// figureTokens gives the index tokens of a list of figures, each once.
func figureTokens(figs []figure.Value) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range figs {
		for _, t := range f.Tokens() {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}
