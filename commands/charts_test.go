package commands_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/chart"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/knowledge"
)

type fixedIndex struct{ base *knowledge.Base }

func (f fixedIndex) Version() string       { return f.base.Version() }
func (f fixedIndex) Base() *knowledge.Base { return f.base }

func chartBase(t *testing.T) *knowledge.Base {
	t.Helper()
	b, err := knowledge.LoadDir("../chart/testdata/knowledge")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func citing(b *knowledge.Base, q string, ids ...string) answer.Answer {
	a := answer.Answer{Question: q, Answered: true, IndexVersion: b.Version(), KnowledgeAsOf: b.LatestAsOf(), Text: "text [1]"}
	for i, id := range ids {
		f, _ := b.Fact(id)
		a.Citations = append(a.Citations, answer.Citation{N: i + 1, FactID: id, Attribution: f.Attribution, AsOf: f.AsOf, Text: f.Statement})
	}
	return a
}

func TestDecorate(t *testing.T) {
	b := chartBase(t)
	charter := chart.NewCharter(0)
	c := commands.NewCharts(charter, fixedIndex{b})

	a := citing(b, "How much did Acme and Globex spend?", "acme-capex-2024", "globex-capex-fy2024")
	msgs, what := c.Decorate(a, commands.RenderAnswer(a))
	if what != "button" || len(msgs[0].Files) != 0 || len(msgs[len(msgs)-1].Components) != 1 {
		t.Fatalf("a chartable answer: %q, %+v", what, msgs)
	}
	btn := msgs[len(msgs)-1].Components[0].(discordgo.ActionsRow).Components[0].(discordgo.Button)
	spec, ok := charter.Recall(strings.TrimPrefix(btn.CustomID, commands.ChartButtonPrefix))
	if !ok || len(spec.Bars) != 2 || len(btn.CustomID) > 100 {
		t.Fatalf("button %q does not lead to the chart (%v)", btn.CustomID, ok)
	}

	a = citing(b, "Acme vs Globex: data centre spending", "acme-capex-2024", "globex-capex-fy2024")
	msgs, what = c.Decorate(a, commands.RenderAnswer(a))
	if what != "attached" || len(msgs[0].Files) != 1 || msgs[0].Embeds[len(msgs[0].Embeds)-1].Image.URL != "attachment://chart.png" || len(msgs[0].Components) != 0 {
		t.Fatalf("a comparison: %q, %+v", what, msgs[0])
	}
	for _, m := range msgs {
		if err := m.Validate(); err != nil {
			t.Error(err)
		}
	}

	for name, a := range map[string]answer.Answer{
		"one figure":  citing(b, "Acme vs Globex", "acme-capex-2024", "acme-ceo"),
		"not covered": {Question: "compare", Text: "not covered", IndexVersion: b.Version()},
		"stale": func() answer.Answer {
			a := citing(b, "compare", "acme-capex-2024", "globex-capex-fy2024")
			a.IndexVersion = "old"
			return a
		}(),
	} {
		msgs := commands.RenderAnswer(a)
		if got, what := c.Decorate(a, msgs); what != "" || len(got[0].Files)+len(got[len(got)-1].Components) != 0 {
			t.Errorf("%s: %q, %+v", name, what, got)
		}
	}
	var none *commands.Charts
	if _, what := none.Decorate(a, commands.RenderAnswer(a)); what != "" {
		t.Errorf("nil Charts decorated: %q", what)
	}
}

func TestValidateFiles(t *testing.T) {
	file := func() *discordgo.File { return &discordgo.File{Name: "a.png", Reader: bytes.NewReader([]byte("x"))} }
	if err := (commands.Message{Files: []*discordgo.File{file()}}).Validate(); err != nil {
		t.Errorf("a message of one file: %v", err)
	}
	many := commands.Message{Content: "x"}
	for range commands.MaxFiles + 1 {
		many.Files = append(many.Files, file())
	}
	if err := many.Validate(); err == nil || !strings.Contains(err.Error(), "files") {
		t.Errorf("11 files: %v", err)
	}
	if err := (commands.Message{Content: "x", Files: []*discordgo.File{{Name: "a.png"}}}).Validate(); err == nil {
		t.Error("a file without content passed")
	}
}
