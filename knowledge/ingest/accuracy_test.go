package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
	"github.com/bytewatch/bytewatch/knowledge/ingest"
)

// key is the hand-made answer for one article fixture (see
// testdata/articles/ledger-capex.key.yaml for what each field means).
type key struct {
	Options struct {
		Publisher string `yaml:"publisher"`
		Title     string `yaml:"title"`
	} `yaml:"options"`
	Expect struct {
		Title, Publisher, Published, URL string
	} `yaml:"expect"`
	Facts []struct {
		Quote       string   `yaml:"quote"`
		Attribution []string `yaml:"attribution"`
		Figures     []struct {
			Amount float64 `yaml:"amount"`
			Unit   string  `yaml:"unit"`
			Period string  `yaml:"period"`
		} `yaml:"figures"`
		Dates []string `yaml:"dates"`
		Lacks []string `yaml:"lacks"`
		Notes []string `yaml:"notes"`
	} `yaml:"facts"`
	Optional []string `yaml:"optional"`
	NotFacts []string `yaml:"not_facts"`
}

// score counts, for one fixture, how many of the key's facts the draft
// has and how many of those it gets right in each respect.
type score struct {
	name                                                         string
	keyFacts, found, statement, figures, dates, attribution, all int
	extra, leaks                                                 int
	problems                                                     []string
}

func (s score) String() string {
	return fmt.Sprintf("| %s | %d | %d | %d | %d | %d | %d | %d | %d |", s.name, s.keyFacts, s.found, s.statement, s.figures, s.dates, s.attribution, s.all, s.extra)
}

// floors are the least each fixture must score: all-correct facts and
// found facts out of the key's. They are set a little under what the
// draft scores today, so a change that makes drafts worse fails.
//
// The fixtures under articles/ were written before the code, which was
// then tuned while reading their drafts; those under heldout/, heldout2/
// and heldout3/ were written (with their keys) later, scored once before
// any change made for them (docs/knowledge.md has those first scores), and
// then tuned for too.
var floors = map[string]struct{ found, all, maxExtra int }{
	"ledger-capex.html":          {found: 8, all: 7, maxExtra: 1},
	"techsignal-doubao.md":       {found: 8, all: 7, maxExtra: 1},
	"wire-tiktok.txt":            {found: 7, all: 6, maxExtra: 1},
	"asiawire-chips.html":        {found: 5, all: 4, maxExtra: 1},
	"analyst-note.txt":           {found: 5, all: 4, maxExtra: 1},
	"heldout/harbour-seed.html":  {found: 5, all: 4, maxExtra: 1},
	"heldout/ai-weekly.md":       {found: 5, all: 4, maxExtra: 1},
	"heldout/briefing.txt":       {found: 3, all: 2, maxExtra: 1},
	"heldout2/chipletter.html":   {found: 5, all: 4, maxExtra: 1},
	"heldout2/investor-notes.md": {found: 5, all: 4, maxExtra: 1},
	"heldout2/release.txt":       {found: 3, all: 2, maxExtra: 1},
	"heldout3/cityam.html":       {found: 5, all: 4, maxExtra: 1},
	"heldout3/interview.md":      {found: 3, all: 2, maxExtra: 1},
	"heldout3/digest.txt":        {found: 3, all: 2, maxExtra: 1},
}

func TestDraftAccuracyOnArticles(t *testing.T) {
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	total := score{name: "all"}
	for name, floor := range sortedFloors() {
		t.Run(name, func(t *testing.T) {
			s := measure(t, base, name)
			rows = append(rows, s.String())
			total.keyFacts += s.keyFacts
			total.found += s.found
			total.statement += s.statement
			total.figures += s.figures
			total.dates += s.dates
			total.attribution += s.attribution
			total.all += s.all
			total.extra += s.extra
			for _, p := range s.problems {
				t.Log(p)
			}
			if s.leaks > 0 {
				t.Errorf("%d boilerplate passages became facts", s.leaks)
			}
			if s.found < floor.found || s.all < floor.all || s.extra > floor.maxExtra {
				t.Errorf("found %d (floor %d), all right %d (floor %d), extra %d (at most %d)", s.found, floor.found, s.all, floor.all, s.extra, floor.maxExtra)
			}
		})
	}
	t.Log("| article | key facts | found | statement | figures | dates | attribution | all right | extra |")
	for _, r := range rows {
		t.Log(r)
	}
	t.Log(total.String())
}

func sortedFloors() func(yield func(string, struct{ found, all, maxExtra int }) bool) {
	return func(yield func(string, struct{ found, all, maxExtra int }) bool) {
		names := make([]string, 0, len(floors))
		for n := range floors {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			if !yield(n, floors[n]) {
				return
			}
		}
	}
}

// measure drafts one fixture and scores it against its key.
func measure(t *testing.T, base *knowledge.Base, name string) score {
	t.Helper()
	dir := filepath.Join("testdata", "articles")
	if d, n, ok := strings.Cut(name, "/"); ok {
		dir, name = filepath.Join("testdata", d), n
	}
	var k key
	raw, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+".key.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &k); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ingest.Draft(context.Background(), f, ingest.Options{Base: base, Publisher: k.Options.Publisher, Title: k.Options.Title})
	if err != nil {
		t.Fatal(err)
	}
	draft, err := knowledge.Load(fstest.MapFS{"draft.yaml": {Data: res.YAML}})
	if err != nil {
		t.Fatalf("the draft does not load: %v\n%s", err, res.YAML)
	}
	src := draft.Sources[0]
	for _, c := range []struct{ what, got, want string }{
		{"title", src.Title, k.Expect.Title}, {"publisher", src.Publisher, k.Expect.Publisher},
		{"published", src.Published.String(), k.Expect.Published}, {"url", src.URL, k.Expect.URL},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
	notesOf := func(id string) string {
		var out []string
		for _, n := range res.Notes {
			if strings.HasPrefix(n, id+": ") {
				out = append(out, n)
			}
		}
		return strings.Join(out, "\n")
	}
	sentences := articleSentences(res.YAML)
	s := score{name: name, keyFacts: len(k.Facts)}
	matched := map[string]bool{}
	for _, kf := range k.Facts {
		i := slices.IndexFunc(draft.Facts, func(f knowledge.Fact) bool {
			return strings.Contains(f.Statement, kf.Quote) || strings.Contains(sentences[f.ID], kf.Quote)
		})
		if i < 0 {
			s.problems = append(s.problems, fmt.Sprintf("missing: %q", kf.Quote))
			continue
		}
		df := draft.Facts[i]
		matched[df.ID] = true
		s.found++
		ok := 0
		check := func(good bool, what string) {
			if good {
				ok++
			} else {
				s.problems = append(s.problems, fmt.Sprintf("%q: %s wrong: %+v", kf.Quote, what, df))
			}
		}
		stmtOK := !strings.Contains(df.Statement, "[")
		for _, l := range kf.Lacks {
			stmtOK = stmtOK && !strings.Contains(strings.ToLower(df.Statement), strings.ToLower(l))
		}
		notes := notesOf(df.ID)
		for _, n := range kf.Notes {
			stmtOK = stmtOK && strings.Contains(notes, n)
		}
		check(stmtOK, "statement")
		if stmtOK {
			s.statement++
		}
		figOK := figuresMatch(df.Figures, kf.Figures)
		check(figOK, "figures")
		if figOK {
			s.figures++
		}
		datesOK := true
		for _, d := range kf.Dates {
			datesOK = datesOK && hasDate(df, d)
		}
		check(datesOK, "dates")
		if datesOK {
			s.dates++
		}
		attrOK := slices.ContainsFunc(kf.Attribution, func(a string) bool { return sameName(a, df.Attribution) })
		check(attrOK, "attribution")
		if attrOK {
			s.attribution++
		}
		if ok == 4 {
			s.all++
		}
	}
	for _, f := range draft.Facts {
		text := f.Statement + " " + sentences[f.ID]
		for _, nf := range k.NotFacts {
			if strings.Contains(strings.ToLower(text), strings.ToLower(nf)) {
				s.leaks++
				s.problems = append(s.problems, fmt.Sprintf("boilerplate %q became fact %s", nf, f.ID))
			}
		}
		if matched[f.ID] || slices.ContainsFunc(k.Optional, func(o string) bool { return strings.Contains(text, o) }) {
			continue
		}
		s.extra++
		s.problems = append(s.problems, fmt.Sprintf("extra fact: %q", f.Statement))
	}
	return s
}

// articleSentences reads the "# article:" comments of a draft: the
// sentence each fact was drafted from, when its statement differs.
func articleSentences(data []byte) map[string]string {
	out := map[string]string{}
	var cur []string
	reading := false
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "# article: "):
			cur, reading = []string{strings.TrimPrefix(t, "# article: ")}, true
		case reading && strings.HasPrefix(t, "#   "):
			cur = append(cur, strings.TrimPrefix(t, "#   "))
		case strings.HasPrefix(t, "- id: "):
			out[strings.TrimPrefix(t, "- id: ")] = strings.Join(cur, " ")
			cur, reading = nil, false
		default:
			reading = false
		}
	}
	return out
}

// figuresMatch: every key figure is in the draft (same amount and unit,
// and period when the key gives one), and the draft has no other figure
// but years.
func figuresMatch(got []knowledge.Figure, want []struct {
	Amount float64 `yaml:"amount"`
	Unit   string  `yaml:"unit"`
	Period string  `yaml:"period"`
}) bool {
	nonYear := 0
	for _, g := range got {
		if g.Value().Kind != figure.Year {
			nonYear++
		}
	}
	if nonYear != len(want) {
		return false
	}
	for _, w := range want {
		wv := figure.FromUnit(w.Amount, w.Unit)
		if !slices.ContainsFunc(got, func(g knowledge.Figure) bool {
			return g.Value().Matches(wv) && (w.Unit == "" || strings.EqualFold(g.Unit, w.Unit)) && (w.Period == "" || g.Period == w.Period)
		}) {
			return false
		}
	}
	return true
}

// hasDate: the fact dates something at d, as a figure's period, in its
// statement ("2024", "December 2024") or as its as_of (the date of the
// report it cites).
func hasDate(f knowledge.Fact, d string) bool {
	if f.AsOf.String() == d || slices.ContainsFunc(f.Figures, func(g knowledge.Figure) bool { return g.Period == d }) {
		return true
	}
	kd, err := knowledge.ParseDate(d)
	if err != nil {
		return false
	}
	return strings.Contains(f.Statement, kd.Human())
}

func sameName(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		return strings.TrimPrefix(s, "the ")
	}
	return norm(a) == norm(b)
}
