package knowledge

import (
	"strings"
	"testing"
)

func TestCloseMeasure(t *testing.T) {
	names := map[string]bool{"alpha": true, "beta": true}
	tests := []struct {
		a, b string
		want bool
	}{
		{"AI infrastructure spending", "AI infrastructure investment", true},
		{"investment in AI infrastructure", "AI infrastructure investment", true},
		{"AI infrastucture investment", "AI infrastructure investment", true},
		{"Alpha monthly active users", "Beta monthly active users", false},
		{"Alpha daily active users", "Alpha monthly active users", false},
		{"total investment", "AI infrastructure investment", false},
		{"AI infrastructure investment", "AI infrastructure investment", false},
	}
	for _, tt := range tests {
		if got := closeMeasure(tt.a, tt.b, names); got != tt.want {
			t.Errorf("closeMeasure(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCheckPeriod(t *testing.T) {
	tests := []struct {
		period, want string // want: a phrase of the message; "" for none
	}{
		{"2025", ""}, {"2025-01", ""}, {"2025-01-15", ""}, {"2025-2027", ""}, {"Q3 2025", ""}, {"H1 2025", ""},
		{"FY ending 2024-06-30", ""}, {"FY ending 2026-03", ""}, {"", ""},
		{"FY2025", `"FY ending 2025-MM"`}, {"FY25", `"FY ending 2025-MM"`}, {"fiscal 2024", `"FY ending 2024-MM"`},
		{"2025Q1", `"Q1 2025"`}, {"Q1-25", `"Q1 2025"`}, {"1Q25", `"Q1 2025"`},
		{"2025/26", `"2025-2026"`}, {"Jan 2025", `"2025-01"`}, {"December 2024", `"2024-12"`},
		{"year-end 2024", `"2024-12"`}, {"CY2025", `"2025"`}, {"soon", "nor declared under periods:"},
	}
	for _, tt := range tests {
		got := checkPeriod(tt.period, nil)
		if (tt.want == "") != (got == "") || !contains(got, tt.want) {
			t.Errorf("checkPeriod(%q) = %q, want …%s…", tt.period, got, tt.want)
		}
	}
	if got := checkPeriod("launch week", []string{"launch week"}); got != "" {
		t.Errorf("a declared period: %q", got)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
