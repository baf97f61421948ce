package figure

import (
	"strings"
	"unicode/utf8"
)

// appendYear appends the year y read from text[start:end], and the second
// year of a fiscal year written as two ("2024/25"); it returns where the
// figure ends.
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
			if d, de := digitRun(t, be+1); de-(be+1) <= 2 && de > be+1 && d >= 1 && d <= 31 && (boundary(t, de) && !decimalAt(t, de) || isTimeAt(t, de)) {
				return skipTime(t, p.dateYear(i, de, a)), true
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

// isTimeAt reports whether an ISO time follows a date at k: "T00:00".
func isTimeAt(t string, k int) bool {
	return k+3 < len(t) && t[k] == 'T' && isDigit(t[k+1]) && isDigit(t[k+2]) && t[k+3] == ':'
}

// skipTime skips the time after an ISO date, which holds no figure.
func skipTime(t string, k int) int {
	if !isTimeAt(t, k) {
		return k
	}
	k++
	for k < len(t) && (isDigit(t[k]) || t[k] == ':' || t[k] == '.' || t[k] == 'Z') {
		k++
	}
	return k
}

// dateYear appends the year of the date text[start:end]; a date outside the
// year range is skipped whole.
func (p *parser) dateYear(start, end, y int) int {
	if y < 1900 || y > 2100 {
		return end
	}
	text := p.text[start:end]
	p.add(Value{Text: text, Start: start, End: end, Kind: Year, Amount: float64(y), Month: monthNamed(text)})
	return end
}

// monthNamed is the number of the first month name in a date's text, 0
// when it names none ("2024-06-30" is read as its year only).
func monthNamed(text string) int {
	for i := 0; i < len(text); {
		if !isLetter(text[i]) {
			i++
			continue
		}
		e := scanASCIILetters(text, i)
		if n, ok := monthNumbers[strings.ToLower(text[i:e])]; ok {
			return n
		}
		i = e
	}
	return 0
}

// monthNumbers numbers the month names and abbreviations of words.go.
var monthNumbers = map[string]int{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
	"september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
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

// twoDigitYear reads "24" as 2024 and "99" as 1999.
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
	return p.periodYear(i, i+2)
}

// periodYear reads the year after a quarter or half at k: " 2024", "-2024",
// "’24", "24" (after "3Q"), " FY24"; start is where the period began.
func (p *parser) periodYear(start, k int) (int, bool) {
	t := p.text
	if y, e, ok := apostropheYearAt(t, k); ok {
		return p.appendYear(start, e, y), true
	}
	s := skipSpaces(t, k)
	if s == k && k < len(t) && t[k] == '-' {
		s++
	}
	if s == k {
		return 0, false
	}
	if y, e, ok := yearAt(t, s); ok {
		return p.appendYear(start, e, y), true
	}
	if e := scanASCIILetters(t, s); e-s == 2 && strings.EqualFold(t[s:e], "FY") {
		if y, end, ok := fiscalYearAt(t, e); ok {
			return p.appendYear(start, end, y), true
		}
	}
	return 0, false
}

// quarterFirstYear reads the analysts' "3Q24", "1H24", "3Q 2024" as the year.
func (p *parser) quarterFirstYear(i int) (int, bool) {
	t := p.text
	if i+2 > len(t) || !isDigit(t[i]) {
		return 0, false
	}
	switch d, l := t[i], t[i+1]; {
	case l == 'Q' && d >= '1' && d <= '4', l == 'H' && d >= '1' && d <= '2':
	default:
		return 0, false
	}
	if i+4 <= len(t) && isDigit(t[i+2]) && isDigit(t[i+3]) && boundary(t, i+4) {
		return p.appendYear(i, i+4, twoDigitYear(int(t[i+2]-'0')*10+int(t[i+3]-'0'))), true
	}
	if !boundary(t, i+2) {
		return 0, false
	}
	return p.periodYear(i, i+2)
}

// apostropheYearAt reads "'24" or "’24" at k as 2024.
func apostropheYearAt(t string, k int) (int, int, bool) {
	s := k
	switch {
	case strings.HasPrefix(t[k:], "'"):
		s++
	case strings.HasPrefix(t[k:], "’"):
		s += len("’")
	default:
		return 0, 0, false
	}
	y, e := digitRun(t, s)
	if e-s != 2 || !boundary(t, e) || decimalAt(t, e) {
		return 0, 0, false
	}
	return twoDigitYear(y), e, true
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

// apostropheYear reads "'24" at i as 2024 when the apostrophe opens a word;
// k is just after the apostrophe.
func (p *parser) apostropheYear(i, k int) int {
	t := p.text
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(t[:i]); isWordRune(r) || r < utf8.RuneSelf && isDigit(byte(r)) {
			return k
		}
	}
	if y, e, ok := apostropheYearAt(t, i); ok {
		return p.appendYear(i, e, y)
	}
	return k
}
