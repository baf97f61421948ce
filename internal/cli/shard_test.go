package cli_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/internal/cli"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// TestRunShards: two `bytewatch run` processes with SHARD_COUNT=2 and
// SHARD_ID set from a StatefulSet pod's name each answer their own
// server, and only shard 0's registers the slash commands.
func TestRunShards(t *testing.T) {
	t.Parallel()
	// (guild_id >> 22) % 2: the first server is shard 0's, the second shard 1's.
	guilds := [2][2]string{{"800000003014656", "800000003014657"}, {"800000007208960", "800000007208961"}}
	srv := discordtest.New(t, discordtest.WithGuild(guilds[0][0], "zero", guilds[0][1]), discordtest.WithGuild(guilds[1][0], "one", guilds[1][1]))
	procs := make([]*running, 2)
	for shard, pod := range []string{"bytewatch-0", "bytewatch-1"} {
		procs[shard] = launch(t, map[string]string{
			"DISCORD_TOKEN": srv.Token(), "DISCORD_API_BASE_URL": srv.URL, "DISCORD_GUILD_ID": guilds[0][0],
			"LOG_FORMAT": "json", "SHARD_COUNT": "2", "SHARD_ID": pod,
		})
	}
	for _, p := range procs {
		for deadline := time.Now().Add(15 * time.Second); !strings.Contains(p.stdout.String(), "Invite it to a server"); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("not online:\n%s\n%s", p.stdout.String(), p.stderr.String())
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if out := procs[0].stdout.String(); !strings.Contains(out, "(shards [0] of 2)") || !strings.Contains(out, "10 slash commands registered") {
		t.Errorf("shard 0 says %q", out)
	}
	if out := procs[1].stdout.String(); !strings.Contains(out, "(shards [1] of 2)") || !strings.Contains(out, "the process running shard 0 registers the slash commands") {
		t.Errorf("shard 1 says %q", out)
	}
	if n := len(srv.RequestsMatching("PUT", "/applications/{app}/guilds/{guild}/commands")); n != 1 {
		t.Errorf("%d registrations; want 1", n)
	}
	for shard, g := range guilds {
		q := srv.DispatchMessage(discordtest.MessageSpec{GuildID: g[0], ChannelID: g[1], AuthorID: "700000000000099001",
			Content: srv.BotMention() + " How much is ByteDance investing in AI infrastructure?"})
		if _, err := srv.WaitBotMessage(ctx, g[1], func(m discordgo.Message) bool {
			return m.MessageReference != nil && m.MessageReference.MessageID == q.ID
		}); err != nil {
			t.Fatalf("shard %d's server: %v", shard, err)
		}
		// The question's line is logged after the reply, by the process
		// that handled it; by then the other would have logged it too.
		handled := func(p *running) bool { return strings.Contains(p.stderr.String(), `"message_id":"`+q.ID+`"`) }
		for deadline := time.Now().Add(10 * time.Second); !handled(procs[shard]); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d never logged its server's question", shard)
			}
		}
		if handled(procs[1-shard]) {
			t.Errorf("process %d handled shard %d's question", 1-shard, shard)
		}
	}
}

func TestRunShardSettings(t *testing.T) {
	t.Parallel()
	code, _, stderr := run(t, map[string]string{"DISCORD_TOKEN": "x", "SHARD_ID": "bytewatch-1"}, "run")
	if code != cli.ExitFailure || !strings.Contains(stderr, "needs SHARD_COUNT") {
		t.Errorf("exit %d, stderr %q; want a failure naming SHARD_COUNT", code, stderr)
	}
}
