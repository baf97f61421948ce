package index

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/knowledge"
)

// usAbbrev finds "US" and "U.S." written in capitals. The English stemmer
// turns "use" into "us", so the country is rewritten to one word before
// analysis, in facts, questions and vocabulary alike.
var usAbbrev = regexp.MustCompile(`\bU\.S\.(A\.)?|\bUSA\b|\bUS\b`)

// normaliseText applies the rewrites every text goes through before the
// analyzer sees it.
func normaliseText(s string) string {
	if !strings.Contains(s, "U") {
		return s
	}
	return usAbbrev.ReplaceAllString(s, " UnitedStates ")
}

var (
	lastYear  = regexp.MustCompile(`(?i)\b(last|previous|past)\s+year\b`)
	thisYear  = regexp.MustCompile(`(?i)\b(this|the\s+current|current)\s+year\b`)
	nextYear  = regexp.MustCompile(`(?i)\bnext\s+year\b`)
	lastMonth = regexp.MustCompile(`(?i)\blast\s+(january|february|march|april|may|june|july|august|september|october|november|december)\b`)
)

// resolveRelativeTime rewrites "last year", "this year", "next year" and
// "last December" as years, counted from the date the knowledge is as of —
// the facts' own frame of reference, not today's.
func resolveRelativeTime(q string, asOf knowledge.Date) string {
	if asOf.IsZero() {
		return q
	}
	y := asOf.Year
	q = lastYear.ReplaceAllString(q, strconv.Itoa(y-1))
	q = thisYear.ReplaceAllString(q, strconv.Itoa(y))
	q = nextYear.ReplaceAllString(q, strconv.Itoa(y+1))
	q = lastMonth.ReplaceAllStringFunc(q, func(m string) string {
		month := strings.Fields(m)[1]
		// "Last March" as of June 2025 is March 2025; as of January, or
		// when only the year is known, it is the year before.
		year := y - 1
		if n := monthNumber(month); asOf.Month != 0 && n < asOf.Month {
			year = y
		}
		return month + " " + strconv.Itoa(year)
	})
	return q
}

// words splits text into lower-case words for spelling correction.
func words(text string, fn func(word string, start, end int, capital bool)) {
	start := -1
	for i, r := range text + " " {
		letter := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			w := text[start:i]
			first, _ := utf8.DecodeRuneInString(w)
			fn(strings.ToLower(w), start, i, unicode.IsUpper(first))
			start = -1
		}
	}
}

// monthNumber is 1 for "January" (any case) through 12, 0 otherwise.
func monthNumber(name string) int {
	for m := time.January; m <= time.December; m++ {
		if strings.EqualFold(m.String(), name) {
			return int(m)
		}
	}
	return 0
}
