package bot

import (
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestIsQuestion(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"How much is ByteDance investing in AI?", true},
		{"how much is bytedance investing in ai", true},
		{"What's Doubao", true},
		{"What’s Doubao", true},
		{"Does ByteDance make its own chips", true},
		{"is doubao bigger than chatgpt", true},
		{"Tell me about ByteDance's capex", true},
		{"  > why is that", true},
		{"what do you think about Seed", true},
		{"ByteDance spends a lot on AI?", true},
		{"字节跳动的投资？", true},
		{"lol", false},
		{"ByteDance spends a lot on AI.", false},
		{"I think ByteDance will win", false},
		{"This is great", false},
		{"what", false}, // one word is not a question
		{"?", false},
		{"??", false},
		{"", false},
		{"   ", false},
		{"https://example.com/why", false},
		{"whatever, see you", false},
		{"Howdy all", false},
	}
	for _, tt := range tests {
		if got := IsQuestion(tt.text); got != tt.want {
			t.Errorf("IsQuestion(%q) = %v; want %v", tt.text, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	const (
		self    = "900"
		guild   = "800"
		answers = "801"
		other   = "802"
	)
	channels := map[string]bool{answers: true}
	user := &discordgo.User{ID: "700", Username: "investor"}
	botMsg := &discordgo.Message{ID: "1", Author: &discordgo.User{ID: self, Bot: true}}
	msg := func(mod func(*discordgo.Message)) *discordgo.Message {
		m := &discordgo.Message{ID: "2", GuildID: guild, ChannelID: other, Author: user, Type: discordgo.MessageTypeDefault}
		mod(m)
		return m
	}
	tests := []struct {
		name string
		m    *discordgo.Message
		want Trigger
	}{
		{"chatter", msg(func(m *discordgo.Message) { m.Content = "hello all" }), NotForMe},
		{"question elsewhere", msg(func(m *discordgo.Message) { m.Content = "how big is Doubao?" }), NotForMe},
		{"mention", msg(func(m *discordgo.Message) { m.Content = "<@900> how big is Doubao" }), Mention},
		{"nickname mention", msg(func(m *discordgo.Message) { m.Content = "<@!900> hi" }), Mention},
		{"DM", msg(func(m *discordgo.Message) { m.GuildID, m.Content = "", "hello" }), DirectMessage},
		{"reply to the bot", msg(func(m *discordgo.Message) {
			m.Type, m.Content, m.ReferencedMessage = discordgo.MessageTypeReply, "and in 2024", botMsg
			m.Mentions = []*discordgo.User{botMsg.Author} // a pinging reply lists the bot too
		}), ReplyToBot},
		{"reply to someone else", msg(func(m *discordgo.Message) {
			m.Type, m.Content, m.ReferencedMessage = discordgo.MessageTypeReply, "and in 2024", &discordgo.Message{Author: user}
		}), NotForMe},
		{"question in an answer channel", msg(func(m *discordgo.Message) { m.ChannelID, m.Content = answers, "How much is ByteDance investing?" }), InAnswerChannel},
		{"statement in an answer channel", msg(func(m *discordgo.Message) { m.ChannelID, m.Content = answers, "ByteDance is big." }), NotForMe},
		{"mention in an answer channel", msg(func(m *discordgo.Message) { m.ChannelID, m.Content = answers, "<@900> ByteDance capex" }), Mention},
		{"another bot", msg(func(m *discordgo.Message) {
			m.Author = &discordgo.User{ID: "701", Bot: true}
			m.Content = "<@900> how much?"
		}), NotForMe},
		{"a webhook", msg(func(m *discordgo.Message) { m.WebhookID, m.Content = "55", "<@900> how much?" }), NotForMe},
		{"itself", msg(func(m *discordgo.Message) { m.Author, m.Content = &discordgo.User{ID: self}, "<@900> how much?" }), NotForMe},
		{"itself in a DM", msg(func(m *discordgo.Message) {
			m.Author, m.GuildID, m.Content = &discordgo.User{ID: self}, "", "how much?"
		}), NotForMe},
		{"system message", msg(func(m *discordgo.Message) { m.Type, m.Content = discordgo.MessageTypeGuildMemberJoin, "<@900>" }), NotForMe},
		{"no author", &discordgo.Message{Content: "<@900> hi"}, NotForMe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.m, self, channels); got != tt.want {
				t.Errorf("Classify = %v; want %v", got, tt.want)
			}
		})
	}
	if Classify(msg(func(m *discordgo.Message) { m.Content = "<@900> hi" }), "", channels) != NotForMe {
		t.Error("answered a message before knowing its own id")
	}
}

func TestInviteURL(t *testing.T) {
	got := InviteURL("123")
	want := "https://discord.com/oauth2/authorize?client_id=123&permissions=309237730368&scope=bot+applications.commands"
	if got != want {
		t.Errorf("InviteURL = %q; want %q", got, want)
	}
}
