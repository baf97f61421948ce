package figure

import (
	"strings"
	"unicode/utf8"
)

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

// skipDigits skips a run of digits.
func skipDigits(t string, i int) int {
	for i < len(t) && isDigit(t[i]) {
		i++
	}
	return i
}
