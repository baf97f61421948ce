package ingest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// draftFact is one claim of the article on its way to the YAML file.
type draftFact struct {
	id          string
	sentence    string // as the article has it, footnote markers removed
	statement   string // the sentence without attribution, dates resolved
	attribution string
	entities    []string
	figures     []draftFigure
	notes       []string
	// asOf is when the claim was made: the attribution's date when it has
	// one ("Reuters reported last June"), else the article's.
	asOf knowledge.Date
	// fallbackPeriod is the date of the attribution ("the company said in
	// August"): the period of figures the statement dates no other way.
	fallbackPeriod string
}

type draftFigure struct {
	amount                           float64
	unit, measure, period, qualifier string
	text                             string // as the statement writes it
	start, end                       int
}

// drafter builds the facts of one article.
type drafter struct {
	opt   Options
	doc   document
	src   sourceMeta
	vocab vocabulary
	res   resolver
	facts []*draftFact
	// dropped are sentences whose figures could not be structured.
	dropped []string
	// lastGroup is the last reporter that was a group of people ("two
	// people familiar with the matter"), for "the people said".
	lastGroup string
	// namesSubject: the article names the base's subject, so "the
	// company" can stand for it.
	namesSubject bool
}

func newDrafter(doc document, opt Options) (*drafter, error) {
	doc = stripDatelines(doc)
	if doc.meta.published == "" {
		// "CHINA TECH DIGEST — 15 January 2026".
		doc.meta.published = anyDate.FindString(doc.meta.title)
	}
	if doc.meta.published == "" {
		date, publisher := dateNearTop(doc)
		doc.meta.published = date
		if doc.meta.publisher == "" {
			doc.meta.publisher = publisher
		}
	}
	src, err := resolveMeta(doc, opt)
	if err != nil {
		return nil, err
	}
	d := &drafter{opt: opt, doc: doc, src: src, vocab: newVocabulary(opt.Base), res: resolver{pub: src.published}}
	if s := d.vocab.subject; s != "" {
		for _, b := range doc.blocks {
			if len(d.vocab.find(b.text, s)) > 0 {
				d.namesSubject = true
				break
			}
		}
	}
	return d, nil
}

// Page furniture a sentence or short block may be: generic web and
// newsletter wording, not words of any subject.
var (
	boilerplate = regexp.MustCompile(`(?i)\b(?:cookies?|subscribe|subscription|sign\s+up|newsletter|all\s+rights\s+reserved|copyright|unsubscribe|click\s+here|read\s+more|share\s+this|follow\s+(?:us|her|him|me)\b|privacy\s+policy|terms\s+(?:of\s+(?:use|service)|and\s+conditions|&)|advertisement|log\s+in|sign\s+in|min\s+read|reporting\s+by|editing\s+by|additional\s+reporting|disclaimer|not\s+an\s+offer|not\s+investment\s+advice|(?:has|have)\s+been\s+(?:amended|updated|corrected)|view\s+this\s+email|contact\s*:|related\s*:|write\s+to\s+us|email\s+us|for\s+more\s+information|for\s+immediate\s+release|media\s+contact)|©`)
	// End matter: notes, references, a press release's "About X" and
	// contacts. Nothing after it is a claim of the article.
	notesHeading = regexp.MustCompile(`(?i)^(?:notes|footnotes|endnotes|references|sources|media\s+contacts?|press\s+contacts?|contacts?|about\s+(?:the\s+)?[A-Z][^.!?]{0,60})\s*:?$`)
	noteLine     = regexp.MustCompile(`^\[\d{1,3}\]`)
	byline       = regexp.MustCompile(`(?i)^by\s+[A-Z]`)
	dateline     = regexp.MustCompile(`^([A-Z][A-Z .'/&]{2,})(?:,\s*(` + looseDate + `))?\s*(?:\([^)]{1,40}\)\s*|/[^/]{1,40}/\s*)?(?:--|—|–|-)\s+`)
	// writerTalk is a newsletter's writer addressing readers.
	writerTalk = regexp.MustCompile(`(?i)\b(?:we|I)(?:\s+will|'ll|’ll|\s+are\s+going\s+to)?\s+(?:look|take\s+a\s+look|explore|examine|dig|discuss|cover|turn|focus|unpack|walk\s+through)\b`)
	// Shares and multiples the figure reader leaves as words.
	wordFigure = regexp.MustCompile(`(?i)\b(?:(?:a|one|two|three|four)[ -](?:half|third|quarter|fifth|sixth|tenth)s?|half|double[ds]?|tripled?|triples|twice|(?:low|mid|high)[ -](?:single[ -]digits?|teens|twenties)|\d+(?:\.\d+)?\s*times)\b`)
)

// stripDatelines takes "SAO PAULO, Nov 4, 2025 -- " off the first block
// that has one, keeping its date as the article's when it has none.
func stripDatelines(doc document) document {
	for i, b := range doc.blocks {
		m := dateline.FindStringSubmatch(b.text)
		if m == nil || b.kind != paragraph {
			continue
		}
		if m[2] != "" && doc.meta.published == "" {
			doc.meta.published = m[2]
		}
		doc.blocks[i].text = b.text[len(m[0]):]
		break
	}
	return doc
}

// anyDate finds a date written anywhere in a line.
var anyDate = regexp.MustCompile(`(?i)\b(?:` + looseDate + `)\b`)

// dateNearTop finds the article's date in the first lines of its body
// ("AI Weekly | Issue 112 | 14 April 2025", "Posted on 27 February 2025
// by …") when its metadata gives none.
// A masthead line of the form "Publisher | Issue 112 | date" also gives
// the publisher.
func dateNearTop(doc document) (date, publisher string) {
	for i, b := range doc.blocks {
		if i >= 6 {
			break
		}
		if len(b.text) >= 120 {
			continue
		}
		m := anyDate.FindString(b.text)
		if m == "" {
			continue
		}
		if first, _, ok := strings.Cut(b.text, " | "); ok && !anyDate.MatchString(first) && len(strings.Fields(first)) <= 5 && !byline.MatchString(first) {
			publisher = strings.TrimSpace(first)
		}
		return m, publisher
	}
	return "", ""
}

// collectFacts goes through the article's blocks and drafts a fact from
// every sentence that makes a claim.
func (d *drafter) collectFacts() {
	seenBody := false
	for _, b := range d.doc.blocks {
		if b.kind == heading {
			if seenBody && notesHeading.MatchString(b.text) {
				return // notes and references follow: no claims
			}
			continue
		}
		seenBody = true
		if d.isFurniture(b) {
			continue
		}
		sentences := splitSentences(b.text)
		short := len(sentences) <= 2
		if short && slices.ContainsFunc(sentences, boilerplate.MatchString) {
			continue // a promotional or legal paragraph, whole
		}
		for _, s := range sentences {
			if b.kind == listItem && !endsSentence(s) && figure.Parse(s) != nil {
				// A bullet point is often a claim without its full stop.
				s += "."
			}
			if f := d.draftSentence(s); f != nil {
				d.facts = append(d.facts, f)
			}
		}
	}
}

// isFurniture reports blocks that are about the page, not the story:
// links, bylines, notes, paragraphs about the writer.
func (d *drafter) isFurniture(b block) bool {
	t := b.text
	switch {
	case b.linkText*2 > len(t):
		return true
	case byline.MatchString(t) && len(strings.Fields(t)) <= 16:
		return true
	case noteLine.MatchString(t):
		return true
	case t == d.src.title || t == d.doc.meta.title:
		return true
	}
	for _, name := range d.doc.meta.bylines {
		if strings.Contains(t, name) {
			return true
		}
	}
	return false
}

// draftSentence makes a fact of s, or returns nil when s makes no claim.
func (d *drafter) draftSentence(s string) *draftFact {
	s = strings.TrimSpace(footnoteMarker.ReplaceAllString(s, ""))
	words := len(strings.Fields(s))
	switch {
	case words < 6 || words > 90:
		return nil
	case !endsSentence(s) || strings.HasSuffix(strings.TrimRight(s, `"'”’`), "?"):
		return nil
	case leadingQuote.MatchString(s):
		return nil // direct speech: an opinion in someone's words
	case boilerplate.MatchString(s):
		return nil
	}
	f := &draftFact{sentence: s, asOf: d.src.published}
	a := findAttribution(s)
	f.statement = a.statement
	f.attribution = d.reporter(a.who)
	if a.when != "" {
		when, _ := d.res.resolve(" " + a.when)
		if ds := findDates(when); len(ds) == 1 {
			f.fallbackPeriod = ds[0].period
			// Only a report from an earlier month than the article's: one
			// from the same month would only lose the article's day.
			if when, err := knowledge.ParseDate(ds[0].period); err == nil && when.Before(f.asOf) && when.Year >= f.asOf.Year-5 &&
				(when.Year != f.asOf.Year || when.Month != f.asOf.Month) {
				f.asOf = when
			}
		}
	}
	stmt, notes := d.res.resolve(f.statement)
	f.statement = strings.TrimSpace(stmt)
	f.notes = append(f.notes, notes...)
	f.entities = d.entitiesOf(f.statement)
	vals := figure.Parse(f.statement)
	if len(vals) == 0 && len(f.entities) == 0 && a.who == "" && !wordFigure.MatchString(f.statement) {
		return nil // no figure, no name, no reporter: narration
	}
	if a.who == "" && writerTalk.MatchString(f.statement) && !slices.ContainsFunc(vals, func(v figure.Value) bool { return v.Kind != figure.Year }) {
		return nil // "This week we look at …": the writer talking to readers
	}
	if !d.structure(f, vals) {
		d.dropped = append(d.dropped, s)
		return nil
	}
	for _, m := range wordFigure.FindAllString(f.statement, -1) {
		f.notes = append(f.notes, fmt.Sprintf("%q is a figure in words that the draft cannot structure: write it as a number in the statement (and a figure) if it matters", m))
	}
	if unknown := d.vocab.unknownNames(f.statement, f.entities); len(unknown) > 0 {
		f.notes = append(f.notes, fmt.Sprintf("names the knowledge does not know: %s — add them to the source's entities if the fact is about them", strings.Join(unknown, ", ")))
	}
	return f
}

// reporter turns the reporter a sentence names into an attribution: the
// knowledge's name for a known one, the article's publisher for "our
// estimates", the group named before for "the people", and the publisher
// when the sentence names no one.
func (d *drafter) reporter(who string) string {
	who = cleanReporter(who)
	switch {
	case who == "":
		return d.src.publisher
	case selfReporter.MatchString(who):
		return d.src.publisher
	case backReference.MatchString(who) && d.lastGroup != "":
		return d.lastGroup
	case companyRef.MatchString(who) && d.namesSubject:
		return d.vocab.subject
	}
	if name, ok := d.vocab.canonical(who); ok {
		return name
	}
	if groupOfPeople.MatchString(who) {
		d.lastGroup = who
	}
	return who
}

// clauseBreak separates the parts of a sentence a date applies to.
var clauseBreak = regexp.MustCompile(`,\s|;\s|\s(?:up|down)\s+from\s|\sagainst\s|\scompared\s+with\s|\sversus\s|\sfrom\s+a\s+year\s|\sfrom\s+(?:the\s+|an?\s+)?(?:[$€£¥]|US\$|RMB|Rmb|\d)`)
var contrast = regexp.MustCompile(`\s(?:up|down)\s+from\s|\sagainst\s|\scompared\s+with\s|\sversus\s`)

// structure gives f a figure for every value in its statement, each with
// its unit, period and qualifier. It reports false when a value cannot be
// written as a figure the loader would accept.
func (d *drafter) structure(f *draftFact, vals []figure.Value) bool {
	dates := findDates(f.statement)
	breaks := clauseBreak.FindAllStringIndex(f.statement, -1)
	clauseOf := func(pos int) int {
		n := 0
		for _, b := range breaks {
			if b[0] < pos {
				n++
			}
		}
		return n
	}
	distinct := map[string]bool{}
	for _, dt := range dates {
		distinct[dt.period] = true
	}
	var undated, unmeasured []string
	lastCount := ""
	for i, v := range vals {
		g := draftFigure{amount: v.Amount, text: v.Text, start: v.Start, end: v.End, qualifier: qualifierBefore(f.statement[:v.Start])}
		switch v.Kind {
		case figure.Year:
			g.unit, g.qualifier = "year", ""
			f.figures = append(f.figures, g)
			continue
		case figure.Money:
			g.unit = v.Currency
		case figure.Percent:
			g.unit = "percent"
		case figure.Duration:
			g.unit = plural(v.Unit)
		case figure.Count:
			g.unit = writtenUnit(f.statement[v.End:], v, plural(v.Unit))
			lastCount = g.unit
		}
		if g.unit == "" {
			g.unit = d.countUnitFor(f.statement, v, vals[i+1:], lastCount)
			if g.unit == "" {
				f.notes = append(f.notes, fmt.Sprintf("%q: what it counts is not clear; the draft says \"units\" — name the unit", v.Text))
				g.unit = "units"
			} else {
				lastCount = g.unit
			}
		}
		if d.opt.Base != nil {
			g.unit = d.opt.Base.UnitSpelling(g.unit)
		}
		if !figure.FromUnit(g.amount, g.unit).Matches(v) {
			return false
		}
		// The period: a date in the figure's clause, nearest first (after it
		// before before it); else the sentence's one date when nothing in
		// the sentence contrasts two times; else the attribution's date.
		c := clauseOf(v.Start)
		best, bestDist := "", -1
		for _, dt := range dates {
			if clauseOf(dt.start) != c || (dt.start >= v.Start && dt.start < v.End) {
				continue
			}
			dist := dt.start - v.End
			if dist < 0 {
				dist = v.Start - dt.end + 1000 // before the figure: only when none after
			}
			if bestDist < 0 || dist < bestDist {
				best, bestDist = dt.period, dist
			}
		}
		switch {
		case best != "":
			g.period = best
		case len(distinct) == 1 && !contrast.MatchString(f.statement):
			g.period = dates[0].period
		case f.fallbackPeriod != "":
			g.period = f.fallbackPeriod
		default:
			undated = append(undated, v.Text)
		}
		g.measure = d.vocab.measureFor(f.statement, f.entities, g.unit, f.statement[v.End:])
		if g.measure == "" {
			unmeasured = append(unmeasured, v.Text)
		}
		f.figures = append(f.figures, g)
	}
	for _, g := range f.figures {
		for _, old := range d.vocab.sameMeasure(g) {
			amount := old.fig.Value().String()
			if old.fig.Qualifier != "" {
				amount = old.fig.Qualifier + " " + amount
			}
			f.notes = append(f.notes, fmt.Sprintf("the knowledge's fact %s reports %s for %s in %s (%s, as of %s): if this report revises it, add \"updates: %s\"; otherwise answers show both side by side",
				old.fact.ID, amount, g.measure, g.period, old.fact.Attribution, old.fact.AsOf.Human(), old.fact.ID))
		}
	}
	if len(undated) > 0 {
		f.notes = append(f.notes, fmt.Sprintf("period: the sentence does not date %s — add the period if you know it", quoteList(undated)))
	}
	if len(unmeasured) > 0 {
		f.notes = append(f.notes, fmt.Sprintf("measure: say what %s measures (see the knowledge's measures at the top)", quoteList(unmeasured)))
	}
	return true
}

// countUnitFor finds what a bare number counts: the count before it in the
// sentence ("30 trillion tokens …, up from 4 trillion"), the one after it,
// or a unit of the knowledge named in the sentence before it ("users
// reached 157 million").
func (d *drafter) countUnitFor(statement string, v figure.Value, after []figure.Value, lastCount string) string {
	if lastCount != "" {
		return lastCount
	}
	for _, o := range after {
		if o.Kind == figure.Count && o.Unit != "" {
			return plural(o.Unit)
		}
		if o.Kind == figure.Money && v.Kind == figure.Number {
			break
		}
	}
	if noun := subjectNoun(statement[:v.Start]); noun != "" {
		return noun
	}
	before := strings.ToLower(statement[:v.Start])
	best, bestAt := "", -1
	for _, u := range d.vocab.countUnits {
		if at := lastWordIndex(before, u); at > bestAt {
			best, bestAt = u, at
		}
	}
	return best
}

// subjectNoun reads what a bare number counts from the words before it:
// "Doubao's paying enterprise customers rose to 40,000" counts customers.
// The noun is the plural word right before a verb of change, and must head
// the clause's subject, not sit in a phrase ("usage on its models
// exceeded 50 trillion" does not count models).
func subjectNoun(before string) string {
	m := changeVerb.FindStringSubmatch(before)
	if m == nil {
		return ""
	}
	noun := strings.ToLower(m[1])
	if !strings.HasSuffix(noun, "s") || strings.HasSuffix(noun, "ss") || strings.HasSuffix(noun, "'s") {
		return ""
	}
	words := strings.Fields(strings.TrimSpace(before[:len(before)-len(m[0])]))
	for i := len(words) - 1; i >= 0; i-- {
		w := strings.ToLower(strings.Trim(words[i], ",;:"))
		if strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") || strings.HasSuffix(words[i], ",") {
			break
		}
		if prepositions[w] {
			return ""
		}
		if i < len(words)-4 {
			break
		}
	}
	return noun
}

var (
	changeVerb   = regexp.MustCompile(`(\w+)\s+(?:rose|grew|fell|dropped|climbed|reached|passed|topped|exceeded|hit|totalled|totaled|increased|decreased|jumped|surged|declined|stood\s+at|numbered)(?:\s+(?:to|by|at|past))?(?:\s+(?:more\s+than|about|around|nearly|almost|over|some))?\s*$`)
	prepositions = map[string]bool{"on": true, "of": true, "in": true, "at": true, "for": true, "from": true, "with": true, "by": true, "to": true, "into": true, "across": true}
)

func lastWordIndex(s, w string) int {
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(strings.ToLower(w)) + `\b`)
	locs := re.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return -1
	}
	return locs[len(locs)-1][0]
}

var qualifierWords = []struct {
	re *regexp.Regexp
	q  string
}{
	{regexp.MustCompile(`(?i)\b(?:more\s+than|over|above|in\s+excess\s+of|upwards\s+of)\s+$`), "more than"},
	{regexp.MustCompile(`(?i)\b(?:at\s+least|no\s+less\s+than|a\s+minimum\s+of)\s+$`), "at least"},
	{regexp.MustCompile(`(?i)\b(?:up\s+to|as\s+much\s+as|as\s+many\s+as|as\s+high\s+as|a\s+maximum\s+of)\s+$`), "up to"},
	{regexp.MustCompile(`(?i)\b(?:less\s+than|under|below|fewer\s+than)\s+$`), "less than"},
	{regexp.MustCompile(`(?i)\b(?:about|around|roughly|some|approximately|nearly|almost|close\s+to|an\s+estimated|circa)\s+$`), "about"},
}

// qualifierBefore reads the hedge written right before a figure.
func qualifierBefore(before string) string {
	if len(before) > 40 {
		before = before[len(before)-40:]
	}
	for _, w := range qualifierWords {
		if w.re.MatchString(before) {
			return w.q
		}
	}
	return ""
}

// writtenUnit is a count's noun as the article writes it when that is the
// same noun: "people" (not "persons"), "GPUs" (not "gpus"), "sq ft". Else
// unit, the plural of the figure reader's noun.
func writtenUnit(after string, v figure.Value, unit string) string {
	words := strings.Fields(after)
	if len(words) == 0 {
		return unit
	}
	w := strings.Trim(words[0], ".,;:()")
	if area[strings.ToLower(w)] && len(words) > 1 {
		if next := strings.Trim(words[1], ".,;:()"); lengthUnit[strings.ToLower(next)] {
			return strings.ToLower(w) + " " + strings.ToLower(next)
		}
	}
	if figure.FromUnit(v.Amount, w).Unit != v.Unit {
		return unit
	}
	if strings.ToUpper(strings.TrimSuffix(w, "s")) == strings.TrimSuffix(w, "s") {
		return w // an acronym: "GPUs"
	}
	if strings.ToLower(w) != w {
		return unit // a capitalised word: keep the reader's form
	}
	return w
}

// Units of area, which take two words: "sq ft", "square metres".
var (
	area       = map[string]bool{"sq": true, "square": true}
	lengthUnit = map[string]bool{"ft": true, "feet": true, "foot": true, "m": true, "metres": true, "meters": true, "km": true, "kilometres": true, "kilometers": true, "miles": true, "mi": true}
)

// plural writes a count's or a duration's unit as facts write it, plural
// whatever the amount: "users", "days".
func plural(unit string) string {
	if unit == "" {
		return unit
	}
	switch {
	case strings.HasSuffix(unit, "s"):
		return unit
	case strings.HasSuffix(unit, "y") && len(unit) > 1 && !strings.ContainsRune("aeiou", rune(unit[len(unit)-2])):
		return unit[:len(unit)-1] + "ies"
	case strings.HasSuffix(unit, "x"), strings.HasSuffix(unit, "ch"), strings.HasSuffix(unit, "sh"):
		return unit + "es"
	}
	return unit + "s"
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	switch len(q) {
	case 1:
		return q[0]
	case 2:
		return q[0] + " and " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// entitiesOf lists the knowledge's entities the statement names, in the
// order it names them; "the company" stands for the base's subject when
// the article names it.
func (d *drafter) entitiesOf(statement string) []string {
	return d.entitiesIn(statement, d.namesSubject)
}

// entitiesIn is entitiesOf; "the company" counts only when byReference.
func (d *drafter) entitiesIn(statement string, byReference bool) []string {
	type hit struct {
		name string
		at   int
	}
	var hits []hit
	for _, e := range d.vocab.entities {
		if at := e.firstIndex(statement); at >= 0 {
			hits = append(hits, hit{e.name, at})
		}
	}
	if byReference {
		if loc := companyMention.FindStringIndex(statement); loc != nil {
			hits = append(hits, hit{d.vocab.subject, loc[0]})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.at - b.at })
	var out []string
	for _, h := range hits {
		if !slices.Contains(out, h.name) {
			out = append(out, h.name)
		}
	}
	return out
}

// groupOfPeople is a reporter "the people said" can refer back to.
var groupOfPeople = regexp.MustCompile(`(?i)\b(?:people|persons?|sources?|officials?|executives?)\b`)

var companyMention = regexp.MustCompile(`(?i)\bthe\s+(?:company|group)\b`)

// isSlug reports whether s is a valid knowledge id.
func isSlug(s string) bool { return slugPattern.MatchString(s) }

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
