package bot_test

import (
	"fmt"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// TestMessagePathAbuse checks the holes the message path had when it
// ordered its steps by hand: every reply on a person's behalf counts
// against their allowance, and what will not be answered uses none of it
// and shows no typing.
func TestMessagePathAbuse(t *testing.T) {
	t.Parallel()
	f := startBot(t, setup{})
	srv := f.srv
	const limit = 6 // RATE_LIMIT_PER_MINUTE's default

	// replied counts the bot's replies to ids, and the ⏳ reactions on them,
	// once every one of them has one or the other.
	settled := func(t *testing.T, channelID string, msgs []discordgo.Message) (replies, limited int) {
		t.Helper()
		for _, m := range msgs {
			f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": m.ID})
		}
		for _, m := range msgs {
			r := f.repliesTo(m.ID)
			l := 0
			for _, e := range srv.Reactions(channelID, m.ID) {
				if e == bot.RateLimitedReaction {
					l++
				}
			}
			if r+l != 1 {
				t.Errorf("message %s: %d replies and %d ⏳; want exactly one of them", m.ID, r, l)
			}
			replies += r
			limited += l
		}
		return replies, limited
	}

	tests := []struct {
		name    string
		user    string
		channel func(discordgo.Message) string
		spec    func(user string) discordtest.MessageSpec
	}{
		{"bare mentions", userID(101), func(discordgo.Message) string { return generalChannel },
			func(user string) discordtest.MessageSpec {
				return discordtest.MessageSpec{AuthorID: user, Content: srv.BotMention()}
			}},
		{"DMs of only an attachment", userID(102), func(m discordgo.Message) string { return m.ChannelID },
			func(user string) discordtest.MessageSpec {
				return discordtest.MessageSpec{AuthorID: user, DM: true, Attachments: []*discordgo.MessageAttachment{
					{ID: "900000000000000001", Filename: "chart.png", URL: "https://cdn.example/chart.png"}}}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name+" count against the limit", func(t *testing.T) {
			t.Parallel()
			var msgs []discordgo.Message
			for range 20 {
				msgs = append(msgs, srv.DispatchMessage(tc.spec(tc.user)))
			}
			replies, limited := settled(t, tc.channel(msgs[0]), msgs)
			if replies != limit || limited != 20-limit {
				t.Errorf("20 empty messages: %d replies, %d ⏳; want %d and %d", replies, limited, limit, 20-limit)
			}
		})
	}

	t.Run("answer-channel chatter uses no allowance and shows no typing", func(t *testing.T) {
		t.Parallel()
		user := userID(103)
		var chatter []discordgo.Message
		for i := range 2 * limit {
			chatter = append(chatter, srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, ChannelID: answerChannel,
				Content: fmt.Sprintf("%s (%d)", uncoveredQuestion, i)}))
		}
		for _, m := range chatter {
			f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": m.ID, "outcome": "not_covered", "reason": "silent"})
			if n := f.repliesTo(m.ID); n != 0 || len(srv.Reactions(answerChannel, m.ID)) != 0 {
				t.Errorf("chatter %s: %d replies, reactions %q; want silence", m.ID, n, srv.Reactions(answerChannel, m.ID))
			}
		}
		if n := len(srv.RequestsMatching("POST", "/channels/"+answerChannel+"/typing")); n != 0 {
			t.Errorf("%d typing indicators for questions that were not answered", n)
		}
		// Their first real question is answered, not ⏳.
		q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, ChannelID: answerChannel, Content: coveredQuestion})
		checkAnswerEmbed(t, f.replyTo(t, answerChannel, q.ID).Embeds[0], f.ix)
		if n := len(srv.RequestsMatching("POST", "/channels/"+answerChannel+"/typing")); n == 0 {
			t.Error("no typing indicator for the question that was answered")
		}
	})

	t.Run("a bare mention's hint counts against /ask too", func(t *testing.T) {
		t.Parallel()
		user := userID(104)
		var msgs []discordgo.Message
		for range limit {
			msgs = append(msgs, srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, Content: srv.BotMention()}))
		}
		if replies, _ := settled(t, generalChannel, msgs); replies != limit {
			t.Fatalf("%d hints; want %d", replies, limit)
		}
		cb := callback(t, f.ask(user, coveredQuestion, false))
		if cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("/ask after %d hints: callback type %d flags %d; want the private rate-limit notice", limit, cb.Type, cb.Data.Flags)
		}
	})
}
