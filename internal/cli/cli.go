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
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/answer/llm"
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
	Stdin          io.Reader // what run --emulator reads questions from
	Stdout, Stderr io.Writer
	Lookup         func(string) (string, bool) // os.LookupEnv in production
	DotEnv         string                      // the .env file to load; "" for none
}

const usage = `bytewatch answers questions from the facts of its knowledge base (built in: ByteDance's AI plans), citing them.

Usage:
  bytewatch [common flags] COMMAND [flags] [arguments]

Commands:
  ask [--json] [--history Q]... QUESTION
                                      answer a question; each --history is an earlier
                                      question (oldest first), making QUESTION a follow-up
  search [--json] [--limit N] QUERY   list the best matching facts with scores
  chart [--out FILE] [--width W --height H] QUESTION
                                      answer and draw the cited figures as a PNG (default chart.png; - for stdout)
  check [DIR]                         validate a knowledge folder (default: KNOWLEDGE_DIR or the built-in base)
  ingest [--title T] [--publisher P] [--published DATE] [--url U] [--id ID] [--out DIR | --apply] FILE|-
                                      draft a source file from an article (text, Markdown, HTML)
  knowledge SUBCOMMAND                change KNOWLEDGE_DIR as /source does, with history:
                                      export DIR, history, add [--yes] FILE, remove [--yes] ID, rollback [--yes] N
  run [--emulator]                    serve the Discord bot (the default when DISCORD_TOKEN is set);
                                      --emulator: try it in this terminal against a loopback Discord
  version                             print the version of the binary and of the knowledge
  report [--days N] [--json]          the moderators' report of the last N days (default 7) from the records
  forget --user ID                    delete one person's question records and votes

Common flags, accepted before or after the command (they override the
environment and .env):
  --knowledge-dir DIR   knowledge folder (KNOWLEDGE_DIR)
  --index-path DIR      where the bot keeps its index (INDEX_PATH); only run uses it:
                        it is kept there, reused at the next start while the
                        knowledge and the binary are unchanged, and rebuilt when
                        either changes. Empty keeps it in memory. ask, search and
                        check always index in memory, in milliseconds.
  --env-file FILE       the .env file to load (default .env, if present)

Command flags (--json, --limit, --emulator, --yes) go after the command. Flags may
also follow the arguments; "--" ends the flags.
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
	pre, args, err := leadingFlags(args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		if len(pre) > 0 && slices.ContainsFunc(pre, isHelpFlag) {
			return flag.ErrHelp
		}
		// The token may be in .env, as the README suggests; a --env-file
		// before no command names the file.
		f := newFlags("bytewatch")
		if _, err := f.parse(pre); err != nil {
			return err
		}
		cfg, err := f.config(env)
		if err != nil {
			return err
		}
		if cfg.DiscordToken != "" {
			return runBot(ctx, pre, env)
		}
		return usageError{"no command given"}
	}
	cmd, rest := args[0], append(pre, args[1:]...)
	switch cmd {
	case "ask":
		return ask(ctx, rest, env)
	case "search":
		return search(ctx, rest, env)
	case "chart":
		return chartCmd(ctx, rest, env)
	case "check":
		return check(ctx, rest, env)
	case "ingest":
		return ingestCmd(ctx, rest, env)
	case "knowledge":
		return knowledgeCmd(ctx, rest, env)
	case "run":
		return runBot(ctx, rest, env)
	case "report":
		return report(ctx, rest, env)
	case "forget":
		return forget(ctx, rest, env)
	case "version", "--version", "-version":
		return version(ctx, rest, env)
	case "help", "-h", "--help", "-help":
		return flag.ErrHelp
	default:
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// commonFlags are the flags every command takes, each with a value.
var commonFlags = map[string]bool{"knowledge-dir": true, "index-path": true, "env-file": true}

func isHelpFlag(a string) bool {
	switch a {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// leadingFlags splits off the common flags given before the command
// ("bytewatch --knowledge-dir DIR ask …"), with their values, so that the
// command parses them as its own. A command's own flag before the command is
// a usage error that says where it goes.
func leadingFlags(args []string) (pre, rest []string, err error) {
	for len(args) > 0 {
		a := args[0]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			return pre, args, nil
		}
		switch a {
		case "--version", "-version":
			return pre, args, nil
		}
		if isHelpFlag(a) {
			pre, args = append(pre, a), args[1:]
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !commonFlags[name] {
			return nil, nil, usageError{fmt.Sprintf("flag %s before the command: only the common flags (--knowledge-dir, --index-path, --env-file) may come before it; put it after the command", a)}
		}
		if hasValue {
			pre, args = append(pre, a), args[1:]
			continue
		}
		if len(args) < 2 {
			return nil, nil, usageError{fmt.Sprintf("flag needs an argument: %s", a)}
		}
		pre, args = append(pre, a, args[1]), args[2:]
	}
	return pre, nil, nil
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

// builtinDataDir is where the built-in knowledge files live in a clone of
// the repository; the binary embeds them.
const builtinDataDir = "knowledge/data"

// loadKnowledge loads KNOWLEDGE_DIR, or the embedded base when it is unset,
// and returns the folder it loaded ("" for the embedded base). A folder
// with no knowledge files of its own but a data/ folder that has some — the
// repository's knowledge/ — stands for that data/ folder.
func loadKnowledge(dir string) (*knowledge.Base, string, error) {
	if dir == "" {
		b, err := knowledge.Default()
		return b, "", err
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, dir, fmt.Errorf("the knowledge folder %s does not exist", dir)
	case err != nil:
		return nil, dir, fmt.Errorf("the knowledge folder %s: %w", dir, err)
	case !fi.IsDir():
		return nil, dir, fmt.Errorf("the knowledge folder %s is a file, not a folder", dir)
	}
	if !hasKnowledgeFiles(dir) {
		if data := filepath.Join(dir, "data"); hasKnowledgeFiles(data) {
			dir = data
		} else {
			return nil, dir, fmt.Errorf("%s holds no knowledge files (*.yaml or *.yml); the built-in ones are in %s of the repository, and the binary embeds them, so leave KNOWLEDGE_DIR unset to use them", dir, builtinDataDir)
		}
	}
	b, err := knowledge.LoadDir(dir)
	return b, dir, err
}

// hasKnowledgeFiles reports whether dir holds a *.yaml or *.yml file.
func hasKnowledgeFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") && (ext == ".yaml" || ext == ".yml") {
			return true
		}
	}
	return false
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

// buildEngine loads the knowledge, builds the index and the engine. It sets
// cfg.KnowledgeDir to the folder actually loaded (see loadKnowledge), for
// /reindex to reload the same one. The LLM client is the engine's, nil when
// no LLM is configured.
func buildEngine(ctx context.Context, cfg *config.Config, log *slog.Logger, ixOpts index.Options) (*answer.Engine, *index.Index, *llm.Client, error) {
	base, dir, err := loadKnowledge(cfg.KnowledgeDir)
	if err != nil {
		return nil, nil, nil, err
	}
	if dir != cfg.KnowledgeDir {
		log.Info("the knowledge folder holds no knowledge files of its own; loading its data folder", "KNOWLEDGE_DIR", cfg.KnowledgeDir, "loaded", dir)
		cfg.KnowledgeDir = dir
	}
	ixOpts.Logger = log
	ix, err := index.Build(ctx, base, ixOpts)
	if err != nil {
		if ixOpts.Path != "" {
			return nil, nil, nil, fmt.Errorf("INDEX_PATH=%s: %w", ixOpts.Path, err)
		}
		return nil, nil, nil, err
	}
	opts := answer.Options{Logger: log, StaleAfter: cfg.StaleAfter}
	client, err := configureLLM(*cfg, log, &opts)
	if err != nil {
		ix.Close()
		return nil, nil, nil, err
	}
	return answer.NewEngine(ix, opts), ix, client, nil
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
	return Main(ctx, os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Lookup: os.LookupEnv, DotEnv: ".env"})
}
