package index

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// UnitKind says what a question unit is.
type UnitKind string

// The kinds of question unit.
const (
	UnitConcept UnitKind = "concept" // a vocabulary concept: "investment"
	UnitTerm    UnitKind = "term"    // an analysed word no concept claimed: "jimeng"
	UnitFigure  UnitKind = "figure"  // a figure: "$12 billion"
)

// Unit is one thing a question asks about. Coverage — how much of a
// question a fact speaks to — is the weighted share of units it matches.
type Unit struct {
	Kind UnitKind
	Key  string // concept name, analysed term, or the figure's text
	// Weight is the unit's inverse document frequency: words in every fact
	// ("ByteDance", "AI") weigh little, words in none weigh most.
	Weight float64
	// Name is set for units that name a company, product or person.
	Name bool
	// InFacts is set when some fact has the concept or word: "Tesla", a
	// name the vocabulary knows, is in none of ByteDance's facts.
	InFacts bool
	// Figure is the figure a UnitFigure stands for.
	Figure figure.Value
	// Letter is set for a term that is one letter the analyzer split off a
	// word ("是" of a Chinese sentence): alone it says nothing of the
	// topic; the names and terms the vocabulary knows in such scripts are
	// matched whole.
	Letter bool
	// Capital is set for a term written capitalised inside a sentence of
	// the question ("a Mars colony"): the asker wrote it as a name, whatever
	// its everyday frequency.
	Capital bool
	// Foreign is set for a word no fact uses in a script the everyday
	// English frequencies cannot judge (Hangul, katakana, Cyrillic…):
	// "얼마야" may be "how much" or a topic, and is weighed as neither.
	Foreign bool
	// Zipf is how common the word behind a term is in everyday English
	// (see internal/wordfreq), 0 when it is no everyday word: "lot" is
	// 5.8, "revenue" 3.4, a name or a typo 0.
	Zipf float64
}

// Query is a question as the index understood it.
type Query struct {
	Text        string
	Units       []Unit
	Terms       []string          // analysed terms, corrections applied
	Free        []string          // the terms no concept claimed
	Concepts    []string          // concepts found
	Figures     []figure.Value    // figures in the question
	Corrections map[string]string // misspelt word → the known word used instead
	// Wants is the kinds of figure the question asks for ("how many":
	// a count); nil when it asks for no amount.
	Wants []figure.Kind
	// AsksOther is set when the question asks something besides an amount
	// or a description — why, who, where, when, which, how — and YesNo
	// when it asks whether something is so. A question with neither
	// ("bytedance ai capex", "what's doubao's mau") asks for the amount of
	// what it names.
	AsksOther, YesNo bool
	// AboutSources is set when the question asks about the sources
	// themselves: how old they are, where they come from.
	AboutSources bool
	// NamesTogether is set when the question names two companies or
	// products or more side by side — "Microsoft and Alphabet", "msft vs
	// googl" — with nothing but stop words or a comparison between, so
	// that what it asks is asked of each; "Microsoft's spending on Nvidia
	// chips" names two, not side by side.
	NamesTogether bool
	// Contrasts maps each concept the question asks about to the concepts
	// that exclude it and that the question does not ask about itself
	// (see Hit.Contradicts).
	Contrasts map[string][]string
}

// Hit is one fact that matched, with its evidence.
type Hit struct {
	Fact   knowledge.Fact
	Source knowledge.Source
	Score  float64 // BM25's
	// Rank orders the hits: Score, raised for a fact stating an amount of
	// the kind the question asks for (Query.Wants), more when its figures
	// measure what is asked about.
	Rank float64
	// Covered[i] reports whether the fact matches Query.Units[i].
	Covered []bool
	// About[i] reports, for a unit that names a company or product,
	// whether the fact is about it (one of its entities, or who reported
	// it) rather than only mentioning it.
	About []bool
	// Coverage is the weighted share of the question's units the fact matches, 0 to 1.
	Coverage float64
	// Places are the places the fact speaks of (the vocabulary's places:
	// China, the United States, Asia …), for questions asking where.
	Places []string
	// Measured[i] reports whether one of the fact's figures measures
	// Query.Units[i]: "capex" is what "AI infrastructure investment"
	// measures, so the fact states an amount of what was asked.
	Measured []bool
	// Contradicts is set when the fact is about a concept that excludes
	// one the question asks about: spending outside China, asked about
	// spending inside it; a customer in Asia, asked about one in Europe.
	Contradicts bool
}

// Result is the answer to one search: the hits and the generation they came
// from.
type Result struct {
	Query   Query
	Hits    []Hit
	Base    *knowledge.Base
	Version string
	Took    time.Duration
	// Analyser analyses text as this generation does, with the knowledge's
	// own names: what the answer verifier checks an LLM's sentences with.
	Analyser *Analyser
}

// narrowFrom is the index size from which searches are focused on the
// question's rarer clauses; below it every search is broad, and cheap.
const narrowFrom = 2000

// Search finds the facts that best match question, at most limit of them.
func (ix *Index) Search(ctx context.Context, question string, limit int) (Result, error) {
	start := time.Now()
	g, err := ix.acquire()
	if err != nil {
		return Result{}, err
	}
	defer g.mu.RUnlock()
	res := Result{Base: g.base, Version: g.base.Version(), Analyser: g.analyser}
	q, err := ix.parse(g, question)
	if err != nil {
		return res, err
	}
	res.Query = q
	cs := ix.clauses(g, q)
	if len(cs) == 0 || limit <= 0 {
		res.Took = time.Since(start)
		return res, nil
	}
	// Twice the limit, then ties broken by id here: the same question gets
	// the same facts every time (Bleve breaks ties by internal document
	// number, which differs between builds), without paying Bleve to load
	// the id of every candidate.
	sr, err := g.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(bleveQuery(focus(cs, g.n)), 2*limit, 0, false))
	if err != nil {
		return res, fmt.Errorf("index: search: %w", err)
	}
	for _, h := range sr.Hits {
		f, ok := g.base.Fact(h.ID)
		if !ok {
			continue
		}
		src, _ := g.base.Source(f.SourceID)
		hit := Hit{Fact: f, Source: src, Score: h.Score}
		hit.Covered, hit.About, hit.Coverage = ix.cover(g, q, f)
		hit.Measured = measured(g.evidence[f.ID], q)
		hit.Contradicts = contradicts(q.Contrasts, g.evidence[f.ID].concepts)
		hit.Rank = hit.Score
		if q.Wants == nil && !q.AsksOther && !q.YesNo && measuresAsked(q, hit.Measured) {
			// "doubao mau": the fact stating the amount of what is named.
			hit.Rank *= wantedBoost
		}
		// A fact about what the question names, and little else, ranks
		// before one naming it among others: "what does Jimeng do" is
		// Jimeng's fact before Dreamina's, which names Jimeng as its
		// original. Names in most facts (the sources' subject) don't count.
		if n := len(f.Entities); n > 0 {
			named := 0
			for i, u := range q.Units {
				if u.Name && u.Kind == UnitConcept && hit.About[i] && u.Weight >= math.Ln2 {
					named++
				}
			}
			hit.Rank *= 1 + focusBoost*float64(min(named, n))/float64(n)
		}
		if q.Wants != nil && f.StatesKind(q.Wants...) {
			hit.Rank *= wantedBoost
			if measuresAsked(q, hit.Measured) {
				// … and more when it measures what is asked about.
				hit.Rank *= wantedBoost
			}
		}
		for _, c := range g.evidence[f.ID].concepts {
			if g.vocab.IsPlace(c) {
				hit.Places = append(hit.Places, c)
			}
		}
		res.Hits = append(res.Hits, hit)
	}
	sortByRank(res.Hits)
	if len(res.Hits) > limit {
		res.Hits = res.Hits[:limit]
	}
	res.Took = time.Since(start)
	return res, nil
}

// parse turns a question into units: figures first (so "$12 billion" is one
// unit, not "12" and "billion"), then terms with misspellings corrected
// against the index's own dictionary, then concepts.
func (ix *Index) parse(g *generation, question string) (Query, error) {
	q := Query{Text: question}
	text := g.vocab.expand(question)
	text = resolveRelativeTime(text, g.asOf)
	text, fixes := g.spell.correct(text, ix.qstopRaw, func(w string) bool {
		// A form of a known word ("GPUs" of "GPU") is no typo.
		for _, t := range ix.an.terms(w) {
			if g.df[t] > 0 || g.vocab.byFirst[t] != nil {
				return true
			}
		}
		return false
	})
	q.Corrections = fixes
	q.Wants = amountKinds(question)
	q.AsksOther, q.YesNo = asksOther.MatchString(question), yesNoQuestion.MatchString(question)
	q.Figures = figure.Parse(text)
	// Concepts are matched before question words are dropped, so that
	// "people use" can still mean monthly users while a bare "used" is no
	// topic.
	stripped := normaliseText(withoutFigures(text, q.Figures))
	terms, spans := ix.an.termSpans(stripped)
	q.AboutSources = g.vocab.asksAboutSources(text)
	concepts, claimedBy, cspans := g.vocab.match(terms)
	for i, t := range terms {
		if claimedBy[i] != "" || !ix.qstop[t] {
			q.Terms = append(q.Terms, t)
		}
	}
	q.Concepts = concepts
	q.NamesTogether = namesTogether(g.vocab, cspans, stripped, spans)
	// What the question asks about includes what its concepts imply: "going
	// global or stuck in China" asks about both sides.
	asked := slices.Clone(concepts)
	for _, c := range concepts {
		for _, b := range g.vocab.implies[c] {
			if !slices.Contains(asked, b) {
				asked = append(asked, b)
			}
		}
	}
	for _, c := range concepts {
		for _, other := range g.vocab.Contrasts(c) {
			if !slices.Contains(asked, other) {
				if q.Contrasts == nil {
					q.Contrasts = map[string][]string{}
				}
				q.Contrasts[c] = append(q.Contrasts[c], other)
			}
		}
	}
	n := float64(g.n)
	idf := func(df int) float64 { return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5)) }
	for _, c := range concepts {
		q.Units = append(q.Units, Unit{Kind: UnitConcept, Key: c, Weight: idf(g.conceptDF[c]),
			Name: g.vocab.IsEntity(c), InFacts: g.conceptDF[c] > 0})
	}
	zipf := ix.everyday(stripped, terms, spans)
	capital := capitalised(stripped, terms, spans)
	seen := map[string]bool{}
	for i, t := range terms {
		// A name a concept claimed stays a unit of its own when it is more
		// specific than the concept: "H20" is one chip, not any chip.
		// A company's own name or alias ("GOOGL" of Alphabet) is that
		// company, no more specific.
		specific := claimedBy[i] != "" && g.names[t] && g.df[t] > 0 && g.df[t] < conceptDFOf(g, g.vocab, t) && !g.vocab.IsEntity(claimedBy[i]) && !g.vocab.IsPlace(claimedBy[i])
		if (claimedBy[i] != "" && !specific) || seen[t] || ix.qstop[t] {
			continue
		}
		seen[t] = true
		q.Free = append(q.Free, t)
		q.Units = append(q.Units, Unit{Kind: UnitTerm, Key: t, Weight: idf(g.df[t]), Name: g.names[t], InFacts: g.df[t] > 0, Zipf: zipf[t], Letter: splitLetter(t),
			Foreign: g.df[t] == 0 && !g.names[t] && foreignScript(t), Capital: capital[t]})
	}
	for _, f := range q.Figures {
		// A figure is matched by value, not counted in the dictionary; it
		// weighs like a rare term.
		q.Units = append(q.Units, Unit{Kind: UnitFigure, Key: f.Text, Weight: idf(1), Figure: f})
	}
	return q, nil
}

// everyday maps each analysed term of text to how common the word it came
// from is in everyday English (the most common, when several words give
// one term); terms of words English does not have are left out. spans[i]
// is where terms[i] stands in text.
func (ix *Index) everyday(text string, terms []string, spans [][2]int) map[string]float64 {
	out := map[string]float64{}
	for i, t := range terms {
		word := text[spans[i][0]:spans[i][1]]
		// The word as the dictionary has it: "company" of "company's".
		if end := strings.IndexFunc(word, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); end > 0 {
			word = word[:end]
		}
		if z, ok := ix.english.Zipf(word); ok {
			out[t] = max(out[t], z)
		}
	}
	return out
}

// capitalised finds the terms written with a capital inside a sentence of
// text — not its first word, nor one after a sentence's end, nor a word in
// capitals throughout ("AI", "MAU"), which is how people write
// abbreviations.
func capitalised(text string, terms []string, spans [][2]int) map[string]bool {
	out := map[string]bool{}
	for i, t := range terms {
		word := text[spans[i][0]:spans[i][1]]
		first, _ := utf8.DecodeRuneInString(word)
		if !unicode.IsUpper(first) || strings.ToUpper(word) == word {
			continue
		}
		before := strings.TrimRightFunc(text[:spans[i][0]], unicode.IsSpace)
		if before == "" || strings.ContainsAny(before[len(before)-1:], ".!?:;\"“(") {
			continue
		}
		out[t] = true
	}
	return out
}

func questionStop(an *analyzer, words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		for _, t := range an.terms(w) {
			m[t] = true
		}
		m[strings.ToLower(w)] = true
	}
	return m
}

// clause is one query clause with the number of facts it can match.
type clause struct {
	q  query.Query
	df int
}

// clauses turns a parsed question into query clauses: term queries on the
// text and the attribution for free terms, concept and figure term
// queries, and a phrase query per adjacent pair of terms, so that facts
// using the question's own word order rank first. User text only ever
// becomes analysed terms: Bleve's query-string syntax is never used.
func (ix *Index) clauses(g *generation, q Query) []clause {
	// Terms and concepts in more than half the facts rank nothing but cost
	// the most to score (a posting for most documents); they still count in
	// coverage, which does not need Bleve.
	common := func(df int) bool { return g.n >= 20 && df*2 > g.n }
	var cs, commons []clause
	add := func(field, term string, boost float64, df int) {
		// A term no fact has matches nothing; one most facts have ranks
		// nothing.
		if df == 0 {
			return
		}
		tq := bleve.NewTermQuery(term)
		tq.SetField(field)
		tq.SetBoost(boost)
		if common(df) {
			commons = append(commons, clause{q: tq, df: df})
			return
		}
		cs = append(cs, clause{q: tq, df: df})
	}
	// Words a concept claimed are searched through the concept, so that
	// "TikTok's parent" finds ByteDance's facts, not Alphabet's ("the parent
	// company of Google").
	zipf := map[string]float64{}
	for _, u := range q.Units {
		if u.Kind == UnitTerm && !u.Name {
			zipf[u.Key] = u.Zipf
		}
	}
	for _, t := range q.Free {
		// An everyday word ("people", "use") ranks little: a fact
		// sharing only it with the question is seldom what was asked.
		boost := everydayBoost(zipf[t])
		add(fieldText, t, boost, g.df[t])
		add(fieldAttribution, t, boost/2, g.attrDF[t])
	}
	for _, c := range q.Concepts {
		add(fieldConcepts, c, 1.5, g.conceptDF[c])
	}
	for _, f := range q.Figures {
		for _, tok := range f.Tokens() {
			add(fieldFigures, tok, 2, g.figureDF[tok])
		}
	}
	for i := 0; i+1 < len(q.Terms); i++ {
		// A phrase costs a conjunction of both terms' postings: only worth
		// it when one of them is rare.
		df := min(g.df[q.Terms[i]], g.df[q.Terms[i+1]])
		if df == 0 || df > max(50, g.n/100) {
			continue
		}
		pq := bleve.NewPhraseQuery([]string{q.Terms[i], q.Terms[i+1]}, fieldText)
		pq.SetBoost(0.5)
		cs = append(cs, clause{q: pq, df: df})
	}
	if len(cs) == 0 {
		// A question of nothing but what most facts share ("when did
		// ByteDance get serious about AI") still gets them, for the
		// answer to judge: it may ask for a date one of them gives.
		return commons
	}
	return cs
}

// everydayBoost is the boost of a question word by how common it is in
// everyday English (Zipf scale): full for a word rarer than 2.5 or no
// English word (a name, a term of the trade), a tenth for one as common as
// 4.5 and above ("people", "lot"), and in proportion between.
func everydayBoost(zipf float64) float64 {
	const everyday, rare, least = 4.5, 2.5, 0.1
	if zipf <= rare {
		return 1
	}
	return max(least, 1-(1-least)*min(1, (zipf-rare)/(everyday-rare)))
}

// bleveQuery is the disjunction of all clauses: any fact matching any of
// them is a candidate.
func bleveQuery(cs []clause) query.Query {
	if len(cs) == 0 {
		return nil
	}
	qs := make([]query.Query, len(cs))
	for i, c := range cs {
		qs[i] = c.q
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// focus is what keeps searches fast in a large index: scoring every fact
// that shares a frequent word with the question costs milliseconds per
// ten thousand facts. From narrowFrom facts on, clauses matching more than
// a tenth of the facts are left out when rarer ones exist (the facts that
// answer match the rarer units; the frequent units still count in
// coverage), and when none exist only the rarest clause is searched.
func focus(cs []clause, n int) []clause {
	if n < narrowFrom {
		return cs
	}
	limit := n / 10
	var out []clause
	rarest := -1
	for i, c := range cs {
		if c.df <= limit {
			out = append(out, c)
		}
		if c.df > 0 && (rarest < 0 || c.df < cs[rarest].df) {
			rarest = i
		}
	}
	if len(out) == 0 && rarest >= 0 {
		out = []clause{cs[rarest]}
	}
	return out
}

// cover reports which of the question's units a fact matches.
func (ix *Index) cover(g *generation, q Query, f knowledge.Fact) (covered, about []bool, coverage float64) {
	if len(q.Units) == 0 {
		return nil, nil, 0
	}
	ev := g.evidence[f.ID]
	covered = make([]bool, len(q.Units))
	about = make([]bool, len(q.Units))
	var got, total float64
	for i, u := range q.Units {
		switch u.Kind {
		case UnitConcept:
			covered[i] = slices.Contains(ev.concepts, u.Key)
			about[i] = u.Name && slices.Contains(ev.aboutConcepts, u.Key)
		case UnitTerm:
			covered[i] = ev.hasTerm(u.Key)
			about[i] = u.Name && slices.Contains(ev.about, u.Key)
		case UnitFigure:
			for _, v := range ev.figures {
				if u.Figure.Kind == figure.Year && u.Figure.Month != 0 && v.Month != u.Figure.Month {
					// "January 2025" asks about a month: a fact of
					// February 2025, or of 2025 alone, does not say.
					continue
				}
				if v.Matches(u.Figure) || sameAmount(v, u.Figure) {
					covered[i] = true
					break
				}
			}
		}
		total += u.Weight
		if covered[i] {
			got += u.Weight
		}
	}
	if total == 0 {
		return covered, about, 0
	}
	return covered, about, got / total
}

// measured reports, for each of a question's units, whether a fact's
// figures measure it.
func measured(ev evidence, q Query) []bool {
	out := make([]bool, len(q.Units))
	for i, u := range q.Units {
		out[i] = u.Kind != UnitFigure && slices.Contains(ev.measured, u.Key)
	}
	return out
}

// namesTogether reports whether the names among a question's concept
// spans stand side by side: between each name and the next, nothing but
// "and", "or", "&", "/", a comma or a comparison ("vs").
func namesTogether(v *Vocabulary, cs []conceptSpan, text string, tokenSpans [][2]int) bool {
	names, last := 0, -1
	for i, sp := range cs {
		if !v.IsEntity(sp.concept) {
			continue
		}
		names++
		if last >= 0 {
			from := tokenSpans[cs[last].end-1][1]
			for _, between := range cs[last+1 : i] {
				if !IsComparison(between.concept) {
					return false
				}
			}
			between := text[from:tokenSpans[sp.start][0]]
			if !coordinating(between, cs[last+1:i], text, tokenSpans) {
				return false
			}
			// "ByteDance Microsoft's biggest customer": a name right
			// before another's possessive is in another role.
			name := strings.ToLower(text[tokenSpans[sp.start][0]:min(len(text), tokenSpans[sp.end-1][1]+4)])
			if strings.TrimSpace(between) == "" && (strings.Contains(name, "'s") || strings.Contains(name, "’s")) {
				return false
			}
		}
		last = i
	}
	return names >= 2
}

// coordinating reports whether the text between two names only joins
// them: the words of the comparisons found there, and joining words.
func coordinating(between string, comparisons []conceptSpan, text string, tokenSpans [][2]int) bool {
	for _, c := range comparisons {
		s, e := tokenSpans[c.start][0], tokenSpans[c.end-1][1]
		between = strings.Replace(between, text[s:e], " ", 1)
	}
	for _, w := range strings.FieldsFunc(between, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '/' || r == '&' || r == '+' }) {
		switch strings.Trim(strings.ToLower(w), ".'’") {
		case "and", "or", "each", "both", "plus", "s", "":
		default:
			return false
		}
	}
	return true
}

// contradicts reports whether a fact with these concepts is about the
// other side of a contrast only: it lacks a concept the question asks
// about and has one that excludes it.
func contradicts(contrasts map[string][]string, concepts []string) bool {
	for asked, others := range contrasts {
		if slices.Contains(concepts, asked) {
			continue
		}
		for _, o := range others {
			if slices.Contains(concepts, o) {
				return true
			}
		}
	}
	return false
}

// sortByRank orders hits best first, breaking ties by fact id so results
// are deterministic.
func sortByRank(hits []Hit) {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Rank != hits[j].Rank {
			return hits[i].Rank > hits[j].Rank
		}
		return hits[i].Fact.ID < hits[j].Fact.ID
	})
}

// conceptDFOf is the document frequency of the concept a term belongs to.
func conceptDFOf(g *generation, v *Vocabulary, term string) int {
	cs, _, _ := v.match([]string{term})
	if len(cs) == 0 {
		return 0
	}
	return g.conceptDF[cs[0]]
}

// sameAmount lets a question's bare "12bn figure" match the fact's "$12
// billion": for coverage the amount is what counts, unless one side is a
// year, a percentage or a duration.
func sameAmount(a, b figure.Value) bool {
	plain := func(k figure.Kind) bool { return k == figure.Number || k == figure.Money || k == figure.Count }
	if !plain(a.Kind) || !plain(b.Kind) || a.Amount == 0 {
		return false
	}
	return math.Abs(a.Amount-b.Amount) <= 1e-3*math.Abs(a.Amount)
}
