package ingest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bytewatch/bytewatch/knowledge"
)

const monthNames = `January|February|March|April|May|June|July|August|September|October|November|December`
const monthAbbrevs = `Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec`

// looseDate is a date as articles write it: "2025-06-18T05:00:00Z",
// "June 18 2025", "Nov 4, 2025", "20 January 2026", "March 2025".
const looseDate = `\d{4}-\d{2}(?:-\d{2})?(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?` +
	`|(?:` + monthNames + `|` + monthAbbrevs + `)\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}` +
	`|\d{1,2}(?:st|nd|rd|th)?\s+(?:` + monthNames + `|` + monthAbbrevs + `)\.?,?\s+\d{4}` +
	`|(?:` + monthNames + `)\s+\d{4}`

var (
	isoDate      = regexp.MustCompile(`^(\d{4})-(\d{2})(?:-(\d{2}))?`)
	monthDayYear = regexp.MustCompile(`(?i)^(` + monthNames + `|` + monthAbbrevs + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$`)
	dayMonthYear = regexp.MustCompile(`(?i)^(\d{1,2})(?:st|nd|rd|th)?\s+(` + monthNames + `|` + monthAbbrevs + `)\.?,?\s+(\d{4})$`)
	monthYear    = regexp.MustCompile(`(?i)^(` + monthNames + `)\s+(\d{4})$`)
)

// parseLooseDate reads a date in any of the forms looseDate matches.
func parseLooseDate(s string) (knowledge.Date, bool) {
	s = strings.TrimSpace(s)
	if m := isoDate.FindStringSubmatch(s); m != nil {
		d := m[1] + "-" + m[2]
		if m[3] != "" {
			d += "-" + m[3]
		}
		kd, err := knowledge.ParseDate(d)
		return kd, err == nil
	}
	var y, mo, day int
	switch {
	case monthDayYear.MatchString(s):
		m := monthDayYear.FindStringSubmatch(s)
		mo, day, y = monthNumber(m[1]), atoi(m[2]), atoi(m[3])
	case dayMonthYear.MatchString(s):
		m := dayMonthYear.FindStringSubmatch(s)
		day, mo, y = atoi(m[1]), monthNumber(m[2]), atoi(m[3])
	case monthYear.MatchString(s):
		m := monthYear.FindStringSubmatch(s)
		mo, y = monthNumber(m[1]), atoi(m[2])
	default:
		return knowledge.Date{}, false
	}
	str := fmt.Sprintf("%04d-%02d", y, mo)
	if day > 0 {
		str += fmt.Sprintf("-%02d", day)
	}
	kd, err := knowledge.ParseDate(str)
	return kd, err == nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// monthNumber reads a month name or its abbreviation; 0 if it is neither.
func monthNumber(s string) int {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if s == name || (len(s) >= 3 && strings.HasPrefix(name, s)) {
			return int(m)
		}
	}
	return 0
}

// resolver rewrites the relative dates of a sentence ("last December",
// "this year", "earlier this month") as calendar dates, against the date
// the article was published.
type resolver struct {
	pub knowledge.Date
}

var (
	monthRelYear   = regexp.MustCompile(`(?i)\b(` + monthNames + `)\s+(last|this|next)\s+year\b`)
	relMonth       = regexp.MustCompile(`(?i)\b(last|this|next)\s+(` + monthNames + `)\b`)
	relPeriod      = regexp.MustCompile(`(?i)\b(?:(earlier|later)\s+)?(this|last|next|the\s+current)\s+(year|month)('s|’s)?\b`)
	bareMonth      = regexp.MustCompile(`\b(` + monthNames + `)\b`)
	yearAfterMonth = regexp.MustCompile(`^\s*(?:\d{1,2}(?:st|nd|rd|th)?)?,?\s*(?:19|20)\d{2}\b`)
	dayBeforeMonth = regexp.MustCompile(`\b\d{1,2}\s+$`)
	weekday        = regexp.MustCompile(`\b(?:on\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b`)
	relWeek        = regexp.MustCompile(`(?i)\b(last|this|next)\s+week\b`)
	dayWord        = regexp.MustCompile(`(?i)\b(yesterday|today)\b`)
	wordBefore     = regexp.MustCompile(`(?i)([A-Za-z]+)\s*$`)
)

// takesBareDate are words after which a date needs no "in": "the end of
// 2024", "since 2024", "by 2026".
var takesBareDate = map[string]bool{
	"in": true, "of": true, "for": true, "since": true, "until": true, "till": true, "by": true,
	"during": true, "from": true, "to": true, "through": true, "before": true, "after": true,
	"throughout": true, "into": true, "within": true, "over": true, "across": true,
}

// resolve returns s with its relative dates made absolute, and notes on
// what it could not settle.
func (r resolver) resolve(s string) (string, []string) {
	if r.pub.IsZero() {
		if relPeriod.MatchString(s) || relMonth.MatchString(s) || monthRelYear.MatchString(s) {
			return s, []string{"the sentence has a relative date and the article's date is unknown: give --published"}
		}
		return s, nil
	}
	var notes []string
	y := r.pub.Year
	// "May last year" → "May 2024".
	s = monthRelYear.ReplaceAllStringFunc(s, func(m string) string {
		g := monthRelYear.FindStringSubmatch(m)
		return g[1] + " " + strconv.Itoa(y+yearOffset(g[2]))
	})
	// "last December" → "December 2024": the latest December before the
	// article's month; "next March" the first one after it.
	s = replaceWithContext(s, relMonth, func(g []string, before string) string {
		mo := monthNumber(g[2])
		yy := y
		switch strings.ToLower(g[1]) {
		case "last":
			if r.pub.Month == 0 || mo >= r.pub.Month {
				yy--
			} else {
				notes = append(notes, fmt.Sprintf("%q is taken as %s %d; some writers mean the year before: check", g[0], canonicalMonth(mo), yy))
			}
		case "next":
			if r.pub.Month != 0 && mo <= r.pub.Month {
				yy++
			}
		}
		return datePhrase(before, canonicalMonth(mo)+" "+strconv.Itoa(yy), false)
	})
	s = replaceWithContext(s, relPeriod, func(g []string, before string) string {
		off := yearOffset(g[2])
		var when string
		switch strings.ToLower(g[3]) {
		case "year":
			when = strconv.Itoa(y + off)
		case "month":
			if r.pub.Month == 0 {
				notes = append(notes, fmt.Sprintf("%q: the article's month is unknown", g[0]))
				return g[0]
			}
			t := time.Date(y, time.Month(r.pub.Month)+time.Month(off), 1, 0, 0, 0, 0, time.UTC)
			when = t.Month().String() + " " + strconv.Itoa(t.Year())
		}
		if g[4] != "" {
			return capitalLike(g[0], when+"'s")
		}
		if g[1] != "" { // "earlier this year" → "earlier in 2025"
			return g[1] + " in " + when
		}
		return datePhrase(before, when, isUpper(g[0]))
	})
	// "in May" with no year: the latest May up to the article's month.
	s = r.bareMonths(s, &notes)
	s = r.weekdays(s, &notes)
	return s, notes
}

// bareMonths gives a year to month names that have none: the latest such
// month up to the article's; one after the article's month is taken as the
// year before, and noted.
func (r resolver) bareMonths(s string, notes *[]string) string {
	locs := bareMonth.FindAllStringSubmatchIndex(s, -1)
	for i := len(locs) - 1; i >= 0; i-- {
		start, end := locs[i][0], locs[i][1]
		if yearAfterMonth.MatchString(s[end:]) || r.pub.Month == 0 {
			continue
		}
		name := s[start:end]
		if name == "May" && !mayIsMonth(s[:start]) {
			continue
		}
		mo := monthNumber(name)
		yy := r.pub.Year
		if mo > r.pub.Month {
			yy--
			*notes = append(*notes, fmt.Sprintf("%q without a year is taken as %s %d, the latest before the article: check", name, name, yy))
		}
		s = s[:end] + " " + strconv.Itoa(yy) + s[end:]
	}
	return s
}

// mayIsMonth tells the month "May" from the verb: a month follows a
// preposition ("in May", "since May") or a day ("5 May").
func mayIsMonth(before string) bool {
	if dayBeforeMonth.MatchString(before) {
		return true
	}
	m := wordBefore.FindStringSubmatch(before)
	return m != nil && takesBareDate[strings.ToLower(m[1])] || (m != nil && (strings.EqualFold(m[1], "early") || strings.EqualFold(m[1], "late") || strings.EqualFold(m[1], "mid")))
}

// weekdays resolves "on Tuesday" and "yesterday" against a publication
// date with a day; without one they are noted.
func (r resolver) weekdays(s string, notes *[]string) string {
	if !weekday.MatchString(s) && !dayWord.MatchString(s) && !relWeek.MatchString(s) {
		return s
	}
	if r.pub.Day == 0 {
		*notes = append(*notes, "the sentence names a day (a weekday, yesterday or today) and the article's date has no day")
		return s
	}
	pub := time.Date(r.pub.Year, time.Month(r.pub.Month), r.pub.Day, 0, 0, 0, 0, time.UTC)
	human := func(t time.Time) string { return fmt.Sprintf("%d %s %d", t.Day(), t.Month(), t.Year()) }
	// "last week" → "in the week of 29 September 2025" (weeks start on
	// Monday).
	s = replaceWithContext(s, relWeek, func(g []string, before string) string {
		monday := pub
		for monday.Weekday() != time.Monday {
			monday = monday.AddDate(0, 0, -1)
		}
		monday = monday.AddDate(0, 0, 7*yearOffset(g[1]))
		return datePhrase(before, "the week of "+human(monday), isUpper(g[0]))
	})
	s = weekday.ReplaceAllStringFunc(s, func(m string) string {
		g := weekday.FindStringSubmatch(m)
		want := time.Sunday
		for d := time.Sunday; d <= time.Saturday; d++ {
			if d.String() == g[1] {
				want = d
			}
		}
		t := pub
		for t.Weekday() != want {
			t = t.AddDate(0, 0, -1)
		}
		return "on " + human(t)
	})
	return dayWord.ReplaceAllStringFunc(s, func(m string) string {
		t := pub
		if strings.EqualFold(m, "yesterday") {
			t = t.AddDate(0, 0, -1)
		}
		return capitalLike(m, "on "+human(t))
	})
}

func yearOffset(w string) int {
	switch strings.ToLower(w) {
	case "last":
		return -1
	case "next":
		return 1
	}
	return 0
}

func canonicalMonth(m int) string { return time.Month(m).String() }

// datePhrase writes a resolved date where a relative one stood: bare after
// a preposition ("since 2024"), else with "in" ("spent $5bn in 2024").
func datePhrase(before, when string, capital bool) string {
	if m := wordBefore.FindStringSubmatch(before); m != nil && takesBareDate[strings.ToLower(m[1])] {
		return when
	}
	if capital || strings.TrimSpace(before) == "" {
		return "In " + when
	}
	return "in " + when
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// capitalLike capitalises repl when orig starts with a capital.
func capitalLike(orig, repl string) string {
	if isUpper(orig) && repl != "" && repl[0] >= 'a' && repl[0] <= 'z' {
		return strings.ToUpper(repl[:1]) + repl[1:]
	}
	return repl
}

// replaceWithContext is ReplaceAllStringFunc whose function also sees the
// text before the match (as rewritten so far) and the submatches.
func replaceWithContext(s string, re *regexp.Regexp, f func(groups []string, before string) string) string {
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:loc[0]])
		groups := make([]string, len(loc)/2)
		for i := range groups {
			if loc[2*i] >= 0 {
				groups[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		b.WriteString(f(groups, b.String()))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// dateRef is a calendar date a statement names, as a period: "2025" or
// "2025-05".
type dateRef struct {
	start, end int
	period     string
}

var (
	monthYearRef = regexp.MustCompile(`\b(?:\d{1,2}\s+)?(` + monthNames + `)\s+(?:\d{1,2},\s*)?((?:19|20)\d{2})\b`)
	yearEndRef   = regexp.MustCompile(`(?i)\b(?:at|as\s+of)\s+the\s+end\s+of\s+((?:19|20)\d{2})\b`)
	yearRef      = regexp.MustCompile(`(?:^|[^\w$£€¥.,-])((?:19|20)\d{2})(?:\b|$)`)
	fiscalRef    = regexp.MustCompile(`(?i)\b(?:fiscal(?:\s+year)?|FY)\s*'?(\d{2,4})\b|\bfiscal\s+year\b`)
	quarterRef   = regexp.MustCompile(`(?i)\b(?:first|second|third|fourth)[ -]quarter\b|\bQ[1-4]\b|\bfirst half\b|\bsecond half\b`)
)

// findDates lists the calendar dates s names, in order.
func findDates(s string) []dateRef {
	var out []dateRef
	taken := make([]bool, len(s)+1)
	for _, m := range monthYearRef.FindAllStringSubmatchIndex(s, -1) {
		mo := monthNumber(s[m[2]:m[3]])
		out = append(out, dateRef{start: m[0], end: m[1], period: fmt.Sprintf("%s-%02d", s[m[4]:m[5]], mo)})
		for i := m[0]; i < m[1]; i++ {
			taken[i] = true
		}
	}
	for _, m := range yearEndRef.FindAllStringSubmatchIndex(s, -1) {
		// "at the end of 2024": as of December 2024.
		out = append(out, dateRef{start: m[0], end: m[1], period: s[m[2]:m[3]] + "-12"})
		for i := m[0]; i < m[1]; i++ {
			taken[i] = true
		}
	}
	for _, m := range yearRef.FindAllStringSubmatchIndex(s, -1) {
		if taken[m[2]] {
			continue
		}
		out = append(out, dateRef{start: m[2], end: m[3], period: s[m[2]:m[3]]})
	}
	sortDates(out)
	return out
}

func sortDates(ds []dateRef) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].start < ds[j-1].start; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}
