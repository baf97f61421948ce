package records

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// sqlStore is the Store over database/sql. The SQL is written once: both
// SQLite and PostgreSQL accept $n parameters and INSERT … ON CONFLICT, and
// times are kept as Unix milliseconds in both. What differs — the driver,
// the connection settings, the DDL of the migrations — is in sqlite.go and
// postgres.go.
type sqlStore struct {
	db *sql.DB
	// read, when set, serves AnsweredQuestions apart from db (SQLite's
	// one connection).
	read    *sql.DB
	dialect string
	// closeExtra, when set, stops what the dialect runs beside the store.
	closeExtra func() error
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// cleanText is text as both databases take it: valid UTF-8 without NUL
// (PostgreSQL refuses both).
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

func joinIDs(ids []string) string { return strings.Join(ids, " ") }

func splitIDs(s string) []string { return strings.Fields(s) }

func (s *sqlStore) AddQuestion(ctx context.Context, q Question) error {
	if !ValidID(q.ID) {
		return fmt.Errorf("%w: question id %q", ErrInvalid, q.ID)
	}
	if q.UserHash == "" || q.Entry == "" || q.Outcome == "" {
		return fmt.Errorf("%w: question %s lacks its user hash, entry or outcome", ErrInvalid, q.ID)
	}
	for _, id := range q.FactIDs {
		if strings.ContainsAny(id, " \t\n") {
			return fmt.Errorf("%w: fact id %q has a space", ErrInvalid, id)
		}
	}
	var text, key sql.NullString
	if q.HasText {
		text = sql.NullString{String: cleanText(q.Question), Valid: true}
		key = sql.NullString{String: QuestionKey(text.String), Valid: true}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO questions
		(id, asked_at, guild_id, channel_id, entry, user_hash, question, outcome, fact_ids, index_version, mode, latency_ms, question_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		q.ID, ms(q.AskedAt), q.GuildID, q.ChannelID, q.Entry, q.UserHash, text, q.Outcome,
		joinIDs(q.FactIDs), q.IndexVersion, q.Mode, float64(q.Latency.Microseconds())/1000, key)
	if err != nil {
		return fmt.Errorf("records: adding question %s: %w", q.ID, err)
	}
	return nil
}

const questionColumns = `id, asked_at, guild_id, channel_id, entry, user_hash, question, outcome, fact_ids, index_version, mode, latency_ms`

func scanQuestion(sc interface{ Scan(...any) error }) (Question, error) {
	var (
		q       Question
		at      int64
		text    sql.NullString
		facts   string
		latency float64
	)
	if err := sc.Scan(&q.ID, &at, &q.GuildID, &q.ChannelID, &q.Entry, &q.UserHash, &text, &q.Outcome,
		&facts, &q.IndexVersion, &q.Mode, &latency); err != nil {
		return Question{}, err
	}
	q.AskedAt, q.Question, q.HasText, q.FactIDs = fromMS(at), text.String, text.Valid, splitIDs(facts)
	q.Latency = time.Duration(latency * float64(time.Millisecond))
	return q, nil
}

func (s *sqlStore) Question(ctx context.Context, id string) (Question, error) {
	if !ValidID(id) {
		return Question{}, ErrNotFound
	}
	q, err := scanQuestion(s.db.QueryRowContext(ctx, `SELECT `+questionColumns+` FROM questions WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Question{}, ErrNotFound
	}
	if err != nil {
		return Question{}, fmt.Errorf("records: question %s: %w", id, err)
	}
	return q, nil
}

func (s *sqlStore) Questions(ctx context.Context, since time.Time) ([]Question, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+questionColumns+` FROM questions WHERE asked_at >= $1 ORDER BY asked_at, id`, ms(since))
	if err != nil {
		return nil, fmt.Errorf("records: listing questions: %w", err)
	}
	defer rows.Close()
	var out []Question
	for rows.Next() {
		q, err := scanQuestion(rows)
		if err != nil {
			return nil, fmt.Errorf("records: listing questions: %w", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: listing questions: %w", err)
	}
	return out, nil
}

func (s *sqlStore) Vote(ctx context.Context, v Vote) (int, error) {
	if v.Value != Up && v.Value != Down {
		return 0, fmt.Errorf("%w: vote %d (want 1 or -1)", ErrInvalid, v.Value)
	}
	if !ValidReason(v.Reason) || (v.Reason != "" && v.Value != Down) {
		return 0, fmt.Errorf("%w: reason %q on a vote of %d", ErrInvalid, v.Reason, v.Value)
	}
	if v.VoterHash == "" {
		return 0, fmt.Errorf("%w: vote without a voter", ErrInvalid)
	}
	if utf8.RuneCountInString(v.ReasonText) > MaxReasonText {
		return 0, fmt.Errorf("%w: reason text over %d characters", ErrInvalid, MaxReasonText)
	}
	if !ValidID(v.QuestionID) {
		return 0, ErrNotFound
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("records: vote: %w", err)
	}
	defer tx.Rollback()
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM questions WHERE id = $1`, v.QuestionID).Scan(&exists); err != nil {
		return 0, fmt.Errorf("records: vote: %w", err)
	}
	if exists == 0 {
		return 0, ErrNotFound
	}
	var prev int
	err = tx.QueryRowContext(ctx, `SELECT vote FROM votes WHERE question_id = $1 AND voter_hash = $2`, v.QuestionID, v.VoterHash).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("records: vote: %w", err)
	}
	// A second 👎 without a reason (the button again) keeps the reason
	// given; a reason given replaces it; a 👍 clears it.
	_, err = tx.ExecContext(ctx, `INSERT INTO votes (question_id, voter_hash, vote, reason, reason_text, voted_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (question_id, voter_hash) DO UPDATE SET
			vote = excluded.vote,
			reason = CASE WHEN excluded.reason <> '' OR excluded.vote <> votes.vote THEN excluded.reason ELSE votes.reason END,
			reason_text = CASE WHEN excluded.reason <> '' OR excluded.vote <> votes.vote THEN excluded.reason_text ELSE votes.reason_text END,
			voted_at = excluded.voted_at`,
		v.QuestionID, v.VoterHash, v.Value, v.Reason, cleanText(v.ReasonText), ms(v.At))
	if err != nil {
		return 0, fmt.Errorf("records: vote: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("records: vote: %w", err)
	}
	return prev, nil
}

func (s *sqlStore) Votes(ctx context.Context, since time.Time) ([]Vote, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT question_id, voter_hash, vote, reason, reason_text, voted_at
		FROM votes WHERE voted_at >= $1 ORDER BY voted_at, question_id, voter_hash`, ms(since))
	if err != nil {
		return nil, fmt.Errorf("records: listing votes: %w", err)
	}
	defer rows.Close()
	var out []Vote
	for rows.Next() {
		var v Vote
		var at int64
		if err := rows.Scan(&v.QuestionID, &v.VoterHash, &v.Value, &v.Reason, &v.ReasonText, &at); err != nil {
			return nil, fmt.Errorf("records: listing votes: %w", err)
		}
		v.At = fromMS(at)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: listing votes: %w", err)
	}
	return out, nil
}

// deleting runs stmts in one transaction and adds up the rows they
// deleted: the last counts as questions, the others as votes.
func (s *sqlStore) deleting(ctx context.Context, what string, stmts []string, args ...any) (Forgotten, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Forgotten{}, fmt.Errorf("records: %s: %w", what, err)
	}
	defer tx.Rollback()
	var f Forgotten
	for i, q := range stmts {
		a := args
		if !strings.Contains(q, "$") {
			a = nil // PostgreSQL refuses arguments a statement does not use
		}
		res, err := tx.ExecContext(ctx, q, a...)
		if err != nil {
			return Forgotten{}, fmt.Errorf("records: %s: %w", what, err)
		}
		n, _ := res.RowsAffected()
		if i == len(stmts)-1 {
			f.Questions += n
		} else {
			f.Votes += n
		}
	}
	if err := tx.Commit(); err != nil {
		return Forgotten{}, fmt.Errorf("records: %s: %w", what, err)
	}
	return f, nil
}

func (s *sqlStore) Forget(ctx context.Context, userHash string) (Forgotten, error) {
	if userHash == "" {
		return Forgotten{}, fmt.Errorf("%w: no user hash", ErrInvalid)
	}
	return s.deleting(ctx, "forgetting a user", []string{
		`DELETE FROM votes WHERE voter_hash = $1 OR question_id IN (SELECT id FROM questions WHERE user_hash = $1)`,
		`DELETE FROM questions WHERE user_hash = $1`,
	}, userHash)
}

func (s *sqlStore) Purge(ctx context.Context, before time.Time) (Forgotten, error) {
	return s.deleting(ctx, "deleting old records", []string{
		`DELETE FROM votes WHERE voted_at < $1 OR question_id IN (SELECT id FROM questions WHERE asked_at < $1)`,
		`DELETE FROM votes WHERE NOT EXISTS (SELECT 1 FROM questions WHERE questions.id = votes.question_id)`,
		`DELETE FROM questions WHERE asked_at < $1`,
	}, ms(before))
}

func (s *sqlStore) Salt(ctx context.Context) ([]byte, error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	// Made once: a second process racing to make it keeps the first's.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('user_hash_salt', $1) ON CONFLICT (key) DO NOTHING`,
		hex.EncodeToString(b[:])); err != nil {
		return nil, fmt.Errorf("records: salt: %w", err)
	}
	var v string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'user_hash_salt'`).Scan(&v); err != nil {
		return nil, fmt.Errorf("records: salt: %w", err)
	}
	salt, err := hex.DecodeString(v)
	if err != nil || len(salt) < 16 {
		return nil, fmt.Errorf("records: the stored salt is not 16 or more bytes of hex")
	}
	return salt, nil
}

func nullIDs(ids *[]string) sql.NullString {
	if ids == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: joinIDs(*ids), Valid: true}
}

func (s *sqlStore) Settings(ctx context.Context, guildID string) (GuildSettings, bool, error) {
	var (
		chans, roles, audit sql.NullString
		rate                sql.NullInt64
		at                  int64
	)
	err := s.db.QueryRowContext(ctx, `SELECT answer_channels, moderator_roles, audit_channel, rate_limit, updated_at
		FROM guild_settings WHERE guild_id = $1`, guildID).Scan(&chans, &roles, &audit, &rate, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return GuildSettings{GuildID: guildID}, false, nil
	}
	if err != nil {
		return GuildSettings{}, false, fmt.Errorf("records: settings of %s: %w", guildID, err)
	}
	g := GuildSettings{GuildID: guildID, UpdatedAt: fromMS(at)}
	if chans.Valid {
		ids := splitIDs(chans.String)
		g.AnswerChannelIDs = &ids
	}
	if roles.Valid {
		ids := splitIDs(roles.String)
		g.ModeratorRoleIDs = &ids
	}
	if audit.Valid {
		g.AuditChannelID = &audit.String
	}
	if rate.Valid {
		n := int(rate.Int64)
		g.RateLimit = &n
	}
	return g, true, nil
}

func (s *sqlStore) SaveSettings(ctx context.Context, g GuildSettings) error {
	if g.GuildID == "" {
		return fmt.Errorf("%w: settings without a server", ErrInvalid)
	}
	if g.RateLimit != nil && *g.RateLimit < 1 {
		return fmt.Errorf("%w: rate limit %d (want 1 or more)", ErrInvalid, *g.RateLimit)
	}
	var audit sql.NullString
	if g.AuditChannelID != nil {
		audit = sql.NullString{String: *g.AuditChannelID, Valid: true}
	}
	var rate sql.NullInt64
	if g.RateLimit != nil {
		rate = sql.NullInt64{Int64: int64(*g.RateLimit), Valid: true}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO guild_settings (guild_id, answer_channels, moderator_roles, audit_channel, rate_limit, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (guild_id) DO UPDATE SET answer_channels = excluded.answer_channels,
			moderator_roles = excluded.moderator_roles, audit_channel = excluded.audit_channel,
			rate_limit = excluded.rate_limit, updated_at = excluded.updated_at`,
		g.GuildID, nullIDs(g.AnswerChannelIDs), nullIDs(g.ModeratorRoleIDs), audit, rate, ms(g.UpdatedAt))
	if err != nil {
		return fmt.Errorf("records: saving settings of %s: %w", g.GuildID, err)
	}
	return nil
}

func (s *sqlStore) SchemaVersion(ctx context.Context) (int, error) { return schemaVersion(ctx, s.db) }

func (s *sqlStore) Close() error {
	err := s.db.Close()
	if s.closeExtra != nil {
		err = errors.Join(err, s.closeExtra())
		s.closeExtra = nil
	}
	return err
}
