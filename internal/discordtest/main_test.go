package discordtest_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"go.uber.org/goleak"

	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

func TestMain(m *testing.M) {
	// The tests import bot (for its rewriting transport), which brings in
	// Bleve; Bleve starts its analysis workers at init and keeps them for
	// the life of the process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}

// newSession returns a real discordgo Session pointed at srv, not yet open.
// Its HTTP transport's idle connections are closed when the test ends.
func newSession(t *testing.T, srv *discordtest.Server, token string) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + token)
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
	return s
}

// openSession opens a Session on srv with the server's token, after
// configure (which may be nil) has set it up, waits until it is ready, and
// closes it (with closeSession) before the server when the test ends.
func openSession(t *testing.T, srv *discordtest.Server, configure func(*discordgo.Session)) *discordgo.Session {
	t.Helper()
	s := newSession(t, srv, srv.Token())
	if configure != nil {
		configure(s)
	}
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	// Registered after discordtest.New, so it runs before the server closes.
	t.Cleanup(func() { closeSession(t, srv, s) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// closeSession closes s so that none of discordgo's goroutines outlive the
// test. It first waits for the session to be ready: a test may end while
// discordgo is still reconnecting, and a connection closed before discordgo
// has heartbeated on it makes discordgo reconnect once more, after Close (see
// Server.WaitReady). Then it closes the session and waits until the server
// has seen the connection go.
func closeSession(t *testing.T, srv *discordtest.Server, s *discordgo.Session) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitReady(ctx); err != nil {
		t.Errorf("closing the session: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("closing the session: %v", err)
	}
	if _, err := srv.WaitGateway(ctx, func(st discordtest.GatewayStats) bool { return st.Open == 0 }); err != nil {
		t.Errorf("closing the session: %v", err)
	}
}

// clock is a test's clock for the server (discordtest.WithClock): it moves
// only when the test moves it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// restCode returns the Discord error code and HTTP status of a discordgo
// REST error, or fails the test.
func restCode(t *testing.T, err error) (code, status int) {
	t.Helper()
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) {
		t.Fatalf("error = %v (%T); want a *discordgo.RESTError", err, err)
	}
	if rest.Message == nil {
		t.Fatalf("REST error without a JSON message: %s", rest.ResponseBody)
	}
	return rest.Message.Code, rest.Response.StatusCode
}

// receive returns a handler that sends what it is given on a channel, and the channel.
func receive[T any]() (func(*discordgo.Session, T), chan T) {
	ch := make(chan T, 16)
	return func(_ *discordgo.Session, v T) { ch <- v }, ch
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
