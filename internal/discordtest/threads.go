package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Threads and reading messages back: what conversations need. A thread
// started from a message has the message's ID, as on Discord; the message
// then carries the thread and the HAS_THREAD flag, and a second start on it
// fails with CodeThreadAlreadyCreated. THREAD_CREATE goes to the bot for
// the threads it creates, and GUILD_CREATE lists the guild's threads, so a
// restarted bot knows them.

// Codes of the thread errors.
const (
	CodeThreadAlreadyCreated = 160004
	CodeInvalidChannelType   = 50024
)

var (
	errThreadAlreadyCreated = func() *apiError {
		return newAPIError(400, CodeThreadAlreadyCreated, "A thread has already been created for this message")
	}
	errInvalidChannelType = func() *apiError {
		return newAPIError(400, CodeInvalidChannelType, "Cannot execute action on this channel type")
	}
)

// threadRoutes are the REST endpoints of threads and message reads.
func threadRoutes() []route {
	return []route{
		{"GET", "/channels/{channel}", true, handleChannelGet},
		{"GET", "/channels/{channel}/messages", true, handleChannelMessagesList},
		{"GET", "/channels/{channel}/messages/{message}", true, handleChannelMessageGet},
		{"POST", "/channels/{channel}/messages/{message}/threads", true, handleThreadStart},
	}
}

// threadsLocked returns the thread map, made on first use.
func (s *Server) threadsLocked() map[string]*discordgo.Channel {
	if s.threads == nil {
		s.threads = map[string]*discordgo.Channel{}
	}
	return s.threads
}

// channelLocked describes a known channel as GET /channels/{id} does.
func (s *Server) channelLocked(id string) (*discordgo.Channel, bool) {
	if th := s.threadsLocked()[id]; th != nil {
		c := *th
		return &c, true
	}
	guild, ok := s.channels[id]
	if !ok {
		return nil, false
	}
	if guild == "" {
		return &discordgo.Channel{ID: id, Type: discordgo.ChannelTypeDM}, true
	}
	return &discordgo.Channel{ID: id, GuildID: guild, Type: discordgo.ChannelTypeGuildText, Name: "channel-" + id}, true
}

// handleChannelGet serves GET /channels/{channel}.
func handleChannelGet(c *call) (int, any, *apiError) {
	ch, ok := c.s.channelLocked(c.param("channel"))
	if !ok {
		return 0, nil, errUnknownChannel()
	}
	return http.StatusOK, ch, nil
}

// handleChannelMessageGet serves GET /channels/{channel}/messages/{message}.
func handleChannelMessageGet(c *call) (int, any, *apiError) {
	s := c.s
	if _, ok := s.channelLocked(c.param("channel")); !ok {
		return 0, nil, errUnknownChannel()
	}
	m := s.messages[c.param("message")]
	if m == nil || m.ChannelID != c.param("channel") || m.Flags&discordgo.MessageFlagsEphemeral != 0 {
		return 0, nil, errUnknownMessage()
	}
	return http.StatusOK, m, nil
}

// handleChannelMessagesList serves GET /channels/{channel}/messages: newest
// first, limit (1–100, default 50) of them, before a message ID when asked.
func handleChannelMessagesList(c *call) (int, any, *apiError) {
	s := c.s
	ch := c.param("channel")
	if _, ok := s.channelLocked(ch); !ok {
		return 0, nil, errUnknownChannel()
	}
	q := c.r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			f := &formErrors{}
			f.add([]string{"limit"}, "NUMBER_TYPE_MAX", "int value should be between 1 and 100.")
			return 0, nil, f.asError()
		}
		limit = n
	}
	before := q.Get("before")
	out := []*discordgo.Message{}
	for i := len(s.messageOrder) - 1; i >= 0 && len(out) < limit; i-- {
		m := s.messages[s.messageOrder[i]]
		if m == nil || m.ChannelID != ch || m.Flags&discordgo.MessageFlagsEphemeral != 0 {
			continue
		}
		if before != "" && !snowflakeBefore(m.ID, before) {
			continue
		}
		out = append(out, m)
	}
	return http.StatusOK, out, nil
}

func snowflakeBefore(a, b string) bool {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	return x < y
}

// handleThreadStart serves POST /channels/{channel}/messages/{message}/threads.
func handleThreadStart(c *call) (int, any, *apiError) {
	s := c.s
	chID, msgID := c.param("channel"), c.param("message")
	parent, ok := s.channelLocked(chID)
	if !ok {
		return 0, nil, errUnknownChannel()
	}
	if parent.Type != discordgo.ChannelTypeGuildText {
		return 0, nil, errInvalidChannelType()
	}
	m := s.messages[msgID]
	if m == nil || m.ChannelID != chID || m.Flags&discordgo.MessageFlagsEphemeral != 0 {
		return 0, nil, errUnknownMessage()
	}
	var body struct {
		Name                string `json:"name"`
		AutoArchiveDuration int    `json:"auto_archive_duration"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return 0, nil, errInvalidJSON()
	}
	f := &formErrors{}
	if n := utf8.RuneCountInString(body.Name); n < 1 || n > 100 {
		f.add([]string{"name"}, "BASE_TYPE_BAD_LENGTH", minMaxLengthMessage(1, 100))
	}
	if d := body.AutoArchiveDuration; d != 0 && !slices.Contains([]int{60, 1440, 4320, 10080}, d) {
		f.add([]string{"auto_archive_duration"}, "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}.")
	}
	if err := f.asError(); err != nil {
		return 0, nil, err
	}
	if s.threadsLocked()[msgID] != nil {
		return 0, nil, errThreadAlreadyCreated()
	}
	archive := body.AutoArchiveDuration
	if archive == 0 {
		archive = 4320
	}
	th := &discordgo.Channel{
		ID: msgID, GuildID: parent.GuildID, ParentID: chID, Name: body.Name,
		Type: discordgo.ChannelTypeGuildPublicThread, OwnerID: s.cfg.botUser.ID,
		ThreadMetadata: &discordgo.ThreadMetadata{AutoArchiveDuration: archive},
		MessageCount:   0, MemberCount: 1,
	}
	s.threadsLocked()[msgID] = th
	s.channels[msgID] = parent.GuildID
	tc := *th
	m.Thread = &tc
	m.Flags |= discordgo.MessageFlagsHasThread
	s.notifyLocked()
	if s.intentsForLocked(parent.GuildID)&discordgo.IntentGuilds != 0 {
		event := map[string]any{}
		raw := mustJSON(th)
		json.Unmarshal(raw, &event)
		event["newly_created"] = true
		payload := mustJSON(event)
		c.after = append(c.after, func() { s.DispatchRaw("THREAD_CREATE", payload) })
	}
	return http.StatusCreated, th, nil
}

// guildThreads lists the threads of guild as GUILD_CREATE carries them.
func (s *Server) guildThreads(guild string) []*discordgo.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*discordgo.Channel{}
	for _, id := range s.messageOrder {
		if th := s.threadsLocked()[id]; th != nil && th.GuildID == guild {
			c := *th
			out = append(out, &c)
		}
	}
	return out
}

// Thread returns the thread with id, if one was started.
func (s *Server) Thread(id string) (discordgo.Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	th := s.threadsLocked()[id]
	if th == nil {
		return discordgo.Channel{}, false
	}
	return *th, true
}

// Threads returns the threads started, oldest first.
func (s *Server) Threads() []discordgo.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []discordgo.Channel
	for _, id := range s.messageOrder {
		if th := s.threadsLocked()[id]; th != nil {
			out = append(out, *th)
		}
	}
	return out
}

// WaitThread waits until a thread is started on message id and returns it.
func (s *Server) WaitThread(ctx context.Context, id string) (discordgo.Channel, error) {
	var th discordgo.Channel
	err := s.waitFor(ctx, "a thread on message "+id, func() bool {
		if t := s.threadsLocked()[id]; t != nil {
			th = *t
			return true
		}
		return false
	})
	return th, err
}
