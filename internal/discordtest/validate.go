package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits on message bodies, enforced by the emulator.
// See https://discord.com/developers/docs/resources/message#embed-object-embed-limits.
const (
	MaxContentLength    = 2000
	MaxEmbeds           = 10
	MaxEmbedTitle       = 256
	MaxEmbedDescription = 4096
	MaxEmbedFields      = 25
	MaxEmbedFieldName   = 256
	MaxEmbedFieldValue  = 1024
	MaxEmbedFooterText  = 2048
	MaxEmbedAuthorName  = 256
	MaxEmbedsTotal      = 6000 // characters across all embeds of one message
	maxAllowedMentionID = 100
)

// messageBody is what the emulator reads from a body that creates or edits a
// message: a channel message, an interaction callback's data, a webhook
// follow-up or edit.
type messageBody struct {
	fields          map[string]json.RawMessage // top-level keys as sent
	Content         string
	Embeds          []*discordgo.MessageEmbed
	AllowedMentions *discordgo.MessageAllowedMentions
	Flags           discordgo.MessageFlags
	Reference       *discordgo.MessageReference
	Raw             json.RawMessage
}

// has reports whether the body sets key to something other than null.
func (b messageBody) has(key string) bool {
	v, ok := b.fields[key]
	return ok && string(bytes.TrimSpace(v)) != "null"
}

// sent reports whether the body names key at all, null included: an edit
// with "content": null clears the content.
func (b messageBody) sent(key string) bool {
	_, ok := b.fields[key]
	return ok
}

// empty reports whether the body would make a message with nothing in it.
func (b messageBody) empty() bool {
	if b.Content != "" || len(b.Embeds) > 0 {
		return false
	}
	for _, k := range []string{"components", "sticker_ids", "attachments", "poll"} {
		if b.hasContent(k) {
			return false
		}
	}
	return true
}

// hasContent reports whether key is set to something other than null, an
// empty list or an empty object.
func (b messageBody) hasContent(key string) bool {
	if !b.has(key) {
		return false
	}
	var v any
	if json.Unmarshal(b.fields[key], &v) != nil {
		return true
	}
	switch t := v.(type) {
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

// parseMessageBody decodes raw (a JSON object, or empty) and checks it against
// Discord's rules, adding problems to f under path.
func parseMessageBody(raw json.RawMessage, path []string, f *formErrors) messageBody {
	b := messageBody{Raw: raw}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return b
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		f.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
		return b
	}
	b.fields = fields
	checkSnowflakes(raw, path, f) // first, so a numeric ID is reported as such, not as a type error
	decodeField(fields, "content", &b.Content, path, f)
	decodeField(fields, "embeds", &b.Embeds, path, f)
	decodeField(fields, "allowed_mentions", &b.AllowedMentions, path, f)
	decodeField(fields, "flags", &b.Flags, path, f)
	decodeField(fields, "message_reference", &b.Reference, path, f)
	checkMessageLimits(b, path, f)
	return b
}

// decodeField decodes fields[key] into v, reporting a type mismatch at that key.
func decodeField(fields map[string]json.RawMessage, key string, v any, path []string, f *formErrors) {
	raw, ok := fields[key]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return
	}
	if err := json.Unmarshal(raw, v); err != nil {
		p := appendPath(path, key)
		if f.hasUnder(p) {
			return // already reported more precisely
		}
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
			p = appendPath(p, strings.Split(te.Field, ".")...)
		}
		f.add(p, "MODEL_TYPE_CONVERT", fmt.Sprintf("Could not interpret %s.", truncate(string(raw), 40)))
	}
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// length counts characters as Discord does for its limits: Unicode code points.
func length(s string) int { return utf8.RuneCountInString(s) }

// checkMessageLimits enforces the length and count limits on content, embeds
// and allowed_mentions.
func checkMessageLimits(b messageBody, path []string, f *formErrors) {
	if n := length(b.Content); n > MaxContentLength {
		f.add(appendPath(path, "content"), "BASE_TYPE_MAX_LENGTH", maxLengthMessage(MaxContentLength))
	}
	if len(b.Embeds) > MaxEmbeds {
		f.add(appendPath(path, "embeds"), "BASE_TYPE_MAX_LENGTH", maxLengthMessage(MaxEmbeds))
	}
	total := 0
	for i, e := range b.Embeds {
		if e == nil {
			continue
		}
		ep := appendPath(path, "embeds", strconv.Itoa(i))
		maxLen := func(field string, s string, max int) {
			if length(s) > max {
				f.add(appendPath(ep, strings.Split(field, ".")...), "BASE_TYPE_MAX_LENGTH", maxLengthMessage(max))
			}
			total += length(s)
		}
		maxLen("title", e.Title, MaxEmbedTitle)
		maxLen("description", e.Description, MaxEmbedDescription)
		if len(e.Fields) > MaxEmbedFields {
			f.add(appendPath(ep, "fields"), "BASE_TYPE_MAX_LENGTH", maxLengthMessage(MaxEmbedFields))
		}
		for j, field := range e.Fields {
			if field == nil {
				continue
			}
			fp := "fields." + strconv.Itoa(j)
			if field.Name == "" {
				f.add(appendPath(ep, "fields", strconv.Itoa(j), "name"), "BASE_TYPE_REQUIRED", "This field is required")
			}
			if field.Value == "" {
				f.add(appendPath(ep, "fields", strconv.Itoa(j), "value"), "BASE_TYPE_REQUIRED", "This field is required")
			}
			maxLen(fp+".name", field.Name, MaxEmbedFieldName)
			maxLen(fp+".value", field.Value, MaxEmbedFieldValue)
		}
		if e.Footer != nil {
			maxLen("footer.text", e.Footer.Text, MaxEmbedFooterText)
		}
		if e.Author != nil {
			maxLen("author.name", e.Author.Name, MaxEmbedAuthorName)
		}
	}
	if total > MaxEmbedsTotal {
		f.add(appendPath(path, "embeds"), "MAX_EMBED_SIZE_EXCEEDED",
			fmt.Sprintf("Embed size exceeds maximum size of %d", MaxEmbedsTotal))
	}
	if am := b.AllowedMentions; am != nil {
		ap := appendPath(path, "allowed_mentions")
		parse := map[discordgo.AllowedMentionType]bool{}
		for i, p := range am.Parse {
			switch p {
			case discordgo.AllowedMentionTypeRoles, discordgo.AllowedMentionTypeUsers, discordgo.AllowedMentionTypeEveryone:
				parse[p] = true
			default:
				f.add(appendPath(ap, "parse", strconv.Itoa(i)), "BASE_TYPE_CHOICES",
					"Value must be one of ('roles', 'users', 'everyone').")
			}
		}
		if parse[discordgo.AllowedMentionTypeUsers] && len(am.Users) > 0 {
			f.add(ap, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["users"] and users: [ids...] are mutually exclusive.`)
		}
		if parse[discordgo.AllowedMentionTypeRoles] && len(am.Roles) > 0 {
			f.add(ap, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["roles"] and roles: [ids...] are mutually exclusive.`)
		}
		if len(am.Users) > maxAllowedMentionID {
			f.add(appendPath(ap, "users"), "BASE_TYPE_MAX_LENGTH", maxLengthMessage(maxAllowedMentionID))
		}
		if len(am.Roles) > maxAllowedMentionID {
			f.add(appendPath(ap, "roles"), "BASE_TYPE_MAX_LENGTH", maxLengthMessage(maxAllowedMentionID))
		}
	}
}

var snowflakePattern = regexp.MustCompile(`^[0-9]{1,20}$`)

// checkSnowflakes walks a JSON body and reports every snowflake that is not a
// string of digits. Discord sends and documents snowflakes as strings because
// they exceed 2^53; a number in a body is a bug even where Discord would
// coerce it, so the emulator rejects it.
func checkSnowflakes(raw json.RawMessage, path []string, f *formErrors) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return // reported elsewhere as invalid JSON or a type error
	}
	walkSnowflakes(v, path, "", f)
}

// walkSnowflakes checks v, found under key in its parent object.
func walkSnowflakes(v any, path []string, key string, f *formErrors) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			p := appendPath(path, k)
			switch {
			case k == "components" || k == "attachments" || k == "poll":
				// Component ids and new attachments' ids are integers, not snowflakes.
				continue
			case isSnowflakeKey(k):
				checkSnowflake(child, p, f)
			case isSnowflakeListKey(k, key):
				list, ok := child.([]any)
				if !ok {
					if child != nil {
						f.add(p, "BASE_TYPE_ARRAY", "Must be an array.")
					}
					continue
				}
				for i, item := range list {
					checkSnowflake(item, appendPath(p, strconv.Itoa(i)), f)
				}
			default:
				walkSnowflakes(child, p, k, f)
			}
		}
	case []any:
		for i, child := range t {
			walkSnowflakes(child, appendPath(path, strconv.Itoa(i)), key, f)
		}
	}
}

func isSnowflakeKey(k string) bool {
	return k == "id" || (strings.HasSuffix(k, "_id") && k != "custom_id")
}

func isSnowflakeListKey(k, parent string) bool {
	return strings.HasSuffix(k, "_ids") || (parent == "allowed_mentions" && (k == "users" || k == "roles"))
}

func checkSnowflake(v any, path []string, f *formErrors) {
	switch t := v.(type) {
	case nil:
	case string:
		if !snowflakePattern.MatchString(t) {
			f.add(path, "NUMBER_TYPE_COERCE", fmt.Sprintf("Value %q is not snowflake.", t))
		}
	case json.Number:
		f.add(path, "NUMBER_TYPE_COERCE", fmt.Sprintf("Value %q is not snowflake: snowflakes must be sent as strings.", t.String()))
	default:
		f.add(path, "NUMBER_TYPE_COERCE", fmt.Sprintf("Value %v is not snowflake.", t))
	}
}

// Command names: 1-32 letters, digits, '-', '_' or '\”; chat-input names
// must also be lower case.
var commandNamePattern = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

const (
	maxCommands          = 100
	maxCommandOptions    = 25
	maxOptionChoices     = 25
	maxCommandDescLength = 100
)

// parseCommands decodes and checks the body of a bulk overwrite.
func parseCommands(raw json.RawMessage, f *formErrors) []*discordgo.ApplicationCommand {
	var cmds []*discordgo.ApplicationCommand
	if err := json.Unmarshal(raw, &cmds); err != nil {
		var probe any
		if json.Unmarshal(raw, &probe) == nil {
			if _, isList := probe.([]any); !isList {
				f.add(nil, "BASE_TYPE_ARRAY", "Must be an array.")
				return nil
			}
		}
		f.add(nil, "MODEL_TYPE_CONVERT", "Could not interpret the commands: "+err.Error())
		return nil
	}
	checkSnowflakes(raw, nil, f)
	if len(cmds) > maxCommands {
		f.add(nil, "BASE_TYPE_MAX_LENGTH", maxLengthMessage(maxCommands))
	}
	type nameKey struct {
		name string
		typ  discordgo.ApplicationCommandType
	}
	seen := map[nameKey]bool{}
	for i, c := range cmds {
		p := []string{strconv.Itoa(i)}
		if c == nil {
			f.add(p, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
			continue
		}
		typ := c.Type
		if typ == 0 {
			typ = discordgo.ChatApplicationCommand
		}
		switch typ {
		case discordgo.ChatApplicationCommand, discordgo.UserApplicationCommand, discordgo.MessageApplicationCommand:
		default:
			f.add(appendPath(p, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
		}
		chat := typ == discordgo.ChatApplicationCommand
		checkCommandName(c.Name, chat, appendPath(p, "name"), f)
		if chat {
			checkDescription(c.Description, appendPath(p, "description"), f)
			checkOptions(c.Options, appendPath(p, "options"), f)
		} else if c.Description != "" || len(c.Options) > 0 {
			f.add(p, "APPLICATION_COMMAND_INVALID_DESCRIPTION", "Only chat input commands may have a description or options.")
		}
		k := nameKey{c.Name, typ}
		if seen[k] {
			f.add(appendPath(p, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[k] = true
	}
	return cmds
}

func checkCommandName(name string, chat bool, path []string, f *formErrors) {
	if length(name) < 1 || length(name) > 32 {
		f.add(path, "BASE_TYPE_BAD_LENGTH", minMaxLengthMessage(1, 32))
		return
	}
	if chat && (!commandNamePattern.MatchString(name) || strings.ToLower(name) != name) {
		f.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
	}
}

func checkDescription(desc string, path []string, f *formErrors) {
	if n := length(desc); n < 1 || n > maxCommandDescLength {
		f.add(path, "BASE_TYPE_BAD_LENGTH", minMaxLengthMessage(1, maxCommandDescLength))
	}
}

func checkOptions(opts []*discordgo.ApplicationCommandOption, path []string, f *formErrors) {
	if len(opts) > maxCommandOptions {
		f.add(path, "BASE_TYPE_MAX_LENGTH", maxLengthMessage(maxCommandOptions))
	}
	seen := map[string]bool{}
	optionalSeen := false
	for i, o := range opts {
		p := appendPath(path, strconv.Itoa(i))
		if o == nil {
			f.add(p, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
			continue
		}
		if o.Type < discordgo.ApplicationCommandOptionSubCommand || o.Type > discordgo.ApplicationCommandOptionAttachment {
			f.add(appendPath(p, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
		}
		checkCommandName(o.Name, true, appendPath(p, "name"), f)
		checkDescription(o.Description, appendPath(p, "description"), f)
		if seen[o.Name] {
			f.add(appendPath(p, "name"), "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME", "Option names must be unique")
		}
		seen[o.Name] = true
		sub := o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup
		if sub {
			checkOptions(o.Options, appendPath(p, "options"), f)
			continue
		}
		if o.Required && optionalSeen {
			f.add(p, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
		}
		if !o.Required {
			optionalSeen = true
		}
		if len(o.Choices) > maxOptionChoices {
			f.add(appendPath(p, "choices"), "BASE_TYPE_MAX_LENGTH", maxLengthMessage(maxOptionChoices))
		}
		for j, c := range o.Choices {
			if c != nil && (length(c.Name) < 1 || length(c.Name) > 100) {
				f.add(appendPath(p, "choices", strconv.Itoa(j), "name"), "BASE_TYPE_BAD_LENGTH", minMaxLengthMessage(1, 100))
			}
		}
	}
}
