package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/chart"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/records"
)

// Chart messages.
const (
	// ChartButtonPrefix starts the custom_id of a Chart button; the rest is
	// the chart's ID in the Charter.
	ChartButtonPrefix = "chart:"
	// ChartFile is the name of an uploaded chart.
	ChartFile = "chart.png"
	// ChartExpired answers a Chart button whose chart is no longer kept.
	ChartExpired = "That chart is no longer available (bytewatch has restarted, or the answer is old). Ask again with /chart."
)

// Charts draws the figures of answers for Discord: it attaches the chart
// to an answer to a comparison question, puts a Chart button under any
// other answer whose citations hold two or more comparable figures, and
// posts the chart when the button is pressed. Charts are planned from the
// knowledge the answer came from and cached by the Charter. It is safe for
// concurrent use.
type Charts struct {
	charter *chart.Charter
	index   IndexStatus
}

// NewCharts returns Charts drawing with charter (nil: a new one) from the
// knowledge of index.
func NewCharts(charter *chart.Charter, index IndexStatus) *Charts {
	if charter == nil {
		charter = chart.NewCharter(0)
	}
	return &Charts{charter: charter, index: index}
}

// Plan works out the chart of an answer, from the knowledge it came from.
func (c *Charts) Plan(a answer.Answer) (chart.Spec, error) {
	if c == nil || c.index == nil {
		return chart.Spec{}, errors.New("charts are not available")
	}
	return chart.Plan(a, c.index.Base())
}

// Decorate adds a chart to an answer's messages: the picture itself for a
// comparison question ("attached"), a Chart button for any other chartable
// answer ("button"), nothing otherwise (""). A failure to draw costs the
// answer nothing but the picture.
func (c *Charts) Decorate(a answer.Answer, msgs []Message) ([]Message, string) {
	if c == nil || len(msgs) == 0 || !a.Answered {
		return msgs, ""
	}
	spec, err := c.Plan(a)
	if err != nil {
		return msgs, ""
	}
	if chart.IsComparison(a.Question) {
		pic, err := c.charter.Render(spec, chart.Options{})
		if err == nil {
			msgs[0] = attach(msgs[0], pic)
			return msgs, "attached"
		}
	}
	id := c.charter.Remember(spec)
	last := &msgs[len(msgs)-1]
	last.Components = append(last.Components, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Chart", Style: discordgo.SecondaryButton, CustomID: ChartButtonPrefix + id,
			Emoji: &discordgo.ComponentEmoji{Name: "📊"}},
	}})
	return msgs, "button"
}

// attach uploads the picture with msg and shows it in msg's last embed.
func attach(msg Message, pic chart.Picture) Message {
	msg.Files = append(msg.Files, &discordgo.File{Name: ChartFile, ContentType: "image/png", Reader: bytes.NewReader(pic.PNG)})
	if n := len(msg.Embeds); n > 0 {
		e := *msg.Embeds[n-1]
		e.Image = &discordgo.MessageEmbedImage{URL: "attachment://" + ChartFile}
		embeds := append([]*discordgo.MessageEmbed(nil), msg.Embeds...)
		embeds[n-1] = &e
		msg.Embeds = embeds
	}
	return msg
}

func chartSpec() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{
		Name:        "chart",
		Description: "Ask a question and see the figures its sources give as a chart",
		Contexts:    contexts(discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM),
		Options: []*discordgo.ApplicationCommandOption{
			{
				Type: discordgo.ApplicationCommandOptionString, Name: "question", Required: true,
				Description: "e.g. Compare ByteDance's AI spending with Microsoft and Alphabet",
				MaxLength:   MaxQuestionLength,
			},
			privateSpec(),
		},
	}
}

// chart answers /chart: the cited answer with its chart, or the answer and
// why there is nothing to chart.
func (c *commandSet) chart(ctx context.Context, r *Request) error {
	q := WithoutMentions(r.String("question"))
	r.Question = q
	r.Annotate(slog.Int("question_chars", runes(q)))
	if err := r.Respond.Progress(ctx, ProgressSearching); err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "could not show progress", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
	}
	a, err := c.cfg.Answerer.Ask(ctx, q, nil)
	if err != nil {
		return err
	}
	r.Outcome, r.IndexVersion, r.Answer = a.Outcome(), a.IndexVersion, &a
	msgs := RenderAnswer(a)
	if c.cfg.Records != nil {
		r.RecordID = records.NewID()
		msgs = AddFeedbackButtons(msgs, r.RecordID, a)
	}
	spec, err := c.charts.Plan(a)
	var pic chart.Picture
	if err == nil {
		pic, err = c.charts.charter.Render(spec, chart.Options{})
	}
	if err != nil {
		r.Reason = "nothing_to_chart"
		why := "Nothing to chart."
		var nc *chart.NotChartableError
		switch {
		case errors.As(err, &nc):
			why = "Nothing to chart: " + nc.Reason + "."
		case errors.Is(err, chart.ErrStale):
			why = "Nothing to chart: the knowledge was reindexed while answering; please ask again."
		default:
			c.log.LogAttrs(ctx, slog.LevelError, "chart failed", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
		}
		msgs[0].Content = Truncate(EscapeMarkdown(why), MaxContent)
		return r.Respond.Send(ctx, msgs...)
	}
	r.Annotate(slog.Int("bars", len(spec.Bars)), slog.Bool("chart_cached", pic.Cached))
	msgs[0] = attach(msgs[0], pic)
	return r.Respond.Send(ctx, msgs...)
}

// chartButton posts the chart of the answer whose Chart button was pressed.
func (c *commandSet) chartButton(ctx context.Context, r *Request) error {
	id := strings.TrimPrefix(r.Interaction.MessageComponentData().CustomID, ChartButtonPrefix)
	spec, ok := c.charts.charter.Recall(id)
	if !ok {
		r.Outcome = "expired"
		r.Respond.makePrivate()
		return r.Respond.SendText(ctx, ChartExpired)
	}
	pic, err := c.charts.charter.Render(spec, chart.Options{})
	if err != nil {
		return err
	}
	r.Outcome, r.IndexVersion = "charted", spec.IndexVersion
	r.Annotate(slog.Int("bars", len(spec.Bars)), slog.Bool("chart_cached", pic.Cached))
	footer := "Not investment advice"
	if !spec.AsOf.IsZero() {
		footer += " · knowledge as of " + spec.AsOf.Human()
	}
	footer += " · index " + spec.IndexVersion
	msg := Message{Embeds: []*discordgo.MessageEmbed{{
		Title:       Truncate(EscapeMarkdown(spec.Title), MaxEmbedTitle),
		Description: fmt.Sprintf("The figures cited in the answer above, in %s.", spec.Subtitle),
		Color:       ColourAnswered,
		Footer:      &discordgo.MessageEmbedFooter{Text: footer},
	}}}
	return r.Respond.Send(ctx, attach(msg, pic))
}

// chartEntry marks /chart as a question for the log line and metrics.
var chartEntry = ops.EntrySlash
