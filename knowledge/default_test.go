package knowledge

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// defaultFactIDs is every fact the shipped knowledge base must hold: one
// per fact in the source report.
var defaultFactIDs = []string{
	"bytedance-owns-tiktok",
	"ai-push-despite-tiktok",
	"ai-infra-over-10b",
	"total-investment-over-20b",
	"ft-ai-infra-12b",
	"ai-leadership-in-china",
	"rapid-ai-progress-since-2024",
	"over-15-ai-apps",
	"doubao-most-popular-app",
	"doubao-75m-monthly-users",
	"china-ai-app-lineup",
	"jimeng-text-to-video",
	"xinghui-image-generator",
	"kouzi-custom-chatbots",
	"maoxiang-role-play",
	"cici-international-doubao",
	"dreamina-international-jimeng",
	"international-expansion-unclear",
	"us-pressure-over-tiktok",
	"tiktok-ban-75-day-extension",
	"nvidia-chips-up-to-7b",
	"largest-h20-buyer",
	"h20-built-for-china",
	"microsoft-top-asia-cloud-customer",
	"alphabet-50b-ai-2024",
	"microsoft-55-7b-fy2024",
	"modest-next-to-us-giants",
	"strategic-aim-competitive-edge",
	"ai-commitment-to-innovation",
}

func loadDefault(t *testing.T) *Base {
	t.Helper()
	base, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return base
}

func TestDefaultHasEveryFact(t *testing.T) {
	base := loadDefault(t)
	for _, id := range defaultFactIDs {
		if _, ok := base.Fact(id); !ok {
			t.Errorf("fact %s missing", id)
		}
	}
	if len(base.Facts) != len(defaultFactIDs) {
		var extra []string
		for _, f := range base.Facts {
			if !slices.Contains(defaultFactIDs, f.ID) {
				extra = append(extra, f.ID)
			}
		}
		t.Errorf("%d facts, want %d; not listed here: %v", len(base.Facts), len(defaultFactIDs), extra)
	}
	src, ok := base.Source("bytedance-ai-investment-2025")
	if !ok || src.Published != (Date{Year: 2025, Month: 1}) {
		t.Errorf("source = %+v, %v; want bytedance-ai-investment-2025 published 2025-01", src, ok)
	}
	if got := base.LatestAsOf(); got != (Date{Year: 2025, Month: 1}) {
		t.Errorf("latest as-of = %v, want 2025-01", got)
	}
}

// TestDefaultFigures pins the numbers investors ask about, with the
// qualifier and the attribution an answer must carry.
func TestDefaultFigures(t *testing.T) {
	base := loadDefault(t)
	tests := []struct {
		fact        string
		attribution string
		asOf        string
		figure      Figure // compared on Amount, Unit and Qualifier
	}{
		{"ai-infra-over-10b", "unnamed media reports", "2025-01", Figure{Amount: 10e9, Unit: "USD", Qualifier: "more than"}},
		{"total-investment-over-20b", "unnamed media reports", "2025-01", Figure{Amount: 20e9, Unit: "USD", Qualifier: "more than"}},
		{"ft-ai-infra-12b", "the Financial Times", "2025-01", Figure{Amount: 12e9, Unit: "USD"}},
		{"over-15-ai-apps", "the source report", "2025-01", Figure{Amount: 15, Unit: "apps", Qualifier: "more than"}},
		{"doubao-75m-monthly-users", "the source report", "2025-01", Figure{Amount: 75e6, Unit: "users"}},
		{"tiktok-ban-75-day-extension", "the source report", "2025-01", Figure{Amount: 75, Unit: "days"}},
		{"nvidia-chips-up-to-7b", "media reports in December 2024", "2024-12", Figure{Amount: 7e9, Unit: "USD", Qualifier: "up to"}},
		{"alphabet-50b-ai-2024", "the source report", "2024", Figure{Amount: 50e9, Unit: "USD"}},
		{"alphabet-50b-ai-2024", "the source report", "2024", Figure{Amount: 2024, Unit: "year"}},
		{"microsoft-55-7b-fy2024", "the source report", "2024-06-30", Figure{Amount: 55.7e9, Unit: "USD"}},
		{"microsoft-55-7b-fy2024", "the source report", "2024-06-30", Figure{Amount: 2024, Unit: "year"}},
		{"rapid-ai-progress-since-2024", "the source report", "2025-01", Figure{Amount: 2024, Unit: "year"}},
	}
	for _, tt := range tests {
		f, ok := base.Fact(tt.fact)
		if !ok {
			t.Errorf("fact %s missing", tt.fact)
			continue
		}
		if f.Attribution != tt.attribution || f.AsOf.String() != tt.asOf {
			t.Errorf("%s: attribution %q as of %s, want %q as of %s", tt.fact, f.Attribution, f.AsOf, tt.attribution, tt.asOf)
		}
		found := slices.ContainsFunc(f.Figures, func(g Figure) bool {
			return g.Amount == tt.figure.Amount && g.Unit == tt.figure.Unit && g.Qualifier == tt.figure.Qualifier
		})
		if !found {
			t.Errorf("%s: no figure %+v among %+v", tt.fact, tt.figure, f.Figures)
		}
	}
}

// TestDefaultStatementsStandAlone checks the writing rules a loader cannot:
// who said it lives in Attribution, relative time is resolved, and every
// entity is named in the statement it tags.
func TestDefaultStatementsStandAlone(t *testing.T) {
	attributionPhrase := regexp.MustCompile(`(?i)\b(according to|reported|reports?|sources say|the financial times)\b`)
	relativeTime := regexp.MustCompile(`(?i)\b(this|last|next|current) (year|month|december|quarter)\b|\brecently\b`)
	for _, f := range loadDefault(t).Facts {
		if m := attributionPhrase.FindString(f.Statement); m != "" {
			t.Errorf("%s: statement says %q; attribution belongs in its own field", f.ID, m)
		}
		if m := relativeTime.FindString(f.Statement); m != "" {
			t.Errorf("%s: statement says %q; resolve it against the source's date", f.ID, m)
		}
		if len(f.Entities) == 0 {
			t.Errorf("%s: no entities", f.ID)
		}
		for _, e := range f.Entities {
			if !strings.Contains(strings.ToLower(f.Statement), strings.ToLower(e)) {
				t.Errorf("%s: entity %q is not named in the statement", f.ID, e)
			}
		}
	}
}
