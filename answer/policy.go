package answer

import (
	"math"
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
	// EverydayZipf and RareZipf weigh a question's words that no concept
	// claims by how common they are in everyday English (Zipf scale, see
	// internal/wordfreq): a word at least as common as EverydayZipf ("a
	// lot", "lets", "around") says nothing about the topic and weighs
	// nothing, a word rarer than RareZipf ("valuation") weighs fully, and
	// the words between in proportion. Concepts, names and figures are the
	// domain's own words and keep their full weight.
	EverydayZipf, RareZipf float64
	// UnknownShare is the share of its weight a word keeps that is no
	// everyday English word, no word of the knowledge and no name the
	// vocabulary knows ("incl", "bussin", "compair"): as often slang or a
	// misspelling as a topic. A name written capitalised keeps it all.
	UnknownShare float64
	// MinTopics is how many of its topical units — concepts, figures, rare
	// words — the best fact must cover when the question names no company
	// or product: "is the server down" shares one word with the facts
	// about data centres, "how much are they spending on data centres" two.
	MinTopics int
}

// DefaultPolicy is the policy fitted on the training questions
// (answer/testdata/eval.yaml and the training writers of testdata/people
// and testdata/fictional, listed in testdata/people/README.md) and judged
// on the held-out ones; see docs/answering.md.
func DefaultPolicy() Policy {
	return Policy{MinBest: 0.45, MinUnion: 0.7, MinFact: 0.3, MinRelScore: 0.25,
		EverydayZipf: 4.0, RareZipf: 2.5, UnknownShare: 0.5, MinTopics: 2}
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
	// closest are the facts that came nearest to a question they do not
	// answer, best first; nil when answered or nothing came close.
	closest  []index.Hit
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
	"solid": true, "own": true, "share_price": true, "valuation": true,
}

func (p Policy) decide(res index.Result, question string, advice bool, cf conflicts) selection {
	sel := p.decideWhole(res, question, advice, cf)
	if (sel.reason == reasonNotAboutAll || sel.reason == reasonLowCoverage) && res.Query.NamesTogether {
		// "How much did Acme and Globex spend?": no fact is about both,
		// but each may have its own. Answered name by name when every
		// name's own facts answer the rest; "How much did Microsoft spend
		// on Nvidia chips?" is not, since nothing says what Nvidia spent.
		if s, ok := p.decideByName(res, question, advice, cf); ok {
			return s
		}
	}
	if !sel.answered {
		// "ai capex 2024 vs 2025": no fact gives both years, but each
		// year may have its own.
		if s, ok := p.decideByYear(res, question, advice, cf); ok {
			return s
		}
	}
	return sel
}

// decideByYear decides for each year a question names, the other years set
// aside, and joins the answers; ok only when it names two years or more
// and every year is answered.
func (p Policy) decideByYear(res index.Result, question string, advice bool, cf conflicts) (selection, bool) {
	var years []int
	for i, u := range res.Query.Units {
		if u.Kind == index.UnitFigure && u.Figure.Kind == figure.Year {
			years = append(years, i)
		}
	}
	if len(years) < 2 {
		return selection{}, false
	}
	return decideEach(res, years, func(part index.Result) selection {
		return p.decideWhole(part, question, advice, cf)
	})
}

// decideEach decides with decide for each of the units given, the others
// set aside, and joins the answers; ok only when every one is answered.
func decideEach(res index.Result, units []int, decide func(part index.Result) selection) (selection, bool) {
	joined := selection{conflict: map[string][]string{}, answered: true, best: 1, coverage: 1}
	for _, keep := range units {
		drop := map[int]bool{}
		for _, i := range units {
			drop[i] = i != keep
		}
		s := decide(withoutUnits(res, drop))
		if !s.answered {
			return selection{}, false
		}
		for _, h := range s.hits {
			if !slices.ContainsFunc(joined.hits, func(x index.Hit) bool { return x.Fact.ID == h.Fact.ID }) {
				joined.hits = append(joined.hits, h)
			}
		}
		for k, v := range s.conflict {
			joined.conflict[k] = append(joined.conflict[k], v...)
		}
		joined.best, joined.coverage = min(joined.best, s.best), min(joined.coverage, s.coverage)
	}
	if len(joined.hits) > maxFacts+2 {
		joined.hits = joined.hits[:maxFacts+2]
	}
	return joined, true
}

// reasonLowCoverage is why a question the facts speak to too little of is
// not answered.
const reasonLowCoverage = "low coverage"

// reasonNotAboutAll is why a question about several names no fact is
// about together is not answered as a whole.
const reasonNotAboutAll = "no fact is about every name the question asks about"

// decideByName decides for each name the question asks about, the other
// names set aside, and joins the answers; ok only when every name is
// answered.
func (p Policy) decideByName(res index.Result, question string, advice bool, cf conflicts) (selection, bool) {
	var names []int
	for i, u := range res.Query.Units {
		if u.Name && u.Kind == index.UnitConcept && u.Weight > 0 {
			names = append(names, i)
		}
	}
	strict := 0
	joined, ok := decideEach(res, names, func(part index.Result) selection {
		s := p.decideWhole(part, question, advice, cf)
		if s.answered {
			strict++
		} else if s.reason == reasonAttributes {
			// One side's fact may speak to less of what is asked ("spent
			// $20 billion" for "spend on data centres") as long as another
			// side's speaks to all of it.
			s = p.decideWhole(part, question, advice, cf, relaxAttributes)
		}
		return s
	})
	return joined, ok && len(names) >= 2 && strict > 0
}

// reasonAttributes is why a question is not answered when the facts name
// what it asks about but not what it asks of it.
const reasonAttributes = "what the question asks about is not covered"

// decideOption relaxes one check of decideWhole.
type decideOption int

const relaxAttributes decideOption = 1

// withoutUnits is res with some of the question's units left out, and the
// hits' evidence for them.
func withoutUnits(res index.Result, drop map[int]bool) index.Result {
	keep := func(xs []bool) []bool {
		var out []bool
		for i, x := range xs {
			if !drop[i] {
				out = append(out, x)
			}
		}
		return out
	}
	out := res
	out.Query.Units = nil
	for i, u := range res.Query.Units {
		if !drop[i] {
			out.Query.Units = append(out.Query.Units, u)
		}
	}
	out.Hits = make([]index.Hit, len(res.Hits))
	for i, h := range res.Hits {
		h.Covered, h.About, h.Measured = keep(h.Covered), keep(h.About), keep(h.Measured)
		out.Hits[i] = h
	}
	return out
}

// decideWhole decides on the question as a whole.
func (p Policy) decideWhole(res index.Result, question string, advice bool, cf conflicts, opts ...decideOption) selection {
	sel := selection{conflict: map[string][]string{}}
	w := p.weigh(res.Query.Units, advice)
	w.comparesByForm = comparativeForm.MatchString(question)
	if w.total == 0 || len(res.Hits) == 0 {
		sel.reason = "nothing to look up"
		if w.total > 0 && w.onlyCommon() {
			// Words in most facts are not searched at all, so a question
			// of nothing else finds no hits.
			sel.reason = reasonOnlyCommon
		}
		return sel
	}
	wanted := res.Query.Wants
	implicit := wanted == nil && !res.Query.AsksOther && (advice || !res.Query.YesNo)
	list := listQuestion.MatchString(question)
	var top float64 // the best BM25 score; hits come in Rank order
	for _, h := range res.Hits {
		top = max(top, h.Score)
	}
	var cands []candidate
	// What each hit covers, counting the amounts it addresses; worked out
	// once for the choice below and for completing a comparison.
	hits := make([]index.Hit, len(res.Hits))
	for i, h := range res.Hits {
		h.Covered = w.addressed(h)
		if len(cf[h.Fact.ID]) > 0 {
			// "FT's number vs the other report's": a fact that other
			// reports contradict is answered beside them, which is the
			// comparison asked for.
			for j, u := range w.units {
				if u.Kind == index.UnitConcept && u.Key == index.ComparisonConcept {
					h.Covered[j] = true
				}
			}
		}
		hits[i] = h
	}
	comparative := w.comparative()
	for _, h := range hits {
		c := candidate{hit: h, cov: w.coverage(h.Covered), rel: h.Score / top}
		// A fact stating an amount of what is asked ("AI infrastructure
		// investment", asked about "ai spending") is a candidate however
		// much more often another fact uses the question's words.
		amountOf := ((wanted != nil && hasFigureOf(wanted, []index.Hit{h})) || (implicit && w.aboutAll(h))) && w.measured(h)
		// In a comparison, a fact that speaks of two of the names compared
		// answers it, whichever of them it is about.
		if c.cov < p.MinFact || (c.rel < p.MinRelScore && !amountOf) || (!w.aboutAny(h) && !(comparative && w.namesCovered(h) >= 2)) || h.Contradicts {
			continue
		}
		c.key = c.cov + c.rel/2
		// A question about two names ("is ByteDance Microsoft's biggest
		// customer") is answered first by a fact about both.
		if !comparative && w.aboutAll(h) {
			c.key += 0.25
		}
		// A fact sharing only names and dates with the question comes
		// after every fact that speaks to what it asks.
		if !w.coversAsked(h.Covered) {
			c.key--
		}
		// A "how much" or "how many" question is answered first by the
		// facts that state an amount of that kind; "bytedance ai capex",
		// asking nothing else of what the figures measure, by the facts
		// that state an amount of it.
		if (wanted != nil && hasFigureOf(wanted, []index.Hit{h})) || (implicit && amountOf) {
			c.key += 0.5
		}
		// "list of bytedance ai apps" is answered first by the fact that
		// names them.
		if list && len(h.Fact.Entities) >= minListed {
			c.key += 0.75
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
		if !comparative && !w.speaksForAll(c.hit) {
			// "How much did the FT say ByteDance will invest in total?"
			// is not answered by the FT's AI figure beside the report's
			// total: a fact not about every name asked about completes
			// nothing.
			continue
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
	if comparative {
		chosen = w.completeComparison(hits, chosen, union, cf)
		if w.everySideHasFigures(chosen) {
			// Each side's own figure, side by side, is the comparison.
			for i, u := range w.units {
				if u.Kind == index.UnitConcept && index.IsComparison(u.Key) {
					union[i] = true
				}
			}
		}
	}
	sel.best, sel.coverage = best.cov, w.coverage(union)
	sel.closest = closestOf(cands)
	switch {
	case (sel.best < p.MinBest && !comparative) || sel.coverage < p.MinUnion:
		// In a comparison each side's fact speaks to its own side: only
		// the facts together need to cover the question.
		sel.reason = reasonLowCoverage
	case comparative && !w.coversAttribute(best.hit.Covered) && w.asksAttribute():
		// "Is ByteDance outspending Tencent on AI infrastructure?" is not
		// answered by its being ahead of Tencent in apps.
		sel.reason = "the comparison is not of what is asked"
	case !comparative && !w.speaksForAll(best.hit):
		// "How many AI apps does Baidu have?" is not answered by
		// ByteDance's apps, whichever fact mentions Baidu.
		sel.reason = reasonNotAboutAll
	case !w.named() && w.topics(best.hit.Covered) < p.MinTopics:
		sel.reason = "too little of the question is the sources' topic"
	case !comparative && !w.coversYears(best.hit.Covered):
		// "ByteDance's total investment in 2024" is not answered by the
		// total for 2025 with another fact's 2024 beside it.
		sel.reason = "the best fact is about another period"
	case !w.coversAsked(best.hit.Covered) && !(comparative && w.everySideHasFigures(chosen)):
		// "ByteDance's total investment in 2024" is not answered by a
		// fact that shares only the name and the year.
		sel.reason = "the best fact shares only names and dates with the question"
	case !w.informative(union) && !asksWhen(wanted, chosen):
		sel.reason = reasonOnlyCommon
	case w.onlyNames() && !asksSomething(question) && wordCount(question) > maxKeywords:
		// "doubao is kinda fun to talk to ngl" names Doubao and asks
		// nothing of it; "doubao?", "doubao mau" and "what is doubao" do.
		sel.reason = "a remark about a name, not a question"
	case !advice && !asksSomething(question) && wordCount(question) > maxKeywords && tellsOwnStory.MatchString(question):
		// "tried dreamina last night it made the most cursed video" tells
		// of the writer, in the first person or the past, and asks
		// nothing.
		sel.reason = "a remark, not a question"
	case !w.attributesCovered(union) && !slices.Contains(opts, relaxAttributes):
		sel.reason = reasonAttributes
	case !hasFigureOf(wanted, w.ofYears(w.aboutAllOf(chosen, comparative), comparative)),
		implicit && !comparative && w.namesYear() && slices.ContainsFunc(hits, w.measured) &&
			!slices.ContainsFunc(w.ofYears(w.aboutAllOf(chosen, comparative), comparative), w.measured):
		// "How much did Microsoft spend on Nvidia chips?" is not answered
		// by what ByteDance spent on them, nor "sorabit ai capex 2026" by
		// a plan for 2026 that states no spending.
		sel.reason = "no figure of the kind asked for"
	case whereQuestion.MatchString(question) && len(best.hit.Places) == 0:
		// "Where are ByteDance's new data centres being built?" is not
		// answered by how much they cost.
		sel.reason = "no place given"
	case portionQuestion.MatchString(question) && !hasPortion(w.aboutAllOf(chosen, comparative), res.Query.Figures, shareAsked.MatchString(question) || wholeNamed(question, res.Analyser)):
		// "What % of Microsoft's $55.7 billion went to AI?" is not
		// answered by the $55.7 billion itself.
		sel.reason = "no share of the whole asked about"
	default:
		sel.hits = withConflicts(chosen, res.Base, cf, sel.conflict)
		sel.answered = true
		sel.closest = nil
	}
	if !sel.answered && ((!w.named() && w.topics(best.hit.Covered) < p.MinTopics) || sel.reason == reasonOnlyCommon) {
		// Chatter that shares a word with a fact, or only what every fact
		// is about, gets no "closest facts".
		sel.closest = nil
	}
	return sel
}

// minListed is how many entities a fact names to be the list a list
// question asks for.
const minListed = 4

// measured reports whether one of a fact's figures measures something the
// question asks about besides the names it gives.
func (w weighing) measured(h index.Hit) bool {
	for i, u := range w.units {
		if i < len(h.Measured) && h.Measured[i] && !u.Name && w.weights[i] >= informativeWeight {
			return true
		}
	}
	return false
}

// maxClosest bounds the facts shown as closest to a question they do not
// answer.
const maxClosest = 3

// candidate is a hit the policy may use, with how well it does.
type candidate struct {
	hit      index.Hit
	cov, rel float64
	key      float64 // the order candidates are considered in
}

// closestOf is the best candidates, for a question none of them answers.
func closestOf(cands []candidate) []index.Hit {
	var out []index.Hit
	for _, c := range cands {
		if len(out) == maxClosest {
			break
		}
		out = append(out, c.hit)
	}
	return out
}

// weighing is a question's units with the weight the policy gives each.
type weighing struct {
	units   []index.Unit
	weights []float64
	total   float64
	// comparesByForm is set when the question's grammar compares — "more
	// apps than", "doing against" — in words the analysis drops.
	comparesByForm bool
}

// weigh starts from each unit's inverse document frequency and adjusts the
// weights the policy knows more about.
func (p Policy) weigh(units []index.Unit, advice bool) weighing {
	w := weighing{units: units, weights: make([]float64, len(units))}
	var maxW float64
	for _, u := range units {
		maxW = max(maxW, u.Weight)
	}
	w.units = slices.Clone(units)
	for i, u := range w.units {
		if u.Kind == index.UnitTerm && u.Name && u.Zipf >= p.EverydayZipf {
			// A word the facts capitalise that is an everyday word in a
			// question ("Times" of the Financial Times, "time") names
			// nothing there.
			u.Name = false
			w.units[i] = u
		}
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
		case u.Kind == index.UnitTerm && !u.Name && u.Zipf > 0 && !u.Capital:
			wt = u.Weight * p.rarity(u.Zipf)
		case u.Kind == index.UnitTerm && !u.Name && u.Zipf == 0 && !u.Capital && !u.Letter && !u.Foreign:
			wt = u.Weight * p.UnknownShare
		case (u.Letter || u.Foreign) && !u.Name:
			wt = 0 // a letter split off a word, or a word of a script with no frequencies, cannot be judged alone
		}
		w.weights[i] = wt
		w.total += wt
	}
	return w
}

// rarity is how much of its weight a word keeps for how common it is in
// everyday English: none at EverydayZipf and above, all below RareZipf.
func (p Policy) rarity(zipf float64) float64 {
	if p.EverydayZipf <= p.RareZipf {
		return 1
	}
	return min(1, max(0, (p.EverydayZipf-zipf)/(p.EverydayZipf-p.RareZipf)))
}

// entity reports whether unit i names a company, product or person — one
// the knowledge or the vocabulary knows as such, not merely a word the
// facts capitalise ("Asia", "Company") — and counts in the question.
func (w weighing) entity(i int) bool {
	u := w.units[i]
	return u.Name && u.Kind == index.UnitConcept && w.weights[i] > 0
}

// names is the units that name a company or product.
func (w weighing) names() []int {
	var out []int
	for i := range w.units {
		if w.entity(i) {
			out = append(out, i)
		}
	}
	return out
}

// named reports whether the question names a company or product.
func (w weighing) named() bool {
	for i := range w.units {
		if w.entity(i) {
			return true
		}
	}
	return false
}

// aboutAny reports whether a fact is about one of the companies or
// products the question names, if it names any — not merely mentioning it.
func (w weighing) aboutAny(h index.Hit) bool {
	named := false
	for i := range w.units {
		if w.entity(i) {
			named = true
			if h.About[i] {
				return true
			}
		}
	}
	return !named
}

// aboutAll reports whether a fact is about every company and product the
// question names.
func (w weighing) aboutAll(h index.Hit) bool {
	for i := range w.units {
		if w.entity(i) && !h.About[i] {
			return false
		}
	}
	return true
}

// speaksForAll reports whether a fact speaks for every name the question
// asks about: it is about each, or — when the question names three or
// more, as in "how many apps has ByteDance got, is it beating Baidu and
// Tencent" — it is about one and speaks of all the others. "How many AI
// apps does Baidu have?" is not answered by ByteDance's that mention Baidu.
func (w weighing) speaksForAll(h index.Hit) bool {
	if w.aboutAll(h) {
		return true
	}
	names := w.names()
	return len(names) >= 3 && w.namesCovered(h) == len(names) && w.aboutAny(h)
}

// aboutAllOf is the facts that speak for every name the question asks
// about; in a comparison, every fact speaks for its own side.
func (w weighing) aboutAllOf(hits []index.Hit, comparative bool) []index.Hit {
	if comparative {
		return hits
	}
	var out []index.Hit
	for _, h := range hits {
		if w.speaksForAll(h) {
			out = append(out, h)
		}
	}
	return out
}

// coversAsked reports whether a fact covers something the question asks
// besides its names and years — a concept, an amount, a rare word — when
// the question asks anything besides them.
func (w weighing) coversAsked(covered []bool) bool {
	asks := false
	for i, u := range w.units {
		if w.weights[i] == 0 || u.Name || (u.Kind == index.UnitFigure && u.Figure.Kind == figure.Year) {
			continue
		}
		if u.Kind == index.UnitTerm && w.weights[i] < u.Weight/2 {
			continue // a word nearly as common as everyday ones
		}
		asks = true
		if covered[i] {
			return true
		}
	}
	return !asks
}

// topics counts the covered units that carry the question's topic:
// concepts, figures and words rarer than everyday ones.
func (w weighing) topics(covered []bool) int {
	n := 0
	for i, u := range w.units {
		if !covered[i] || w.weights[i] == 0 {
			continue
		}
		if u.Kind != index.UnitTerm || u.Name || w.weights[i] >= u.Weight/2 {
			n++
		}
	}
	return n
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

// asksAttribute reports whether the question asks about something besides
// the names it gives and the comparison itself.
func (w weighing) asksAttribute() bool {
	for i := range w.units {
		if w.attribute(i) {
			return true
		}
	}
	return false
}

// everySideHasFigures reports whether, for each name a comparison gives,
// one of the facts about it states a figure: "is Baram Lens bigger than
// Nuri Studio" compares what the facts count of each.
func (w weighing) everySideHasFigures(hits []index.Hit) bool {
	for _, i := range w.names() {
		if !slices.ContainsFunc(hits, func(h index.Hit) bool { return h.About[i] && len(h.Fact.Figures) > 0 }) {
			return false
		}
	}
	return true
}

// coversAttribute reports whether an informative unit that names no
// company is covered: what the question asks about the companies.
func (w weighing) coversAttribute(covered []bool) bool {
	for i := range w.units {
		if covered[i] && w.attribute(i) {
			return true
		}
	}
	return false
}

// attribute reports whether unit i is something the question asks of the
// companies it names: informative, no name, not the comparison itself.
func (w weighing) attribute(i int) bool {
	u := w.units[i]
	return !u.Name && u.Key != index.ComparisonConcept && w.weights[i] >= informativeWeight
}

// comparative reports whether the question compares named companies.
func (w weighing) comparative() bool {
	names := 0
	compare := false
	for i, u := range w.units {
		if w.entity(i) {
			names++
		}
		compare = compare || (u.Kind == index.UnitConcept && index.IsComparison(u.Key))
	}
	return (compare || w.comparesByForm) && names >= 2
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
	// A fact that speaks of two of the names a question compares ("ahead
	// of rivals Baidu and Tencent") is itself a comparison of them.
	names := 0
	for i := range w.units {
		if w.entity(i) && out[i] {
			names++
		}
	}
	for i, u := range w.units {
		if names >= 2 && index.IsComparison(u.Key) && u.Kind == index.UnitConcept {
			out[i] = true
		}
	}
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

// maxKeywords is the most words a message of bare keywords ("doubao
// users pls") has; a longer one that is no question and asks nothing but a
// name is a remark.
const maxKeywords = 5

// onlyNames reports whether every unit that weighs names a company or
// product: the question asks nothing of the names it gives.
func (w weighing) onlyNames() bool {
	for i, u := range w.units {
		if w.weights[i] > 0 && !u.Name {
			return false
		}
	}
	return true
}

// namesCovered counts the names of the question a fact speaks of, as its
// subject or in passing.
func (w weighing) namesCovered(h index.Hit) int {
	n := 0
	for i := range w.units {
		if w.entity(i) && h.Covered[i] {
			n++
		}
	}
	return n
}

// asksAboutSources reports whether a question asks about the sources
// themselves — how old they are, where they come from — and about nothing
// the facts could answer: "where's this info from" does, "what share of
// Sorabit's compute comes from Altamira" does not.
func asksAboutSources(p Policy, res index.Result, advice bool) bool {
	if !res.Query.AboutSources {
		return false
	}
	// The phrasing of such a question is its own words and dates; a
	// concept or a name only some facts have is a topic of the facts.
	w := p.weigh(res.Query.Units, advice)
	for i, u := range w.units {
		if u.Kind == index.UnitConcept && w.weights[i] >= informativeWeight {
			return false
		}
	}
	return true
}

// ofYears is the facts that cover every year the question names: "how
// much did ByteDance spend in 2024" is not answered by the amount for 2025
// beside a fact that speaks of 2024. In a comparison every fact speaks
// for its own side.
func (w weighing) ofYears(hits []index.Hit, comparative bool) []index.Hit {
	if comparative {
		return hits
	}
	var out []index.Hit
	for _, h := range hits {
		if w.coversYears(h.Covered) {
			out = append(out, h)
		}
	}
	return out
}

// namesYear reports whether the question names a year.
func (w weighing) namesYear() bool {
	for _, u := range w.units {
		if u.Kind == index.UnitFigure && u.Figure.Kind == figure.Year {
			return true
		}
	}
	return false
}

// coversYears reports whether a fact covers every year the question names.
func (w weighing) coversYears(covered []bool) bool {
	for i, u := range w.units {
		if u.Kind == index.UnitFigure && u.Figure.Kind == figure.Year && !covered[i] {
			return false
		}
	}
	return true
}

// namesSubject reports whether a question names something the sources are
// about: a company or product the knowledge knows, or a word most facts
// share ("ByteDance", "AI"). "What is ByteDance doing in AI?" and "Should I
// buy ByteDance?" do; "who won the super bowl" and "my portfolio is cooked",
// whose words no fact has or only everyday ones, do not.
func namesSubject(units []index.Unit) bool {
	for _, u := range units {
		if u.Kind == index.UnitConcept && u.Name && u.InFacts {
			return true
		}
		if u.Kind != index.UnitFigure && !u.Letter && u.Weight > 0 && u.Weight < informativeWeight {
			return true
		}
	}
	return false
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

// asksWhen reports whether a question asking for a time ("since when",
// "when did") is answered by a year the facts give: what it asks is then
// covered, even when its other words are only what every fact is about.
func asksWhen(wanted []figure.Kind, hits []index.Hit) bool {
	return slices.Equal(wanted, []figure.Kind{figure.Year}) && hasFigureOf(wanted, hits)
}

// hasPortion reports whether a fact states a part of a whole: a percentage,
// or an amount besides the wholes the question itself gives. When the
// question gives no whole and asks no share — "how much of ByteDance's
// cash goes into data centres" — the amount itself is the part.
func hasPortion(hits []index.Hit, given []figure.Value, share bool) bool {
	for _, h := range hits {
		amounts := 0
		for _, g := range h.Fact.Figures {
			v := g.Value()
			switch {
			case v.Kind == figure.Percent:
				return true
			case v.Kind == figure.Money || v.Kind == figure.Number || v.Kind == figure.Count:
				if !slices.ContainsFunc(given, v.Matches) {
					amounts++
				}
			}
		}
		if amounts >= 2 || (amounts == 1 && len(given) == 0 && !share) {
			return true
		}
	}
	return false
}

// hasFigureOf reports whether a question asking for an amount is answered
// by one of the facts: it must state a figure of a kind wanted. A question
// asking for none (wanted nil) needs none.
func hasFigureOf(wanted []figure.Kind, hits []index.Hit) bool {
	if wanted == nil {
		return true
	}
	return slices.ContainsFunc(hits, func(h index.Hit) bool { return h.Fact.StatesKind(wanted...) })
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
