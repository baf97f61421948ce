-- Version 4: the per-user rate limit shared by every process on one
-- database (RATE_LIMIT_PER_MINUTE with DATABASE_URL). One row per
-- allowance: key is the salted user hash, or "guild id/user hash" under a
-- server's own limit; tat is the allowance's theoretical arrival time
-- (GCRA), Unix milliseconds: a token bucket of perMinute tokens refilled
-- one every minute/perMinute, the same as the in-process limiter. A row
-- whose tat has passed is a full allowance, the same as no row, and is
-- deleted by the next prune. admitted says whether the row's last take
-- was admitted (what TakeAllowance's one statement returns). No index on
-- tat: every take changes it, and the table holds only the users of the
-- last few minutes.
CREATE TABLE allowances (
	key TEXT PRIMARY KEY,
	tat BIGINT NOT NULL,
	admitted INTEGER NOT NULL
);
