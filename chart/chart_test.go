package chart_test

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/chart"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/golden")

var (
	baseOnce sync.Once
	fixture  *knowledge.Base
)

// base is the fixed knowledge of testdata/knowledge.
func base(t testing.TB) *knowledge.Base {
	t.Helper()
	baseOnce.Do(func() {
		b, err := knowledge.LoadDir("testdata/knowledge")
		if err != nil {
			panic(err)
		}
		fixture = b
	})
	return fixture
}

// answerCiting is an answer that cites the given facts, in order, as the
// engine would number them.
func answerCiting(t testing.TB, b *knowledge.Base, ids ...string) answer.Answer {
	t.Helper()
	a := answer.Answer{Question: "test", Answered: true, Mode: answer.ModeExtractive,
		IndexVersion: b.Version(), KnowledgeAsOf: b.LatestAsOf()}
	for i, id := range ids {
		f, ok := b.Fact(id)
		if !ok {
			t.Fatalf("no fact %q in the fixture", id)
		}
		s, _ := b.Source(f.SourceID)
		a.Citations = append(a.Citations, answer.Citation{N: i + 1, FactID: id, SourceID: f.SourceID,
			SourceTitle: s.Title, Attribution: f.Attribution, AsOf: f.AsOf, Text: f.Statement})
		a.Text += f.Statement + " [" + string(rune('1'+i)) + "] "
	}
	return a
}

func plan(t testing.TB, ids ...string) chart.Spec {
	t.Helper()
	b := base(t)
	spec, err := chart.Plan(answerCiting(t, b, ids...), b)
	if err != nil {
		t.Fatalf("Plan(%v): %v", ids, err)
	}
	return spec
}

func TestPlanComparesOneKindAndUnit(t *testing.T) {
	spec := plan(t, "acme-capex-2024", "globex-capex-fy2024", "initech-chip-budget", "acme-ceo")
	got := []string{}
	for _, b := range spec.Bars {
		got = append(got, b.Entity+" | "+b.Value+" | "+b.Period)
	}
	want := []string{
		"Acme | $40B | 2024",
		"Globex | $20B | FY to June 2024",
		"Initech | up to $7B | as of December 2024",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bars:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if spec.Subtitle != "US dollars" {
		t.Errorf("subtitle %q", spec.Subtitle)
	}
	// The footnote names only the facts drawn, with their [n].
	var lines []string
	for _, s := range spec.Sources {
		lines = append(lines, s.Line())
	}
	if len(lines) != 3 || lines[0] != "[1] Acme's annual report, as of February 2025 — Cloud capital spending survey" {
		t.Errorf("sources: %q", lines)
	}
	if spec.AsOf != base(t).LatestAsOf() {
		t.Errorf("as of %v, want the knowledge's %v", spec.AsOf, base(t).LatestAsOf())
	}
}

func TestPlanConflictingReportsSideBySide(t *testing.T) {
	spec := plan(t, "initech-capex-ft", "acme-capex-2024", "initech-capex-media")
	if len(spec.Bars) != 3 {
		t.Fatalf("%d bars, want 3", len(spec.Bars))
	}
	// The two Initech reports are moved together, each with its attribution.
	a, b := spec.Bars[0], spec.Bars[1]
	if !a.Conflict || !b.Conflict || a.Group != b.Group || a.Group == 0 {
		t.Fatalf("first two bars should be one conflict: %+v %+v", a, b)
	}
	if a.Attribution != "the Financial Times" || b.Attribution != "unnamed media reports" || b.Value != "more than $10B" {
		t.Errorf("conflict bars: %+v %+v", a, b)
	}
	if spec.Bars[2].Conflict {
		t.Errorf("Acme's figure is no conflict: %+v", spec.Bars[2])
	}
}

func TestPlanNothingComparable(t *testing.T) {
	b := base(t)
	for _, tc := range []struct {
		name string
		ids  []string
		why  string
	}{
		{"one figure", []string{"acme-capex-2024", "acme-ceo"}, "only one figure (Acme data centre spending: $40B)"},
		{"no figure", []string{"acme-ceo"}, "no amount"},
		{"money and users", []string{"acme-capex-2024", "globex-app-users"}, "not comparable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := chart.Plan(answerCiting(t, b, tc.ids...), b)
			var nc *chart.NotChartableError
			if !errors.As(err, &nc) || !errors.Is(err, chart.ErrNotChartable) || !strings.Contains(nc.Reason, tc.why) {
				t.Fatalf("Plan: %v, want not chartable (%s)", err, tc.why)
			}
			if chart.Chartable(answerCiting(t, b, tc.ids...), b) {
				t.Error("Chartable is true")
			}
		})
	}
	t.Run("not covered", func(t *testing.T) {
		if _, err := chart.Plan(answer.Answer{Text: "not covered", IndexVersion: b.Version()}, b); !errors.Is(err, chart.ErrNotChartable) {
			t.Fatalf("Plan: %v", err)
		}
	})
	t.Run("users with users", func(t *testing.T) {
		spec := plan(t, "acme-capex-2024", "acme-app-users", "globex-app-users")
		if len(spec.Bars) != 2 || spec.Bars[0].Value != "80M users" || spec.Subtitle != "users" || spec.Omitted != 1 {
			t.Fatalf("spec: %+v", spec)
		}
	})
	t.Run("another index generation", func(t *testing.T) {
		a := answerCiting(t, b, "acme-capex-2024", "globex-capex-fy2024")
		a.IndexVersion = "0123456789ab"
		if _, err := chart.Plan(a, b); !errors.Is(err, chart.ErrStale) {
			t.Fatalf("Plan: %v, want ErrStale", err)
		}
	})
}

type measured = chart.MeasuredBar

func findBars(t testing.TB, pngBytes []byte) (image.Image, []measured) {
	t.Helper()
	img, bars, err := chart.Measure(pngBytes)
	if err != nil {
		t.Fatal(err)
	}
	return img, bars
}

// checkRatios checks that bar heights are in the ratio of the amounts,
// within 2%.
func checkRatios(t *testing.T, spec chart.Spec, bars []measured) {
	t.Helper()
	if len(bars) != len(spec.Bars) {
		t.Fatalf("found %d bars in the picture, want %d (one per comparable figure)", len(bars), len(spec.Bars))
	}
	maxAmount, maxH := 0.0, 0
	for i, b := range spec.Bars {
		if b.Figure.Amount > maxAmount {
			maxAmount, maxH = b.Figure.Amount, bars[i].Height
		}
	}
	for i, b := range spec.Bars {
		want := b.Figure.Amount / maxAmount
		got := float64(bars[i].Height) / float64(maxH)
		if math.Abs(got-want) > 0.02*want {
			t.Errorf("bar %d (%s): height %d px is %.4f of the tallest, want %.4f (within 2%%)", i+1, b.Value, bars[i].Height, got, want)
		}
		wantColour := chart.BarColour
		if b.Conflict {
			wantColour = chart.ConflictBars
		}
		if bars[i].Colour != wantColour {
			t.Errorf("bar %d (%s) drawn in %v, want %v", i+1, b.Value, bars[i].Colour, wantColour)
		}
	}
}

func TestRenderBarsInTheRatioOfTheirValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []string
		opts chart.Options
	}{
		{"money", []string{"acme-capex-2024", "globex-capex-fy2024", "initech-chip-budget"}, chart.Options{}},
		{"conflict", []string{"initech-capex-ft", "initech-capex-media", "acme-capex-2024"}, chart.Options{}},
		{"users", []string{"acme-app-users", "globex-app-users"}, chart.Options{}},
		{"phone", []string{"acme-capex-2024", "globex-capex-fy2024", "initech-chip-budget"}, chart.Options{Width: 600, Height: 600}},
		{"large", []string{"initech-capex-ft", "initech-capex-media", "globex-capex-fy2024"}, chart.Options{Width: 2000, Height: 1120}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := plan(t, tc.ids...)
			pic, layout, err := chart.Render(spec, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			img, bars := findBars(t, pic)
			w, h := tc.opts.Width, tc.opts.Height
			if w == 0 {
				w, h = chart.DefaultWidth, chart.DefaultHeight
			}
			if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
				t.Errorf("picture is %v, want %d×%d", img.Bounds().Size(), w, h)
			}
			checkRatios(t, spec, bars)
			// What the picture shows is what was laid out, to the pixel.
			for i, b := range layout.Bars {
				if i < len(bars) && bars[i].Height != b.Y1-b.Y0 {
					t.Errorf("bar %d: %d px tall in the picture, %d laid out", i+1, bars[i].Height, b.Y1-b.Y0)
				}
			}
			// Every bar stands on the zero line.
			for i, b := range layout.Bars {
				if b.Y1 != layout.Baseline {
					t.Errorf("bar %d ends at row %d, the zero line is at %d", i+1, b.Y1, layout.Baseline)
				}
			}
			if err := chart.Check(spec, layout.Texts); err != nil {
				t.Error(err)
			}
			if n := len(pic); tc.opts.Width == 0 && n > 120<<10 {
				t.Errorf("PNG is %d KB", n>>10)
			}
		})
	}
}

func TestRenderConflictAsTwoBarsWithAttribution(t *testing.T) {
	spec := plan(t, "initech-capex-ft", "initech-capex-media")
	pic, layout, err := chart.Render(spec, chart.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, bars := findBars(t, pic)
	if len(bars) != 2 || bars[0].Colour != chart.ConflictBars || bars[1].Colour != chart.ConflictBars {
		t.Fatalf("want two conflict-coloured bars, found %+v", bars)
	}
	texts := map[string]bool{}
	for _, tx := range layout.Texts {
		texts[tx.Role+": "+tx.Text] = true
	}
	for _, want := range []string{"attribution: per the Financial Times", "attribution: per unnamed media reports",
		"value: $12B", "value: more than $10B", "bracket: reports differ", "period: 2025"} {
		if !texts[want] {
			t.Errorf("no %q on the picture; drawn: %v", want, layout.Texts)
		}
	}
}

func TestRenderShowsSourcesAsOfAndNoAdvice(t *testing.T) {
	spec := plan(t, "acme-capex-2024", "globex-capex-fy2024")
	_, layout, err := chart.Render(spec, chart.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, tx := range layout.Texts {
		all = append(all, tx.Role+": "+tx.Text)
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{
		"note: Knowledge as of February 2025 · Not investment advice",
		"source: [1] Acme's annual report, as of February 2025 — Cloud capital spending survey",
		"source: [2] Globex's annual report, as of 30 June 2024 — Cloud capital spending survey",
		"entity: Acme", "entity: Globex", "period: FY to June 2024", "cite: [2]", "value: $40B",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %q in:\n%s", want, joined)
		}
	}
}

// Every value, unit and period on the picture must come from a cited fact:
// a picture whose labels say anything else is refused.
func TestCheckRefusesWhatNoCitedFactSays(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(*chart.Spec)
		want   string
	}{
		{"another value", func(s *chart.Spec) { s.Bars[0].Value = "$41B" }, "no cited fact gives"},
		{"another unit", func(s *chart.Spec) { s.Bars[0].Value = "40B users" }, "no cited fact gives"},
		{"another currency", func(s *chart.Spec) { s.Bars[0].Value = "€40B" }, "no cited fact gives"},
		{"qualifier dropped", func(s *chart.Spec) { s.Bars[2].Value = "$7B" }, "without the source's"},
		{"another period", func(s *chart.Spec) { s.Bars[1].Period = "FY to June 2023" }, "no cited fact gives"},
		{"period moved", func(s *chart.Spec) { s.Bars[0].Period = "FY to June 2024" }, "period is"},
		{"amount drawn differs", func(s *chart.Spec) { s.Bars[0].Figure.Amount = 45e9 }, "does not give"},
		{"uncited fact", func(s *chart.Spec) { s.Bars[0].FactID = "acme-app-users" }, "not cited"},
		{"another entity", func(s *chart.Spec) { s.Bars[0].Entity = "Globex" }, "does not name"},
		{"source title with a figure", func(s *chart.Spec) { s.Sources[0].Title = "Top 500 companies" }, "no cited fact gives"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := plan(t, "acme-capex-2024", "globex-capex-fy2024", "initech-chip-budget")
			tc.tamper(&spec)
			_, _, err := chart.Render(spec, chart.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Render: %v, want an error saying %q", err, tc.want)
			}
		})
	}
	t.Run("attribution", func(t *testing.T) {
		spec := plan(t, "initech-capex-ft", "initech-capex-media")
		spec.Bars[0].Attribution = "Reuters"
		if _, _, err := chart.Render(spec, chart.Options{}); err == nil || !strings.Contains(err.Error(), "attributed") {
			t.Fatalf("Render: %v", err)
		}
	})
	t.Run("stray text", func(t *testing.T) {
		spec := plan(t, "acme-capex-2024", "globex-capex-fy2024")
		_, layout, err := chart.Render(spec, chart.Options{})
		if err != nil {
			t.Fatal(err)
		}
		texts := append(layout.Texts, chart.Text{Role: "note", Bar: -1, Text: "up 15% since 2023"})
		if err := chart.Check(spec, texts); err == nil || !strings.Contains(err.Error(), `"15%"`) || !strings.Contains(err.Error(), `"2023"`) {
			t.Fatalf("Check: %v", err)
		}
	})
}

// The labels drawn carry exactly the cited figures: parse every number on
// the picture and find it in a cited fact, independently of Check.
func TestEveryDrawnNumberIsACitedFigure(t *testing.T) {
	b := base(t)
	ids := []string{"initech-capex-ft", "acme-capex-2024", "initech-capex-media", "globex-capex-fy2024"}
	spec := plan(t, ids...)
	_, layout, err := chart.Render(spec, chart.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cited []figure.Value
	for _, id := range ids {
		f, _ := b.Fact(id)
		for _, g := range f.Figures {
			cited = append(cited, g.Value())
		}
		cited = append(cited, figure.Value{Kind: figure.Year, Amount: float64(f.AsOf.Year)})
	}
	for _, tx := range layout.Texts {
		for _, v := range figure.Parse(tx.Text) {
			if !figure.Contains(cited, v) {
				t.Errorf("%s %q shows %s, in no cited fact", tx.Role, tx.Text, v)
			}
		}
	}
}

func TestRenderSize(t *testing.T) {
	spec := plan(t, "acme-capex-2024", "globex-capex-fy2024")
	for _, o := range []chart.Options{{Width: 100, Height: 560}, {Width: 1000, Height: 10000}} {
		if _, _, err := chart.Render(spec, o); err == nil {
			t.Errorf("Render(%v) drew", o)
		}
	}
}

// Golden images: the pictures docs/charts.md shows, kept to catch layout
// regressions. Refresh them after an intended change with
//
//	go test ./chart -run TestGolden -update
//
// and look at them before committing.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []string
		opts chart.Options
	}{
		{"money", []string{"acme-capex-2024", "globex-capex-fy2024", "initech-chip-budget"}, chart.Options{}},
		{"conflict", []string{"initech-capex-ft", "initech-capex-media", "acme-capex-2024", "globex-capex-fy2024"}, chart.Options{}},
		{"users-phone", []string{"acme-app-users", "globex-app-users"}, chart.Options{Width: 600, Height: 600}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pic, _, err := chart.Render(plan(t, tc.ids...), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", tc.name+".png")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, pic, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./chart -run TestGolden -update)", err)
			}
			if d := pixelDiff(t, want, pic); d > 0.002 {
				t.Errorf("%s differs from the golden image in %.2f%% of its pixels; if intended, refresh with -update and look at it", path, 100*d)
			}
		})
	}
}

// pixelDiff is the share of pixels that differ visibly between two PNGs
// (1 when their sizes differ).
func pixelDiff(t *testing.T, a, b []byte) float64 {
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		return 1
	}
	diff := 0
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ca := color.RGBAModel.Convert(ia.At(x, y)).(color.RGBA)
			cb := color.RGBAModel.Convert(ib.At(x, y)).(color.RGBA)
			if absDiff(ca.R, cb.R) > 24 || absDiff(ca.G, cb.G) > 24 || absDiff(ca.B, cb.B) > 24 {
				diff++
			}
		}
	}
	return float64(diff) / float64(r.Dx()*r.Dy())
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestCharterCachesPerIndexVersionAndFacts(t *testing.T) {
	b := base(t)
	c := chart.NewCharter(4)
	a := answerCiting(t, b, "acme-capex-2024", "globex-capex-fy2024")
	p1, err := c.Chart(a, b, chart.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Question, a.Text = "another wording", "another text"
	p2, err := c.Chart(a, b, chart.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p1.Cached || !p2.Cached || !bytes.Equal(p1.PNG, p2.PNG) || c.Renders() != 1 {
		t.Fatalf("second chart of the same facts: cached %v→%v, renders %d", p1.Cached, p2.Cached, c.Renders())
	}
	if _, err := c.Chart(answerCiting(t, b, "globex-capex-fy2024", "acme-capex-2024"), b, chart.Options{}); err != nil || c.Renders() != 2 {
		t.Fatalf("another fact order: err %v, renders %d", err, c.Renders())
	}
	if _, err := c.Chart(a, b, chart.Options{Width: 800, Height: 450}); err != nil || c.Renders() != 3 {
		t.Fatalf("another size: err %v, renders %d", err, c.Renders())
	}
	id := c.Remember(p1.Spec)
	if got, ok := c.Recall(id); !ok || got.Key() != p1.Spec.Key() || len(id) != 16 {
		t.Fatalf("Recall(%q) = %v, %v", id, got.Key(), ok)
	}
	if _, ok := c.Recall("0000000000000000"); ok {
		t.Fatal("Recall of an unknown id succeeded")
	}
}

func TestIsComparison(t *testing.T) {
	for q, want := range map[string]bool{
		"compare bytedance ai spending with microsoft and alphabet": true,
		"ByteDance vs Microsoft capex":                              true,
		"How does ByteDance stack up against Alphabet?":             true,
		"bytedance versus alphabet":                                 true,
		"a comparison of AI budgets":                                true,
		"How much is ByteDance investing in AI?":                    false,
		"What is Doubao?":                                           false,
	} {
		if got := chart.IsComparison(q); got != want {
			t.Errorf("IsComparison(%q) = %v, want %v", q, got, want)
		}
	}
}

// BenchmarkRender draws a four-bar chart with a conflict, uncached: the
// cost of a chart the first time it is asked for.
func BenchmarkRender(b *testing.B) {
	spec := plan(b, "initech-capex-ft", "initech-capex-media", "acme-capex-2024", "globex-capex-fy2024")
	b.ReportAllocs()
	var size int
	var worst time.Duration
	for b.Loop() {
		start := time.Now()
		pic, _, err := chart.Render(spec, chart.Options{})
		if err != nil {
			b.Fatal(err)
		}
		worst = max(worst, time.Since(start))
		size = len(pic)
	}
	b.ReportMetric(float64(size)/1024, "KB/png")
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms")
}

// BenchmarkCharterCached is a chart asked for again.
func BenchmarkCharterCached(b *testing.B) {
	kb := base(b)
	c := chart.NewCharter(0)
	a := answerCiting(b, kb, "initech-capex-ft", "initech-capex-media", "acme-capex-2024", "globex-capex-fy2024")
	if _, err := c.Chart(a, kb, chart.Options{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Chart(a, kb, chart.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestValueLabelCurrencies: a money label writes the currency as figures
// do, and reads back as the same amount in the same currency.
func TestValueLabelCurrencies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		unit, want string
	}{{"USD", "$12B"}, {"EUR", "€12B"}, {"CNY", "RMB 12B"}, {"JPY", "JPY 12B"}} {
		g := knowledge.Figure{Amount: 12e9, Unit: tt.unit, Measure: "spending"}
		got := chart.ValueLabel(g)
		if got != tt.want {
			t.Errorf("%s: label %q, want %q", tt.unit, got, tt.want)
		}
		if vs := figure.Parse(got); len(vs) != 1 || vs[0].Currency != g.Value().Currency || vs[0].Amount != 12e9 {
			t.Errorf("%s: label %q reads back as %+v", tt.unit, got, vs)
		}
	}
}
