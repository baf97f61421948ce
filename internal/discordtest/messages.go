package discordtest

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// MessageSpec describes a message a user (or another bot) posts.
type MessageSpec struct {
	ID string // empty means a new snowflake
	// GuildID and ChannelID say where: empty means the first guild and its
	// first channel. With DM set the message is in a DM with the bot.
	GuildID    string
	ChannelID  string
	DM         bool
	AuthorID   string // empty means DefaultUserID
	AuthorName string // empty means DefaultUserName
	AuthorBot  bool   // the author is a bot account
	WebhookID  string // the message was posted by this webhook
	// Content is the text; mentions are found in it as Discord does:
	// "<@ID>" (see Server.BotMention), "<@&ROLE>", "@everyone", "@here".
	Content string
	// Mentions are user IDs to list as mentioned besides those in Content
	// (Discord derives the list from the content; this allows payloads
	// where the two disagree).
	Mentions []string
	Embeds   []*discordgo.MessageEmbed
	// ReplyTo makes the message a reply to that message ID, with
	// message_reference and referenced_message; ReplyPing also mentions the
	// replied-to author, as Discord's clients do by default.
	ReplyTo   string
	ReplyPing bool
	// Attachments are files the message carries (a DM of only a picture
	// has these and no content).
	Attachments []*discordgo.MessageAttachment
}

// DispatchMessage sends MESSAGE_CREATE for a message as Discord would and
// returns the message as the emulator stores it. Discord's intent rules
// apply: without GUILD_MESSAGES (DIRECT_MESSAGES for a DM) the event is not
// sent at all; without MESSAGE_CONTENT a guild message that does not mention
// the bot arrives with empty content and embeds.
func (s *Server) DispatchMessage(spec MessageSpec) discordgo.Message {
	s.mu.Lock()
	author := &discordgo.User{ID: spec.AuthorID, Username: spec.AuthorName, Bot: spec.AuthorBot, Discriminator: "0"}
	if author.ID == "" {
		author.ID = DefaultUserID
	}
	if author.Username == "" {
		author.Username = DefaultUserName
	}
	s.users[author.ID] = author
	m := &discordgo.Message{
		ID: spec.ID, ChannelID: spec.ChannelID, Content: spec.Content, Embeds: spec.Embeds,
		Author: author, WebhookID: spec.WebhookID, Timestamp: s.cfg.now(),
		Type: discordgo.MessageTypeDefault, Attachments: []*discordgo.MessageAttachment{},
	}
	if spec.Attachments != nil {
		m.Attachments = spec.Attachments
	}
	if m.ID == "" {
		m.ID = s.newSnowflakeLocked()
	}
	if m.Embeds == nil {
		m.Embeds = []*discordgo.MessageEmbed{}
	}
	if spec.DM {
		if m.ChannelID == "" {
			m.ChannelID = s.dmChannelLocked(author.ID)
		}
		s.channels[m.ChannelID] = ""
	} else {
		m.GuildID = spec.GuildID
		if m.GuildID == "" {
			m.GuildID = s.cfg.guilds[0].id
		}
		if m.ChannelID == "" {
			m.ChannelID = s.firstChannelLocked(m.GuildID)
		}
		s.channels[m.ChannelID] = m.GuildID
	}
	var replied *discordgo.Message
	if spec.ReplyTo != "" {
		m.Type = discordgo.MessageTypeReply
		m.MessageReference = &discordgo.MessageReference{MessageID: spec.ReplyTo, ChannelID: m.ChannelID, GuildID: m.GuildID}
		if r := s.messages[spec.ReplyTo]; r != nil {
			rc := *r
			rc.ReferencedMessage = nil // Discord nests one level only
			m.ReferencedMessage = &rc
			if spec.ReplyPing {
				replied = r
			}
		}
	}
	m.Mentions, m.MentionRoles, m.MentionEveryone = s.resolveMentionsLocked(m.Content, nil, replied)
	for _, id := range spec.Mentions {
		if !slices.ContainsFunc(m.Mentions, func(u *discordgo.User) bool { return u.ID == id }) {
			m.Mentions = append(m.Mentions, s.userLocked(id))
		}
	}
	s.storeMessageLocked(m)

	intents := s.intentsForLocked(m.GuildID)
	need, needName := discordgo.IntentGuildMessages, "GUILD_MESSAGES"
	if spec.DM {
		need, needName = discordgo.IntentDirectMessages, "DIRECT_MESSAGES"
	}
	deliver := intents&need != 0
	event := *m
	mentionsBot := slices.ContainsFunc(m.Mentions, func(u *discordgo.User) bool { return u.ID == s.cfg.botUser.ID })
	if !spec.DM && intents&discordgo.IntentMessageContent == 0 && author.ID != s.cfg.botUser.ID && !mentionsBot {
		event.Content, event.Embeds = "", []*discordgo.MessageEmbed{}
	}
	ev := messageEvent{Message: &event}
	if !spec.DM {
		ev.Member = map[string]any{
			"roles": []any{}, "joined_at": time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339Nano),
			"nick": nil, "deaf": false, "mute": false, "flags": 0, "pending": false,
		}
	}
	payload := mustJSON(ev)
	stored := *m
	s.mu.Unlock()

	if !deliver {
		s.logf("MESSAGE_CREATE %s not sent: the session's intents lack %s", m.ID, needName)
		return stored
	}
	s.DispatchRaw("MESSAGE_CREATE", payload)
	return stored
}

// messageEvent is a message as MESSAGE_CREATE carries it, with the author's
// partial member in guilds.
type messageEvent struct {
	*discordgo.Message
	Member map[string]any `json:"member,omitempty"`
}

// dmChannelLocked returns the DM channel with userID, creating it.
func (s *Server) dmChannelLocked(userID string) string {
	if id, ok := s.dmChannels[userID]; ok {
		return id
	}
	id := s.newSnowflakeLocked()
	s.dmChannels[userID] = id
	s.channels[id] = ""
	return id
}

func (s *Server) storeMessageLocked(m *discordgo.Message) {
	if _, ok := s.messages[m.ID]; !ok {
		s.messageOrder = append(s.messageOrder, m.ID)
	}
	s.messages[m.ID] = m
}

var (
	userMentionPattern = regexp.MustCompile(`<@!?([0-9]+)>`)
	roleMentionPattern = regexp.MustCompile(`<@&([0-9]+)>`)
)

// resolveMentionsLocked works out whom content pings, as Discord does:
// everything it names unless allowed_mentions narrows it, plus the replied-to
// author when replied is set and allowed.
func (s *Server) resolveMentionsLocked(content string, am *discordgo.MessageAllowedMentions, replied *discordgo.Message) (users []*discordgo.User, roles []string, everyone bool) {
	users, roles = []*discordgo.User{}, []string{}
	parse := map[discordgo.AllowedMentionType]bool{}
	if am == nil {
		parse = map[discordgo.AllowedMentionType]bool{
			discordgo.AllowedMentionTypeUsers: true, discordgo.AllowedMentionTypeRoles: true, discordgo.AllowedMentionTypeEveryone: true,
		}
	} else {
		for _, p := range am.Parse {
			parse[p] = true
		}
	}
	addUser := func(id string) {
		if !slices.ContainsFunc(users, func(u *discordgo.User) bool { return u.ID == id }) {
			users = append(users, s.userLocked(id))
		}
	}
	for _, match := range userMentionPattern.FindAllStringSubmatch(content, -1) {
		if parse[discordgo.AllowedMentionTypeUsers] || (am != nil && slices.Contains(am.Users, match[1])) {
			addUser(match[1])
		}
	}
	for _, match := range roleMentionPattern.FindAllStringSubmatch(content, -1) {
		if (parse[discordgo.AllowedMentionTypeRoles] || (am != nil && slices.Contains(am.Roles, match[1]))) && !slices.Contains(roles, match[1]) {
			roles = append(roles, match[1])
		}
	}
	everyone = parse[discordgo.AllowedMentionTypeEveryone] && (strings.Contains(content, "@everyone") || strings.Contains(content, "@here"))
	if replied != nil && replied.Author != nil && (am == nil || am.RepliedUser) {
		addUser(replied.Author.ID)
	}
	return users, roles, everyone
}

// userLocked returns a copy of the user with id as the emulator knows it:
// the bot, a user seen in a dispatched event, or just the ID.
func (s *Server) userLocked(id string) *discordgo.User {
	switch {
	case id == s.cfg.botUser.ID:
		u := s.cfg.botUser
		return &u
	case s.users[id] != nil:
		u := *s.users[id]
		return &u
	}
	return &discordgo.User{ID: id, Discriminator: "0"}
}

// newBotMessageLocked builds a message the bot posts in channelID from body.
func (s *Server) newBotMessageLocked(channelID string, body messageBody, replied *discordgo.Message, now time.Time) *discordgo.Message {
	author := s.cfg.botUser
	m := &discordgo.Message{
		ID: s.newSnowflakeLocked(), ChannelID: channelID, GuildID: s.channels[channelID],
		Content: body.Content, Embeds: richEmbeds(body.Embeds), Author: &author, Timestamp: now,
		Type: discordgo.MessageTypeDefault, Attachments: []*discordgo.MessageAttachment{},
		Flags: body.Flags & (discordgo.MessageFlagsSuppressEmbeds | discordgo.MessageFlagsSuppressNotifications),
	}
	m.Mentions, m.MentionRoles, m.MentionEveryone = s.resolveMentionsLocked(m.Content, body.AllowedMentions, replied)
	return m
}

// richEmbeds returns embeds with Discord's default type, never nil.
func richEmbeds(embeds []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	out := make([]*discordgo.MessageEmbed, 0, len(embeds))
	for _, e := range embeds {
		if e == nil {
			continue
		}
		ec := *e
		if ec.Type == "" {
			ec.Type = discordgo.EmbedTypeRich
		}
		out = append(out, &ec)
	}
	return out
}

// applyEditLocked returns m with body's changes: fields the body names
// replace the message's, a deferred message stops loading.
func (s *Server) applyEditLocked(m *discordgo.Message, body messageBody, now time.Time) discordgo.Message {
	out := *m
	if body.sent("content") {
		out.Content = body.Content
	}
	if body.sent("embeds") {
		out.Embeds = richEmbeds(body.Embeds)
	}
	if body.sent("flags") {
		out.Flags = out.Flags&^discordgo.MessageFlagsSuppressEmbeds | body.Flags&discordgo.MessageFlagsSuppressEmbeds
	}
	if out.Flags&discordgo.MessageFlagsLoading != 0 {
		out.Flags &^= discordgo.MessageFlagsLoading // the deferred answer arrives; not an edit to users
	} else {
		out.EditedTimestamp = &now
	}
	out.Mentions, out.MentionRoles, out.MentionEveryone = s.resolveMentionsLocked(out.Content, body.AllowedMentions, nil)
	return out
}

// editLeavesEmpty reports whether an edit would leave a message with
// nothing in it, which Discord refuses as it refuses sending one.
func editLeavesEmpty(edited discordgo.Message, body messageBody, files []string) bool {
	return edited.Content == "" && len(edited.Embeds) == 0 && len(edited.Attachments) == 0 &&
		len(files) == 0 && !body.hasContent("components") && !body.hasContent("attachments")
}

// handleChannelMessageCreate serves POST /channels/{channel}/messages.
func handleChannelMessageCreate(c *call) (int, any, *apiError) {
	s := c.s
	ch := c.param("channel")
	if _, ok := s.channels[ch]; !ok {
		return 0, nil, errUnknownChannel()
	}
	f := &formErrors{}
	body := parseMessageBody(c.body, nil, f)
	var replied *discordgo.Message
	if ref := body.Reference; ref != nil && ref.MessageID != "" {
		replied = s.messages[ref.MessageID]
		if replied != nil && replied.ChannelID != ch && (ref.ChannelID == "" || ref.ChannelID == ch) {
			replied = nil // a reply must be in the referenced message's channel
		}
		if replied == nil && (ref.FailIfNotExists == nil || *ref.FailIfNotExists) {
			f.add([]string{"message_reference"}, "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
		}
	}
	if err := f.asError(); err != nil {
		return 0, nil, err
	}
	if body.empty() && len(c.rec.Files) == 0 {
		return 0, nil, errEmptyMessage()
	}
	now := s.cfg.now()
	m := s.newBotMessageLocked(ch, body, replied, now)
	if replied != nil {
		rc := *replied
		rc.ReferencedMessage = nil
		m.Type = discordgo.MessageTypeReply
		m.MessageReference = &discordgo.MessageReference{MessageID: replied.ID, ChannelID: ch, GuildID: m.GuildID}
		m.ReferencedMessage = &rc
	}
	s.storeMessageLocked(m)
	s.sentMessages = append(s.sentMessages, messageFromBody(body, m.ID, ch, now, 0))
	s.echoLocked(c, "MESSAGE_CREATE", m)
	return http.StatusOK, m, nil
}

// echoLocked arranges for the bot's own message to come back over the
// gateway after the response, as Discord sends it.
func (s *Server) echoLocked(c *call, eventType string, m *discordgo.Message) {
	need := discordgo.IntentGuildMessages
	if m.GuildID == "" {
		need = discordgo.IntentDirectMessages
	}
	if !s.cfg.echoMessages || s.intentsForLocked(m.GuildID)&need == 0 {
		return
	}
	event := messageEvent{Message: m}
	payload := mustJSON(event) // now, while mu guards m
	c.after = append(c.after, func() { s.DispatchRaw(eventType, payload) })
}

// handleChannelMessageEdit serves PATCH /channels/{channel}/messages/{message}.
func handleChannelMessageEdit(c *call) (int, any, *apiError) {
	s := c.s
	m := s.messages[c.param("message")]
	if m == nil || m.ChannelID != c.param("channel") {
		return 0, nil, errUnknownMessage()
	}
	if m.Author == nil || m.Author.ID != s.cfg.botUser.ID || m.WebhookID != "" {
		return 0, nil, errCannotEditOthers()
	}
	f := &formErrors{}
	body := parseMessageBody(c.body, nil, f)
	if err := f.asError(); err != nil {
		return 0, nil, err
	}
	now := s.cfg.now()
	edited := s.applyEditLocked(m, body, now)
	if editLeavesEmpty(edited, body, c.rec.Files) {
		return 0, nil, errEmptyMessage()
	}
	*m = edited
	s.sentEdits = append(s.sentEdits, messageFromBody(body, m.ID, m.ChannelID, now, 0))
	s.echoLocked(c, "MESSAGE_UPDATE", m)
	return http.StatusOK, m, nil
}

// handleTyping serves POST /channels/{channel}/typing.
func handleTyping(c *call) (int, any, *apiError) {
	if _, ok := c.s.channels[c.param("channel")]; !ok {
		return 0, nil, errUnknownChannel()
	}
	return http.StatusNoContent, nil, nil
}

// customEmojiPattern is how discordgo names a guild emoji: "name:id".
var customEmojiPattern = regexp.MustCompile(`^a?:?[A-Za-z0-9_]+:[0-9]+$`)

// handleReactionAdd serves PUT /channels/{channel}/messages/{message}/reactions/{emoji}/@me.
func handleReactionAdd(c *call) (int, any, *apiError) {
	s := c.s
	m := s.messages[c.param("message")]
	if m == nil || m.ChannelID != c.param("channel") {
		return 0, nil, errUnknownMessage()
	}
	emoji := c.param("emoji")
	if emoji == "" || customEmojiPattern.MatchString(emoji) {
		return 0, nil, errUnknownEmoji() // the emulator's guilds have no custom emoji
	}
	key := m.ChannelID + "/" + m.ID
	if !slices.Contains(s.reactions[key], emoji) {
		s.reactions[key] = append(s.reactions[key], emoji)
	}
	return http.StatusNoContent, nil, nil
}

// handleDMCreate serves POST /users/@me/channels.
func handleDMCreate(c *call) (int, any, *apiError) {
	s := c.s
	var body struct {
		RecipientID string `json:"recipient_id"`
	}
	f := &formErrors{}
	checkSnowflakes(c.body, nil, f)
	if err := f.asError(); err != nil {
		return 0, nil, err
	}
	if c.body == nil || c.rec.Decode(&body) != nil || body.RecipientID == "" {
		f.add([]string{"recipient_id"}, "BASE_TYPE_REQUIRED", "This field is required")
		return 0, nil, f.asError()
	}
	id := s.dmChannelLocked(body.RecipientID)
	recipient := discordgo.User{ID: body.RecipientID, Discriminator: "0"}
	if u := s.users[body.RecipientID]; u != nil {
		recipient = *u
	}
	return http.StatusOK, map[string]any{
		"id": id, "type": discordgo.ChannelTypeDM, "last_message_id": nil, "flags": 0,
		"recipients": []any{userJSON(recipient)},
	}, nil
}

// handleCurrentUser serves GET /users/@me.
func handleCurrentUser(c *call) (int, any, *apiError) {
	u := userJSON(c.s.cfg.botUser)
	u["verified"] = true
	u["mfa_enabled"] = false
	u["email"] = nil
	u["locale"] = "en-US"
	return http.StatusOK, u, nil
}

// handleGateway serves GET /gateway.
func handleGateway(c *call) (int, any, *apiError) {
	return http.StatusOK, map[string]any{"url": c.s.GatewayURL()}, nil
}

// handleGatewayBot serves GET /gateway/bot: the recommended shard count and
// max_concurrency (WithRecommendedShards; 1 and 1 by default).
func handleGatewayBot(c *call) (int, any, *apiError) {
	return http.StatusOK, map[string]any{
		"url": c.s.GatewayURL(), "shards": max(c.s.cfg.recommendedShards, 1),
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 1000 - c.s.gw.stats.Identifies, "reset_after": 86400000,
			"max_concurrency": max(c.s.cfg.maxConcurrency, 1),
		},
	}, nil
}

// commandScopeLocked checks {app} and {guild} of a commands route.
func (c *call) commandScopeLocked() (string, *apiError) {
	if c.param("app") != c.s.cfg.appID {
		return "", errUnknownApplication()
	}
	guild := c.param("guild")
	if guild != "" && !slices.ContainsFunc(c.s.cfg.guilds, func(g guildConfig) bool { return g.id == guild }) {
		return "", errMissingAccess() // the bot is not in that guild
	}
	return guild, nil
}

// handleCommandsOverwrite serves PUT /applications/{app}/commands and
// /applications/{app}/guilds/{guild}/commands: bulk overwrite. A command
// keeps its ID when one of the same name and type existed, as on Discord.
func handleCommandsOverwrite(c *call) (int, any, *apiError) {
	s := c.s
	guild, err := c.commandScopeLocked()
	if err != nil {
		return 0, nil, err
	}
	f := &formErrors{}
	cmds := parseCommands(c.body, f)
	if err := f.asError(); err != nil {
		return 0, nil, err
	}
	old := s.commands[guild]
	stored := make([]*discordgo.ApplicationCommand, 0, len(cmds))
	for _, cmd := range cmds {
		nc := *cmd
		if nc.Type == 0 {
			nc.Type = discordgo.ChatApplicationCommand
		}
		nc.ID = ""
		for _, o := range old {
			if o.Name == nc.Name && o.Type == nc.Type {
				nc.ID = o.ID
			}
		}
		if nc.ID == "" {
			nc.ID = s.newSnowflakeLocked()
		}
		nc.ApplicationID = s.cfg.appID
		nc.GuildID = guild
		nc.Version = s.newSnowflakeLocked()
		stored = append(stored, &nc)
	}
	s.commands[guild] = stored
	return http.StatusOK, stored, nil
}

// handleCommandsList serves GET of the same routes.
func handleCommandsList(c *call) (int, any, *apiError) {
	guild, err := c.commandScopeLocked()
	if err != nil {
		return 0, nil, err
	}
	list := c.s.commands[guild]
	if list == nil {
		list = []*discordgo.ApplicationCommand{}
	}
	return http.StatusOK, list, nil
}

// buildRoutes lists the REST endpoints, relative to /api/v9. Literal
// segments win over parameters because the first match is taken.
func (s *Server) buildRoutes() []route {
	return append([]route{
		{"GET", "/gateway", false, handleGateway},
		{"GET", "/gateway/bot", true, handleGatewayBot},
		{"GET", "/users/@me", true, handleCurrentUser},
		{"POST", "/users/@me/channels", true, handleDMCreate},
		{"PUT", "/applications/{app}/commands", true, handleCommandsOverwrite},
		{"GET", "/applications/{app}/commands", true, handleCommandsList},
		{"PUT", "/applications/{app}/guilds/{guild}/commands", true, handleCommandsOverwrite},
		{"GET", "/applications/{app}/guilds/{guild}/commands", true, handleCommandsList},
		// Interaction routes are authorised by their token, not the bot's.
		{"POST", "/interactions/{interaction}/{token}/callback", false, handleCallback},
		{"GET", "/webhooks/{app}/{token}/messages/@original", false, handleWebhookMessageGet},
		{"PATCH", "/webhooks/{app}/{token}/messages/@original", false, handleWebhookMessageEdit},
		{"DELETE", "/webhooks/{app}/{token}/messages/@original", false, handleWebhookMessageDelete},
		{"POST", "/webhooks/{app}/{token}", false, handleFollowup},
		{"GET", "/webhooks/{app}/{token}/messages/{message}", false, handleWebhookMessageGet},
		{"PATCH", "/webhooks/{app}/{token}/messages/{message}", false, handleWebhookMessageEdit},
		{"DELETE", "/webhooks/{app}/{token}/messages/{message}", false, handleWebhookMessageDelete},
		{"POST", "/channels/{channel}/messages", true, handleChannelMessageCreate},
		{"PATCH", "/channels/{channel}/messages/{message}", true, handleChannelMessageEdit},
		{"POST", "/channels/{channel}/typing", true, handleTyping},
		{"PUT", "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", true, handleReactionAdd},
	}, threadRoutes()...)
}

// BotMessages returns the messages the bot posted with POST
// /channels/{id}/messages, as they stand now (edits applied), in order;
// channelID "" means every channel.
func (s *Server) BotMessages(channelID string) []discordgo.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.botMessagesLocked(channelID)
}

func (s *Server) botMessagesLocked(channelID string) []discordgo.Message {
	var out []discordgo.Message
	for _, id := range s.messageOrder {
		m := s.messages[id]
		if m == nil || m.Author == nil || m.Author.ID != s.cfg.botUser.ID || m.WebhookID != "" {
			continue
		}
		if channelID == "" || m.ChannelID == channelID {
			out = append(out, *m)
		}
	}
	return out
}

// WaitBotMessage waits until a message the bot posted in channelID ("" for
// any) matches (nil matches any), as it stands after edits, and returns it.
func (s *Server) WaitBotMessage(ctx context.Context, channelID string, match func(discordgo.Message) bool) (discordgo.Message, error) {
	var found discordgo.Message
	err := s.waitFor(ctx, "a bot message in channel "+channelID, func() bool {
		for _, m := range s.botMessagesLocked(channelID) {
			if match == nil || match(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// SentMessages returns the bodies of the bot's accepted POST
// /channels/{id}/messages requests, in order.
func (s *Server) SentMessages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sentMessages...)
}

// SentEdits returns the bodies of the bot's accepted PATCH
// /channels/{id}/messages/{id} requests, in order.
func (s *Server) SentEdits() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sentEdits...)
}

// Message returns any message the emulator knows (dispatched, posted, or an
// interaction response) as it stands.
func (s *Server) Message(id string) (discordgo.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[id]
	if m == nil {
		return discordgo.Message{}, false
	}
	return *m, true
}

// Reactions returns the emoji the bot reacted with on a message, in order.
func (s *Server) Reactions(channelID, messageID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reactions[channelID+"/"+messageID]...)
}

// Commands returns the registered application commands of guildID, or the
// global ones for "".
func (s *Server) Commands(guildID string) []discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]discordgo.ApplicationCommand, 0, len(s.commands[guildID]))
	for _, c := range s.commands[guildID] {
		out = append(out, *c)
	}
	return out
}
