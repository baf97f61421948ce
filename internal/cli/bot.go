package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/config"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/knowledge/folder"
	"github.com/bytewatch/bytewatch/knowledge/ingest"
	"github.com/bytewatch/bytewatch/records"
)

// Readiness conditions of the bot, as /readyz names the unmet ones.
const (
	readyIndex    = "index loaded"
	readyGateway  = "gateway connected"
	readyCommands = "slash commands registered" // only where shard 0 runs
)

// runBot serves the Discord bot until ctx ends (SIGINT or SIGTERM): the
// same answering path as ask, reached through slash commands, mentions,
// replies, DMs and answer channels. With HEALTH_ADDR set it also serves
// /healthz, /readyz and /metrics there, from before the index is built.
func runBot(ctx context.Context, args []string, env Env) error {
	f := newFlags("run")
	emulate := f.fs.Bool("emulator", false, "serve a loopback Discord and ask questions from this terminal")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("run takes no arguments, got %q", joinArgs(pos))}
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	if *emulate {
		return runEmulator(ctx, cfg, env)
	}
	if cfg.DiscordToken == "" {
		return errors.New("DISCORD_TOKEN is not set: create a bot in the Discord developer portal and put its token in .env (see README, Discord), or try the bot with `bytewatch run --emulator`")
	}
	if err := cfg.ShardCheck(); err != nil {
		return err
	}
	return serveBot(ctx, cfg, newLogger(cfg, env.Stderr), func(r bot.Ready) {
		where := "globally (they can take up to an hour to appear)"
		if r.GuildID != "" {
			where = "in server " + r.GuildID
		}
		shards := ""
		if r.ShardCount > 1 {
			shards = fmt.Sprintf(" (shards %v of %d)", r.Shards, r.ShardCount)
		}
		commands := plural(r.Commands, "slash command", "slash commands") + " registered " + where
		switch {
		case !r.Registers:
			commands = "the process running shard 0 registers the slash commands"
		case r.CommandsErr != nil:
			commands = "the slash commands are NOT registered yet (retrying; mentions and DMs work): " + r.CommandsErr.Error()
		}
		fmt.Fprintf(env.Stdout, "bytewatch %s is online as %s%s; %s.\nInvite it to a server: %s\n",
			Version(), r.Username, shards, commands, r.InviteURL)
	})
}

// serveBot is runBot once the configuration is read: it serves the bot
// with cfg until ctx ends, calling onReady once it is online.
func serveBot(ctx context.Context, cfg config.Config, log *slog.Logger, onReady func(bot.Ready)) error {
	metrics := ops.NewMetrics()
	ready := ops.NewConditions(readyIndex, readyGateway)
	if cfg.HealthAddr != "" {
		// The listener outlives the signal: during the drain /readyz says
		// 503 and /metrics still counts; it stops when runBot returns.
		stop, err := serveOps(context.WithoutCancel(ctx), cfg.HealthAddr, metrics, ready, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	// The bot keeps its index in INDEX_PATH, if set, and reuses it at the
	// next start while the knowledge and the binary are the same.
	eng, ix, client, err := buildEngine(ctx, &cfg, log, index.Options{Path: cfg.IndexPath, ReuseKey: binaryKey()})
	if err != nil {
		return err
	}
	defer ix.Close()
	if client != nil {
		// Last: a request whose asker gave up keeps its slot until the
		// server is done with it; at exit it is cut off.
		defer client.Close()
	}
	ready.Set(readyIndex, true)
	metrics.Index(ix.Version(), ix.Base().Stats().Facts)
	// A bad key, an unknown model or a request the server rejects stops the
	// bot before it goes online: they will not mend themselves. A server
	// that is down, slow (a model still loading) or rate-limiting only
	// warns, since answers fall back to extractive until it is back.
	if err := checkLLM(ctx, cfg, log); err != nil {
		if errors.Is(err, llm.ErrUnauthorized) || errors.Is(err, llm.ErrUnknownModel) || errors.Is(err, llm.ErrRejected) {
			return err
		}
		log.Warn("the LLM is not answering; answering extractively until it is back", "error", err)
	} else if client != nil {
		// The server's context size and answer cap, where it says them
		// (llama.cpp, Ollama): prompts are then sized to fit, and a cap
		// below LLM_MAX_TOKENS is logged as the server's.
		if _, err := client.ReadLimits(ctx); err != nil {
			log.Warn("the LLM server did not say its limits; prompts are sized when it refuses one", "error", err)
		}
	}
	model := ""
	if cfg.LLMEnabled() {
		model = cfg.OpenAIModel
	}
	rec, closeRecords := openRecorder(ctx, cfg, log, metrics)
	defer closeRecords()
	var (
		recs     commands.Records
		settings commands.ServerSettings
		asked    commands.AskedQuestions
		shared   commands.SharedAllowances
	)
	if rec != nil {
		defer runRetention(ctx, rec)()
		recs = rec
		settings = records.NewSettings(rec.Store(), records.Defaults{AnswerChannelIDs: cfg.AnswerChannelIDs,
			ModeratorRoleIDs: cfg.ModeratorRoleIDs, RateLimit: cfg.RateLimitPerMinute}, log)
		// /ask suggests the questions people in the server asked and got
		// answered; with STORE_QUESTIONS=false there are none to suggest,
		// including any kept from before.
		if rec.KeepsQuestions() {
			asked = rec.Store()
		}
		// With PostgreSQL, which several processes share, so is the
		// per-user rate limit; with SQLite there is one process, and
		// counting in it is exact and costs no database call.
		if cfg.DatabaseURL != "" {
			shared = rec
		}
	}
	// With a knowledge folder, /source changes it and its edits on disk
	// go live; without one, /source lists the built-in base and says how
	// to start a folder.
	source := &commands.SourceConfig{AuditChannelID: cfg.AuditChannelID, APIBaseURL: cfg.DiscordAPIBaseURL,
		Drafter: articleDrafter{index: ix}}
	if client != nil {
		source.Drafter = articleDrafter{index: ix, restater: ingest.LLMRestater{Client: client}}
	}
	var watch func(context.Context, func(folder.Event)) error
	var reindexer commands.Reindexer = commands.Reloader{Dir: cfg.KnowledgeDir, Index: ix}
	if cfg.KnowledgeDir != "" {
		kf, err := folder.Open(cfg.KnowledgeDir, folder.Options{Index: ix, Logger: log})
		if err != nil {
			// A folder the bot may read but not write (a read-only mount)
			// still serves; only /source and the history are off.
			log.Warn("the knowledge folder is served read-only: /source cannot change it and edits on disk need /reindex", "KNOWLEDGE_DIR", cfg.KnowledgeDir, "error", err)
			source.ReadOnly = "bytewatch cannot keep a history in KNOWLEDGE_DIR (" + err.Error() + "). Make the folder writable for the bot and restart it."
		} else {
			source.Store = kf
			reindexer = kf // /reindex records edits on disk as a version too
			watch = func(ctx context.Context, onEvent func(folder.Event)) error { return kf.Watch(ctx, 0, onEvent) }
		}
	}
	return bot.Run(ctx, bot.Options{
		Source:         source,
		WatchKnowledge: watch,
		// A question may spend LLM_TIMEOUT on the LLM, then needs time to
		// search and to reply.
		QuestionTimeout:    max(bot.DefaultQuestionTimeout, cfg.LLMTimeout+30*time.Second),
		Token:              cfg.DiscordToken,
		APIBaseURL:         cfg.DiscordAPIBaseURL,
		GuildID:            cfg.DiscordGuildID,
		AnswerChannelIDs:   cfg.AnswerChannelIDs,
		ModeratorRoleIDs:   cfg.ModeratorRoleIDs,
		RateLimitPerMinute: cfg.RateLimitPerMinute,
		Answerer:           eng,
		Reindexer:          reindexer,
		Index:              ix,
		Version:            Version(),
		Model:              model,
		Logger:             log,
		Metrics:            metrics,
		OnServing:          func(up bool) { ready.Set(readyGateway, up) },
		OnReady:            onReady,
		OnCommands:         func(err error) { ready.SetErr(readyCommands, err) },
		ShardCount:         cfg.ShardCount,
		ShardIDs:           cfg.ShardIDs,
		Records:            recs,
		Settings:           settings,
		AskedQuestions:     asked,
		SharedLimits:       shared,
	})
}

// serveOps listens on addr — at once, so that a bad HEALTH_ADDR stops
// bytewatch before it connects — and serves /healthz, /readyz and /metrics
// until stop is called or ctx ends. stop waits for the listener to close.
func serveOps(ctx context.Context, addr string, m *ops.Metrics, ready *ops.Conditions, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("HEALTH_ADDR=%s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := ops.ServeListener(ctx, ln, m, ready.Err, log); err != nil {
			log.Error("the ops listener stopped; /healthz, /readyz and /metrics are down", "addr", addr, "error", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}, nil
}

// plural writes "1 fact" or "2 facts".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// binaryKey identifies this binary for index.Options.ReuseKey: an index on
// disk is reused only by the binary that wrote it, since another may
// analyse the same knowledge differently. It is "" (no reuse) when the
// executable cannot be found.
func binaryKey() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d\x00%d", Version(), exe, fi.Size(), fi.ModTime().UnixNano())))
	return hex.EncodeToString(sum[:8])
}

// articleDrafter drafts a source file from an article attached to /source
// add (knowledge/ingest), against the live knowledge's names and measures;
// with an LLM, facts may be restated (and checked) as ingest does.
type articleDrafter struct {
	index    *index.Index
	restater ingest.Restater
}

func (d articleDrafter) Draft(ctx context.Context, filename string, data []byte) ([]byte, error) {
	opt := ingest.Options{Format: formatOf(filename), Base: d.index.Base()}
	if d.restater != nil {
		opt.Restater = d.restater
	}
	res, err := ingest.Draft(ctx, bytes.NewReader(data), opt)
	if err != nil {
		return nil, err
	}
	return res.YAML, nil
}
