package knowledge

import "fmt"

// Stats summarises a base for `bytewatch check` and /about.
type Stats struct {
	Sources    int
	Facts      int
	Figures    int
	Entities   int // distinct entity names
	LatestAsOf Date
	Version    string
}

// Stats counts what the base holds.
func (b *Base) Stats() Stats {
	s := Stats{Sources: len(b.Sources), Facts: len(b.Facts), LatestAsOf: b.LatestAsOf(), Version: b.Version()}
	entities := map[string]bool{}
	for _, f := range b.Facts {
		s.Figures += len(f.Figures)
		for _, e := range f.Entities {
			entities[e] = true
		}
	}
	s.Entities = len(entities)
	return s
}

// String gives the summary on one line:
// "1 source, 29 facts, 20 figures, 15 entities; as of January 2025; version 0123abcd4567".
func (s Stats) String() string {
	return fmt.Sprintf("%s, %s, %s, %s; as of %s; version %s",
		count(s.Sources, "source", "sources"), count(s.Facts, "fact", "facts"),
		count(s.Figures, "figure", "figures"), count(s.Entities, "entity", "entities"),
		s.LatestAsOf.Human(), s.Version)
}

// count writes "1 fact" or "2 facts".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
