-- Version 1: a record per question and a vote per person per answer.
CREATE TABLE questions (
	id            TEXT PRIMARY KEY,
	asked_at      INTEGER NOT NULL, -- Unix milliseconds, UTC
	guild_id      TEXT NOT NULL DEFAULT '',
	channel_id    TEXT NOT NULL DEFAULT '',
	entry         TEXT NOT NULL,
	user_hash     TEXT NOT NULL,
	question      TEXT,             -- NULL when STORE_QUESTIONS=false
	outcome       TEXT NOT NULL,
	fact_ids      TEXT NOT NULL DEFAULT '', -- space-separated, in citation order
	index_version TEXT NOT NULL DEFAULT '',
	mode          TEXT NOT NULL DEFAULT '',
	latency_ms    REAL NOT NULL DEFAULT 0
);
CREATE INDEX questions_asked_at ON questions (asked_at);
CREATE INDEX questions_user_hash ON questions (user_hash);

CREATE TABLE votes (
	question_id TEXT NOT NULL,
	voter_hash  TEXT NOT NULL,
	vote        INTEGER NOT NULL, -- 1 or -1
	reason      TEXT NOT NULL DEFAULT '',
	voted_at    INTEGER NOT NULL,
	PRIMARY KEY (question_id, voter_hash)
);
