package figure

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Parse returns the figures in text in the order they appear, with the byte
// offsets they were read from; the values never overlap.
//
// It reads amounts in digits ("12,000", "55.7") or words ("seventy-five
// million"), with a currency before or after ("$", "US$", "RMB", "€", "£",
// "dollars", "yuan", "euros") and a scale ("billion", "bn", "B", "k"), ranges
// ("$10-12 billion" gives two values, the scale and currency applying to
// both), percentages, years (also inside dates, "FY24", "Q3 2024", "fiscal
// 2024"), durations ("75-day", "three months") and counts ("15 apps").
//
// What it deliberately does not read as figures: digits glued to letters
// ("H20", "GPT-4", "Qwen2.5", "10-K"), ordinals ("2nd"), the day of a date,
// citation markers ("[1, 3]"), list numbers ("1. " at a line start), times
// ("10:30"), fractions ("24/7"), a bare number right after a capitalised
// word in mid-sentence ("Doubao 1.5 Pro"), and number words that no scale,
// currency or unit follows ("one of the largest", "the two companies").
func Parse(text string) []Value {
	p := parser{text: text}
	for i := 0; i < len(text); {
		if !mayStart[text[i]] {
			i++
			continue
		}
		next := p.step(i)
		if next <= i { // every reader consumes something; this only guards against a slip
			next = i + 1
		}
		i = next
	}
	return p.out
}

// mayStart marks the bytes a figure, or a word to skip whole, can start
// with; the scanner passes over the rest (spaces, most punctuation) without
// looking further. Read-only.
var mayStart = func() (m [256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		m[c] = isAlnum(b) || b >= utf8.RuneSelf || strings.IndexByte("$[#'", b) >= 0
	}
	return m
}()

// parser holds one call's input and results; Parse is safe for concurrent use.
type parser struct {
	text string
	out  []Value
}

// quantity is an amount being read, before it becomes a Value.
type quantity struct {
	start, end int    // the figure's text; a count's noun is not part of it
	mant       uint64 // the digits, without separators or point
	dec        int    // how many of them follow the decimal point
	exp        int    // the power of ten that scale words and suffixes multiply by
	scaled     bool
	times      bool // "10x"
	words      bool // spelled out: "seventy-five million"
	yearDigits bool // four plain digits from 1900 to 2100
	currency   string
	percent    bool
	duration   string
	nounStart  int // the word naming what a count counts: "users"
	nounEnd    int
}

func (q *quantity) hasNoun() bool { return q.nounEnd > q.nounStart }

// hasUnit reports whether something after the amount says what it is.
func (q *quantity) hasUnit() bool {
	return q.currency != "" || q.percent || q.duration != "" || q.hasNoun()
}

// gated reports whether a number in words is a figure: a scale, currency or
// unit must follow it, so "one of the largest" is not one. A spelled-out
// number from ten up may also count a noun ("fifteen apps").
func (q *quantity) gated() bool {
	return q.scaled || q.currency != "" || q.percent || q.duration != "" || q.hasNoun() && q.mant >= 10
}

// kind decides what q is; a unit beats a year-like look ("$2024").
func (q *quantity) kind() Kind {
	switch {
	case q.currency != "":
		return Money
	case q.percent:
		return Percent
	case q.duration != "":
		return Duration
	case q.yearDigits && !q.scaled && !q.times:
		return Year
	case q.hasNoun():
		return Count
	}
	return Number
}

// step reads whatever starts at i and returns where to go on.
func (p *parser) step(i int) int {
	t := p.text
	c := t[i]
	switch {
	case isDigit(c):
		return p.atDigit(i)
	case isLetter(c):
		return p.atWord(i)
	case c == '$':
		return p.atQuantity(i)
	case c == '[':
		return skipCitation(t, i)
	case c == '#': // "#1" is a rank
		return skipDigits(t, i+1)
	case c == '\'':
		return p.apostropheYear(i, i+1)
	case c < utf8.RuneSelf:
		return i + 1
	}
	r, size := utf8.DecodeRuneInString(t[i:])
	switch r {
	case '€', '£', '¥', '￥':
		return p.atQuantity(i)
	case '’':
		return p.apostropheYear(i, i+size)
	}
	if isWordRune(r) {
		return p.atWord(i)
	}
	return i + size
}

// atQuantity reads an amount that starts with a currency symbol or a digit.
func (p *parser) atQuantity(i int) int {
	q, resume, ok := p.quantityAt(i)
	if !ok {
		return resume
	}
	return p.emitQuantity(q)
}

// atDigit reads what starts with a digit: a date, a label to skip, or an
// amount.
func (p *parser) atDigit(i int) int {
	t := p.text
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(t[:i]); isWordRune(r) {
			return skipProduct(t, i)
		}
	}
	if end, ok := skipMarker(t, i); ok {
		return end
	}
	if end, ok := p.numericDate(i); ok {
		return end
	}
	if end, ok := p.quarterFirstYear(i); ok {
		return end
	}
	if end, ok := p.dayMonth(i); ok {
		return end
	}
	if end, ok := skipNonFigure(t, i); ok {
		return end
	}
	return p.atQuantity(i)
}

// atWord reads the word at i: a keyword that starts a figure, or a word to
// skip — whole, with any digits glued to it, so "H20" and "GPT-4" are no
// figures.
func (p *parser) atWord(i int) int {
	t := p.text
	j := scanWord(t, i)
	var info wordInfo
	known := false
	if mayStartFigure(t[i:j]) {
		info, known = lookupWord(t[i:j])
	}
	if known || j < len(t) && t[j] == '$' || t[i:j] == "US" {
		if end, ok := p.atKeyword(i, j, info); ok {
			return end
		}
	}
	if j == i+1 && (t[i] == 'Q' || t[i] == 'H') && j < len(t) && isDigit(t[j]) {
		if end, ok := p.quarterYear(i); ok {
			return end
		}
	}
	if j < len(t) {
		c := t[j]
		glued := isDigit(c) || (c == '-' || c == '.' || c == '_') && j+1 < len(t) && isDigit(t[j+1]) && info.class&classTimePrefix == 0
		if glued {
			return skipProduct(t, i)
		}
	}
	return j
}

// atKeyword reads a figure that starts with the keyword text[i:j]: a
// currency code, a number word, a month, "FY" or "fiscal".
func (p *parser) atKeyword(i, j int, info wordInfo) (int, bool) {
	t := p.text
	switch {
	case info.class&classCode != 0 || j < len(t) && t[j] == '$' || t[i:j] == "US":
		if q, _, ok := p.quantityAt(i); ok && q.currency != "" {
			return p.emitQuantity(q), true
		}
	case info.class&(classNumber|classArticle|classHalf) != 0:
		if q, _, ok := p.quantityAt(i); ok {
			return p.emitQuantity(q), true
		}
	case info.class&classMonth != 0 && isUpper(t[i]):
		return p.monthDate(i, j)
	case info.class&classMonth != 0:
		// In lower case, as people type: only a month followed by a year
		// ("march 2026") is a date; "may" and "march" alone are words.
		k := j
		if k < len(t) && t[k] == '.' {
			k++
		}
		if y, ye, ok := yearAfterMonth(t, k); ok {
			return p.dateYear(i, ye, y), true
		}
	case info.class&classFY != 0:
		if y, end, ok := fiscalYearAt(t, j); ok {
			return p.appendYear(i, end, y), true
		}
	case info.class&classFiscal != 0:
		return p.fiscalWord(i, j)
	}
	return 0, false
}

// quantityAt reads an amount at i: an optional currency before it, the
// numeral in digits or words, and what follows (scale, currency, percent,
// duration unit, counted noun). When there is none, resume is where to go on.
func (p *parser) quantityAt(i int) (q quantity, resume int, ok bool) {
	t := p.text
	q.start = i
	j := i
	if code, end := currencyBefore(t, i); end > i {
		j = skipSpaces(t, end)
		if j >= len(t) || !isDigit(t[j]) {
			return q, end, false
		}
		q.currency = code
	}
	switch {
	case isDigit(t[j]):
		d, ok := readDigits(t, j)
		if !ok {
			return q, skipProduct(t, j), false
		}
		q.mant, q.dec, q.end = d.mant, d.dec, d.end
		q.yearDigits = d.plain && d.end-j == 4 && d.mant >= 1900 && d.mant <= 2100
		if q.end < len(t) && (isLetter(t[q.end]) || !boundary(t, q.end)) {
			exp, times, end, ok := gluedSuffix(t, q.end)
			if !ok {
				return q, skipProduct(t, j), false
			}
			q.exp, q.scaled, q.times, q.end = exp, exp > 0, times, end
			q.yearDigits = false
		}
	case q.currency == "" && isLetter(t[j]):
		if !p.wordsNumeral(&q, j) {
			return q, scanWord(t, j), false
		}
	default:
		return q, i + 1, false
	}
	if !p.readSuffixes(&q) {
		return q, skipProduct(t, j), false
	}
	return q, q.end, true
}

// digitsRead is a numeral read by readDigits.
type digitsRead struct {
	mant  uint64
	dec   int
	end   int
	plain bool // no thousands separator, no decimal point
}

// maxDigits bounds a numeral: longer runs are identifiers, not amounts, and
// would overflow the mantissa.
const maxDigits = 18

// readDigits reads "12", "12,000", "1,234.5" at i. It fails on a run that is
// too long or that has a second decimal point ("1.2.3", a version).
func readDigits(t string, i int) (d digitsRead, ok bool) {
	j := i
	n := 0
	take := func(c byte) {
		if d.mant != 0 || c != '0' {
			n++
		}
		d.mant = d.mant*10 + uint64(c-'0')
	}
	for j < len(t) && isDigit(t[j]) && j-i <= maxDigits {
		take(t[j])
		j++
	}
	d.plain = true
	if j-i <= 3 {
		for j+3 < len(t) && t[j] == ',' && isDigit(t[j+1]) && isDigit(t[j+2]) && isDigit(t[j+3]) &&
			(j+4 == len(t) || !isDigit(t[j+4])) && n <= maxDigits {
			take(t[j+1])
			take(t[j+2])
			take(t[j+3])
			j += 4
			d.plain = false
		}
	}
	if j+1 < len(t) && t[j] == '.' && isDigit(t[j+1]) {
		j++
		d.plain = false
		for j < len(t) && isDigit(t[j]) && d.dec <= maxDigits {
			take(t[j])
			d.dec++
			j++
		}
		if j+1 < len(t) && t[j] == '.' && isDigit(t[j+1]) {
			return d, false
		}
	}
	if n > maxDigits || j < len(t) && isDigit(t[j]) {
		return d, false
	}
	d.end = j
	return d, true
}

// gluedSuffix reads a scale or multiplier written against the digits:
// "10B", "12bn", "5k", "1.5tn", "10x". Any other letters make the token a
// name ("5G", "7nm", "2020s").
func gluedSuffix(t string, k int) (exp int, times bool, end int, ok bool) {
	e := k
	for e < len(t) && isLetter(t[e]) {
		e++
	}
	if !boundary(t, e) {
		return 0, false, 0, false
	}
	switch w := t[k:e]; w {
	case "k", "K":
		return 3, false, e, true
	case "m", "M", "MM":
		return 6, false, e, true
	case "b", "B":
		return 9, false, e, true
	case "T":
		return 12, false, e, true
	case "x":
		return 0, true, e, true
	default:
		switch strings.ToLower(w) {
		case "mn", "mln":
			return 6, false, e, true
		case "bn", "bln":
			return 9, false, e, true
		case "tn", "trn":
			return 12, false, e, true
		}
	}
	return 0, false, 0, false
}

// wordsNumeral reads a number spelled out at j — "seventy-five", "two
// hundred and fifty thousand", "a million", "half a billion" — into q.
func (p *parser) wordsNumeral(q *quantity, j int) bool {
	t := p.text
	const (
		none = iota
		article
		ones
		teensOrTens
		tens
		hundred
		scale
	)
	if end, ok := p.halfA(q, j); ok {
		q.end = end
		return true
	}
	var total, group uint64
	last, lastExp, words, end := none, 100, 0, j
	k := j
loop:
	for {
		we := scanASCIILetters(t, k)
		if we == k || !boundary(t, we) {
			break
		}
		w := t[k:we]
		info, ok := lookupWord(w)
		if !ok {
			break
		}
		switch {
		case last == none && info.class&classArticle != 0:
			group, last = 1, article
		case info.class&classNumber != 0:
			v := info.value
			switch {
			case v < 10 && (last == none || last == tens || last == hundred || last == scale):
				last = ones
			case v >= 20 && v%10 == 0 && (last == none || last == hundred || last == scale):
				last = tens
			case v >= 10 && (last == none || last == hundred || last == scale):
				last = teensOrTens
			default:
				break loop
			}
			group += v
		case info.class&classScale != 0 && info.exp == 2 && (last == ones || last == teensOrTens || last == article):
			group *= 100
			last = hundred
		case info.class&classScale != 0 && info.exp >= 3 && info.exp < lastExp && last != none && last != scale:
			total += group * uint64(math.Pow10(info.exp))
			group, lastExp, last = 0, info.exp, scale
			q.scaled = true
		case strings.EqualFold(w, "and") && (last == ones || last == teensOrTens || last == tens) && total == 0:
			// "two and a half billion": a half more, then the scale.
			if exp, se, ok := andAHalf(t, we); ok {
				q.mant, q.dec, q.exp, q.scaled, q.words, q.end = group*10+5, 1, exp, true, true, se
				return true
			}
			break loop
		case strings.EqualFold(w, "and") && last == hundred:
			// "two hundred and fifty": the "and" belongs to the number only
			// when a number word follows it.
			if we+1 < len(t) && t[we] == ' ' {
				nw := scanASCIILetters(t, we+1)
				if next, ok := lookupWord(t[we+1 : nw]); ok && next.class&classNumber != 0 {
					k = we + 1
					continue
				}
			}
			break loop
		default:
			break loop
		}
		words++
		end = we
		// Words of one number join with a space or a hyphen: "seventy-five".
		if we+1 < len(t) && (t[we] == ' ' || t[we] == '-') && isLetter(t[we+1]) {
			k = we + 1
			continue
		}
		break
	}
	if words == 0 || last == article {
		return false
	}
	q.mant = total + group
	if last == scale {
		// Keep a trailing scale apart, as for digits, so a range can share
		// it: "five to ten billion".
		q.mant /= uint64(math.Pow10(lastExp))
		q.exp = lastExp
	}
	q.words = true
	q.end = end
	return true
}

// andAHalf reads " a half billion" after the "and" of "two and a half
// billion" ending at k: the scale's exponent and where it ends. Without a
// scale of a thousand or more it is no figure ("two and a half days" is read
// no further than "two").
func andAHalf(t string, k int) (exp, end int, ok bool) {
	s := skipSpaces(t, k)
	if s == k || !wordIs(t, s, "a") {
		return 0, 0, false
	}
	s2 := skipSpaces(t, s+1)
	if s2 == s+1 || !wordIs(t, s2, "half") {
		return 0, 0, false
	}
	s3 := skipSpaces(t, s2+len("half"))
	if s3 == s2+len("half") {
		return 0, 0, false
	}
	se := scanASCIILetters(t, s3)
	info, found := lookupWord(t[s3:se])
	if !found || info.class&classScale == 0 || info.exp < 3 || !boundary(t, se) {
		return 0, 0, false
	}
	return info.exp, se, true
}

// halfA reads "half a billion", "a half-billion", "a half billion" and
// "half-billion" as 0.5e9.
func (p *parser) halfA(q *quantity, j int) (int, bool) {
	t := p.text
	if wordIs(t, j, "a") {
		// "a half-billion", "a half billion"
		k := skipSpaces(t, j+1)
		if k == j+1 || !wordIs(t, k, "half") {
			return 0, false
		}
		j = k
	}
	we := scanASCIILetters(t, j)
	if info, ok := lookupWord(t[j:we]); !ok || info.class&classHalf == 0 {
		return 0, false
	}
	k := skipSpaces(t, we)
	switch {
	case k == we && k+1 < len(t) && t[k] == '-' && isLetter(t[k+1]):
		k++ // "half-billion"
	case k > we && wordIs(t, k, "a"):
		k = skipSpaces(t, k+1)
	case k > we:
		// "a half billion": the scale straight after
	default:
		return 0, false
	}
	se := scanASCIILetters(t, k)
	info, ok := lookupWord(t[k:se])
	if !ok || info.class&classScale == 0 || !boundary(t, se) {
		return 0, false
	}
	q.mant, q.dec, q.exp, q.scaled, q.words = 5, 1, info.exp, true, true
	return se, true
}

// readSuffixes reads what follows an amount: scale words, a currency, a
// percent sign or word, a duration unit, or the noun a count counts. It
// reports false when a hyphen glues the amount to a code ("10-K", "3-D"):
// the whole is a name, not a figure.
func (p *parser) readSuffixes(q *quantity) bool {
	t := p.text
	k := q.end
	if k+1 < len(t) && t[k] == '-' && isLetter(t[k+1]) {
		e := k + 1
		letters := 0
		for e < len(t) && isAlnum(t[e]) {
			if isLetter(t[e]) {
				letters++
			}
			e++
		}
		if letters == 1 || letters < e-(k+1) {
			return false
		}
	}
	if q.times { // "3.5x year-over-year": a multiple takes no unit
		return true
	}
	ws, we, info, ok := p.wordAfter(k)
	for n := 0; n < 2 && ok && info.class&classScale != 0; n++ { // "12,000 million", "1.5 thousand million"
		q.exp += info.exp
		q.scaled = true
		k = we
		ws, we, info, ok = p.wordAfter(k)
	}
	if s := skipSpaces(t, k); q.currency == "" && s < len(t) && t[s] == '%' {
		q.percent = true
		k = s + 1
	} else if ok || we > ws {
		switch {
		case info.class&classCurrency != 0:
			if q.currency == "" {
				q.currency = info.currency
			}
			k = we
		case q.currency != "":
		case info.class&classPercent != 0:
			q.percent, k = true, we
		case info.class&classDuration != 0 && !notDuration(t, q, ws, we):
			q.duration, k = info.unit, we
		default:
			if end, ok := percentWords(t, ws, we); ok {
				q.percent, k = true, end
			} else if end, ok := usDollars(t, ws); ok {
				q.currency, k = "USD", end
			}
		}
	}
	q.end = k
	if !q.hasUnit() {
		if k < len(t) && t[k] == '+' { // "15+ apps"
			k++
		}
		q.nounStart, q.nounEnd = nounAfter(t, k)
	}
	return true
}

// notDuration reports whether the unit word at t[ws:we] after q says when
// rather than how long: "by 2025 year-end", "grew 15 year-over-year".
func notDuration(t string, q *quantity, ws, we int) bool {
	if q.yearDigits && t[ws:we] == strings.TrimSuffix(t[ws:we], "s") {
		return true // a year then a singular unit: "2025 year-end"
	}
	spaced := ws > 0 && t[ws-1] != '-'
	return spaced && we+1 < len(t) && t[we] == '-' && isLetter(t[we+1])
}

// wordAfter finds the ASCII word after k, past spaces or one hyphen
// ("75-day", "12-billion-dollar"), and looks it up.
func (p *parser) wordAfter(k int) (ws, we int, info wordInfo, ok bool) {
	t := p.text
	s := skipSpaces(t, k)
	if s == k {
		if k+1 < len(t) && t[k] == '-' && isLetter(t[k+1]) {
			s = k + 1
		} else {
			return k, k, wordInfo{}, false
		}
	}
	e := scanASCIILetters(t, s)
	if e == s || !boundary(t, e) {
		return s, s, wordInfo{}, false
	}
	info, ok = lookupWord(t[s:e])
	return s, e, info, ok
}

// percentWords reads "per cent" and "percentage point(s)" at ws.
func percentWords(t string, ws, we int) (int, bool) {
	var second []string
	switch {
	case strings.EqualFold(t[ws:we], "per"):
		second = []string{"cent"}
	case strings.EqualFold(t[ws:we], "percentage"):
		second = []string{"point", "points"}
	default:
		return 0, false
	}
	s := skipSpaces(t, we)
	if s == we && s < len(t) && t[s] == '-' {
		s++
	}
	e := scanASCIILetters(t, s)
	if s == we || !boundary(t, e) {
		return 0, false
	}
	for _, w := range second {
		if strings.EqualFold(t[s:e], w) {
			return e, true
		}
	}
	return 0, false
}

// usDollars reads "US dollars" and "U.S. dollars" at ws.
func usDollars(t string, ws int) (int, bool) {
	var k int
	switch {
	case strings.HasPrefix(t[ws:], "U.S."):
		k = ws + 4
	case strings.HasPrefix(t[ws:], "US"):
		k = ws + 2
	default:
		return 0, false
	}
	s := skipSpaces(t, k)
	e := scanASCIILetters(t, s)
	if s == k || !boundary(t, e) {
		return 0, false
	}
	if w := t[s:e]; strings.EqualFold(w, "dollars") || strings.EqualFold(w, "dollar") {
		return e, true
	}
	return 0, false
}

// nounAfter finds the word naming what a count counts: the first plural in
// the few words after k ("75 million monthly active users" → "users"), else
// the first word; a stop word ends the phrase. A hyphen joins one noun:
// "a 10-person team".
func nounAfter(t string, k int) (int, int) {
	if k+1 < len(t) && t[k] == '-' && isLetter(t[k+1]) {
		e := scanASCIILetters(t, k+1)
		if e-(k+1) < 2 || !boundary(t, e) {
			return 0, 0
		}
		if info, ok := lookupWord(t[k+1 : e]); ok && info.class&classStop != 0 {
			return 0, 0
		}
		return k + 1, e
	}
	s := skipSpaces(t, k)
	if s == k {
		return 0, 0
	}
	firstStart, firstEnd := 0, 0
	for n := 0; n < 4 && s < len(t) && isLetter(t[s]); n++ {
		e := scanNounWord(t, s)
		w := t[s:e]
		// A hyphenated word is judged by its first part: "year-over-year"
		// is no noun, "AI-powered" may begin a noun phrase.
		first := w
		if h := strings.IndexByte(w, '-'); h > 0 {
			first = w[:h]
		}
		if info, ok := lookupWord(first); ok && (info.class&(classStop|classDuration) != 0 || info.class&classMonth != 0 && isUpper(w[0])) {
			break
		}
		if isPlural(w) {
			return s, e
		}
		if n == 0 && !strings.ContainsAny(w, "0123456789") {
			firstStart, firstEnd = s, e
		}
		next := skipSpaces(t, e)
		if next == e {
			break
		}
		s = next
	}
	return firstStart, firstEnd
}

// scanNounWord scans letters and digits with inner hyphens and apostrophes:
// "AI-powered", "H20".
func scanNounWord(t string, s int) int {
	e := s
	for e < len(t) {
		switch {
		case isAlnum(t[e]):
			e++
		case (t[e] == '-' || t[e] == '\'') && e+1 < len(t) && isAlnum(t[e+1]):
			e += 2
		default:
			return e
		}
	}
	return e
}

// emitQuantity turns q, and the second end of a range starting with it, into
// values; it returns where scanning goes on.
func (p *parser) emitQuantity(q quantity) int {
	if q2, ok := p.rangeAfter(&q); ok {
		joinRange(&q, &q2)
		if q.words && !q.gated() {
			return q.end
		}
		p.emit(&q)
		p.emit(&q2)
		return q2.end
	}
	if q.words && (!q.gated() || hasInnerCapital(p.text[q.start:q.end])) || p.followsProductName(&q) {
		return q.end
	}
	p.emit(&q)
	return q.end
}

// hasInnerCapital reports whether a word after the first is capitalised:
// the spelled-out number is part of a name, "the Five-Year Plan".
func hasInnerCapital(text string) bool {
	for k := 1; k < len(text); k++ {
		if isUpper(text[k]) && !isLetter(text[k-1]) {
			return true
		}
	}
	return false
}

// rangeAfter reads the second end of a range: "$10-12 billion", "10 to 12",
// "between 10 and 12".
func (p *parser) rangeAfter(q *quantity) (quantity, bool) {
	t := p.text
	if q.hasNoun() {
		return quantity{}, false
	}
	k := skipSpaces(t, q.end)
	switch {
	case k >= len(t):
		return quantity{}, false
	case t[k] == '-' || t[k] == '~':
		k++
	case strings.HasPrefix(t[k:], "–") || strings.HasPrefix(t[k:], "—"):
		k += len("–")
	case wordIs(t, k, "to"):
		k += len("to")
	case wordIs(t, k, "and") && wordBeforeIs(t, q.start, "between"):
		k += len("and")
	default:
		return quantity{}, false
	}
	k = skipSpaces(t, k)
	if k >= len(t) || isDigit(t[k]) && startsDayMonth(t, k) {
		return quantity{}, false
	}
	if c := t[k]; !isDigit(c) && !isLetter(c) && c != '$' && c < utf8.RuneSelf {
		return quantity{}, false
	}
	q2, _, ok := p.quantityAt(k)
	if !ok || q2.words && !q2.gated() {
		return quantity{}, false
	}
	return q2, true
}

// joinRange shares scale, currency and unit between the ends of a range:
// in "$10-12 billion" the first end takes the scale, the second the currency.
func joinRange(a, b *quantity) {
	switch {
	case a.yearDigits != b.yearDigits: // "in 2023 to 15%": a year beside an amount
		return
	case a.hasUnit() && b.hasUnit() && (a.currency != b.currency || a.percent != b.percent || a.duration != b.duration):
		return // "rose 25% to $43bn": two figures, not a range
	}
	if !a.scaled && b.scaled && !a.percent && a.duration == "" {
		a.exp += b.exp
		a.scaled = true
	}
	if !a.hasUnit() {
		a.currency, a.percent, a.duration = b.currency, b.percent, b.duration
		a.nounStart, a.nounEnd = b.nounStart, b.nounEnd
	}
	if !b.hasUnit() {
		b.currency = a.currency
	}
}

// followsProductName reports whether a bare number is the version of the
// capitalised name before it — "Doubao 1.5", "Seedream 3.0 Pro", "iPhone
// 15" — rather
// than a figure. At a sentence start the capitalised word may be an ordinary
// one ("Analysts 15 …"), so there only a number with a decimal point counts.
func (p *parser) followsProductName(q *quantity) bool {
	t := p.text
	switch {
	case q.words || q.scaled || q.times:
		return false
	case q.kind() == Count && isUpper(t[q.nounStart]): // "Doubao 1.5 Pro"
	case q.kind() != Number:
		return false
	}
	i := q.start
	if i < 2 || t[i-1] != ' ' {
		return false
	}
	ws := i - 1
	for ws > 0 && isAlnum(t[ws-1]) {
		ws--
	}
	if ws == i-1 || !strings.ContainsFunc(t[ws:i-1], func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
		return false // lower case, or "ByteDance's" ending in "s"
	}
	if _, ok := lookupWord(t[ws : i-1]); ok {
		return false
	}
	b := ws
	for b > 0 && (t[b-1] == ' ' || t[b-1] == '\t') {
		b--
	}
	if b == 0 || strings.IndexByte(".!?:\n\"([*#>-]", t[b-1]) >= 0 || t[b-1] >= utf8.RuneSelf {
		return q.dec > 0
	}
	return true
}

// emit appends q as a Value.
func (p *parser) emit(q *quantity) {
	v := Value{Text: p.text[q.start:q.end], Start: q.start, End: q.end, Kind: q.kind(), Currency: q.currency}
	if v.Kind == Year {
		v.Amount = float64(q.mant)
	} else {
		v.Amount = scaleBy(q.mant, q.exp-q.dec)
	}
	switch v.Kind {
	case Duration:
		v.Unit = q.duration
	case Count:
		v.Unit = countUnit(p.text[q.nounStart:q.nounEnd])
	}
	p.add(v)
}

// add appends v, allocating room for all of the text's figures at once.
func (p *parser) add(v Value) {
	if p.out == nil {
		p.out = make([]Value, 0, figureCapacity(p.text[v.Start:]))
	}
	p.out = append(p.out, v)
}

// figureCapacity guesses how many figures text holds from its runs of
// digits (citation markers overcount, spelled-out numbers undercount).
func figureCapacity(text string) int {
	n, inDigits := 1, false
	for i := 0; i < len(text); i++ {
		d := isDigit(text[i])
		if d && !inDigits {
			n++
		}
		inDigits = d
	}
	return n
}
