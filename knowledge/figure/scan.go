package figure

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

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

// scanASCIILetters scans a run of ASCII letters; keywords are ASCII.
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

// Byte classes of ASCII text; other scripts go through isWordRune.
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
// "people"; not "business", "bonus", "analysis", "series". It runs for every
// word after an amount, so it does not allocate.
func isPlural(w string) bool {
	n := len(w)
	if n < 3 || n > 24 {
		return false
	}
	var buf [24]byte
	for i := 0; i < n; i++ {
		buf[i] = w[i] | 0x20 // ASCII lower case; other bytes never match below
	}
	if _, ok := irregularPlurals[string(buf[:n])]; ok {
		return true
	}
	if buf[n-1] != 's' || uncountable[string(buf[:n])] {
		return false
	}
	if isUpper(w[n-2]) { // "GPUs", "LLMs"
		return true
	}
	switch buf[n-2] {
	case 's', 'u', 'i': // "business", "bonus", "analysis"
		return false
	}
	return true
}

// countUnit is the singular, lower-case form of a count noun.
func countUnit(w string) string {
	lw := w
	if strings.ContainsFunc(w, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
		lw = strings.ToLower(w)
	}
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
