package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/bytewatch/bytewatch/internal/config"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/records"
)

// openStore opens the records' database: PostgreSQL when DATABASE_URL is
// set, else SQLite in DATA_DIR. It says which in where.
func openStore(ctx context.Context, cfg config.Config) (store records.Store, where string, err error) {
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if cfg.DatabaseURL != "" {
		s, err := records.OpenPostgres(octx, cfg.DatabaseURL)
		return s, "PostgreSQL (DATABASE_URL)", err
	}
	path := filepath.Join(cfg.DataDir, records.SQLiteFile)
	s, err := records.OpenSQLite(octx, path)
	return s, path, err
}

// openRecorder opens the records for the bot. A database that cannot be
// opened leaves the bot answering without records (no 👍/👎 or Sources
// buttons, no /report), with an error in the log: the records never stop
// an answer. close closes the store.
func openRecorder(ctx context.Context, cfg config.Config, log *slog.Logger, m *ops.Metrics) (rec *records.Recorder, close func()) {
	store, where, err := openStore(ctx, cfg)
	if err == nil {
		rec, err = records.NewRecorder(ctx, store, recorderOptions(cfg, log, m))
		if err != nil {
			store.Close()
		}
	}
	if err != nil {
		log.Error("records are off: the database could not be opened; answering without records, votes or reports", "database", where, "error", err)
		return nil, func() {}
	}
	log.Info("records", "database", where, "store_questions", cfg.StoreQuestions, "retention_days", cfg.RetentionDays)
	return rec, func() {
		if err := store.Close(); err != nil {
			log.Warn("closing the records' database", "error", err)
		}
	}
}

func recorderOptions(cfg config.Config, log *slog.Logger, m *ops.Metrics) records.Options {
	return records.Options{KeepQuestions: cfg.StoreQuestions, RetentionDays: cfg.RetentionDays, Logger: log, OnDrop: m.RecordDropped}
}

// retentionEvery is how often the bot deletes records past RETENTION_DAYS.
const retentionEvery = 24 * time.Hour

// runRetention deletes old records now and daily until stop is called.
func runRetention(ctx context.Context, rec *records.Recorder) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	t := time.NewTicker(retentionEvery)
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec.RunRetention(ctx, t.C)
	}()
	return func() {
		cancel()
		<-done
		t.Stop()
	}
}

// cliRecorder opens the records for report and forget, which need them to
// exist already: a SQLite file that is not there is an error, not a new
// empty database.
func cliRecorder(ctx context.Context, cfg config.Config) (*records.Recorder, func(), error) {
	if cfg.DatabaseURL == "" {
		path := filepath.Join(cfg.DataDir, records.SQLiteFile)
		if _, err := os.Stat(path); err != nil {
			return nil, nil, fmt.Errorf("no records at %s (%w): set DATA_DIR to the folder where bytewatch run keeps them, or DATABASE_URL", path, err)
		}
	}
	store, where, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("records (%s): %w", where, err)
	}
	rec, err := records.NewRecorder(ctx, store, recorderOptions(cfg, slog.New(slog.DiscardHandler), nil))
	if err != nil {
		store.Close()
		return nil, nil, fmt.Errorf("records (%s): %w", where, err)
	}
	return rec, func() { store.Close() }, nil
}

// report prints the report of the last --days days, as text or JSON.
func report(ctx context.Context, args []string, env Env) error {
	f := newFlags("report")
	days := f.fs.Int("days", 7, "days back")
	asJSON := f.fs.Bool("json", false, "print JSON")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("report takes no arguments, got %q", joinArgs(pos))}
	}
	if *days < 1 || *days > records.MaxReportDays {
		return usageError{fmt.Sprintf("--days %d: want 1 to %d", *days, records.MaxReportDays)}
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	base, _, err := loadKnowledge(cfg.KnowledgeDir)
	if err != nil {
		return err
	}
	facts := make([]string, len(base.Facts))
	for i, fa := range base.Facts {
		facts[i] = fa.ID
	}
	rec, closeStore, err := cliRecorder(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	rep, err := rec.Report(ctx, *days, facts)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	_, err = fmt.Fprint(env.Stdout, rep.Text())
	return err
}

// forget deletes one person's records and votes, for an operator.
func forget(ctx context.Context, args []string, env Env) error {
	f := newFlags("forget")
	user := f.fs.String("user", "", "the person's Discord user id")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("forget takes no arguments, got %q (use --user ID)", joinArgs(pos))}
	}
	if _, err := strconv.ParseUint(*user, 10, 64); err != nil {
		return usageError{fmt.Sprintf("forget needs --user ID, a Discord user id (a number); got %q", *user)}
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	rec, closeStore, err := cliRecorder(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	n, err := rec.Forget(ctx, *user)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Stdout, "Deleted %s and %s of user %s.\n",
		plural(int(n.Questions), "question record", "question records"), plural(int(n.Votes), "vote", "votes"), *user)
	return err
}
