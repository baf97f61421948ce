package cli_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// testPostgres is a PostgreSQL URL whose search_path is a schema of the
// test's own, dropped when it ends (as records' store tests do). With no
// server the test is skipped — or failed when BYTEWATCH_REQUIRE_POSTGRES=1.
func testPostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv("BYTEWATCH_TEST_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("BYTEWATCH_TEST_DATABASE_URL: %v", err)
	}
	admin := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		if os.Getenv("BYTEWATCH_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL at %s:%d cannot be reached and BYTEWATCH_REQUIRE_POSTGRES=1: %v", cfg.Host, cfg.Port, err)
		}
		t.Skipf("PostgreSQL at %s:%d cannot be reached (%v): start PostgreSQL 15 with a database named test on 127.0.0.1:5432, or set BYTEWATCH_TEST_DATABASE_URL", cfg.Host, cfg.Port, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "bw_test_cli_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// TestRunShardsShareRateLimit: with DATABASE_URL, two `bytewatch run`
// processes (SHARD_COUNT=2) count one person's questions together: asked
// in shard 0's server, then in shard 1's, the second is over a limit of
// one a minute and gets ⏳.
func TestRunShardsShareRateLimit(t *testing.T) {
	t.Parallel()
	dbURL := testPostgres(t)
	guilds := [2][2]string{{"800000003014656", "800000003014657"}, {"800000007208960", "800000007208961"}}
	srv := discordtest.New(t, discordtest.WithGuild(guilds[0][0], "zero", guilds[0][1]), discordtest.WithGuild(guilds[1][0], "one", guilds[1][1]))
	procs := make([]*running, 2)
	for shard, pod := range []string{"bytewatch-0", "bytewatch-1"} {
		procs[shard] = launch(t, map[string]string{
			"DISCORD_TOKEN": srv.Token(), "DISCORD_API_BASE_URL": srv.URL, "DISCORD_GUILD_ID": guilds[0][0],
			"LOG_FORMAT": "json", "SHARD_COUNT": "2", "SHARD_ID": pod,
			"DATABASE_URL": dbURL, "RATE_LIMIT_PER_MINUTE": "1",
		})
	}
	for _, p := range procs {
		p.waitOnline(t, srv)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	const asker = "700000000000099002"
	ask := func(g [2]string) discordgo.Message {
		return srv.DispatchMessage(discordtest.MessageSpec{GuildID: g[0], ChannelID: g[1], AuthorID: asker,
			Content: srv.BotMention() + " How much is ByteDance investing in AI infrastructure?"})
	}
	first := ask(guilds[0])
	if _, err := srv.WaitBotMessage(ctx, guilds[0][1], func(m discordgo.Message) bool {
		return m.MessageReference != nil && m.MessageReference.MessageID == first.ID
	}); err != nil {
		t.Fatalf("shard 0's server, the first question: %v", err)
	}
	second := ask(guilds[1])
	if _, err := srv.WaitRequest(ctx, "PUT", "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", func(r discordtest.Request) bool {
		return strings.Contains(r.Path, "/messages/"+second.ID+"/")
	}); err != nil {
		t.Fatalf("shard 1's server, the second question within the minute: no reaction (%v)\n%s\n%s", err, procs[1].stderr.String(), procs[0].stderr.String())
	}
	if got := srv.Reactions(guilds[1][1], second.ID); len(got) != 1 || got[0] != bot.RateLimitedReaction {
		t.Errorf("reactions on the second question %q, want [%s]", got, bot.RateLimitedReaction)
	}
	for _, p := range procs {
		if strings.Contains(p.stderr.String(), "shared allowances did not answer") {
			t.Errorf("a process fell back to counting alone:\n%s", p.stderr.String())
		}
	}
}
