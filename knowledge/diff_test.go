package knowledge

import (
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	src := Source{ID: "s", Title: "Report", Publisher: "media reports", Published: Date{Year: 2025, Month: 1}, File: "s.yaml"}
	fact := func(id, statement string) Fact {
		return Fact{ID: id, SourceID: "s", Statement: statement, Attribution: "the source report",
			AsOf: Date{Year: 2025, Month: 1}, Entities: []string{"ByteDance"},
			Figures: []Figure{{Amount: 2025, Unit: "year"}}}
	}
	old := NewBase([]Source{src}, []Fact{
		fact("kept", "Kept as is."),
		fact("moved", "Moved further down the file."),
		fact("reworded", "Said one way."),
		fact("refigured", "Has a figure."),
		fact("dropped", "Taken out."),
		fact("revision", "Revises kept."),
	})

	moved := fact("moved", "Moved further down the file.")
	moved.Line = 99 // where a fact sits is not what it says
	refigured := fact("refigured", "Has a figure.")
	refigured.Figures = []Figure{{Amount: 2024, Unit: "year"}}
	revision := fact("revision", "Revises kept.")
	revision.Updates = "kept"
	movedFile := src
	movedFile.File = "renamed.yaml"
	updated := NewBase([]Source{movedFile}, []Fact{
		fact("kept", "Kept as is."),
		fact("reworded", "Said another way."),
		refigured,
		fact("added", "New."),
		moved,
		revision,
	})

	got := Diff(old, updated)
	want := Changes{Added: []string{"added"}, Removed: []string{"dropped"}, Changed: []string{"refigured", "revision", "reworded"}}
	if !sameChanges(got, want) {
		t.Errorf("Diff = %+v, want %+v", got, want)
	}
	if same := Diff(old, old); !same.Empty() {
		t.Errorf("Diff of a base with itself = %+v, want empty", same)
	}
}

func TestDiffSourceChangeChangesItsFacts(t *testing.T) {
	src := Source{ID: "s", Title: "Report", Publisher: "media reports", Published: Date{Year: 2025}}
	other := Source{ID: "o", Title: "Other", Publisher: "media reports", Published: Date{Year: 2025}}
	facts := []Fact{{ID: "a", SourceID: "s", Statement: "A."}, {ID: "b", SourceID: "o", Statement: "B."}}
	retitled := src
	retitled.Title = "Report, corrected"

	got := Diff(NewBase([]Source{src, other}, facts), NewBase([]Source{retitled, other}, facts))
	want := Changes{Changed: []string{"a"}}
	if !sameChanges(got, want) {
		t.Errorf("Diff after retitling a source = %+v, want %+v (its facts cite it)", got, want)
	}
}

func TestDiffNilBases(t *testing.T) {
	base := NewBase(nil, []Fact{{ID: "b"}, {ID: "a"}})
	if got, want := Diff(nil, base), (Changes{Added: []string{"a", "b"}}); !sameChanges(got, want) {
		t.Errorf("Diff(nil, base) = %+v, want %+v", got, want)
	}
	if got, want := Diff(base, nil), (Changes{Removed: []string{"a", "b"}}); !sameChanges(got, want) {
		t.Errorf("Diff(base, nil) = %+v, want %+v", got, want)
	}
	if got := Diff(nil, nil); !got.Empty() {
		t.Errorf("Diff(nil, nil) = %+v, want empty", got)
	}
}

func sameChanges(a, b Changes) bool {
	return slices.Equal(a.Added, b.Added) && slices.Equal(a.Removed, b.Removed) && slices.Equal(a.Changed, b.Changed)
}
