package knowledge

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// wantProblem is a problem a fixture must produce: where, and a phrase the
// message must contain.
type wantProblem struct {
	file string
	line int
	msg  string
}

func TestLoadReportsEveryProblem(t *testing.T) {
	tests := []struct {
		dir  string
		want []wantProblem
	}{
		{"unknown-field", []wantProblem{
			{"a.yaml", 5, `source: unknown field "author"`},
			{"a.yaml", 11, `fact: unknown field "source"`},
			{"a.yaml", 15, `figure: unknown field "currency"`},
		}},
		{"duplicate-fact-id", []wantProblem{
			{"a.yaml", 10, `duplicate fact id "shared-fact" (first used at a.yaml:6)`},
			{"b.yaml", 10, `duplicate fact id "shared-fact" (first used at a.yaml:6)`},
		}},
		{"duplicate-source-id", []wantProblem{
			{"b.yaml", 1, `duplicate source id "same-report" (first used at a.yaml:1)`},
		}},
		{"empty-statement", []wantProblem{
			{"a.yaml", 7, "fact: statement is empty"},
			{"a.yaml", 11, "fact: statement is empty"},
			{"a.yaml", 14, "fact: missing statement"},
		}},
		{"missing-fields", []wantProblem{
			{"a.yaml", 1, "source: missing title"},
			{"a.yaml", 1, "source: missing publisher"},
			{"a.yaml", 1, "source: missing published"},
			{"a.yaml", 3, "fact: missing id"},
			{"a.yaml", 3, "fact: missing attribution"},
			{"a.yaml", 3, "fact: missing as_of"},
			{"a.yaml", 5, "figure: missing amount"},
			{"a.yaml", 5, "figure: missing unit"},
		}},
		{"bad-date", []wantProblem{
			{"a.yaml", 4, `published: date "2025-13": month out of range`},
			{"a.yaml", 9, `as_of: date "January 2025": want YYYY, YYYY-MM or YYYY-MM-DD`},
			{"a.yaml", 13, `as_of: date "2025-02-30": no such day`},
		}},
		{"figure-not-in-statement", []wantProblem{
			{"a.yaml", 11, "figure $10 billion (data centre investment) does not appear in the statement"},
			{"a.yaml", 21, "figure 80 million users does not appear in the statement"},
		}},
		{"number-without-figure", []wantProblem{
			{"a.yaml", 7, `statement mentions "2024" but no figure gives it`},
			{"a.yaml", 14, `statement mentions "$12 billion" but no figure gives it`},
		}},
		{"not-yaml", []wantProblem{
			{"a.yaml", 4, "not valid YAML: did not find expected ',' or ']'"},
			{"b.yaml", 1, `not a knowledge file: want a mapping with id, title, publisher, published and facts, got "This is a plain text`},
			{"c.yaml", 1, "not a knowledge file: want a mapping with id, title, publisher, published and facts, got a list"},
		}},
		{"empty-file", []wantProblem{
			{"a.yaml", 0, "file is empty"},
			{"b.yaml", 0, "file is empty (only comments)"},
			{"c.yml", 0, "file is empty"},
		}},
		{"no-files", []wantProblem{
			{".", 0, "no knowledge files (*.yaml or *.yml) in the folder"},
		}},
		{"bad-values", []wantProblem{
			{"a.yaml", 1, `id: "Alpha_Report": want lower-case letters, digits and single hyphens`},
			{"a.yaml", 5, `url: "ftp://example.com/alpha": want an http or https address`},
			{"a.yaml", 9, `fact: field "statement" given twice (first at line 8)`},
			{"a.yaml", 12, `fact: entities: want a list, got "ByteDance"`},
			{"a.yaml", 13, `topics: "capex" listed twice`},
			{"a.yaml", 15, `amount: want a plain number like 10000000000, got "10 billion"`},
			{"a.yaml", 19, `qualifier: "roughly": want one of more than, up to, about, at least, less than`},
			{"a.yaml", 20, `fact: want a mapping of id, statement, attribution, as_of, entities, mentions, topics, questions, figures, updates, got "just a string"`},
			{"a.yaml", 23, "fact: attribution: aliases (*words) are not allowed"},
			{"a.yaml", 25, "entities: empty entry"},
		}},
		{"one-bad-file", []wantProblem{
			{"b.yaml", 6, "fact: missing as_of"},
		}},
		{"entity-spelling", []wantProblem{
			{"a.yaml", 16, `entity "Bytedance" is spelled "ByteDance" at a.yaml:10; use one spelling`},
		}},
		{"two-documents", []wantProblem{
			{"a.yaml", 10, "a second YAML document: put each source in a file of its own"},
		}},
		{"measure-near-miss", []wantProblem{
			{"a.yaml", 25, `measure "AI infrastructure spending" is not declared; the closest declared measure is "AI infrastructure investment"`},
		}},
		{"measure-alias", []wantProblem{
			{"a.yaml", 13, `measure "AI infrastructure spending" is an alias of "AI infrastructure investment" in base.yaml: write "AI infrastructure investment"`},
			{"base.yaml", 6, `measures: alias "chip purchases" of "chip spending" is already a measure`},
		}},
		{"unit-spelling", []wantProblem{
			{"a.yaml", 18, `unit "dollars": the knowledge writes this unit "USD"`},
			{"a.yaml", 33, `unit "user": the knowledge writes this unit "users"`},
			{"a.yaml", 35, `unit "%": the knowledge writes this unit "percent"`},
		}},
		{"period-form", []wantProblem{
			{"a.yaml", 13, `period "FY2025" is not a form the knowledge uses: write "FY ending 2025-MM" (the month the fiscal year ends), or "2025"`},
			{"a.yaml", 21, `period "2025Q1" is not a form the knowledge uses: write "Q1 2025"`},
			{"a.yaml", 24, `period "end of 2024" is not a form the knowledge uses: write "2024-12"`},
		}},
		{"advice-statement", []wantProblem{
			{"a.yaml", 7, `statement reads as investment advice ("is a strong buy")`},
			{"a.yaml", 15, `statement reads as investment advice ("price target")`},
		}},
		{"attribution-in-statement", []wantProblem{
			{"a.yaml", 7, `the attribution is written into it ("According to the Example Times")`},
		}},
		{"footnote-marker", []wantProblem{
			{"a.yaml", 7, `footnote marker "[3]"`},
			{"a.yaml", 13, `footnote marker "[1, 2]"`},
		}},
		{"yaml-colon", []wantProblem{
			{"a.yaml", 7, `mapping values are not allowed in this context (a value that contains ": " must be quoted`},
		}},
		{"updates-bad", []wantProblem{
			{"a.yaml", 23, `updates: no fact has the id "alpha-plan-9b"`},
			{"a.yaml", 28, "updates: a fact cannot update itself"},
			{"a.yaml", 33, "updates: alpha-plan-14b (a.yaml:12) is as of 2025-03, newer than this fact (2024-06)"},
			{"a.yaml", 38, "updates: the chain of updates from alpha-loop-a comes back to alpha-loop-a"},
			{"a.yaml", 43, "updates: the chain of updates from alpha-loop-b comes back to alpha-loop-b"},
			{"a.yaml", 48, `updates: "Alpha Plan": want lower-case letters`},
		}},
		{"yaml-tabs", []wantProblem{
			{"a.yaml", 7, "a tab in the indentation; YAML indents with spaces only"},
			{"a.yaml", 9, "a tab in the indentation; YAML indents with spaces only"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			base, err := Load(os.DirFS(filepath.Join("testdata", tt.dir)))
			if base != nil {
				t.Errorf("Load returned a Base despite problems; bad knowledge must never replace good")
			}
			checkProblems(t, err, tt.want)
		})
	}
}

func checkProblems(t *testing.T, err error, want []wantProblem) {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error = %v (%T), want a *LoadError", err, err)
	}
	if len(le.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(le.Problems), len(want), err)
	}
	for i := range min(len(le.Problems), len(want)) {
		got, w := le.Problems[i], want[i]
		if got.File != w.file || got.Line != w.line || !strings.Contains(got.Msg, w.msg) {
			t.Errorf("problem %d = %s\n            want %s:%d: …%s…", i, got, w.file, w.line, w.msg)
		}
	}
}

func TestLoadGoodFolder(t *testing.T) {
	base, err := Load(os.DirFS("testdata/good"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := len(base.Sources), 2; got != want {
		t.Fatalf("%d sources, want %d", got, want)
	}
	alpha, ok := base.Source("alpha-report")
	if !ok {
		t.Fatal("source alpha-report missing")
	}
	wantAlpha := Source{ID: "alpha-report", Title: "Alpha report", Publisher: "Example News",
		Published: Date{2025, 1, 15}, URL: "https://example.com/alpha", File: "a.yaml"}
	if !reflect.DeepEqual(alpha, wantAlpha) {
		t.Errorf("alpha source = %+v, want %+v", alpha, wantAlpha)
	}

	var ids []string
	for _, f := range base.Facts {
		ids = append(ids, f.ID)
	}
	if got, want := strings.Join(ids, " "), "alpha-capex alpha-owns-beta gamma-extension"; got != want {
		t.Errorf("facts in order %q, want %q (file order, then order within the file)", got, want)
	}

	capex, _ := base.Fact("alpha-capex")
	if want := "Alpha plans to invest more than $10 billion in data centres in 2025."; capex.Statement != want {
		t.Errorf("folded statement = %q, want whitespace collapsed to %q", capex.Statement, want)
	}
	if capex.SourceID != "alpha-report" || capex.Line != 8 || capex.AsOf != (Date{2025, 1, 0}) ||
		capex.Attribution != "unnamed media reports" {
		t.Errorf("alpha-capex = %+v", capex)
	}
	wantFigures := []Figure{
		{Amount: 10e9, Unit: "USD", Measure: "data centre investment", Period: "2025", Qualifier: "more than"},
		{Amount: 2025, Unit: "year"},
	}
	if len(capex.Figures) != len(wantFigures) {
		t.Fatalf("alpha-capex figures = %+v, want %+v", capex.Figures, wantFigures)
	}
	for i := range wantFigures {
		if capex.Figures[i] != wantFigures[i] {
			t.Errorf("alpha-capex figure %d = %+v, want %+v", i, capex.Figures[i], wantFigures[i])
		}
	}

	owns, _ := base.Fact("alpha-owns-beta")
	if strings.Join(owns.Entities, ",") != "Alpha,Beta" || owns.AsOf != (Date{Year: 2025}) {
		t.Errorf("alpha-owns-beta = %+v", owns)
	}
	ext, _ := base.Fact("gamma-extension")
	if ext.SourceID != "gamma-note" || len(ext.Figures) != 1 || ext.Figures[0] != (Figure{Amount: 75, Unit: "days"}) {
		t.Errorf("gamma-extension (from a .yml file, flow-style figure) = %+v", ext)
	}
}

func TestLoadDirNamesFilesUnderDir(t *testing.T) {
	dir := filepath.Join("testdata", "one-bad-file")
	_, err := LoadDir(dir)
	want := filepath.Join(dir, "b.yaml") + ":6: fact: missing as_of"
	if err == nil || err.Error() != want {
		t.Errorf("LoadDir error = %v, want %q", err, want)
	}
}

func TestLoadDirMissingFolder(t *testing.T) {
	_, err := LoadDir(filepath.Join(t.TempDir(), "nope"))
	var le *LoadError
	if !errors.As(err, &le) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error = %v, want a *LoadError that is fs.ErrNotExist", err)
	}
}

func TestLoadEmptyFS(t *testing.T) {
	_, err := Load(fstest.MapFS{})
	checkProblems(t, err, []wantProblem{{".", 0, "no knowledge files"}})
}

func TestLoadSkipsFoldersAndOtherFiles(t *testing.T) {
	good, err := os.ReadFile("testdata/good/b.yml")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"b.yml":            {Data: good},
		"notes.txt":        {Data: []byte("not knowledge")},
		".hidden.yaml":     {Data: []byte("{broken")},
		"sub/c.yaml":       {Data: []byte("{broken")},
		"folder.yaml/x.md": {Data: []byte("a folder named like a knowledge file")},
	}
	base, err := Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(base.Facts) != 1 {
		t.Errorf("%d facts, want only the 1 from b.yml", len(base.Facts))
	}
}

func TestLoadErrorFormat(t *testing.T) {
	err := &LoadError{Problems: []Problem{
		{File: "a.yaml", Line: 3, Msg: "first"},
		{File: "b.yaml", Msg: "whole file"},
		{Msg: "no file"},
	}}
	want := "a.yaml:3: first\nb.yaml: whole file\nno file"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestLoadYAMLSyntaxErrorLines(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
	}{
		// A parser error: the library reports it 0-based.
		{"flow sequence", "id: a\nfacts:\n  - id: [x\n    statement: y\n", 3},
		{"sequence in mapping", "id: a\ntitle: b\n- c\n", 3},
		// A scanner error: the library reports it 1-based.
		{"mapping in plain value", "id: a\ntitle: b: c\n", 2},
		// At the very end the line may point past the file.
		{"unclosed at end", "id: a\ntitle: [\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(fstest.MapFS{"k.yaml": {Data: []byte(tt.data)}})
			var le *LoadError
			if !errors.As(err, &le) || len(le.Problems) != 1 {
				t.Fatalf("error = %v, want one problem", err)
			}
			if p := le.Problems[0]; p.Line != tt.line || !strings.Contains(p.Msg, "not valid YAML") {
				t.Errorf("problem = %s, want line %d, not valid YAML", p, tt.line)
			}
		})
	}
}

func TestLineCount(t *testing.T) {
	tests := []struct {
		data string
		want int
	}{
		{"", 1},
		{"a", 1},
		{"a\n", 1},
		{"a\nb", 2},
		{"a\r\nb\r\n", 2},
		{"\r0", 2},
		{"a\u2028b\u0085c", 3},
	}
	for _, tt := range tests {
		if got := lineCount([]byte(tt.data)); got != tt.want {
			t.Errorf("lineCount(%q) = %d, want %d", tt.data, got, tt.want)
		}
	}
}

// TestLoadAmountForms checks which ways of writing an amount a moderator may
// use: any YAML number, but not text that merely looks like one.
func TestLoadAmountForms(t *testing.T) {
	tests := []struct {
		amount string
		want   float64
		bad    bool
	}{
		{amount: "75", want: 75},
		{amount: "75.0", want: 75},
		{amount: "7.5e1", want: 75},
		{amount: `"75"`, bad: true},
		{amount: "75 days", bad: true},
		{amount: ".nan", bad: true},
		{amount: ".inf", bad: true},
		{amount: "true", bad: true},
		{amount: "[75]", bad: true},
	}
	for _, tt := range tests {
		file := "id: s\ntitle: T\npublisher: P\npublished: 2025\nfacts:\n" +
			"  - id: f\n    statement: It took a 75-day extension.\n    attribution: a\n    as_of: 2025\n" +
			"    figures:\n      - amount: " + tt.amount + "\n        unit: days\n"
		base, err := Load(fstest.MapFS{"k.yaml": {Data: []byte(file)}})
		switch {
		case tt.bad:
			var le *LoadError
			if !errors.As(err, &le) || len(le.Problems) != 1 || le.Problems[0].Line != 11 ||
				!strings.Contains(le.Problems[0].Msg, "amount: want") {
				t.Errorf("amount %s: error = %v, want one problem about the amount at line 11", tt.amount, err)
			}
		case err != nil:
			t.Errorf("amount %s: %v", tt.amount, err)
		default:
			if f, _ := base.Fact("f"); len(f.Figures) != 1 || f.Figures[0].Amount != tt.want {
				t.Errorf("amount %s: figures %+v, want amount %g", tt.amount, f.Figures, tt.want)
			}
		}
	}
}

// TestLoadWarnings: what a moderator should look at but that does not stop
// a folder loading — a file in a subfolder, a new measure or unit — and
// the warnings that come with errors.
func TestLoadWarnings(t *testing.T) {
	tests := []struct {
		dir   string
		loads bool
		want  []wantProblem
	}{
		{"subfolder", true, []wantProblem{
			{"drafts/b.yaml", 0, "in a subfolder, so not loaded"},
		}},
		{"new-vocabulary", true, []wantProblem{
			{"a.yaml", 12, `unit "tokens" is not declared under units: in base.yaml`},
			{"a.yaml", 13, `measure "Alpha chatbot tokens per day" is not declared under measures: in base.yaml`},
		}},
		{"measure-near-miss", false, []wantProblem{
			{"a.yaml", 36, `measure "Alpha daily active users" is not declared under measures`},
		}},
		{"attribution-in-statement", false, []wantProblem{
			{"a.yaml", 11, `the attribution seems written into it (", the Example Times reported.")`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			base, err := Load(os.DirFS(filepath.Join("testdata", tt.dir)))
			var got []Problem
			var le *LoadError
			switch {
			case tt.loads && err != nil:
				t.Fatalf("Load: %v", err)
			case tt.loads:
				got = base.Warnings()
			case !errors.As(err, &le):
				t.Fatalf("err = %v, want a *LoadError", err)
			default:
				got = le.Warnings
			}
			if len(got) != len(tt.want) {
				t.Fatalf("warnings %v, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.File != w.file || g.Line != w.line || !strings.Contains(g.Msg, w.msg) || !g.Warning || !strings.Contains(g.String(), "warning: ") {
					t.Errorf("warning %d = %s\n            want %s:%d: warning: …%s…", i, g, w.file, w.line, w.msg)
				}
			}
		})
	}
}

// TestDefaultBaseDeclaresItsVocabulary: the built-in base declares every
// measure and unit its figures use, so it loads without a warning.
func TestDefaultBaseDeclaresItsVocabulary(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if w := b.Warnings(); len(w) > 0 {
		t.Errorf("warnings: %v", w)
	}
	d := b.Declared()
	if len(d.Measures) == 0 || len(d.Units) == 0 {
		t.Errorf("declared %+v", d)
	}
	if m, ok := b.ClosestMeasure("AI infrastructure capex"); !ok || m != "AI infrastructure investment" {
		t.Errorf("ClosestMeasure(near miss) = %q, %v", m, ok)
	}
	if m, ok := b.ClosestMeasure("AI infrastructure budget"); !ok || m != "AI infrastructure investment" {
		t.Errorf("ClosestMeasure = %q, %v", m, ok)
	}
	if m, ok := b.ClosestMeasure("Doubao daily active users"); ok {
		t.Errorf("ClosestMeasure(daily) = %q: daily and monthly users are different measures", m)
	}
}

func TestLoadUpdates(t *testing.T) {
	fsys := fstest.MapFS{"a.yaml": {Data: []byte(`id: alpha-report
title: Alpha report
publisher: Example News
published: 2025-03
facts:
  - id: alpha-plan-12b
    statement: Alpha plans to invest $12 billion in chips.
    attribution: Example News
    as_of: 2025-01
    figures:
      - {amount: 12000000000, unit: USD}
  - id: alpha-plan-14b
    statement: Alpha raised its plan to $14 billion.
    attribution: Example News
    as_of: 2025-03
    updates: alpha-plan-12b
    figures:
      - {amount: 14000000000, unit: USD}
`)}}
	b, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := b.Fact("alpha-plan-14b")
	if f.Updates != "alpha-plan-12b" {
		t.Errorf("updates = %q", f.Updates)
	}
	// The relation is part of what the base says.
	fsys["a.yaml"].Data = []byte(strings.Replace(string(fsys["a.yaml"].Data), "    updates: alpha-plan-12b\n", "", 1))
	b2, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if b.Version() == b2.Version() {
		t.Error("the version does not change with updates:")
	}
}
