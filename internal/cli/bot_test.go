package cli_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/internal/cli"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// syncBuffer is a bytes.Buffer safe to write from the bot while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
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
	var stdout, stderr syncBuffer
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, nil, cli.Env{Stdout: &stdout, Stderr: &stderr,
			Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	}()
	t.Cleanup(func() {
		stop()
		select {
		case code := <-done:
			if code != cli.ExitOK {
				t.Errorf("exit %d; stderr:\n%s", code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("bytewatch did not stop")
		}
	})

	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(stdout.String(), "Invite it to a server: https://discord.com/oauth2/authorize?client_id="+srv.ApplicationID()) {
		if time.Now().After(deadline) {
			t.Fatalf("no invite URL on stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := len(srv.Commands(srv.GuildID())); got != 5 {
		t.Errorf("%d commands registered in the guild; want 5", got)
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
