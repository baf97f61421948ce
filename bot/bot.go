package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
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
	discordgo.PermissionReadMessageHistory | discordgo.PermissionAddReactions |
	discordgo.PermissionCreatePublicThreads

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
	// OnReady, when set, is called once the bot is connected and the first
	// attempt to register its commands has been made (Ready.CommandsErr
	// says whether it failed; the bot then serves anyway and retries).
	OnReady func(Ready)

	// ShardCount is how many shards the bot runs in all: 0 or 1 runs one
	// unsharded session; ShardCountAuto uses the count Discord recommends
	// (GET /gateway/bot).
	ShardCount int
	// ShardIDs are the shards this process runs; nil means every one.
	ShardIDs []int
	// IdentifyInterval spaces the rounds in which this process's shards
	// identify, max_concurrency (GET /gateway/bot) at a time, as Discord
	// requires; 0 means DefaultIdentifyInterval.
	IdentifyInterval time.Duration
	// RegisterBackoff is the wait before registering the commands again
	// after a failure, doubled each time up to MaxRegisterBackoff; 0 means
	// DefaultRegisterBackoff.
	RegisterBackoff time.Duration
	// OnCommands, when set, is told the result of every attempt to register
	// the commands: nil once they are registered. Only the process running
	// shard 0 (or an unsharded one) registers them.
	OnCommands func(error)
	// AskedQuestions, when set, adds the questions people asked that were
	// answered to /ask's suggestions; nil suggests the knowledge's only.
	AskedQuestions commands.AskedQuestions
	// Records keeps a record of every question, /ask's and messages', and
	// the votes on answers; nil keeps none.
	Records commands.Records
	// Settings are the per-server settings (/settings): answer channels,
	// moderator roles and rate limits in force in each server, over
	// AnswerChannelIDs, ModeratorRoleIDs and RateLimitPerMinute; nil uses
	// those everywhere.
	Settings commands.ServerSettings
	// SharedLimits, when set, keeps the per-user rate limit where every
	// process of the bot counts it (the records' PostgreSQL): a person gets
	// their allowance once, whichever processes their questions reach;
	// nil counts in this process only (commands.RateLimiter.UseShared).
	SharedLimits commands.SharedAllowances
	// Source enables /source (moderators change the knowledge folder);
	// nil leaves it out.
	Source *commands.SourceConfig
	// WatchKnowledge, when set, runs while the bot is online, watching the
	// knowledge folder (folder.Folder.Watch); what it reports goes to the
	// audit channel (Source.AuditChannelID).
	WatchKnowledge func(ctx context.Context, onEvent func(folder.Event)) error
}

// ShardCountAuto is Options.ShardCount for Discord's recommended count.
const ShardCountAuto = -1

// Defaults for the shard and registration options.
const (
	DefaultIdentifyInterval = 5 * time.Second
	DefaultRegisterBackoff  = 2 * time.Second
	MaxRegisterBackoff      = 5 * time.Minute
)

// Ready describes the connected bot.
type Ready struct {
	UserID, Username string
	ApplicationID    string
	InviteURL        string
	Commands         int
	GuildID          string // where the commands were registered; "" for globally
	// CommandsErr is why the first registration failed (the bot retries);
	// nil when it succeeded or this process does not register.
	CommandsErr error
	// Registers says this process registers the commands (it runs shard 0,
	// or does not shard).
	Registers bool
	// Shards are the shards this process runs, of ShardCount (0: unsharded).
	Shards     []int
	ShardCount int
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
	session  *discordgo.Session   // the first shard's: REST goes through it
	sessions []*discordgo.Session // one per shard this process runs
	client   *http.Client
	rest     *commands.REST
	router   *commands.Router
	messages commands.Handler // the message question chain
	limiter  *commands.RateLimiter
	channels map[string]bool  // answer channels
	charts   *commands.Charts // nil without an Index: no charts
	audit    *commands.Audit  // nil without Source
	inflight inflight
	draining atomic.Bool
	upMu     sync.Mutex
	up       map[*discordgo.Session]bool // which sessions deliver events
	// unwatch removes the connection handlers watch added, so that closing
	// a session dispatches nothing after Run has returned (discordgo runs
	// handlers in goroutines of its own, which nothing could wait for).
	unwatch []func()
	bg      sync.WaitGroup // the registration retries
	// work is the parent of every handler's context; abort cancels it when
	// the shutdown wait runs out.
	work  context.Context
	abort context.CancelFunc
}

// Run connects to Discord — a session per shard this process runs — and
// answers until ctx ends; then it stops taking questions, lets those in
// flight finish (within ShutdownTimeout) and closes the connections. The
// process running shard 0 (or an unsharded one) registers the slash
// commands; a failed registration does not stop the bot: messages are
// served, and registration is retried with backoff (OnCommands hears of
// each attempt). A gateway that goes away is reconnected to by discordgo,
// with backoff; OnServing says false meanwhile.
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
	defer b.bg.Wait()

	count, ids, maxConcurrency, err := b.planShards(ctx)
	if err != nil {
		return err
	}
	if err := b.openShards(ctx, count, ids, maxConcurrency); err != nil {
		return err
	}
	if ctx.Err() != nil {
		b.shutdown()
		return nil // stopped while starting: not a failure
	}
	registers := count <= 1 || slices.Contains(ids, 0)
	userID, username, appID := self(b.session)
	ready := Ready{
		UserID: userID, Username: username, ApplicationID: appID, InviteURL: InviteURL(appID),
		GuildID: b.opts.GuildID, Registers: registers, Shards: ids, ShardCount: count,
	}
	if count <= 1 {
		ready.Shards, ready.ShardCount = nil, 0
	}
	if registers {
		ready.Commands, ready.CommandsErr = b.register(ctx)
		b.reportCommands(ready.CommandsErr)
		if ready.CommandsErr != nil && ctx.Err() == nil {
			// Mentions and DMs work without slash commands: serve them, and
			// keep trying to register.
			b.log.Error("bot: slash commands not registered; serving messages and retrying", "error", ready.CommandsErr)
			b.bg.Add(1)
			go b.retryRegister(ctx)
		}
	}
	if ctx.Err() != nil {
		b.shutdown()
		return nil // stopped while starting: not a failure
	}
	b.log.Info("bot ready", "user", ready.Username, "user_id", ready.UserID, "application_id", ready.ApplicationID,
		"commands", ready.Commands, "registers_commands", registers, "guild_id", ready.GuildID,
		"shards", fmt.Sprint(ready.Shards), "shard_count", ready.ShardCount, "invite_url", ready.InviteURL)
	if opts.WatchKnowledge != nil {
		wctx, stopWatch := context.WithCancel(ctx)
		watching := make(chan struct{})
		go func() {
			defer close(watching)
			err := opts.WatchKnowledge(wctx, func(ev folder.Event) {
				if ev.Version != nil && opts.Index != nil {
					opts.Metrics.Index(opts.Index.Version(), len(opts.Index.Base().Facts))
				}
				if registers {
					// Every process watches its own folder for its own
					// index; the one that registers the commands tells
					// the audit channel, once.
					b.audit.Event(wctx, ev)
				}
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

// planShards settles which shards this process runs, of how many, and how
// many may identify at once: from the options, or, with ShardCountAuto,
// from GET /gateway/bot. An unsharded bot runs shard 0 of 1.
func (b *service) planShards(ctx context.Context) (count int, ids []int, maxConcurrency int, err error) {
	count, maxConcurrency = b.opts.ShardCount, 1
	if count == ShardCountAuto {
		gctx, cancel := context.WithTimeout(ctx, commands.DefaultCallTimeout)
		gb, err := b.session.GatewayBot(discordgo.WithContext(gctx))
		cancel()
		if err != nil {
			return 0, nil, 0, fmt.Errorf("bot: SHARD_COUNT=auto: asking Discord for the shard count (GET /gateway/bot): %w", dialledError(err))
		}
		count, maxConcurrency = max(gb.Shards, 1), max(gb.SessionStartLimit.MaxConcurrency, 1)
		b.log.Info("discord: recommended shards", "shard_count", count, "max_concurrency", maxConcurrency)
	}
	count = max(count, 1)
	ids = slices.Clone(b.opts.ShardIDs)
	if len(ids) == 0 {
		for i := range count {
			ids = append(ids, i)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if ids[0] < 0 || ids[len(ids)-1] >= count {
		return 0, nil, 0, fmt.Errorf("bot: shards %v do not fit a shard count of %d (shards are numbered from 0)", ids, count)
	}
	return count, ids, maxConcurrency, nil
}

// openShards connects a session per shard, in rounds of maxConcurrency
// spaced by IdentifyInterval, as Discord allows identifies.
func (b *service) openShards(ctx context.Context, count int, ids []int, maxConcurrency int) error {
	interval := b.opts.IdentifyInterval
	if interval <= 0 {
		interval = DefaultIdentifyInterval
	}
	b.sessions = make([]*discordgo.Session, len(ids))
	for i, id := range ids {
		s := b.session
		if i > 0 {
			var err error
			if s, err = b.newSession(); err != nil {
				return err
			}
		}
		if count > 1 {
			s.ShardID, s.ShardCount = id, count
		}
		b.watch(s)
		b.sessions[i] = s
	}
	for start := 0; start < len(ids); start += maxConcurrency {
		if start > 0 {
			t := time.NewTimer(interval)
			select {
			case <-ctx.Done():
				t.Stop()
				b.closeSessions()
				return nil
			case <-t.C:
			}
		}
		round := b.sessions[start:min(start+maxConcurrency, len(ids))]
		errs := make([]error, len(round))
		var wg sync.WaitGroup
		for i, s := range round {
			wg.Go(func() { errs[i] = s.Open() })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			b.closeSessions()
			where := ""
			if count > 1 {
				where = fmt.Sprintf(" (shards %v of %d)", ids, count)
			}
			return fmt.Errorf("bot: connect to Discord%s: %w%s", where, dialledError(err), closeHint(err))
		}
	}
	return nil
}

// watch adds the event handlers to s, and follows whether it delivers
// events: READY and RESUMED mean they flow; a disconnect means they stop
// until discordgo has reconnected. discordgo runs handlers in goroutines,
// but it emits Disconnect a second before it reconnects (Close waits that
// long), so the order holds in practice.
func (b *service) watch(s *discordgo.Session) {
	// Interactions and messages are tracked in flight (and refused while
	// closing); the connection's own events only log and report, and are
	// removed before the session closes.
	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
	removers := []func(){
		s.AddHandler(func(s *discordgo.Session, _ *discordgo.Ready) { b.connected(s, true) }),
		s.AddHandler(func(s *discordgo.Session, _ *discordgo.Resumed) {
			b.log.Info("discord: session resumed", "shard", s.ShardID)
			b.connected(s, true)
		}),
		s.AddHandler(func(s *discordgo.Session, _ *discordgo.Disconnect) {
			b.log.Info("discord: gateway disconnected; reconnecting unless stopping", "shard", s.ShardID)
			b.connected(s, false)
		}),
	}
	b.upMu.Lock()
	b.unwatch = append(b.unwatch, removers...)
	b.upMu.Unlock()
}

// connected records whether s delivers events and tells OnServing whether
// every shard does.
func (b *service) connected(s *discordgo.Session, up bool) {
	b.upMu.Lock()
	if b.up == nil {
		b.up = map[*discordgo.Session]bool{}
	}
	b.up[s] = up
	all := len(b.up) >= len(b.sessions)
	for _, u := range b.up {
		all = all && u
	}
	b.upMu.Unlock()
	if b.opts.OnServing != nil {
		b.opts.OnServing(all && !b.draining.Load())
	}
}

// closeSessions closes every shard's session, its connection handlers
// removed first: the Disconnect that Close emits is logged by nobody.
func (b *service) closeSessions() {
	b.upMu.Lock()
	unwatch := b.unwatch
	b.unwatch = nil
	b.upMu.Unlock()
	for _, remove := range unwatch {
		remove()
	}
	for _, s := range b.sessions {
		if s == nil {
			continue
		}
		if err := s.Close(); err != nil {
			b.log.Warn("bot: closing the Discord session", "shard", s.ShardID, "error", err)
		}
	}
}

// reportCommands tells OnCommands how registering went.
func (b *service) reportCommands(err error) {
	if b.opts.OnCommands != nil {
		b.opts.OnCommands(err)
	}
}

// retryRegister registers the commands again, with backoff, until it works
// or ctx ends.
func (b *service) retryRegister(ctx context.Context) {
	defer b.bg.Done()
	wait := b.opts.RegisterBackoff
	if wait <= 0 {
		wait = DefaultRegisterBackoff
	}
	for attempt := 2; ; attempt++ {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		n, err := b.register(ctx)
		if ctx.Err() != nil {
			return
		}
		b.reportCommands(err)
		if err == nil {
			b.log.Info("bot: slash commands registered", "commands", n, "attempt", attempt, "guild_id", b.opts.GuildID)
			return
		}
		wait = min(2*wait, MaxRegisterBackoff)
		b.log.Error("bot: slash commands still not registered; retrying", "attempt", attempt, "retry_in", wait, "error", err)
	}
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
	work, abort := context.WithCancel(context.Background())
	b := &service{
		opts: opts, log: opts.Logger, client: &http.Client{Transport: transport, Timeout: httpTimeout},
		limiter:  commands.NewRateLimiter(opts.RateLimitPerMinute),
		channels: map[string]bool{},
		work:     work, abort: abort,
	}
	s, err := b.newSession()
	if err != nil {
		closeTransport()
		abort()
		return nil, nil, err
	}
	b.session, b.rest = s, commands.NewREST(s)
	for _, id := range opts.AnswerChannelIDs {
		b.channels[id] = true
	}
	if opts.SharedLimits != nil {
		b.limiter.UseShared(opts.SharedLimits, opts.Logger)
	}
	if opts.Settings != nil {
		b.limiter.UseGuildLimits(func(guildID string) int {
			return opts.Settings.For(context.Background(), guildID).RateLimit
		})
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
		AskedQuestions: opts.AskedQuestions,
		Records:        opts.Records, Settings: opts.Settings,
	})
	b.messages = b.messageChain()
	return b, closeTransport, nil
}

// newSession makes a discordgo session on the bot's HTTP client.
func (b *service) newSession() (*discordgo.Session, error) {
	s, err := discordgo.New("Bot " + b.opts.Token)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	s.Identify.Intents = Intents
	// discordgo retries a 429 for ever; REST turns that off per call and
	// waits within each call's deadline. These bound whatever else it sends.
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 2
	s.StateEnabled = true
	// The bot reads READY's user and application from the state, nothing
	// else: keep no members, presences or voice states, which grow with
	// every server and person it sees.
	s.State.TrackMembers, s.State.TrackPresences, s.State.TrackVoice = false, false, false
	s.Client = b.client
	return s, nil
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

// register bulk-overwrites the commands, in the guild or globally, and
// returns how many there are.
func (b *service) register(ctx context.Context) (int, error) {
	_, _, appID := self(b.session)
	if appID == "" {
		return 0, errors.New("bot: READY carried no application id")
	}
	cmds, err := b.rest.RegisterCommands(ctx, appID, b.opts.GuildID, b.router.Commands())
	if err != nil {
		where, hint := "globally", ""
		if b.opts.GuildID != "" {
			where = "in server " + b.opts.GuildID
			var re *discordgo.RESTError
			if errors.As(err, &re) && re.Response != nil &&
				(re.Response.StatusCode == http.StatusForbidden || re.Response.StatusCode == http.StatusNotFound) {
				// Only Discord's "no such server" or "no access" is about the setting.
				hint = " (is DISCORD_GUILD_ID right, and is the bot in it?)"
			}
		}
		return 0, fmt.Errorf("bot: register slash commands %s: %w%s", where, err, hint)
	}
	return len(cmds), nil
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
	b.closeSessions()
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
