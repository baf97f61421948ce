package answer

import (
	"math"
	"regexp"
	"slices"
	"sort"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// Policy decides whether the retrieved facts answer a question, and which
// of them an answer uses. It works on coverage: the weighted share of the
// question's units (concepts, words, figures; see index.Unit) that the
// facts match. Words every fact has ("ByteDance", "AI") weigh little, words
// no fact has weigh most, so "Who is ByteDance's CEO?" — where every fact
// matches "ByteDance" and none matches "CEO" — has low coverage everywhere
// and gets "not covered" instead of a list of loosely related facts.
type Policy struct {
	// MinBest is the coverage the best single fact must reach: one fact
	// has to speak to most of the question, or combining facts would
	// answer "How many users does Jimeng have?" with Jimeng's description
	// plus Doubao's user count.
	MinBest float64
	// MinUnion is the coverage all the chosen facts together must reach.
	MinUnion float64
	// MinFact is the coverage a fact needs to be used at all.
	MinFact float64
	// MinRelScore is the share of the top BM25 score a fact needs to be used.
	MinRelScore float64
}

// DefaultPolicy is the policy measured on the evaluation set
// (answer/testdata/eval.yaml); see docs/answering.md.
func DefaultPolicy() Policy {
	return Policy{MinBest: 0.45, MinUnion: 0.7, MinFact: 0.3, MinRelScore: 0.25}
}

// reasonOnlyCommon is why a question about nothing but what every fact
// shares ("ByteDance", "AI") is not covered as it stands.
const reasonOnlyCommon = "only words most facts share are covered"

// selection is what the policy decided for one question.
type selection struct {
	hits     []index.Hit // the facts the answer uses, in answer order
	answered bool
	reason   string  // why not, for logs: "no units", "low coverage", …
	coverage float64 // union coverage of hits
	best     float64 // coverage of the best single fact
	conflict map[string][]string
}

// adviceUnits are the words of an advice request that say what the asker
// wants to do, not what they want to know; they are not held against the
// facts' coverage.
var adviceUnits = map[string]bool{
	"purchase": true, "buy": true, "sell": true, "short": true, "hold": true, "stock": true, "share": true,
	"worth": true, "good": true, "bad": true, "great": true, "smart": true, "safe": true, "wise": true,
	"recommend": true, "recommendation": true, "price": true, "target": true, "undervalu": true,
	"overvalu": true, "portfolio": true, "monei": true, "money": true, "save": true, "trade": true,
	"long": true, "bet": true, "advic": true, "financi": true, "equiti": true, "get": true,
	"solid": true, "own": true,
}

var (
	// The questions that ask for an amount, and the kinds of figure that
	// answer each.
	amountQuestions = []struct {
		re    *regexp.Regexp
		kinds []figure.Kind
	}{
		{regexp.MustCompile(`(?i)\bhow\s+much\b|\bwhat\s+(amount|sum|budget)\b`), []figure.Kind{figure.Money, figure.Number, figure.Percent}},
		{regexp.MustCompile(`(?i)\bhow\s+(big|large)\b|\bwhat\s+size\b`), []figure.Kind{figure.Money, figure.Count, figure.Number, figure.Percent}},
		{regexp.MustCompile(`(?i)\bhow\s+many\b`), []figure.Kind{figure.Count, figure.Number, figure.Duration}},
		{regexp.MustCompile(`(?i)\bhow\s+long\b`), []figure.Kind{figure.Duration}},
	}
)

func (p Policy) decide(res index.Result, question string, advice bool, cf conflicts) selection {
	sel := selection{conflict: map[string][]string{}}
	w := weigh(res.Query.Units, advice)
	if w.total == 0 || len(res.Hits) == 0 {
		sel.reason = "nothing to look up"
		if w.total > 0 && w.onlyCommon() {
			// Words in most facts are not searched at all, so a question
			// of nothing else finds no hits.
			sel.reason = reasonOnlyCommon
		}
		return sel
	}
	wanted := amountKinds(question)
	top := res.Hits[0].Score
	type cand struct {
		hit      index.Hit
		cov, rel float64
		key      float64 // the order candidates are considered in
	}
	var cands []cand
	// What each hit covers, counting the amounts it addresses; worked out
	// once for the choice below and for completing a comparison.
	hits := make([]index.Hit, len(res.Hits))
	for i, h := range res.Hits {
		h.Covered = w.addressed(h)
		hits[i] = h
	}
	for _, h := range hits {
		c := cand{hit: h, cov: w.coverage(h.Covered), rel: h.Score / top}
		if c.cov < p.MinFact || c.rel < p.MinRelScore || !w.namesAny(h.Covered) {
			continue
		}
		c.key = c.cov + c.rel/2
		// A "how much" or "how many" question is answered first by the
		// facts that state an amount of that kind.
		if wanted != nil && hasFigureOf(wanted, []index.Hit{h}) {
			c.key += 0.5
		}
		cands = append(cands, c)
	}
	if len(cands) == 0 {
		sel.reason = "no fact covers enough of the question"
		return sel
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].key > cands[j].key })

	// The best fact, then facts that cover what it does not, then facts
	// nearly as good.
	best := cands[0]
	chosen := []index.Hit{best.hit}
	union := slices.Clone(best.hit.Covered)
	for _, c := range cands[1:] {
		if len(chosen) == maxFacts {
			break
		}
		adds := false
		for i, cv := range c.hit.Covered {
			adds = adds || (cv && !union[i] && w.weights[i] > 0)
		}
		strong := c.cov >= 0.8*best.cov && c.rel >= 0.6
		if !adds && !strong {
			continue
		}
		chosen = append(chosen, c.hit)
		for i, cv := range c.hit.Covered {
			union[i] = union[i] || cv
		}
	}
	if w.comparative() {
		chosen = w.completeComparison(hits, chosen, union, cf)
	}
	sel.best, sel.coverage = best.cov, w.coverage(union)
	switch {
	case sel.best < p.MinBest || sel.coverage < p.MinUnion:
		sel.reason = "low coverage"
	case !w.informative(union):
		sel.reason = reasonOnlyCommon
	case !w.attributesCovered(union):
		sel.reason = "what the question asks about is not covered"
	case !hasFigureOf(wanted, chosen):
		sel.reason = "no figure of the kind asked for"
	default:
		sel.hits = withConflicts(chosen, res.Base, cf, sel.conflict)
		sel.answered = true
	}
	return sel
}

// weighing is a question's units with the weight the policy gives each.
type weighing struct {
	units   []index.Unit
	weights []float64
	total   float64
}

// weigh starts from each unit's inverse document frequency and adjusts the
// weights the policy knows more about.
func weigh(units []index.Unit, advice bool) weighing {
	w := weighing{units: units, weights: make([]float64, len(units))}
	var maxW float64
	for _, u := range units {
		maxW = max(maxW, u.Weight)
	}
	for i, u := range units {
		wt := u.Weight
		switch {
		case advice && adviceUnits[u.Key]:
			wt = 0
		case u.Kind == index.UnitFigure && u.Figure.Kind == figure.Year:
			// A year the question names and no fact has is a question
			// about another period.
			wt = maxW
		case u.Kind == index.UnitFigure:
			// A figure in a question is usually a premise to check; the
			// facts about the same measure answer it even when the amount
			// differs.
			wt = u.Weight / 4
		}
		w.weights[i] = wt
		w.total += wt
	}
	return w
}

// completeComparison answers a comparison with each named side's own
// figures — "How does ByteDance's AI spending compare with Microsoft's?"
// wants both amounts, not only the fact that says one is smaller. For each
// company the question names, the most specific first, it adds a fact of
// its own with a figure, while there is room for it and the reports that
// conflict with it. hits' Covered already count the amounts they address;
// the union of what the chosen facts cover is updated in place.
func (w weighing) completeComparison(hits, chosen []index.Hit, union []bool, cf conflicts) []index.Hit {
	hasFigure := func(h index.Hit) bool { return len(h.Fact.Figures) > 0 }
	slots := func(hs ...index.Hit) int {
		n := 0
		for _, h := range hs {
			n += 1 + len(cf[h.Fact.ID])
		}
		return n
	}
	// The most specific sides first: ByteDance, in every fact, last.
	order := make([]int, len(w.units))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return w.weights[order[a]] > w.weights[order[b]] })
	for _, i := range order {
		if u := w.units[i]; !u.Name || w.weights[i] == 0 {
			continue
		}
		covered := slices.ContainsFunc(chosen, func(h index.Hit) bool { return h.Covered[i] && hasFigure(h) })
		if covered {
			continue
		}
		// Any hit will do — a side's own fact covers little of a
		// question about two sides — if it names the side, states a
		// figure and speaks to what is compared.
		for _, h := range hits {
			if !h.Covered[i] || !hasFigure(h) || !w.coversAttribute(h.Covered) ||
				slices.ContainsFunc(chosen, func(c index.Hit) bool { return c.Fact.ID == h.Fact.ID }) {
				continue
			}
			if slots(append(chosen, h)...) <= maxFacts {
				chosen = append(chosen, h)
				for j, cv := range h.Covered {
					union[j] = union[j] || cv
				}
				break
			}
		}
	}
	return chosen
}

// coversAttribute reports whether an informative unit that names no
// company is covered: what the question asks about the companies.
func (w weighing) coversAttribute(covered []bool) bool {
	for i, u := range w.units {
		if covered[i] && !u.Name && u.Key != "comparison" && w.weights[i] >= informativeWeight {
			return true
		}
	}
	return false
}

// comparative reports whether the question compares named companies.
func (w weighing) comparative() bool {
	names := 0
	compare := false
	for i, u := range w.units {
		if u.Name && w.weights[i] > 0 {
			names++
		}
		compare = compare || (u.Kind == index.UnitConcept && u.Key == "comparison")
	}
	return compare && names >= 2
}

// coverage is the weighted share of the units covered.
func (w weighing) coverage(covered []bool) float64 {
	var got float64
	for i, c := range covered {
		if c {
			got += w.weights[i]
		}
	}
	return got / w.total
}

// addressed is what a hit covers, counting a question's amount as covered
// by a fact that states an amount of the same kind: "Is ByteDance investing
// $15 billion?" is answered by the facts that say how much it is.
func (w weighing) addressed(h index.Hit) []bool {
	out := slices.Clone(h.Covered)
	for i, u := range w.units {
		if out[i] || u.Kind != index.UnitFigure || u.Figure.Kind == figure.Year {
			continue
		}
		for _, g := range h.Fact.Figures {
			if sameKind(g.Value().Kind, u.Figure.Kind) {
				out[i] = true
				break
			}
		}
	}
	return out
}

// onlyCommon reports whether every unit with weight is one most facts
// share.
func (w weighing) onlyCommon() bool {
	for i := range w.units {
		if w.weights[i] >= informativeWeight {
			return false
		}
	}
	return true
}

// informative reports whether a unit that fewer than half the facts match
// is covered: words every fact shares say nothing about which answers.
func (w weighing) informative(covered []bool) bool {
	for i, c := range covered {
		if c && w.weights[i] >= informativeWeight {
			return true
		}
	}
	return false
}

// namesAny reports whether a fact names one of the companies or products
// the question names, if it names any: otherwise the fact is about
// something else.
func (w weighing) namesAny(covered []bool) bool {
	named := false
	for i, u := range w.units {
		if u.Name && w.weights[i] > 0 {
			named = true
			if covered[i] {
				return true
			}
		}
	}
	return !named
}

// attributesCovered reports whether what the question asks about a company
// — its investment, its users — is at least half covered, not just the
// company: a fact naming Tencent as a rival does not answer "What is
// Tencent's AI investment?".
func (w weighing) attributesCovered(covered []bool) bool {
	var want, got float64
	for i, u := range w.units {
		if u.Name || w.weights[i] < informativeWeight {
			continue
		}
		want += w.weights[i]
		if covered[i] {
			got += w.weights[i]
		}
	}
	return want == 0 || got >= want/2
}

// amountKinds is the kinds of figure that answer a question asking for an
// amount ("how much", "how many", "how big", "how long"); nil when it asks
// for none.
func amountKinds(question string) []figure.Kind {
	var kinds []figure.Kind
	for _, q := range amountQuestions {
		if q.re.MatchString(question) {
			kinds = append(kinds, q.kinds...)
		}
	}
	return kinds
}

// hasFigureOf reports whether a question asking for an amount is answered
// by one of the facts: it must state a figure of a kind wanted. A question
// asking for none (wanted nil) needs none.
func hasFigureOf(wanted []figure.Kind, hits []index.Hit) bool {
	if wanted == nil {
		return true
	}
	for _, h := range hits {
		for _, g := range h.Fact.Figures {
			if slices.Contains(wanted, g.Value().Kind) {
				return true
			}
		}
	}
	return false
}

// withConflicts places each chosen fact's conflicting reports right after
// it, so that they are read side by side, keeping at most maxFacts facts.
func withConflicts(chosen []index.Hit, base *knowledge.Base, cf conflicts, pairs map[string][]string) []index.Hit {
	in := map[string]bool{}
	for _, h := range chosen {
		in[h.Fact.ID] = true
	}
	var out []index.Hit
	placed := map[string]bool{}
	for _, h := range chosen {
		if placed[h.Fact.ID] {
			continue
		}
		out = append(out, h)
		placed[h.Fact.ID] = true
		for _, id := range cf[h.Fact.ID] {
			f, ok := base.Fact(id)
			if !ok {
				continue
			}
			pairs[h.Fact.ID] = append(pairs[h.Fact.ID], id)
			pairs[id] = append(pairs[id], h.Fact.ID)
			if placed[id] {
				continue
			}
			hit := index.Hit{Fact: f}
			for _, c := range chosen {
				if c.Fact.ID == id {
					hit = c
				}
			}
			if hit.Source.ID == "" {
				hit.Source, _ = base.Source(f.SourceID)
			}
			out = append(out, hit)
			placed[id] = true
		}
	}
	// Over the limit, the last facts that conflict with none go first, so
	// that no report is shown without the ones that disagree with it.
	for len(out) > maxFacts {
		drop := len(out) - 1
		for j := len(out) - 1; j > 0; j-- {
			if len(pairs[out[j].Fact.ID]) == 0 {
				drop = j
				break
			}
		}
		out = slices.Delete(out, drop, drop+1)
	}
	return out
}

// informativeWeight is the weight of a unit that half the facts match:
// BM25's idf at df = N/2 is log(1 + (N/2+0.5)/(N/2+0.5)) = ln 2.
const informativeWeight = math.Ln2

// sameKind reports whether two figure kinds measure the same sort of
// thing; a bare number goes with money or a count.
func sameKind(a, b figure.Kind) bool {
	plain := func(k figure.Kind) bool { return k == figure.Number || k == figure.Money || k == figure.Count }
	return a == b || (plain(a) && plain(b) && (a == figure.Number || b == figure.Number))
}
