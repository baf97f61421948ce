-- Version 2: the free text of an "other" reason, the salt of the user
-- hashes, per-server settings.
ALTER TABLE votes ADD COLUMN reason_text TEXT NOT NULL DEFAULT '';
CREATE INDEX votes_voter_hash ON votes (voter_hash);
CREATE INDEX votes_voted_at ON votes (voted_at);

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE guild_settings (
	guild_id         TEXT PRIMARY KEY,
	answer_channels  TEXT,    -- space-separated ids; NULL: the environment's
	moderator_roles  TEXT,    -- space-separated ids; NULL: the environment's
	audit_channel    TEXT,    -- NULL: none
	rate_limit       INTEGER, -- questions a minute per person; NULL: the environment's
	updated_at       INTEGER NOT NULL
);
