package commands

import (
	"context"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
)

// Follow-ups in Discord: every answer in a server carries a Follow up
// button; pressing it opens a public thread on the answer, named after the
// question, or points to the one already open. In a thread the bot opened,
// it answers every message with the thread's turns as context (bot/).

// Follow-up messages and ids.
const (
	// FollowUpButtonPrefix starts the custom_id of a Follow up button; the
	// rest is the question the answer answered, cut to fit, which names
	// the thread. The message the button is on says where the thread goes,
	// so the button works after a restart.
	FollowUpButtonPrefix = "followup:"
	// AnsweringPrefix starts the title of an answer to a follow-up, before
	// the stand-alone question it answered.
	AnsweringPrefix = "Answering: "
	// maxThreadName is Discord's limit on a thread's name.
	maxThreadName = 100
	// maxCustomID is Discord's limit on a component's custom_id.
	maxCustomID = 100
	// maxButtonsPerRow is how many buttons one action row holds.
	maxButtonsPerRow = 5
)

// FollowUpThreadIntro is the bot's first message in a follow-up thread.
const FollowUpThreadIntro = "Ask your follow-up questions here: I answer every message in this thread, reading the conversation so far (its last 10 questions). Nothing I say is investment advice."

// AnswerTitle is an answer's title: the question, or for a follow-up
// "Answering: " and the stand-alone question it answered.
func AnswerTitle(a answer.Answer) string {
	if a.Standalone != "" {
		return AnsweringPrefix + a.Standalone
	}
	return a.Question
}

// FollowUpButton is the Follow up button of an answer.
func FollowUpButton(a answer.Answer) discordgo.Button {
	return discordgo.Button{
		Label: "Follow up", Style: discordgo.SecondaryButton,
		CustomID: FollowUpButtonPrefix + cut(a.Answering(), maxCustomID-len(FollowUpButtonPrefix)),
		Emoji:    &discordgo.ComponentEmoji{Name: "💬"},
	}
}

// WithFollowUp adds the Follow up button to the last of an answer's
// messages, in its first row of buttons when there is room.
func WithFollowUp(msgs []Message, a answer.Answer) []Message {
	if len(msgs) == 0 {
		return msgs
	}
	last := &msgs[len(msgs)-1]
	return withButton(msgs, last, FollowUpButton(a))
}

// withButton puts b in the first action row of last with room, or in a new
// row.
func withButton(msgs []Message, last *Message, b discordgo.Button) []Message {
	for i, c := range last.Components {
		row, ok := c.(discordgo.ActionsRow)
		if !ok {
			continue
		}
		if len(row.Components) < maxButtonsPerRow {
			row.Components = append(append([]discordgo.MessageComponent(nil), row.Components...), b)
			comps := append([]discordgo.MessageComponent(nil), last.Components...)
			comps[i] = row
			last.Components = comps
			return msgs
		}
	}
	last.Components = append(last.Components, discordgo.ActionsRow{Components: []discordgo.MessageComponent{b}})
	return msgs
}

// cut shortens s to at most n bytes, on a rune boundary, marking the cut
// with "…".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n -= len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimSpace(s[:n]) + "…"
}

// ThreadName names a follow-up thread after a question.
func ThreadName(question string) string {
	q := strings.Join(strings.Fields(question), " ")
	if q == "" {
		q = "Follow-up"
	}
	if utf8.RuneCountInString(q) <= maxThreadName {
		return q
	}
	r := []rune(q)
	return strings.TrimSpace(string(r[:maxThreadName-1])) + "…"
}

// QuestionOfTitle is the question an answer's embed title shows: the
// stand-alone question of a follow-up, the question otherwise, with the
// escaping undone.
func QuestionOfTitle(title string) string {
	return UnescapeMarkdown(strings.TrimPrefix(title, AnsweringPrefix))
}

// UnescapeMarkdown undoes EscapeMarkdown: a backslash before punctuation
// goes.
func UnescapeMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\*_~|`#>-+()[]", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// followUps serves the Follow up button.
type followUps struct {
	rest *REST
	log  *slog.Logger
}

// followUpAllowed reports whether an answer to this request gets the
// Follow up button: not when it is private or not in a server, where no
// thread can be opened on it.
func (r *Request) followUpAllowed() bool {
	return !r.Private && r.Interaction.GuildID != ""
}

// button opens the follow-up thread of the answer whose Follow up
// button was pressed, or points to it when it is already open.
func (c *followUps) button(ctx context.Context, r *Request) error {
	in := r.Interaction
	r.Respond.makePrivate()
	m := in.Message
	if in.GuildID == "" || m == nil {
		r.Outcome = "no_thread"
		return r.Respond.SendText(ctx, "Threads work in servers only: reply to my answer to ask a follow-up.")
	}
	if m.Thread != nil || m.Flags&discordgo.MessageFlagsHasThread != 0 {
		r.Outcome = "thread_reused"
		return r.Respond.SendText(ctx, "The follow-up thread is open: <#"+m.ID+">.")
	}
	name := strings.TrimPrefix(in.MessageComponentData().CustomID, FollowUpButtonPrefix)
	if name == "" || strings.HasSuffix(name, "…") {
		// The id holds a shortened question; the title may hold it all.
		for _, e := range m.Embeds {
			if e != nil && e.Title != "" {
				name = QuestionOfTitle(e.Title)
				break
			}
		}
	}
	th, err := c.rest.StartThread(ctx, in.ChannelID, m.ID, ThreadName(name))
	switch code := discordCode(err); {
	case err == nil:
	case code == codeThreadAlreadyCreated:
		// Someone pressed it a moment earlier: the thread has the
		// message's ID.
		r.Outcome = "thread_reused"
		return r.Respond.SendText(ctx, "The follow-up thread is open: <#"+m.ID+">.")
	case code == codeInvalidChannelType:
		r.Outcome = "no_thread"
		return r.Respond.SendText(ctx, "A thread can't be opened here. Reply to my answer to ask a follow-up.")
	default:
		return err
	}
	r.Outcome = "thread_opened"
	r.Annotate(slog.String("thread_id", th.ID))
	if _, err := c.rest.Send(ctx, th.ID, &discordgo.MessageSend{Content: FollowUpThreadIntro}); err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "could not post in the follow-up thread", slog.String("thread_id", th.ID), slog.Any("error", err))
	}
	return r.Respond.SendText(ctx, "Ask your follow-up in <#"+th.ID+">: I answer every message there.")
}
