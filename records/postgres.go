package records

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgMigrationLock keeps two processes from migrating one database at once;
// the key is per schema, so tests in schemas of their own do not wait on
// each other.
const pgMigrationLock = `SELECT pg_advisory_xact_lock(hashtext('bytewatch-migrations:' || current_schema()))`

// OpenPostgres connects to the PostgreSQL database at url (postgres://… or
// a key=value string; search_path=… in it picks the schema) and migrates it
// to the latest schema. Several processes may share it.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	return openPostgres(ctx, url, 0)
}

func openPostgres(ctx context.Context, url string, target int) (*sqlStore, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, fmt.Errorf("records: DATABASE_URL is not a PostgreSQL URL or connection string")
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("records: connecting to PostgreSQL at %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	if err := migrate(ctx, db, "postgres", pgMigrationLock, target); err != nil {
		db.Close()
		return nil, err
	}
	return &sqlStore{db: db, dialect: "postgres"}, nil
}
