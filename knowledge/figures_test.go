package knowledge

import (
	"testing"

	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// TestFigureValue pins the unit conventions the knowledge files are written
// in (see the data files' figures) to the kinds the figure package compares.
func TestFigureValue(t *testing.T) {
	tests := []struct {
		figure Figure
		want   figure.Value
	}{
		{Figure{Amount: 10e9, Unit: "USD"}, figure.Value{Kind: figure.Money, Amount: 10e9, Currency: "USD"}},
		{Figure{Amount: 5e9, Unit: "CNY"}, figure.Value{Kind: figure.Money, Amount: 5e9, Currency: "CNY"}},
		{Figure{Amount: 1e9, Unit: "EUR"}, figure.Value{Kind: figure.Money, Amount: 1e9, Currency: "EUR"}},
		{Figure{Amount: 1e9, Unit: "GBP"}, figure.Value{Kind: figure.Money, Amount: 1e9, Currency: "GBP"}},
		{Figure{Amount: 1e9, Unit: "JPY"}, figure.Value{Kind: figure.Money, Amount: 1e9, Currency: "JPY"}},
		{Figure{Amount: 15, Unit: "percent"}, figure.Value{Kind: figure.Percent, Amount: 15}},
		{Figure{Amount: 2024, Unit: "year"}, figure.Value{Kind: figure.Year, Amount: 2024}},
		{Figure{Amount: 3, Unit: "years"}, figure.Value{Kind: figure.Duration, Amount: 3, Unit: "year"}},
		{Figure{Amount: 75, Unit: "days"}, figure.Value{Kind: figure.Duration, Amount: 75, Unit: "day"}},
		{Figure{Amount: 2, Unit: "weeks"}, figure.Value{Kind: figure.Duration, Amount: 2, Unit: "week"}},
		{Figure{Amount: 6, Unit: "months"}, figure.Value{Kind: figure.Duration, Amount: 6, Unit: "month"}},
		{Figure{Amount: 75e6, Unit: "users"}, figure.Value{Kind: figure.Count, Amount: 75e6, Unit: "user"}},
		{Figure{Amount: 15, Unit: "apps"}, figure.Value{Kind: figure.Count, Amount: 15, Unit: "app"}},
		{Figure{Amount: 3, Unit: "companies"}, figure.Value{Kind: figure.Count, Amount: 3, Unit: "company"}},
	}
	for _, tt := range tests {
		if got := tt.figure.Value(); got != tt.want {
			t.Errorf("%+v.Value() = %+v, want %+v", tt.figure, got, tt.want)
		}
	}
}

func TestFigureString(t *testing.T) {
	tests := []struct {
		figure Figure
		want   string
	}{
		{Figure{Amount: 10e9, Unit: "USD", Qualifier: "more than", Measure: "AI infrastructure investment"},
			"more than $10 billion (AI infrastructure investment)"},
		{Figure{Amount: 55.7e9, Unit: "USD"}, "$55.7 billion"},
		{Figure{Amount: 75, Unit: "days", Qualifier: "up to"}, "up to 75 days"},
	}
	for _, tt := range tests {
		if got := tt.figure.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.figure, got, tt.want)
		}
	}
}

// TestStatesKind: a fact states a kind of figure when one of its figures is
// of it.
func TestStatesKind(t *testing.T) {
	f := Fact{Figures: []Figure{{Amount: 15, Unit: "apps"}, {Amount: 2025, Unit: "year"}}}
	tests := []struct {
		kinds []figure.Kind
		want  bool
	}{
		{[]figure.Kind{figure.Count}, true},
		{[]figure.Kind{figure.Money, figure.Year}, true},
		{[]figure.Kind{figure.Money, figure.Percent}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := f.StatesKind(tt.kinds...); got != tt.want {
			t.Errorf("StatesKind(%v) = %v, want %v", tt.kinds, got, tt.want)
		}
	}
	if (Fact{}).StatesKind(figure.Count) {
		t.Error("a fact without figures states a count")
	}
}
