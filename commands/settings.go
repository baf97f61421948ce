package commands

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/records"
)

// ServerSettings are the per-server settings: *records.Settings.
type ServerSettings interface {
	For(ctx context.Context, guildID string) records.Effective
	Save(ctx context.Context, g records.GuildSettings) (records.Effective, error)
}

// Limits of /settings.
const (
	MaxSettingsRateLimit = 120
	maxSettingsIDs       = 25
)

func settingsSpec() *discordgo.ApplicationCommand {
	one := float64(1)
	return moderatorSpec("settings", "Moderators: this server's answer channels, moderator roles, audit channel, rate limit",
		[]*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "answer_channels", MaxLength: 1000,
				Description: "Channels where any question is answered: #mentions or ids, \"none\", or \"default\""},
			{Type: discordgo.ApplicationCommandOptionString, Name: "moderator_roles", MaxLength: 1000,
				Description: "Roles that count as moderators: @mentions or ids, \"none\", or \"default\""},
			{Type: discordgo.ApplicationCommandOptionChannel, Name: "audit_channel",
				Description:  "Where bytewatch posts changes of these settings",
				ChannelTypes: []discordgo.ChannelType{discordgo.ChannelTypeGuildText}},
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "no_audit_channel", Description: "Stop posting changes"},
			{Type: discordgo.ApplicationCommandOptionInteger, Name: "rate_limit", MinValue: &one, MaxValue: MaxSettingsRateLimit,
				Description: "Questions one person may ask a minute"},
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "reset", Description: "Back to the defaults for every setting"},
		}...)
}

// idMarkup finds the ids in a list of channel or role mentions or bare ids.
var idMarkup = regexp.MustCompile(`^(?:<#(\d+)>|<@&(\d+)>|(\d+))$`)

// parseIDs reads an answer_channels or moderator_roles option: nil for
// "default", an empty list for "none", else the ids.
func parseIDs(name, v string) (*[]string, error) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "default":
		return nil, nil
	case "none", "":
		return &[]string{}, nil
	}
	var ids []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		m := idMarkup.FindStringSubmatch(f)
		if m == nil {
			return nil, fmt.Errorf("%s: %q is not a mention or an id", name, Truncate(f, 40))
		}
		id := m[1] + m[2] + m[3]
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			return nil, fmt.Errorf("%s: %q is not an id", name, Truncate(f, 40))
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > maxSettingsIDs {
		return nil, fmt.Errorf("%s: at most %d", name, maxSettingsIDs)
	}
	return &ids, nil
}

// settings shows a moderator this server's settings, changing first those
// the options name.
func (c *commandSet) settings(ctx context.Context, r *Request) error {
	if c.cfg.Settings == nil {
		r.Outcome = "unavailable"
		return r.Respond.SendText(ctx, NoRecordsKept)
	}
	guild := r.Interaction.GuildID
	cur := c.cfg.Settings.For(ctx, guild)
	own := cur.Own
	own.GuildID = guild
	var changes []string
	var problems []string
	for _, o := range r.Interaction.ApplicationCommandData().Options {
		if o == nil {
			continue
		}
		switch {
		case o.Name == "reset" && o.Type == discordgo.ApplicationCommandOptionBoolean:
			if v, _ := o.Value.(bool); v {
				own = records.GuildSettings{GuildID: guild}
				changes = append(changes, "every setting back to the default")
			}
		case (o.Name == "answer_channels" || o.Name == "moderator_roles") && o.Type == discordgo.ApplicationCommandOptionString:
			ids, err := parseIDs(o.Name, o.StringValue())
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			if o.Name == "answer_channels" {
				own.AnswerChannelIDs = ids
			} else {
				own.ModeratorRoleIDs = ids
			}
			changes = append(changes, o.Name+" → "+describeIDs(ids, o.Name == "answer_channels"))
		case o.Name == "audit_channel" && o.Type == discordgo.ApplicationCommandOptionChannel:
			id, _ := o.Value.(string)
			if _, err := strconv.ParseUint(id, 10, 64); err != nil {
				problems = append(problems, "audit_channel: not a channel")
				continue
			}
			own.AuditChannelID = &id
			changes = append(changes, "audit channel → <#"+id+">")
		case o.Name == "no_audit_channel" && o.Type == discordgo.ApplicationCommandOptionBoolean:
			if v, _ := o.Value.(bool); v {
				own.AuditChannelID = nil
				changes = append(changes, "no audit channel")
			}
		case o.Name == "rate_limit" && o.Type == discordgo.ApplicationCommandOptionInteger:
			n := int(o.IntValue())
			if n < 1 || n > MaxSettingsRateLimit {
				problems = append(problems, fmt.Sprintf("rate_limit: from 1 to %d", MaxSettingsRateLimit))
				continue
			}
			own.RateLimit = &n
			changes = append(changes, fmt.Sprintf("rate limit → %s a minute", Count(n, "question", "questions")))
		}
	}
	if len(problems) > 0 {
		r.Outcome = "invalid"
		return r.Respond.SendText(ctx, "Nothing was changed: "+strings.Join(problems, "; ")+".")
	}
	if len(changes) == 0 {
		r.Outcome = "shown"
		return r.Respond.Send(ctx, renderSettings(cur, "")...)
	}
	eff, err := c.cfg.Settings.Save(ctx, own)
	if err != nil {
		r.Outcome, r.Reason = "error", "records_unavailable"
		c.log.LogAttrs(ctx, slog.LevelError, "records: saving settings failed", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
		return r.Respond.SendText(ctx, "bytewatch couldn't save the settings just now; nothing changed. Please try again in a minute.")
	}
	r.Outcome = "changed"
	r.Annotate(slog.Int("changes", len(changes)))
	c.audit(ctx, cur.AuditChannelID, eff.AuditChannelID, fmt.Sprintf("Settings changed by <@%s> with /settings: %s.", r.UserID(), strings.Join(changes, "; ")))
	return r.Respond.Send(ctx, renderSettings(eff, "Changed: "+strings.Join(changes, "; ")+". In force now.")...)
}

// audit posts line to the audit channels before and after a change (each
// once). Failing to post is logged, not reported: the change is made.
func (c *commandSet) audit(ctx context.Context, channels ...string) {
	if len(channels) == 0 || c.rest == nil {
		return
	}
	line := channels[len(channels)-1]
	seen := map[string]bool{}
	for _, ch := range channels[:len(channels)-1] {
		if ch == "" || seen[ch] {
			continue
		}
		seen[ch] = true
		sctx, cancel := replyContext(ctx)
		_, err := c.rest.Send(sctx, ch, &discordgo.MessageSend{Content: Truncate(line, MaxContent)})
		cancel()
		if err != nil {
			c.log.LogAttrs(ctx, slog.LevelWarn, "could not post to the audit channel", slog.String("channel_id", ch), slog.Any("error", err))
		}
	}
}

func describeIDs(ids *[]string, channels bool) string {
	switch {
	case ids == nil:
		return "the default"
	case len(*ids) == 0:
		return "none"
	}
	out := make([]string, len(*ids))
	for i, id := range *ids {
		if channels {
			out[i] = "<#" + id + ">"
		} else {
			out[i] = "<@&" + id + ">"
		}
	}
	return strings.Join(out, ", ")
}

// renderSettings shows the settings in force, marking the defaults.
func renderSettings(e records.Effective, head string) []Message {
	def := func(own bool) string {
		if own {
			return ""
		}
		return " *(default)*"
	}
	list := func(ids []string, channels bool) string {
		if len(ids) == 0 {
			return "none"
		}
		return describeIDs(&ids, channels)
	}
	audit := "none"
	if e.AuditChannelID != "" {
		audit = "<#" + e.AuditChannelID + ">"
	}
	fields := []*discordgo.MessageEmbedField{
		{Name: "Answer channels", Value: Truncate(list(e.AnswerChannelIDs, true)+def(e.Own.AnswerChannelIDs != nil), MaxFieldValue)},
		{Name: "Moderator roles", Value: Truncate(list(e.ModeratorRoleIDs, false)+def(e.Own.ModeratorRoleIDs != nil)+" — besides Manage Server", MaxFieldValue)},
		{Name: "Audit channel", Value: audit},
		{Name: "Rate limit", Value: Count(e.RateLimit, "question", "questions") + " a minute per person" + def(e.Own.RateLimit != nil)},
	}
	text := head
	if text == "" {
		text = "This server's settings. Change one with an option of /settings; defaults come from the bot's environment."
	}
	return layout(layoutInput{title: "bytewatch settings", text: text, fields: fields, colour: ColourInfo})
}
