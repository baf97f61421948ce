package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/records"
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
	received := time.Now()
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
	ctx, cancel := b.handlerContext()
	defer cancel()
	trigger := Classify(m, selfID, b.answerChannels(ctx, m))
	if trigger == NotForMe {
		return
	}
	b.answerMessage(ctx, m, trigger, received)
}

// answerChannels are the answer channels in force where m was posted: the
// server's own (/settings), or ANSWER_CHANNEL_IDS.
func (b *service) answerChannels(ctx context.Context, m *discordgo.Message) map[string]bool {
	if b.opts.Settings == nil || m == nil || m.GuildID == "" {
		return b.channels
	}
	out := map[string]bool{}
	for _, id := range b.opts.Settings.For(ctx, m.GuildID).AnswerChannelIDs {
		out[id] = true
	}
	return out
}

// entry is the metrics' name for where a message question came from:
// answer channels apart, everything addressed to the bot (mentions,
// replies, DMs) as a mention.
func (t Trigger) entry() string {
	if t == InAnswerChannel {
		return ops.EntryChannel
	}
	return ops.EntryMention
}

// answerMessage answers one message the bot was asked, logs one line and
// records the question's metrics. received is when the event arrived.
func (b *service) answerMessage(ctx context.Context, m *discordgo.Message, trigger Trigger, received time.Time) {
	var (
		outcome, reason string
		level           = slog.LevelInfo
		a               *answer.Answer
		firstResponse   time.Time // when the asker first saw something: a reply or a reaction
		shown           bool      // an answer was shown
		errAttr         error
	)
	responded := func(at time.Time) {
		if firstResponse.IsZero() && !at.IsZero() {
			firstResponse = at
		}
	}
	question := commands.WithoutMentions(m.Content) // the bot's mention and any other
	recordID := ""
	if b.opts.Records != nil {
		recordID = records.NewID()
	}
	defer func() {
		if p := recover(); p != nil {
			outcome, reason, level = ops.OutcomeError, "panic", slog.LevelError
			errAttr = fmt.Errorf("%w: %v", commands.ErrPanic, p)
			if trigger.Addressed() {
				responded(b.replyText(ctx, m, commands.UserMessage(commands.ErrPanic)))
			}
		}
		took := time.Since(received)
		attrs := []slog.Attr{
			slog.String("entry", trigger.entry()), slog.String("trigger", trigger.String()), slog.String("message_id", m.ID),
			slog.String("user_id", m.Author.ID), slog.String("guild_id", m.GuildID), slog.String("channel_id", m.ChannelID),
			slog.String("outcome", outcome),
		}
		if reason != "" {
			attrs = append(attrs, slog.String("reason", reason))
		}
		var wait time.Duration
		if !firstResponse.IsZero() {
			wait = firstResponse.Sub(received)
			attrs = append(attrs, slog.Float64("first_response_ms", msOf(wait)))
		}
		attrs = append(attrs, slog.Float64("took_ms", msOf(took)), slog.Int("question_chars", utf8.RuneCountInString(question)))
		attrs = append(attrs, commands.AnswerAttrs(a)...)
		if errAttr != nil {
			attrs = append(attrs, slog.Any("error", errAttr))
		}
		if recordID != "" {
			// After the reply, with the records' own deadline: a database
			// that is down or slow costs the record, never the answer.
			q := commands.QuestionRecord(recordID, trigger.entry(), m.GuildID, m.ChannelID, question, outcome, a, took)
			if err := b.opts.Records.Record(ctx, m.Author.ID, q); err != nil {
				attrs = append(attrs, slog.String("record", "dropped"))
			}
		}
		b.log.LogAttrs(ctx, level, "message question", attrs...)
		if !shown {
			took = 0
		}
		commands.RecordQuestion(b.opts.Metrics, trigger.entry(), outcome, a, wait, took)
	}()

	b.log.LogAttrs(ctx, slog.LevelDebug, "message question text", slog.String("message_id", m.ID), slog.String("question", commands.QuestionForLog(question)))
	if strings.TrimSpace(question) == "" {
		outcome, reason = ops.OutcomeInvalid, "empty"
		responded(b.replyText(ctx, m, "Ask me about ByteDance's AI plans, e.g. “How much is ByteDance investing in AI infrastructure?” — or use /ask."))
		return
	}
	if ok, _ := b.limiter.AllowIn(m.GuildID, m.Author.ID); !ok {
		outcome = ops.OutcomeRateLimited
		if err := b.rest.React(ctx, m.ChannelID, m.ID, RateLimitedReaction); err != nil {
			errAttr = err
		} else {
			responded(time.Now())
		}
		return
	}
	stopTyping := b.typing(ctx, m.ChannelID)
	defer stopTyping() // if Ask panics
	ans, err := b.opts.Answerer.Ask(ctx, question, nil)
	stopTyping()
	if err != nil {
		outcome, reason, errAttr = commands.QuestionOutcome("", err), commands.QuestionReason(err), err
		if !commands.IsUserError(err) {
			level = slog.LevelError
		}
		// A question too long to ask gets told so even in an answer
		// channel: it is a question (it was classified as one), and
		// silence would look like the bot is broken.
		// Nor is a question cut off by the shutdown or its deadline left
		// without a word.
		cutOff := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
		if trigger.Addressed() || outcome == ops.OutcomeInvalid || cutOff {
			responded(b.replyText(ctx, m, commands.UserMessage(err)))
		}
		return
	}
	a = &ans
	outcome = ans.Outcome()
	if !ans.Answered && !trigger.Addressed() {
		// An answer channel is for answers: stay quiet about what the
		// sources don't cover unless asked directly.
		reason = "silent"
		return
	}
	// The answer is ready; sending it gets its own deadline, so that a
	// question that used up its time (a slow LLM, then the fallback) is
	// still answered rather than dropped.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commands.DefaultCallTimeout)
	defer cancel()
	msgs, _ := b.charts.Decorate(ans, commands.RenderAnswer(ans))
	msgs = commands.AddFeedbackButtons(msgs, recordID, ans)
	first, err := b.reply(sendCtx, m, msgs)
	responded(first)
	if err != nil {
		outcome, reason, level, errAttr = ops.OutcomeError, "reply_failed", slog.LevelError, err
		return
	}
	shown = true
}

// msOf is d in milliseconds, to 0.1 ms.
func msOf(d time.Duration) float64 { return float64(d.Microseconds()/100) / 10 }

// reply posts msgs, the first as a reply to m; nobody is pinged, not even
// m's author. It returns when the first message was accepted (zero if none
// was).
func (b *service) reply(ctx context.Context, m *discordgo.Message, msgs []commands.Message) (time.Time, error) {
	var first time.Time
	for i, msg := range msgs {
		send := &discordgo.MessageSend{Content: msg.Content, Embeds: msg.Embeds, Files: msg.Files, Components: msg.Components}
		if i == 0 {
			fail := false
			send.Reference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: &fail}
		}
		if _, err := b.rest.Send(ctx, m.ChannelID, send); err != nil {
			return first, err
		}
		if i == 0 {
			first = time.Now()
		}
	}
	return first, nil
}

// replyText replies to m with a line of text, logging a failure, and
// returns when the reply was accepted (zero if it was not).
func (b *service) replyText(ctx context.Context, m *discordgo.Message, text string) time.Time {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commands.DefaultCallTimeout)
	defer cancel()
	at, err := b.reply(rctx, m, []commands.Message{{Content: commands.Truncate(text, commands.MaxContent)}})
	if err != nil {
		b.log.Warn("bot: could not reply", "message_id", m.ID, "error", err)
	}
	return at
}

// typingTimeout bounds one typing indicator request.
const typingTimeout = 2 * time.Second

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
			// Cosmetic, so briefly bounded: a rate-limited indicator must not
			// hold back the answer that stop waits to send.
			tctx, cancel := context.WithTimeout(ctx, typingTimeout)
			if err := b.rest.Typing(tctx, channelID); err != nil && ctx.Err() == nil {
				b.log.Debug("bot: typing indicator", "channel_id", channelID, "error", err)
			}
			cancel()
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
