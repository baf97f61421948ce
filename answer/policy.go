package answer

import (
	"math"
	"regexp"
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
	howMuch = regexp.MustCompile(`(?i)\b(how\s+much|how\s+big|what\s+(amount|sum|budget|size))\b`)
	howMany = regexp.MustCompile(`(?i)\bhow\s+many\b`)
)

func (p Policy) decide(res index.Result, question string, advice bool, cf conflicts) selection {
	sel := selection{conflict: map[string][]string{}}
	units := res.Query.Units
	weights := make([]float64, len(units))
	var maxW float64
	for _, u := range units {
		maxW = max(maxW, u.Weight)
	}
	var total float64
	for i, u := range units {
		w := u.Weight
		switch {
		case advice && adviceUnits[u.Key]:
			w = 0
		case u.Kind == index.UnitFigure && u.Figure.Kind == figure.Year:
			// A year the question names and no fact has is a question
			// about another period.
			w = maxW
		case u.Kind == index.UnitFigure:
			// A figure in a question is usually a premise to check; the
			// facts about the same measure answer it even when the amount
			// differs.
			w = u.Weight / 4
		}
		weights[i] = w
		total += w
	}
	if total == 0 || len(res.Hits) == 0 {
		sel.reason = "nothing to look up"
		return sel
	}
	// A question's amount that no fact states is still addressed by a fact
	// that states an amount of the same kind: "Is ByteDance investing
	// $15 billion?" is answered by the facts that say how much it is.
	addressed := func(h index.Hit) []bool {
		out := append([]bool(nil), h.Covered...)
		for i, u := range units {
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
	coverage := func(covered []bool) float64 {
		var got float64
		for i, c := range covered {
			if c {
				got += weights[i]
			}
		}
		return got / total
	}
	// Words every fact shares say nothing about which fact answers: at
	// least one unit that fewer than half the facts match must be covered.
	informative := func(covered []bool) bool {
		for i, c := range covered {
			if c && weights[i] >= informativeWeight {
				return true
			}
		}
		return false
	}
	// A fact that names none of the companies or products the question
	// names is about something else.
	var names []int
	for i, u := range units {
		if u.Name && weights[i] > 0 {
			names = append(names, i)
		}
	}
	namesOK := func(covered []bool) bool {
		if len(names) == 0 {
			return true
		}
		for _, i := range names {
			if covered[i] {
				return true
			}
		}
		return false
	}
	// What the question asks about a company — its investment, its users —
	// must be in the answer, not just the company: a fact naming Tencent as
	// a rival does not answer "What is Tencent's AI investment?".
	attributesCovered := func(covered []bool) bool {
		var want, got float64
		for i, u := range units {
			if u.Name || weights[i] < informativeWeight {
				continue
			}
			want += weights[i]
			if covered[i] {
				got += weights[i]
			}
		}
		return want == 0 || got >= want/2
	}
	top := res.Hits[0].Score
	type cand struct {
		hit      index.Hit
		cov, rel float64
	}
	var cands []cand
	for _, h := range res.Hits {
		h.Covered = addressed(h)
		c := cand{hit: h, cov: coverage(h.Covered), rel: h.Score / top}
		if c.cov >= p.MinFact && c.rel >= p.MinRelScore && namesOK(h.Covered) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		sel.reason = "low coverage"
		return sel
	}
	// A "how much" or "how many" question is answered first by the facts
	// that state an amount of that kind.
	key := func(c cand) float64 {
		k := c.cov + c.rel/2
		if hasFigureFor(question, []index.Hit{c.hit}) && (howMuch.MatchString(question) || howMany.MatchString(question)) {
			k += 0.5
		}
		return k
	}
	sort.SliceStable(cands, func(i, j int) bool { return key(cands[i]) > key(cands[j]) })
	best := cands[0]
	chosen := []index.Hit{best.hit}
	union := append([]bool(nil), best.hit.Covered...)
	for _, c := range cands[1:] {
		if len(chosen) == maxFacts {
			break
		}
		adds := false
		for i, cv := range c.hit.Covered {
			if cv && !union[i] && weights[i] > 0 {
				adds = true
			}
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
	sel.best, sel.coverage = best.cov, coverage(union)
	if sel.best < p.MinBest || sel.coverage < p.MinUnion || !informative(union) || !attributesCovered(union) {
		sel.reason = "low coverage"
		return sel
	}
	if !hasFigureFor(question, chosen) {
		sel.reason = "no figure of the kind asked for"
		return sel
	}
	sel.hits = withConflicts(chosen, res.Base, cf, sel.conflict)
	sel.answered = true
	return sel
}

// hasFigureFor checks a "how much" or "how many" question against the
// facts: an answer to it must state an amount.
func hasFigureFor(question string, hits []index.Hit) bool {
	wantMoney, wantCount := howMuch.MatchString(question), howMany.MatchString(question)
	if !wantMoney && !wantCount {
		return true
	}
	for _, h := range hits {
		for _, g := range h.Fact.Figures {
			switch g.Value().Kind {
			case figure.Money:
				if wantMoney {
					return true
				}
			case figure.Count, figure.Number:
				if wantCount {
					return true
				}
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
	if len(out) > maxFacts {
		out = out[:maxFacts]
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
