package discordtest

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes. See https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresenceUpdate = 3
	opVoiceState     = 4
	opResume         = 6
	opReconnect      = 7
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// Gateway close codes the emulator uses.
const (
	CloseUnknownOpcode        = 4001
	CloseDecodeError          = 4002
	CloseNotAuthenticated     = 4003
	CloseAuthenticationFailed = 4004
	CloseAlreadyAuthenticated = 4005
	CloseInvalidShard         = 4010
	CloseInvalidIntents       = 4013
	CloseDisallowedIntents    = 4014
)

// validIntents are the intent bits Discord defines.
const validIntents = discordgo.Intent(1<<17-1) | 1<<20 | 1<<21 | 1<<24 | 1<<25

// privilegedIntents need a switch in the developer portal.
const privilegedIntents = discordgo.IntentGuildMembers | discordgo.IntentGuildPresences | discordgo.IntentMessageContent

// writeTimeout bounds a frame write, so a client that stopped reading cannot
// block the server.
const writeTimeout = 5 * time.Second

// gatewayState is the gateway's side of the sessions the emulator keeps:
// one per shard (shard 0 for a bot that does not shard). Guarded by
// Server.mu.
type gatewayState struct {
	conns        map[*gatewayConn]bool
	sessions     map[int]*shardSession // by shard id
	shardCount   int                   // from the last Identify; 1 when it named no shard
	outage       bool                  // the gateway refuses connections
	stats        GatewayStats
	lastIdentify *discordgo.Identify
	lastQuery    url.Values
	identifyLog  []ShardIdentify
}

// shardSession is one shard's session.
type shardSession struct {
	live      *gatewayConn // has had READY or RESUMED; receives dispatches
	sessionID string
	resumable bool
	compress  bool             // the session's Identify asked for zlib frames
	intents   discordgo.Intent // the session's Identify intents
	seq       int64            // last sequence number sent in this session
	log       []sequencedFrame // this session's events, replayed on Resume
}

// ShardIdentify is one accepted Identify: which shard, of how many, when.
type ShardIdentify struct {
	Shard, Count int
	At           time.Time
}

// session returns shard's session, made empty if there is none.
func (g *gatewayState) session(shard int) *shardSession {
	if g.sessions == nil {
		g.sessions = map[int]*shardSession{}
	}
	ss := g.sessions[shard]
	if ss == nil {
		ss = &shardSession{}
		g.sessions[shard] = ss
	}
	return ss
}

// count is how many shards the bot runs (1 when it does not shard).
func (g *gatewayState) count() int { return max(g.shardCount, 1) }

// ShardFor is the shard that receives a guild's events out of count, as
// Discord routes them: (guild_id >> 22) % count. DMs ("") go to shard 0.
func ShardFor(guildID string, count int) int {
	if count <= 1 || guildID == "" {
		return 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// shardOfLocked is the shard that receives guildID's events now.
func (s *Server) shardOfLocked(guildID string) int { return ShardFor(guildID, s.gw.count()) }

// intentsForLocked are the intents of the session that receives guildID's
// events.
func (s *Server) intentsForLocked(guildID string) discordgo.Intent {
	return s.gw.session(s.shardOfLocked(guildID)).intents
}

func (g *gatewayState) allConns() []*gatewayConn {
	out := make([]*gatewayConn, 0, len(g.conns))
	for c := range g.conns {
		out = append(out, c)
	}
	return out
}

type sequencedFrame struct {
	seq   int64
	frame []byte
}

// GatewayStats counts what happened on the gateway.
type GatewayStats struct {
	Connections   int              // websocket connections accepted
	Refused       int              // connections refused during an Outage
	Open          int              // websocket connections open now
	Identifies    int              // identifies accepted; each starts a new session
	Resumes       int              // resumes accepted
	FailedResumes int              // resumes answered with Invalid Session
	Heartbeats    int              // heartbeats received
	Live          bool             // a connection has had READY or RESUMED and receives dispatches (shard 0's)
	Ready         bool             // every shard Live, and the client has sent a heartbeat on each connection: what WaitReady waits for
	SessionID     string           // the current session (shard 0's)
	Sequence      int64            // the last sequence number sent (shard 0's)
	Intents       discordgo.Intent // the current session's intents (shard 0's)
	Shards        int              // the shard count of the last Identify; 1 without sharding
	LiveShards    []int            // the shards with a live connection
}

// gatewayConn is one websocket connection.
type gatewayConn struct {
	ws         *websocket.Conn
	writeMu    sync.Mutex
	compress   atomic.Bool // send zlib-compressed binary frames
	identified atomic.Bool // has identified or resumed; cleared by Invalid Session
	heartbeats int         // heartbeats received on this connection; guarded by Server.mu
	shard      int         // the shard it identified or resumed as; guarded by Server.mu
}

// write sends one frame, compressed if the session asked for it.
func (c *gatewayConn) write(frame []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	if !c.compress.Load() {
		return c.ws.WriteMessage(websocket.TextMessage, frame)
	}
	// discordgo inflates each binary message on its own: one zlib stream per frame.
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(frame)
	zw.Close()
	return c.ws.WriteMessage(websocket.BinaryMessage, buf.Bytes())
}

// closeWith sends a close frame with code and drops the connection.
func (c *gatewayConn) closeWith(code int, reason string) {
	c.writeMu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeTimeout))
	c.writeMu.Unlock()
	c.ws.Close()
}

func opFrame(op int, d any) []byte {
	b, _ := json.Marshal(map[string]any{"op": op, "d": d, "s": nil, "t": nil})
	return b
}

// dispatchFrame builds an op 0 frame by hand so that d is sent exactly as
// given, even when it is not valid JSON.
func dispatchFrame(seq int64, eventType string, d []byte) []byte {
	t, _ := json.Marshal(eventType)
	var b bytes.Buffer
	b.WriteString(`{"op":0,"s":`)
	b.WriteString(strconv.FormatInt(seq, 10))
	b.WriteString(`,"t":`)
	b.Write(t)
	b.WriteString(`,"d":`)
	b.Write(d)
	b.WriteString(`}`)
	return b.Bytes()
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway runs one gateway connection: Hello, then opcodes until it closes.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed || s.gw.outage {
		if s.gw.outage {
			s.gw.stats.Refused++
			s.notifyLocked()
		}
		s.mu.Unlock()
		http.Error(w, "server closed or gateway unavailable", http.StatusServiceUnavailable)
		return
	}
	s.gatewayWG.Add(1)
	s.mu.Unlock()
	defer s.gatewayWG.Done()

	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered
	}
	c := &gatewayConn{ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	if s.gw.conns == nil {
		s.gw.conns = map[*gatewayConn]bool{}
	}
	s.gw.conns[c] = true
	s.gw.stats.Connections++
	s.gw.lastQuery = r.URL.Query()
	s.notifyLocked()
	s.mu.Unlock()

	defer func() {
		s.mu.Lock()
		delete(s.gw.conns, c)
		if ss := s.gw.sessions[c.shard]; ss != nil && ss.live == c {
			ss.live = nil
		}
		s.notifyLocked()
		s.mu.Unlock()
		ws.Close()
	}()

	interval := s.cfg.heartbeatInterval.Milliseconds()
	if interval < 1 {
		interval = 1
	}
	if c.write(opFrame(opHello, map[string]any{"heartbeat_interval": interval, "_trace": []string{"discordtest"}})) != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			c.closeWith(CloseDecodeError, "Error while decoding payload.")
			return
		}
		switch p.Op {
		case opHeartbeat:
			s.mu.Lock()
			s.gw.stats.Heartbeats++
			c.heartbeats++
			s.notifyLocked()
			s.mu.Unlock()
			if c.write(opFrame(opHeartbeatACK, nil)) != nil {
				return
			}
		case opIdentify:
			if !s.identify(c, p.D) {
				return
			}
		case opResume:
			if !s.resume(c, p.D) {
				return
			}
		case opPresenceUpdate, opVoiceState, opRequestMembers:
			if !c.identified.Load() {
				c.closeWith(CloseNotAuthenticated, "Not authenticated.")
				return
			}
		default:
			c.closeWith(CloseUnknownOpcode, "Unknown opcode.")
			return
		}
	}
}

// identify checks an Identify and starts a new session on c: READY, then a
// GUILD_CREATE per guild. It reports whether the connection stays open.
func (s *Server) identify(c *gatewayConn, d json.RawMessage) bool {
	// Not decoded into discordgo.Identify: discordgo sends a zero presence
	// whose activity's created_at is a time string, which its own Activity
	// type cannot decode. Discord ignores it; so does the emulator.
	var p struct {
		Token          string                       `json:"token"`
		Properties     discordgo.IdentifyProperties `json:"properties"`
		Compress       bool                         `json:"compress"`
		LargeThreshold int                          `json:"large_threshold"`
		Shard          *[2]int                      `json:"shard"`
		Intents        discordgo.Intent             `json:"intents"`
	}
	if err := json.Unmarshal(d, &p); err != nil {
		c.closeWith(CloseDecodeError, "Error while decoding payload.")
		return false
	}
	id := discordgo.Identify{
		Token: p.Token, Properties: p.Properties, Compress: p.Compress,
		LargeThreshold: p.LargeThreshold, Shard: p.Shard, Intents: p.Intents,
	}
	switch {
	case c.identified.Load():
		c.closeWith(CloseAlreadyAuthenticated, "Already authenticated.")
		return false
	case strings.TrimPrefix(id.Token, "Bot ") != s.cfg.token:
		// discordgo sends the token with its "Bot " prefix; Discord accepts both.
		c.closeWith(CloseAuthenticationFailed, "Authentication failed.")
		return false
	case id.Intents&^validIntents != 0:
		c.closeWith(CloseInvalidIntents, "Invalid intent(s).")
		return false
	case id.Intents&privilegedIntents&^s.cfg.privilegedIntents != 0:
		c.closeWith(CloseDisallowedIntents, "Disallowed intent(s).")
		return false
	case id.Shard != nil && (id.Shard[1] < 1 || id.Shard[0] < 0 || id.Shard[0] >= id.Shard[1]):
		c.closeWith(CloseInvalidShard, "Invalid shard.")
		return false
	}
	c.identified.Store(true)
	c.compress.Store(id.Compress)

	shard, count := 0, 1
	if id.Shard != nil {
		shard, count = id.Shard[0], id.Shard[1]
	}
	s.dispatchMu.Lock()
	defer s.dispatchMu.Unlock()
	s.mu.Lock()
	s.gw.stats.Identifies++
	idCopy := id
	s.gw.lastIdentify = &idCopy
	s.gw.identifyLog = append(s.gw.identifyLog, ShardIdentify{Shard: shard, Count: count, At: time.Now()})
	s.gw.shardCount = count
	c.shard = shard
	ss := s.gw.session(shard)
	ss.sessionID = randomHex(16)
	ss.resumable = true
	ss.compress = id.Compress
	ss.intents = id.Intents
	ss.seq = 0
	ss.log = nil
	if ss.live != nil && ss.live != c {
		// One session per shard: the older connection stops receiving events.
		ss.live = nil
	}
	ready := s.readyLocked(id)
	var guilds []guildConfig
	for _, g := range s.cfg.guilds {
		if ShardFor(g.id, count) == shard {
			guilds = append(guilds, g)
		}
	}
	s.mu.Unlock()

	s.sendEvent(c, "READY", mustJSON(ready), true)
	if id.Intents&discordgo.IntentGuilds != 0 {
		for _, g := range guilds {
			s.sendEvent(c, "GUILD_CREATE", mustJSON(s.guildCreate(g)), true)
		}
	}
	s.goLive(c)
	return true
}

// resume replays the events after the client's sequence number, then sends
// RESUMED; a resume of an unknown or invalidated session gets op 9 instead,
// as on Discord. It reports whether the connection stays open.
func (s *Server) resume(c *gatewayConn, d json.RawMessage) bool {
	var rp struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(d, &rp); err != nil {
		c.closeWith(CloseDecodeError, "Error while decoding payload.")
		return false
	}
	if strings.TrimPrefix(rp.Token, "Bot ") != s.cfg.token {
		c.closeWith(CloseAuthenticationFailed, "Authentication failed.")
		return false
	}
	s.dispatchMu.Lock()
	defer s.dispatchMu.Unlock()
	s.mu.Lock()
	shard, ss := -1, (*shardSession)(nil)
	for id, x := range s.gw.sessions {
		if rp.SessionID != "" && x.sessionID == rp.SessionID {
			shard, ss = id, x
		}
	}
	if ss == nil || !ss.resumable || rp.Seq > ss.seq {
		s.gw.stats.FailedResumes++
		s.notifyLocked()
		s.mu.Unlock()
		s.logf("gateway: resume of session %q at %d refused", rp.SessionID, rp.Seq)
		return c.write(opFrame(opInvalidSession, false)) == nil
	}
	s.gw.stats.Resumes++
	c.shard = shard
	c.identified.Store(true)
	c.compress.Store(ss.compress)
	var replay [][]byte
	for _, f := range ss.log {
		if f.seq > rp.Seq {
			replay = append(replay, f.frame)
		}
	}
	s.mu.Unlock()
	for _, f := range replay {
		if err := c.write(f); err != nil {
			return false
		}
	}
	s.sendEvent(c, "RESUMED", []byte(`{"_trace":["discordtest"]}`), false)
	s.goLive(c)
	return true
}

// goLive makes c the connection that receives dispatches.
func (s *Server) goLive(c *gatewayConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw.conns[c] {
		s.gw.session(c.shard).live = c
	}
	s.notifyLocked()
}

// sendEvent sends one dispatch with the next sequence number to c, or, when
// c is nil, to the live connection of the shard the event's guild_id routes
// to (shard 0 for DMs and events of no guild). Replayable events are kept
// for Resume. Callers hold dispatchMu.
func (s *Server) sendEvent(c *gatewayConn, eventType string, d []byte, replayable bool) int64 {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0
	}
	var ss *shardSession
	if c != nil {
		ss = s.gw.session(c.shard)
	} else {
		var g struct {
			GuildID string `json:"guild_id"`
		}
		_ = json.Unmarshal(d, &g) // malformed events go to shard 0
		ss = s.gw.session(s.shardOfLocked(g.GuildID))
		c = ss.live
	}
	ss.seq++
	seq := ss.seq
	frame := dispatchFrame(seq, eventType, d)
	if replayable {
		ss.log = append(ss.log, sequencedFrame{seq: seq, frame: frame})
	}
	s.gw.stats.Sequence = s.gw.session(0).seq
	s.notifyLocked()
	s.mu.Unlock()
	if c != nil {
		if err := c.write(frame); err != nil {
			s.logf("gateway: writing %s: %v", eventType, err)
			c.ws.Close() // the reader sees the error and removes the connection
		}
	}
	return seq
}

// Dispatch sends a gateway event (op 0) of eventType with data as its "d",
// and returns its sequence number. The event goes to the live connection of
// the shard its guild_id routes to (see ShardFor); if there is none it waits
// in that session's log and reaches the client when it
// resumes (a new Identify starts a new session and loses it, as on Discord).
func (s *Server) Dispatch(eventType string, data any) (int64, error) {
	d, err := json.Marshal(data)
	if err != nil {
		return 0, fmt.Errorf("discordtest: encoding %s: %w", eventType, err)
	}
	return s.DispatchRaw(eventType, d), nil
}

// DispatchRaw is Dispatch with "d" given as raw bytes, sent exactly as they
// are: malformed JSON makes a malformed frame, for testing how the bot
// copes.
func (s *Server) DispatchRaw(eventType string, d []byte) int64 {
	s.dispatchMu.Lock()
	defer s.dispatchMu.Unlock()
	return s.sendEvent(nil, eventType, d, true)
}

// takeLive returns the live connection and marks it no longer live: the
// caller is about to make the client leave it.
// These act on shard 0's session (the only one of a bot that does not shard).
func (s *Server) takeLive(what string) (*gatewayConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.gw.session(0)
	c := ss.live
	if c == nil {
		return nil, fmt.Errorf("discordtest: %s: no live gateway connection", what)
	}
	ss.live = nil
	s.notifyLocked()
	return c, nil
}

// Reconnect sends op 7 Reconnect on the live connection. discordgo answers
// by closing the connection (which takes it a second), opening a new one and
// resuming. WaitReady returns once it has.
func (s *Server) Reconnect() error {
	s.dispatchMu.Lock()
	defer s.dispatchMu.Unlock()
	c, err := s.takeLive("Reconnect")
	if err != nil {
		return err
	}
	return c.write(opFrame(opReconnect, nil))
}

// InvalidSession sends op 9 Invalid Session on the live connection. With
// resumable false the session can no longer be resumed. discordgo answers
// either kind with a new Identify on the same connection.
func (s *Server) InvalidSession(resumable bool) error {
	s.dispatchMu.Lock()
	defer s.dispatchMu.Unlock()
	c, err := s.takeLive("InvalidSession")
	if err != nil {
		return err
	}
	s.mu.Lock()
	if !resumable {
		s.gw.session(0).resumable = false
	}
	s.mu.Unlock()
	c.identified.Store(false) // the client may identify again on this connection
	return c.write(opFrame(opInvalidSession, resumable))
}

// DropConnection closes the live connection's socket without a close frame,
// as a network failure would. discordgo reconnects and resumes.
func (s *Server) DropConnection() error {
	c, err := s.takeLive("DropConnection")
	if err != nil {
		return err
	}
	return c.ws.Close()
}

// CloseConnection closes the live connection with a close frame carrying
// code (4000-4014 are Discord's gateway close codes) and reason.
func (s *Server) CloseConnection(code int, reason string) error {
	c, err := s.takeLive("CloseConnection")
	if err != nil {
		return err
	}
	c.closeWith(code, reason)
	return nil
}

// WaitReady waits until a gateway connection has had READY or RESUMED,
// receives dispatches, and has carried a heartbeat from the client. After
// Reconnect, InvalidSession or DropConnection it waits for the client to
// come back.
//
// The heartbeat matters: discordgo starts a heartbeat goroutine for each
// connection when Open returns, and that goroutine's first act is a
// heartbeat. If the connection is closed before it gets there (by Close,
// Reconnect or DropConnection), the heartbeat fails on the closed socket
// and discordgo reconnects a second time, behind the test's back and even
// after Session.Close. Once the first heartbeat has arrived the goroutine
// only waits for the next tick, so act on a session after WaitReady.
func (s *Server) WaitReady(ctx context.Context) error {
	return s.waitFor(ctx, "a live gateway connection that has heartbeated", s.settledLocked)
}

// settledLocked reports whether every shard's live connection has carried a
// heartbeat (the one session's, for a bot that does not shard).
func (s *Server) settledLocked() bool {
	for shard := range s.gw.count() {
		ss := s.gw.sessions[shard]
		if ss == nil || ss.live == nil || ss.live.heartbeats == 0 {
			return false
		}
	}
	return true
}

// GatewayStats returns the gateway's counters.
func (s *Server) GatewayStats() GatewayStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gatewayStatsLocked()
}

func (s *Server) gatewayStatsLocked() GatewayStats {
	st := s.gw.stats
	ss := s.gw.session(0)
	st.Open = len(s.gw.conns)
	st.Live = ss.live != nil
	st.Ready = s.settledLocked()
	st.SessionID = ss.sessionID
	st.Intents = ss.intents
	st.Shards = s.gw.count()
	for shard := range s.gw.count() {
		if x := s.gw.sessions[shard]; x != nil && x.live != nil {
			st.LiveShards = append(st.LiveShards, shard)
		}
	}
	return st
}

// WaitGateway waits until cond holds for the gateway's counters and returns them.
func (s *Server) WaitGateway(ctx context.Context, cond func(GatewayStats) bool) (GatewayStats, error) {
	var st GatewayStats
	err := s.waitFor(ctx, "gateway state", func() bool {
		st = s.gatewayStatsLocked()
		return cond(st)
	})
	return st, err
}

// Identifies returns how many identifies the gateway accepted.
func (s *Server) Identifies() int { return s.GatewayStats().Identifies }

// Resumes returns how many resumes the gateway accepted.
func (s *Server) Resumes() int { return s.GatewayStats().Resumes }

// LastIdentify returns the last accepted Identify payload (token, intents,
// properties, compress, shard).
func (s *Server) LastIdentify() (discordgo.Identify, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw.lastIdentify == nil {
		return discordgo.Identify{}, false
	}
	return *s.gw.lastIdentify, true
}

// GatewayQuery returns the query of the last gateway connection; discordgo
// sends v=9&encoding=json.
func (s *Server) GatewayQuery() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.lastQuery
}

// readyLocked builds READY's "d": the guilds of the identifying shard.
func (s *Server) readyLocked(id discordgo.Identify) map[string]any {
	guilds := make([]map[string]any, 0, len(s.cfg.guilds))
	for _, g := range s.cfg.guilds {
		if id.Shard == nil || ShardFor(g.id, id.Shard[1]) == id.Shard[0] {
			guilds = append(guilds, map[string]any{"id": g.id, "unavailable": true})
		}
	}
	user := userJSON(s.cfg.botUser)
	user["verified"] = true
	user["mfa_enabled"] = false
	user["email"] = nil
	ready := map[string]any{
		"v":                       9,
		"user":                    user,
		"guilds":                  guilds,
		"session_id":              s.gw.session(shardOf(id)).sessionID,
		"session_type":            "normal",
		"resume_gateway_url":      s.GatewayURL(),
		"application":             map[string]any{"id": s.cfg.appID, "flags": s.cfg.appFlags},
		"private_channels":        []any{},
		"relationships":           []any{},
		"presences":               []any{},
		"guild_join_requests":     []any{},
		"geo_ordered_rtc_regions": []string{"loopback"},
		"user_settings":           map[string]any{},
		"_trace":                  []string{"discordtest"},
	}
	if id.Shard != nil {
		ready["shard"] = id.Shard
	}
	return ready
}

// guildCreate builds GUILD_CREATE's "d" for g.
func (s *Server) guildCreate(g guildConfig) map[string]any {
	channels := make([]map[string]any, 0, len(g.channels))
	for i, c := range g.channels {
		channels = append(channels, map[string]any{
			"id": c, "type": discordgo.ChannelTypeGuildText, "name": fmt.Sprintf("channel-%d", i+1),
			"position": i, "permission_overwrites": []any{}, "nsfw": false,
			"parent_id": nil, "last_message_id": nil, "rate_limit_per_user": 0, "topic": nil,
		})
	}
	everyone := map[string]any{
		"id": g.id, "name": "@everyone", "permissions": strconv.FormatInt(DefaultMemberPermissions, 10),
		"position": 0, "color": 0, "hoist": false, "managed": false, "mentionable": false, "flags": 0,
	}
	return map[string]any{
		"id": g.id, "name": g.name, "icon": nil, "owner_id": "1", "unavailable": false,
		"member_count": 2, "large": false, "joined_at": time.Now().UTC().Format(time.RFC3339Nano),
		"channels": channels, "roles": []any{everyone}, "members": []any{}, "emojis": []any{},
		"features": []any{}, "threads": s.guildThreads(g.id), "presences": []any{}, "voice_states": []any{},
		"stickers": []any{}, "stage_instances": []any{}, "guild_scheduled_events": []any{},
		"preferred_locale": "en-US", "afk_timeout": 300, "verification_level": 0,
		"default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
		"premium_tier": 0, "system_channel_flags": 0, "nsfw_level": 0,
	}
}

// userJSON renders a user as Discord does in events.
func userJSON(u discordgo.User) map[string]any {
	var globalName any
	if u.GlobalName != "" {
		globalName = u.GlobalName
	}
	disc := u.Discriminator
	if disc == "" {
		disc = "0"
	}
	return map[string]any{
		"id": u.ID, "username": u.Username, "global_name": globalName, "discriminator": disc,
		"avatar": nil, "bot": u.Bot, "public_flags": 0, "flags": 0,
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("discordtest: encoding %T: %v", v, err))
	}
	return b
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("discordtest: crypto/rand failed"))
	}
	return hex.EncodeToString(b)
}

// shardOf is the shard an Identify names; 0 when it names none.
func shardOf(id discordgo.Identify) int {
	if id.Shard == nil {
		return 0
	}
	return id.Shard[0]
}

// IdentifyLog lists the identifies accepted, in order, with their shards
// and times.
func (s *Server) IdentifyLog() []ShardIdentify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ShardIdentify(nil), s.gw.identifyLog...)
}

// Outage makes the gateway unreachable: every connection is dropped without
// a close frame, as a network failure would, and new ones are refused (HTTP
// 503 to the websocket upgrade) until EndOutage. REST keeps working.
// Events dispatched meanwhile wait in their session's log, for a resume.
func (s *Server) Outage() {
	s.mu.Lock()
	s.gw.outage = true
	conns := s.gw.allConns()
	for _, ss := range s.gw.sessions {
		ss.live = nil
	}
	s.notifyLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
}

// EndOutage lets the gateway take connections again.
func (s *Server) EndOutage() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.outage = false
	s.notifyLocked()
}
