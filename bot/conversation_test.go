package bot

import (
	"slices"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// TestTurns: what a conversation's messages say was asked.
func TestTurns(t *testing.T) {
	const self = "1"
	user := &discordgo.User{ID: "2"}
	otherBot := &discordgo.User{ID: "3", Bot: true}
	me := &discordgo.User{ID: self, Bot: true}
	answer := func(id, replyTo, title string) *discordgo.Message {
		return &discordgo.Message{ID: id, Author: me, MessageReference: &discordgo.MessageReference{MessageID: replyTo},
			Embeds: []*discordgo.MessageEmbed{{Title: title}}}
	}
	say := func(id, text string) *discordgo.Message {
		return &discordgo.Message{ID: id, Author: user, Content: text}
	}
	tests := []struct {
		name  string
		msgs  []*discordgo.Message
		limit int
		want  []string
	}{
		{name: "a question and its answer are one turn, as the answer understood it",
			msgs: []*discordgo.Message{say("10", "<@1> how much is ByteDance investing?"), answer("11", "10", "How much is ByteDance investing?"),
				say("12", "and Microsoft?"), answer("13", "12", "Answering: How much is Microsoft investing?")},
			limit: 10, want: []string{"How much is ByteDance investing?", "How much is Microsoft investing?"}},
		{name: "a question not answered yet stays, mentions removed",
			msgs:  []*discordgo.Message{say("10", "<@1> What is Doubao?")},
			limit: 10, want: []string{"What is Doubao?"}},
		{name: "escaped titles read as typed",
			msgs:  []*discordgo.Message{answer("11", "10", `What is \*Doubao\*?`)},
			limit: 10, want: []string{"What is *Doubao*?"}},
		{name: "other bots, the bot's notes and empty messages say nothing",
			msgs: []*discordgo.Message{{ID: "9", Author: otherBot, Content: "and Tencent?"}, {ID: "10", Author: me, Content: "Ask your follow-up questions here"},
				say("11", "  "), nil, {ID: "12"}},
			limit: 10, want: nil},
		{name: "the last turns only",
			msgs:  []*discordgo.Message{say("1", "one"), say("2", "two"), say("3", "three")},
			limit: 2, want: []string{"two", "three"}},
	}
	for _, tt := range tests {
		if got := turns(tt.msgs, self, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("%s: turns = %q, want %q", tt.name, got, tt.want)
		}
	}
}
