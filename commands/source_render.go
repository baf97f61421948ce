package commands

import (
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/folder"
)

// problemBlock lists problems in a code block, as many as fit in max.
func problemBlock(problems []string, max int) string {
	var b strings.Builder
	for i, p := range problems {
		line := Truncate(p, 400) + "\n"
		if runes(b.String())+runes(line) > max-20 {
			fmt.Fprintf(&b, "… and %d more\n", len(problems)-i)
			break
		}
		b.WriteString(line)
	}
	return "```\n" + strings.ReplaceAll(b.String(), "```", "'''") + "```"
}

// RenderPlan lays out a planned change: the facts it adds, changes and
// removes, and every conflict with the facts already there.
func RenderPlan(p *folder.Plan, ttl time.Duration) []Message {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**: %s added, %s changed, %s removed.\n", EscapeMarkdown(upperFirst(p.Summary())),
		Count(len(p.Changes.Added), "fact", "facts"), Count(len(p.Changes.Changed), "fact", "facts"), Count(len(p.Changes.Removed), "fact", "facts"))
	if files := fileLine(p.Files); files != "" {
		b.WriteString(files + "\n")
	}
	if len(p.Conflicts) == 0 {
		b.WriteString("No conflict with the facts already there.\n")
	} else {
		fmt.Fprintf(&b, "⚠️ %s with facts already there: the same measure and period, another figure. Answers will show them side by side as differing reports.\n",
			Count(len(p.Conflicts), "conflict", "conflicts"))
	}
	var fields []*discordgo.MessageEmbedField
	add := func(name string, lines []string) {
		fields = append(fields, fieldsOf(name, lines)...)
	}
	factLine := func(b *knowledge.Base, id string) string {
		if b == nil { // the folder was not valid before the change
			return "`" + id + "`"
		}
		f, ok := b.Fact(id)
		if !ok {
			return "`" + id + "`"
		}
		return "`" + id + "` " + Truncate(EscapeMarkdown(f.Statement), 300)
	}
	var lines []string
	for _, c := range p.Conflicts {
		lines = append(lines, fmt.Sprintf("`%s` %s vs `%s` %s (%s) — %s, %s", c.Fact.ID, amount(c.Figure), c.Other.ID, amount(c.OtherFigure),
			EscapeMarkdown(c.Other.Attribution), EscapeMarkdown(c.Figure.Measure), EscapeMarkdown(c.Figure.Period)))
	}
	if len(lines) > 0 {
		add(fmt.Sprintf("Conflicts (%d)", len(lines)), lines)
	}
	for _, part := range p.Parts() {
		if len(part.IDs) == 0 {
			continue
		}
		lines = lines[:0]
		for _, id := range part.IDs {
			lines = append(lines, factLine(part.Base, id))
		}
		add(fmt.Sprintf("%s (%d)", part.Name, len(part.IDs)), lines)
	}
	in := layoutInput{
		title: "Preview — nothing has changed yet", text: b.String(), fields: fields, colour: ColourInfo,
		footer: fmt.Sprintf("Confirm within %s to make it live · only you see this", Count(int(ttl.Round(time.Minute)/time.Minute), "minute", "minutes")),
	}
	// Keep the preview to one message, so its buttons sit under all of it:
	// drop fields from the end, saying how many.
	for shown := len(fields); ; shown-- {
		msgs := layout(in)
		if len(msgs) == 1 || shown <= 1 {
			return msgs
		}
		in.fields = append(append([]*discordgo.MessageEmbedField(nil), fields[:shown-1]...),
			&discordgo.MessageEmbedField{Name: "…", Value: fmt.Sprintf("%d more lists of facts not shown; /source show lists a source's facts", len(fields)-shown+1)})
	}
}

// amount is a figure without its measure: "more than $10 billion".
func amount(g knowledge.Figure) string {
	g.Measure = ""
	return g.String()
}

func fileLine(c folder.FileChanges) string {
	var parts []string
	for _, part := range []struct {
		verb  string
		names []string
	}{{"writes", c.Added}, {"rewrites", c.Changed}, {"removes", c.Removed}} {
		if len(part.names) > 0 {
			parts = append(parts, part.verb+" "+quoteList(part.names))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "It " + strings.Join(parts, ", ") + " in the knowledge folder."
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + strings.ReplaceAll(n, "`", "'") + "`"
	}
	return strings.Join(q, ", ")
}

// HistoryLine describes a version in a line.
func HistoryLine(v folder.Version) string {
	line := fmt.Sprintf("**v%d** %s · %s · %s (+%d ~%d −%d)", v.N, v.Time.UTC().Format("2006-01-02 15:04 UTC"),
		EscapeMarkdown(v.Who), EscapeMarkdown(v.Summary), len(v.Facts.Added), len(v.Facts.Changed), len(v.Facts.Removed))
	if v.Recovered {
		line += " (finished after a restart)"
	}
	return line
}
