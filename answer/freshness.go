package answer

import (
	"fmt"
	"time"

	"github.com/bytewatch/bytewatch/knowledge"
)

// staleNote says how old an answer's newest source is when that is more
// than staleAfter before now: "The newest source of this answer is from
// January 2025, 23 months ago; newer reports may say otherwise." It is ""
// for a fresh answer, one that answers nothing, or staleAfter 0.
func staleNote(a Answer, now time.Time, staleAfter time.Duration) string {
	if staleAfter <= 0 || !a.Answered || len(a.Citations) == 0 {
		return ""
	}
	var newest knowledge.Date
	for _, c := range a.Citations {
		if newest.Before(c.AsOf) {
			newest = c.AsOf
		}
	}
	if newest.IsZero() {
		return ""
	}
	end := lastDay(newest)
	if now.Sub(end) <= staleAfter {
		return ""
	}
	return fmt.Sprintf("The newest source of this answer is from %s, %s ago; newer reports may say otherwise.", newest.Human(), age(end, now))
}

// lastDay is the last day a date covers: "2025" ends on 31 December 2025,
// "2025-01" on 31 January.
func lastDay(d knowledge.Date) time.Time {
	switch {
	case d.Month == 0:
		return time.Date(d.Year, time.December, 31, 0, 0, 0, 0, time.UTC)
	case d.Day == 0:
		return time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// age says how long ago from then to now was: "23 months", "40 days".
func age(then, now time.Time) string {
	months := (now.Year()-then.Year())*12 + int(now.Month()) - int(then.Month())
	if now.Day() < then.Day() {
		months--
	}
	switch {
	case months >= 24:
		return fmt.Sprintf("%d years", months/12)
	case months >= 2:
		return fmt.Sprintf("%d months", months)
	}
	return fmt.Sprintf("%d days", int(now.Sub(then).Hours()/24))
}
