package commands

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/records"
)

// DefaultReportDays is /report's period when none is given.
const DefaultReportDays = 7

func reportSpec() *discordgo.ApplicationCommand {
	minDays := float64(1)
	return moderatorSpec("report", "Moderators: what people asked, what the sources don't cover, and the votes",
		&discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionInteger, Name: "days",
			Description: fmt.Sprintf("How many days back (default %d)", DefaultReportDays),
			MinValue:    &minDays, MaxValue: records.MaxReportDays,
		})
}

// report shows a moderator, privately, the report of the last days.
func (c *commandSet) report(ctx context.Context, r *Request) error {
	if c.cfg.Records == nil {
		r.Outcome = "unavailable"
		return r.Respond.SendText(ctx, NoRecordsKept)
	}
	days := DefaultReportDays
	if o := r.option("days"); o != nil && o.Type == discordgo.ApplicationCommandOptionInteger {
		days = int(o.IntValue())
	}
	if days < 1 || days > records.MaxReportDays {
		r.Outcome = "invalid"
		return r.Respond.SendText(ctx, fmt.Sprintf("days must be from 1 to %d.", records.MaxReportDays))
	}
	var facts []string
	if c.cfg.Index != nil {
		if b := c.cfg.Index.Base(); b != nil {
			for _, f := range b.Facts {
				facts = append(facts, f.ID)
			}
		}
	}
	rep, err := c.cfg.Records.Report(ctx, days, facts)
	if err != nil {
		r.Outcome, r.Reason = "error", "records_unavailable"
		c.log.LogAttrs(ctx, slog.LevelError, "records: report failed", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
		return r.Respond.SendText(ctx, "bytewatch couldn't read its records just now. Please try again in a minute.")
	}
	r.Outcome = "reported"
	r.Annotate(slog.Int("days", days), slog.Int("questions", rep.Questions))
	return r.Respond.Send(ctx, RenderReport(rep)...)
}

// RenderReport lays the report out as embeds: the counts first, then the
// gaps, the 👎'd answers and the facts, each within Discord's limits.
func RenderReport(rep records.Report) []Message {
	pct := func(x float64) string { return fmt.Sprintf("%.0f%%", 100*x) }
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** in the last %s.\n", Count(rep.Questions, "question", "questions"), Count(rep.Days, "day", "days"))
	if rep.Questions > 0 {
		fmt.Fprintf(&b, "Answered %s · closest facts %s · not covered %s", pct(rep.Share(records.OutcomeAnswered)),
			pct(rep.Share(records.OutcomeClosest)), pct(rep.Share(records.OutcomeNotCovered)))
		if n := rep.Outcomes[records.OutcomeRefused] + rep.Outcomes[records.OutcomeError]; n > 0 {
			fmt.Fprintf(&b, " · refused or failed %s", pct(float64(n)/float64(rep.Questions)))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Votes: %d 👍 · %d 👎", rep.Up, rep.Down)
	if rep.Up+rep.Down > 0 {
		fmt.Fprintf(&b, " (%s 👍)", pct(rep.UpRate))
	}
	var fields []*discordgo.MessageEmbedField
	var gaps []string
	for i, g := range rep.Gaps {
		line := fmt.Sprintf("%d. ×%d %s", i+1, g.Count, EscapeMarkdown(Truncate(g.Question, 200)))
		if len(g.Variants) > 0 {
			line += " (also: " + EscapeMarkdown(Truncate(strings.Join(g.Variants, " · "), 200)) + ")"
		}
		gaps = append(gaps, line)
	}
	if rep.GapsWithoutText > 0 {
		gaps = append(gaps, fmt.Sprintf("…and %d whose text is not kept (STORE_QUESTIONS=false).", rep.GapsWithoutText))
	}
	if len(gaps) == 0 {
		gaps = []string{"None: every question was answered."}
	}
	fields = append(fields, fieldsOf("Not covered: the gaps to fill", gaps)...)
	var disliked []string
	for i, d := range rep.Disliked {
		q := d.Question
		if q == "" {
			q = "(text not kept)"
		}
		line := fmt.Sprintf("%d. %d 👎 %d 👍 %s", i+1, d.Down, d.Up, EscapeMarkdown(Truncate(q, 150)))
		if rs := records.ReasonSummary(d.Reasons); rs != "" {
			line += "\n   " + rs
		}
		for _, t := range d.Texts {
			line += "\n   “" + EscapeMarkdown(Truncate(t, 150)) + "”"
		}
		if len(d.FactIDs) > 0 {
			line += "\n   facts " + idList(d.FactIDs, 200)
		}
		disliked = append(disliked, line)
	}
	if len(disliked) == 0 {
		disliked = []string{"None."}
	}
	fields = append(fields, fieldsOf("Most 👎'd answers", disliked)...)
	var used []string
	for _, f := range rep.FactsUsed {
		used = append(used, fmt.Sprintf("×%d `%s`", f.Count, strings.ReplaceAll(f.FactID, "`", "'")))
	}
	if len(used) == 0 {
		used = []string{"None."}
	}
	fields = append(fields, fieldsOf("Facts cited most", used)...)
	never := "None: every fact was cited."
	if len(rep.FactsNeverUsed) > 0 {
		never = fmt.Sprintf("%d: %s", len(rep.FactsNeverUsed), idList(rep.FactsNeverUsed, MaxFieldValue-20))
	}
	fields = append(fields, &discordgo.MessageEmbedField{Name: "Facts never cited", Value: never})
	return layout(layoutInput{
		title: "bytewatch report", text: b.String(), fields: fields, colour: ColourInfo,
		footer: fmt.Sprintf("%s to %s UTC · bytewatch report --days %d for the full text", rep.Since.Format("2006-01-02 15:04"), rep.Until.Format("2006-01-02 15:04"), rep.Days),
	})
}
