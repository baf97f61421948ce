package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// DefaultMemberPermissions are an ordinary member's permissions, used by an
// InteractionSpec that sets none, and given to @everyone in GUILD_CREATE.
const DefaultMemberPermissions int64 = discordgo.PermissionViewChannel |
	discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks |
	discordgo.PermissionAttachFiles |
	discordgo.PermissionReadMessageHistory |
	discordgo.PermissionAddReactions |
	discordgo.PermissionUseExternalEmojis |
	discordgo.PermissionUseApplicationCommands |
	discordgo.PermissionSendMessagesInThreads

// The user events come from when a spec names none.
const (
	DefaultUserID   = "700000000000000001"
	DefaultUserName = "investor"
)

// InteractionSpec describes a slash command a user invokes.
type InteractionSpec struct {
	Command string          // the command's name, e.g. "ask"
	Options []CommandOption // the options the user filled in
	// GuildID and ChannelID say where: empty means the first guild and its
	// first channel. With DM set the command comes from a DM with the bot:
	// no guild, and "user" instead of "member".
	GuildID   string
	ChannelID string
	DM        bool
	UserID    string // empty means DefaultUserID
	Username  string // empty means DefaultUserName
	// Permissions are the member's permissions in the channel, sent as a
	// string as Discord does; 0 means DefaultMemberPermissions.
	Permissions int64
	Locale      string // empty means "en-US"
	// CustomID makes it a button click (a message component interaction)
	// instead of a command: the custom_id of the button pressed on the
	// message MessageID, which the payload carries as Discord does.
	CustomID  string
	MessageID string
	// Autocomplete makes it an autocomplete request (type 4) for Command:
	// Discord sends one as the user types, with the option being typed
	// marked Focused.
	Autocomplete bool
	// ModalValues are a form's text inputs: each one's custom_id and the
	// value the user typed, one text input per row as Discord sends them.
	// With CustomID (and a button's MessageID) or with ModalCustomID they
	// make it the submission of a form (a modal, type 5).
	ModalValues map[string]string
	// ModalCustomID makes it the submission of a modal with that custom_id
	// whatever else the spec says.
	ModalCustomID string
	// Attachments are the files the user attached to the command's
	// attachment options (an option of type 11 whose Value is the
	// attachment's ID): sent in data.resolved.attachments as Discord does.
	// Make them with Server.AddAttachment, which serves their bytes.
	Attachments []*discordgo.MessageAttachment
	// Token is the interaction's token, from NewInteractionToken; empty
	// means a new one. Choosing it first lets a test set up its webhook
	// routes (a RateLimit, say) before the bot can call them.
	Token string
}

// CommandOption is one option of an invoked command.
type CommandOption struct {
	Name string
	// Type is the option's type; 0 infers it from Value: string 3, integer 4,
	// bool 5, float 10, or a sub-command (1) when Options are set.
	Type    discordgo.ApplicationCommandOptionType
	Value   any
	Options []CommandOption // a sub-command's options
	// Focused marks the option an autocomplete request is for.
	Focused bool
}

// Interaction is an interaction the server dispatched, and what the bot did
// with it. Its exported fields never change; read the rest with its
// methods, which are safe for concurrent use.
type Interaction struct {
	ID, Token, AppID string
	GuildID          string // empty for a DM
	ChannelID        string
	UserID           string
	Command          string
	DispatchedAt     time.Time       // the callback deadline counts from here
	Payload          json.RawMessage // INTERACTION_CREATE's "d" as sent

	srv *Server
	// Guarded by srv.mu.
	callback      *Callback
	original      *discordgo.Message // nil before the callback and after deletion
	edits         []Message          // accepted edits of @original
	followups     []Message
	followupsByID map[string]*discordgo.Message
	requests      []Request
}

// Callback is the bot's answer to POST /interactions/{id}/{token}/callback.
type Callback struct {
	Type discordgo.InteractionResponseType // 4 message, 5 deferred, 8 autocomplete, 9 modal
	// Choices are an autocomplete result's suggestions (type 8).
	Choices []*discordgo.ApplicationCommandOptionChoice
	Data    Message         // the "data" object; zero when there was none
	Raw     json.RawMessage // the whole body as sent
	After   time.Duration   // since the interaction was dispatched
	Time    time.Time
}

// Message is one message body the bot sent: a callback's data, an edit of
// @original, a follow-up, or a channel message or edit.
type Message struct {
	ID        string // the message the body created or edited
	ChannelID string
	// Content is the body's content; empty when it had none (Raw tells
	// absent from empty).
	Content         string
	Embeds          []*discordgo.MessageEmbed
	AllowedMentions *discordgo.MessageAllowedMentions // nil when the body had none
	Flags           discordgo.MessageFlags
	Reference       *discordgo.MessageReference
	Raw             json.RawMessage // the body exactly as sent
	Time            time.Time
	After           time.Duration // since the interaction was dispatched; 0 for channel messages
}

func messageFromBody(b messageBody, id, channelID string, at time.Time, after time.Duration) Message {
	return Message{
		ID: id, ChannelID: channelID, Content: b.Content, Embeds: b.Embeds,
		AllowedMentions: b.AllowedMentions, Flags: b.Flags, Reference: b.Reference,
		Raw: b.Raw, Time: at, After: after,
	}
}

// DispatchInteraction sends INTERACTION_CREATE for an application command as
// Discord does and returns the interaction to wait on. Its callback is
// accepted until the interaction deadline (3 s by default) after this call.
func (s *Server) DispatchInteraction(spec InteractionSpec) *Interaction {
	s.mu.Lock()
	in := s.newInteractionLocked(spec)
	s.mu.Unlock()
	s.DispatchRaw("INTERACTION_CREATE", in.Payload)
	return in
}

// NewInteractionToken returns a new interaction token, shaped like
// Discord's, for InteractionSpec.Token.
func (s *Server) NewInteractionToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newTokenLocked()
}

func (s *Server) newTokenLocked() string {
	return "aW50ZXJhY3Rpb246" + s.newSnowflakeLocked() + randomHex(24) // "interaction:" in base64, as Discord's tokens start
}

func (s *Server) newInteractionLocked(spec InteractionSpec) *Interaction {
	id := s.newSnowflakeLocked()
	token := spec.Token
	if token == "" {
		token = s.newTokenLocked()
	}
	user := discordgo.User{ID: spec.UserID, Username: spec.Username, Discriminator: "0"}
	if user.ID == "" {
		user.ID = DefaultUserID
	}
	if user.Username == "" {
		user.Username = DefaultUserName
	}
	s.users[user.ID] = &user
	locale := spec.Locale
	if locale == "" {
		locale = "en-US"
	}
	perms := spec.Permissions
	if perms == 0 {
		perms = DefaultMemberPermissions
	}

	in := &Interaction{ID: id, Token: token, AppID: s.cfg.appID, UserID: user.ID, Command: spec.Command, srv: s,
		followupsByID: map[string]*discordgo.Message{}}
	payload := map[string]any{
		"id": id, "application_id": s.cfg.appID, "type": discordgo.InteractionApplicationCommand,
		"token": token, "version": 1, "locale": locale, "entitlements": []any{},
		"app_permissions":       strconv.FormatInt(DefaultMemberPermissions, 10),
		"attachment_size_limit": 10 << 20,
	}
	data := map[string]any{"name": spec.Command, "type": discordgo.ChatApplicationCommand}
	if len(spec.Options) > 0 {
		data["options"] = optionsJSON(spec.Options)
	}
	if len(spec.Attachments) > 0 {
		byID := map[string]*discordgo.MessageAttachment{}
		for _, a := range spec.Attachments {
			byID[a.ID] = a
		}
		data["resolved"] = map[string]any{"attachments": byID}
	}
	if spec.DM {
		in.ChannelID = spec.ChannelID
		if in.ChannelID == "" {
			in.ChannelID = s.dmChannelLocked(user.ID)
		}
		s.channels[in.ChannelID] = ""
		payload["user"] = userJSON(user)
		payload["context"] = discordgo.InteractionContextBotDM
		payload["authorizing_integration_owners"] = map[string]string{"0": user.ID}
		payload["channel"] = map[string]any{"id": in.ChannelID, "type": discordgo.ChannelTypeDM, "flags": 0}
	} else {
		in.GuildID, in.ChannelID = spec.GuildID, spec.ChannelID
		if in.GuildID == "" {
			in.GuildID = s.cfg.guilds[0].id
		}
		if in.ChannelID == "" {
			in.ChannelID = s.firstChannelLocked(in.GuildID)
		}
		s.channels[in.ChannelID] = in.GuildID
		payload["guild_id"] = in.GuildID
		payload["guild_locale"] = "en-US"
		payload["guild"] = map[string]any{"id": in.GuildID, "locale": "en-US", "features": []any{}}
		payload["member"] = map[string]any{
			"user": userJSON(user), "roles": []any{}, "nick": nil, "avatar": nil,
			"joined_at":   time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339Nano),
			"permissions": strconv.FormatInt(perms, 10), // a string on the wire
			"deaf":        false, "mute": false, "flags": 0, "pending": false,
			"premium_since": nil, "communication_disabled_until": nil,
		}
		payload["context"] = discordgo.InteractionContextGuild
		payload["authorizing_integration_owners"] = map[string]string{"0": in.GuildID}
		payload["channel"] = map[string]any{"id": in.ChannelID, "type": discordgo.ChannelTypeGuildText, "guild_id": in.GuildID, "flags": 0}
	}
	payload["channel_id"] = in.ChannelID
	data["id"] = s.commandIDLocked(in.GuildID, spec.Command)
	payload["data"] = data
	if spec.Autocomplete {
		payload["type"] = discordgo.InteractionApplicationCommandAutocomplete
	}
	if spec.CustomID != "" {
		payload["type"] = discordgo.InteractionMessageComponent
		payload["data"] = map[string]any{"custom_id": spec.CustomID, "component_type": discordgo.ButtonComponent}
		if m := s.messages[spec.MessageID]; m != nil {
			payload["message"] = m
		}
		if spec.ModalValues != nil {
			keys := make([]string, 0, len(spec.ModalValues))
			for k := range spec.ModalValues {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			rows := make([]any, 0, len(keys))
			for _, k := range keys {
				rows = append(rows, map[string]any{"type": discordgo.ActionsRowComponent, "components": []any{
					map[string]any{"type": discordgo.TextInputComponent, "custom_id": k, "value": spec.ModalValues[k]},
				}})
			}
			payload["type"] = discordgo.InteractionModalSubmit
			payload["data"] = map[string]any{"custom_id": spec.CustomID, "components": rows}
		}
	}
	if spec.ModalCustomID != "" {
		payload["type"] = discordgo.InteractionModalSubmit
		var rows []any
		for _, id := range sortedKeys(spec.ModalValues) {
			rows = append(rows, map[string]any{"type": discordgo.ActionsRowComponent, "components": []any{
				map[string]any{"type": discordgo.TextInputComponent, "custom_id": id, "value": spec.ModalValues[id]},
			}})
		}
		payload["data"] = map[string]any{"custom_id": spec.ModalCustomID, "components": rows}
	}

	in.Payload = mustJSON(payload)
	in.DispatchedAt = s.cfg.now()
	s.interactions[id] = in
	s.byToken[token] = in
	return in
}

// commandIDLocked returns the ID of the registered command name (guild
// commands first), or a new ID if it is not registered.
func (s *Server) commandIDLocked(guildID, name string) string {
	for _, scope := range []string{guildID, ""} {
		for _, c := range s.commands[scope] {
			if c.Name == name {
				return c.ID
			}
		}
	}
	return s.newSnowflakeLocked()
}

func (s *Server) firstChannelLocked(guildID string) string {
	for _, g := range s.cfg.guilds {
		if g.id == guildID && len(g.channels) > 0 {
			return g.channels[0]
		}
	}
	for id, g := range s.channels {
		if g == guildID {
			return id
		}
	}
	id := s.newSnowflakeLocked()
	s.channels[id] = guildID
	return id
}

func optionsJSON(opts []CommandOption) []map[string]any {
	out := make([]map[string]any, 0, len(opts))
	for _, o := range opts {
		typ := o.Type
		if typ == 0 {
			switch o.Value.(type) {
			case string:
				typ = discordgo.ApplicationCommandOptionString
			case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
				typ = discordgo.ApplicationCommandOptionInteger
			case bool:
				typ = discordgo.ApplicationCommandOptionBoolean
			case float32, float64:
				typ = discordgo.ApplicationCommandOptionNumber
			case nil:
				typ = discordgo.ApplicationCommandOptionSubCommand
			}
		}
		m := map[string]any{"name": o.Name, "type": typ}
		if len(o.Options) > 0 || typ == discordgo.ApplicationCommandOptionSubCommand || typ == discordgo.ApplicationCommandOptionSubCommandGroup {
			m["options"] = optionsJSON(o.Options)
		} else {
			m["value"] = o.Value
		}
		if o.Focused {
			m["focused"] = true
		}
		out = append(out, m)
	}
	return out
}

// Callback returns the accepted callback, if there is one yet.
func (in *Interaction) Callback() (Callback, bool) {
	in.srv.mu.Lock()
	defer in.srv.mu.Unlock()
	if in.callback == nil {
		return Callback{}, false
	}
	return *in.callback, true
}

// WaitCallback waits for the bot's accepted callback.
func (in *Interaction) WaitCallback(ctx context.Context) (Callback, error) {
	var cb Callback
	err := in.srv.waitFor(ctx, "the callback of interaction "+in.ID, func() bool {
		if in.callback != nil {
			cb = *in.callback
		}
		return in.callback != nil
	})
	return cb, err
}

// OriginalEdits returns the accepted edits of @original, in order.
func (in *Interaction) OriginalEdits() []Message {
	in.srv.mu.Lock()
	defer in.srv.mu.Unlock()
	return append([]Message(nil), in.edits...)
}

// WaitOriginalEdit waits for an accepted edit of @original for which match
// (nil matches any) is true, and returns the first such, in order.
func (in *Interaction) WaitOriginalEdit(ctx context.Context, match func(Message) bool) (Message, error) {
	return in.waitMessage(ctx, "an edit of @original", &in.edits, match)
}

// Followups returns the accepted follow-up messages, in order.
func (in *Interaction) Followups() []Message {
	in.srv.mu.Lock()
	defer in.srv.mu.Unlock()
	return append([]Message(nil), in.followups...)
}

// WaitFollowup waits for an accepted follow-up for which match (nil matches
// any) is true, and returns the first such.
func (in *Interaction) WaitFollowup(ctx context.Context, match func(Message) bool) (Message, error) {
	return in.waitMessage(ctx, "a follow-up", &in.followups, match)
}

func (in *Interaction) waitMessage(ctx context.Context, what string, list *[]Message, match func(Message) bool) (Message, error) {
	var found Message
	err := in.srv.waitFor(ctx, what+" of interaction "+in.ID, func() bool {
		for _, m := range *list {
			if match == nil || match(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// Original returns @original as it stands: false before the callback and
// after the bot deleted it.
func (in *Interaction) Original() (discordgo.Message, bool) {
	in.srv.mu.Lock()
	defer in.srv.mu.Unlock()
	if in.original == nil {
		return discordgo.Message{}, false
	}
	return *in.original, true
}

// Requests returns every request that named this interaction, accepted or
// rejected, in order: a late callback shows here with Code 10062.
func (in *Interaction) Requests() []Request {
	in.srv.mu.Lock()
	defer in.srv.mu.Unlock()
	return append([]Request(nil), in.requests...)
}

// WaitRequest waits for a request naming this interaction for which match
// (nil matches any) is true.
func (in *Interaction) WaitRequest(ctx context.Context, match func(Request) bool) (Request, error) {
	var found Request
	err := in.srv.waitFor(ctx, "a request for interaction "+in.ID, func() bool {
		for _, r := range in.requests {
			if match == nil || match(r) {
				found = r
				return true
			}
		}
		return false
	})
	return found, err
}

// handleCallback serves POST /interactions/{interaction}/{token}/callback.
func handleCallback(c *call) (int, any, *apiError) {
	s := c.s
	in := s.interactions[c.param("interaction")]
	if in == nil || in.Token != c.param("token") {
		return 0, nil, errUnknownInteraction()
	}
	c.interaction = in
	if in.callback != nil {
		return 0, nil, errAlreadyAcknowledged()
	}
	now := s.cfg.now()
	after := now.Sub(in.DispatchedAt)
	if after > s.cfg.interactionDeadline {
		// Discord forgets an interaction not answered in time.
		return 0, nil, errUnknownInteraction()
	}
	var body struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data json.RawMessage                   `json:"data"`
	}
	f := &formErrors{}
	if err := json.Unmarshal(c.body, &body); err != nil {
		f.add(nil, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
		return 0, nil, f.asError()
	}
	var kind struct {
		Type discordgo.InteractionType `json:"type"`
	}
	json.Unmarshal(in.Payload, &kind)
	autocomplete := kind.Type == discordgo.InteractionApplicationCommandAutocomplete
	var choices []*discordgo.ApplicationCommandOptionChoice
	if autocomplete != (body.Type == discordgo.InteractionApplicationCommandAutocompleteResult) {
		// An autocomplete request takes only a result, and only it does.
		f.add([]string{"type"}, "INTERACTION_CALLBACK_TYPE_INVALID", "Interaction callback type is not valid for this interaction.")
		return 0, nil, f.asError()
	}
	var data messageBody
	if !autocomplete {
		data = parseMessageBody(body.Data, []string{"data"}, f)
	}
	switch body.Type {
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		var result struct {
			Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
		}
		if err := json.Unmarshal(body.Data, &result); err != nil {
			f.add([]string{"data"}, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
		}
		if len(result.Choices) > 25 {
			f.add([]string{"data", "choices"}, "BASE_TYPE_MAX_LENGTH", maxLengthMessage(25))
		}
		for i, ch := range result.Choices {
			if n := utf8.RuneCountInString(ch.Name); n < 1 || n > 100 {
				f.add([]string{"data", "choices", strconv.Itoa(i), "name"}, "BASE_TYPE_BAD_LENGTH", minMaxLengthMessage(1, 100))
			}
			if v, ok := ch.Value.(string); !ok || utf8.RuneCountInString(v) > 100 {
				f.add([]string{"data", "choices", strconv.Itoa(i), "value"}, "BASE_TYPE_BAD_LENGTH", minMaxLengthMessage(1, 100))
			}
		}
		choices = result.Choices
		if choices == nil {
			choices = []*discordgo.ApplicationCommandOptionChoice{}
		}
	case discordgo.InteractionResponseChannelMessageWithSource:
		if f.empty() && data.empty() && len(c.rec.Files) == 0 {
			return 0, nil, errEmptyMessage()
		}
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
	case discordgo.InteractionResponseModal:
		var modal struct {
			CustomID   string            `json:"custom_id"`
			Title      string            `json:"title"`
			Components []json.RawMessage `json:"components"`
		}
		json.Unmarshal(body.Data, &modal)
		for field, missing := range map[string]bool{"custom_id": modal.CustomID == "", "title": modal.Title == "", "components": len(modal.Components) == 0} {
			if missing {
				f.add([]string{"data", field}, "BASE_TYPE_REQUIRED", "This field is required")
			}
		}
	default:
		// Types 6 and 7 answer component interactions, 8 autocomplete, 1 HTTP pings.
		f.add([]string{"type"}, "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 8, 9}.")
	}
	if err := f.asError(); err != nil {
		return 0, nil, err
	}
	in.callback = &Callback{
		Type: body.Type, Raw: c.body, After: after, Time: now, Choices: choices,
		Data: messageFromBody(data, "", in.ChannelID, now, after),
	}
	if body.Type == discordgo.InteractionResponseChannelMessageWithSource ||
		body.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
		msg := s.newBotMessageLocked(in.ChannelID, data, nil, now)
		msg.WebhookID = s.cfg.appID
		msg.Type = discordgo.MessageTypeChatInputCommand
		msg.Flags = data.Flags & (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds)
		if body.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			msg.Flags |= discordgo.MessageFlagsLoading // "bot is thinking…" until the first edit
			msg.Content, msg.Embeds = "", []*discordgo.MessageEmbed{}
		}
		msg.InteractionMetadata = &discordgo.MessageInteractionMetadata{
			ID: in.ID, Type: discordgo.InteractionApplicationCommand, User: s.users[in.UserID],
		}
		in.original = msg
		in.callback.Data.ID = msg.ID
		s.storeMessageLocked(msg)
	}
	return http.StatusNoContent, nil, nil
}

// interactionWebhookLocked finds the interaction behind /webhooks/{app}/{token}.
// Its webhook exists only once the interaction is acknowledged.
func (c *call) interactionWebhookLocked() (*Interaction, *apiError) {
	in := c.s.byToken[c.param("token")]
	if c.param("app") != c.s.cfg.appID || in == nil {
		return nil, errUnknownWebhook()
	}
	c.interaction = in
	if in.callback == nil {
		return nil, errUnknownWebhook()
	}
	return in, nil
}

// webhookMessageLocked finds {message} ("@original" or a follow-up ID) of the interaction.
func (c *call) webhookMessageLocked() (*Interaction, *discordgo.Message, *apiError) {
	in, err := c.interactionWebhookLocked()
	if err != nil {
		return nil, nil, err
	}
	id := c.param("message")
	if id == "" || id == "@original" || (in.original != nil && id == in.original.ID) {
		if in.original == nil {
			return in, nil, errUnknownMessage()
		}
		return in, in.original, nil
	}
	if m := in.followupsByID[id]; m != nil {
		return in, m, nil
	}
	return in, nil, errUnknownMessage()
}

// handleWebhookMessageGet serves GET .../messages/@original and .../messages/{id}.
func handleWebhookMessageGet(c *call) (int, any, *apiError) {
	_, m, err := c.webhookMessageLocked()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, m, nil
}

// handleWebhookMessageEdit serves PATCH .../messages/@original and .../messages/{id}.
func handleWebhookMessageEdit(c *call) (int, any, *apiError) {
	in, m, err := c.webhookMessageLocked()
	if err != nil {
		return 0, nil, err
	}
	f := &formErrors{}
	body := parseMessageBody(c.body, nil, f)
	if err := f.asError(); err != nil {
		return 0, nil, err
	}
	now := c.s.cfg.now()
	edited := c.s.applyEditLocked(m, body, now)
	if editLeavesEmpty(edited, body, c.rec.Files) {
		return 0, nil, errEmptyMessage()
	}
	*m = edited
	rec := messageFromBody(body, m.ID, m.ChannelID, now, now.Sub(in.DispatchedAt))
	if m == in.original {
		in.edits = append(in.edits, rec)
	}
	return http.StatusOK, m, nil
}

// handleWebhookMessageDelete serves DELETE .../messages/@original and .../messages/{id}.
func handleWebhookMessageDelete(c *call) (int, any, *apiError) {
	in, m, err := c.webhookMessageLocked()
	if err != nil {
		return 0, nil, err
	}
	if m == in.original {
		in.original = nil
	} else {
		delete(in.followupsByID, m.ID)
	}
	delete(c.s.messages, m.ID)
	return http.StatusNoContent, nil, nil
}

// handleFollowup serves POST /webhooks/{app}/{token}: a follow-up message.
// Discord always waits for interaction follow-ups, so the message is returned.
func handleFollowup(c *call) (int, any, *apiError) {
	in, err := c.interactionWebhookLocked()
	if err != nil {
		return 0, nil, err
	}
	f := &formErrors{}
	body := parseMessageBody(c.body, nil, f)
	if err := f.asError(); err != nil {
		return 0, nil, err
	}
	if body.empty() && len(c.rec.Files) == 0 {
		return 0, nil, errEmptyMessage()
	}
	now := c.s.cfg.now()
	s := c.s
	msg := s.newBotMessageLocked(in.ChannelID, body, nil, now)
	msg.WebhookID = s.cfg.appID
	msg.Flags = body.Flags & (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds)
	meta := &discordgo.MessageInteractionMetadata{ID: in.ID, Type: discordgo.InteractionApplicationCommand, User: s.users[in.UserID]}
	if in.original != nil {
		meta.OriginalResponseMessageID = in.original.ID
	}
	msg.InteractionMetadata = meta
	s.storeMessageLocked(msg)
	in.followupsByID[msg.ID] = msg
	in.followups = append(in.followups, messageFromBody(body, msg.ID, in.ChannelID, now, now.Sub(in.DispatchedAt)))
	return http.StatusOK, msg, nil
}
