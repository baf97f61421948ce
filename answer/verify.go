package answer

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// VerifyReport is what Verify found in an answer.
type VerifyReport struct {
	// FiguresChecked counts the figures the answer states (money, counts,
	// percentages, years, durations), each checked against its sentence's
	// cited sources.
	FiguresChecked int
	// Problems says, one line each, what is wrong, e.g.
	// `sentence 2: "$15 billion" is not in any cited source [1]`.
	// An answer passes when there are none.
	Problems []string
	// Cited lists the provided sources the answer cites, ascending.
	Cited []int
	// NotCovered is set when the whole answer only says that the sources
	// don't cover the question: no figure, no citation. It passes.
	NotCovered bool
	// Sentences counts the sentences checked.
	Sentences int
}

// OK reports whether the answer passed.
func (r VerifyReport) OK() bool { return len(r.Problems) == 0 }

// Verify checks an answer's text against the numbered sources it may cite
// (sources[n] is the fact cited as [n]). It is a pure function: the same
// input always gives the same report. The rules:
//
//   - every citation marker ([1], [1][2], [1, 2], [1-2]) must name a
//     provided source;
//   - every sentence that states a figure must cite;
//   - every figure must match (figure.Value.Matches) a figure of a source
//     that sentence cites: one of the fact's structured figures, one found
//     in its statement or attribution, or the year of its as-of date;
//   - no sentence may give investment advice (Recommends);
//   - the answer must cite at least one source, unless all it says is that
//     the sources don't cover the question (NotCovered).
//
// Sentences end at ".", "!" or "?" followed by white space, and at line
// breaks; citation markers after the final punctuation ("… $12 billion. [2]")
// belong to the sentence before them. Decimals ("55.7") and abbreviations
// ("U.S.", "e.g.", "Dr.") do not end sentences.
func Verify(text string, sources map[int]knowledge.Fact) VerifyReport {
	return verifyWith(nil, text, sources)
}

// verifyWith is Verify with the analysis of the knowledge the sources come
// from (nil: the built-in knowledge's).
func verifyWith(an *index.Analyser, text string, sources map[int]knowledge.Fact) VerifyReport {
	v := newVerifierWith(an, sources)
	var r VerifyReport
	cited := map[int]bool{}
	markers := 0
	var checks []sentenceCheck
	for i, sp := range splitSentences(text, true) {
		c := v.check(i+1, text[sp.start:sp.end])
		checks = append(checks, c)
		markers += c.markers
	}
	notCovered, uncited := false, false
	for i, c := range checks {
		r.Sentences++
		r.FiguresChecked += c.figures
		r.Problems = append(r.Problems, c.problems...)
		if c.uncited {
			uncited = true
			if markers > 0 && !slices.ContainsFunc(c.problems, func(p string) bool { return strings.HasSuffix(p, "without citing a source") }) {
				r.Problems = append(r.Problems, fmt.Sprintf("sentence %d cites no source; put [n] after every claim", i+1))
			}
		}
		notCovered = notCovered || c.notCovered
		for _, n := range c.cited {
			cited[n] = true
		}
	}
	for n := range cited {
		r.Cited = append(r.Cited, n)
	}
	slices.Sort(r.Cited)
	if markers == 0 && r.FiguresChecked == 0 && len(r.Problems) == 0 && !uncited && notCovered &&
		utf8.RuneCountInString(text) <= maxNotCoveredRunes {
		r.NotCovered = true
		return r
	}
	switch {
	case strings.TrimSpace(text) == "":
		r.Problems = append(r.Problems, "the answer is empty")
	case len(r.Cited) == 0 && markers == 0:
		r.Problems = append(r.Problems, "the answer cites no source; put [n] after every claim")
	}
	return r
}

// notCoveredPhrase recognises an answer saying its sources don't answer the
// question, in the words models commonly use.
var notCoveredPhrase = regexp.MustCompile(`(?i)\b(` +
	`(do|does|did)\s*(n['’]t|\s+not)\s+(cover|answer|address|mention|say|include|contain|state|provide|give|specify|discuss)` +
	`|not\s+(covered|mentioned|addressed|answered|stated|included)` +
	`|no\s+(information|mention|data|details?|figures?)\b` +
	`|(can\s*not|can['’]t|unable\s+to)\s+(answer|find|say|tell)` +
	`)`)

// maxNotCoveredRunes bounds a "not covered" answer: a long text that also
// says "no information" somewhere is an answer, and must cite.
const maxNotCoveredRunes = 400

// verifier checks sentences against one set of numbered sources, reading
// and analysing each source once.
type verifier struct {
	sources map[int]knowledge.Fact
	figures map[int][]factFigure
	support map[int]*support
	an      *index.Analyser // nil only if the embedded vocabulary is broken
	units   map[[2]string]bool
}

func newVerifier(sources map[int]knowledge.Fact) *verifier { return newVerifierWith(nil, sources) }

// newVerifierWith checks against sources with an analyser that knows their
// knowledge's names and aliases (nil: the built-in knowledge's).
func newVerifierWith(an *index.Analyser, sources map[int]knowledge.Fact) *verifier {
	if an == nil {
		an, _ = index.DefaultAnalyser()
	}
	return &verifier{sources: sources, figures: make(map[int][]factFigure, len(sources)),
		support: make(map[int]*support, len(sources)), an: an}
}

// factFigures is every figure source n states (readFactFigures).
func (v *verifier) factFigures(n int) []factFigure {
	if vals, ok := v.figures[n]; ok {
		return vals
	}
	vals := readFactFigures(v.sources[n])
	v.figures[n] = vals
	return vals
}

// unitsAgree reports whether two counted nouns name the same thing: the
// same word, people and users, or words the vocabulary gives one concept
// ("apps" and "applications"); "GPUs" are not "users".
func (v *verifier) unitsAgree(a, b string) bool {
	if a == b {
		return true
	}
	people := map[string]bool{"user": true, "person": true, "people": true, "individual": true}
	if people[a] && people[b] {
		return true
	}
	if v.an == nil {
		return false
	}
	key := [2]string{a, b}
	if ok, seen := v.units[key]; seen {
		return ok
	}
	agree := false
	ta, tb := v.an.Terms(a), v.an.Terms(b)
	for _, x := range ta {
		for _, y := range tb {
			if x.Term == y.Term {
				agree = true
			}
			for _, c := range x.Concepts {
				if slices.Contains(y.Concepts, c) {
					agree = true
				}
			}
		}
	}
	if v.units == nil {
		v.units = map[[2]string]bool{}
	}
	v.units[key] = agree
	return agree
}

// sentenceCheck is the verdict on one sentence.
type sentenceCheck struct {
	cited    []int // provided sources cited, in order, no repeats
	markers  int   // citation markers, valid or not
	figures  int
	problems []string
	// uncited is set for a sentence that cites no source and is not one of
	// the sentences that need not (exemptFromCiting); the problem is added
	// by the caller, which knows whether the answer cites at all.
	uncited bool
	// notCovered is set for a sentence saying the sources don't cover
	// something, which needs no citation.
	notCovered bool
}

// check verifies sentence number i (for messages) against the sources.
func (v *verifier) check(i int, s string) sentenceCheck {
	var c sentenceCheck
	// Read the markers, then blank them out so that no figure is read from
	// them.
	blanked := []byte(nil)
	var marks []markerAt
	for j := 0; j < len(s); j++ {
		if s[j] != '[' {
			continue
		}
		m, ok := parseMarker(s, j)
		if !ok {
			continue
		}
		c.markers++
		if blanked == nil {
			blanked = []byte(s)
		}
		for k := j; k < m.end; k++ {
			blanked[k] = ' '
		}
		if m.tooWide {
			c.problems = append(c.problems, fmt.Sprintf("sentence %d: %s cites a range of sources too wide to be real", i, s[j:m.end]))
		}
		at := markerAt{start: j, end: m.end}
		for _, n := range m.nums {
			if _, ok := v.sources[n]; !ok {
				if text := s[j:m.end]; text == "["+strconv.Itoa(n)+"]" {
					c.problems = append(c.problems, fmt.Sprintf("sentence %d: %s is not one of the %s", i, text, sourceCount(len(v.sources))))
				} else {
					c.problems = append(c.problems, fmt.Sprintf("sentence %d: %s cites [%d], which is not one of the %s", i, text, n, sourceCount(len(v.sources))))
				}
				continue
			}
			at.cited = appendNew(at.cited, n)
			if !slices.Contains(c.cited, n) {
				c.cited = append(c.cited, n)
			}
		}
		if len(at.cited) > 0 {
			marks = append(marks, at)
		}
		j = m.end - 1
	}
	body := s
	if blanked != nil {
		body = string(blanked)
	}
	segs := segments(body, marks)
	// No figure to check can catch advice ("Buy ByteDance shares now [1].");
	// an LLM talked into it by an instruction in a question or a source is
	// stopped here.
	if phrase, ok := Recommends(body); ok {
		c.problems = append(c.problems, fmt.Sprintf("sentence %d: %q is investment advice, which bytewatch never gives", i, strings.TrimSpace(phrase)))
	}
	// A number in characters the parser does not read cannot be checked:
	// the sentence is rejected rather than the number passed over.
	if num, ok := unreadableNumber(body); ok {
		c.figures++
		c.problems = append(c.problems, fmt.Sprintf("sentence %d: %q is a number in characters bytewatch cannot check; write numbers in plain digits", i, num))
	}
	figs := figure.Parse(body)
	if len(c.cited) == 0 {
		if notCovered, ok := v.exemptFromCiting(body); ok && len(figs) == 0 && !strings.ContainsAny(body, "0123456789") {
			c.notCovered = notCovered
		} else {
			c.uncited = true
		}
	}
	// Digits the figure parser passes over ("90million", "#2", "GPT-4") are
	// numbers all the same: each must appear in a cited source, or the
	// sentence could show a figure no source contains.
	for _, run := range strayDigits(body, figs) {
		c.figures++
		sg := segmentAt(segs, run.at)
		switch {
		case len(sg.cited) == 0:
			c.problems = append(c.problems, fmt.Sprintf("sentence %d: %q is stated without citing a source", i, run.text))
		case !slices.ContainsFunc(sg.cited, func(n int) bool { return slices.Contains(digitRuns(v.sources[n].Statement), run.digits) }):
			c.problems = append(c.problems, fmt.Sprintf("sentence %d: %q is not in any cited source %s", i, run.text, markerList(sg.cited)))
		}
	}
	// Numbers in words that are no figure to the parser ("two chatbots",
	// "twice as much") must be stated by a cited source too.
	for _, w := range strayNumberWords(body, figs) {
		c.figures++
		sg := segmentAt(segs, strings.Index(body, w))
		if !slices.ContainsFunc(sg.cited, func(n int) bool { return statesNumberWord(v.sources[n].Statement, w) }) {
			c.problems = append(c.problems, fmt.Sprintf("sentence %d: %q is a number no cited source states %s", i, w, markerList(sg.cited)))
		}
	}
	var counted []string
	for _, fig := range figs {
		c.figures++
		text := strings.TrimSpace(fig.Text)
		sg := segmentAt(segs, fig.Start)
		if len(sg.cited) == 0 {
			c.problems = append(c.problems, fmt.Sprintf("sentence %d: %q is stated without citing a source", i, text))
			continue
		}
		if yearAsCount(body, fig) {
			c.problems = append(c.problems, fmt.Sprintf("sentence %d: %q uses a year as a count", i, strings.TrimSpace(body[fig.Start:min(len(body), fig.End+wordLen(body[fig.End:]))])))
			continue
		}
		if problem := v.checkFigure(body, fig, sg.cited, c.cited); problem != "" {
			c.problems = append(c.problems, fmt.Sprintf("sentence %d: %q %s", i, text, problem))
		} else if fig.Kind == figure.Count && fig.Unit != "" {
			// What a checked count counts was checked with it ("75 million
			// people" for users).
			counted = append(counted, fig.Unit)
		}
	}
	c.problems = append(c.problems, v.supportProblems(i, body, segs, c.cited, counted)...)
	return c
}

// checkFigure checks one figure against the sources its segment cites
// (own); it returns "" when one of them states it as the sentence does.
func (v *verifier) checkFigure(body string, fig figure.Value, own, all []int) string {
	reason := ""
	for _, n := range own {
		r, ok := figureMismatch(body, fig, v.factFigures(n), v.unitsAgree)
		if ok {
			return ""
		}
		if r != "" && reason == "" {
			reason = r + " " + markerList([]int{n})
		}
	}
	if reason != "" {
		return reason
	}
	// Stated by another source the sentence cites: the figure traded places.
	for _, n := range all {
		if slices.Contains(own, n) {
			continue
		}
		if slices.ContainsFunc(v.factFigures(n), func(ff factFigure) bool { return fig.Matches(ff.v) }) {
			return fmt.Sprintf("is attributed to %s but is in %s", markerList(own), markerList([]int{n}))
		}
	}
	return "is not in any cited source " + markerList(own)
}

// wordLen is the length of the space and word at the start of s.
func wordLen(s string) int {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	return i
}

func sourceCount(n int) string {
	if n == 1 {
		return "1 source given"
	}
	return strconv.Itoa(n) + " sources given"
}

// markerList writes source numbers as a reader sees them: "[1]", "[1][3]".
func markerList(ns []int) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteString("[" + strconv.Itoa(n) + "]")
	}
	return b.String()
}

// marker is one citation marker: [1], [1, 2], [1-3], [1; 2 and 4].
type marker struct {
	end     int   // byte offset just past the closing bracket
	nums    []int // the sources it names, ranges expanded
	tooWide bool  // a range wider than maxMarkerRange, not expanded
}

// Limits that keep a hostile marker ("[1-999999999]") cheap.
const (
	maxMarkerDigits = 4
	maxMarkerRange  = 50
)

// parseMarker reads a citation marker starting at s[i] == '['. It accepts
// numbers separated by commas, semicolons or "and", and ranges with a
// hyphen or dash, with any spaces; anything else inside the brackets
// ("[Note]", "[1a]", a markdown link's text) is no marker.
func parseMarker(s string, i int) (marker, bool) {
	var m marker
	j := i + 1
	prev := -1
	inRange := false
	expectNum := true
	for j < len(s) {
		c := s[j]
		switch {
		case c == ' ' || c == '\t':
			j++
		case c >= '0' && c <= '9':
			if !expectNum {
				return marker{}, false
			}
			k := j
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			if k-j > maxMarkerDigits {
				return marker{}, false
			}
			n, _ := strconv.Atoi(s[j:k])
			if inRange {
				switch {
				case n < prev || n-prev > maxMarkerRange:
					m.tooWide = true
				default:
					for x := prev + 1; x <= n; x++ {
						m.nums = append(m.nums, x)
					}
				}
				inRange = false
			} else {
				m.nums = append(m.nums, n)
			}
			prev, expectNum = n, false
			j = k
		case c == ',' || c == ';':
			if expectNum {
				return marker{}, false
			}
			expectNum = true
			j++
		case c == '-' || strings.HasPrefix(s[j:], "–") || strings.HasPrefix(s[j:], "—"):
			if expectNum || inRange {
				return marker{}, false
			}
			inRange, expectNum = true, true
			if c == '-' {
				j++
			} else {
				j += len("–") // en and em dashes are both three bytes
			}
		case c == 'a' && strings.HasPrefix(s[j:], "and ") && !expectNum:
			expectNum = true
			j += len("and")
		case c == ']':
			if expectNum || len(m.nums) == 0 && !m.tooWide {
				return marker{}, false
			}
			m.end = j + 1
			return m, true
		default:
			return marker{}, false
		}
	}
	return marker{}, false
}

// markerPrefix reports whether s (which starts with '[') could still grow
// into a citation marker: "[", "[1", "[1, 2-". A stream that ends in one
// must wait for more text before the sentence before it is complete.
func markerPrefix(s string) bool {
	for i, r := range s[1:] {
		switch {
		case r == utf8.RuneError && !utf8.FullRuneInString(s[1+i:]):
			return true // a dash may be arriving a byte at a time
		case r >= '0' && r <= '9', r == ' ', r == '\t', r == ',', r == ';', r == '-', r == '–', r == '—',
			r == 'a', r == 'n', r == 'd':
		default:
			return false
		}
	}
	return true
}

// span is one sentence: text[start:end], trailing citation markers
// included, surrounding white space excluded.
type span struct {
	start, end int
	// closed is set when the sentence is known to be complete: the start
	// of another sentence follows it, or the text is final. An open
	// sentence may still grow ("55." may become "55.7").
	closed bool
}

// abbreviations do not end a sentence when a period follows them. Single
// letters ("U.S.", "e.g.", "a.m.") are handled separately.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true, "jr": true, "st": true,
	"vs": true, "fig": true, "approx": true, "est": true, "cf": true, "inc": true, "corp": true,
	"co": true, "ltd": true, "jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true,
	"aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "u.s": true, "u.k": true,
}

// splitSentences cuts text into sentences. With final unset the text is a
// stream's prefix: the last sentence stays open until something shows it
// ended.
func splitSentences(text string, final bool) []span {
	var out []span
	start := skipSpace(text, 0)
	emit := func(end int, closed bool) {
		end = trimRightSpace(text, start, end)
		if end > start {
			out = append(out, span{start: start, end: end, closed: closed})
		}
	}
	for j := start; j < len(text); {
		c := text[j]
		switch {
		case c == '\n':
			emit(j, true)
			start = skipSpace(text, j+1)
			j = start
			continue
		case c == '.' || c == '!' || c == '?':
			end, next, decided := sentenceEnd(text, j, start, final)
			if !decided {
				// The stream stops before we can tell; the rest is open.
				emit(len(text), false)
				return out
			}
			if end < 0 {
				j++
				continue
			}
			emit(end, true)
			start = next
			j = next
			continue
		}
		j++
	}
	if start < len(text) {
		emit(len(text), final)
	}
	return out
}

// sentenceEnd decides whether the punctuation at text[j] ends the sentence
// that began at start. It returns the sentence's end (after closing quotes
// and trailing citation markers) and where the next sentence starts; end is
// -1 when the punctuation ends nothing. decided is false when the text
// stops before the answer is known.
func sentenceEnd(text string, j, start int, final bool) (end, next int, decided bool) {
	// undecided reports whether the text stops inside a character at i,
	// which a stream may still complete.
	undecided := func(i int) bool { return !final && !utf8.FullRuneInString(text[i:]) }
	k := j + 1
	for k < len(text) {
		if undecided(k) {
			return 0, 0, false
		}
		r, size := utf8.DecodeRuneInString(text[k:])
		if !strings.ContainsRune(`"')”’*_`, r) {
			break
		}
		k += size
	}
	// Citation markers right after the punctuation belong to this sentence.
	m := k
	sawMarker := false
	for {
		p := m
		for p < len(text) && (text[p] == ' ' || text[p] == '\t') {
			p++
		}
		if p < len(text) && text[p] == '[' {
			if mk, ok := parseMarker(text, p); ok {
				m, sawMarker = mk.end, true
				continue
			}
			if !final && markerPrefix(text[p:]) {
				return 0, 0, false
			}
		}
		break
	}
	end = k
	if sawMarker {
		end = m
	}
	p := end
	for p < len(text) && (text[p] == ' ' || text[p] == '\t') {
		p++
	}
	if p == len(text) {
		if !final {
			return 0, 0, false
		}
		return end, p, true
	}
	if sawMarker || text[p] == '\n' || text[p] == '\r' {
		return end, skipSpace(text, p), true
	}
	if p == k {
		// Punctuation glued to what follows: "55.7", "U.S.A", "bytedance.com".
		return -1, 0, true
	}
	if undecided(p) {
		return 0, 0, false
	}
	r, _ := utf8.DecodeRuneInString(text[p:])
	if unicode.IsLower(r) {
		return -1, 0, true // "approx. five", "e.g. chips"
	}
	if text[j] == '.' && isAbbreviation(text, start, j) {
		return -1, 0, true
	}
	return end, p, true
}

// isAbbreviation reports whether the word ending at the period text[dot]
// is an abbreviation ("Dr", "U.S", "e.g").
func isAbbreviation(text string, start, dot int) bool {
	w := dot
	for w > start {
		r, size := utf8.DecodeLastRuneInString(text[:w])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		w -= size
	}
	word := strings.ToLower(text[w:dot])
	if word == "" {
		return false
	}
	if abbreviations[word] {
		return true
	}
	// Letters separated by periods: "u.s", "e.g", "i.e", "a.m".
	parts := strings.Split(word, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) != 1 {
			return false
		}
	}
	return true
}

func skipSpace(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

func trimRightSpace(text string, start, end int) int {
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return end
}

// digitRun is a run of digits outside every parsed figure.
type digitRun struct {
	text   string // as written, with the word it is glued to
	digits string // the digits, in ASCII
	at     int    // byte offset in the sentence
}

// strayDigits finds the runs of digits in s that no figure in figs covers.
func strayDigits(s string, figs []figure.Value) []digitRun {
	covered := func(i int) bool {
		for _, f := range figs {
			if i >= f.Start && i < f.End {
				return true
			}
		}
		return false
	}
	var out []digitRun
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		// Other scripts' digits are unreadableNumber's: rejected outright.
		if r < '0' || r > '9' || covered(i) {
			i += size
			continue
		}
		start := i
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if (r < '0' || r > '9') && r != '.' && r != ',' {
				break
			}
			i += size
		}
		run := strings.TrimRight(s[start:i], ".,")
		// The word it is part of, for the message: "90million", "GPT-4".
		ws, we := start, start+len(run)
		for ws > 0 {
			r, size := utf8.DecodeLastRuneInString(s[:ws])
			if unicode.IsSpace(r) {
				break
			}
			ws -= size
		}
		for we < len(s) {
			r, size := utf8.DecodeRuneInString(s[we:])
			if unicode.IsSpace(r) || strings.ContainsRune(".,;:!?)]", r) {
				break
			}
			we += size
		}
		for _, d := range strings.FieldsFunc(asciiDigits(run), func(r rune) bool { return r < '0' || r > '9' }) {
			out = append(out, digitRun{text: strings.TrimSpace(s[ws:we]), digits: d, at: start})
		}
	}
	return out
}

// asciiDigits writes every decimal digit of s in ASCII ("９０" → "90").
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) && (r < '0' || r > '9') {
			if d := digitValue(r); d >= 0 {
				return '0' + rune(d)
			}
		}
		return r
	}, s)
}

// digitValue is the value of a decimal digit of any script, or -1.
func digitValue(r rune) int {
	for _, zero := range []rune{'０', '٠', '۰', '०', '০', '੦', '૦', '୦', '௦', '౦', '೦', '൦', '๐', '໐', '༠', '၀'} {
		if r >= zero && r <= zero+9 {
			return int(r - zero)
		}
	}
	return -1
}

// digitRuns lists the runs of digits in s, in ASCII: "H20 chips in 2025"
// gives "20" and "2025", so "2" is in neither.
func digitRuns(s string) []string {
	return strings.FieldsFunc(asciiDigits(s), func(r rune) bool { return r < '0' || r > '9' })
}
