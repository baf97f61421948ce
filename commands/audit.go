package commands

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge/folder"
)

// Audit posts every change to the knowledge, and every refused change, in
// the audit channel. A nil *Audit, or one without a channel, posts nothing.
type Audit struct {
	rest    *REST
	channel string
	log     *slog.Logger
}

// NewAudit returns an Audit posting in channelID ("" posts nothing).
func NewAudit(rest *REST, channelID string, log *slog.Logger) *Audit {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Audit{rest: rest, channel: channelID, log: log}
}

func (a *Audit) post(ctx context.Context, msgs []Message) {
	if a == nil || a.channel == "" || a.rest == nil {
		return
	}
	// The audit is sent even when the command's own context has ended.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultCallTimeout)
	defer cancel()
	for _, m := range msgs {
		if _, err := a.rest.Send(ctx, a.channel, &discordgo.MessageSend{Content: m.Content, Embeds: m.Embeds}); err != nil {
			a.log.Warn("could not post in the audit channel", "channel_id", a.channel, "error", err)
			return
		}
	}
}

// Version posts a new version of the knowledge.
func (a *Audit) Version(ctx context.Context, v folder.Version, oldIndex, newIndex string) {
	var fields []*discordgo.MessageEmbedField
	for _, part := range []struct {
		name string
		ids  []string
	}{{"Added", v.Facts.Added}, {"Changed", v.Facts.Changed}, {"Removed", v.Facts.Removed}} {
		if len(part.ids) > 0 {
			fields = append(fields, &discordgo.MessageEmbedField{Name: fmt.Sprintf("%s (%d)", part.name, len(part.ids)), Value: idList(part.ids, MaxFieldValue)})
		}
	}
	text := HistoryLine(v)
	if files := fileLine(v.Files); files != "" {
		text += "\n" + files
	}
	if newIndex != "" {
		text += fmt.Sprintf("\nIndex %s → %s.", oldIndex, newIndex)
	}
	a.post(ctx, layout(layoutInput{title: fmt.Sprintf("Knowledge version %d", v.N), text: text, fields: fields, colour: ColourAnswered}))
}

// Refused posts a change that was refused, with every problem.
func (a *Audit) Refused(ctx context.Context, who, what string, problems []string) {
	head := fmt.Sprintf("%s tried to %s; refused, nothing changed:", EscapeMarkdown(who), EscapeMarkdown(strings.TrimPrefix(what, "the ")))
	a.post(ctx, layout(layoutInput{title: "Knowledge change refused", text: head + "\n" + problemBlock(problems, MaxEmbedDescription-runes(head)-20), colour: ColourError}))
}

// Reindexed posts a /reindex that changed the knowledge.
func (a *Audit) Reindexed(ctx context.Context, who string, rep index.SwapReport) {
	if rep.Changes.Empty() {
		return
	}
	msgs := RenderSwapReport(rep)
	msgs[0].Embeds[0].Title = "Reindexed by " + Truncate(EscapeMarkdown(who), 200)
	a.post(ctx, msgs)
}

// Event posts what the knowledge folder's watcher found.
func (a *Audit) Event(ctx context.Context, ev folder.Event) {
	switch {
	case ev.Version != nil:
		a.Version(ctx, *ev.Version, "", "")
	case len(ev.Problems) > 0:
		lines := make([]string, len(ev.Problems))
		for i, p := range ev.Problems {
			lines[i] = p.String()
		}
		a.Refused(ctx, "an edit on disk", "change the knowledge folder; the old index keeps serving", lines)
	case ev.Err != nil:
		a.Refused(ctx, "an edit on disk", "change the knowledge folder; the old index keeps serving", []string{ev.Err.Error()})
	}
}
