package records

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// SettingsTTL is how long a server's settings are trusted from the cache
// before they are read again: a change made through this process applies
// at once; one made by another process sharing the database (PostgreSQL)
// within SettingsTTL.
const SettingsTTL = 30 * time.Second

// Defaults are the environment's settings, for servers that set nothing.
type Defaults struct {
	AnswerChannelIDs []string
	ModeratorRoleIDs []string
	RateLimit        int // questions a minute per person
}

// Effective are a server's settings in force: its own where it set them,
// the defaults elsewhere.
type Effective struct {
	GuildID          string
	AnswerChannelIDs []string
	ModeratorRoleIDs []string
	AuditChannelID   string // "" for none
	RateLimit        int
	// Own is what the server set itself (nil fields: the default).
	Own GuildSettings
}

// Settings serves the per-server settings kept in a Store, over the
// defaults, from a cache. A database that cannot be read gives the
// defaults (logged), never an error: settings never stop an answer. It is
// safe for concurrent use.
type Settings struct {
	store   Store
	def     Defaults
	timeout time.Duration
	now     func() time.Time
	log     *slog.Logger

	mu    sync.Mutex
	cache map[string]cachedSettings
}

type cachedSettings struct {
	eff    Effective
	loaded time.Time
}

// NewSettings serves store's settings over def; log (nil discards) gets
// the read failures.
func NewSettings(store Store, def Defaults, log *slog.Logger) *Settings {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Settings{store: store, def: def, timeout: DefaultTimeout, now: time.Now, log: log, cache: map[string]cachedSettings{}}
}

// Defaults are the environment's settings.
func (s *Settings) Defaults() Defaults { return s.def }

// effective lays g over the defaults.
func (s *Settings) effective(g GuildSettings) Effective {
	e := Effective{GuildID: g.GuildID, AnswerChannelIDs: s.def.AnswerChannelIDs, ModeratorRoleIDs: s.def.ModeratorRoleIDs,
		RateLimit: s.def.RateLimit, Own: g}
	if g.AnswerChannelIDs != nil {
		e.AnswerChannelIDs = *g.AnswerChannelIDs
	}
	if g.ModeratorRoleIDs != nil {
		e.ModeratorRoleIDs = *g.ModeratorRoleIDs
	}
	if g.AuditChannelID != nil {
		e.AuditChannelID = *g.AuditChannelID
	}
	if g.RateLimit != nil {
		e.RateLimit = *g.RateLimit
	}
	return e
}

// For returns the settings in force in guildID ("" — a DM — has the
// defaults).
func (s *Settings) For(ctx context.Context, guildID string) Effective {
	if guildID == "" {
		return s.effective(GuildSettings{})
	}
	now := s.now()
	s.mu.Lock()
	c, ok := s.cache[guildID]
	s.mu.Unlock()
	if ok && now.Sub(c.loaded) < SettingsTTL {
		return c.eff
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	defer cancel()
	g, _, err := s.store.Settings(cctx, guildID)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "records: server settings unreadable; using the last known or the defaults",
			slog.String("guild_id", guildID), slog.Any("error", err))
		if ok {
			g = c.eff.Own // the last known beat the defaults
		} else {
			g = GuildSettings{GuildID: guildID}
		}
	}
	eff := s.effective(g)
	s.mu.Lock()
	s.cache[guildID] = cachedSettings{eff: eff, loaded: now}
	s.mu.Unlock()
	return eff
}

// Save stores a server's own settings (replacing them) and returns the
// settings now in force there; they apply at once.
func (s *Settings) Save(ctx context.Context, g GuildSettings) (Effective, error) {
	g.UpdatedAt = s.now()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	defer cancel()
	if err := s.store.SaveSettings(cctx, g); err != nil {
		return Effective{}, err
	}
	eff := s.effective(g)
	s.mu.Lock()
	s.cache[g.GuildID] = cachedSettings{eff: eff, loaded: s.now()}
	s.mu.Unlock()
	return eff, nil
}

// AnswerChannel reports whether channelID is an answer channel of guildID.
func (s *Settings) AnswerChannel(ctx context.Context, guildID, channelID string) bool {
	return slices.Contains(s.For(ctx, guildID).AnswerChannelIDs, channelID)
}

// ModeratorRoles are guildID's moderator roles.
func (s *Settings) ModeratorRoles(ctx context.Context, guildID string) []string {
	return s.For(ctx, guildID).ModeratorRoleIDs
}

// RateLimit is guildID's per-person rate limit, questions a minute.
func (s *Settings) RateLimit(guildID string) int {
	return s.For(context.Background(), guildID).RateLimit
}
