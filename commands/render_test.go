package commands

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/knowledge"
)

func citations(n int, attribution string) []answer.Citation {
	out := make([]answer.Citation, n)
	for i := range out {
		out[i] = answer.Citation{
			N: i + 1, FactID: fmt.Sprintf("fact-%d", i+1), SourceTitle: "A report on ByteDance's AI plans",
			Attribution: attribution, AsOf: knowledge.Date{Year: 2025, Month: 1},
			Text: "ByteDance plans to invest more than $10 billion in AI infrastructure in 2025.",
		}
	}
	return out
}

// allEmbeds flattens the embeds of msgs.
func allEmbeds(msgs []Message) []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	for _, m := range msgs {
		out = append(out, m.Embeds...)
	}
	return out
}

func TestRenderAnswerFitsDiscordLimits(t *testing.T) {
	sentence := "ByteDance plans to invest more than $10 billion in AI infrastructure in 2025 [1]. "
	tests := []struct {
		name         string
		a            answer.Answer
		wantMessages int // 0: don't check
		wantEmbeds   int // 0: don't check
	}{
		{"short answer", answer.Answer{
			Question: "How much?", Text: "More than $10 billion [1].", Answered: true, Citations: citations(1, "the FT"),
		}, 1, 1},
		{"description just over 4096 splits into two embeds", answer.Answer{
			Question: "q", Text: strings.Repeat(sentence, 4097/len(sentence)+1), Answered: true, Citations: citations(2, "the FT"),
		}, 0, 2},
		{"text over 6000 needs a second message", answer.Answer{
			Question: "q", Text: strings.Repeat(sentence, 7000/len(sentence)+1), Answered: true, Citations: citations(3, "the FT"),
		}, 2, 0},
		{"very long text", answer.Answer{
			Question: strings.Repeat("why ", 200), Text: strings.Repeat(sentence, 800), Answered: true, Citations: citations(4, "the FT"),
		}, 0, 0},
		{"many citations overflow one field", answer.Answer{
			Question: "q", Text: "Lots [1].", Answered: true, Citations: citations(60, strings.Repeat("unnamed media reports ", 3)),
		}, 0, 0},
		{"an attribution longer than a field", answer.Answer{
			Question: "q", Text: "x [1].", Answered: true, Citations: citations(1, strings.Repeat("a", 2000)),
		}, 1, 1},
		{"a huge note", answer.Answer{
			Question: "q", Text: "x", Answered: true, Note: strings.Repeat("note ", 500), Citations: citations(1, "FT"),
		}, 1, 1},
		{"empty text", answer.Answer{Question: "q"}, 1, 1},
		{"unicode text counts characters", answer.Answer{
			Question: "q", Text: strings.Repeat("字节跳动计划投资。", 1000), Answered: true,
		}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := RenderAnswer(tt.a)
			if len(msgs) == 0 {
				t.Fatal("no messages")
			}
			for i, m := range msgs {
				if err := m.Validate(); err != nil {
					t.Errorf("message %d: %v", i, err)
				}
			}
			embeds := allEmbeds(msgs)
			if tt.wantMessages > 0 && len(msgs) != tt.wantMessages {
				t.Errorf("%d messages; want %d", len(msgs), tt.wantMessages)
			}
			if tt.wantEmbeds > 0 && len(embeds) != tt.wantEmbeds {
				t.Errorf("%d embeds; want %d", len(embeds), tt.wantEmbeds)
			}
			if embeds[0].Title == "" && tt.a.Question != "" {
				t.Error("the first embed has no title")
			}
			last := embeds[len(embeds)-1]
			if last.Footer == nil || !strings.HasPrefix(last.Footer.Text, "Not investment advice") {
				t.Errorf("the last embed's footer = %+v", last.Footer)
			}
			var desc, sources strings.Builder
			for i, e := range embeds {
				if i > 0 && e.Footer != nil && i != len(embeds)-1 {
					t.Errorf("embed %d has a footer; only the last should", i)
				}
				if e.Color != OutcomeColour(tt.a.Outcome()) {
					t.Errorf("embed %d colour %06x; want %06x", i, e.Color, OutcomeColour(tt.a.Outcome()))
				}
				desc.WriteString(e.Description + " ")
				for _, f := range e.Fields {
					if strings.HasPrefix(f.Name, "Sources") {
						sources.WriteString(f.Value + "\n")
					}
				}
			}
			// Pieces are cut at white space, or hard within a run without any.
			if tt.a.Text != "" && strings.Join(strings.Fields(desc.String()), "") != strings.Join(strings.Fields(tt.a.Text), "") {
				t.Error("the descriptions do not give back the answer's text")
			}
			for _, c := range tt.a.Citations {
				if !strings.Contains(sources.String(), fmt.Sprintf("[%d] ", c.N)) {
					t.Errorf("no source line for [%d]", c.N)
				}
			}
		})
	}
}

func TestRenderAnswerShowsOutcome(t *testing.T) {
	asOf := knowledge.Date{Year: 2025, Month: 1}
	tests := []struct {
		name   string
		a      answer.Answer
		colour int
	}{
		{"answered", answer.Answer{Answered: true, Text: "x [1]", Citations: citations(1, "the FT")}, ColourAnswered},
		{"not covered", answer.Answer{Answered: false, Text: "My sources don't cover that."}, ColourNotCovered},
		{"fallback", answer.Answer{Answered: true, Text: "x [1]", Verification: &answer.Verification{FellBack: true}, Note: answer.NoteUnverified}, ColourFallback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.IndexVersion, tt.a.KnowledgeAsOf = "abc123", asOf
			e := RenderAnswer(tt.a)[0].Embeds[0]
			if e.Color != tt.colour {
				t.Errorf("colour %06x; want %06x", e.Color, tt.colour)
			}
			if want := "Not investment advice · knowledge as of January 2025 · index abc123"; e.Footer == nil || e.Footer.Text != want {
				t.Errorf("footer = %+v; want %q", e.Footer, want)
			}
			if tt.a.Note != "" && (len(e.Fields) == 0 || e.Fields[0].Name != "Note") {
				t.Errorf("fields = %+v; want the note first", e.Fields)
			}
		})
	}
}

func TestSourceLine(t *testing.T) {
	c := answer.Citation{N: 2, Attribution: "the Financial Times", SourceTitle: "ByteDance presses on", AsOf: knowledge.Date{Year: 2025, Month: 1, Day: 5}}
	if got, want := SourceLine(c), "[2] the Financial Times — ByteDance presses on, as of 5 January 2025"; got != want {
		t.Errorf("SourceLine = %q; want %q", got, want)
	}
}

func TestRenderSourcesAndReports(t *testing.T) {
	msgs := RenderSources(strings.Repeat("q", 500), citations(40, "unnamed media reports"), "v1")
	for i, m := range msgs {
		if err := m.Validate(); err != nil {
			t.Errorf("sources message %d: %v", i, err)
		}
	}
	if got := allEmbeds(msgs)[0].Description; !strings.Contains(got, "`fact-1`") || !strings.Contains(got, "unnamed media reports") {
		t.Errorf("first sources embed = %q", got)
	}
	none := RenderSources("nothing", nil, "v1")
	if len(none) != 1 || !strings.Contains(none[0].Embeds[0].Description, "No fact") {
		t.Errorf("no-match rendering = %+v", none)
	}

	problems := make([]knowledge.Problem, 300)
	for i := range problems {
		problems[i] = knowledge.Problem{File: "data/x.yaml", Line: i + 1, Msg: strings.Repeat("bad ", 20)}
	}
	le := RenderLoadError(&knowledge.LoadError{Problems: problems}, "old1")
	for i, m := range le {
		if err := m.Validate(); err != nil {
			t.Errorf("load error message %d: %v", i, err)
		}
	}
	d := le[0].Embeds[0].Description
	if !strings.Contains(d, "data/x.yaml:1: bad") || !strings.Contains(d, "more") || !strings.Contains(d, "old1") {
		t.Errorf("load error description = %q", d)
	}
}

func TestIDList(t *testing.T) {
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = fmt.Sprintf("some-fact-id-%03d", i)
	}
	got := idList(ids, MaxFieldValue)
	if runes(got) > MaxFieldValue || !strings.HasSuffix(got, "more") || !strings.HasPrefix(got, "`some-fact-id-000`") {
		t.Errorf("idList = %q (%d characters)", got, runes(got))
	}
	if got := idList([]string{"a", "b"}, MaxFieldValue); got != "`a`, `b`" {
		t.Errorf("idList(a, b) = %q", got)
	}
}

func TestValidateCatchesOverLimit(t *testing.T) {
	bad := []Message{
		{Content: strings.Repeat("x", MaxContent+1)},
		{},
		{Embeds: make([]*discordgo.MessageEmbed, 11)},
		{Embeds: []*discordgo.MessageEmbed{{Description: strings.Repeat("x", 4000)}, {Description: strings.Repeat("x", 2001)}}},
		{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: "n", Value: strings.Repeat("x", 1025)}}}}},
	}
	for i, m := range bad {
		if m.Validate() == nil {
			t.Errorf("message %d passed Validate", i)
		}
	}
}
