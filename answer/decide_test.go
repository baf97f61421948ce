package answer_test

import (
	"context"
	"slices"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/index"
)

// TestWhatIsAsked: the kind of question decides which facts come first —
// a bare measure asks for its amount, a list for the fact that names the
// members, "why" for no amount — and an amount for another year is not
// answered by this year's.
func TestWhatIsAsked(t *testing.T) {
	t.Parallel()
	eng := answer.NewEngine(defaultIndex(t), answer.Options{})
	tests := []struct {
		q        string
		answered bool
		first    string // the first fact cited; "" when not answered
	}{
		{"bytedance capex", true, "ai-infra-over-10b"},
		{"what's bytedance's ai spending", true, "ai-infra-over-10b"},
		{"doubao monthly users", true, "doubao-75m-monthly-users"},
		{"list bytedance's ai apps in china", true, "china-ai-app-lineup"},
		{"which apps does bytedance offer in china", true, "china-ai-app-lineup"},
		{"what is the purpose of bytedance's ai spending", true, "ai-leadership-in-china"},
		{"how much did bytedance spend on ai in 2023", false, ""},
		{"how much of bytedance's cash goes into data centres", true, "ai-infra-over-10b"},
		{"how much of the ai infrastructure budget goes to networking alone", false, ""},
		{"is bytedance building its own chips", false, ""},
		{"when did bytedance get serious about ai", true, "rapid-ai-progress-since-2024"},
		{"the ft figure vs the other report on ai infrastructure, which is right", true, "ft-ai-infra-12b"},
		{"bytedance got how many ai apps, they cooking baidu n tencent", true, "over-15-ai-apps"},
		{"is bytedance outspending tencent on ai infrastructure", false, ""},
		{"how many ai apps does baidu have", false, ""},
		{"bytedance ai capex 2026", false, ""},
		{"is bytedance taking its ai apps global", true, "international-expansion-unclear"},
		{"tesla or palantir for a yolo", false, ""},
		{"tried jimeng last night and it made the most cursed video", false, ""},
		{"ft says 12b for ai infrastructure or am i tripping", true, "ft-ai-infra-12b"},
		{"alphabet 2024 number", true, "alphabet-50b-ai-2024"},
	}
	for _, tt := range tests {
		a, err := eng.Ask(context.Background(), tt.q, nil)
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		first := ""
		if len(a.Citations) > 0 {
			first = a.Citations[0].FactID
		}
		if a.Answered != tt.answered || (tt.answered && first != tt.first) {
			t.Errorf("%q: answered %v, first cited %q; want %v, %q\n%s", tt.q, a.Answered, first, tt.answered, tt.first, a.Text)
		}
	}
}

// TestJoinedAnswers: answers that join facts for several parts of a
// question — a later part naming nobody asks about the names before it
// ("how many apps do they have"); two years no fact gives together are
// answered year by year, only when each has its own fact; two names
// compared with no word of what is compared ("bigger") are compared by
// each one's own figures.
func TestJoinedAnswers(t *testing.T) {
	t.Parallel()
	main := defaultIndex(t)
	fict, _ := fictionalIndex(t)
	tests := []struct {
		ix       *index.Index
		q        string
		answered bool
		cites    []string
	}{
		{main, "when did bytedance get serious about ai and how many apps do they have now", true, []string{"rapid-ai-progress-since-2024", "over-15-ai-apps"}},
		{fict, "ai infra spend 2024 vs 2025 for sorabit", true, []string{"sl-ai-capex-2024-1-7b", "sl-ai-capex-3-1b"}},
		{fict, "sorabit ai capex 2024 and 2026", false, nil},
		{fict, "is baram lens bigger than nuri studio", true, []string{"sb-baram-lens-23m", "sl-nuri-studio-9-5m"}},
	}
	for _, tt := range tests {
		a, err := answer.NewEngine(tt.ix, answer.Options{}).Ask(context.Background(), tt.q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a.Answered != tt.answered {
			t.Errorf("%q: answered %v, want %v:\n%s", tt.q, a.Answered, tt.answered, a.Text)
		}
		for _, want := range tt.cites {
			if !slices.ContainsFunc(a.Citations, func(c answer.Citation) bool { return c.FactID == want }) {
				t.Errorf("%q does not cite %s:\n%s", tt.q, want, a.Text)
			}
		}
	}
}
