package records

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Report limits.
const (
	// ReportTop bounds each list of the report.
	ReportTop = 10
	// MaxReportDays bounds the period of a report.
	MaxReportDays = 3650
	// groupSimilarity is how alike two questions' words must be (Jaccard)
	// to count as one gap.
	groupSimilarity = 0.5
)

// Report is what the records of a period say: how many questions, how
// they ended, how people voted, what the sources fail to cover, which
// answers people disliked and why, which facts do the work and which never
// do.
type Report struct {
	Since     time.Time      `json:"since"`
	Until     time.Time      `json:"until"`
	Days      int            `json:"days"`
	Questions int            `json:"questions"`
	Outcomes  map[string]int `json:"outcomes"` // by Outcome*
	Up        int            `json:"up"`
	Down      int            `json:"down"`
	// UpRate is Up / (Up + Down); 0 without votes.
	UpRate float64 `json:"up_rate"`
	// Gaps are the questions the sources did not answer (not covered or
	// only the closest facts), grouped by similar wording, most asked
	// first.
	Gaps []Gap `json:"gaps"`
	// GapsWithoutText counts unanswered questions whose text was not kept
	// (STORE_QUESTIONS=false).
	GapsWithoutText int         `json:"gaps_without_text"`
	Disliked        []Disliked  `json:"disliked"`
	FactsUsed       []FactCount `json:"facts_used"`
	// FactsNeverUsed are the knowledge's facts no answer in the period
	// cited, by id.
	FactsNeverUsed []string `json:"facts_never_used"`
}

// Share is the fraction of the questions that ended with outcome.
func (r Report) Share(outcome string) float64 {
	if r.Questions == 0 {
		return 0
	}
	return float64(r.Outcomes[outcome]) / float64(r.Questions)
}

// Gap is a group of similar questions the sources did not answer.
type Gap struct {
	Question string   `json:"question"` // the group's most asked wording
	Count    int      `json:"count"`
	Variants []string `json:"variants,omitempty"` // other wordings, up to 3
}

// Disliked is an answer that got 👎.
type Disliked struct {
	QuestionID string         `json:"record_id"`
	Question   string         `json:"question"`
	Outcome    string         `json:"outcome"`
	FactIDs    []string       `json:"fact_ids"`
	Down       int            `json:"down"`
	Up         int            `json:"up"`
	Reasons    map[string]int `json:"reasons"`
	Texts      []string       `json:"texts,omitempty"` // what "other" said
}

// FactCount is how many answers cited a fact.
type FactCount struct {
	FactID string `json:"fact_id"`
	Count  int    `json:"count"`
}

// RecordSource is what BuildReport reads: a Store.
type RecordSource interface {
	Questions(ctx context.Context, since time.Time) ([]Question, error)
	Votes(ctx context.Context, since time.Time) ([]Vote, error)
}

// BuildReport reports on the days days up to now. Votes count when they
// were cast in the period on questions still kept.
func BuildReport(ctx context.Context, src RecordSource, now time.Time, days int, allFacts []string) (Report, error) {
	if days < 1 || days > MaxReportDays {
		return Report{}, fmt.Errorf("%w: report of %d days (want 1 to %d)", ErrInvalid, days, MaxReportDays)
	}
	since := now.AddDate(0, 0, -days)
	qs, err := src.Questions(ctx, since)
	if err != nil {
		return Report{}, err
	}
	votes, err := src.Votes(ctx, since)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Since: since.UTC(), Until: now.UTC(), Days: days, Questions: len(qs), Outcomes: map[string]int{}}
	for _, o := range []string{OutcomeAnswered, OutcomeClosest, OutcomeNotCovered, OutcomeRefused, OutcomeError} {
		rep.Outcomes[o] = 0
	}
	byID := make(map[string]Question, len(qs))
	used := map[string]int{}
	var gapTexts []string
	for _, q := range qs {
		byID[q.ID] = q
		rep.Outcomes[q.Outcome]++
		if q.Outcome == OutcomeAnswered {
			for _, f := range q.FactIDs {
				used[f]++
			}
		}
		if q.Outcome == OutcomeNotCovered || q.Outcome == OutcomeClosest {
			if q.HasText && strings.TrimSpace(q.Question) != "" {
				gapTexts = append(gapTexts, strings.TrimSpace(q.Question))
			} else {
				rep.GapsWithoutText++
			}
		}
	}
	rep.Gaps = GroupQuestions(gapTexts, ReportTop)

	disliked := map[string]*Disliked{}
	for _, v := range votes {
		q, ok := byID[v.QuestionID]
		if !ok {
			// A vote in the period on a question asked before it: look no
			// further back than the report does.
			continue
		}
		if v.Value == Up {
			rep.Up++
		} else {
			rep.Down++
		}
		d := disliked[q.ID]
		if d == nil {
			d = &Disliked{QuestionID: q.ID, Question: q.Question, Outcome: q.Outcome, FactIDs: q.FactIDs, Reasons: map[string]int{}}
			disliked[q.ID] = d
		}
		if v.Value == Up {
			d.Up++
			continue
		}
		d.Down++
		if v.Reason != "" {
			d.Reasons[v.Reason]++
		}
		if t := strings.TrimSpace(v.ReasonText); t != "" {
			d.Texts = append(d.Texts, t)
		}
	}
	if rep.Up+rep.Down > 0 {
		rep.UpRate = float64(rep.Up) / float64(rep.Up+rep.Down)
	}
	for _, d := range disliked {
		if d.Down > 0 {
			rep.Disliked = append(rep.Disliked, *d)
		}
	}
	sort.Slice(rep.Disliked, func(i, j int) bool {
		a, b := rep.Disliked[i], rep.Disliked[j]
		if a.Down != b.Down {
			return a.Down > b.Down
		}
		if a.Up != b.Up {
			return a.Up < b.Up
		}
		return a.QuestionID < b.QuestionID
	})
	if len(rep.Disliked) > ReportTop {
		rep.Disliked = rep.Disliked[:ReportTop]
	}

	for f, n := range used {
		rep.FactsUsed = append(rep.FactsUsed, FactCount{FactID: f, Count: n})
	}
	sort.Slice(rep.FactsUsed, func(i, j int) bool {
		a, b := rep.FactsUsed[i], rep.FactsUsed[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.FactID < b.FactID
	})
	if len(rep.FactsUsed) > ReportTop {
		rep.FactsUsed = rep.FactsUsed[:ReportTop]
	}
	rep.FactsNeverUsed = []string{}
	for _, f := range allFacts {
		if used[f] == 0 {
			rep.FactsNeverUsed = append(rep.FactsNeverUsed, f)
		}
	}
	sort.Strings(rep.FactsNeverUsed)
	return rep, nil
}

// stopWords are left out when comparing wordings.
var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "is": true, "are": true, "was": true, "were": true, "be": true,
	"do": true, "does": true, "did": true, "of": true, "in": true, "on": true, "for": true, "to": true,
	"and": true, "or": true, "with": true, "about": true, "what": true, "whats": true, "how": true,
	"much": true, "many": true, "which": true, "who": true, "when": true, "why": true, "its": true,
	"it": true, "this": true, "that": true, "has": true, "have": true, "there": true, "any": true, "by": true, "at": true,
	"me": true, "tell": true, "you": true, "can": true, "s": true,
}

// wordsOf is the set of a question's content words, lower case, a plural
// "s" dropped.
func wordsOf(q string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if stopWords[w] {
			continue
		}
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = strings.TrimSuffix(w, "s")
		}
		if !stopWords[w] {
			out[w] = true
		}
	}
	return out
}

func similarity(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// GroupQuestions groups questions of similar wording — the same content
// words for the most part, whatever their case, order, punctuation and
// little words — and returns at most top groups, most asked first, each
// named by its most asked wording.
func GroupQuestions(questions []string, top int) []Gap {
	// Count exact wordings (case and spacing aside) first.
	type wording struct {
		text  string
		n     int
		words map[string]bool
	}
	byKey := map[string]*wording{}
	var order []*wording
	for _, q := range questions {
		key := strings.Join(strings.Fields(strings.ToLower(q)), " ")
		w := byKey[key]
		if w == nil {
			w = &wording{text: q, words: wordsOf(q)}
			byKey[key] = w
			order = append(order, w)
		}
		w.n++
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].n > order[j].n })
	type group struct {
		head  *wording
		words map[string]bool
		n     int
		vars  []string
	}
	var groups []*group
	for _, w := range order {
		var best *group
		bestSim := 0.0
		for _, g := range groups {
			if s := similarity(w.words, g.words); s >= groupSimilarity && s > bestSim {
				best, bestSim = g, s
			}
		}
		if best == nil {
			groups = append(groups, &group{head: w, words: w.words, n: w.n})
			continue
		}
		best.n += w.n
		if len(best.vars) < 3 {
			best.vars = append(best.vars, w.text)
		}
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].n > groups[j].n })
	if len(groups) > top {
		groups = groups[:top]
	}
	out := make([]Gap, len(groups))
	for i, g := range groups {
		out[i] = Gap{Question: g.head.text, Count: g.n, Variants: g.vars}
	}
	return out
}

// Text lays the report out as plain text, for the command line.
func (r Report) Text() string {
	var b strings.Builder
	pct := func(x float64) string { return fmt.Sprintf("%.0f%%", 100*x) }
	period := fmt.Sprintf("%d days", r.Days)
	if r.Days == 1 {
		period = "day"
	}
	fmt.Fprintf(&b, "bytewatch report: the last %s (%s to %s UTC)\n\n", period, r.Since.Format("2006-01-02 15:04"), r.Until.Format("2006-01-02 15:04"))
	fmt.Fprintf(&b, "Questions asked: %d\n", r.Questions)
	fmt.Fprintf(&b, "  answered        %5d  %s\n", r.Outcomes[OutcomeAnswered], pct(r.Share(OutcomeAnswered)))
	fmt.Fprintf(&b, "  closest facts   %5d  %s\n", r.Outcomes[OutcomeClosest], pct(r.Share(OutcomeClosest)))
	fmt.Fprintf(&b, "  not covered     %5d  %s\n", r.Outcomes[OutcomeNotCovered], pct(r.Share(OutcomeNotCovered)))
	fmt.Fprintf(&b, "  refused         %5d  %s\n", r.Outcomes[OutcomeRefused], pct(r.Share(OutcomeRefused)))
	fmt.Fprintf(&b, "  error           %5d  %s\n", r.Outcomes[OutcomeError], pct(r.Share(OutcomeError)))
	fmt.Fprintf(&b, "\nVotes: %d 👍, %d 👎", r.Up, r.Down)
	if r.Up+r.Down > 0 {
		fmt.Fprintf(&b, " (%s 👍)", pct(r.UpRate))
	}
	b.WriteString("\n\nTop questions the sources don't answer (the gaps to fill):\n")
	if len(r.Gaps) == 0 {
		b.WriteString("  none\n")
	}
	for i, g := range r.Gaps {
		fmt.Fprintf(&b, "  %2d. ×%d  %s\n", i+1, g.Count, g.Question)
		for _, v := range g.Variants {
			fmt.Fprintf(&b, "             also: %s\n", v)
		}
	}
	if r.GapsWithoutText > 0 {
		fmt.Fprintf(&b, "  (%d more whose text was not kept: STORE_QUESTIONS=false)\n", r.GapsWithoutText)
	}
	b.WriteString("\nMost 👎'd answers:\n")
	if len(r.Disliked) == 0 {
		b.WriteString("  none\n")
	}
	for i, d := range r.Disliked {
		q := d.Question
		if q == "" {
			q = "(text not kept)"
		}
		fmt.Fprintf(&b, "  %2d. %d 👎 %d 👍  %s  [record %s]\n", i+1, d.Down, d.Up, q, d.QuestionID)
		if rs := ReasonSummary(d.Reasons); rs != "" {
			fmt.Fprintf(&b, "      reasons: %s\n", rs)
		}
		for _, t := range d.Texts {
			fmt.Fprintf(&b, "      “%s”\n", t)
		}
		if len(d.FactIDs) > 0 {
			fmt.Fprintf(&b, "      facts: %s\n", strings.Join(d.FactIDs, ", "))
		}
	}
	b.WriteString("\nFacts cited most:\n")
	if len(r.FactsUsed) == 0 {
		b.WriteString("  none\n")
	}
	for _, f := range r.FactsUsed {
		fmt.Fprintf(&b, "  %5d  %s\n", f.Count, f.FactID)
	}
	fmt.Fprintf(&b, "\nFacts never cited: %d\n", len(r.FactsNeverUsed))
	for _, f := range r.FactsNeverUsed {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	return b.String()
}

// ReasonSummary lists reasons with their counts:
// "Wrong figure ×2, Other ×1", in the order Reasons offers them.
func ReasonSummary(reasons map[string]int) string {
	var parts []string
	for _, r := range Reasons {
		if n := reasons[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s ×%d", ReasonLabel(r), n))
		}
	}
	return strings.Join(parts, ", ")
}
