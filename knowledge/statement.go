package knowledge

import (
	"regexp"

	"github.com/bytewatch/bytewatch/internal/advice"
)

var (
	// footnoteMarker is a reference to a note copied with the sentence:
	// "…users.[3]", "[1, 2]". Answers would show it as a citation.
	footnoteMarker = regexp.MustCompile(`\[(?:\d{1,3}(?:\s*[,–-]\s*\d{1,3})*|[a-z])\]`)
	// attributionPhrase is who reported the claim, written into it.
	attributionPhrase = regexp.MustCompile(`(?i)\baccording\s+to\b[^,.;]*`)
	// reportedBy is ", the FT reported." at the end, or "X reported
	// (in May) that …" at the start: attribution written in, most likely.
	reportedBy = regexp.MustCompile(`(?:,\s+[^,]{2,60}?\s+(?:said|says|reported|reports|told\s+\w+(?:\s+\w+)?)(?:\s+(?:on|in|last|this|earlier)\b[^,.]{0,40})?\.?$|^[^,]{2,60}?\s+(?:reported|reports)(?:\s+in\s+\w+(?:\s+\d{4})?)?\s+that\b)`)
)

// checkStatement reports what in a statement would change answers without
// a word: a footnote marker (shown as a citation of a source that does not
// exist), investment advice (the answer quoting it is withheld), and the
// attribution written into the statement (answers say who reported what
// from attribution:).
func checkStatement(s string, line int, p *problemList) {
	if m := footnoteMarker.FindString(s); m != "" {
		p.add(line, "statement: footnote marker %q: answers would show it as a citation of a source that does not exist; remove it", m)
	}
	if phrase, ok := advice.Recommends(s); ok {
		p.add(line, "statement reads as investment advice (%q): answers quoting it would be withheld; state the fact, not a recommendation", phrase)
	}
	if m := attributionPhrase.FindString(s); m != "" {
		p.add(line, "statement: the attribution is written into it (%q): put who reported it in attribution: and leave it out of the statement", truncate(m, 60))
	} else if m := reportedBy.FindString(s); m != "" {
		p.warn(line, "statement: the attribution seems written into it (%q): put who reported it in attribution:", truncate(m, 60))
	}
}
