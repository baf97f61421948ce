package answer

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/bytewatch/bytewatch/index"
)

// NotCovered is what an answer says when its sources don't cover a question.
const NotCovered = "My sources don't cover that, so I won't guess. They cover ByteDance's AI plans: " +
	"its investment and capital spending, chips, AI apps and their users, and how it compares with US tech giants."

// composeExtractive builds the answer with no LLM: each chosen fact's own
// statement, marked with its [n], conflicting reports side by side with who
// reported them.
func composeExtractive(question string, res index.Result, sel selection, advice bool) Answer {
	a := Answer{Question: question, Mode: ModeExtractive, Advice: advice}
	if !sel.answered {
		a.Text = NotCovered
		if advice {
			a.Text += "\n\n" + NotAdvice
		}
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
		// Reports that disagree: each with its attribution, in one place.
		b.WriteString("Reports differ.")
		for _, gid := range group {
			c := a.Citations[n[gid]-1]
			fmt.Fprintf(&b, " According to %s, %s [%d]", c.Attribution, lowerFirst(strings.TrimSpace(c.Text)), c.N)
			written[gid] = true
		}
	}
	if advice {
		b.WriteString("\n\n" + NotAdvice)
	}
	a.Text = b.String()
	return a
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
