package answer

import (
	"sort"
	"strings"
	"sync"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// conflicts maps a fact id to the facts that report the same measure for
// the same period with a different figure — from another reporter, or from
// the same one at another date — and to the facts it updates or is updated
// by: the reports that must be shown side by side (see composeExtractive
// for how: newest first when their dates differ).
type conflicts map[string][]string

// findConflicts groups every figure by what it measures and when, and pairs
// up the facts whose amounts disagree, and every fact with the one it
// updates.
func findConflicts(b *knowledge.Base) conflicts {
	type entry struct {
		fact string
		attr string
		asOf knowledge.Date
		val  figure.Value
	}
	groups := map[string][]entry{}
	for _, f := range b.Facts {
		attr := strings.ToLower(f.Attribution)
		for _, g := range f.Figures {
			if g.Measure == "" || g.Unit == "year" {
				continue
			}
			key := knowledge.MeasureKey(g.Measure) + "\x00" + strings.ToLower(strings.TrimSpace(g.Period)) + "\x00" + strings.ToLower(g.Unit)
			groups[key] = append(groups[key], entry{fact: f.ID, attr: attr, asOf: f.AsOf, val: g.Value()})
		}
	}
	partners := map[string]map[string]bool{}
	pair := func(a, b string) {
		for _, p := range [][2]string{{a, b}, {b, a}} {
			if partners[p[0]] == nil {
				partners[p[0]] = map[string]bool{}
			}
			partners[p[0]][p[1]] = true
		}
	}
	for _, es := range groups {
		for i := range es {
			for j := i + 1; j < len(es); j++ {
				a, b := es[i], es[j]
				// One reporter's two figures for one date are two parts of a
				// report, not a disagreement; at two dates, a revision.
				if a.fact == b.fact || (a.attr == b.attr && a.asOf == b.asOf) || a.val.Matches(b.val) {
					continue
				}
				pair(a.fact, b.fact)
			}
		}
	}
	for _, f := range b.Facts {
		if _, ok := b.Fact(f.Updates); ok && f.Updates != f.ID {
			pair(f.ID, f.Updates)
		}
	}
	out := make(conflicts, len(partners))
	for id, set := range partners {
		for p := range set {
			out[id] = append(out[id], p)
		}
		sort.Strings(out[id])
	}
	return out
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// conflictCache keeps the conflicts of the latest base, so they are worked
// out once per index generation, not once per question.
type conflictCache struct {
	mu   sync.Mutex
	base *knowledge.Base
	c    conflicts
}

func (cc *conflictCache) get(b *knowledge.Base) conflicts {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.base != b {
		cc.base, cc.c = b, findConflicts(b)
	}
	return cc.c
}
