package answer

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/index"
)

// MaxHistory bounds the earlier turns a follow-up is read with: older
// turns are ignored.
const MaxHistory = 10

// AskFollowUp answers question in the context of the conversation before
// it: history holds the earlier questions, oldest first. A follow-up ("and
// Microsoft?", "who reported that?") is first rewritten as a stand-alone
// question, which the returned Answer carries in Standalone; a question
// that stands on its own is answered as itself, with Standalone empty.
// With no history it is Ask. The errors are Ask's.
func (e *Engine) AskFollowUp(ctx context.Context, history []string, question string, onPartial func(string)) (Answer, error) {
	q, err := CleanQuestion(question)
	if err != nil {
		return Answer{}, err
	}
	standalone, err := e.Standalone(ctx, history, q)
	if err != nil {
		return Answer{}, err
	}
	a, err := e.Ask(ctx, standalone, onPartial)
	if err != nil {
		return Answer{}, err
	}
	if standalone != q {
		a.Question, a.Standalone = q, standalone
	}
	return a, nil
}

// Standalone rewrites question as the stand-alone question it asks in the
// context of history (earlier questions, oldest first, at most MaxHistory
// of them read). A question that stands on its own comes back unchanged.
// Each earlier question is itself read in the context of those before it,
// so a chain of follow-ups keeps its subject. With an LLM the rewrite is
// the LLM's when it passes the check (it may only use the conversation's
// words), and the extractive rewrite otherwise. The error is non-nil only
// when the index fails.
func (e *Engine) Standalone(ctx context.Context, history []string, question string) (string, error) {
	q, err := CleanQuestion(question)
	if err != nil {
		return "", err
	}
	var turns []string
	for _, h := range history {
		if h, err := CleanQuestion(h); err == nil {
			turns = append(turns, h)
		}
	}
	if len(turns) > MaxHistory {
		turns = turns[len(turns)-MaxHistory:]
	}
	if len(turns) == 0 {
		return q, nil
	}
	// An empty search returns the generation's analyser and names without
	// looking anything up.
	res, err := e.ix.Search(ctx, q, 0)
	if err != nil {
		return "", fmt.Errorf("answer: %w", err)
	}
	if res.Analyser == nil || res.Base == nil {
		return q, nil
	}
	c := newCondenser(res)
	prev := turns[0]
	for _, t := range turns[1:] {
		prev = c.rewrite(prev, t)
	}
	out := c.rewrite(prev, q)
	if utf8.RuneCountInString(out) > MaxQuestionRunes {
		// Rewritten from long questions: asking it would fail, asking the
		// follow-up as itself does not.
		out = q
	}
	if out == q || e.llm == nil {
		return out, nil
	}
	if s, ok := e.condenseLLM(ctx, c, turns, q); ok {
		return s, nil
	}
	return out, nil
}

// condenser rewrites follow-ups from the parsed units of the turns: the
// names, years and topic words each one states.
type condenser struct {
	an    *index.Analyser
	names map[string]string // entity concept → the entity's name
}

func newCondenser(res index.Result) *condenser {
	c := &condenser{an: res.Analyser, names: map[string]string{}}
	for _, en := range res.Base.Entities() {
		c.names[index.EntityKey(en.Name)] = en.Name
	}
	return c
}

// stretch is a stretch of a question's text: a name (with the entity it
// names) or a year.
type stretch struct {
	start, end int
	name       string // the entity's own name; empty for a year
}

// word is one word of a question as written, lower-cased in w.
type word struct {
	w          string
	start, end int
}

// turn is one question as the condenser reads it.
type turn struct {
	text   string
	words  []word
	names  []stretch
	years  []stretch
	topic  []string // analysed words that are neither names, years nor question words
	firstC int      // where its first content word starts; -1 when none
	lastC  int      // where its last content word (or year) ends
}

var (
	wordRE = regexp.MustCompile(`[\p{L}\p{N}]+(?:['’][\p{L}]+)*`)
	// yearRE finds a year a question names, written out or relative.
	yearRE = regexp.MustCompile(`(?i)\b(?:(?:fiscal|fy)\s*)?(?:19|20)\d\d\b|\b(?:(?:its|their|the)\s+)?(?:last|this|next|previous|current)\s+(?:fiscal\s+)?year\b`)
)

func (c *condenser) parse(text string) turn {
	t := turn{text: text, firstC: -1, lastC: -1}
	for _, m := range wordRE.FindAllStringIndex(text, -1) {
		t.words = append(t.words, word{w: strings.ToLower(text[m[0]:m[1]]), start: m[0], end: m[1]})
	}
	for _, m := range yearRE.FindAllStringIndex(text, -1) {
		t.years = append(t.years, stretch{start: m[0], end: m[1]})
	}
	inYear := func(pos int) bool {
		for _, y := range t.years {
			if pos >= y.start && pos < y.end {
				return true
			}
		}
		return false
	}
	content := func(start, end int) {
		if t.firstC < 0 {
			t.firstC = start
		}
		t.lastC = max(t.lastC, end)
	}
	terms := c.an.Terms(text)
	for i := 0; i < len(terms); i++ {
		tm := terms[i]
		if tm.Start < 0 || inYear(tm.Start) {
			if !tm.QuestionWord && !tm.Entity && tm.Start < 0 {
				t.topic = append(t.topic, tm.Term)
			}
			continue
		}
		if tm.Entity {
			// Adjacent words of one name are one span ("TikTok's parent"):
			// the entity is the one every word of it names.
			ents := c.entities(tm.Concepts)
			if len(ents) == 0 {
				// A name the vocabulary knows but this knowledge does not:
				// a name as written.
				end := tm.Start + len(tm.Word)
				t.names = append(t.names, stretch{start: tm.Start, end: end, name: tm.Word})
				content(tm.Start, end)
				continue
			}
			j := i
			for j+1 < len(terms) && terms[j+1].Entity && terms[j+1].Start >= 0 && len(intersect(ents, c.entities(terms[j+1].Concepts))) > 0 {
				ents = intersect(ents, c.entities(terms[j+1].Concepts))
				j++
			}
			end := terms[j].Start + len(terms[j].Word)
			t.names = append(t.names, stretch{start: tm.Start, end: end, name: c.names[ents[0]]})
			content(tm.Start, end)
			i = j
			continue
		}
		if tm.QuestionWord {
			continue
		}
		t.topic = append(t.topic, tm.Term)
		content(tm.Start, tm.Start+len(tm.Word))
	}
	for _, y := range t.years {
		if t.firstC >= 0 {
			t.lastC = max(t.lastC, y.end)
		}
	}
	return t
}

// entities keeps the concepts that are knowledge entities.
func (c *condenser) entities(concepts []string) []string {
	var out []string
	for _, k := range concepts {
		if _, ok := c.names[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
			}
		}
	}
	return out
}

// English words that make a message lean on the one before. They are the
// language's, not any knowledge base's.
func isCue(w string) bool {
	switch w {
	case "and", "but", "so", "also", "then", "or", "plus", "ok", "okay", "same", "vs", "versus":
		return true
	}
	return false
}

func isWh(w string) bool {
	switch w {
	case "what", "what's", "whats", "how", "who", "who's", "whom", "whose", "when", "where", "why", "which":
		return true
	}
	return false
}

func isAux(w string) bool {
	switch w {
	case "is", "are", "was", "were", "does", "do", "did", "has", "have", "had", "will", "would", "can", "could", "should", "may", "might":
		return true
	}
	return false
}

// isImperative reports words that start a request phrased as an order.
func isImperative(w string) bool {
	switch w {
	case "tell", "show", "list", "give", "explain", "describe", "compare":
		return true
	}
	return false
}

func isPossessive(w string) bool {
	switch w {
	case "its", "their", "his", "her", "theirs":
		return true
	}
	return false
}

func isPronoun(w string) bool {
	switch w {
	case "it", "they", "them", "he", "him", "she":
		return true
	}
	return false
}

func isDemonstrative(w string) bool {
	switch w {
	case "that", "this", "those", "these":
		return true
	}
	return false
}

// inSpans reports whether position pos is inside one of the stretches.
func inSpans(spans []stretch, pos int) bool {
	for _, s := range spans {
		if pos >= s.start && pos < s.end {
			return true
		}
	}
	return false
}

// referring finds the words of t that stand for something said before: a
// possessive ("its"), a pronoun ("it", "they"), or a demonstrative used as
// a pronoun — at the end ("who reported that?") or after a verb of the
// question form ("how does that compare"), not before a name or year
// ("reported that ByteDance …").
func (t turn) referring() []int {
	var out []int
	for i, w := range t.words {
		switch {
		case isPossessive(w.w) || isPronoun(w.w):
			if len(t.names) > 0 && t.names[0].start < w.start {
				continue // "Microsoft … its last fiscal year": its own name
			}
			if t.subjectAfter(i) {
				continue // "how much of its chips does Sorabit buy": the subject's
			}
			if w.w == "it" && i+1 < len(t.words) && isVerdict(t.words[i+1].w) {
				continue // "is it true that …"
			}
			out = append(out, i)
		case isDemonstrative(w.w):
			last := i+1 == len(t.words)
			afterForm := i > 0 && (isAux(t.words[i-1].w) || isWh(t.words[i-1].w) || t.questionWordAt(i-1))
			if last || (afterForm && !inSpans(t.names, t.words[i+1].start) && !inSpans(t.years, t.words[i+1].start) && !t.topicAt(i+1)) {
				out = append(out, i)
			} else if afterForm && i+1 < len(t.words) && strings.HasPrefix(t.words[i+1].w, "compar") {
				out = append(out, i)
			}
		}
	}
	return out
}

// subjectAfter reports whether a name after word i is the subject of the
// question's clause — right after its verb of form ("does Sorabit",
// "is Doubao") — which a possessive before it refers to.
func (t turn) subjectAfter(i int) bool {
	for j := i + 1; j+1 < len(t.words); j++ {
		if isAux(t.words[j].w) && inSpans(t.names, t.words[j+1].start) {
			return true
		}
	}
	return false
}

func isVerdict(w string) bool {
	switch w {
	case "true", "right", "correct", "possible", "likely", "fair":
		return true
	}
	return false
}

// questionWordAt reports whether word i is a verb of the question's form
// ("reported", "said"): not a name, a year or a topic word.
func (t turn) questionWordAt(i int) bool {
	w := t.words[i]
	return !inSpans(t.names, w.start) && !inSpans(t.years, w.start) && !t.topicAt(i)
}

// topicAt reports whether word i carries the topic: its analysed form is one
// of the turn's topic words.
func (t turn) topicAt(i int) bool {
	if len(t.topic) == 0 {
		return false
	}
	w := t.words[i].w
	for _, k := range t.topic {
		if k != "" && strings.HasPrefix(w, k) {
			return true
		}
	}
	return false
}

// onlyNames reports whether every word of t is part of a name or year, or
// a cue ("and Microsoft?", "2024?").
func (t turn) onlyNames() bool {
	for _, w := range t.words {
		if inSpans(t.names, w.start) || inSpans(t.years, w.start) || isCue(w.w) {
			continue
		}
		switch w.w {
		case "what", "how", "about", "for", "in", "the", "of", "with", "to", "then":
			continue
		}
		return false
	}
	return true
}

// cue reports a message that opens by leaning on the one before: "and …",
// "what about …", "how about …", "vs …".
func (t turn) cue() bool {
	if len(t.words) == 0 {
		return false
	}
	w0 := t.words[0].w
	if isCue(w0) {
		return true
	}
	if len(t.words) > 1 && (w0 == "what" || w0 == "how") && t.words[1].w == "about" {
		return true
	}
	return strings.HasPrefix(w0, "compar")
}

// comparing reports a message that only asks to compare with a name:
// "vs Alphabet?", "compared with Alphabet?".
func (t turn) comparing() bool {
	if len(t.words) == 0 || len(t.names) == 0 {
		return false
	}
	w0 := t.words[0].w
	return w0 == "vs" || w0 == "versus" || strings.HasPrefix(w0, "compar")
}

// phrase is what "that" stands for: the previous question from its first
// content word to its last ("ByteDance investing in AI infrastructure").
func (t turn) phrase() string {
	if t.firstC < 0 || t.lastC <= t.firstC {
		text := strings.TrimRight(t.text, "?!. ")
		if len(t.words) > 0 && (isWh(t.words[0].w) || isAux(t.words[0].w)) {
			text = lowerInitial(text)
		}
		return text
	}
	return t.text[t.firstC:t.lastC]
}

// clause is the previous question after its question words: "is ByteDance
// investing in AI infrastructure" of "How much is ByteDance investing …".
func (t turn) clause() string {
	for i, w := range t.words {
		if i > 4 {
			break
		}
		if isAux(w.w) {
			return strings.TrimRight(t.text[w.start:], "?!. ")
		}
	}
	return t.phrase()
}

// subject is the name a previous question is about: its first name.
func (t turn) subject() (stretch, bool) {
	if len(t.names) == 0 {
		return stretch{}, false
	}
	return t.names[0], true
}

// rewrite reads q after prev (itself stand-alone) and returns the
// stand-alone question q asks.
func (c *condenser) rewrite(prevText, q string) string {
	p, t := c.parse(prevText), c.parse(q)
	if len(t.words) == 0 || len(p.words) == 0 {
		return q
	}
	refs := t.referring()
	switch {
	case len(refs) > 0:
		return c.resolve(p, t, refs)
	case t.comparing():
		return finish("How does " + p.phrase() + " compare with " + joinNames(t.names) + "?")
	case len(t.topic) > 0:
		// "and capex?", "how long is the extension?": a topic with no name
		// of its own, leaning on the one before by a cue or "the".
		if len(t.names) == 0 && (t.cue() || t.definite()) {
			return c.inherit(p, t, stripCue(t))
		}
		return q
	case len(t.names) > 0 || len(t.years) > 0:
		if t.cue() || t.onlyNames() {
			return substitute(p, t)
		}
		return q
	case isWh(t.words[0].w) || t.sourceWords():
		if len(t.words) > 6 {
			return q
		}
		return whRewrite(p, t)
	}
	return q
}

// definite reports a question that speaks of "the" something, as of a
// thing already mentioned.
func (t turn) definite() bool {
	return slices.ContainsFunc(t.words, func(w word) bool { return w.w == "the" })
}

// sourceWords reports a short message asking for the source: "source?",
// "according to whom?".
func (t turn) sourceWords() bool {
	for _, w := range t.words {
		switch w.w {
		case "source", "sources", "according", "reported", "report", "citation", "proof", "evidence":
			return true
		}
	}
	return false
}

// resolve replaces the words of t that refer back: a possessive with the
// previous subject's possessive, a pronoun with the previous subject when t
// has a topic of its own (and with the previous question's phrase when it
// has none), a demonstrative with the previous question's phrase.
func (c *condenser) resolve(p, t turn, refs []int) string {
	subj, hasSubj := p.subject()
	name := ""
	if hasSubj {
		name = subj.name
	}
	ownTopic := false
	for _, k := range t.topic {
		if !strings.HasPrefix(k, "compar") {
			ownTopic = true
		}
	}
	var b strings.Builder
	last := 0
	named := len(t.names) > 0
	usedSubject := false
	for _, i := range refs {
		w := t.words[i]
		var with string
		switch {
		case isPossessive(w.w) && name != "":
			with, named = name+"'s", true
		case isPronoun(w.w) && ownTopic && name != "" && usedSubject:
			// A second pronoun is something else the previous question
			// named: "how much did it plan to spend on them?" after "Does
			// ByteDance buy Nvidia chips?" — them are the Nvidia chips.
			if len(p.names) < 2 || p.lastC <= p.names[1].start {
				continue
			}
			with = p.text[p.names[1].start:p.lastC]
		case isPronoun(w.w) && ownTopic && name != "":
			with, named, usedSubject = name, true, true
		case isPronoun(w.w) || isDemonstrative(w.w):
			with, named = p.phrase(), named || hasSubj
		default:
			continue
		}
		b.WriteString(t.text[last:w.start])
		b.WriteString(with)
		last = w.end
	}
	b.WriteString(t.text[last:])
	out := b.String()
	r := c.parse(out)
	if !named {
		return c.inherit(p, r, stripCue(r))
	}
	return finish(stripCue(r))
}

// inherit gives a follow-up with a topic but no name the previous
// question's subject: "and the international version?" → "What about
// Doubao's international version?".
func (c *condenser) inherit(p, t turn, text string) string {
	subj, ok := p.subject()
	if !ok || len(t.names) > 0 {
		return finish(text)
	}
	if i := strings.Index(strings.ToLower(text), "the "); i >= 0 && (i == 0 || text[i-1] == ' ') {
		return finish(text[:i] + subj.name + "'s " + text[i+4:])
	}
	return finish(strings.TrimRight(text, "?!. ") + " for " + subj.name)
}

// substitute puts the names and years of t in place of the previous
// question's: "and Microsoft?" after "How much is ByteDance investing in
// AI?" is "How much is Microsoft investing in AI?".
func substitute(p, t turn) string {
	type edit struct {
		start, end int
		with       string
	}
	var edits []edit
	var tail []string
	if len(t.names) > 0 {
		with := joinNames(t.names)
		if s, ok := p.subject(); ok {
			text := p.text[s.start:s.end]
			if strings.HasSuffix(text, "'s") || strings.HasSuffix(text, "’s") {
				with += "'s"
			}
			edits = append(edits, edit{s.start, s.end, with})
		} else {
			tail = append(tail, "for "+with)
		}
	}
	if len(t.years) > 0 {
		y := t.text[t.years[0].start:t.years[0].end]
		if len(p.years) > 0 {
			edits = append(edits, edit{p.years[0].start, p.years[0].end, y})
		} else {
			tail = append(tail, "in "+y)
		}
	}
	// Apply from the end, so earlier offsets stay good.
	slices.SortFunc(edits, func(a, b edit) int { return b.start - a.start })
	out := p.text
	for _, e := range edits {
		out = out[:e.start] + e.with + out[e.end:]
	}
	if len(tail) > 0 {
		out = strings.TrimRight(out, "?!. ") + " " + strings.Join(tail, " ")
	}
	return finish(out)
}

// whRewrite asks the question word of t about the previous question: "why?"
// after "How much is ByteDance investing in AI?" is "Why is ByteDance
// investing in AI?"; "who reported?" is "Who reported ByteDance investing
// in AI?".
func whRewrite(p, t turn) string {
	rest := 0
	for _, w := range t.words {
		if isWh(w.w) || w.w == "so" || w.w == "exactly" {
			rest++
			continue
		}
		break
	}
	if rest == len(t.words) {
		return finish(upperFirst(t.words[0].w) + " " + p.clause())
	}
	text := strings.TrimRight(t.text, "?!. ")
	if n := len(t.words); n > 1 && t.words[n-1].w == "so" {
		text = strings.TrimRight(text[:t.words[n-1].start], " ,") // "who said so?"
	}
	return finish(text + " " + p.phrase())
}

// stripCue drops a leading "and", "but", "so"… and makes what is left a
// question: "and its international version?" is "What about its
// international version?".
func stripCue(t turn) string {
	text := t.text
	for _, w := range t.words {
		if !isCue(w.w) || w.w == "vs" || w.w == "versus" || w.w == "same" {
			break
		}
		text = t.text[w.end:]
	}
	text = strings.TrimLeft(text, " ,;:-–—")
	first := strings.ToLower(strings.SplitN(text, " ", 2)[0])
	first = strings.TrimRight(first, "?!.,")
	if !isWh(first) && !isAux(first) && !isImperative(first) {
		text = "What about " + text
	}
	return text
}

func joinNames(names []stretch) string {
	var out []string
	for _, n := range names {
		if n.name != "" && !slices.Contains(out, n.name) {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, " and ")
}

// finish makes text one question: single spaces, a capital first letter,
// one question mark.
func finish(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	text = strings.TrimRight(text, "?!., ")
	return upperFirst(text) + "?"
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func lowerInitial(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
