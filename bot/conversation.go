package bot

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/commands"
)

// Conversations: a message that replies to one of the bot's answers is
// read with the reply chain before it (up to its last MaxChain messages),
// and a message in a thread the bot opened (the Follow up button) with the
// thread's last turns; both go to answer.Engine.AskFollowUp, so a
// follow-up ("and Microsoft?") is answered as the stand-alone question it
// asks.

// Bounds on what a follow-up is read with.
const (
	// MaxChain is how many messages of a reply chain are read.
	MaxChain = 10
	// MaxThreadTurns is how many of a thread's questions are read.
	MaxThreadTurns = answer.MaxHistory
	// threadMessages is how many of a thread's last messages are fetched
	// to find its turns.
	threadMessages = 50
	// historyTimeout bounds reading a conversation; past it, the question
	// is answered with what was read.
	historyTimeout = 3 * time.Second
)

// FollowUpAnswerer answers a question in the context of earlier ones:
// *answer.Engine. An Answerer without it answers every question alone.
type FollowUpAnswerer interface {
	AskFollowUp(ctx context.Context, history []string, question string, onPartial func(string)) (answer.Answer, error)
}

// threadOf returns the thread m was posted in, from the session's state
// (READY, GUILD_CREATE and THREAD_CREATE keep it), or nil.
func threadOf(s *discordgo.Session, m *discordgo.Message) *discordgo.Channel {
	if s == nil || s.State == nil || m.GuildID == "" {
		return nil
	}
	ch, err := s.State.Channel(m.ChannelID)
	if err != nil || !ch.IsThread() {
		return nil
	}
	return ch
}

// inBotThread reports whether m is a message the bot answers because it
// was posted in a thread the bot opened: by anyone but a bot, of a kind
// people write.
func inBotThread(s *discordgo.Session, m *discordgo.Message, selfID string) bool {
	if m == nil || m.Author == nil || m.Author.Bot || m.WebhookID != "" || selfID == "" || m.Author.ID == selfID {
		return false
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return false
	}
	th := threadOf(s, m)
	return th != nil && th.OwnerID == selfID
}

// askInContext answers question, the text of m, in its conversation: the
// bot thread or reply chain it belongs to.
func (b *service) askInContext(ctx context.Context, m *discordgo.Message, trigger, question string) (answer.Answer, error) {
	fa, ok := b.opts.Answerer.(FollowUpAnswerer)
	if !ok {
		return b.opts.Answerer.Ask(ctx, question, nil)
	}
	history := b.history(ctx, m)
	if len(history) == 0 {
		return b.opts.Answerer.Ask(ctx, question, nil)
	}
	b.log.LogAttrs(ctx, slog.LevelDebug, "follow-up", slog.String("message_id", m.ID), slog.Int("turns", len(history)), slog.String("trigger", trigger))
	return fa.AskFollowUp(ctx, history, question, nil)
}

// history reads the conversation m continues, oldest question first: the
// thread's turns in a thread the bot opened, else the reply chain. A
// failure to read leaves the history short, never the question
// unanswered.
func (b *service) history(ctx context.Context, m *discordgo.Message) []string {
	selfID, _, _ := self(b.session)
	ctx, cancel := context.WithTimeout(ctx, historyTimeout)
	defer cancel()
	if th := threadOf(b.session, m); th != nil && th.OwnerID == selfID {
		return b.threadHistory(ctx, th, m, selfID)
	}
	if m.MessageReference == nil && m.ReferencedMessage == nil {
		return nil
	}
	return turns(b.chain(ctx, m), selfID, MaxChain)
}

// chain reads the reply chain before m, oldest first, at most MaxChain
// messages: the message m replies to, the one that replies to, and so on.
func (b *service) chain(ctx context.Context, m *discordgo.Message) []*discordgo.Message {
	var out []*discordgo.Message
	next := m.ReferencedMessage
	ref := m.MessageReference
	for len(out) < MaxChain {
		if next == nil {
			if ref == nil || ref.MessageID == "" {
				break
			}
			ch := ref.ChannelID
			if ch == "" {
				ch = m.ChannelID
			}
			got, err := b.rest.Message(ctx, ch, ref.MessageID)
			if err != nil {
				b.log.LogAttrs(ctx, slog.LevelDebug, "reply chain cut short", slog.String("message_id", ref.MessageID), slog.Any("error", err))
				break
			}
			next = got
		}
		if slices.ContainsFunc(out, func(x *discordgo.Message) bool { return x.ID == next.ID }) {
			break // a loop, which Discord does not make, ends the chain
		}
		out = append(out, next)
		ref, next = next.MessageReference, next.ReferencedMessage
	}
	slices.Reverse(out)
	return out
}

// threadHistory reads the turns of a thread the bot opened before m: the
// answer the thread was opened on, then the thread's messages.
func (b *service) threadHistory(ctx context.Context, th *discordgo.Channel, m *discordgo.Message, selfID string) []string {
	var msgs []*discordgo.Message
	if th.ParentID != "" {
		// A thread opened on a message has the message's ID.
		if start, err := b.rest.Message(ctx, th.ParentID, th.ID); err == nil {
			msgs = append(msgs, start)
		} else {
			b.log.LogAttrs(ctx, slog.LevelDebug, "thread's first message unread", slog.String("thread_id", th.ID), slog.Any("error", err))
		}
	}
	if len(msgs) == 0 && th.Name != "" {
		// The thread is named after the question.
		msgs = append(msgs, &discordgo.Message{ID: th.ID, Content: th.Name, Author: &discordgo.User{}})
	}
	list, err := b.rest.Messages(ctx, th.ID, threadMessages)
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelDebug, "thread unread", slog.String("thread_id", th.ID), slog.Any("error", err))
	}
	slices.Reverse(list)
	for _, x := range list {
		if x.ID != m.ID {
			msgs = append(msgs, x)
		}
	}
	return turns(msgs, selfID, MaxThreadTurns)
}

// turns are the questions of a conversation's messages, oldest first, at
// most limit of the last: a person's message, or the question the bot's
// answer answered (its title: the stand-alone question of a follow-up).
// A person's question the bot answered next is taken from the answer, which
// says what it was understood as.
func turns(msgs []*discordgo.Message, selfID string, limit int) []string {
	var out []string
	for i, m := range msgs {
		if m == nil || m.Author == nil {
			continue
		}
		if m.Author.ID == selfID {
			for _, e := range m.Embeds {
				if e != nil && e.Title != "" {
					out = append(out, commands.QuestionOfTitle(e.Title))
					break
				}
			}
			continue
		}
		if m.Author.Bot {
			continue
		}
		if i+1 < len(msgs) && answers(msgs[i+1], m, selfID) {
			continue
		}
		if q := commands.WithoutMentions(m.Content); q != "" {
			out = append(out, q)
		}
	}
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out
}

// answers reports whether a is the bot's answer to q.
func answers(a, q *discordgo.Message, selfID string) bool {
	if a == nil || a.Author == nil || a.Author.ID != selfID || len(a.Embeds) == 0 || a.Embeds[0] == nil || a.Embeds[0].Title == "" {
		return false
	}
	return a.MessageReference != nil && a.MessageReference.MessageID == q.ID
}
