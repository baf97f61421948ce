package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/knowledge/folder"
)

// Intents are the gateway intents the bot asks for. MESSAGE_CONTENT is
// privileged: it must be switched on in the developer portal (Bot →
// Privileged Gateway Intents), or Discord refuses the connection.
const Intents = discordgo.IntentGuilds | discordgo.IntentGuildMessages |
	discordgo.IntentDirectMessages | discordgo.IntentMessageContent

// Permissions are what the bot needs in the channels it answers in, as the
// invite URL asks for them.
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionSendMessagesInThreads | discordgo.PermissionEmbedLinks |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionAddReactions

// Defaults for Options.
const (
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultQuestionTimeout bounds one question from arrival to reply; it
	// leaves room for LLM_TIMEOUT (30 s by default) and the edits around it.
	DefaultQuestionTimeout = 90 * time.Second
	// abortGrace is how long handlers get to reply after being cut off.
	abortGrace  = 3 * time.Second
	httpTimeout = 30 * time.Second
)

// Options configure Run.
type Options struct {
	Token      string // the bot token, without "Bot "
	APIBaseURL string // empty means Discord's own
	// GuildID registers the commands in that server only (instantly);
	// empty registers them globally.
	GuildID            string
	AnswerChannelIDs   []string
	ModeratorRoleIDs   []string
	RateLimitPerMinute int // 0 means commands.DefaultPerMinute

	Answerer  commands.Answerer
	Reindexer commands.Reindexer // nil disables /reindex's work (it still answers)
	Index     commands.IndexStatus
	Version   string
	Model     string // the LLM model; "" for extractive answers

	Logger *slog.Logger
	// Metrics records questions, first responses, tokens and reindexes;
	// nil records nothing.
	Metrics *ops.Metrics
	// OnServing, when set, is told whether the bot takes questions: true
	// on READY and on RESUMED (the gateway delivers events), false on a
	// disconnect and once shutdown begins. bytewatch run feeds /readyz
	// with it. It may be called from several goroutines.
	OnServing func(serving bool)
	// Transport carries the HTTP requests (before the rewrite to
	// APIBaseURL); nil means a clone of http.DefaultTransport, whose idle
	// connections are closed when Run returns.
	Transport http.RoundTripper
	// ShutdownTimeout bounds how long Run waits, after ctx ends, for
	// questions in flight; 0 means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// QuestionTimeout bounds each question; 0 means DefaultQuestionTimeout.
	QuestionTimeout time.Duration
	// StreamInterval spaces the edits of streaming answers; 0 means
	// commands.DefaultStreamInterval.
	StreamInterval time.Duration
	// OnReady, when set, is called once the bot is connected and its
	// commands are registered.
	OnReady func(Ready)
	// Source enables /source (moderators change the knowledge folder);
	// nil leaves it out.
	Source *commands.SourceConfig
	// WatchKnowledge, when set, runs while the bot is online, watching the
	// knowledge folder (folder.Folder.Watch); what it reports goes to the
	// audit channel (Source.AuditChannelID).
	WatchKnowledge func(ctx context.Context, onEvent func(folder.Event)) error
}

// Ready describes the connected bot.
type Ready struct {
	UserID, Username string
	ApplicationID    string
	InviteURL        string
	Commands         int
	GuildID          string // where the commands were registered; "" for globally
}

// InviteURL is the link that adds the bot to a server with the scopes and
// permissions it needs.
func InviteURL(applicationID string) string {
	q := url.Values{}
	q.Set("client_id", applicationID)
	q.Set("scope", "bot applications.commands")
	q.Set("permissions", strconv.FormatInt(Permissions, 10))
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}

// service is a running bot's shared state.
type service struct {
	opts     Options
	log      *slog.Logger
	session  *discordgo.Session
	rest     *commands.REST
	router   *commands.Router
	limiter  *commands.RateLimiter
	channels map[string]bool  // answer channels
	charts   *commands.Charts // nil without an Index: no charts
	audit    *commands.Audit  // nil without Source
	inflight inflight
	draining atomic.Bool
	// work is the parent of every handler's context; abort cancels it when
	// the shutdown wait runs out.
	work  context.Context
	abort context.CancelFunc
}

// Run connects to Discord, registers the slash commands and answers until
// ctx ends; then it stops taking questions, lets those in flight finish
// (within ShutdownTimeout) and closes the connection.
func Run(ctx context.Context, opts Options) error {
	if opts.Token == "" {
		return errors.New("bot: no token: set DISCORD_TOKEN")
	}
	if opts.Answerer == nil {
		return errors.New("bot: no Answerer")
	}
	b, closeTransport, err := newBot(opts)
	if err != nil {
		return err
	}
	defer closeTransport()
	defer b.abort()
	s := b.session

	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
	// READY and RESUMED mean events flow; a disconnect means they stop until
	// discordgo has reconnected. discordgo runs handlers in goroutines, but
	// it emits Disconnect a second before it reconnects (Close waits that
	// long), so the order holds in practice.
	connected := func(up bool) {
		if opts.OnServing != nil {
			opts.OnServing(up && !b.draining.Load())
		}
	}
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Ready) { connected(true) })
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		b.log.Info("discord: session resumed")
		connected(true)
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		b.log.Info("discord: gateway disconnected; reconnecting unless stopping")
		connected(false)
	})

	if err := s.Open(); err != nil {
		return fmt.Errorf("bot: connect to Discord: %w%s", dialledError(err), closeHint(err))
	}
	ready, err := b.register(ctx)
	if err != nil {
		b.shutdown()
		if ctx.Err() != nil {
			return nil // stopped while starting: not a failure
		}
		return err
	}
	b.log.Info("bot ready", "user", ready.Username, "user_id", ready.UserID, "application_id", ready.ApplicationID,
		"commands", ready.Commands, "guild_id", ready.GuildID, "invite_url", ready.InviteURL)
	if opts.WatchKnowledge != nil {
		wctx, stopWatch := context.WithCancel(ctx)
		watching := make(chan struct{})
		go func() {
			defer close(watching)
			err := opts.WatchKnowledge(wctx, func(ev folder.Event) {
				if ev.Version != nil && opts.Index != nil {
					opts.Metrics.Index(opts.Index.Version(), len(opts.Index.Base().Facts))
				}
				b.audit.Event(wctx, ev)
			})
			if err != nil {
				b.log.Error("the knowledge folder is not watched; edits on disk need /reindex", "error", err)
			}
		}()
		defer func() {
			stopWatch()
			<-watching
		}()
	}
	if opts.OnReady != nil {
		opts.OnReady(ready)
	}
	<-ctx.Done()
	b.log.Info("bot stopping", "cause", context.Cause(ctx))
	b.shutdown()
	return nil
}

// closeHint explains the gateway close codes a misconfigured bot gets.
func closeHint(err error) string {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return ""
	}
	switch ce.Code {
	case 4004:
		return " (the token was refused: check DISCORD_TOKEN)"
	case 4014:
		return " (turn on the Message Content intent: developer portal → your application → Bot → Privileged Gateway Intents)"
	}
	return ""
}

// newBot builds the session and the bot without connecting. closeTransport
// releases the transport Run made.
func newBot(opts Options) (*service, func(), error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.QuestionTimeout <= 0 {
		opts.QuestionTimeout = DefaultQuestionTimeout
	}
	s, err := discordgo.New("Bot " + opts.Token)
	if err != nil {
		return nil, nil, fmt.Errorf("bot: %w", err)
	}
	s.Identify.Intents = Intents
	// discordgo retries a 429 for ever; REST turns that off per call and
	// waits within each call's deadline. These bound whatever else it sends.
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 2
	s.StateEnabled = true

	transport, closeTransport := opts.Transport, func() {}
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		transport, closeTransport = t, t.CloseIdleConnections
	}
	if opts.APIBaseURL != "" {
		// discordgo's endpoints are fixed at init; rewrite them on the way out.
		rt, err := NewRewriteTransport(opts.APIBaseURL, transport)
		if err != nil {
			closeTransport()
			return nil, nil, fmt.Errorf("bot: DISCORD_API_BASE_URL: %w", err)
		}
		transport = rt
	}
	s.Client = &http.Client{Transport: transport, Timeout: httpTimeout}

	work, abort := context.WithCancel(context.Background())
	b := &service{
		opts: opts, log: opts.Logger, session: s, rest: commands.NewREST(s),
		limiter:  commands.NewRateLimiter(opts.RateLimitPerMinute),
		channels: map[string]bool{},
		work:     work, abort: abort,
	}
	for _, id := range opts.AnswerChannelIDs {
		b.channels[id] = true
	}
	if opts.Index != nil {
		// One Charts for commands and messages, so a Chart button under a
		// reply to a mention finds its chart.
		b.charts = commands.NewCharts(nil, opts.Index)
	}
	if opts.Source != nil {
		b.audit = commands.NewAudit(b.rest, opts.Source.AuditChannelID, opts.Logger)
	}
	b.router = commands.New(b.rest, commands.Config{
		Source: opts.Source, Audit: b.audit,
		Charts:   b.charts,
		Answerer: opts.Answerer, Reindexer: opts.Reindexer, Index: opts.Index, Limiter: b.limiter,
		ModeratorRoleIDs: opts.ModeratorRoleIDs, AnswerChannelIDs: opts.AnswerChannelIDs,
		Version: opts.Version, Model: opts.Model, Logger: opts.Logger, Metrics: opts.Metrics, StreamInterval: opts.StreamInterval,
	})
	return b, closeTransport, nil
}

// self returns the bot's user and application ids from READY.
func self(s *discordgo.Session) (userID, username, appID string) {
	s.State.RLock()
	defer s.State.RUnlock()
	if u := s.State.Ready.User; u != nil {
		userID, username = u.ID, u.Username
	}
	if a := s.State.Ready.Application; a != nil {
		appID = a.ID
	}
	if appID == "" {
		appID = userID // older applications: the bot user's id is the client id
	}
	return userID, username, appID
}

// register bulk-overwrites the commands, in the guild or globally.
func (b *service) register(ctx context.Context) (Ready, error) {
	userID, username, appID := self(b.session)
	if appID == "" {
		return Ready{}, errors.New("bot: READY carried no application id")
	}
	cmds, err := b.rest.RegisterCommands(ctx, appID, b.opts.GuildID, b.router.Commands())
	if err != nil {
		where := "globally"
		if b.opts.GuildID != "" {
			where = "in server " + b.opts.GuildID + " (is DISCORD_GUILD_ID right, and is the bot in it?)"
		}
		return Ready{}, fmt.Errorf("bot: register slash commands %s: %w", where, err)
	}
	return Ready{
		UserID: userID, Username: username, ApplicationID: appID,
		InviteURL: InviteURL(appID), Commands: len(cmds), GuildID: b.opts.GuildID,
	}, nil
}

// shutdown stops taking questions, waits for those in flight (cutting them
// off after ShutdownTimeout), closes the session, and waits for the last
// refusals sent while it closed.
func (b *service) shutdown() {
	b.draining.Store(true) // from here on, interactions get "restarting" and messages are ignored
	if b.opts.OnServing != nil {
		b.opts.OnServing(false)
	}
	wctx, cancel := context.WithTimeout(context.Background(), b.opts.ShutdownTimeout)
	err := b.inflight.wait(wctx)
	cancel()
	if err != nil {
		b.log.Warn("bot: questions still in flight at the shutdown deadline; cutting them off", "in_flight", b.inflight.count())
		b.abort()
	}
	// Close stops the gateway first, so no event starts after it; REST
	// replies still work.
	if err := b.session.Close(); err != nil {
		b.log.Warn("bot: closing the Discord session", "error", err)
	}
	b.inflight.close()
	gctx, cancel := context.WithTimeout(context.Background(), abortGrace)
	defer cancel()
	if err := b.inflight.wait(gctx); err != nil {
		b.abort()
		b.log.Warn("bot: handlers still running after shutdown", "in_flight", b.inflight.count())
	}
}

// handlerContext is the context of one event's handling.
func (b *service) handlerContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.work, b.opts.QuestionTimeout)
}

// onInteraction handles INTERACTION_CREATE, in its own goroutine.
func (b *service) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	if !b.inflight.start() {
		return
	}
	defer b.inflight.done()
	defer b.recoverEvent("interaction")
	if ic == nil || ic.Interaction == nil {
		return
	}
	ctx, cancel := b.handlerContext()
	defer cancel()
	if b.draining.Load() {
		b.router.Refuse(ctx, ic.Interaction, commands.ErrShuttingDown)
		return
	}
	b.router.HandleInteraction(ctx, ic.Interaction)
}

// recoverEvent is the last net for a panic in an event handler: discordgo
// runs handlers in bare goroutines, where a panic would end the process.
func (b *service) recoverEvent(what string) {
	if p := recover(); p != nil {
		b.log.Error("bot: event handler panicked", "event", what, "panic", p, "stack", string(debug.Stack()))
	}
}

// inflight counts the events being handled, so shutdown can wait for them.
type inflight struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{} // closed when n drops to 0; nil while n is 0
}

// start registers an event; false means the bot has shut down.
func (f *inflight) start() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
	return true
}

func (f *inflight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		close(f.idle)
		f.idle = nil
	}
}

func (f *inflight) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// wait waits until nothing is in flight, or ctx ends.
func (f *inflight) wait(ctx context.Context) error {
	f.mu.Lock()
	idle := f.idle
	f.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close refuses every later event.
func (f *inflight) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
}
