package cli_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
	"github.com/bytewatch/bytewatch/internal/cli"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/internal/logtest"
)

// syncBuffer collects a command's output; safe for concurrent use.
type syncBuffer = logtest.Buffer

// startRun runs bytewatch with env against srv until the test ends and
// waits for the invite URL; it returns stdout and stderr.
func startRun(t *testing.T, srv *discordtest.Server, env map[string]string) (stdout, stderr *syncBuffer) {
	t.Helper()
	r := launch(t, env)
	r.waitOnline(t, srv)
	return r.stdout, r.stderr
}

// running is a bytewatch process (cli.Main on a goroutine) that a test
// started.
type running struct {
	stdout, stderr *syncBuffer
	done           chan int // Main's exit code, once
}

// launch runs bytewatch run with env until the test ends, and returns at
// once. The cleanup stops it as SIGTERM would and wants exit code 0.
func launch(t *testing.T, env map[string]string) *running {
	t.Helper()
	r := &running{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan int, 1)}
	ctx, stop := context.WithCancel(context.Background())
	lookup := testLookup(t, env)
	go func() {
		r.done <- cli.Main(ctx, nil, cli.Env{Stdout: r.stdout, Stderr: r.stderr, Lookup: lookup})
	}()
	t.Cleanup(func() {
		stop()
		select {
		case code := <-r.done:
			if code != cli.ExitOK {
				t.Errorf("exit %d; stderr:\n%s", code, r.stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("bytewatch did not stop")
		}
	})
	return r
}

// waitOnline waits until bytewatch prints the invite URL and its gateway
// session is ready (discordtest.Server.WaitReady): a session stopped or
// dropped before that makes discordgo reconnect behind bytewatch's back.
func (r *running) waitOnline(t *testing.T, srv *discordtest.Server) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(r.stdout.String(), "Invite it to a server: https://discord.com/oauth2/authorize?client_id="+srv.ApplicationID()) {
		select {
		case code := <-r.done:
			r.done <- code // for the cleanup
			t.Fatalf("bytewatch exited (%d) before going online:\n%s", code, r.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no invite URL on stdout:\n%s\nstderr:\n%s", r.stdout.String(), r.stderr.String())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
}

// sourceStatement finds "[1] … statement: …" in the prompt the LLM gets.
var sourceStatement = regexp.MustCompile(`(?m)^\[1\] fact [^\n]*\n(?:[^\n]*\n)*?statement: ([^\n]*)$`)

// TestRunStreamsLLMAnswers: with OPENAI_BASE_URL set, the whole path —
// start-up check, prompt, streamed reply, verification — ends in a Discord
// answer whose text appeared in edits of @original at most once a second.
func TestRunStreamsLLMAnswers(t *testing.T) {
	t.Parallel()
	// The fake LLM restates the prompt's first source, word by word, three
	// times; it pauses once the first sentence is whole (the next has
	// begun), the bot's first verified partial text, until the test has
	// seen it streamed.
	shown := make(chan struct{})
	fake := llmtest.New(t, func(w http.ResponseWriter, r *llmtest.Request) {
		m := sourceStatement.FindStringSubmatch(r.Chat.LastUser())
		if m == nil {
			llmtest.Reply("The sources don't cover that.")(w, r)
			return
		}
		sentence := strings.TrimSuffix(m[1], ".") + " [1]."
		llmtest.Reply(sentence+" "+sentence+" "+sentence, llmtest.Delay(20*time.Millisecond), llmtest.PauseAfter(len(strings.Fields(sentence))+1, shown))(w, r)
	})
	srv := discordtest.New(t)
	_, stderr := startRun(t, srv, map[string]string{
		"DISCORD_TOKEN": srv.Token(), "DISCORD_API_BASE_URL": srv.URL, "DISCORD_GUILD_ID": srv.GuildID(),
		"OPENAI_BASE_URL": fake.URL, "OPENAI_MODEL": llmtest.DefaultModel, "LOG_FORMAT": "json",
	})
	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask",
		Options: []discordtest.CommandOption{{Name: "question", Value: "How much is ByteDance investing in AI infrastructure?"}}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	isPartial := func(m discordtest.Message) bool {
		return len(m.Embeds) == 0 && m.Content != "" && !strings.HasPrefix(m.Content, "Searching")
	}
	if _, err := in.WaitOriginalEdit(ctx, isPartial); err != nil {
		t.Fatalf("no streamed text before the answer: %v; edits %+v\nstderr:\n%s", err, in.OriginalEdits(), stderr.String())
	}
	close(shown)
	final, err := in.WaitOriginalEdit(ctx, func(m discordtest.Message) bool { return len(m.Embeds) > 0 })
	if err != nil {
		t.Fatalf("%v; edits %+v\nstderr:\n%s", err, in.OriginalEdits(), stderr.String())
	}
	var partial []discordtest.Message
	for _, e := range in.OriginalEdits() {
		if isPartial(e) {
			partial = append(partial, e)
		}
	}
	for i := 1; i < len(partial); i++ {
		if gap := partial[i].After - partial[i-1].After; gap < 900*time.Millisecond {
			t.Errorf("streamed edits %d and %d %v apart", i-1, i, gap)
		}
	}
	if d := final.Embeds[0].Description; !strings.Contains(d, "[1]") {
		t.Errorf("final answer %q", d)
	}
	// The log line, written once the reply is sent, says the LLM composed it.
	var line map[string]any
	for wait := time.Now().Add(5 * time.Second); line == nil && time.Now().Before(wait); time.Sleep(20 * time.Millisecond) {
		for _, l := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(l, `"msg":"command"`) && json.Unmarshal([]byte(l), &line) == nil {
				break
			}
		}
	}
	if line["mode"] != "llm" || line["outcome"] != "answered" {
		t.Errorf("log line %v; want mode llm, answered\nstderr:\n%s", line, stderr.String())
	}
}

// TestRunServesTheBot runs `bytewatch` the way a deployment does — no
// command, DISCORD_TOKEN set — against the emulator, asks one question and
// stops it with its context, as SIGTERM does.
func TestRunServesTheBot(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	env := map[string]string{
		"DISCORD_TOKEN":        srv.Token(),
		"DISCORD_API_BASE_URL": srv.URL,
		"DISCORD_GUILD_ID":     srv.GuildID(),
		"LOG_FORMAT":           "json",
	}
	_, stderr := startRun(t, srv, env)
	if got := len(srv.Commands(srv.GuildID())); got != 10 { // the six of bot.Run, /forget-me, /report, /settings and /source
		t.Errorf("%d commands registered in the guild; want 10", got)
	}
	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask",
		Options: []discordtest.CommandOption{{Name: "question", Value: "How much is ByteDance investing in AI infrastructure?"}}})
	qctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	edit, err := in.WaitOriginalEdit(qctx, func(m discordtest.Message) bool { return len(m.Embeds) > 0 })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(edit.Embeds[0].Description, "[1]") {
		t.Errorf("answer = %q", edit.Embeds[0].Description)
	}
	if strings.Contains(stderr.String(), srv.Token()) {
		t.Error("the token is in the log")
	}
}

func TestRunConfigurationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no token", nil, []string{"run"}, cli.ExitFailure, "DISCORD_TOKEN is not set"},
		{"arguments", map[string]string{"DISCORD_TOKEN": "x"}, []string{"run", "now"}, cli.ExitUsage, "run takes no arguments"},
		{"bad API base", map[string]string{"DISCORD_TOKEN": "x", "DISCORD_API_BASE_URL": "ftp://example"}, []string{"run"}, cli.ExitFailure, "DISCORD_API_BASE_URL"},
		{"bad guild id", map[string]string{"DISCORD_TOKEN": "x", "DISCORD_GUILD_ID": "guild"}, []string{"run"}, cli.ExitFailure, "DISCORD_GUILD_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

// TestRunReadsTheLLMServerLimits: at start-up, `bytewatch run` asks a
// llama.cpp server for its context size and answer cap on the client its
// engine uses, and logs a cap below LLM_MAX_TOKENS as the server's own.
func TestRunReadsTheLLMServerLimits(t *testing.T) {
	t.Parallel()
	fake := llmtest.New(t, llmtest.Reply("The sources don't cover that."), llmtest.LlamaCppProps(4096, 256))
	srv := discordtest.New(t)
	_, stderr := startRun(t, srv, map[string]string{
		"DISCORD_TOKEN": srv.Token(), "DISCORD_API_BASE_URL": srv.URL, "DISCORD_GUILD_ID": srv.GuildID(),
		"OPENAI_BASE_URL": fake.URL, "OPENAI_MODEL": llmtest.DefaultModel, "LOG_FORMAT": "json", "LLM_MAX_TOKENS": "700",
	})
	line := stderr.Wait(t, map[string]string{"msg": "llm: server limits", "from": "llama.cpp /props"})
	if line["context_tokens"] != float64(4096) || line["server_max_tokens"] != float64(256) {
		t.Errorf("limits logged as %v; want a 4096-token context and a 256-token cap", line)
	}
	stderr.Wait(t, map[string]string{"msg": "llm: the server caps answers below LLM_MAX_TOKENS; answers stop at the server's cap"})
}
