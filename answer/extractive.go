package answer

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// composeAboutSources answers a question about the sources themselves —
// how old they are, where they come from — from the knowledge's metadata.
func composeAboutSources(question string, base *knowledge.Base) Answer {
	var b strings.Builder
	b.WriteString("My sources: ")
	for i, s := range base.Sources {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "“%s” (%s, %s)", s.Title, s.Publisher, s.Published.Human())
		if s.URL != "" {
			b.WriteString(" " + s.URL)
		}
	}
	st := base.Stats()
	fmt.Fprintf(&b, ". They hold %s; the newest is as of %s.", countOf(st.Facts, "fact", "facts"), base.LatestAsOf().Human())
	return Answer{Question: question, Mode: ModeExtractive, Answered: true, AboutSources: true, Text: b.String()}
}

// countOf writes "1 fact" or "29 facts".
func countOf(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// NotCovered is how an answer starts when its sources don't cover a
// question; NotCoveredText adds what the sources do cover.
const NotCovered = "My sources don't cover that, so I won't guess."

// ClosestIntro heads the facts shown, after NotCovered, that come close to
// a question without answering it.
const ClosestIntro = "The closest my sources come — not a direct answer:"

// NotCoveredText is the whole "not covered" answer for a knowledge base:
// NotCovered, then what its sources cover in the base's own words.
func NotCoveredText(base *knowledge.Base) string {
	if base == nil {
		return NotCovered
	}
	if c := base.About().Covers; c != "" {
		return NotCovered + " They cover " + c + "."
	}
	titles := make([]string, 0, len(base.Sources))
	for _, s := range base.Sources {
		titles = append(titles, "“"+s.Title+"”")
	}
	return NotCovered + " They are: " + strings.Join(titles, "; ") + "."
}

// composeExtractive builds the answer with no LLM: each chosen fact's own
// statement, marked with its [n], conflicting reports side by side with who
// reported them.
func composeExtractive(question string, res index.Result, sel selection, advice bool) Answer {
	a := Answer{Question: question, Mode: ModeExtractive, Advice: advice}
	if !sel.answered {
		var b strings.Builder
		b.WriteString(NotCoveredText(res.Base))
		if len(sel.closest) > 0 && !advice {
			// Near enough to help, not enough to answer: the facts are
			// shown, marked as what they are, and cited apart.
			b.WriteString("\n\n" + ClosestIntro)
			for i, h := range sel.closest {
				c := citationFor(i+1, h)
				a.Closest = append(a.Closest, c)
				fmt.Fprintf(&b, "\n• %s (%s, %s)", strings.TrimSpace(c.Text), c.Attribution, c.AsOf.Human())
			}
		}
		if advice {
			b.WriteString("\n\n" + NotAdvice)
		}
		a.Text = b.String()
		return a
	}
	a.Answered = true
	var b strings.Builder
	if advice {
		b.WriteString("I can't tell you what to do with your money, but here is what my sources say.\n\n")
	}
	for i, h := range sel.hits {
		a.Citations = append(a.Citations, citationFor(i+1, h))
	}
	n := map[string]int{}
	for _, c := range a.Citations {
		n[c.FactID] = c.N
	}
	written := map[string]bool{}
	for i, h := range sel.hits {
		id := h.Fact.ID
		if written[id] {
			continue
		}
		if i > 0 {
			b.WriteString(" ")
		}
		group := []string{id}
		for _, p := range sel.conflict[id] {
			if _, in := n[p]; in && !written[p] && p != id {
				group = appendOnce(group, p)
			}
		}
		if len(group) == 1 {
			fmt.Fprintf(&b, "%s [%d]", strings.TrimSpace(h.Fact.Statement), n[id])
			written[id] = true
			continue
		}
		for _, gid := range group {
			written[gid] = true
		}
		writeReports(&b, group, res.Base, a.Citations, n)
	}
	if advice {
		b.WriteString("\n\n" + NotAdvice)
	}
	a.Text = b.String()
	return a
}

// writeReports writes reports that disagree in one place, each with who
// reported it. Reported at one date, they are side by side ("Reports
// differ."); at several, the newest comes first and each says as of when,
// and a report another one updates is given as what was reported before.
func writeReports(b *strings.Builder, group []string, base *knowledge.Base, cites []Citation, n map[string]int) {
	type report struct {
		id   string
		fact knowledge.Fact
		c    Citation
	}
	reports := make([]report, 0, len(group))
	for _, id := range group {
		f, _ := base.Fact(id)
		reports = append(reports, report{id, f, cites[n[id]-1]})
	}
	updatedBy := map[string]int{} // fact id → [n] of the report updating it
	updates := false
	oneDate := true
	for _, r := range reports {
		if r.fact.Updates != "" {
			if _, in := n[r.fact.Updates]; in {
				updatedBy[r.fact.Updates] = r.c.N
				updates = true
			}
		}
		oneDate = oneDate && r.c.AsOf == reports[0].c.AsOf
	}
	if oneDate && !updates {
		b.WriteString("Reports differ.")
		for _, r := range reports {
			fmt.Fprintf(b, " According to %s, %s [%d]", r.c.Attribution, lowerFirst(strings.TrimSpace(r.c.Text)), r.c.N)
		}
		return
	}
	// Newest first; a report that updates another goes before it whatever
	// the dates say.
	slices.SortStableFunc(reports, func(x, y report) int {
		switch {
		case updatedBy[y.id] == x.c.N:
			return -1
		case updatedBy[x.id] == y.c.N:
			return 1
		case y.c.AsOf.Before(x.c.AsOf):
			return -1
		case x.c.AsOf.Before(y.c.AsOf):
			return 1
		}
		return 0
	})
	if !updates {
		b.WriteString("Reports differ; the newest first.")
	}
	for i, r := range reports {
		if i > 0 || !updates {
			b.WriteString(" ")
		}
		text := lowerFirst(strings.TrimSpace(r.c.Text))
		switch by, updated := updatedBy[r.id]; {
		case i == 0 && updates:
			fmt.Fprintf(b, "The latest report, as of %s, according to %s: %s [%d]", r.c.AsOf.Human(), r.c.Attribution, strings.TrimSpace(r.c.Text), r.c.N)
		case updated:
			fmt.Fprintf(b, "Reported before, as of %s, according to %s (since updated by [%d]): %s [%d]", r.c.AsOf.Human(), r.c.Attribution, by, strings.TrimSpace(r.c.Text), r.c.N)
		default:
			fmt.Fprintf(b, "As of %s, according to %s, %s [%d]", r.c.AsOf.Human(), r.c.Attribution, text, r.c.N)
		}
	}
}

// lowerFirst lower-cases the first letter of a statement that starts with a
// common word, so it reads after "according to X,"; names keep their
// capital.
func lowerFirst(s string) string {
	word, _, _ := strings.Cut(s, " ")
	switch strings.ToLower(word) {
	case "the", "a", "an", "its", "in", "it", "this", "these", "there", "some", "more", "about", "at", "by", "of", "according":
		r := []rune(s)
		r[0] = unicode.ToLower(r[0])
		return string(r)
	}
	return s
}
