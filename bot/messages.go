package bot

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/records"
)

// RateLimitedReaction is the reaction on a message the bot will not answer
// because its author is asking too fast.
const RateLimitedReaction = commands.RateLimitedReaction

// bareMentionHint answers a message that addresses the bot but asks
// nothing, in the words of the knowledge it answers from.
func bareMentionHint(idx commands.IndexStatus) string {
	var about knowledge.About
	if idx != nil {
		about = idx.Base().About()
	}
	switch {
	case about.Covers != "" && about.MainQuestion != "":
		return fmt.Sprintf("Ask me about %s, e.g. “%s” — or use /ask.", about.Covers, about.MainQuestion)
	case about.Covers != "":
		return fmt.Sprintf("Ask me about %s — or use /ask.", about.Covers)
	}
	return "Ask me a question about what my sources cover — or use /ask."
}

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
	InBotThread             // any message in a thread the bot opened (conversation.go)
)

func (t Trigger) String() string {
	return [...]string{"none", "dm", "mention", "reply", "answer_channel", "bot_thread"}[t]
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
	if trigger == NotForMe && inBotThread(s, m, selfID) {
		trigger = InBotThread
	}
	if trigger == NotForMe {
		return
	}
	b.handleMessage(ctx, m, trigger, received)
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

// messageChain is the path of a message question: the commands'
// middleware in the order slash commands keep — log, record, recover, then
// QuestionSteps (decide, rate limit, typing) — and the answer. Every reply
// on the asker's behalf, the hint for a bare mention included, comes after
// the rate limit, and an answer channel's question the sources don't cover
// is decided before it uses any allowance or shows typing.
func (b *service) messageChain() commands.Handler {
	return commands.Chain(commands.HandlerFunc(b.answerMessage),
		append([]commands.Middleware{commands.Logging(b.log, b.opts.Metrics), commands.Recording(b.opts.Records), commands.Recover(b.log), tellError()},
			commands.QuestionSteps("", b.limiter, commands.DeciderOf(b.opts.Answerer))...)...)
}

// handleMessage runs one message question through the message chain.
// received is when the event arrived.
func (b *service) handleMessage(ctx context.Context, m *discordgo.Message, trigger Trigger, received time.Time) {
	question := commands.WithoutMentions(m.Content) // the bot's mention and any other
	r := &commands.Request{
		Message: m, Trigger: trigger.String(), Entry: trigger.entry(), Received: received,
		Question: question, Quiet: !trigger.Addressed(),
		// A bare mention gets a hint at once: no typing before it.
		Instant: strings.TrimSpace(question) == "",
		Respond: commands.NewMessageResponder(b.rest, m, !trigger.Addressed()),
	}
	defer r.Respond.Close()
	r.Annotate(slog.Int("question_chars", utf8.RuneCountInString(question)))
	_ = b.messages.Handle(ctx, r) // Logging has logged it; tellError has said what the asker must hear
}

// tellError tells the asker about an error the handler returned without
// replying — within what a quiet message hears (see
// commands.NewMessageResponder) — before the question's line is logged.
func tellError() commands.Middleware {
	return func(next commands.Handler) commands.Handler {
		return commands.HandlerFunc(func(ctx context.Context, r *commands.Request) error {
			err := next.Handle(ctx, r)
			if err != nil && !r.Respond.Replied() {
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commands.DefaultCallTimeout)
				defer cancel()
				_ = r.Respond.Fail(rctx, err) // a failed reply is the error already logged
			}
			return err
		})
	}
}

// answerMessage answers one message question that has passed the
// question steps.
func (b *service) answerMessage(ctx context.Context, r *commands.Request) error {
	question := r.Question
	b.log.LogAttrs(ctx, slog.LevelDebug, "message question text", slog.String("message_id", r.Message.ID), slog.String("question", commands.QuestionForLog(question)))
	if strings.TrimSpace(question) == "" {
		r.Outcome, r.Reason = ops.OutcomeInvalid, "empty"
		return r.Respond.SendText(ctx, bareMentionHint(b.opts.Index))
	}
	ans, err := b.askInContext(ctx, r.Message, r.Trigger, question)
	if err != nil {
		return err
	}
	r.Answer, r.Outcome, r.IndexVersion = &ans, ans.Outcome(), ans.IndexVersion
	if !ans.Answered && r.Quiet {
		// An answer channel is for answers: stay quiet about what the
		// sources don't cover unless asked directly.
		r.Reason = "silent"
		return nil
	}
	msgs, _ := b.charts.Decorate(ans, commands.RenderAnswer(ans))
	if b.opts.Records != nil {
		r.RecordID = records.NewID()
		msgs = commands.AddFeedbackButtons(msgs, r.RecordID, ans)
	}
	if r.Message.GuildID != "" && threadOf(b.session, r.Message) == nil {
		msgs = commands.WithFollowUp(msgs, ans)
	}
	if err := r.Respond.Send(ctx, msgs...); err != nil {
		r.Reason = "reply_failed"
		return err
	}
	return nil
}
