package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/records"
)

// Records is what the commands need of the records: *records.Recorder.
type Records interface {
	Record(ctx context.Context, userID string, q records.Question) error
	Lookup(ctx context.Context, id string) (records.Question, error)
	Vote(ctx context.Context, id, userID string, value int, reason, text string) (previous int, err error)
	Forget(ctx context.Context, userID string) (records.Forgotten, error)
	Report(ctx context.Context, days int, allFacts []string) (records.Report, error)
	RetentionDays() int
}

// The custom_id prefixes of the feedback buttons and modal; the record id
// of the answer follows (and, for a reason, ":" and the reason). Nothing
// else is in them — in particular no user: whoever clicks is who votes.
const (
	UpButtonPrefix      = "fb:up:"
	DownButtonPrefix    = "fb:down:"
	ReasonButtonPrefix  = "fb:why:"
	OtherButtonPrefix   = "fb:other:"
	OtherModalPrefix    = "fb:text:"
	SourcesButtonPrefix = "fb:src:"
	// otherTextID is the modal's text input.
	otherTextID = "text"
)

// Replies of the feedback buttons.
const (
	FeedbackGone        = "That answer is no longer in bytewatch's records (records are kept for a limited time, or the asker deleted theirs), so it can't take votes or show its sources any more. Ask again with /ask."
	FeedbackUnavailable = "bytewatch couldn't reach its records just now, so that wasn't saved. Please try again in a minute."
	NoRecordsKept       = "This bytewatch keeps no records, so there is nothing to vote on, report or delete."
)

// recordButtons are the buttons every recorded answer carries.
func recordButtons(id string, sources bool) []discordgo.MessageComponent {
	bs := []discordgo.MessageComponent{
		discordgo.Button{Style: discordgo.SecondaryButton, CustomID: UpButtonPrefix + id, Emoji: &discordgo.ComponentEmoji{Name: "👍"}},
		discordgo.Button{Style: discordgo.SecondaryButton, CustomID: DownButtonPrefix + id, Emoji: &discordgo.ComponentEmoji{Name: "👎"}},
	}
	if sources {
		bs = append(bs, discordgo.Button{Label: "Sources", Style: discordgo.SecondaryButton, CustomID: SourcesButtonPrefix + id,
			Emoji: &discordgo.ComponentEmoji{Name: "📄"}})
	}
	return bs
}

// AddFeedbackButtons puts 👍, 👎 and (when the answer cites facts)
// Sources under the last of msgs, in the row of the buttons already there
// when it has room, or in a row of their own. id is the answer's record
// id; empty adds nothing.
func AddFeedbackButtons(msgs []Message, id string, a answer.Answer) []Message {
	if id == "" || len(msgs) == 0 {
		return msgs
	}
	bs := recordButtons(id, len(a.Citations) > 0)
	last := &msgs[len(msgs)-1]
	for i, c := range last.Components {
		if row, ok := c.(discordgo.ActionsRow); ok && len(row.Components)+len(bs) <= 5 {
			row.Components = append(bs, row.Components...)
			last.Components[i] = row
			return msgs
		}
	}
	if len(last.Components) < MaxActionRows {
		last.Components = append(last.Components, discordgo.ActionsRow{Components: bs})
	}
	return msgs
}

// RecordOutcome is a question's outcome as the records keep it, from its
// QuestionOutcome and its answer (nil when none was composed).
func RecordOutcome(outcome string, a *answer.Answer) string {
	switch outcome {
	case ops.OutcomeAnswered, ops.OutcomeFallback:
		return records.OutcomeAnswered
	case ops.OutcomeNotCovered:
		if a != nil && len(a.Closest) > 0 {
			return records.OutcomeClosest
		}
		return records.OutcomeNotCovered
	case ops.OutcomeRateLimited, ops.OutcomeInvalid:
		return records.OutcomeRefused
	}
	return records.OutcomeError
}

// QuestionRecord is the record of a question: where it came from, how it
// ended (outcome as QuestionOutcome names it), what it cited. The caller's
// Records hashes the user. An empty question (one refused before it was
// read) is kept as no text.
func QuestionRecord(id, entry, guildID, channelID, question, outcome string, a *answer.Answer, latency time.Duration) records.Question {
	q := records.Question{
		ID: id, GuildID: guildID, ChannelID: channelID, Entry: entry, Question: question, HasText: question != "",
		Outcome: RecordOutcome(outcome, a), Latency: latency,
	}
	if a != nil {
		q.IndexVersion, q.Mode = a.IndexVersion, string(a.Mode)
		for _, c := range a.Citations {
			q.FactIDs = append(q.FactIDs, c.FactID)
		}
	}
	return q
}

// Recording records every question (see AsQuestion) in rec once it has
// been answered: after the reply, with the Records' deadline, so that the
// database never holds an answer up; a record the database does not take
// is dropped and logged by rec. nil records nothing.
func Recording(rec Records) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) error {
			err := next.Handle(ctx, r)
			if rec == nil || r.Entry == "" {
				return err
			}
			id := r.RecordID
			if id == "" {
				id = records.NewID()
			}
			start := r.Received
			if start.IsZero() {
				start = time.Now()
			}
			q := QuestionRecord(id, r.Entry, r.GuildID(), r.ChannelID(), r.Question,
				QuestionOutcome(r.Outcome, err), r.Answer, time.Since(start))
			if rerr := rec.Record(ctx, r.UserID(), q); rerr != nil {
				r.Annotate(slog.String("record", "dropped"))
			}
			return err
		})
	}
}

// feedbackID reads the record id after prefix in a button's or modal's
// custom_id; ok is false when there is none that could be a record's.
func feedbackID(r *Request, prefix string) (id, rest string, ok bool) {
	cid := customID(r.Interaction)
	id, rest, _ = strings.Cut(strings.TrimPrefix(cid, prefix), ":")
	return id, rest, records.ValidID(id)
}

// vote records the clicking user's vote and says so privately. A 👎 then
// asks why, with a button per reason.
func (c *commandSet) vote(value int) HandlerFunc {
	return func(ctx context.Context, r *Request) error {
		prefix := UpButtonPrefix
		if value == records.Down {
			prefix = DownButtonPrefix
		}
		id, _, ok := feedbackID(r, prefix)
		if !ok {
			r.Outcome = "gone"
			return r.Respond.SendText(ctx, FeedbackGone)
		}
		prev, err := c.cfg.Records.Vote(ctx, id, r.UserID(), value, "", "")
		if msg, done := c.voteFailed(ctx, r, err); done {
			return r.Respond.SendText(ctx, msg)
		}
		r.Outcome = voteOutcome(prev, value)
		text := voteAck(prev, value)
		if value == records.Up {
			return r.Respond.SendText(ctx, text)
		}
		row := discordgo.ActionsRow{}
		for _, reason := range records.Reasons {
			b := discordgo.Button{Label: records.ReasonLabel(reason), Style: discordgo.SecondaryButton,
				CustomID: ReasonButtonPrefix + id + ":" + reason}
			if reason == records.ReasonOther {
				b.Label, b.CustomID = "Other…", OtherButtonPrefix+id
			}
			row.Components = append(row.Components, b)
		}
		return r.Respond.Send(ctx, Message{Content: text + " What was wrong with it?", Components: []discordgo.MessageComponent{row}})
	}
}

// voteFailed turns a vote's error into the private reply, reporting
// whether there was one.
func (c *commandSet) voteFailed(ctx context.Context, r *Request, err error) (string, bool) {
	switch {
	case err == nil:
		return "", false
	case errors.Is(err, records.ErrNotFound):
		r.Outcome = "gone"
		return FeedbackGone, true
	default:
		r.Outcome, r.Reason = "error", "records_unavailable"
		c.log.LogAttrs(ctx, slog.LevelWarn, "records: vote not saved", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
		return FeedbackUnavailable, true
	}
}

func voteOutcome(prev, value int) string {
	switch {
	case prev == 0:
		return "voted"
	case prev == value:
		return "voted_again"
	}
	return "vote_changed"
}

func voteAck(prev, value int) string {
	emoji := "👍"
	if value == records.Down {
		emoji = "👎"
	}
	switch {
	case prev == 0:
		return "Thanks: your " + emoji + " is recorded (only you can see this)."
	case prev == value:
		return "Your " + emoji + " was already recorded."
	}
	return "Changed your vote to " + emoji + "."
}

// reason records why the clicking user gave a 👎 (which the reason makes
// theirs if it was not).
func (c *commandSet) reason(ctx context.Context, r *Request) error {
	id, reason, ok := feedbackID(r, ReasonButtonPrefix)
	if !ok || reason == "" || reason == records.ReasonOther || !records.ValidReason(reason) {
		r.Outcome = "gone"
		return r.Respond.SendText(ctx, FeedbackGone)
	}
	_, err := c.cfg.Records.Vote(ctx, id, r.UserID(), records.Down, reason, "")
	if msg, done := c.voteFailed(ctx, r, err); done {
		return r.Respond.SendText(ctx, msg)
	}
	r.Outcome = "reason"
	r.Annotate(slog.String("vote_reason", reason))
	return r.Respond.SendText(ctx, "Thanks: noted as “"+records.ReasonLabel(reason)+"”. Moderators see it in /report.")
}

// otherReason opens a form for a reason in the user's own words.
func (c *commandSet) otherReason(ctx context.Context, r *Request) error {
	id, _, ok := feedbackID(r, OtherButtonPrefix)
	if !ok {
		r.Outcome = "gone"
		return r.Respond.SendText(ctx, FeedbackGone)
	}
	r.Outcome = "form"
	return r.Respond.Modal(ctx, &discordgo.InteractionResponseData{
		CustomID: OtherModalPrefix + id,
		Title:    "What was wrong with the answer?",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: otherTextID, Label: "In a few words", Style: discordgo.TextInputParagraph,
				Required: true, MinLength: 1, MaxLength: records.MaxReasonText,
				Placeholder: "e.g. the 2025 figure has been revised"},
		}}},
	})
}

// otherText records the words of an "other" reason.
func (c *commandSet) otherText(ctx context.Context, r *Request) error {
	id, _, ok := feedbackID(r, OtherModalPrefix)
	if !ok || r.Interaction.Type != discordgo.InteractionModalSubmit {
		r.Outcome = "gone"
		return r.Respond.SendText(ctx, FeedbackGone)
	}
	text := ""
	for _, row := range r.Interaction.ModalSubmitData().Components {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, comp := range ar.Components {
			if ti, ok := comp.(*discordgo.TextInput); ok && ti.CustomID == otherTextID {
				text = ti.Value
			}
		}
	}
	text = strings.TrimSpace(text)
	if runes(text) > records.MaxReasonText {
		r.Outcome = "invalid"
		return r.Respond.SendText(ctx, fmt.Sprintf("Please keep the reason under %d characters.", records.MaxReasonText))
	}
	_, err := c.cfg.Records.Vote(ctx, id, r.UserID(), records.Down, records.ReasonOther, text)
	if msg, done := c.voteFailed(ctx, r, err); done {
		return r.Respond.SendText(ctx, msg)
	}
	r.Outcome = "reason"
	r.Annotate(slog.String("vote_reason", records.ReasonOther), slog.Int("reason_chars", runes(text)))
	return r.Respond.SendText(ctx, "Thanks: your reason is recorded. Moderators see it in /report.")
}

// sourcesButton sends, privately, every fact the answer cited in full.
func (c *commandSet) sourcesButton(ctx context.Context, r *Request) error {
	id, _, ok := feedbackID(r, SourcesButtonPrefix)
	if !ok {
		r.Outcome = "gone"
		return r.Respond.SendText(ctx, FeedbackGone)
	}
	q, err := c.cfg.Records.Lookup(ctx, id)
	if msg, done := c.voteFailed(ctx, r, err); done {
		return r.Respond.SendText(ctx, msg)
	}
	r.Outcome, r.IndexVersion = "sources", q.IndexVersion
	r.Annotate(slog.Int("facts", len(q.FactIDs)))
	return r.Respond.Send(ctx, RenderCitedFacts(q, c.cfg.Index)...)
}

// RenderCitedFacts lays out every fact a recorded answer cited, in full:
// the statement, who reported it, the source's title, date and link. A
// fact the knowledge no longer has is listed as such.
func RenderCitedFacts(q records.Question, ix IndexStatus) []Message {
	title := "Sources of the answer"
	if q.HasText && strings.TrimSpace(q.Question) != "" {
		title = Truncate("Sources: “"+EscapeMarkdown(strings.TrimSpace(q.Question))+"”", MaxEmbedTitle)
	}
	if len(q.FactIDs) == 0 {
		return layout(layoutInput{title: title, text: "That answer cites no facts.", colour: ColourNotCovered})
	}
	entries := make([]string, len(q.FactIDs))
	for i, fid := range q.FactIDs {
		code := "`" + strings.ReplaceAll(fid, "`", "'") + "`"
		var (
			f     knowledge.Fact
			found bool
		)
		base := (*knowledge.Base)(nil)
		if ix != nil {
			base = ix.Base()
		}
		if base != nil {
			f, found = base.Fact(fid)
		}
		if !found {
			entries[i] = fmt.Sprintf("**[%d]** %s is no longer in the knowledge base.", i+1, code)
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "**[%d]** %s\n— %s", i+1, EscapeMarkdown(f.Statement), EscapeMarkdown(f.Attribution))
		if !f.AsOf.IsZero() {
			b.WriteString(", as of " + f.AsOf.Human())
		}
		if src, ok := base.Source(f.SourceID); ok {
			fmt.Fprintf(&b, "\n*%s*", EscapeMarkdown(src.Title))
			if src.Publisher != "" {
				b.WriteString(" · " + EscapeMarkdown(src.Publisher))
			}
			if !src.Published.IsZero() {
				b.WriteString(" · " + src.Published.Human())
			}
			if src.URL != "" {
				b.WriteString("\n<" + src.URL + ">")
			}
		}
		b.WriteString(" · " + code)
		entries[i] = b.String()
	}
	footer := "The facts as the answer cited them"
	if q.IndexVersion != "" {
		footer += " · answered from index " + q.IndexVersion
	}
	return layout(layoutInput{title: title, text: strings.Join(entries, "\n\n"), footer: footer, colour: ColourAnswered})
}

// customID is the custom_id of a clicked button or a submitted form; ""
// for other interactions.
func customID(in *discordgo.Interaction) string {
	switch in.Type {
	case discordgo.InteractionMessageComponent:
		return in.MessageComponentData().CustomID
	case discordgo.InteractionModalSubmit:
		return in.ModalSubmitData().CustomID
	}
	return ""
}

func forgetSpec() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{
		Name:        "forget-me",
		Description: "Delete the records bytewatch keeps of your questions and votes",
		Contexts:    contexts(discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM),
	}
}

// forgetMe deletes the asking user's records and votes.
func (c *commandSet) forgetMe(ctx context.Context, r *Request) error {
	if c.cfg.Records == nil {
		r.Outcome = "unavailable"
		return r.Respond.SendText(ctx, NoRecordsKept)
	}
	f, err := c.cfg.Records.Forget(ctx, r.UserID())
	if err != nil {
		r.Outcome, r.Reason = "error", "records_unavailable"
		c.log.LogAttrs(ctx, slog.LevelError, "records: forget failed", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
		return r.Respond.SendText(ctx, "bytewatch couldn't reach its records just now, so nothing was deleted. Please try again in a minute.")
	}
	r.Outcome = "forgotten"
	r.Annotate(slog.Int64("questions", f.Questions), slog.Int64("votes", f.Votes))
	return r.Respond.SendText(ctx, fmt.Sprintf("Done: deleted %s of yours and %s (yours, and those on your answers). Answers already posted stay in the channel; their buttons no longer know them.",
		Count(int(f.Questions), "question record", "question records"), Count(int(f.Votes), "vote", "votes")))
}
