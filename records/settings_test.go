package records

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// brokenSettings is a Store whose settings cannot be read.
type brokenSettings struct{ Store }

func (brokenSettings) Settings(context.Context, string) (GuildSettings, bool, error) {
	return GuildSettings{}, false, errors.New("database is down")
}

func TestSettings(t *testing.T) {
	ctx := t.Context()
	store := openTestSQLite(t)
	def := Defaults{AnswerChannelIDs: []string{"1"}, ModeratorRoleIDs: []string{"9"}, RateLimit: 6}
	now := t0
	s := NewSettings(store, def, nil)
	s.now = func() time.Time { return now }

	if e := s.For(ctx, "g"); !slices.Equal(e.AnswerChannelIDs, []string{"1"}) || e.RateLimit != 6 || e.AuditChannelID != "" {
		t.Errorf("a server that set nothing: %+v", e)
	}
	chans, rate := []string{"2", "3"}, 2
	if _, err := s.Save(ctx, GuildSettings{GuildID: "g", AnswerChannelIDs: &chans, RateLimit: &rate}); err != nil {
		t.Fatal(err)
	}
	e := s.For(ctx, "g")
	if !slices.Equal(e.AnswerChannelIDs, chans) || e.RateLimit != 2 || !slices.Equal(e.ModeratorRoleIDs, []string{"9"}) {
		t.Errorf("after Save, at once: %+v", e)
	}
	if !s.AnswerChannel(ctx, "g", "3") || s.AnswerChannel(ctx, "g", "1") || s.AnswerChannel(ctx, "other", "3") || !s.AnswerChannel(ctx, "other", "1") {
		t.Error("AnswerChannel does not follow the settings")
	}
	if e := s.For(ctx, ""); e.RateLimit != 6 {
		t.Errorf("a DM: %+v", e)
	}

	// Another process (a second Settings on the same database) sees the
	// change once its cache is older than SettingsTTL.
	other := NewSettings(store, def, nil)
	other.now = func() time.Time { return now }
	if e := other.For(ctx, "g"); e.RateLimit != 2 {
		t.Errorf("another process: %+v", e)
	}
	rate3 := 3
	if _, err := s.Save(ctx, GuildSettings{GuildID: "g", RateLimit: &rate3}); err != nil {
		t.Fatal(err)
	}
	if e := other.For(ctx, "g"); e.RateLimit != 2 {
		t.Errorf("within the TTL the other process keeps its cache: %+v", e)
	}
	now = now.Add(SettingsTTL)
	if e := other.For(ctx, "g"); e.RateLimit != 3 || !slices.Equal(e.AnswerChannelIDs, []string{"1"}) {
		t.Errorf("after the TTL: %+v", e)
	}

	// A database that cannot be read: the last known settings, else the
	// defaults; never an error.
	broken := NewSettings(brokenSettings{store}, def, nil)
	if e := broken.For(ctx, "g"); e.RateLimit != 6 {
		t.Errorf("unreadable, never read: %+v", e)
	}
}
