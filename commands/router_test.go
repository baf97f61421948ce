package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"go.uber.org/goleak"

	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

func TestMain(m *testing.M) {
	// Bleve (imported through index) starts its analysis workers at init.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}

// restOnly returns a REST on a discordgo Session pointed at srv. No
// gateway is opened: interactions are built from the emulator's payloads
// and handed to the Router directly, which is what discordgo does with
// INTERACTION_CREATE.
func restOnly(t *testing.T, srv *discordtest.Server) *commands.REST {
	t.Helper()
	s, err := discordgo.New("Bot " + srv.Token())
	if err != nil {
		t.Fatal(err)
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	rt, err := bot.NewRewriteTransport(srv.URL, base)
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: rt, Timeout: 10 * time.Second}
	return commands.NewREST(s)
}

// interaction registers an interaction with the emulator and returns it as
// discordgo decodes it, with change applied to its JSON first.
func interaction(t *testing.T, srv *discordtest.Server, spec discordtest.InteractionSpec, change func(map[string]any)) (*discordtest.Interaction, *discordgo.Interaction) {
	t.Helper()
	in := srv.DispatchInteraction(spec) // no gateway: it waits in the session log, unsent
	payload := in.Payload
	if change != nil {
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			t.Fatal(err)
		}
		change(m)
		payload, _ = json.Marshal(m)
	}
	var out discordgo.Interaction
	if err := json.Unmarshal(payload, &out); err != nil {
		t.Fatal(err)
	}
	return in, &out
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestRouterAlwaysReplies: whatever a handler does — panic before or after
// acknowledging, return an error, forget to reply — the user gets a reply.
func TestRouterAlwaysReplies(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	rt := commands.NewRouter(restOnly(t, srv), log)
	rt.Use(commands.Logging(log, nil), commands.Recover(log))
	spec := func(name string) *discordgo.ApplicationCommand {
		return &discordgo.ApplicationCommand{Name: name, Description: name}
	}
	rt.Add(spec("boom"), commands.HandlerFunc(func(context.Context, *commands.Request) error { panic("boom") }))
	rt.Add(spec("late-boom"), commands.HandlerFunc(func(context.Context, *commands.Request) error { panic("late") }), commands.Defer())
	rt.Add(spec("silent"), commands.HandlerFunc(func(context.Context, *commands.Request) error { return nil }), commands.Defer())
	rt.Add(spec("fails"), commands.HandlerFunc(func(context.Context, *commands.Request) error {
		return context.DeadlineExceeded
	}), commands.Defer())
	rt.Add(spec("answers-then-panics"), commands.HandlerFunc(func(ctx context.Context, r *commands.Request) error {
		if err := r.Respond.SendText(ctx, "the answer"); err != nil {
			return err
		}
		panic("after the answer")
	}))
	if got := len(rt.Commands()); got != 5 {
		t.Fatalf("%d commands routed", got)
	}

	tests := []struct {
		name        string
		command     string
		change      func(map[string]any)
		wantType    discordgo.InteractionResponseType
		wantReply   string // in the callback for type 4, in the edit for type 5
		wantOutcome string
	}{
		{"panic before acknowledging", "boom", nil, discordgo.InteractionResponseChannelMessageWithSource,
			commands.UserMessage(commands.ErrPanic), "error"},
		{"panic after deferring", "late-boom", nil, discordgo.InteractionResponseDeferredChannelMessageWithSource,
			commands.UserMessage(commands.ErrPanic), "error"},
		{"no reply", "silent", nil, discordgo.InteractionResponseDeferredChannelMessageWithSource,
			commands.UserMessage(commands.ErrNoReply), "ok"},
		{"an error", "fails", nil, discordgo.InteractionResponseDeferredChannelMessageWithSource,
			commands.UserMessage(context.DeadlineExceeded), "error"},
		{"an unknown command", "nope", nil, discordgo.InteractionResponseChannelMessageWithSource,
			"doesn't know /nope", "unknown_command"},
		{"a component interaction", "boom", func(m map[string]any) {
			// ApplicationCommandData would panic on this payload; the router
			// never calls it.
			m["type"] = discordgo.InteractionMessageComponent
			m["data"] = map[string]any{"custom_id": "x", "component_type": discordgo.ButtonComponent}
		}, discordgo.InteractionResponseChannelMessageWithSource, "doesn't handle that kind", "unsupported"},
	}
	ids := map[string]string{} // interaction id → wanted outcome
	t.Run("group", func(t *testing.T) {
		for _, tt := range tests {
			sim, in := interaction(t, srv, discordtest.InteractionSpec{Command: tt.command}, tt.change)
			ids[in.ID] = tt.wantOutcome
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				rt.HandleInteraction(testContext(t), in)
				cb, ok := sim.Callback()
				if !ok || cb.Type != tt.wantType {
					t.Fatalf("callback = %+v (ok %v); want type %d", cb, ok, tt.wantType)
				}
				reply := cb.Data.Content
				if tt.wantType == discordgo.InteractionResponseDeferredChannelMessageWithSource {
					edits := sim.OriginalEdits()
					if len(edits) != 1 {
						t.Fatalf("%d edits of @original; want the one error reply", len(edits))
					}
					reply = edits[0].Content
				}
				if !strings.Contains(reply, tt.wantReply) {
					t.Errorf("reply %q; want %q", reply, tt.wantReply)
				}
			})
		}
	})
	// One log line per interaction, with its outcome.
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec struct {
			Msg, InteractionID, Outcome string
		}
		var raw map[string]any
		json.Unmarshal([]byte(line), &raw)
		rec.Msg, _ = raw["msg"].(string)
		rec.InteractionID, _ = raw["interaction_id"].(string)
		rec.Outcome, _ = raw["outcome"].(string)
		if want, ok := ids[rec.InteractionID]; ok && rec.Msg == "command" {
			if rec.Outcome != want {
				t.Errorf("interaction %s logged outcome %q; want %q", rec.InteractionID, rec.Outcome, want)
			}
			delete(ids, rec.InteractionID)
		}
	}
	if len(ids) > 0 {
		t.Errorf("no log line for %d interactions:\n%s", len(ids), logs.String())
	}

	t.Run("a panic after the answer is reported privately", func(t *testing.T) {
		t.Parallel()
		sim, in := interaction(t, srv, discordtest.InteractionSpec{Command: "answers-then-panics"}, nil)
		rt.HandleInteraction(testContext(t), in)
		cb, _ := sim.Callback()
		f := sim.Followups()
		if cb.Data.Content != "the answer" || len(f) != 1 || f[0].Flags&discordgo.MessageFlagsEphemeral == 0 ||
			f[0].Content != commands.UserMessage(commands.ErrPanic) {
			t.Errorf("callback %q, follow-ups %+v", cb.Data.Content, f)
		}
	})

	t.Run("refused while shutting down", func(t *testing.T) {
		t.Parallel()
		sim, in := interaction(t, srv, discordtest.InteractionSpec{Command: "silent"}, nil)
		rt.Refuse(testContext(t), in, commands.ErrShuttingDown)
		if cb, _ := sim.Callback(); cb.Data.Content != commands.UserMessage(commands.ErrShuttingDown) ||
			cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("callback = %+v", cb.Data)
		}
	})
}

// TestRESTRateLimits: a short 429 is waited out within the interaction's
// deadline; a long one fails at once instead of holding the question.
func TestRESTRateLimits(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	rest := restOnly(t, srv)

	t.Run("short wait", func(t *testing.T) {
		_, in := interaction(t, srv, discordtest.InteractionSpec{Command: "ask"}, nil)
		srv.RateLimit("POST", "/interactions/"+in.ID+"/{token}/callback", 1, 300*time.Millisecond)
		p := commands.NewResponder(rest, in, false)
		start := time.Now()
		if err := p.Defer(testContext(t)); err != nil {
			t.Fatalf("Defer: %v", err)
		}
		if took := time.Since(start); took < 300*time.Millisecond || took > 2*time.Second {
			t.Errorf("Defer took %v; want the 300 ms wait and no more", took)
		}
		reqs := srv.RequestsMatching("POST", "/interactions/"+in.ID+"/{token}/callback")
		if len(reqs) != 2 || reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusNoContent {
			t.Errorf("requests = %d: want a 429 then the accepted callback", len(reqs))
		}
	})

	t.Run("long wait gives up", func(t *testing.T) {
		_, in := interaction(t, srv, discordtest.InteractionSpec{Command: "ask"}, nil)
		srv.RateLimit("POST", "/interactions/"+in.ID+"/{token}/callback", 1, time.Minute)
		start := time.Now()
		err := commands.NewResponder(rest, in, false).Defer(testContext(t))
		if !errors.Is(err, commands.ErrRateLimited) {
			t.Errorf("Defer = %v; want ErrRateLimited", err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("gave up after %v; want at once", took)
		}
		if strings.Contains(err.Error(), in.Token) {
			t.Error("the error shows the interaction token")
		}
	})

	t.Run("a call after a long 429 keeps its own deadline", func(t *testing.T) {
		// discordgo sleeps on the rate-limited bucket before the next
		// request without looking at any context; the call must not.
		channel := srv.ChannelID()
		srv.RateLimit("POST", "/channels/"+channel+"/messages", 1, 2*time.Second)
		msg := func() *discordgo.MessageSend { return &discordgo.MessageSend{Content: "hello"} }
		short, cancelShort := context.WithTimeout(context.Background(), time.Second)
		defer cancelShort()
		if _, err := rest.Send(short, channel, msg()); !errors.Is(err, commands.ErrRateLimited) {
			t.Fatalf("Send = %v; want ErrRateLimited (2 s is past its deadline)", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := rest.Send(ctx, channel, msg())
		if took := time.Since(start); took > 1500*time.Millisecond {
			t.Errorf("Send with a 300 ms deadline took %v (err %v)", took, err)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Send = %v; want the deadline", err)
		}
		// Once the bucket frees, sends work again (and discordgo's sleeping
		// goroutines are done before the test ends).
		if _, err := rest.Send(testContext(t), channel, msg()); err != nil {
			t.Errorf("Send after the rate limit: %v", err)
		}
	})

	t.Run("the interaction token stays out of errors", func(t *testing.T) {
		_, in := interaction(t, srv, discordtest.InteractionSpec{Command: "ask"}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the HTTP client's error names the URL, token and all
		err := commands.NewResponder(rest, in, false).Defer(ctx)
		if err == nil || !errors.Is(err, context.Canceled) {
			t.Fatalf("Defer = %v; want context.Canceled", err)
		}
		if strings.Contains(err.Error(), in.Token) {
			t.Errorf("error %q shows the interaction token", err)
		}
		// Whether the error is the context's own or the HTTP client's
		// (which names the URL), a URL in it has the token replaced.
		if strings.Contains(err.Error(), "/interactions/") && !strings.Contains(err.Error(), "[interaction-token]") {
			t.Errorf("error %q; want the token replaced", err)
		}
	})
}
