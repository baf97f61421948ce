// Package cli is bytewatch's command line: ask, search, check, version and
// run. It parses flags over the environment's configuration, builds the
// answering path and renders answers as text or JSON.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/config"
	"github.com/bytewatch/bytewatch/knowledge"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Env is what a command reads from and writes to; tests give their own.
type Env struct {
	Stdout, Stderr io.Writer
	Lookup         func(string) (string, bool) // os.LookupEnv in production
	DotEnv         string                      // the .env file to load; "" for none
}

// Version is the binary's version, from the build info.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const usage = `bytewatch answers questions about ByteDance's AI plans from cited facts.

Usage:
  bytewatch ask [--json] QUESTION     answer a question
  bytewatch search [--limit N] QUERY  list the best matching facts with scores
  bytewatch chart [--out FILE] [--width W --height H] QUESTION
                                      answer and draw the cited figures as a PNG (default chart.png; - for stdout)
  bytewatch check [DIR]               validate a knowledge folder (default: KNOWLEDGE_DIR or the built-in base)
  bytewatch run                       serve the Discord bot (the default when DISCORD_TOKEN is set)
  bytewatch version                   print the version

Common flags (they override the environment and .env):
  --knowledge-dir DIR   knowledge folder (KNOWLEDGE_DIR)
  --index-path DIR      index folder; empty keeps the index in memory (INDEX_PATH)
  --env-file FILE       the .env file to load (default .env, if present)
`

// usageError is a mistake in how the command was called: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	err := dispatch(ctx, args, env)
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "bytewatch: %s\n\n%s", ue.msg, usage)
		return ExitUsage
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	default:
		fmt.Fprintf(env.Stderr, "bytewatch: %v\n", err)
		return ExitFailure
	}
}

func dispatch(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		// The token may be in .env, as the README suggests.
		lookup := env.Lookup
		if env.DotEnv != "" {
			l, err := config.WithDotEnv(env.Lookup, env.DotEnv, false)
			if err != nil {
				return err
			}
			lookup = l
		}
		if v, _ := lookup("DISCORD_TOKEN"); v != "" {
			return runBot(ctx, nil, env)
		}
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "ask":
		return ask(ctx, rest, env)
	case "search":
		return search(ctx, rest, env)
	case "chart":
		return chartCmd(ctx, rest, env)
	case "check":
		return check(ctx, rest, env)
	case "run":
		return runBot(ctx, rest, env)
	case "version", "--version", "-version":
		fmt.Fprintf(env.Stdout, "bytewatch %s\n", Version())
		return nil
	case "help", "-h", "--help", "-help":
		return flag.ErrHelp
	default:
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// common holds the flags every command shares.
type common struct {
	knowledgeDir, indexPath, envFile string
	fs                               *flag.FlagSet
}

func newFlags(name string) *common {
	c := &common{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.fs.SetOutput(io.Discard) // errors are reported once, by Main
	c.fs.StringVar(&c.knowledgeDir, "knowledge-dir", "", "knowledge folder")
	c.fs.StringVar(&c.indexPath, "index-path", "", "index folder")
	c.fs.StringVar(&c.envFile, "env-file", "", "the .env file to load")
	return c
}

// parse parses the flags, allowing them after positional arguments too
// ("ask 'question' --json"), and returns the positional arguments.
func (c *common) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = c.fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// config loads .env and the environment, then applies the flags.
func (c *common) config(env Env) (config.Config, error) {
	envFile, required := env.DotEnv, false
	if c.envFile != "" {
		envFile, required = c.envFile, true
	}
	lookup := env.Lookup
	if envFile != "" {
		var err error
		if lookup, err = config.WithDotEnv(env.Lookup, envFile, required); err != nil {
			return config.Config{}, err
		}
	}
	cfg, err := config.FromEnv(lookup)
	if err != nil {
		return cfg, err
	}
	if c.knowledgeDir != "" {
		cfg.KnowledgeDir = c.knowledgeDir
	}
	if c.indexPath != "" {
		cfg.IndexPath = c.indexPath
	}
	return cfg, nil
}

// loadKnowledge loads KNOWLEDGE_DIR, or the embedded base when it is unset.
func loadKnowledge(dir string) (*knowledge.Base, error) {
	if dir == "" {
		return knowledge.Default()
	}
	return knowledge.LoadDir(dir)
}

// newLogger builds the process logger from LOG_FORMAT and LOG_LEVEL.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// buildEngine loads the knowledge, builds the index and the engine.
func buildEngine(ctx context.Context, cfg config.Config, log *slog.Logger) (*answer.Engine, *index.Index, error) {
	base, err := loadKnowledge(cfg.KnowledgeDir)
	if err != nil {
		return nil, nil, err
	}
	ix, err := index.Build(ctx, base, index.Options{Path: cfg.IndexPath, Logger: log})
	if err != nil {
		if cfg.IndexPath != "" {
			return nil, nil, fmt.Errorf("INDEX_PATH=%s: %w", cfg.IndexPath, err)
		}
		return nil, nil, err
	}
	opts := answer.Options{Logger: log}
	if err := configureLLM(ctx, cfg, log, &opts); err != nil {
		ix.Close()
		return nil, nil, err
	}
	return answer.NewEngine(ix, opts), ix, nil
}

func joinArgs(pos []string) string { return strings.TrimSpace(strings.Join(pos, " ")) }

// Run is Main with the process's own environment.
func Run() int {
	ctx, stop := signalContext()
	defer stop()
	// After the first signal starts the shutdown, a second one ends the
	// process at once, as it would without NotifyContext.
	go func() {
		<-ctx.Done()
		stop()
	}()
	return Main(ctx, os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr, Lookup: os.LookupEnv, DotEnv: ".env"})
}
