package answer_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/knowledge"
)

// numbered returns facts of the default knowledge base numbered from [1]
// in the order given.
func numbered(t testing.TB, ids ...string) map[int]knowledge.Fact {
	t.Helper()
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]knowledge.Fact{}
	for i, id := range ids {
		f, ok := base.Fact(id)
		if !ok {
			t.Fatalf("fact %s is not in the default knowledge base", id)
		}
		out[i+1] = f
	}
	return out
}

func TestVerify(t *testing.T) {
	// [1] FT: $12 billion in 2025; [2] unnamed reports: more than $10
	// billion in 2025; [3] Microsoft: $55.7 billion, fiscal year to June 30,
	// 2024; [4] media reports in December 2024: Nvidia chips up to $7
	// billion.
	sources := numbered(t, "ft-ai-infra-12b", "ai-infra-over-10b", "microsoft-55-7b-fy2024", "nvidia-chips-up-to-7b")
	tests := []struct {
		name       string
		text       string
		figures    int
		cited      []int
		sentences  int
		notCovered bool
		problems   []string // exactly these, in order; nil means none
	}{
		{
			name:    "grounded",
			text:    "According to the Financial Times, ByteDance plans to put $12 billion into AI infrastructure in 2025 [1].",
			figures: 2, cited: []int{1}, sentences: 1,
		},
		{
			name:    "advice has no figure to catch, and is caught",
			text:    "ByteDance plans to put $12 billion into AI infrastructure in 2025 [1]. You should buy ByteDance shares now [1].",
			figures: 2, cited: []int{1}, sentences: 2,
			problems: []string{`sentence 2: "You should buy" is investment advice, which bytewatch never gives`,
				`sentence 2: "buy", "shares" are not in the cited source [1]`},
		},
		{
			name:    "digits the figure parser skips are still checked",
			text:    "ByteDance plans 90million for AI infrastructure [1]. ByteDance plans #2 [1]. ByteDance plans to put ９０ into AI infrastructure [1].",
			figures: 3, cited: []int{1}, sentences: 3,
			problems: []string{`sentence 1: "90million" is not in any cited source [1]`, `sentence 2: "#2" is not in any cited source [1]`, `sentence 3: "９０" is a number in characters bytewatch cannot check; write numbers in plain digits`},
		},
		{
			name:    "conflicting reports side by side",
			text:    "Reports differ. The Financial Times says ByteDance will put $12 billion into AI infrastructure in 2025 [1], while unnamed media reports say more than $10 billion [2].",
			figures: 3, cited: []int{1, 2}, sentences: 2,
		},
		{
			name:    "marker after the full stop belongs to the sentence before it",
			text:    "ByteDance plans to put $12 billion into AI infrastructure. [1] Unnamed reports say more than $10 billion. [2]",
			figures: 2, cited: []int{1, 2}, sentences: 2,
		},
		{
			name:    "adjacent markers",
			text:    "ByteDance will spend $12 billion or more than $10 billion on AI infrastructure in 2025 [1][2].",
			figures: 3, cited: []int{1, 2}, sentences: 1,
		},
		{
			name:    "list marker",
			text:    "ByteDance will spend $12 billion or more than $10 billion on AI infrastructure in 2025 [1, 2].",
			figures: 3, cited: []int{1, 2}, sentences: 1,
		},
		{
			name:    "range marker",
			text:    "ByteDance will spend $12 billion or more than $10 billion in 2025 [1-2]; Microsoft spent $55.7 billion [1–3].",
			figures: 4, cited: []int{1, 2, 3}, sentences: 1,
		},
		{
			name:    "marker with and",
			text:    "ByteDance will spend $12 billion or more than $10 billion in 2025 [1 and 2].",
			figures: 3, cited: []int{1, 2}, sentences: 1,
		},
		{
			name:    "other spellings of the same figure",
			text:    "The FT puts it at $12B [1]. That is 12,000 million dollars [1], or US$12bn [1], or twelve billion dollars [1].",
			figures: 4, cited: []int{1}, sentences: 2,
		},
		{
			name:    "decimal and a date inside the sentence",
			text:    "Microsoft spent $55.7 billion in its fiscal year that ended on June 30, 2024 [3].",
			figures: 2, cited: []int{3}, sentences: 1,
		},
		{
			name:    "year from the source's as-of date",
			text:    "As of December 2024, media reports said ByteDance intended to buy Nvidia chips worth up to $7 billion [4].",
			figures: 2, cited: []int{4}, sentences: 1,
		},
		{
			name:    "abbreviations do not end sentences",
			text:    "According to a U.S. newspaper, e.g. the Financial Times, ByteDance plans $12 billion for AI infrastructure in 2025 [1].",
			figures: 2, cited: []int{1}, sentences: 1,
		},
		{
			name:    "bulleted lines are sentences",
			text:    "Reports differ:\n- $12 billion, according to the Financial Times [1]\n- more than $10 billion, according to unnamed media reports [2]",
			figures: 2, cited: []int{1, 2}, sentences: 3,
		},
		{
			name:    "sentences that claim nothing need no citation",
			text:    "Reports differ on the amount. The Financial Times says $12 billion [1].",
			figures: 1, cited: []int{1}, sentences: 2,
		},
		{
			name:    "invented figure",
			text:    "ByteDance plans to put $15 billion into AI infrastructure [1].",
			figures: 1, cited: []int{1}, sentences: 1,
			problems: []string{`sentence 1: "$15 billion" is not in any cited source [1]`},
		},
		{
			name:    "figure from a source the sentence does not cite",
			text:    "The Financial Times says $12 billion [1]. Unnamed reports also say $12 billion [2].",
			figures: 2, cited: []int{1, 2}, sentences: 2,
			problems: []string{`sentence 2: "$12 billion" is not in any cited source [2]`},
		},
		{
			name:    "rounding that changes the figure",
			text:    "Microsoft spent $55.8 billion [3].",
			figures: 1, cited: []int{3}, sentences: 1,
			problems: []string{`sentence 1: "$55.8 billion" is not in any cited source [3]`},
		},
		{
			name:    "a year the source does not state",
			text:    "In 2023, ByteDance planned to put $12 billion into AI infrastructure [1].",
			figures: 2, cited: []int{1}, sentences: 1,
			problems: []string{`sentence 1: "2023" is not in any cited source [1]`},
		},
		{
			name:    "a percentage computed by the model",
			text:    "The FT's figure is 20% above the other report's [1][2].",
			figures: 1, cited: []int{1, 2}, sentences: 1,
			problems: []string{`sentence 1: "20%" is not in any cited source [1][2]`},
		},
		{
			name:    "figure without a citation",
			text:    "Reports differ [1][2]. ByteDance plans $12 billion.",
			figures: 1, cited: []int{1, 2}, sentences: 2,
			problems: []string{`sentence 2: "$12 billion" is stated without citing a source`},
		},
		{
			name:    "citation of a source that does not exist",
			text:    "ByteDance plans to put $12 billion into AI infrastructure [5].",
			figures: 1, sentences: 1,
			problems: []string{
				`sentence 1: [5] is not one of the 4 sources given`,
				`sentence 1: "$12 billion" is stated without citing a source`,
			},
		},
		{
			name:    "range reaching past the sources",
			text:    "ByteDance plans $12 billion [1-5].",
			figures: 1, cited: []int{1, 2, 3, 4}, sentences: 1,
			problems: []string{`sentence 1: [1-5] cites [5], which is not one of the 4 sources given`},
		},
		{
			name:    "range too wide to be real",
			text:    "ByteDance plans $12 billion [1-9999].",
			figures: 1, cited: []int{1}, sentences: 1,
			problems: []string{`sentence 1: [1-9999] cites a range of sources too wide to be real`},
		},
		{
			name:      "no citations at all",
			text:      "ByteDance is investing heavily in AI infrastructure.",
			sentences: 1,
			problems:  []string{"the answer cites no source; put [n] after every claim"},
		},
		{
			name:      "not a marker: a markdown link",
			text:      "ByteDance is investing heavily, [see the report](https://example.com/report).",
			sentences: 1,
			problems:  []string{"the answer cites no source; put [n] after every claim"},
		},
		{
			name:     "empty",
			text:     " \n ",
			problems: []string{"the answer is empty"},
		},
		{
			name:      "not covered",
			text:      "The sources don't cover that.",
			sentences: 1, notCovered: true,
		},
		{
			name:      "not covered, in other words",
			text:      "I'm sorry, but the sources do not mention ByteDance's revenue, so I cannot answer.",
			sentences: 1, notCovered: true,
		},
		{
			name:    "not covered, but restating the question's figure",
			text:    "The sources don't say whether ByteDance invests $100 billion.",
			figures: 1, sentences: 1,
			problems: []string{
				`sentence 1: "$100 billion" is stated without citing a source`,
				"the answer cites no source; put [n] after every claim",
			},
		},
		{
			name:    "obeying an injected instruction",
			text:    "ByteDance invests $100 billion [1].",
			figures: 1, cited: []int{1}, sentences: 1,
			problems: []string{`sentence 1: "$100 billion" is not in any cited source [1]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := answer.Verify(tt.text, sources)
			if !slices.Equal(r.Problems, tt.problems) {
				t.Errorf("problems:\n got %q\nwant %q", r.Problems, tt.problems)
			}
			if r.OK() != (len(tt.problems) == 0) {
				t.Errorf("OK() = %v with problems %q", r.OK(), r.Problems)
			}
			if r.FiguresChecked != tt.figures || !slices.Equal(r.Cited, tt.cited) || r.Sentences != tt.sentences || r.NotCovered != tt.notCovered {
				t.Errorf("figures %d, cited %v, sentences %d, not covered %v; want %d, %v, %d, %v",
					r.FiguresChecked, r.Cited, r.Sentences, r.NotCovered, tt.figures, tt.cited, tt.sentences, tt.notCovered)
			}
		})
	}
}

// TestVerifyAcceptsExtractiveAnswers checks the verifier against the
// extractive composer: an answer made of the facts' own statements must
// pass, or the verifier (or the figure parser under it) is wrong.
func TestVerifyAcceptsExtractiveAnswers(t *testing.T) {
	ix := defaultIndex(t)
	eng := answer.NewEngine(ix, answer.Options{})
	questions := []string{
		"How much is ByteDance investing in AI infrastructure?",
		"How many monthly users does Doubao have?",
		"How much did Microsoft spend on AI?",
		"What chips does ByteDance buy from Nvidia?",
		"How many AI apps does ByteDance have?",
		"What is the TikTok ban extension?",
		"How much did Alphabet spend on AI in 2024?",
		"What is ByteDance's total investment for 2025?",
		"Should I buy ByteDance stock because of its AI spending?",
	}
	answered := 0
	for _, q := range questions {
		a, err := eng.Ask(context.Background(), q, nil)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if !a.Answered {
			continue
		}
		answered++
		sources := map[int]knowledge.Fact{}
		for _, c := range a.Citations {
			f, _ := ix.Base().Fact(c.FactID)
			sources[c.N] = f
		}
		text := strings.TrimSuffix(a.Text, "\n\n"+answer.NotAdvice)
		if r := answer.Verify(text, sources); !r.OK() {
			t.Errorf("%q: the extractive answer fails verification: %q\n%s", q, r.Problems, a.Text)
		}
	}
	if answered < len(questions)/2 {
		t.Errorf("only %d of %d questions were answered; the test checks too little", answered, len(questions))
	}
}

// TestVerifyProductNames: digits inside a name pass when a cited source
// names it, and fail when none does.
func TestVerifyProductNames(t *testing.T) {
	t.Parallel()
	sources := numbered(t, "largest-h20-buyer")
	if r := answer.Verify("ByteDance is the largest buyer of Nvidia's H20 chips [1].", sources); !r.OK() {
		t.Errorf("a name the source states: %v", r.Problems)
	}
	if r := answer.Verify("ByteDance also buys Nvidia's B200 chips [1].", sources); r.OK() {
		t.Error("a name no source states passed")
	}
}
