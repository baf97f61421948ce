package answer_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// withLaterReport is the default base and one later source whose fact
// reports AI infrastructure investment for 2025 again.
func withLaterReport(t *testing.T, f knowledge.Fact) *knowledge.Base {
	t.Helper()
	def, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	src := knowledge.Source{ID: "later-report", Title: "A later report", Publisher: f.Attribution, Published: f.AsOf}
	f.SourceID = src.ID
	return knowledge.NewBaseAbout(def.About(), append(slices.Clone(def.Sources), src), append(slices.Clone(def.Facts), f))
}

func askBase(t *testing.T, b *knowledge.Base, q string, opts answer.Options) answer.Answer {
	t.Helper()
	ix, err := index.Build(context.Background(), b, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	a, err := answer.NewEngine(ix, opts).Ask(context.Background(), q, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAnswersGiveTheNewestReportFirst(t *testing.T) {
	t.Parallel()
	june := knowledge.Date{Year: 2025, Month: 6}
	figure := func(amount float64) []knowledge.Figure {
		return []knowledge.Figure{
			{Amount: amount, Unit: "USD", Measure: "AI infrastructure investment", Period: "2025"},
			{Amount: 2025, Unit: "year"},
		}
	}
	tests := []struct {
		name  string
		fact  knowledge.Fact
		order []string // phrases in the order the answer must give them
		not   []string
	}{
		{
			name: "an update",
			fact: knowledge.Fact{ID: "ft-ai-infra-14b", Statement: "ByteDance raised its plan for AI infrastructure in 2025 to $14 billion.",
				Attribution: "the Financial Times", AsOf: june, Entities: []string{"ByteDance"}, Updates: "ft-ai-infra-12b", Figures: figure(14e9)},
			order: []string{"The latest report, as of June 2025, according to the Financial Times:", "$14 billion",
				"Reported before, as of January 2025, according to the Financial Times (since updated by [", "$12 billion"},
			not: []string{"Reports differ."},
		},
		{
			name: "a later report from someone else",
			fact: knowledge.Fact{ID: "wire-ai-infra-15b", Statement: "ByteDance plans to spend $15 billion on AI infrastructure in 2025.",
				Attribution: "Example Wire", AsOf: june, Entities: []string{"ByteDance"}, Figures: figure(15e9)},
			order: []string{"Reports differ; the newest first.", "As of June 2025, according to Example Wire", "$15 billion", "As of January 2025, according to"},
			not:   []string{"Reports differ. According"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := askBase(t, withLaterReport(t, tt.fact), "How much is ByteDance investing in AI infrastructure in 2025?", answer.Options{})
			if !a.Answered {
				t.Fatalf("not answered: %s", a.Text)
			}
			at := 0
			for _, p := range tt.order {
				i := strings.Index(a.Text[at:], p)
				if i < 0 {
					t.Fatalf("%q missing, or out of order, in:\n%s", p, a.Text)
				}
				at += i + len(p)
			}
			for _, p := range tt.not {
				if strings.Contains(a.Text, p) {
					t.Errorf("%q in:\n%s", p, a.Text)
				}
			}
		})
	}
}

// TestReportsOfOneDateStaySideBySide: without dates or updates between
// them, conflicting reports read as before.
func TestReportsOfOneDateStaySideBySide(t *testing.T) {
	t.Parallel()
	def, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	a := askBase(t, def, "How much is ByteDance investing in AI infrastructure in 2025?", answer.Options{})
	if !strings.Contains(a.Text, "Reports differ. According to") || strings.Contains(a.Text, "newest first") {
		t.Errorf("answer:\n%s", a.Text)
	}
}
