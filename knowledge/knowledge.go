// Package knowledge holds bytewatch's knowledge base: the source documents and
// the facts stated in them, loaded from hand-edited YAML files (one file per
// source) and validated strictly before anything is allowed to index them.
package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// Date is a calendar date whose month and day may be unknown: sources often
// give only "December 2024" or "2025". Month and Day are 0 when unknown.
type Date struct {
	Year  int
	Month int
	Day   int
}

// ParseDate reads "2025", "2025-01" or "2025-01-15".
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, "-")
	if len(parts) == 0 || len(parts) > 3 || s == "" {
		return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	var nums [3]int
	for i, p := range parts {
		want := 2
		if i == 0 {
			want = 4
		}
		n, err := strconv.Atoi(p)
		if err != nil || len(p) != want {
			return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
		}
		nums[i] = n
	}
	d := Date{Year: nums[0], Month: nums[1], Day: nums[2]}
	if d.Year < 1900 || d.Year > 2200 {
		return Date{}, fmt.Errorf("date %q: year out of range", s)
	}
	if len(parts) >= 2 && (d.Month < 1 || d.Month > 12) {
		return Date{}, fmt.Errorf("date %q: month out of range", s)
	}
	if len(parts) == 3 {
		t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		if t.Day() != d.Day {
			return Date{}, fmt.Errorf("date %q: no such day", s)
		}
	}
	return d, nil
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.Year == 0 }

// String gives the machine form: "2025", "2025-01" or "2025-01-15".
func (d Date) String() string {
	switch {
	case d.IsZero():
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	default:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
}

// Human gives the reader's form: "2025", "January 2025" or "15 January 2025".
func (d Date) Human() string {
	switch {
	case d.IsZero():
		return ""
	case d.Month == 0:
		return strconv.Itoa(d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%s %d", time.Month(d.Month), d.Year)
	default:
		return fmt.Sprintf("%d %s %d", d.Day, time.Month(d.Month), d.Year)
	}
}

// Before reports whether d is earlier than o, comparing unknown parts as 0.
func (d Date) Before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// Source is one document the facts come from.
type Source struct {
	ID        string
	Title     string
	Publisher string // a name, or "media reports"
	Published Date
	URL       string // optional
	File      string // the file it was loaded from, for error messages
	// Entities are the companies, products and people the source declares
	// with the other names people write them as.
	Entities []Entity
}

// Entity is a company, product or person the sources name, with the other
// names people use for it: another script (豆包 for Doubao), a ticker
// (MSFT), a short or descriptive name ("TikTok's parent").
type Entity struct {
	Name    string
	Aliases []string
}

// About is what a knowledge base says about itself, in its own words, so
// that refusals, broad questions and the LLM's prompt speak for the base
// that is loaded rather than for the one bytewatch was first built with.
type About struct {
	// Subject is what the sources are mainly about: "ByteDance".
	Subject string
	// Covers says what the sources cover, as a phrase that can follow
	// "They cover ": "ByteDance's AI plans: its investment, …".
	Covers string
	// MainQuestion is the question a broad question ("tell me about
	// ByteDance") or an advice request is answered with.
	MainQuestion string
}

// Figure is a structured number stated by a fact. Amount is in plain units of
// Unit: $12 billion is Amount 12e9 with Unit "USD"; 75 million users is 75e6
// with Unit "users"; a 75-day extension is 75 with Unit "days"; a year is
// Unit "year".
type Figure struct {
	Amount    float64
	Unit      string
	Measure   string // what it measures: "AI infrastructure investment"
	Period    string // the period it covers: "2025", "FY ending 2024-06-30"
	Qualifier string // "", "more than", "up to", "about", "at least"
}

// Fact is one self-contained statement, in our own words, with who reported it.
type Fact struct {
	ID          string
	SourceID    string
	Statement   string
	Attribution string // who reported it: "the Financial Times", "unnamed reports"
	AsOf        Date
	Entities    []string // what the statement is about, its main subject first
	// Mentions are names the statement brings up only for comparison
	// ("ahead of rivals Baidu and Tencent"): the fact says nothing about
	// them, so it answers no question about them.
	Mentions []string
	Topics   []string // optional free tags: "capex", "chips", "apps"
	Figures  []Figure
	// Updates is the id of an earlier fact this one revises ("ByteDance
	// raised the plan to $14 billion" updates the $12 billion plan):
	// answers give this fact's figure as the current one and the earlier
	// as what was reported before. Empty for most facts.
	Updates string
	Line    int // line in the source file where the fact starts

	// Questions are questions the fact answers, in the words people ask
	// them: /ask offers them as suggestions. Optional; they change no
	// answer, so they are not part of the version.
	Questions []string
}

// Base is a loaded, validated knowledge base. It is immutable once loaded and
// safe to share between goroutines.
type Base struct {
	Sources []Source
	Facts   []Fact

	byFact     map[string]int
	bySource   map[string]int
	about      About
	entities   []Entity
	version    string
	latestAsOf Date
	declared   Declared
	warnings   []Problem
}

// NewBase builds a Base from already-validated sources and facts, computing
// the lookup tables and the version. Facts are kept in the given order.
func NewBase(sources []Source, facts []Fact) *Base {
	return NewBaseAbout(About{}, sources, facts)
}

// NewBaseAbout is NewBase for a base that says what it is about; the
// fields of about left empty are derived from the facts (see Base.About).
func NewBaseAbout(about About, sources []Source, facts []Fact) *Base {
	b := &Base{Sources: sources, Facts: facts, about: about,
		byFact: make(map[string]int, len(facts)), bySource: make(map[string]int, len(sources))}
	for i, s := range sources {
		b.bySource[s.ID] = i
	}
	for i, f := range facts {
		b.byFact[f.ID] = i
	}
	b.entities = mergeEntities(sources, facts)
	b.about = fillAbout(about, facts)
	b.version = computeVersion(b.about, b.entities, sources, facts)
	for _, f := range facts {
		if b.latestAsOf.Before(f.AsOf) {
			b.latestAsOf = f.AsOf
		}
	}
	return b
}

// Fact returns the fact with the given id.
func (b *Base) Fact(id string) (Fact, bool) {
	i, ok := b.byFact[id]
	if !ok {
		return Fact{}, false
	}
	return b.Facts[i], true
}

// Source returns the source with the given id.
func (b *Base) Source(id string) (Source, bool) {
	i, ok := b.bySource[id]
	if !ok {
		return Source{}, false
	}
	return b.Sources[i], true
}

// Version is a short hash of everything the base says; two bases with the
// same content have the same version, whatever files they came from.
func (b *Base) Version() string { return b.version }

// Warnings are what the loader found worth a moderator's look that did not
// stop the base loading: a new measure or unit to declare, a file in a
// subfolder, an attribution that seems written into a statement.
func (b *Base) Warnings() []Problem { return b.warnings }

// LatestAsOf is the newest as-of date among the facts: "knowledge as of".
func (b *Base) LatestAsOf() Date { return b.latestAsOf }

// About says what the base is about. Without a base.yaml, the subject is
// the name most facts are about first, and MainQuestion is the subject
// itself; Covers is then empty and callers say it in general words.
func (b *Base) About() About { return b.about }

// Entities lists every name the facts are about or mention, and the ones
// the sources declare, with the aliases declared for them, sorted by name.
func (b *Base) Entities() []Entity { return b.entities }

// Subject is the fact's main subject: its first entity.
func (f Fact) Subject() string {
	if len(f.Entities) == 0 {
		return ""
	}
	return f.Entities[0]
}

// StatesKind reports whether the fact states a figure of one of the kinds:
// a count, for a question asking how many.
func (f Fact) StatesKind(kinds ...figure.Kind) bool {
	for _, g := range f.Figures {
		if slices.Contains(kinds, g.Value().Kind) {
			return true
		}
	}
	return false
}

// mergeEntities gathers the names of the facts and the sources'
// declarations into one list, each name once with every alias declared
// for it.
func mergeEntities(sources []Source, facts []Fact) []Entity {
	byName := map[string]*Entity{}
	add := func(name string, aliases []string) {
		e := byName[name]
		if e == nil {
			e = &Entity{Name: name}
			byName[name] = e
		}
		for _, a := range aliases {
			if !slices.Contains(e.Aliases, a) {
				e.Aliases = append(e.Aliases, a)
			}
		}
	}
	for _, s := range sources {
		for _, e := range s.Entities {
			add(e.Name, e.Aliases)
		}
	}
	for _, f := range facts {
		for _, n := range f.Entities {
			add(n, nil)
		}
		for _, n := range f.Mentions {
			add(n, nil)
		}
	}
	out := make([]Entity, 0, len(byName))
	for _, e := range byName {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// fillAbout derives what a base without a base.yaml says about itself.
func fillAbout(a About, facts []Fact) About {
	if a.Subject == "" {
		counts := map[string]int{}
		for _, f := range facts {
			if s := f.Subject(); s != "" {
				counts[s]++
			}
		}
		best := 0
		for name, n := range counts {
			if n > best || (n == best && name < a.Subject) {
				a.Subject, best = name, n
			}
		}
	}
	if a.MainQuestion == "" {
		a.MainQuestion = a.Subject
	}
	return a
}

func computeVersion(about About, entities []Entity, sources []Source, facts []Fact) string {
	h := sha256.New()
	fmt.Fprintf(h, "A\x00%s\x00%s\x00%s\n", about.Subject, about.Covers, about.MainQuestion)
	for _, e := range entities {
		fmt.Fprintf(h, "E\x00%s\x00%q\n", e.Name, e.Aliases)
	}
	ss := append([]Source(nil), sources...)
	sort.Slice(ss, func(i, j int) bool { return ss[i].ID < ss[j].ID })
	for _, s := range ss {
		fmt.Fprintf(h, "S\x00%s\x00%s\x00%s\x00%s\x00%s\n", s.ID, s.Title, s.Publisher, s.Published, s.URL)
	}
	fs := append([]Fact(nil), facts...)
	sort.Slice(fs, func(i, j int) bool { return fs[i].ID < fs[j].ID })
	for _, f := range fs {
		fmt.Fprintf(h, "F\x00%s\x00%s\x00%s\x00%s\x00%s\x00%q\x00%q\x00%q\n", f.ID, f.SourceID, f.Statement, f.Attribution, f.AsOf, f.Entities, f.Mentions, f.Topics)
		if f.Updates != "" {
			fmt.Fprintf(h, "U\x00%s\n", f.Updates)
		}
		for _, g := range f.Figures {
			fmt.Fprintf(h, "G\x00%g\x00%s\x00%s\x00%s\x00%s\n", g.Amount, g.Unit, g.Measure, g.Period, g.Qualifier)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
