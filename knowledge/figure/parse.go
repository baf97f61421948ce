package figure

import (
	"math"
	"strings"
	"unicode"
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
		next := p.step(i)
		if next <= i { // every reader consumes something; this only guards against a slip
			next = i + 1
		}
		i = next
	}
	return p.out
}

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

func (p *parser) atQuantity(i int) int {
	q, resume, ok := p.quantityAt(i)
	if !ok {
		return resume
	}
	return p.emitQuantity(q)
}

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

// halfA reads "half a billion" as 0.5e9.
func (p *parser) halfA(q *quantity, j int) (int, bool) {
	t := p.text
	we := scanASCIILetters(t, j)
	if info, ok := lookupWord(t[j:we]); !ok || info.class&classHalf == 0 {
		return 0, false
	}
	k := skipSpaces(t, we)
	if k == we || !wordIs(t, k, "a") {
		return 0, false
	}
	k = skipSpaces(t, k+1)
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
		case info.class&classDuration != 0:
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
		q.nounStart, q.nounEnd = nounAfter(t, k)
	}
	return true
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
		if info, ok := lookupWord(w); ok && (info.class&classStop != 0 || info.class&classMonth != 0 && isUpper(w[0])) {
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
	if a.yearDigits != b.yearDigits { // "in 2023 to 15%": a year beside an amount
		return
	}
	if !a.scaled && b.scaled {
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

// add appends v, allocating room for a paragraph's figures at once.
func (p *parser) add(v Value) {
	if p.out == nil {
		p.out = make([]Value, 0, 8)
	}
	p.out = append(p.out, v)
}

func (p *parser) appendYear(start, end, y int) int {
	p.add(Value{Text: p.text[start:end], Start: start, End: end, Kind: Year, Amount: float64(y)})
	if s, e, ok := nextFiscalYear(p.text, end, y); ok {
		p.add(Value{Text: p.text[s:e], Start: s, End: e, Kind: Year, Amount: float64(y + 1)})
		return e
	}
	return end
}

// nextFiscalYear reads the "/25" of "2024/25", "2023–24" or "FY24-25": a
// fiscal year written as the two calendar years it spans. It returns the
// span of the two digits.
func nextFiscalYear(t string, k, y int) (int, int, bool) {
	s := k + dashLen(t, k)
	if s == k && k < len(t) && t[k] == '/' {
		s++
	}
	if s == k || s+2 > len(t) || !isDigit(t[s]) || !isDigit(t[s+1]) || !boundary(t, s+2) || decimalAt(t, s+2) {
		return 0, 0, false
	}
	if int(t[s]-'0')*10+int(t[s+1]-'0') != (y+1)%100 {
		return 0, 0, false
	}
	return s, s + 2, true
}

// dashLen is the length of a hyphen, en dash or em dash at k, or 0.
func dashLen(t string, k int) int {
	switch {
	case k < len(t) && t[k] == '-':
		return 1
	case strings.HasPrefix(t[k:], "–"), strings.HasPrefix(t[k:], "—"):
		return len("–")
	}
	return 0
}

// numericDate reads "2024-06-30", "2024/06/30", "2024-06", "06/30/2024",
// "30.06.2024" as their year, and "2024-25" as a fiscal year's two years.
func (p *parser) numericDate(i int) (int, bool) {
	t := p.text
	a, ae := digitRun(t, i)
	if ae >= len(t) || ae-i > 4 {
		return 0, false
	}
	sep := t[ae]
	b, be := digitRun(t, ae+1)
	nb := be - (ae + 1)
	asciiSep := sep == '-' || sep == '/' || sep == '.'
	if ae-i == 4 {
		if asciiSep && nb >= 1 && nb <= 2 && b >= 1 && b <= 12 && be+1 < len(t) && t[be] == sep {
			if d, de := digitRun(t, be+1); de-(be+1) <= 2 && de > be+1 && d >= 1 && d <= 31 && boundary(t, de) && !decimalAt(t, de) {
				return p.dateYear(i, de, a), true
			}
		}
		if _, e, ok := nextFiscalYear(t, ae, a); ok && a >= 1900 && a <= 2100 && !(e+1 < len(t) && t[e] == sep && isDigit(t[e+1])) {
			return p.appendYear(i, ae, a), true
		}
		if sep == '-' && nb == 2 && b >= 1 && b <= 12 && boundary(t, be) && !decimalAt(t, be) && !(be+1 < len(t) && t[be] == sep && isDigit(t[be+1])) {
			return p.dateYear(i, be, a), true // "2024-06"
		}
		return 0, false
	}
	if asciiSep && ae-i <= 2 && nb >= 1 && nb <= 2 && a >= 1 && a <= 31 && b >= 1 && b <= 31 && be < len(t) && t[be] == sep {
		if y, ye := digitRun(t, be+1); ye-(be+1) == 4 && boundary(t, ye) && !decimalAt(t, ye) {
			return p.dateYear(i, ye, y), true
		}
	}
	return 0, false
}

// dateYear appends the year of the date text[start:end]; a date outside the
// year range is skipped whole.
func (p *parser) dateYear(start, end, y int) int {
	if y < 1900 || y > 2100 {
		return end
	}
	p.add(Value{Text: p.text[start:end], Start: start, End: end, Kind: Year, Amount: float64(y)})
	return end
}

// dayMonth reads "30 June 2024" and "30th June, 2024" as the year; "30 June"
// alone is a day, skipped.
func (p *parser) dayMonth(i int) (int, bool) {
	t := p.text
	d, de := digitRun(t, i)
	if de-i > 2 || d < 1 || d > 31 {
		return 0, false
	}
	k := skipOrdinal(t, de)
	s := skipSpaces(t, k)
	if s == k {
		return 0, false
	}
	me, ok := monthAt(t, s)
	if !ok {
		return 0, false
	}
	if y, ye, ok := yearAfterMonth(t, me); ok {
		return p.dateYear(i, ye, y), true
	}
	return me, true
}

// startsDayMonth reports whether a day and month start at k ("30 June").
func startsDayMonth(t string, k int) bool {
	_, de := digitRun(t, k)
	if de-k > 2 {
		return false
	}
	e := skipOrdinal(t, de)
	s := skipSpaces(t, e)
	_, ok := monthAt(t, s)
	return s > e && ok
}

// monthDate reads "June 30, 2024", "December 2024" and "Sept. 2024" as the
// year; "June 30" alone is a day, skipped.
func (p *parser) monthDate(i, j int) (int, bool) {
	t := p.text
	k := j
	if k < len(t) && t[k] == '.' {
		k++
	}
	if y, ye, ok := yearAfterMonth(t, k); ok {
		return p.dateYear(i, ye, y), true
	}
	s := skipSpaces(t, k)
	if s == k {
		return 0, false
	}
	d, de := digitRun(t, s)
	if de == s || de-s > 2 || d < 1 || d > 31 {
		return 0, false
	}
	e := skipOrdinal(t, de)
	if !boundary(t, e) || decimalAt(t, e) {
		return 0, false
	}
	if y, ye, ok := yearAfterMonth(t, e); ok {
		return p.dateYear(i, ye, y), true
	}
	// "March 15 percent" is no date; let the amount be read.
	if _, _, info, ok := p.wordAfter(e); ok && info.class&(classScale|classPercent|classCurrency) != 0 {
		return j, true
	}
	if s2 := skipSpaces(t, e); s2 < len(t) && t[s2] == '%' {
		return j, true
	}
	return e, true
}

// yearAfterMonth reads the ", 2024" or " 2024" after a month or day.
func yearAfterMonth(t string, k int) (int, int, bool) {
	s := k
	if s < len(t) && t[s] == ',' {
		s++
	}
	s2 := skipSpaces(t, s)
	if s2 == s && s == k || s2 == k {
		return 0, 0, false
	}
	return yearAt(t, s2)
}

// monthAt reads a capitalised month name at s, with the point of an
// abbreviation.
func monthAt(t string, s int) (int, bool) {
	if s >= len(t) || !isUpper(t[s]) {
		return 0, false
	}
	e := scanASCIILetters(t, s)
	info, ok := lookupWord(t[s:e])
	if !ok || info.class&classMonth == 0 || !boundary(t, e) {
		return 0, false
	}
	if e < len(t) && t[e] == '.' && e-s <= 4 {
		e++
	}
	return e, true
}

// yearAt reads four digits from 1900 to 2100 standing alone at k.
func yearAt(t string, k int) (int, int, bool) {
	y, e := digitRun(t, k)
	if e-k != 4 || y < 1900 || y > 2100 || !boundary(t, e) || decimalAt(t, e) {
		return 0, 0, false
	}
	if e+3 < len(t) && t[e] == ',' && isDigit(t[e+1]) && isDigit(t[e+2]) && isDigit(t[e+3]) {
		return 0, 0, false
	}
	return y, e, true
}

// fiscalYearAt reads the year of "FY2024", "FY24", "FY 2024", "FY'24", with
// k just after "FY".
func fiscalYearAt(t string, k int) (int, int, bool) {
	s := k
	switch {
	case strings.HasPrefix(t[s:], "'"):
		s++
	case strings.HasPrefix(t[s:], "’"):
		s += len("’")
	default:
		s = skipSpaces(t, s)
	}
	y, e := digitRun(t, s)
	if !boundary(t, e) || decimalAt(t, e) {
		return 0, 0, false
	}
	switch e - s {
	case 4:
		if y < 1900 || y > 2100 {
			return 0, 0, false
		}
	case 2:
		y = twoDigitYear(y)
	default:
		return 0, 0, false
	}
	return y, e, true
}

func twoDigitYear(y int) int {
	if y <= 50 {
		return 2000 + y
	}
	return 1900 + y
}

// quarterYear reads "Q3 2024", "H1 2024", "Q3 FY24" as the year; the
// quarter is no figure.
func (p *parser) quarterYear(i int) (int, bool) {
	t := p.text
	if i+2 > len(t) || i+2 < len(t) && isDigit(t[i+2]) {
		return 0, false
	}
	switch d := t[i+1]; {
	case t[i] == 'Q' && d >= '1' && d <= '4', t[i] == 'H' && d >= '1' && d <= '2':
	default:
		return 0, false
	}
	k := i + 2
	s := skipSpaces(t, k)
	if s == k && k < len(t) && t[k] == '-' {
		s++
	}
	if s == k {
		return 0, false
	}
	if y, e, ok := yearAt(t, s); ok {
		return p.appendYear(i, e, y), true
	}
	if e := scanASCIILetters(t, s); e-s == 2 && strings.EqualFold(t[s:e], "FY") {
		if y, end, ok := fiscalYearAt(t, e); ok {
			return p.appendYear(i, end, y), true
		}
	}
	return 0, false
}

// fiscalWord reads "fiscal 2024" and "fiscal year 2024" as the year.
func (p *parser) fiscalWord(i, j int) (int, bool) {
	t := p.text
	s := skipSpaces(t, j)
	if s == j {
		return 0, false
	}
	if wordIs(t, s, "year") {
		e := s + len("year")
		if s = skipSpaces(t, e); s == e {
			return 0, false
		}
	}
	if y, e, ok := yearAt(t, s); ok {
		return p.appendYear(i, e, y), true
	}
	return 0, false
}

// apostropheYear reads "'24" as 2024 when the apostrophe opens a word.
func (p *parser) apostropheYear(i, k int) int {
	t := p.text
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(t[:i]); isWordRune(r) || r < utf8.RuneSelf && isDigit(byte(r)) {
			return k
		}
	}
	y, e := digitRun(t, k)
	if e-k != 2 || !boundary(t, e) || decimalAt(t, e) {
		return k
	}
	return p.appendYear(i, e, twoDigitYear(y))
}

// skipMarker skips numbers that label rather than measure: "1. " and "2) "
// at a line start, "(1)", "No. 1".
func skipMarker(t string, i int) (int, bool) {
	_, e := digitRun(t, i)
	if e-i <= 2 && e+1 < len(t) && (t[e] == '.' || t[e] == ')') && t[e+1] == ' ' {
		b := i
		for b > 0 && (t[b-1] == ' ' || t[b-1] == '\t') {
			b--
		}
		if b == 0 || t[b-1] == '\n' {
			return e + 1, true
		}
	}
	if e-i == 1 && i > 0 && t[i-1] == '(' && e < len(t) && t[e] == ')' {
		return e + 1, true
	}
	if i >= 3 && strings.EqualFold(t[i-3:i], "no.") || i >= 4 && strings.EqualFold(t[i-4:i], "no. ") {
		return e, true
	}
	return 0, false
}

// skipNonFigure skips times and ratios ("10:30", "3:1"), fractions ("24/7")
// and ordinals ("2nd", "30th").
func skipNonFigure(t string, i int) (int, bool) {
	_, e := digitRun(t, i)
	if e+1 < len(t) && t[e] == '/' && isDigit(t[e+1]) && e-i <= 3 {
		_, e2 := digitRun(t, e+1)
		if e2-(e+1) <= 3 {
			return e2, true
		}
	}
	if e+1 < len(t) && t[e] == ':' && isDigit(t[e+1]) {
		for e+1 < len(t) && t[e] == ':' && isDigit(t[e+1]) {
			_, e = digitRun(t, e+1)
		}
		return e, true
	}
	if o := skipOrdinal(t, e); o > e {
		return o, true
	}
	return 0, false
}

// skipOrdinal skips the "st", "nd", "rd" or "th" of an ordinal at k.
func skipOrdinal(t string, k int) int {
	if k+2 > len(t) || !boundary(t, k+2) {
		return k
	}
	switch strings.ToLower(t[k : k+2]) {
	case "st", "nd", "rd", "th":
		return k + 2
	}
	return k
}

// skipCitation skips a citation marker — "[1]", "[1, 3]", "[2-4]", "[^1]" —
// or just the bracket when it is not one.
func skipCitation(t string, i int) int {
	digits := false
	for j := i + 1; j < len(t) && j-i < 40; j++ {
		switch c := t[j]; {
		case isDigit(c):
			digits = true
		case c == ']':
			if digits {
				return j + 1
			}
			return i + 1
		case c == ',' || c == ' ' || c == '-' || c == ';' || c == '^' && j == i+1:
		default:
			return i + 1
		}
	}
	return i + 1
}

// skipProduct skips a token that mixes letters and digits: "H20", "GPT-4o",
// "Qwen2.5-Max", "10-K", "2020s".
func skipProduct(t string, i int) int {
	j := i
	for j < len(t) {
		c := t[j]
		switch {
		case isAlnum(c):
			j++
		case (c == '-' || c == '.' || c == '_' || c == '/') && j+1 < len(t) && isAlnum(t[j+1]):
			j++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(t[j:])
			if !isWordRune(r) {
				return j
			}
			j += size
		default:
			return j
		}
	}
	return j
}

func skipDigits(t string, i int) int {
	for i < len(t) && isDigit(t[i]) {
		i++
	}
	return i
}

// digitRun reads a run of at most nine digits at i as an int.
func digitRun(t string, i int) (int, int) {
	v, j := 0, i
	for j < len(t) && isDigit(t[j]) && j-i < 9 {
		v = v*10 + int(t[j]-'0')
		j++
	}
	return v, j
}

// currencyBefore reads a currency written before an amount: "$", "US$",
// "US $", "HK$", "€", "£", "¥", or an ISO code followed by a space or a
// digit ("USD 5bn", "RMB5bn").
func currencyBefore(t string, i int) (string, int) {
	switch c := t[i]; {
	case c == '$':
		return "USD", i + 1
	case c >= utf8.RuneSelf:
		r, size := utf8.DecodeRuneInString(t[i:])
		switch r {
		case '€':
			return "EUR", i + size
		case '£':
			return "GBP", i + size
		case '¥', '￥': // in reports on Chinese companies, yuan far more often than yen
			return "CNY", i + size
		}
	case isLetter(c):
		j := scanASCIILetters(t, i)
		w := t[i:j]
		if j < len(t) && t[j] == '$' {
			if code := dollarPrefixes[w]; code != "" {
				return code, j + 1
			}
		}
		if w == "US" {
			if s := skipSpaces(t, j); s > j && s < len(t) && t[s] == '$' {
				return "USD", s + 1
			}
		}
		if info, ok := lookupWord(w); ok && info.class&classCode != 0 && j < len(t) && (isDigit(t[j]) || skipSpaces(t, j) > j) {
			return info.currency, j
		}
	}
	return "", i
}

// dollarPrefixes are the letters that make "$" another country's dollar.
var dollarPrefixes = map[string]string{
	"US": "USD", "HK": "HKD", "NT": "TWD", "A": "AUD", "AU": "AUD", "C": "CAD", "CA": "CAD",
	"S": "SGD", "NZ": "NZD", "R": "BRL",
}

// skipSpaces skips horizontal white space, including the no-break and thin
// spaces typesetters put between an amount and its unit.
func skipSpaces(t string, k int) int {
	for k < len(t) {
		switch {
		case t[k] == ' ' || t[k] == '\t':
			k++
		case strings.HasPrefix(t[k:], "\u00a0"):
			k += len("\u00a0")
		case strings.HasPrefix(t[k:], "\u202f"), strings.HasPrefix(t[k:], "\u2009"):
			k += len("\u202f")
		default:
			return k
		}
	}
	return k
}

// wordIs reports whether the word at k is w, ignoring case.
func wordIs(t string, k int, w string) bool {
	return len(t)-k >= len(w) && strings.EqualFold(t[k:k+len(w)], w) && boundary(t, k+len(w))
}

// wordBeforeIs reports whether the word just before i is w.
func wordBeforeIs(t string, i int, w string) bool {
	e := i
	for e > 0 && (t[e-1] == ' ' || t[e-1] == '\t') {
		e--
	}
	s := e
	for s > 0 && isLetter(t[s-1]) {
		s--
	}
	return e > s && strings.EqualFold(t[s:e], w)
}

// boundary reports whether a word or number may end at k: no letter or
// digit follows.
func boundary(t string, k int) bool {
	if k >= len(t) {
		return true
	}
	c := t[k]
	if c < utf8.RuneSelf {
		return !isAlnum(c)
	}
	r, _ := utf8.DecodeRuneInString(t[k:])
	return !isWordRune(r) && !unicode.IsDigit(r)
}

// decimalAt reports whether a decimal part starts at k: "2024.5".
func decimalAt(t string, k int) bool {
	return k+1 < len(t) && t[k] == '.' && isDigit(t[k+1])
}

// scanWord scans the letters of a word, including accented ones.
func scanWord(t string, i int) int {
	for i < len(t) {
		c := t[i]
		if isLetter(c) {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return i
		}
		r, size := utf8.DecodeRuneInString(t[i:])
		if !isWordRune(r) {
			return i
		}
		i += size
	}
	return i
}

func scanASCIILetters(t string, i int) int {
	for i < len(t) && isLetter(t[i]) {
		i++
	}
	return i
}

// isWordRune reports whether r is a letter that glues to digits to make a
// name. Han, kana and Hangul are not: "投资120亿" has a figure in it.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isLetter(byte(r))
	}
	return unicode.IsLetter(r) && !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isUpper(c byte) bool  { return 'A' <= c && c <= 'Z' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }

// scaleBy returns m × 10^e, exactly when the result is an integer below 2^53
// (so "55.7 billion" is 55700000000, not 55700000000.000008).
func scaleBy(m uint64, e int) float64 {
	x := float64(m)
	if e >= 0 {
		return x * math.Pow10(e)
	}
	return x / math.Pow10(-e)
}

// isPlural reports whether a count noun is plural: "users", "GPUs",
// "people"; not "business", "bonus", "analysis", "series".
func isPlural(w string) bool {
	lw := strings.ToLower(w)
	if _, ok := irregularPlurals[lw]; ok {
		return true
	}
	if uncountable[lw] || len(w) < 3 || lw[len(lw)-1] != 's' {
		return false
	}
	if isUpper(w[len(w)-2]) { // "GPUs", "LLMs"
		return true
	}
	return !strings.HasSuffix(lw, "ss") && !strings.HasSuffix(lw, "us") && !strings.HasSuffix(lw, "is")
}

// countUnit is the singular, lower-case form of a count noun.
func countUnit(w string) string {
	lw := strings.ToLower(w)
	if s, ok := irregularPlurals[lw]; ok {
		return s
	}
	if !isPlural(w) {
		return lw
	}
	switch {
	case strings.HasSuffix(lw, "ies") && len(lw) > 4:
		return lw[:len(lw)-3] + "y"
	case strings.HasSuffix(lw, "sses"), strings.HasSuffix(lw, "xes"), strings.HasSuffix(lw, "ches"),
		strings.HasSuffix(lw, "shes"), strings.HasSuffix(lw, "zzes"):
		return lw[:len(lw)-2]
	}
	return lw[:len(lw)-1]
}
