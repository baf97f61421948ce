package index_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

func defaultBase(t testing.TB) *knowledge.Base {
	t.Helper()
	b, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func build(t testing.TB, base *knowledge.Base, opts index.Options) *index.Index {
	t.Helper()
	ix, err := index.Build(context.Background(), base, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func topIDs(res index.Result, n int) []string {
	var ids []string
	for i, h := range res.Hits {
		if i == n {
			break
		}
		ids = append(ids, h.Fact.ID)
	}
	return ids
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// TestSearchFindsFacts checks that the words investors use, figures in any
// form and misspellings all reach the fact that answers.
func TestSearchFindsFacts(t *testing.T) {
	t.Parallel()
	ix := build(t, defaultBase(t), index.Options{})
	tests := []struct {
		name, query, want string
	}{
		{"figure with B", "$12B AI infrastructure", "ft-ai-infra-12b"},
		{"figure with bn", "12bn", "ft-ai-infra-12b"},
		{"figure US$", "US$12 billion", "ft-ai-infra-12b"},
		{"figure in millions", "12,000 million dollars", "ft-ai-infra-12b"},
		{"figure 55.7", "$55.7bn", "microsoft-55-7b-fy2024"},
		{"alias parent", "TikTok's parent capex", "ai-infra-over-10b|ft-ai-infra-12b|total-investment-over-20b|ai-push-despite-tiktok"},
		{"synonym MAU", "Doubao MAU", "doubao-75m-monthly-users"},
		{"synonym GPUs", "GPUs buyer", "largest-h20-buyer"},
		{"typo infrastucture", "infrastucture investment", "ai-infra-over-10b"},
		{"typo Dobao", "Dobao users", "doubao-75m-monthly-users"},
		{"google is alphabet", "Google AI budget 2024", "alphabet-50b-ai-2024"},
		{"attribution", "Financial Times", "ft-ai-infra-12b"},
		{"year", "fiscal year 2024 Microsoft", "microsoft-55-7b-fy2024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.query, 3)
			if err != nil {
				t.Fatal(err)
			}
			got := topIDs(res, 3)
			found := false
			for _, w := range strings.Split(tt.want, "|") {
				found = found || contains(got, w)
			}
			if !found {
				t.Errorf("Search(%q) top 3 = %v, want %s among them (query %+v)", tt.query, got, tt.want, res.Query)
			}
		})
	}
}

// TestSearchRanksTheAmountAsked: a question asking for an amount ranks
// first the facts stating an amount of that kind.
func TestSearchRanksTheAmountAsked(t *testing.T) {
	t.Parallel()
	ix := build(t, defaultBase(t), index.Options{})
	tests := []struct {
		q     string
		wants []figure.Kind
		first string
	}{
		{"how many ai apps does bytedance have", []figure.Kind{figure.Count, figure.Number, figure.Duration}, ""},
		{"字节跳动 有几个 ai app", []figure.Kind{figure.Count, figure.Number}, "over-15-ai-apps"},
		{"豆包月活几多", []figure.Kind{figure.Money, figure.Count, figure.Number, figure.Percent, figure.Duration}, "doubao-75m-monthly-users"},
		{"how much did microsoft pay", []figure.Kind{figure.Money}, ""},
		{"what does an h20 cost", []figure.Kind{figure.Money}, ""},
		{"what date does the extension run out", []figure.Kind{figure.Year}, ""},
		{"what does jimeng do", nil, "jimeng-text-to-video"},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), tt.q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Query.Wants, tt.wants) {
			t.Errorf("%q wants %v, want %v", tt.q, res.Query.Wants, tt.wants)
		}
		if tt.first != "" && (len(res.Hits) == 0 || res.Hits[0].Fact.ID != tt.first) {
			t.Errorf("%q: first hit %v, want %s", tt.q, topIDs(res, 3), tt.first)
		}
	}
}

// TestSearchQuerySyntaxIsText checks that Bleve's query-string syntax in a
// question is only ever text.
func TestSearchQuerySyntaxIsText(t *testing.T) {
	t.Parallel()
	ix := build(t, defaultBase(t), index.Options{})
	for _, q := range []string{`title:revenue AND ceo:*`, `+doubao -users`, `"unclosed phrase`, `/regex.*/`, `field:[1 TO 5]`, `~~~^^^`, ``, `   `, "𝐀", "的 users", "𠀀"} {
		res, err := ix.Search(context.Background(), q, 5)
		if err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
		for _, u := range res.Query.Units {
			if u.Key == "*" || u.Key == "title:revenue" {
				t.Errorf("Search(%q) kept syntax as a unit: %+v", q, u)
			}
		}
	}
}

// TestCoverage checks the evidence the answer policy decides on: a fact
// that answers covers the question; one that only shares "ByteDance" does
// not.
func TestCoverage(t *testing.T) {
	t.Parallel()
	ix := build(t, defaultBase(t), index.Options{})
	res, err := ix.Search(context.Background(), "Who is ByteDance's CEO?", 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Coverage > 0.3 {
			t.Errorf("CEO question: %s covers %.2f, want at most 0.3", h.Fact.ID, h.Coverage)
		}
	}
	res, err = ix.Search(context.Background(), "How many monthly active users does Doubao have?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Fact.ID != "doubao-75m-monthly-users" || res.Hits[0].Coverage < 0.9 {
		t.Fatalf("Doubao users: top hit %+v, want doubao-75m-monthly-users covering ≥0.9", res.Hits)
	}
}

// TestSwapUnderLoad swaps the index again and again while searches run:
// no search may fail or come back empty, and each sees one whole version.
func TestSwapUnderLoad(t *testing.T) {
	t.Parallel()
	base := defaultBase(t)
	smaller := knowledge.NewBase(base.Sources, base.Facts[:len(base.Facts)-3])
	ix := build(t, base, index.Options{Path: t.TempDir()})
	versions := map[string]bool{base.Version(): true, smaller.Version(): true}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 150; i++ {
				res, err := ix.Search(ctx, "How much is ByteDance investing in AI infrastructure?", 3)
				switch {
				case err != nil:
					errs <- err
					return
				case len(res.Hits) == 0:
					errs <- errors.New("empty result during swap")
					return
				case !versions[res.Version] || res.Base.Version() != res.Version:
					errs <- errors.New("result mixes generations")
					return
				}
			}
		}()
	}
	for i := 0; i < 10; i++ {
		next := smaller
		if i%2 == 1 {
			next = base
		}
		rep, err := ix.Swap(ctx, next)
		if err != nil {
			t.Fatal(err)
		}
		if rep.NewVersion != next.Version() {
			t.Errorf("swap report version %s, want %s", rep.NewVersion, next.Version())
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ix.Version() != base.Version() {
		t.Errorf("after swaps: version %s, want %s", ix.Version(), base.Version())
	}
}

// TestSwapReport checks what a swap says it changed.
func TestSwapReport(t *testing.T) {
	t.Parallel()
	base := defaultBase(t)
	ix := build(t, base, index.Options{})
	facts := append([]knowledge.Fact(nil), base.Facts[1:]...)
	facts[0].Statement += " Changed."
	rep, err := ix.Swap(context.Background(), knowledge.NewBase(base.Sources, facts))
	if err != nil {
		t.Fatal(err)
	}
	if rep.OldVersion == rep.NewVersion {
		t.Error("versions equal after a change")
	}
	if len(rep.Changes.Removed) != 1 || rep.Changes.Removed[0] != base.Facts[0].ID {
		t.Errorf("removed %v, want [%s]", rep.Changes.Removed, base.Facts[0].ID)
	}
	if len(rep.Changes.Changed) != 1 || rep.Changes.Changed[0] != base.Facts[1].ID {
		t.Errorf("changed %v, want [%s]", rep.Changes.Changed, base.Facts[1].ID)
	}
}

// TestUnwritablePath checks that a bad INDEX_PATH is a clear error and that
// a failed swap leaves the old index serving.
func TestUnwritablePath(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		// root ignores permissions; a path under a regular file fails for everyone.
		t.Log("running as root: using a path under a file")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := index.Build(context.Background(), defaultBase(t), index.Options{Path: filepath.Join(file, "index")}); err == nil {
		t.Fatal("Build under a regular file succeeded")
	}

	path := filepath.Join(dir, "live")
	base := defaultBase(t)
	ix := build(t, base, index.Options{Path: path})
	// Make the folder impossible to build in: replace it with a file.
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Swap(context.Background(), base); err == nil {
		t.Fatal("Swap into an unusable folder succeeded")
	}
	res, err := ix.Search(context.Background(), "Doubao users", 3)
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("old index stopped serving after a failed swap: %v, %d hits", err, len(res.Hits))
	}
}

func TestVocabulary(t *testing.T) {
	t.Parallel()
	v, err := index.DefaultVocabulary()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Concepts()) < 30 {
		t.Errorf("default vocabulary has %d concepts, want a broad one", len(v.Concepts()))
	}
	qw := v.QuestionWords()
	for _, w := range []string{"how", "what's", "ignore", "size", "everyone"} {
		if !contains(qw, w) {
			t.Errorf("default question words lack %q", w)
		}
	}
	bad := []struct{ name, yaml string }{
		{"empty", ""},
		{"stop words only", "concepts:\n  x: [the of]\n"},
		{"a phrase that leaves one new word", "concepts:\n  x: [chip, other markets]\n"},
		{"unknown field", "concepts:\n  x: [chip]\nextra: 1\n"},
		{"contrast of one concept", "concepts:\n  x: [chip]\n  y: [car]\ncontrasts:\n  - [x]\n"},
		{"contrast of an unknown concept", "concepts:\n  x: [chip]\ncontrasts:\n  - [x, z]\n"},
		{"place of an unknown concept", "concepts:\n  x: [chip]\nplaces: [z]\n"},
		{"implication of an unknown concept", "concepts:\n  x: [chip]\nimplies:\n  x: [z]\n"},
	}
	for _, tt := range bad {
		if _, err := index.ParseVocabulary([]byte(tt.yaml)); err == nil {
			t.Errorf("%s: ParseVocabulary accepted it", tt.name)
		}
	}
}

// TestBuildWithOneCharacterWords: a statement with a one-character word of
// several bytes ("的") builds; it once panicked the spelling dictionary.
func TestBuildWithOneCharacterWords(t *testing.T) {
	t.Parallel()
	base := defaultBase(t)
	facts := append([]knowledge.Fact(nil), base.Facts...)
	facts[0].Statement += " 字节跳动的 AI 𝐀"
	ix := build(t, knowledge.NewBase(base.Sources, facts), index.Options{})
	if _, err := ix.Search(context.Background(), "的 𝐀", 3); err != nil {
		t.Fatal(err)
	}
}

// TestFocusedSearchFindsSomething: in an index large enough for focused
// searches, a question whose only clause is frequent still finds facts
// (a clause with no postings once kept the fallback from firing).
func TestFocusedSearchFindsSomething(t *testing.T) {
	t.Parallel()
	ix := build(t, syntheticBase(2100), index.Options{})
	res, err := ix.Search(context.Background(), "committed", 5)
	if err != nil || len(res.Hits) == 0 {
		t.Errorf("Search(committed) on 2,100 facts: %d hits, %v", len(res.Hits), err)
	}
}

// TestBuildSweepsLeftovers: generations a crashed process left under
// INDEX_PATH are removed when the next one starts.
func TestBuildSweepsLeftovers(t *testing.T) {
	t.Parallel()
	path := t.TempDir()
	left := filepath.Join(path, "gen-abc-123")
	if err := os.MkdirAll(filepath.Join(left, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	ix := build(t, defaultBase(t), index.Options{Path: path})
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("leftover generation still there: %v", err)
	}
	dirs, _ := filepath.Glob(filepath.Join(path, "gen-*"))
	if len(dirs) != 1 {
		t.Errorf("%d generations under INDEX_PATH, want the live one: %v", len(dirs), dirs)
	}
	ix.Close()
	if dirs, _ := filepath.Glob(filepath.Join(path, "gen-*")); len(dirs) != 0 {
		t.Errorf("Close left %v", dirs)
	}
}

// TestNamesSurviveStemming: a name the stemmer changes ("Seedance" →
// "seedanc") is still known as a name, which the answer policy relies on.
func TestNamesSurviveStemming(t *testing.T) {
	t.Parallel()
	base := defaultBase(t)
	facts := append([]knowledge.Fact(nil), base.Facts...)
	facts = append(facts, knowledge.Fact{ID: "seedance", SourceID: base.Sources[0].ID, Attribution: "the source report",
		AsOf: knowledge.Date{Year: 2025, Month: 1}, Statement: "Seedance is a ByteDance video model.", Entities: []string{"Seedance"}})
	ix := build(t, knowledge.NewBase(base.Sources, facts), index.Options{})
	res, err := ix.Search(context.Background(), "What is Seedance?", 3)
	if err != nil {
		t.Fatal(err)
	}
	named := false
	for _, u := range res.Query.Units {
		named = named || (u.Name && strings.HasPrefix(u.Key, "seedanc"))
	}
	if !named {
		t.Errorf("units %+v: want Seedance as a name", res.Query.Units)
	}
}
