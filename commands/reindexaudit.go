package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// auditChannel is the audit channel of guildID ("" for none, and in a DM):
// where /settings changes and reindexes are posted.
func (c *commandSet) auditChannel(ctx context.Context, guildID string) string {
	if c.cfg.Settings == nil || guildID == "" {
		return ""
	}
	return c.cfg.Settings.For(ctx, guildID).AuditChannelID
}

// auditReindex posts a /reindex — who, when, what came of it — to the
// server's audit channel, if it has one.
func (c *commandSet) auditReindex(ctx context.Context, r *Request, at time.Time, rep index.SwapReport, err error, oldVersion string) {
	ch := c.auditChannel(ctx, r.GuildID())
	if ch == "" {
		return
	}
	if c.cfg.Source != nil && ch == c.cfg.Source.AuditChannelID && err == nil && !rep.Changes.Empty() {
		return // the knowledge audit (Audit.Reindexed) posts this one, in full
	}
	c.audit(ctx, ch, ReindexAuditLine(r.UserID(), at, rep, err, oldVersion))
}

// ReindexAuditLine is the audit channel's line for a /reindex by userID
// that ended at at with rep or err. An error's text stays in the bot's log
// (it may name the bot's files); the channel gets the kind of failure.
func ReindexAuditLine(userID string, at time.Time, rep index.SwapReport, err error, oldVersion string) string {
	who := fmt.Sprintf("/reindex by <@%s> <t:%d:f>: ", userID, at.Unix())
	var le *knowledge.LoadError
	switch {
	case errors.As(err, &le):
		return who + fmt.Sprintf("nothing reindexed — the knowledge files have %s; index %s keeps serving.",
			Count(len(le.Problems), "problem", "problems"), oldVersion)
	case err != nil:
		return who + fmt.Sprintf("failed (the bot's log says why); index %s keeps serving.", oldVersion)
	}
	return who + fmt.Sprintf("reindexed, index %s → %s, %s (%d added, %d removed, %d changed).",
		rep.OldVersion, rep.NewVersion, Count(rep.Facts, "fact", "facts"),
		len(rep.Changes.Added), len(rep.Changes.Removed), len(rep.Changes.Changed))
}
