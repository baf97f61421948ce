-- A database as bytewatch left it at schema version 1 (before votes had
-- reason_text and before meta and guild_settings): kept as it was, to test
-- the migration from it. Do not edit; add a v2 fixture for the next change.
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);
CREATE TABLE questions (
	id            TEXT PRIMARY KEY,
	asked_at      BIGINT NOT NULL, -- Unix milliseconds, UTC
	guild_id      TEXT NOT NULL DEFAULT '',
	channel_id    TEXT NOT NULL DEFAULT '',
	entry         TEXT NOT NULL,
	user_hash     TEXT NOT NULL,
	question      TEXT,             -- NULL when STORE_QUESTIONS=false
	outcome       TEXT NOT NULL,
	fact_ids      TEXT NOT NULL DEFAULT '', -- space-separated, in citation order
	index_version TEXT NOT NULL DEFAULT '',
	mode          TEXT NOT NULL DEFAULT '',
	latency_ms    DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE INDEX questions_asked_at ON questions (asked_at);
CREATE INDEX questions_user_hash ON questions (user_hash);

CREATE TABLE votes (
	question_id TEXT NOT NULL,
	voter_hash  TEXT NOT NULL,
	vote        SMALLINT NOT NULL, -- 1 or -1
	reason      TEXT NOT NULL DEFAULT '',
	voted_at    BIGINT NOT NULL,
	PRIMARY KEY (question_id, voter_hash)
);
INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, '001_questions_votes.sql', 1764547200000);
INSERT INTO questions (id, asked_at, guild_id, channel_id, entry, user_hash, question, outcome, fact_ids, index_version, mode, latency_ms)
VALUES ('fixtureaaaaaaaaa', 1764547200000, '100', '200', 'slash', 'hash-alice', 'How much is ByteDance investing in AI?', 'answered', 'capex-2025 chips-nvidia', 'idx1', 'extractive', 12.5);
INSERT INTO questions (id, asked_at, guild_id, channel_id, entry, user_hash, question, outcome, fact_ids, index_version, mode, latency_ms)
VALUES ('fixturebbbbbbbbb', 1764547260000, '100', '200', 'mention', 'hash-bob', NULL, 'not_covered', '', 'idx1', 'extractive', 3);
INSERT INTO votes (question_id, voter_hash, vote, reason, voted_at) VALUES ('fixtureaaaaaaaaa', 'hash-bob', -1, 'wrong_figure', 1764547300000);
