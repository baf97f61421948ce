package answer_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// The floors the evaluation must clear (see docs/answering.md).
const (
	minRecallAt3  = 0.95
	minAccuracy   = 0.90
	minAbstention = 0.90
)

type evalCase struct {
	Q    string   `yaml:"q"`
	Kind string   `yaml:"kind"`
	Want string   `yaml:"want"`
	Gold []string `yaml:"gold"`
	All  bool     `yaml:"all"`
}

func loadEval(t testing.TB, file string) []evalCase {
	t.Helper()
	var doc struct {
		Questions []evalCase `yaml:"questions"`
	}
	decodeFile(t, file, &doc)
	return doc.Questions
}

func defaultIndex(t testing.TB) *index.Index {
	t.Helper()
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	return buildIndex(t, base)
}

// TestEval measures retrieval and answering on the evaluation set and fails
// when a figure falls below its floor.
func TestEval(t *testing.T) {
	cases := loadEval(t, "testdata/eval.yaml")
	if len(cases) < 60 {
		t.Fatalf("the evaluation set has %d questions, want at least 60", len(cases))
	}
	m := evaluate(t, cases)
	if m.recall < minRecallAt3 {
		t.Errorf("recall@3 %.3f below %.2f", m.recall, minRecallAt3)
	}
	if m.accuracy < minAccuracy {
		t.Errorf("answer accuracy %.3f below %.2f", m.accuracy, minAccuracy)
	}
	if m.abstention < minAbstention {
		t.Errorf("correct abstention %.3f below %.2f", m.abstention, minAbstention)
	}
}

// TestHoldout reports the figures on questions the policy was never tuned
// on. Its floor is lower: it exists to show the gap, and to fail if the
// mechanism collapses.
func TestHoldout(t *testing.T) {
	for _, file := range []string{"testdata/holdout.yaml", "testdata/holdout2.yaml"} {
		t.Run(file, func(t *testing.T) {
			m := evaluate(t, loadEval(t, file))
			if m.accuracy < 0.75 || m.abstention < 0.75 {
				t.Errorf("held-out accuracy %.3f, abstention %.3f: below 0.75", m.accuracy, m.abstention)
			}
		})
	}
}

type metrics struct{ recall, accuracy, abstention float64 }

func evaluate(t *testing.T, cases []evalCase) metrics {
	t.Helper()
	ix := defaultIndex(t)
	base := ix.Base()
	for _, c := range cases {
		for _, g := range c.Gold {
			if _, ok := base.Fact(g); !ok {
				t.Fatalf("%q: gold fact %s is not in the default knowledge base", c.Q, g)
			}
		}
	}
	eng := answer.NewEngine(ix, answer.Options{})
	ctx := context.Background()
	var answerable, recalled, accurate, unanswerable, abstained int
	byKind := map[string][2]int{}
	for _, c := range cases {
		res, err := ix.Search(ctx, c.Q, 3)
		if err != nil {
			t.Fatal(err)
		}
		a, err := eng.Ask(ctx, c.Q, nil)
		if err != nil {
			t.Fatalf("%q: %v", c.Q, err)
		}
		cited := make([]string, 0, len(a.Citations))
		for _, ct := range a.Citations {
			cited = append(cited, ct.FactID)
		}
		ok := false
		switch c.Want {
		case "answer":
			answerable++
			for _, h := range res.Hits {
				if slices.Contains(c.Gold, h.Fact.ID) {
					recalled++
					break
				}
			}
			ok = a.Answered && citesGold(cited, c.Gold, c.All)
			if ok {
				accurate++
			}
			if c.Kind == "advice" && (!a.Advice || !containsLine(a.Text, answer.NotAdvice)) {
				ok = false
				t.Errorf("%q: advice request answered without the not-advice line", c.Q)
			}
		case "abstain":
			unanswerable++
			ok = !a.Answered && len(a.Citations) == 0
			if ok {
				abstained++
			}
		default:
			t.Fatalf("%q: want %q, not answer or abstain", c.Q, c.Want)
		}
		k := byKind[c.Kind]
		k[1]++
		if ok {
			k[0]++
		} else {
			t.Logf("MISS [%s] %q: answered=%v cited=%v gold=%v\n    %s", c.Kind, c.Q, a.Answered, cited, c.Gold, a.Text)
		}
		byKind[c.Kind] = k
	}
	m := metrics{
		recall:     float64(recalled) / float64(answerable),
		accuracy:   float64(accurate) / float64(answerable),
		abstention: float64(abstained) / float64(unanswerable),
	}
	t.Logf("questions %d (answerable %d, unanswerable %d)", len(cases), answerable, unanswerable)
	t.Logf("recall@3 %.3f · answer accuracy %.3f · correct abstention %.3f", m.recall, m.accuracy, m.abstention)
	for _, k := range []string{"direct", "paraphrase", "typo", "multi", "conflict", "advice", "unanswerable", "adversarial"} {
		if v, ok := byKind[k]; ok {
			t.Logf("  %-13s %d/%d", k, v[0], v[1])
		}
	}
	return m
}

func citesGold(cited, gold []string, all bool) bool {
	n := 0
	for _, g := range gold {
		if slices.Contains(cited, g) {
			n++
		}
	}
	if all {
		return n == len(gold)
	}
	return n > 0
}

// peopleFigures is what TestPeople measures on one file of questions
// written blind.
type peopleFigures struct {
	answerable, answered int // want answer (meta included): answered with a gold fact cited
	recall1, withGold    int // the first hit is a gold fact
	abstain, abstained   int // near misses and unanswerable: not answered as if covered
	chat, quiet          int // everyday chatter: not answered
	byKind               map[string][2]int
}

func (f peopleFigures) rate(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// measurePeople runs every question of a file through the engine.
func measurePeople(t *testing.T, eng *answer.Engine, ix *index.Index, cases []evalCase) peopleFigures {
	t.Helper()
	ctx := context.Background()
	f := peopleFigures{byKind: map[string][2]int{}}
	for _, c := range cases {
		a, err := eng.Ask(ctx, c.Q, nil)
		if err != nil {
			t.Fatalf("%q: %v", c.Q, err)
		}
		var cited []string
		for _, ct := range a.Citations {
			cited = append(cited, ct.FactID)
		}
		ok := false
		switch {
		case c.Want == "answer":
			f.answerable++
			ok = a.Answered && (len(c.Gold) == 0 || citesGold(cited, c.Gold, c.All))
			if c.Kind == "advice" && ok && !containsLine(a.Text, answer.NotAdvice) {
				ok = false
			}
			if len(c.Gold) > 0 {
				f.withGold++
				res, err := ix.Search(ctx, c.Q, 10) // as the engine searches; ties past the limit are not ordered
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Hits) > 0 && slices.Contains(c.Gold, res.Hits[0].Fact.ID) {
					f.recall1++
				}
			}
			if ok {
				f.answered++
			}
		case c.Kind == "chat":
			f.chat++
			ok = !a.Answered
			if ok {
				f.quiet++
			}
		default:
			f.abstain++
			ok = !a.Answered && len(a.Citations) == 0
			if ok {
				f.abstained++
			}
		}
		k := f.byKind[c.Kind]
		k[1]++
		if ok {
			k[0]++
		} else {
			t.Logf("MISS [%s] %q: answered=%v cited=%v gold=%v\n    %s", c.Kind, c.Q, a.Answered, cited, c.Gold, strings.ReplaceAll(a.Text, "\n", " / "))
		}
		f.byKind[c.Kind] = k
	}
	t.Logf("answerable answered with a gold fact %d/%d (%.3f) · recall@1 %.3f · near misses and unanswerable not answered %d/%d (%.3f) · chat not answered %d/%d (%.3f)",
		f.answered, f.answerable, f.rate(f.answered, f.answerable), f.rate(f.recall1, f.withGold),
		f.abstained, f.abstain, f.rate(f.abstained, f.abstain), f.quiet, f.chat, f.rate(f.quiet, f.chat))
	kinds := make([]string, 0, len(f.byKind))
	for k := range f.byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		t.Logf("  %-13s %d/%d", k, f.byKind[k][0], f.byKind[k][1])
	}
	return f
}

// TestPeople measures the questions written blind by people who never saw
// the code (testdata/people; which writers are training and which holdout
// is in its README). The floors sit just below the lowest measured figures
// (docs/answering.md) so that a change that makes bytewatch worse at
// people's questions fails here.
func TestPeople(t *testing.T) {
	ix := defaultIndex(t)
	eng := answer.NewEngine(ix, answer.Options{})
	for _, file := range []string{"writer-a.yaml", "writer-b.yaml", "writer-c.yaml", "writer-d.yaml", "writer-f.yaml", "writer-g.yaml", "writer-i.yaml", "writer-j.yaml", "writer-l.yaml", "writer-q.yaml"} {
		t.Run(file, func(t *testing.T) {
			cases := loadEval(t, filepath.Join("testdata", "people", file))
			f := measurePeople(t, eng, ix, cases)
			if f.answerable < 100 || f.chat < 100 {
				t.Fatalf("%s: %d answerable questions and %d chat lines, want at least 100 of each", file, f.answerable, f.chat)
			}
			f.checkFloors(t)
		})
	}
}

// peopleFloors are what every file of TestPeople, and the second knowledge
// base, must reach.
var peopleFloors = struct{ answered, abstained, quiet float64 }{0.78, 0.78, 0.95}

// nearMissFloors are what the batches written to be hard to tell apart
// must reach.
var nearMissFloors = struct{ answered, abstained, quiet float64 }{0.90, 0.70, 0.75}

// checkFloors fails the test for each figure below its floor.
func (f peopleFigures) checkFloors(t *testing.T) { f.checkAgainst(t, peopleFloors) }

// checkAgainst fails the test for each figure below the given floor.
func (f peopleFigures) checkAgainst(t *testing.T, floors struct{ answered, abstained, quiet float64 }) {
	t.Helper()
	if got := f.rate(f.answered, f.answerable); got < floors.answered {
		t.Errorf("answered %.3f of the answerable questions, below %.2f", got, floors.answered)
	}
	if got := f.rate(f.abstained, f.abstain); got < floors.abstained {
		t.Errorf("refused %.3f of the unanswerable questions, below %.2f", got, floors.abstained)
	}
	if got := f.rate(f.quiet, f.chat); got < floors.quiet {
		t.Errorf("stayed quiet on %.3f of the chat lines, below %.2f", got, floors.quiet)
	}
}

// TestSecondKnowledgeBase answers the questions written for a fictional
// base about another company (knowledge/testdata/fictional) before any
// tuning on it, with nothing added to the vocabulary or the code for it:
// the mechanism must transfer. Its figures must stay near the main base's.
func TestSecondKnowledgeBase(t *testing.T) {
	ix, base := fictionalIndex(t)
	eng := answer.NewEngine(ix, answer.Options{})
	for _, file := range []string{"questions.yaml", "questions-e.yaml", "questions-h.yaml", "questions-k.yaml", "questions-m.yaml", "questions-r.yaml"} {
		t.Run(file, func(t *testing.T) {
			cases := loadEval(t, filepath.Join("testdata", "fictional", file))
			for _, c := range cases {
				for _, g := range c.Gold {
					if _, ok := base.Fact(g); !ok {
						t.Fatalf("%q: gold fact %s is not in the fictional base", c.Q, g)
					}
				}
			}
			f := measurePeople(t, eng, ix, cases)
			if f.answerable < 50 {
				t.Fatalf("%d answerable questions, want at least 50", f.answerable)
			}
			f.checkFloors(t)
		})
	}
	// Refusals speak for this base, not for ByteDance.
	a, err := eng.Ask(context.Background(), "who is the ceo's favourite footballer", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Answered || !strings.Contains(a.Text, base.About().Covers) || strings.Contains(a.Text, "ByteDance") {
		t.Errorf("refusal on the fictional base = %q; want its own covers line and no word of ByteDance", a.Text)
	}
}

// TestOtherBatches measures the blind batches of other shapes: N and O
// written to be hard to tell apart — near misses and unanswerable questions
// beside answerable ones worded close to them, and chat that names the
// topic in passing — on the main base and the fictional one, and P, heavy
// with Chinese and Cantonese, with fewer chat lines than TestPeople wants.
func TestOtherBatches(t *testing.T) {
	main := defaultIndex(t)
	fict, _ := fictionalIndex(t)
	type floors = struct{ answered, abstained, quiet float64 }
	for _, tt := range []struct {
		file   string
		ix     *index.Index
		floors floors
	}{
		{filepath.Join("testdata", "people", "writer-n.yaml"), main, nearMissFloors},
		{filepath.Join("testdata", "fictional", "questions-o.yaml"), fict, nearMissFloors},
		{filepath.Join("testdata", "people", "writer-p.yaml"), main, floors{0.80, 0.80, 0.80}},
		{filepath.Join("testdata", "fictional", "questions-s.yaml"), fict, peopleFloors},
	} {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			cases := loadEval(t, tt.file)
			f := measurePeople(t, answer.NewEngine(tt.ix, answer.Options{}), tt.ix, cases)
			if f.answerable < 20 || f.abstain < 20 || f.chat < 20 {
				t.Fatalf("%d answerable, %d to refuse, %d chat lines: want at least 20 of each", f.answerable, f.abstain, f.chat)
			}
			f.checkAgainst(t, tt.floors)
		})
	}
}
