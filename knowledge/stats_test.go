package knowledge

import (
	"os"
	"testing"
)

func TestStats(t *testing.T) {
	base, err := Load(os.DirFS("testdata/good"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got := base.Stats()
	want := Stats{Sources: 2, Facts: 3, Figures: 3, Entities: 3, LatestAsOf: Date{Year: 2025, Month: 1}, Version: base.Version()}
	if got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	wantText := "2 sources, 3 facts, 3 figures, 3 entities; as of January 2025; version " + base.Version()
	if got.String() != wantText {
		t.Errorf("Stats.String = %q, want %q", got.String(), wantText)
	}
	if one := (Stats{Sources: 1, Facts: 1, Figures: 1, Entities: 1}).String(); one[:36] != "1 source, 1 fact, 1 figure, 1 entity" {
		t.Errorf("singular Stats.String = %q", one)
	}
}
