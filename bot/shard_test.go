package bot_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/knowledge"
)

// Two servers whose events Discord routes to different shards of two:
// (guild_id >> 22) % 2.
const (
	shard0Guild, shard0Channel = "800000003014656", "800000003014657"
	shard1Guild, shard1Channel = "800000007208960", "800000007208961"
)

// process is one bot.Run against a shared emulator, as one process of a
// sharded deployment.
type process struct {
	logs     *logBuffer
	serving  *servingLog
	ready    bot.Ready
	commands chan error // what OnCommands heard
	stop     context.CancelFunc
	done     chan error
}

// memoryIndex is the built-in knowledge in memory.
func memoryIndex(t *testing.T) *index.Index {
	t.Helper()
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(context.Background(), base, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// startProcess runs a bot on srv with the options edit sets, and waits
// until it is ready. It is stopped when the test ends, unless the test
// stopped it (p.halt).
func startProcess(t *testing.T, srv *discordtest.Server, ix *index.Index, edit func(*bot.Options)) *process {
	t.Helper()
	p := &process{logs: &logBuffer{}, serving: &servingLog{cond: ops.NewConditions("gateway connected")},
		commands: make(chan error, 100), done: make(chan error, 1)}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	readyCh := make(chan bot.Ready, 1)
	opts := bot.Options{
		Token: srv.Token(), APIBaseURL: srv.URL, GuildID: shard0Guild,
		Answerer: answer.NewEngine(ix, answer.Options{}), Index: ix, Version: "v-test",
		Logger:    slog.New(slog.NewJSONHandler(p.logs, nil)),
		OnServing: p.serving.set, Transport: transport,
		OnReady: func(r bot.Ready) { readyCh <- r },
		OnCommands: func(err error) {
			p.serving.cond.SetErr("slash commands registered", err)
			select {
			case p.commands <- err:
			default: // the test reads only the first few
			}
		},
	}
	edit(&opts)
	ctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	go func() { p.done <- bot.Run(ctx, opts) }()
	t.Cleanup(func() { p.halt(t) })
	select {
	case p.ready = <-readyCh:
	case err := <-p.done:
		p.done <- err
		t.Fatalf("bot.Run returned before ready: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the bot did not get ready")
	}
	return p
}

// halt stops the process and waits for Run to return; a second call does
// nothing.
func (p *process) halt(t *testing.T) {
	t.Helper()
	p.stop()
	select {
	case err, ok := <-p.done:
		if ok && err != nil {
			t.Errorf("bot.Run = %v", err)
		}
		if ok {
			close(p.done)
		}
	case <-time.After(30 * time.Second):
		t.Error("bot.Run did not return after its context ended")
	}
	if t.Failed() {
		t.Logf("bot log:\n%s", p.logs.String())
	}
}

// answered waits until p logs the message question id as answered.
func (p *process) answered(t *testing.T, id string) {
	t.Helper()
	p.logs.Wait(t, map[string]string{"msg": "message question", "message_id": id, "outcome": "answered"})
}

// handled reports whether p logged the message question id.
func (p *process) handled(id string) bool {
	return strings.Contains(p.logs.String(), `"message_id":"`+id+`"`)
}

func shardedEmulator(t *testing.T, opts ...discordtest.Option) *discordtest.Server {
	return discordtest.New(t, append([]discordtest.Option{
		discordtest.WithGuild(shard0Guild, "shard zero", shard0Channel),
		discordtest.WithGuild(shard1Guild, "shard one", shard1Channel),
	}, opts...)...)
}

// TestTwoShardProcesses runs two processes with SHARD_COUNT=2, one shard
// each, against one loopback Discord that routes each server's events to
// its shard: each answers its own servers' questions, the commands are
// registered once (by shard 0), and one restarting does not disturb the
// other.
func TestTwoShardProcesses(t *testing.T) {
	t.Parallel()
	srv := shardedEmulator(t)
	ix := memoryIndex(t)
	procs := make([]*process, 2)
	for shard := range procs {
		procs[shard] = startProcess(t, srv, ix, func(o *bot.Options) { o.ShardCount, o.ShardIDs = 2, []int{shard} })
	}
	ctx := testContext(t)
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if st := srv.GatewayStats(); st.Shards != 2 || !slices.Equal(st.LiveShards, []int{0, 1}) {
		t.Fatalf("gateway: %d shards, live %v; want 2, both live", st.Shards, st.LiveShards)
	}
	if !procs[0].ready.Registers || procs[1].ready.Registers {
		t.Errorf("registers: shard 0 %v, shard 1 %v; want only shard 0", procs[0].ready.Registers, procs[1].ready.Registers)
	}
	if n := len(srv.RequestsMatching("PUT", "/applications/{app}/guilds/{guild}/commands")); n != 1 {
		t.Errorf("%d command registrations; want 1, by shard 0", n)
	}
	if len(srv.Commands(shard0Guild)) == 0 {
		t.Error("no commands registered")
	}

	ask := func(guild, channel string) string {
		q := srv.DispatchMessage(discordtest.MessageSpec{GuildID: guild, ChannelID: channel, AuthorID: userID(201),
			Content: srv.BotMention() + " " + coveredQuestion})
		return q.ID
	}
	q0, q1 := ask(shard0Guild, shard0Channel), ask(shard1Guild, shard1Channel)
	procs[0].answered(t, q0)
	procs[1].answered(t, q1)
	if procs[0].handled(q1) || procs[1].handled(q0) {
		t.Error("a process handled a question of the other shard's server")
	}

	// Shard 1's process restarts; shard 0's answers all along.
	before := len(procs[0].serving.list())
	procs[1].halt(t)
	during := ask(shard0Guild, shard0Channel)
	procs[0].answered(t, during)
	procs[1] = startProcess(t, srv, ix, func(o *bot.Options) { o.ShardCount, o.ShardIDs = 2, []int{1} })
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	after := ask(shard1Guild, shard1Channel)
	procs[1].answered(t, after)
	if got := procs[0].serving.list()[before:]; slices.Contains(got, false) {
		t.Errorf("shard 0's process went unready while shard 1 restarted: %v", got)
	}
	if n := len(srv.RequestsMatching("PUT", "/applications/{app}/guilds/{guild}/commands")); n != 1 {
		t.Errorf("%d command registrations after shard 1 restarted; want still 1", n)
	}
}

// TestShardCountAuto runs every shard Discord recommends in one process,
// identifying max_concurrency at a time.
func TestShardCountAuto(t *testing.T) {
	t.Parallel()
	srv := shardedEmulator(t, discordtest.WithRecommendedShards(2, 1))
	const interval = 300 * time.Millisecond
	p := startProcess(t, srv, memoryIndex(t), func(o *bot.Options) {
		o.ShardCount, o.IdentifyInterval = bot.ShardCountAuto, interval
	})
	if p.ready.ShardCount != 2 || !slices.Equal(p.ready.Shards, []int{0, 1}) || !p.ready.Registers {
		t.Errorf("ready: shards %v of %d, registers %v; want [0 1] of 2, registering", p.ready.Shards, p.ready.ShardCount, p.ready.Registers)
	}
	ids := srv.IdentifyLog()
	if len(ids) != 2 || ids[0].Shard != 0 || ids[1].Shard != 1 || ids[0].Count != 2 {
		t.Fatalf("identifies %+v; want shard 0 then 1, of 2", ids)
	}
	if gap := ids[1].At.Sub(ids[0].At); gap < interval {
		t.Errorf("shard 1 identified %v after shard 0; with max_concurrency 1 it must wait %v", gap, interval)
	}
	for _, g := range [][2]string{{shard0Guild, shard0Channel}, {shard1Guild, shard1Channel}} {
		q := srv.DispatchMessage(discordtest.MessageSpec{GuildID: g[0], ChannelID: g[1], AuthorID: userID(202),
			Content: srv.BotMention() + " " + coveredQuestion})
		p.answered(t, q.ID)
	}
}

// TestRegistrationRefused: a Discord whose schema refuses the commands
// (400) does not stop the bot. It serves mentions, says the real error —
// without a DISCORD_GUILD_ID hint that has nothing to do with it — on
// /readyz too, and registers once the server accepts.
func TestRegistrationRefused(t *testing.T) {
	t.Parallel()
	srv := shardedEmulator(t)
	srv.Fail("PUT", "/applications/{app}/guilds/{guild}/commands", -1, http.StatusBadRequest, 50035, "Invalid Form Body")
	p := startProcess(t, srv, memoryIndex(t), func(o *bot.Options) { o.RegisterBackoff = 20 * time.Millisecond })
	err := p.ready.CommandsErr
	if err == nil || !strings.Contains(err.Error(), "Invalid Form Body") || strings.Contains(err.Error(), "DISCORD_GUILD_ID") {
		t.Fatalf("first registration error = %v; want Discord's own words and no DISCORD_GUILD_ID hint", err)
	}
	if err := srv.WaitReady(testContext(t)); err != nil {
		t.Fatal(err)
	}
	q := srv.DispatchMessage(discordtest.MessageSpec{GuildID: shard0Guild, ChannelID: shard0Channel, AuthorID: userID(203),
		Content: srv.BotMention() + " " + coveredQuestion})
	p.answered(t, q.ID)
	if ready := p.serving.cond.Err(); ready == nil || !strings.Contains(ready.Error(), "slash commands registered") || !strings.Contains(ready.Error(), "Invalid Form Body") {
		t.Errorf("/readyz says %v; want the registration's error", ready)
	}
	// A retry has failed too before Discord accepts.
	for err := range p.commands {
		if err != nil {
			break
		}
	}
	srv.StopFailing()
	for err := range p.commands {
		if err == nil {
			break
		}
	}
	if len(srv.Commands(shard0Guild)) == 0 {
		t.Error("no commands after the retry was accepted")
	}
	if err := p.serving.cond.Err(); err != nil {
		t.Errorf("/readyz after registering: %v", err)
	}
}

// TestGatewayOutage: the gateway goes away and refuses connections for a
// while. The bot is not ready meanwhile, reconnects with backoff once the
// gateway is back, and answers the questions that come after.
func TestGatewayOutage(t *testing.T) {
	t.Parallel()
	srv := shardedEmulator(t)
	p := startProcess(t, srv, memoryIndex(t), func(*bot.Options) {})
	ctx := testContext(t)
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Outage()
	p.serving.wait(t, "not serving", func(s []bool) bool { return len(s) > 0 && !s[len(s)-1] })
	if err := p.serving.cond.Err(); err == nil || !strings.Contains(err.Error(), "gateway connected") {
		t.Errorf("/readyz during the outage: %v; want not ready, waiting for the gateway", err)
	}
	// Two refused reconnections: the bot keeps trying, backing off.
	if _, err := srv.WaitGateway(ctx, func(st discordtest.GatewayStats) bool { return st.Refused >= 2 }); err != nil {
		t.Fatal(err)
	}
	srv.EndOutage()
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	p.serving.wait(t, "serving again", func(s []bool) bool { return len(s) > 0 && s[len(s)-1] })
	q := srv.DispatchMessage(discordtest.MessageSpec{GuildID: shard0Guild, ChannelID: shard0Channel, AuthorID: userID(204),
		Content: srv.BotMention() + " " + coveredQuestion})
	p.answered(t, q.ID)
	if err := p.serving.cond.Err(); err != nil {
		t.Errorf("/readyz after the outage: %v", err)
	}
}
