package commands

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func TestRateLimiterGuildLimits(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	l := NewRateLimiter(6)
	l.now = func() time.Time { return now }
	limits := map[string]int{"strict": 2}
	l.UseGuildLimits(func(g string) int { return limits[g] })

	allowed := func(guild string, n int) int {
		got := 0
		for range n {
			if ok, _ := l.AllowIn(guild, "alice"); ok {
				got++
			}
		}
		return got
	}
	if got := allowed("strict", 5); got != 2 || l.PerMinuteIn("strict") != 2 {
		t.Errorf("in a server of 2 a minute: %d allowed", got)
	}
	if got := allowed("relaxed", 8); got != 6 || l.PerMinuteIn("relaxed") != 6 || l.PerMinuteIn("") != 6 {
		t.Errorf("in a server with the default: %d allowed", got)
	}
	// The server raises its limit: the next question is counted at the
	// new rate, and a full minute later four fit in a burst.
	limits["strict"] = 4
	if got := allowed("strict", 1); got != 0 {
		t.Errorf("right after raising the limit, with the allowance used up: %d allowed", got)
	}
	now = now.Add(time.Minute)
	if got := allowed("strict", 6); got != 4 {
		t.Errorf("a minute after raising the limit to 4: %d allowed", got)
	}
}

func TestRequireModeratorIn(t *testing.T) {
	roles := map[string][]string{"g1": {"42"}}
	mw := RequireModeratorIn(func(_ context.Context, g string) []string { return roles[g] })
	for _, tt := range []struct {
		guild string
		role  string
		want  bool
	}{{"g1", "42", true}, {"g1", "7", false}, {"g2", "42", false}} {
		in := &discordgo.Interaction{GuildID: tt.guild, Member: &discordgo.Member{User: &discordgo.User{ID: "1"}, Roles: []string{tt.role}}}
		ran := false
		r := &Request{Interaction: in, Respond: NewResponder(nil, in, true)}
		func() {
			defer func() { recover() }() // the refusal's reply has no REST here
			mw(HandlerFunc(func(context.Context, *Request) error { ran = true; return nil })).Handle(t.Context(), r)
		}()
		if ran != tt.want {
			t.Errorf("guild %s, role %s: ran %v, want %v", tt.guild, tt.role, ran, tt.want)
		}
	}
}

func TestParseIDs(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"default", "<nil>"},
		{"none", "[]"},
		{"<#123> <#456>,789 <#123>", "[123 456 789]"},
		{"<@&42>", "[42]"},
		{"#general", "error"},
		{"<@42>", "error"},
	} {
		ids, err := parseIDs("x", tt.in)
		got := "error"
		if err == nil {
			got = "<nil>"
			if ids != nil {
				got = "[" + strings.Join(*ids, " ") + "]"
			}
		}
		if got != tt.want {
			t.Errorf("parseIDs(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
