package knowledge

import (
	"slices"
	"sort"
)

// Changes is what a reload changed, by fact id, each list sorted: /reindex
// reports it so a moderator can see their edit took effect.
type Changes struct {
	Added   []string
	Removed []string
	Changed []string // in both, but saying something different or cited differently
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Changed) == 0
}

// Diff compares two bases by fact id. A fact counts as changed when anything
// an answer shows of it differs: its own fields or those of its source. Where
// it sits in its file does not count, so reordering a file changes nothing.
// A nil base is an empty one.
func Diff(before, after *Base) Changes {
	var c Changes
	if after != nil {
		for _, f := range after.Facts {
			old, ok := before.lookupFact(f.ID)
			switch {
			case !ok:
				c.Added = append(c.Added, f.ID)
			case !sameFact(old, f) || !sameSource(before.sourceOf(old), after.sourceOf(f)):
				c.Changed = append(c.Changed, f.ID)
			}
		}
	}
	if before != nil {
		for _, f := range before.Facts {
			if _, ok := after.lookupFact(f.ID); !ok {
				c.Removed = append(c.Removed, f.ID)
			}
		}
	}
	sort.Strings(c.Added)
	sort.Strings(c.Removed)
	sort.Strings(c.Changed)
	return c
}

// lookupFact is Fact that treats a nil base as empty.
func (b *Base) lookupFact(id string) (Fact, bool) {
	if b == nil {
		return Fact{}, false
	}
	return b.Fact(id)
}

func (b *Base) sourceOf(f Fact) Source {
	s, _ := b.Source(f.SourceID)
	return s
}

// sameFact compares everything but Line, which moves with unrelated edits.
func sameFact(a, b Fact) bool {
	return a.ID == b.ID && a.SourceID == b.SourceID && a.Statement == b.Statement &&
		a.Attribution == b.Attribution && a.AsOf == b.AsOf &&
		slices.Equal(a.Entities, b.Entities) && slices.Equal(a.Mentions, b.Mentions) &&
		slices.Equal(a.Topics, b.Topics) &&
		slices.Equal(a.Figures, b.Figures) && a.Updates == b.Updates
}

// sameSource compares everything but File, which says where, not what.
func sameSource(a, b Source) bool {
	return a.ID == b.ID && a.Title == b.Title && a.Publisher == b.Publisher &&
		a.Published == b.Published && a.URL == b.URL &&
		slices.EqualFunc(a.Entities, b.Entities, func(x, y Entity) bool {
			return x.Name == y.Name && slices.Equal(x.Aliases, y.Aliases)
		})
}
