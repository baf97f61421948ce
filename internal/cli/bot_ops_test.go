package cli_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// gatewayGate stands between bytewatch and the emulator: REST passes
// through, and it can hold new gateway connections, so that a test decides
// when the bot gets online again after losing its connection.
type gatewayGate struct {
	URL string // for DISCORD_API_BASE_URL

	mu   sync.Mutex
	open chan struct{} // closed while connections may pass
}

func newGatewayGate(t *testing.T, srv *discordtest.Server) *gatewayGate {
	t.Helper()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	g := &gatewayGate{open: make(chan struct{})}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v9/gateway":
			// discordgo asks where the gateway is: here, so that its
			// connections come through the gate.
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"url":"ws://%s"}`, r.Host)
			return
		case websocket.IsWebSocketUpgrade(r):
			g.mu.Lock()
			open := g.open
			g.mu.Unlock()
			select {
			case <-open:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	g.URL = hs.URL
	return g
}

// Open lets gateway connections through, held ones first.
func (g *gatewayGate) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// Close holds new gateway connections until Open.
func (g *gatewayGate) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

// opsAddr waits for the "ops listener" log line and returns its address.
func opsAddr(t *testing.T, r *running) string {
	t.Helper()
	line := r.stderr.Wait(t, map[string]string{"msg": "ops listener"})
	return fmt.Sprint(line["addr"])
}

// get fetches path from the ops listener.
func get(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitStatus polls path until it answers code.
func waitStatus(t *testing.T, addr, path string, code int) string {
	t.Helper()
	var got int
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got, body = get(t, addr, path); got == code {
			return body
		}
	}
	t.Fatalf("GET %s = %d %q; want %d", path, got, body, code)
	return ""
}

// TestRunServesHealthReadinessAndMetrics runs bytewatch with HEALTH_ADDR:
// /healthz answers from the start, /readyz only while the gateway is
// connected (and an index is loaded), and /metrics counts an /ask and a
// mention with their labels, next to the index version and size.
func TestRunServesHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	gate := newGatewayGate(t, srv)
	r := launch(t, map[string]string{
		"DISCORD_TOKEN": srv.Token(), "DISCORD_API_BASE_URL": gate.URL, "DISCORD_GUILD_ID": srv.GuildID(),
		"HEALTH_ADDR": "127.0.0.1:0", "LOG_FORMAT": "json",
	})
	// Runs before the stop: a bot held at the gate cannot close its session.
	t.Cleanup(gate.Open)
	addr := opsAddr(t, r)

	// Up, but not connected: the gate holds the gateway.
	if code, body := get(t, addr, "/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	// The listener is up before the index is built; then only the gateway
	// is missing, for as long as the gate holds it.
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var code int
		if code, body = get(t, addr, "/readyz"); code != http.StatusServiceUnavailable {
			t.Fatalf("/readyz = %d %q with the gateway held", code, body)
		}
		if !strings.Contains(body, "index loaded") {
			break
		}
	}
	if strings.TrimSpace(body) != "not ready: waiting for: gateway connected" {
		t.Errorf("/readyz before the gateway = %q; want only the gateway missing", body)
	}
	gate.Open()
	r.waitOnline(t, srv)
	waitStatus(t, addr, "/readyz", http.StatusOK)

	// Questions: one /ask, one mention.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask",
		Options: []discordtest.CommandOption{{Name: "question", Value: "How much is ByteDance investing in AI infrastructure?"}}})
	if _, err := in.WaitOriginalEdit(ctx, func(m discordtest.Message) bool { return len(m.Embeds) > 0 }); err != nil {
		t.Fatal(err)
	}
	q := srv.DispatchMessage(discordtest.MessageSpec{Content: srv.BotMention() + " Who owns TikTok?"})
	if _, err := srv.WaitBotMessage(ctx, "", func(m discordgo.Message) bool {
		return m.MessageReference != nil && m.MessageReference.MessageID == q.ID
	}); err != nil {
		t.Fatal(err)
	}
	ask := r.stderr.Wait(t, map[string]string{"msg": "command", "interaction_id": in.ID})
	mention := r.stderr.Wait(t, map[string]string{"msg": "message question", "message_id": q.ID})
	version := fmt.Sprint(ask["index_version"])
	for _, line := range []map[string]any{ask, mention} {
		for _, k := range []string{"entry", "user_id", "guild_id", "channel_id", "outcome", "first_response_ms", "took_ms",
			"retrieval_ms", "index_version", "mode"} {
			if _, ok := line[k]; !ok {
				t.Errorf("question log line lacks %q: %v", k, line)
			}
		}
	}
	_, metrics := get(t, addr, "/metrics")
	for _, want := range []string{
		`bytewatch_questions_total{entry="slash_command",outcome="answered"} 1`,
		`bytewatch_questions_total{entry="mention",outcome="answered"} 1`,
		`bytewatch_first_response_seconds_count{entry="slash_command"} 1`,
		`bytewatch_first_response_seconds_count{entry="mention"} 1`,
		`bytewatch_answer_seconds_count{entry="slash_command"} 1`,
		`bytewatch_answer_seconds_count{entry="mention"} 1`,
		`bytewatch_retrieval_seconds_count 2`,
		`bytewatch_index_info{version="` + version + `"} 1`,
		`bytewatch_index_facts `,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(metrics, "bytewatch_index_facts 0") {
		t.Error("/metrics says the index has no facts")
	}

	// The connection drops and the gate keeps the bot from coming back:
	// not ready until it does.
	gate.Close()
	if err := srv.DropConnection(); err != nil {
		t.Fatal(err)
	}
	if body := waitStatus(t, addr, "/readyz", http.StatusServiceUnavailable); !strings.Contains(body, "gateway connected") {
		t.Errorf("/readyz while disconnected = %q", body)
	}
	if code, _ := get(t, addr, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while disconnected = %d; the process is still up", code)
	}
	gate.Open()
	waitStatus(t, addr, "/readyz", http.StatusOK)
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRunBadHealthAddr: a HEALTH_ADDR that cannot be listened on stops
// bytewatch before it connects, naming the setting.
func TestRunBadHealthAddr(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	code, _, stderr := run(t, map[string]string{"DISCORD_TOKEN": srv.Token(), "DISCORD_API_BASE_URL": srv.URL,
		"HEALTH_ADDR": "256.0.0.1:bad"}, "run")
	if code != 1 || !strings.Contains(stderr, "HEALTH_ADDR") {
		t.Errorf("exit %d, stderr %q; want 1 and HEALTH_ADDR named", code, stderr)
	}
	if srv.Identifies() != 0 {
		t.Error("bytewatch connected to Discord with a bad HEALTH_ADDR")
	}
}
