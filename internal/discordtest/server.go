package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// apiPrefix is where discordgo v0.29.0 puts the REST API (APIVersion "9").
const apiPrefix = "/api/v9"

// Defaults for a Server; each has an Option to change it.
const (
	DefaultToken               = "discordtest-bot-token"
	DefaultBotID               = "900000000000000001"
	DefaultBotName             = "bytewatch"
	DefaultGuildID             = "800000000000000001"
	DefaultGuildName           = "ByteWatch Test Guild"
	DefaultChannelID           = "800000000000000002"
	DefaultHeartbeatInterval   = 41250 * time.Millisecond      // Discord's
	DefaultInteractionDeadline = discordgo.InteractionDeadline // 3 s, as on Discord
)

// Server is a Discord emulator on 127.0.0.1: the REST API under /api/v9 and
// the gateway websocket on "/". Create one with New; it is closed when the
// test ends. All methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:PORT": the apiBase to
	// give bot.NewRewriteTransport.
	URL string

	cfg    config
	srv    *httptest.Server
	routes []route

	// dispatchMu orders the gateway frames that carry sequence numbers, so
	// events reach the client in sequence and none slips between a resume's
	// replay and the connection going live. Taken before mu, never after.
	dispatchMu sync.Mutex
	gatewayWG  sync.WaitGroup

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced on every change, to wake waiters
	closed        bool
	lastSnowflake int64
	requests      []Request
	rateLimits    []*rateLimitRule
	failRules     []*failRule
	commands      map[string][]*discordgo.ApplicationCommand // by guild ID, "" for global
	interactions  map[string]*Interaction                    // by interaction ID
	byToken       map[string]*Interaction                    // by interaction token
	messages      map[string]*discordgo.Message              // every message the emulator knows, by ID
	messageOrder  []string                                   // message IDs in creation order
	channels      map[string]string                          // known channel ID → guild ID ("" for a DM)
	dmChannels    map[string]string                          // recipient user ID → DM channel ID
	users         map[string]*discordgo.User                 // users seen in dispatched events, by ID
	reactions     map[string][]string                        // "channel/message" → emoji the bot added
	sentMessages  []Message                                  // accepted channel message bodies
	sentEdits     []Message                                  // accepted channel message edit bodies
	threads       map[string]*discordgo.Channel              // started threads by ID (threads.go)
	attachments   map[string]storedAttachment                // uploaded files by URL path (AddAttachment)
	gw            gatewayState
}

// config is what Options set.
type config struct {
	token               string
	botUser             discordgo.User
	appID               string
	appFlags            int
	guilds              []guildConfig
	heartbeatInterval   time.Duration
	interactionDeadline time.Duration
	privilegedIntents   discordgo.Intent
	echoMessages        bool
	recommendedShards   int // GET /gateway/bot's "shards"
	maxConcurrency      int // GET /gateway/bot's session_start_limit.max_concurrency
	now                 func() time.Time
	logf                func(format string, args ...any)
}

type guildConfig struct {
	id, name string
	channels []string
}

// Option configures a Server.
type Option func(*config)

// WithToken sets the bot token the server accepts, without the "Bot " prefix.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithBotUser sets the bot's user ID and name, sent in READY and GET /users/@me.
// The application ID follows the user ID unless WithApplication sets it.
func WithBotUser(id, username string) Option {
	return func(c *config) { c.botUser.ID, c.botUser.Username = id, username }
}

// WithApplication sets the application ID and flags sent in READY; interaction
// webhooks live under this ID.
func WithApplication(id string, flags int) Option {
	return func(c *config) { c.appID, c.appFlags = id, flags }
}

// WithGuild adds a guild the bot is in, with its text channels. The first
// guild added replaces the default one. READY lists the guilds and a
// GUILD_CREATE follows for each.
func WithGuild(id, name string, channelIDs ...string) Option {
	return func(c *config) {
		c.guilds = append(c.guilds, guildConfig{id: id, name: name, channels: channelIDs})
	}
}

// WithHeartbeatInterval sets the heartbeat_interval sent in Hello. discordgo
// heartbeats once when it connects and then every interval, and reconnects
// after five intervals without an ACK. The default is Discord's 41.25 s, so in
// a test discordgo heartbeats only as it connects: a short interval makes a
// busy machine's slow reads look like a dead connection, and a tick that
// lands while discordgo closes a connection makes it reconnect again. Set a
// short one only in a test about heartbeating.
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) { c.heartbeatInterval = d }
}

// WithInteractionDeadline sets how long after dispatch an interaction
// callback is accepted (3 s on Discord).
func WithInteractionDeadline(d time.Duration) Option {
	return func(c *config) { c.interactionDeadline = d }
}

// WithPrivilegedIntents sets the privileged intents the application is
// allowed (the switches in the developer portal). Identify asking for others
// is closed with 4014. The default allows MESSAGE_CONTENT only.
func WithPrivilegedIntents(allowed discordgo.Intent) Option {
	return func(c *config) { c.privilegedIntents = allowed }
}

// WithClock sets the clock the server reads for interaction deadlines and
// the times it records (Message.Time and After, Callback.After). The default
// is time.Now. A test of deadlines passes a clock it moves itself, so that
// "late" and "in time" do not depend on how busy the machine is.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithoutMessageEcho stops the server dispatching MESSAGE_CREATE for the
// bot's own channel messages. By default it does, as Discord does, so a bot
// that answers messages must ignore its own.
func WithoutMessageEcho() Option { return func(c *config) { c.echoMessages = false } }

// WithRecommendedShards sets what GET /gateway/bot answers: the shard count
// Discord recommends and how many shards may identify at once
// (max_concurrency, per 5 s). Both default to 1.
func WithRecommendedShards(shards, maxConcurrency int) Option {
	return func(c *config) { c.recommendedShards, c.maxConcurrency = shards, maxConcurrency }
}

// WithLogf sets where the server logs rejected requests and gateway events;
// the default is the test's Logf.
func WithLogf(logf func(format string, args ...any)) Option {
	return func(c *config) { c.logf = logf }
}

// New starts a Server on 127.0.0.1 and closes it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	cfg := config{
		token:               DefaultToken,
		botUser:             discordgo.User{ID: DefaultBotID, Username: DefaultBotName},
		heartbeatInterval:   DefaultHeartbeatInterval,
		interactionDeadline: DefaultInteractionDeadline,
		privilegedIntents:   discordgo.IntentMessageContent,
		echoMessages:        true,
		now:                 time.Now,
		logf:                tb.Logf,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.appID == "" {
		cfg.appID = cfg.botUser.ID
	}
	if len(cfg.guilds) == 0 {
		cfg.guilds = []guildConfig{{id: DefaultGuildID, name: DefaultGuildName, channels: []string{DefaultChannelID}}}
	}
	cfg.botUser.Bot = true
	cfg.botUser.Discriminator = "0"
	cfg.botUser.Verified = true

	s := &Server{
		cfg:          cfg,
		changed:      make(chan struct{}),
		commands:     map[string][]*discordgo.ApplicationCommand{},
		interactions: map[string]*Interaction{},
		byToken:      map[string]*Interaction{},
		messages:     map[string]*discordgo.Message{},
		channels:     map[string]string{},
		dmChannels:   map[string]string{},
		users:        map[string]*discordgo.User{},
		reactions:    map[string][]string{},
	}
	for _, g := range cfg.guilds {
		for _, c := range g.channels {
			s.channels[c] = g.id
		}
	}
	s.routes = s.buildRoutes()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("discordtest: listen on 127.0.0.1: %v", err)
	}
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(s.serveHTTP)}}
	s.srv.Start()
	s.URL = s.srv.URL
	tb.Cleanup(s.close)
	return s
}

// close stops the gateway, then the HTTP server.
func (s *Server) close() {
	s.mu.Lock()
	s.closed = true
	conns := s.gw.allConns()
	s.notifyLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	s.gatewayWG.Wait()
	s.srv.Close()
}

// Token returns the bot token the server accepts, without the "Bot " prefix.
func (s *Server) Token() string { return s.cfg.token }

// BotUser returns the bot's user as READY sends it.
func (s *Server) BotUser() discordgo.User { return s.cfg.botUser }

// BotMention returns the text that mentions the bot in a message: "<@ID>".
func (s *Server) BotMention() string { return "<@" + s.cfg.botUser.ID + ">" }

// ApplicationID returns the application ID sent in READY.
func (s *Server) ApplicationID() string { return s.cfg.appID }

// GuildID returns the first guild's ID.
func (s *Server) GuildID() string { return s.cfg.guilds[0].id }

// ChannelID returns the first channel of the first guild.
func (s *Server) ChannelID() string {
	if ch := s.cfg.guilds[0].channels; len(ch) > 0 {
		return ch[0]
	}
	return ""
}

// GatewayURL returns the websocket URL that GET /gateway answers with.
func (s *Server) GatewayURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") }

// discordEpoch is 2015-01-01T00:00:00Z in Unix milliseconds.
const discordEpoch = 1420070400000

// newSnowflakeLocked returns a new ID, increasing and shaped like Discord's
// (milliseconds since the Discord epoch in the top bits), as a string.
func (s *Server) newSnowflakeLocked() string {
	id := (time.Now().UnixMilli() - discordEpoch) << 22
	if id <= s.lastSnowflake {
		id = s.lastSnowflake + 1
	}
	s.lastSnowflake = id
	return fmt.Sprint(id)
}

// notifyLocked wakes every waiter to re-check its condition.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until cond, evaluated with mu held, is true, or ctx ends.
func (s *Server) waitFor(ctx context.Context, what string, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("discordtest: waiting for %s: %w", what, ctx.Err())
		case <-ch:
		}
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.logf != nil {
		s.cfg.logf("discordtest: "+format, args...)
	}
}

// Request is one HTTP request the server received and how it answered.
type Request struct {
	Method string
	Path   string // decoded URL path, e.g. /api/v9/channels/1/messages
	// Route is the pattern that matched, relative to /api/v9, e.g.
	// "/channels/{channel}/messages"; empty for unknown routes.
	Route  string
	Query  url.Values
	Header http.Header
	// Body is the JSON body exactly as sent (for multipart bodies, the
	// payload_json part); nil when there was none.
	Body  json.RawMessage
	Files []string // file names of a multipart body
	// Uploads are the files of a multipart body, in order, with their bytes.
	Uploads []Upload
	// Status and Code are the HTTP status and Discord error code answered
	// (Code is 0 on success).
	Status   int
	Code     int
	Response json.RawMessage // the JSON answered, nil for 204
	Time     time.Time
}

// Upload is one file part of a multipart body.
type Upload struct {
	Field       string // the form field: "files[0]", …
	Name        string // its file name
	ContentType string
	Data        []byte
}

// Decode unmarshals the request's body into v.
func (r Request) Decode(v any) error {
	if len(r.Body) == 0 {
		return errors.New("discordtest: request has no body")
	}
	return json.Unmarshal(r.Body, v)
}

// Field returns a top-level field of the body as sent, and whether it was
// there: Field("allowed_mentions") shows exactly what went over the wire.
func (r Request) Field(name string) (json.RawMessage, bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(r.Body, &fields) != nil {
		return nil, false
	}
	v, ok := fields[name]
	return v, ok
}

// Unknown reports whether the request matched no route the server knows.
func (r Request) Unknown() bool { return r.Route == "" }

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsMatching returns the requests whose method is method ("" or "*"
// for any) and whose path matches pattern: segments separated by "/", where
// "*" or "{name}" matches any one segment, with or without the "/api/v9"
// prefix, e.g. "/channels/{id}/messages".
func (s *Server) RequestsMatching(method, pattern string) []Request {
	m := compilePattern(method, pattern)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if m.matches(r.Method, r.Path) {
			out = append(out, r)
		}
	}
	return out
}

// UnknownRequests returns the requests that matched no route (answered 404
// or 405); a bot calling an endpoint the emulator lacks shows up here.
func (s *Server) UnknownRequests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Unknown() {
			out = append(out, r)
		}
	}
	return out
}

// WaitRequest waits for a request (already received or still to come)
// matching method and pattern, as RequestsMatching matches, and match (nil
// matches any), and returns the first such.
func (s *Server) WaitRequest(ctx context.Context, method, pattern string, match func(Request) bool) (Request, error) {
	m := compilePattern(method, pattern)
	var found Request
	err := s.waitFor(ctx, method+" "+pattern, func() bool {
		for _, r := range s.requests {
			if m.matches(r.Method, r.Path) && (match == nil || match(r)) {
				found = r
				return true
			}
		}
		return false
	})
	return found, err
}

// pathPattern matches request paths by segment.
type pathPattern struct {
	method   string
	segments []string
}

func compilePattern(method, pattern string) pathPattern {
	p := strings.TrimPrefix(pattern, apiPrefix)
	return pathPattern{method: strings.ToUpper(method), segments: splitPath(p)}
}

func splitPath(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

func isWildcard(seg string) bool {
	return seg == "*" || (strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"))
}

func (p pathPattern) matches(method, path string) bool {
	if p.method != "" && p.method != "*" && p.method != method {
		return false
	}
	return p.matchPath(path)
}

func (p pathPattern) matchPath(path string) bool {
	segs := splitPath(strings.TrimPrefix(path, apiPrefix))
	if len(segs) != len(p.segments) {
		return false
	}
	for i, seg := range p.segments {
		if !isWildcard(seg) && seg != segs[i] {
			return false
		}
	}
	return true
}

// route is one REST endpoint the emulator serves.
type route struct {
	method  string
	pattern string // relative to /api/v9, {name} segments are parameters
	auth    bool   // needs "Authorization: Bot <token>"
	handle  func(*call) (status int, body any, err *apiError)
}

// params extracts the {name} segments of path for r.
func (r route) params(path string) (map[string]string, bool) {
	pat := splitPath(r.pattern)
	segs := splitPath(path)
	if len(pat) != len(segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, seg := range pat {
		switch {
		case isWildcard(seg):
			params[strings.Trim(seg, "{}")] = segs[i]
		case seg != segs[i]:
			return nil, false
		}
	}
	return params, true
}

// call is one request being handled. Handlers run with Server.mu held; work
// that must happen without it (gateway dispatches) goes in after.
type call struct {
	s           *Server
	r           *http.Request
	rec         *Request
	params      map[string]string
	body        json.RawMessage
	interaction *Interaction // the interaction the request names, if any
	after       []func()
}

func (c *call) param(name string) string { return c.params[name] }

// serveHTTP records the request, applies on-demand rate limits, checks the
// token and routes.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" && websocket.IsWebSocketUpgrade(r) {
		s.serveGateway(w, r)
		return
	}
	if isAttachmentPath(r.URL.Path) {
		s.serveAttachment(w, r)
		return
	}
	rec := Request{
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Time:   time.Now(),
	}
	body, uploads, bodyErr := readBody(r)
	rec.Body, rec.Uploads = body, uploads
	for _, u := range uploads {
		rec.Files = append(rec.Files, u.Name)
	}

	c := &call{s: s, r: r, rec: &rec, body: body}
	header := http.Header{}
	var (
		status  int
		payload any
		apiErr  *apiError
	)

	s.mu.Lock()
	apiPath, isAPI := strings.CutPrefix(r.URL.Path, apiPrefix)
	rt, params, methodMismatch := s.match(r.Method, apiPath, isAPI)
	if rt != nil {
		rec.Route = rt.pattern
	}
	limited := s.takeRateLimitLocked(r.Method, r.URL.Path, header, &payload)
	var failed *apiError
	if !limited {
		failed = s.takeFailLocked(r.Method, r.URL.Path)
	}
	switch {
	case limited:
		status = http.StatusTooManyRequests
	case failed != nil:
		apiErr = failed
	case rt == nil && methodMismatch:
		apiErr = newAPIError(http.StatusMethodNotAllowed, CodeGeneral, "405: Method Not Allowed")
	case rt == nil:
		apiErr = errNotFound()
	case rt.auth && r.Header.Get("Authorization") != "Bot "+s.cfg.token:
		apiErr = errUnauthorized()
	case bodyErr != nil:
		apiErr = errInvalidJSON()
	default:
		c.params = params
		status, payload, apiErr = rt.handle(c)
	}
	var resp []byte
	if apiErr != nil {
		status, resp = apiErr.status, apiErr.body()
		rec.Code = apiErr.code
	} else if payload != nil && status != http.StatusNoContent {
		resp, _ = json.Marshal(payload)
	}
	rec.Status = status
	rec.Response = resp
	s.requests = append(s.requests, rec)
	if c.interaction != nil {
		c.interaction.requests = append(c.interaction.requests, rec)
	}
	s.notifyLocked()
	s.mu.Unlock()

	if status >= 400 {
		s.logf("%s %s -> %d %s", r.Method, r.URL.Path, status, resp)
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	if resp != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(resp)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	for _, fn := range c.after {
		fn()
	}
}

// match finds the route for method and path (relative to /api/v9).
// methodMismatch reports a path that exists with other methods.
func (s *Server) match(method, path string, isAPI bool) (rt *route, params map[string]string, methodMismatch bool) {
	if !isAPI {
		return nil, nil, false
	}
	for i := range s.routes {
		p, ok := s.routes[i].params(path)
		if !ok {
			continue
		}
		if s.routes[i].method == method {
			return &s.routes[i], p, false
		}
		methodMismatch = true
	}
	return nil, nil, methodMismatch
}

// readBody returns a JSON body, or the payload_json part and file names of
// a multipart one. An error means the body is not valid JSON.
func readBody(r *http.Request) (json.RawMessage, []Upload, error) {
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		var payload json.RawMessage
		var files []Upload
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, err
			}
			if part.FormName() == "payload_json" {
				b, err := io.ReadAll(part)
				if err != nil {
					return nil, nil, err
				}
				payload = b
			} else if part.FileName() != "" {
				b, err := io.ReadAll(part)
				if err != nil {
					return nil, nil, err
				}
				files = append(files, Upload{Field: part.FormName(), Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: b})
			}
		}
		if payload != nil && !json.Valid(payload) {
			return payload, files, errors.New("payload_json is not valid JSON")
		}
		return payload, files, nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil, nil
	}
	if !json.Valid(b) {
		return b, nil, errors.New("body is not valid JSON")
	}
	return b, nil, nil
}

// Prune forgets what the server has recorded — requests, messages,
// interactions, users seen, reactions, sent bodies — and each session's
// replay log, keeping only the configured guilds and their channels. A
// soak test calls it between batches, when nothing is in flight, so that
// the emulator's own memory stays flat and the process's heap measures
// the bot's. Interactions and messages from before are unknown afterwards,
// and a resume after it replays nothing.
func (s *Server) Prune() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.interactions = map[string]*Interaction{}
	s.byToken = map[string]*Interaction{}
	s.messages = map[string]*discordgo.Message{}
	s.messageOrder = nil
	s.users = map[string]*discordgo.User{}
	s.reactions = map[string][]string{}
	s.dmChannels = map[string]string{}
	s.sentMessages, s.sentEdits = nil, nil
	s.channels = map[string]string{}
	for _, g := range s.cfg.guilds {
		for _, c := range g.channels {
			s.channels[c] = g.id
		}
	}
	for _, ss := range s.gw.sessions {
		ss.log = nil
	}
	s.notifyLocked()
}
