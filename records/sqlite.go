package records

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, "sqlite"
)

// SQLiteFile is the name of the SQLite database in DATA_DIR.
const SQLiteFile = "bytewatch.db"

// OpenSQLite opens (creating it and its folder if need be) the SQLite
// database at path and migrates it to the latest schema. One connection
// serves every call, in turn: SQLite writes one at a time anyway, and
// waiting in Go respects each call's deadline where SQLite's busy handler
// would not. The journal is a write-ahead log, synced at checkpoints
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
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(5000)", "foreign_keys(1)"} {
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
	return &sqlStore{db: db, dialect: "sqlite"}, nil
}
