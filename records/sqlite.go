package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, "sqlite"
)

// SQLiteFile is the name of the SQLite database in DATA_DIR.
const SQLiteFile = "bytewatch.db"

// OpenSQLite opens (creating it and its folder if need be) the SQLite
// database at path and migrates it to the latest schema. One connection
// serves every call but AnsweredQuestions, in turn: SQLite writes one at a
// time anyway, and waiting in Go respects each call's deadline where
// SQLite's busy handler would not; /ask's suggestions, one per keystroke,
// read on two read-only connections beside it. The journal is a write-ahead log, synced at checkpoints
// (synchronous=NORMAL): a crash of the machine may lose the last records,
// never corrupt the file.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	return openSQLite(ctx, path, 0)
}

// openSQLite migrates to version target (0: the latest); tests use it to
// make a database of an older version.
func openSQLite(ctx context.Context, path string, target int) (*sqlStore, error) {
	if path == "" {
		return nil, fmt.Errorf("records: no SQLite path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	q := url.Values{}
	// wal_autocheckpoint(0): the writer never checkpoints; startCheckpoints does.
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(5000)", "foreign_keys(1)", "wal_autocheckpoint(0)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("records: opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("records: opening %s: %w", path, err)
	}
	if err := migrate(ctx, db, "sqlite", "", target); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w (database %s)", err, path)
	}
	// Checkpoints — copying the log into the database and syncing it, the
	// one slow step (tens of ms on a busy disk) — run on a connection of
	// their own, so that no write waits for one.
	ck, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("records: opening %s: %w", path, err)
	}
	ck.SetMaxOpenConns(1)
	// /ask's suggestions read on connections of their own: one comes per
	// keystroke, and in WAL mode readers neither wait for the writer nor
	// hold it up.
	rd, err := sql.Open("sqlite", "file:"+path+"?"+readerQuery(q).Encode())
	if err != nil {
		db.Close()
		ck.Close()
		return nil, fmt.Errorf("records: opening %s: %w", path, err)
	}
	rd.SetMaxOpenConns(suggestReaders)
	rd.SetMaxIdleConns(suggestReaders)
	stopCheckpoints := startCheckpoints(ck)
	return &sqlStore{db: db, read: rd, dialect: "sqlite", closeExtra: func() error {
		return errors.Join(rd.Close(), stopCheckpoints())
	}}, nil
}

// suggestReaders is how many connections read suggestions at once.
const suggestReaders = 2

// readerQuery is the writer's connection settings for a read-only
// connection (without _txlock=immediate, which would make it a writer).
func readerQuery(q url.Values) url.Values {
	r := url.Values{"_pragma": append([]string{}, q["_pragma"]...)}
	r.Add("_pragma", "query_only(1)")
	return r
}

// checkpointEvery is how often the log is checkpointed.
const checkpointEvery = time.Second

// startCheckpoints checkpoints the write-ahead log through ck every
// checkpointEvery until the returned func is called, which checkpoints a
// last time, truncating the log, and closes ck.
func startCheckpoints(ck *sql.DB) func() error {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				// PASSIVE: never waits for writers, who never wait for it.
				ck.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}()
	return func() error {
		close(quit)
		<-done
		ck.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		return ck.Close()
	}
}
