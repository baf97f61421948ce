package ingest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/ingest"
)

const story = `ByteDance lifts chip budget

Published 2025-11-12

ByteDance will spend $9bn on AI chips next year, according to the Financial Times.

Doubao had 180 million monthly active users in October, the company said.
`

func defaultBase(t *testing.T) *knowledge.Base {
	t.Helper()
	b, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func draft(t *testing.T, text string, opt ingest.Options) (ingest.Result, *knowledge.Base) {
	t.Helper()
	res, err := ingest.Draft(context.Background(), strings.NewReader(text), opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := knowledge.Load(fstest.MapFS{"d.yaml": {Data: res.YAML}})
	if err != nil {
		t.Fatalf("draft does not load: %v\n%s", err, res.YAML)
	}
	return res, b
}

func TestDraftReadsTheStory(t *testing.T) {
	t.Parallel()
	res, b := draft(t, story, ingest.Options{Base: defaultBase(t)})
	if res.Facts != 2 || len(b.Facts) != 2 {
		t.Fatalf("%d facts, want 2:\n%s", res.Facts, res.YAML)
	}
	chips := b.Facts[0]
	if chips.Attribution != "the Financial Times" {
		t.Errorf("attribution %q, want the knowledge's name for the FT", chips.Attribution)
	}
	if chips.Statement != "ByteDance will spend $9bn on AI chips in 2026." {
		t.Errorf("statement %q", chips.Statement)
	}
	if users := b.Facts[1]; users.Attribution != "ByteDance" || users.Figures[0].Period != "2025-10" || users.Entities[0] != "Doubao" {
		t.Errorf("users fact %+v: want ByteDance's report of Doubao users in 2025-10", users)
	}
}

func TestDraftFlagsWinAndIDsAreStable(t *testing.T) {
	t.Parallel()
	opt := ingest.Options{Base: defaultBase(t), Title: "My title", Publisher: "My Wire", Published: "2025-12-01", URL: "https://example.com/a", ID: "my-wire-chips"}
	first, b := draft(t, story, opt)
	src := b.Sources[0]
	if src.Title != opt.Title || src.Publisher != opt.Publisher || src.Published.String() != opt.Published || src.URL != opt.URL || src.ID != opt.ID {
		t.Errorf("source %+v does not take the options %+v", src, opt)
	}
	// "next year" now resolves against the given date.
	if !strings.Contains(b.Facts[0].Statement, "in 2026") {
		t.Errorf("statement %q", b.Facts[0].Statement)
	}
	second, _ := draft(t, story, opt)
	if string(first.YAML) != string(second.YAML) {
		t.Error("two drafts of the same article differ")
	}
}

func TestDraftAvoidsTheKnowledgesIDs(t *testing.T) {
	t.Parallel()
	base := defaultBase(t)
	res, b := draft(t, story, ingest.Options{Base: base, Publisher: "Example"})
	existing, _ := knowledge.Load(fstest.MapFS{"first.yaml": {Data: res.YAML}})
	// A second article with the same sentences from another source gets
	// other fact ids.
	res2, b2 := draft(t, story, ingest.Options{Base: existing, Publisher: "Example", ID: "another-source"})
	for i := range b.Facts {
		if b.Facts[i].ID == b2.Facts[i].ID {
			t.Errorf("fact id %s used by both sources", b.Facts[i].ID)
		}
	}
	// The same source again keeps its ids: that is a re-ingest.
	_, b3 := draft(t, story, ingest.Options{Base: existing, Publisher: "Example"})
	for i := range b.Facts {
		if b.Facts[i].ID != b3.Facts[i].ID {
			t.Errorf("re-ingesting the same source changed fact id %s to %s", b.Facts[i].ID, b3.Facts[i].ID)
		}
	}
	if res2.ID != "another-source" || res.ID == res2.ID {
		t.Errorf("source ids %s and %s", res.ID, res2.ID)
	}
}

func TestDraftRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		opt  ingest.Options
		want error
		msg  string
	}{
		{"no date", "A headline\n\nByteDance will spend $9bn on AI chips next year, people said.\n", ingest.Options{}, ingest.ErrNoDate, ""},
		{"only boilerplate", "Headline\n\nPublished 2025-01-02\n\nWe use cookies to improve your experience.\n\nSubscribe to our newsletter.\n", ingest.Options{}, ingest.ErrNoFacts, ""},
		{"bad format", story, ingest.Options{Format: "pdf"}, nil, "unknown format"},
		{"bad id", story, ingest.Options{ID: "Not A Slug"}, nil, "--id"},
		{"bad date", story, ingest.Options{Published: "12/11/2025"}, nil, "--published"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingest.Draft(context.Background(), strings.NewReader(tt.text), tt.opt)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err %v, want %v %q", err, tt.want, tt.msg)
			}
		})
	}
}

// restater replies from a table, by statement.
type restater map[string]string

func (r restater) Restate(_ context.Context, s string) (string, error) {
	got, ok := r[s]
	if !ok {
		return "", errors.New("server down")
	}
	return got, nil
}

func TestRestatementsAreCheckedAgainstTheSentence(t *testing.T) {
	t.Parallel()
	const chips = "ByteDance will spend $9bn on AI chips in 2026."
	const users = "Doubao had 180 million monthly active users in October 2025."
	tests := []struct {
		name      string
		reply     string
		kept      bool
		wantInYML string
	}{
		{"faithful", "In 2026 ByteDance plans to spend $9 billion on AI chips.", true, "restated by the LLM"},
		{"other figure", "ByteDance will spend $19bn on AI chips in 2026.", false, `"$9bn" is missing or changed`},
		{"extra figure", "ByteDance will spend $9bn on 500 AI chips in 2026.", false, "figures instead of"},
		{"other date", "ByteDance will spend $9bn on AI chips in 2027.", false, "2026"},
		{"name added", "ByteDance will spend $9bn on Nvidia AI chips in 2026.", false, "Nvidia is not in the sentence"},
		{"name dropped", "The company will spend $9bn on AI chips in 2026.", false, "ByteDance is missing"},
		{"attribution written in", "ByteDance will spend $9bn on AI chips in 2026, the Financial Times reported.", false, "attribution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, b := draft(t, story, ingest.Options{Base: defaultBase(t), Restater: restater{chips: tt.reply}})
			got := b.Facts[0].Statement
			if tt.kept && got != tt.reply || !tt.kept && got != chips {
				t.Errorf("statement %q (kept restatement: %v)", got, tt.kept)
			}
			if !strings.Contains(string(res.YAML), tt.wantInYML) {
				t.Errorf("the draft does not say %q:\n%s", tt.wantInYML, res.YAML)
			}
			// The other fact's restater failed: its sentence stays, with a note.
			if b.Facts[1].Statement != users || !strings.Contains(string(res.YAML), "could not restate") {
				t.Errorf("failed restatement: statement %q\n%s", b.Facts[1].Statement, res.YAML)
			}
		})
	}
}

func TestRestaterStopsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ingest.Draft(ctx, strings.NewReader(story), ingest.Options{Restater: restater{}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestLLMRestater(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t, llmtest.Reply("In 2026 ByteDance plans to spend $9 billion on AI chips."))
	c, err := llm.New(llm.Config{BaseURL: srv.URL, Model: llmtest.DefaultModel, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, b := draft(t, story, ingest.Options{Base: defaultBase(t), Restater: ingest.LLMRestater{Client: c}})
	if got := b.Facts[0].Statement; got != "In 2026 ByteDance plans to spend $9 billion on AI chips." {
		t.Errorf("statement %q, want the model's restatement", got)
	}
	// The same reply for the users fact changes everything: dropped.
	if got := b.Facts[1].Statement; !strings.HasPrefix(got, "Doubao had 180 million") {
		t.Errorf("statement %q, want the sentence", got)
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 2 || !strings.Contains(reqs[0].Chat.LastUser(), "ByteDance will spend $9bn") {
		t.Errorf("requests %+v", reqs)
	}
}

// TestDraftPointsAtReportsItMayUpdate: a figure of a measure and period the
// knowledge already reports, with another amount, gets a note naming the
// earlier fact, for the moderator to add updates: or leave both.
func TestDraftPointsAtReportsItMayUpdate(t *testing.T) {
	t.Parallel()
	const article = `ByteDance lifts AI infrastructure investment

Published 2025-06-20

ByteDance's AI infrastructure investment will reach $14 billion in 2025, according to the Financial Times.
`
	res, _ := draft(t, article, ingest.Options{Base: defaultBase(t)})
	var hints []string
	for _, n := range res.Notes {
		if strings.Contains(n, "if this report revises it") {
			hints = append(hints, n)
		}
	}
	// The built-in base reports that measure for 2025 twice: $12bn (FT) and
	// more than $10bn (unnamed reports).
	if len(hints) != 2 || !strings.Contains(strings.Join(hints, "\n"), `updates: ft-ai-infra-12b`) {
		t.Errorf("notes %q: want hints at ft-ai-infra-12b and ai-infra-over-10b", res.Notes)
	}
}

// TestWrappedLinesAreOneSentence: a sentence wrapped over lines in the
// source (HTML, or a Markdown paragraph) is one sentence; <br> breaks one.
func TestWrappedLinesAreOneSentence(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, format, text string }{
		{"html", "html", "<html><head><meta name=\"pubdate\" content=\"2025-06-01\"></head><body><p>ByteDance will spend\n$9bn on AI chips\nnext year, people said.</p><p>Doubao had 5mn users in May.<br>It is popular.</p></body></html>"},
		{"markdown", "markdown", "# T\n\n2025-06-01\n\nByteDance will spend\n$9bn on AI chips\nnext year, people said.\n\nDoubao had 5mn users in May.  \nIt is popular.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, b := draft(t, tt.text, ingest.Options{Base: defaultBase(t), Format: tt.format})
			if len(b.Facts) < 2 || b.Facts[0].Statement != "ByteDance will spend $9bn on AI chips in 2026." || b.Facts[1].Statement != "Doubao had 5mn users in May 2025." {
				t.Errorf("facts %+v", b.Facts)
			}
		})
	}
}

// TestBulletPointsWithoutFullStops: a list item with a figure is a claim
// even without its full stop; one without a figure (a link, a label) is not.
func TestBulletPointsWithoutFullStops(t *testing.T) {
	t.Parallel()
	const md = "# Notes\n\n2025-06-01\n\n- Doubao reached 75 million monthly active users in May\n- Read the full report on our website\n- ByteDance plans to hire 4,000 engineers next year\n"
	_, b := draft(t, md, ingest.Options{Base: defaultBase(t)})
	var got []string
	for _, f := range b.Facts {
		got = append(got, f.Statement)
	}
	want := []string{"Doubao reached 75 million monthly active users in May 2025.", "ByteDance plans to hire 4,000 engineers in 2026."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("facts %q, want %q", got, want)
	}
}
