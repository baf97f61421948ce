package commands_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/commands"
)

func TestFollowUpButton(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("How much is ByteDance investing in AI infrastructure in 2025 compared with 2024? ", 3)
	tests := []struct {
		name   string
		a      answer.Answer
		rows   []discordgo.MessageComponent // the message's rows before
		wantID string
		inRow  int // the row the button lands in
	}{
		{name: "a question", a: answer.Answer{Question: "What is Doubao?"}, wantID: "followup:What is Doubao?"},
		{name: "a follow-up: the question it answered", a: answer.Answer{Question: "and Cici?", Standalone: "What is Cici?"}, wantID: "followup:What is Cici?"},
		{name: "beside the Chart button", a: answer.Answer{Question: "q?"},
			rows:   []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "Chart", CustomID: "chart:1"}}}},
			wantID: "followup:q?"},
		{name: "a full row: a new one", a: answer.Answer{Question: "q?"},
			rows: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{CustomID: "a"}, discordgo.Button{CustomID: "b"}, discordgo.Button{CustomID: "c"}, discordgo.Button{CustomID: "d"}, discordgo.Button{CustomID: "e"}}}},
			wantID: "followup:q?", inRow: 1},
	}
	for _, tt := range tests {
		msgs := commands.WithFollowUp([]commands.Message{{Content: "x"}, {Content: "y", Components: tt.rows}}, tt.a)
		if len(msgs[0].Components) != 0 {
			t.Errorf("%s: the button is on the first of two messages", tt.name)
		}
		rows := msgs[1].Components
		if tt.inRow >= len(rows) {
			t.Fatalf("%s: %d rows", tt.name, len(rows))
		}
		row := rows[tt.inRow].(discordgo.ActionsRow)
		b := row.Components[len(row.Components)-1].(discordgo.Button)
		if b.CustomID != tt.wantID || b.Label != "Follow up" {
			t.Errorf("%s: button %+v, want id %q", tt.name, b, tt.wantID)
		}
		if err := msgs[1].Validate(); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	// A long question is cut to Discord's 100 characters, on a letter.
	b := commands.FollowUpButton(answer.Answer{Question: long + "豆包"})
	if len(b.CustomID) > 100 || !utf8.ValidString(b.CustomID) || !strings.HasSuffix(b.CustomID, "…") {
		t.Errorf("long id %q (%d bytes)", b.CustomID, len(b.CustomID))
	}
	if n := utf8.RuneCountInString(commands.ThreadName(long)); n > 100 {
		t.Errorf("thread name of %d characters", n)
	}
	if got := commands.ThreadName("  What is\nDoubao? "); got != "What is Doubao?" {
		t.Errorf("ThreadName = %q", got)
	}
	if got := commands.AnswerTitle(answer.Answer{Question: "and Cici?", Standalone: "What is Cici?"}); got != "Answering: What is Cici?" {
		t.Errorf("AnswerTitle = %q", got)
	}
	if got := commands.QuestionOfTitle(commands.EscapeMarkdown("Answering: What is *Doubao*_?")); got != "What is *Doubao*_?" {
		t.Errorf("QuestionOfTitle = %q", got)
	}
}
