package bot

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/commands"
)

// RateLimitedReaction is the reaction on a message the bot will not answer
// because its author is asking too fast.
const RateLimitedReaction = "⏳"

// typingEvery renews the typing indicator, which Discord shows for ten
// seconds.
const typingEvery = 8 * time.Second

// Trigger is why the bot answers a message.
type Trigger int

// The triggers. Every one but InAnswerChannel addresses the bot directly,
// so a question the sources don't cover is still answered ("not covered")
// instead of ignored.
const (
	NotForMe        Trigger = iota
	DirectMessage           // a DM to the bot
	Mention                 // the message mentions the bot
	ReplyToBot              // the message replies to one of the bot's
	InAnswerChannel         // a question in one of ANSWER_CHANNEL_IDS
)

func (t Trigger) String() string {
	return [...]string{"none", "dm", "mention", "reply", "answer_channel"}[t]
}

// Addressed reports whether the message spoke to the bot directly.
func (t Trigger) Addressed() bool { return t != NotForMe && t != InAnswerChannel }

// Classify decides whether and why the bot answers m. selfID is the bot's
// user id; answerChannels are the channels where any question is answered.
// Bots, webhooks and the bot itself are never answered.
func Classify(m *discordgo.Message, selfID string, answerChannels map[string]bool) Trigger {
	if m == nil || m.Author == nil || m.Author.Bot || m.WebhookID != "" || m.Author.ID == selfID || selfID == "" {
		return NotForMe
	}
	switch m.Type {
	case discordgo.MessageTypeDefault, discordgo.MessageTypeReply:
	default:
		return NotForMe // joins, pins, boosts, thread starts…
	}
	switch {
	case m.GuildID == "":
		return DirectMessage
	case mentions(m, selfID):
		return Mention
	case m.ReferencedMessage != nil && m.ReferencedMessage.Author != nil && m.ReferencedMessage.Author.ID == selfID:
		return ReplyToBot
	case answerChannels[m.ChannelID] && IsQuestion(commands.WithoutMentions(m.Content)):
		return InAnswerChannel
	}
	return NotForMe
}

// mentions reports whether m mentions the user selfID in its text. A reply
// that pings the bot lists it in Mentions too, but that is a reply, not a
// mention.
func mentions(m *discordgo.Message, selfID string) bool {
	return strings.Contains(m.Content, "<@"+selfID+">") || strings.Contains(m.Content, "<@!"+selfID+">")
}

// isQuestionWord reports whether w (lower case, apostrophes removed) starts
// a question.
func isQuestionWord(w string) bool {
	switch w {
	case "what", "whats", "when", "whens", "where", "wheres", "who", "whos", "whom", "whose", "which",
		"why", "whys", "how", "hows",
		"is", "isnt", "are", "arent", "was", "wasnt", "were", "do", "does", "doesnt", "did", "didnt",
		"can", "cant", "could", "will", "wont", "would", "should", "has", "hasnt", "have", "had",
		"may", "might", "shall",
		"tell", "explain", "compare", "describe", "summarise", "summarize":
		return true
	}
	return false
}

// leadingNoise is what may precede a question's first word: punctuation,
// quotes, list markers.
var leadingNoise = regexp.MustCompile(`^[^\p{L}\p{N}]+`)

// IsQuestion reports whether text reads as a question: it ends with a
// question mark, or starts with a question word ("how", "does", "tell", …).
// Answer channels answer only these, so chatter goes unanswered.
func IsQuestion(text string) bool {
	t := strings.TrimSpace(text)
	if t == "" {
		return false
	}
	if strings.HasSuffix(t, "?") || strings.HasSuffix(t, "？") {
		return len([]rune(strings.Trim(t, "?？ "))) > 1
	}
	t = leadingNoise.ReplaceAllString(t, "")
	first := strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' })
	if len(first) == 0 || len(strings.Fields(t)) < 2 {
		return false
	}
	w := strings.NewReplacer("'", "", "’", "").Replace(strings.ToLower(first[0]))
	return isQuestionWord(w)
}

// onMessage handles MESSAGE_CREATE, in its own goroutine.
func (b *service) onMessage(s *discordgo.Session, mc *discordgo.MessageCreate) {
	if !b.inflight.start() {
		return
	}
	defer b.inflight.done()
	defer b.recoverEvent("message")
	if mc == nil || mc.Message == nil || b.draining.Load() {
		return
	}
	m := mc.Message
	selfID, _, _ := self(s)
	trigger := Classify(m, selfID, b.channels)
	if trigger == NotForMe {
		return
	}
	ctx, cancel := b.handlerContext()
	defer cancel()
	b.answerMessage(ctx, m, trigger)
}

// answerMessage answers one message the bot was asked, and logs one line.
func (b *service) answerMessage(ctx context.Context, m *discordgo.Message, trigger Trigger) {
	start := time.Now()
	attrs := []slog.Attr{
		slog.String("trigger", trigger.String()), slog.String("message_id", m.ID),
		slog.String("user_id", m.Author.ID), slog.String("guild_id", m.GuildID), slog.String("channel_id", m.ChannelID),
	}
	outcome, level := "", slog.LevelInfo
	var a answer.Answer
	defer func() {
		if p := recover(); p != nil {
			outcome, level = "panic", slog.LevelError
			attrs = append(attrs, slog.Any("panic", p))
			if trigger.Addressed() {
				b.replyText(ctx, m, commands.UserMessage(commands.ErrPanic))
			}
		}
		attrs = append(attrs, slog.String("outcome", outcome), slog.Float64("took_ms", float64(time.Since(start).Microseconds()/100)/10))
		if a.IndexVersion != "" {
			attrs = append(attrs, slog.String("index_version", a.IndexVersion), slog.String("mode", string(a.Mode)),
				slog.Int("citations", len(a.Citations)))
		}
		b.log.LogAttrs(ctx, level, "message question", attrs...)
	}()

	question := commands.WithoutMentions(m.Content) // the bot's mention and any other
	b.log.LogAttrs(ctx, slog.LevelDebug, "message question text", slog.String("message_id", m.ID), slog.String("question", question))
	if question == "" {
		outcome = "empty"
		b.replyText(ctx, m, "Ask me about ByteDance's AI plans, e.g. “How much is ByteDance investing in AI infrastructure?” — or use /ask.")
		return
	}
	if ok, _ := b.limiter.Allow(m.Author.ID); !ok {
		outcome = "rate_limited"
		if err := b.rest.React(ctx, m.ChannelID, m.ID, RateLimitedReaction); err != nil {
			attrs = append(attrs, slog.Any("error", err))
		}
		return
	}
	stopTyping := b.typing(ctx, m.ChannelID)
	defer stopTyping() // if Ask panics
	var err error
	a, err = b.opts.Answerer.Ask(ctx, question, nil)
	stopTyping()
	switch {
	case err != nil:
		outcome = "error"
		if !commands.IsUserError(err) {
			level = slog.LevelError
		}
		attrs = append(attrs, slog.Any("error", err))
		if trigger.Addressed() {
			b.replyText(ctx, m, commands.UserMessage(err))
		}
		return
	case !a.Answered && !trigger.Addressed():
		// An answer channel is for answers: stay quiet about what the
		// sources don't cover unless asked directly.
		outcome = "not_covered_silent"
		return
	}
	outcome = a.Outcome()
	if err := b.reply(ctx, m, commands.RenderAnswer(a)); err != nil {
		outcome, level = "reply_failed", slog.LevelError
		attrs = append(attrs, slog.Any("error", err))
	}
}

// reply posts msgs, the first as a reply to m; nobody is pinged, not even
// m's author.
func (b *service) reply(ctx context.Context, m *discordgo.Message, msgs []commands.Message) error {
	for i, msg := range msgs {
		send := &discordgo.MessageSend{Content: msg.Content, Embeds: msg.Embeds}
		if i == 0 {
			fail := false
			send.Reference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: &fail}
		}
		if _, err := b.rest.Send(ctx, m.ChannelID, send); err != nil {
			return err
		}
	}
	return nil
}

// replyText replies to m with a line of text, logging a failure.
func (b *service) replyText(ctx context.Context, m *discordgo.Message, text string) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commands.DefaultCallTimeout)
	defer cancel()
	if err := b.reply(rctx, m, []commands.Message{{Content: commands.Truncate(text, commands.MaxContent)}}); err != nil {
		b.log.Warn("bot: could not reply", "message_id", m.ID, "error", err)
	}
}

// typing shows the typing indicator in channelID, renewing it, until the
// returned func is called (once or more). The first indicator is sent alongside the work
// and stop waits for it rather than cancelling it, so that it never lands
// after the reply (Discord would then show "typing…" under the answer).
func (b *service) typing(ctx context.Context, channelID string) (stop func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(typingEvery)
		defer t.Stop()
		for {
			if err := b.rest.Typing(ctx, channelID); err != nil && ctx.Err() == nil {
				b.log.Debug("bot: typing indicator", "channel_id", channelID, "error", err)
			}
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(quit) })
		<-done
	}
}
