package commands

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
)

// Embed colours: they tell an answer from a "not covered" and from an answer
// whose LLM text was replaced by the extractive one.
const (
	ColourAnswered   = 0x2E86C1 // blue
	ColourNotCovered = 0x95A5A6 // grey
	ColourFallback   = 0xE67E22 // orange
	ColourError      = 0xC0392B // red
	ColourInfo       = 0x5D6D7E // slate
)

// Message is one Discord message's worth of content: it fits every limit of
// a single message.
type Message struct {
	Content string
	Embeds  []*discordgo.MessageEmbed
	// Files are uploaded with the message (multipart, with payload_json);
	// Components are its buttons.
	Files      []*discordgo.File
	Components []discordgo.MessageComponent
}

// OutcomeColour is the embed colour for an answer.Answer's Outcome.
func OutcomeColour(outcome string) int {
	switch outcome {
	case "answered":
		return ColourAnswered
	case "fallback":
		return ColourFallback
	default:
		return ColourNotCovered
	}
}

// Footer is the line under every answer.
func Footer(a answer.Answer) string {
	parts := []string{"Not investment advice"}
	if !a.KnowledgeAsOf.IsZero() {
		parts = append(parts, "knowledge as of "+a.KnowledgeAsOf.Human())
	}
	if a.IndexVersion != "" {
		parts = append(parts, "index "+a.IndexVersion)
	}
	return strings.Join(parts, " · ")
}

// SourceLine attributes one citation: "[n] who — source title, as of date".
// The attribution and title come from knowledge files and are escaped.
func SourceLine(c answer.Citation) string {
	line := fmt.Sprintf("[%d] %s — %s", c.N, EscapeMarkdown(c.Attribution), EscapeMarkdown(c.SourceTitle))
	if !c.AsOf.IsZero() {
		line += ", as of " + c.AsOf.Human()
	}
	return line
}

// RenderAnswer lays an answer out as one or more messages of embeds: the
// question as the title, the text (with its [n] markers) as the
// description, a "Sources" field attributing each [n], a note when there is
// one, the outcome's colour and the footer. Long answers are split over
// several embeds and, past what one message holds, several messages, each
// within Discord's limits. The question and the text are escaped
// (EscapeMarkdown): neither the asker nor an LLM can format the answer or
// slip a disguised link into it.
func RenderAnswer(a answer.Answer) []Message {
	colour := OutcomeColour(a.Outcome())
	var fields []*discordgo.MessageEmbedField
	if note := strings.TrimSpace(a.Note); note != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: "Note", Value: Truncate(note, MaxFieldValue)})
	}
	if stale := strings.TrimSpace(a.Stale); stale != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: "How recent", Value: Truncate(stale, MaxFieldValue)})
	}
	if len(a.Citations) > 0 {
		lines := make([]string, len(a.Citations))
		for i, c := range a.Citations {
			lines[i] = SourceLine(c)
		}
		fields = append(fields, fieldsOf("Sources", lines)...)
	}
	text := EscapeMarkdown(a.Text)
	if strings.TrimSpace(text) == "" {
		text = "(no answer)"
	}
	return layout(layoutInput{
		title:  Truncate(EscapeMarkdown(strings.TrimSpace(AnswerTitle(a))), MaxEmbedTitle),
		text:   text,
		fields: fields,
		footer: Footer(a),
		colour: colour,
	})
}

// fieldsOf puts lines into fields named name ("name (continued)" after the
// first), each value within MaxFieldValue. A line too long for a field on
// its own is shortened.
func fieldsOf(name string, lines []string) []*discordgo.MessageEmbedField {
	var fields []*discordgo.MessageEmbedField
	var cur []string
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		n := name
		if len(fields) > 0 {
			n = name + " (continued)"
		}
		fields = append(fields, &discordgo.MessageEmbedField{Name: n, Value: strings.Join(cur, "\n")})
		cur, size = nil, 0
	}
	for _, l := range lines {
		l = Truncate(l, MaxFieldValue)
		add := runes(l)
		if len(cur) > 0 {
			add++ // the newline
		}
		if size+add > MaxFieldValue {
			flush()
			add = runes(l)
		}
		cur = append(cur, l)
		size += add
	}
	flush()
	return fields
}

// layoutInput is what layout arranges into messages.
type layoutInput struct {
	title  string
	text   string // the description, split over embeds as needed
	fields []*discordgo.MessageEmbedField
	footer string
	colour int
}

// embedSize counts an embed's characters as Discord does for the 6,000 limit.
func embedSize(e *discordgo.MessageEmbed) int {
	n := runes(e.Title) + runes(e.Description)
	for _, f := range e.Fields {
		n += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		n += runes(e.Footer.Text)
	}
	if e.Author != nil {
		n += runes(e.Author.Name)
	}
	return n
}

// layout builds the embeds — the first with the title, one per piece of the
// description, the fields after the description, the footer on the last —
// and packs them into messages.
func layout(in layoutInput) []Message {
	footer := Truncate(in.footer, MaxFooterText)
	// Every embed keeps room for the title and the footer, so that whichever
	// embed ends up first or last still fits in a message on its own.
	budget := MaxEmbedsTotal - runes(in.title) - runes(footer)
	descMax := min(MaxEmbedDescription, budget)
	var embeds []*discordgo.MessageEmbed
	for _, piece := range SplitText(in.text, descMax) {
		embeds = append(embeds, &discordgo.MessageEmbed{Description: piece, Color: in.colour})
	}
	if len(embeds) == 0 {
		embeds = append(embeds, &discordgo.MessageEmbed{Color: in.colour})
	}
	last := embeds[len(embeds)-1]
	for _, f := range in.fields {
		fs := runes(f.Name) + runes(f.Value)
		if len(last.Fields) >= MaxEmbedFields || embedSize(last)+fs > budget {
			last = &discordgo.MessageEmbed{Color: in.colour}
			embeds = append(embeds, last)
		}
		last.Fields = append(last.Fields, f)
	}
	embeds[0].Title = in.title
	if footer != "" {
		last.Footer = &discordgo.MessageEmbedFooter{Text: footer}
	}
	return packEmbeds(embeds)
}

// packEmbeds puts embeds into as few messages as Discord's per-message
// limits (10 embeds, 6,000 characters across them) allow, in order. Each
// embed must fit in a message on its own.
func packEmbeds(embeds []*discordgo.MessageEmbed) []Message {
	var out []Message
	var cur []*discordgo.MessageEmbed
	size := 0
	for _, e := range embeds {
		es := embedSize(e)
		if len(cur) > 0 && (len(cur) >= MaxEmbeds || size+es > MaxEmbedsTotal) {
			out = append(out, Message{Embeds: cur})
			cur, size = nil, 0
		}
		cur = append(cur, e)
		size += es
	}
	if len(cur) > 0 {
		out = append(out, Message{Embeds: cur})
	}
	return out
}

// RenderSources lays out the facts that best match a query, with their
// attribution and ids, without any LLM. The query and the knowledge's own
// words are escaped.
func RenderSources(query string, cites []answer.Citation, indexVersion string) []Message {
	footer := "The facts as stored, best match first · index " + indexVersion
	title := Truncate("Sources for “"+EscapeMarkdown(query)+"”", MaxEmbedTitle)
	if len(cites) == 0 {
		return layout(layoutInput{
			title:  title,
			text:   "No fact in the knowledge base matches that.",
			footer: footer, colour: ColourNotCovered,
		})
	}
	entries := make([]string, len(cites))
	for i, c := range cites {
		meta := EscapeMarkdown(c.Attribution) + " — *" + EscapeMarkdown(c.SourceTitle) + "*"
		if !c.AsOf.IsZero() {
			meta += ", as of " + c.AsOf.Human()
		}
		entries[i] = fmt.Sprintf("**[%d]** %s\n%s · `%s`", c.N, EscapeMarkdown(c.Text), meta, strings.ReplaceAll(c.FactID, "`", "'"))
	}
	return layout(layoutInput{
		title:  title,
		text:   strings.Join(entries, "\n\n"),
		footer: footer, colour: ColourAnswered,
	})
}

// Validate checks msg against Discord's limits on one message: content,
// number of embeds, each embed's parts, and the characters across embeds.
func (msg Message) Validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if n := runes(msg.Content); n > MaxContent {
		bad("content has %d characters (max %d)", n, MaxContent)
	}
	if msg.Content == "" && len(msg.Embeds) == 0 && len(msg.Files) == 0 {
		bad("the message is empty")
	}
	if len(msg.Files) > MaxFiles {
		bad("%d files (max %d)", len(msg.Files), MaxFiles)
	}
	for i, f := range msg.Files {
		if f == nil || f.Name == "" || f.Reader == nil {
			bad("file %d has no name or no content", i)
		}
	}
	if len(msg.Components) > MaxActionRows {
		bad("%d component rows (max %d)", len(msg.Components), MaxActionRows)
	}
	if len(msg.Embeds) > MaxEmbeds {
		bad("%d embeds (max %d)", len(msg.Embeds), MaxEmbeds)
	}
	total := 0
	for i, e := range msg.Embeds {
		if e == nil {
			bad("embed %d is nil", i)
			continue
		}
		total += embedSize(e)
		if n := runes(e.Title); n > MaxEmbedTitle {
			bad("embed %d: title has %d characters (max %d)", i, n, MaxEmbedTitle)
		}
		if n := runes(e.Description); n > MaxEmbedDescription {
			bad("embed %d: description has %d characters (max %d)", i, n, MaxEmbedDescription)
		}
		if len(e.Fields) > MaxEmbedFields {
			bad("embed %d: %d fields (max %d)", i, len(e.Fields), MaxEmbedFields)
		}
		for j, f := range e.Fields {
			switch {
			case f == nil:
				bad("embed %d field %d is nil", i, j)
			case strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "":
				bad("embed %d field %d has an empty name or value", i, j) // Discord trims, then requires both
			case runes(f.Name) > MaxFieldName:
				bad("embed %d field %d: name has %d characters (max %d)", i, j, runes(f.Name), MaxFieldName)
			case runes(f.Value) > MaxFieldValue:
				bad("embed %d field %d: value has %d characters (max %d)", i, j, runes(f.Value), MaxFieldValue)
			}
		}
		if e.Footer != nil && runes(e.Footer.Text) > MaxFooterText {
			bad("embed %d: footer has %d characters (max %d)", i, runes(e.Footer.Text), MaxFooterText)
		}
	}
	if total > MaxEmbedsTotal {
		bad("embeds have %d characters together (max %d)", total, MaxEmbedsTotal)
	}
	if len(problems) > 0 {
		return fmt.Errorf("commands: message over Discord's limits: %s", strings.Join(problems, "; "))
	}
	return nil
}
