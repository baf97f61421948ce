package commands

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/records"
)

// rowsOf lists the custom ids of msg's buttons, row by row.
func rowsOf(msg Message) [][]string {
	var out [][]string
	for _, c := range msg.Components {
		row, ok := c.(discordgo.ActionsRow)
		if !ok {
			continue
		}
		var ids []string
		for _, b := range row.Components {
			ids = append(ids, b.(discordgo.Button).CustomID)
		}
		out = append(out, ids)
	}
	return out
}

func TestAddFeedbackButtons(t *testing.T) {
	id := records.NewID()
	chartRow := discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{CustomID: ChartButtonPrefix + "c1"}}}
	fullRow := discordgo.ActionsRow{}
	for i := range 4 {
		fullRow.Components = append(fullRow.Components, discordgo.Button{CustomID: fmt.Sprint("other:", i)})
	}
	tests := []struct {
		name  string
		cites int
		rows  []discordgo.MessageComponent
		id    string
		want  string
	}{
		{"an answer citing facts", 2, nil, id, "[fb:up:ID fb:down:ID fb:src:ID]"},
		{"nothing cited: no Sources", 0, nil, id, "[fb:up:ID fb:down:ID]"},
		{"beside the Chart button, leaving room for a fifth", 2, []discordgo.MessageComponent{chartRow}, id, "[fb:up:ID fb:down:ID fb:src:ID chart:c1]"},
		{"a full row: a row of their own", 2, []discordgo.MessageComponent{fullRow}, id, "[other:0 other:1 other:2 other:3] [fb:up:ID fb:down:ID fb:src:ID]"},
		{"no record id: no buttons", 2, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := answer.Answer{Question: "q", Text: "t", Answered: tt.cites > 0, Citations: citations(tt.cites, "Reuters")}
			msgs := []Message{{Content: "first"}, {Content: "last", Components: append([]discordgo.MessageComponent(nil), tt.rows...)}}
			msgs = AddFeedbackButtons(msgs, tt.id, a)
			var rows []string
			for _, r := range rowsOf(msgs[1]) {
				rows = append(rows, fmt.Sprint(r))
			}
			got := strings.ReplaceAll(strings.Join(rows, " "), id, "ID")
			if got != tt.want {
				t.Errorf("rows %s, want %s", got, tt.want)
			}
			if len(msgs[0].Components) != 0 {
				t.Error("buttons on a message other than the last")
			}
			for _, m := range msgs {
				if err := m.Validate(); err != nil {
					t.Error(err)
				}
			}
			for _, r := range msgs[1].Components {
				if n := len(r.(discordgo.ActionsRow).Components); n > 5 {
					t.Errorf("a row of %d buttons (max 5)", n)
				}
			}
		})
	}
}

func TestRecordOutcome(t *testing.T) {
	closest := &answer.Answer{Closest: citations(1, "x")}
	tests := []struct {
		outcome string
		a       *answer.Answer
		want    string
	}{
		{ops.OutcomeAnswered, &answer.Answer{}, records.OutcomeAnswered},
		{ops.OutcomeFallback, &answer.Answer{}, records.OutcomeAnswered},
		{ops.OutcomeNotCovered, closest, records.OutcomeClosest},
		{ops.OutcomeNotCovered, &answer.Answer{}, records.OutcomeNotCovered},
		{ops.OutcomeNotCovered, nil, records.OutcomeNotCovered},
		{ops.OutcomeRateLimited, nil, records.OutcomeRefused},
		{ops.OutcomeInvalid, nil, records.OutcomeRefused},
		{ops.OutcomeError, nil, records.OutcomeError},
		{"something new", nil, records.OutcomeError},
	}
	for _, tt := range tests {
		if got := RecordOutcome(tt.outcome, tt.a); got != tt.want {
			t.Errorf("RecordOutcome(%q, %v) = %q, want %q", tt.outcome, tt.a != nil, got, tt.want)
		}
	}
	a := &answer.Answer{Mode: answer.ModeExtractive, IndexVersion: "v1", Citations: citations(2, "x")}
	q := QuestionRecord("id", ops.EntrySlash, "g", "c", "question", ops.OutcomeAnswered, a, 3*time.Millisecond)
	if q.Outcome != records.OutcomeAnswered || strings.Join(q.FactIDs, ",") != "fact-1,fact-2" || q.Mode != "extractive" || q.IndexVersion != "v1" || !q.HasText {
		t.Errorf("QuestionRecord = %+v", q)
	}
}

func TestRenderReportFitsDiscord(t *testing.T) {
	long := strings.Repeat("Why does the report of ByteDance's plans say so much? ", 20)
	rep := records.Report{Days: 7, Questions: 1000, Outcomes: map[string]int{records.OutcomeAnswered: 600, records.OutcomeClosest: 100, records.OutcomeNotCovered: 250, records.OutcomeRefused: 50},
		Up: 30, Down: 10, UpRate: 0.75, GapsWithoutText: 3}
	for i := range records.ReportTop {
		rep.Gaps = append(rep.Gaps, records.Gap{Question: fmt.Sprint(i, " ", long), Count: 20 - i, Variants: []string{long, long, long}})
		rep.Disliked = append(rep.Disliked, records.Disliked{QuestionID: records.NewID(), Question: long, Down: 5, Reasons: map[string]int{records.ReasonWrongFigure: 2, records.ReasonOther: 3},
			Texts: []string{strings.Repeat("x", 500), "*bold* @everyone"}, FactIDs: []string{"a-very-long-fact-id-number-one", "fact-two"}})
		rep.FactsUsed = append(rep.FactsUsed, records.FactCount{FactID: fmt.Sprint("fact-", i), Count: 100 - i})
	}
	for i := range 400 {
		rep.FactsNeverUsed = append(rep.FactsNeverUsed, fmt.Sprint("never-used-fact-", i))
	}
	msgs := RenderReport(rep)
	var text string
	for _, m := range msgs {
		if err := m.Validate(); err != nil {
			t.Error(err)
		}
		for _, e := range m.Embeds {
			text += e.Description + "\n"
			for _, f := range e.Fields {
				text += f.Name + ": " + f.Value + "\n"
			}
		}
	}
	for _, want := range []string{"**1000 questions** in the last 7 days.", "Answered 60% · closest facts 10% · not covered 25% · refused or failed 5%",
		"Votes: 30 👍 · 10 👎 (75% 👍)", "1. ×20 0 Why does", "…and 3 whose text is not kept", "Wrong figure ×2, Other ×3", "×100 `fact-0`", "400: `never-used-fact-0`", "more"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(text, "*bold*") {
		t.Error("a reason's text is not escaped")
	}
}

func TestRenderCitedFacts(t *testing.T) {
	base := knowledge.NewBase(
		[]knowledge.Source{{ID: "s1", Title: "FT report", Publisher: "Financial Times", Published: knowledge.Date{Year: 2025, Month: 1, Day: 5}, URL: "https://example.com/ft"}},
		[]knowledge.Fact{{ID: "f1", SourceID: "s1", Statement: "ByteDance plans $12bn of AI spending.", Attribution: "the Financial Times", AsOf: knowledge.Date{Year: 2025, Month: 1}}},
	)
	q := records.Question{Question: "How much?", HasText: true, FactIDs: []string{"f1", "gone"}, IndexVersion: "v1"}
	msgs := RenderCitedFacts(q, staticIndex{base})
	text := msgs[0].Embeds[0].Title + "\n" + msgs[0].Embeds[0].Description
	for _, want := range []string{"Sources: “How much?”", "**[1]** ByteDance plans $12bn of AI spending.", "— the Financial Times, as of January 2025",
		"*FT report* · Financial Times · 5 January 2025", "<https://example.com/ft>", "`f1`", "**[2]** `gone` is no longer in the knowledge base."} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	if m := RenderCitedFacts(records.Question{}, staticIndex{base}); !strings.Contains(m[0].Embeds[0].Description, "cites no facts") {
		t.Errorf("no facts: %+v", m[0].Embeds[0])
	}
}

// staticIndex is an IndexStatus over a fixed base.
type staticIndex struct{ b *knowledge.Base }

func (s staticIndex) Version() string       { return s.b.Version() }
func (s staticIndex) Base() *knowledge.Base { return s.b }
