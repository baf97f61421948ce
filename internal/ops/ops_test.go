package ops_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bytewatch/bytewatch/internal/ops"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEndpoints(t *testing.T) {
	m := ops.NewMetrics()
	var ready atomic.Bool
	readiness := func() error {
		if !ready.Load() {
			return errors.New("gateway not connected")
		}
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ops.ServeListener(ctx, ln, m, readiness, slog.New(slog.DiscardHandler)) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	m.Question(ops.EntrySlash, ops.OutcomeAnswered, 2*time.Millisecond, 0, 40*time.Millisecond)
	m.Question(ops.EntryMention, ops.OutcomeNotCovered, time.Millisecond, 0, 5*time.Millisecond)
	m.Question(ops.EntrySlash, ops.OutcomeRateLimited, 0, 0, 0)
	m.Tokens(120, 30)
	m.Reindex(300*time.Millisecond, nil)
	m.Index("abc123", 29)
	m.FirstResponse(ops.EntrySlash, 30*time.Millisecond)
	m.RecordDropped()
	m.RecordDropped()

	tests := []struct {
		path     string
		code     int
		contains []string
	}{
		{"/healthz", 200, []string{"ok"}},
		{"/readyz", 503, []string{"gateway not connected"}},
		{"/metrics", 200, []string{
			`bytewatch_questions_total{entry="slash_command",outcome="answered"} 1`,
			`bytewatch_questions_total{entry="mention",outcome="not_covered"} 1`,
			`bytewatch_questions_total{entry="slash_command",outcome="rate_limited"} 1`,
			`bytewatch_llm_tokens_total{kind="prompt"} 120`,
			`bytewatch_reindex_total{result="ok"} 1`,
			`bytewatch_index_info{version="abc123"} 1`,
			`bytewatch_index_facts 29`,
			`bytewatch_records_dropped_total 2`,
			`bytewatch_retrieval_seconds_count 2`,
			`bytewatch_first_response_seconds_count{entry="slash_command"} 1`,
			`go_goroutines`,
		}},
	}
	for _, tt := range tests {
		code, body := get(tt.path)
		if code != tt.code {
			t.Errorf("GET %s: %d, want %d", tt.path, code, tt.code)
		}
		for _, s := range tt.contains {
			if !strings.Contains(body, s) {
				t.Errorf("GET %s lacks %q", tt.path, s)
			}
		}
	}
	ready.Store(true)
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz when ready: %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ServeListener: %v", err)
	}
}

func TestNilMetricsRecordsNothing(t *testing.T) {
	var m *ops.Metrics
	m.Question(ops.EntryCLI, ops.OutcomeAnswered, time.Millisecond, 0, time.Millisecond)
	m.Tokens(1, 1)
	m.Reindex(time.Second, errors.New("x"))
	m.Index("v", 1)
	m.FirstResponse(ops.EntryCLI, time.Millisecond)
	m.RecordDropped()
}

func TestServeBadAddr(t *testing.T) {
	err := ops.Serve(context.Background(), "256.0.0.1:bad", ops.NewMetrics(), func() error { return nil }, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "HEALTH_ADDR") {
		t.Errorf("Serve on a bad address: %v", err)
	}
}

func TestConditions(t *testing.T) {
	c := ops.NewConditions("index loaded", "gateway connected")
	steps := []struct {
		name string
		met  bool
		want string // "" means ready
	}{
		{"", false, "waiting for: index loaded, gateway connected"},
		{"index loaded", true, "waiting for: gateway connected"},
		{"gateway connected", true, ""},
		{"gateway connected", false, "waiting for: gateway connected"},
		{"draining", false, "waiting for: gateway connected, draining"},
		{"gateway connected", true, "waiting for: draining"},
		{"draining", true, ""},
	}
	for i, s := range steps {
		if s.name != "" {
			c.Set(s.name, s.met)
		}
		err := c.Err()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != s.want {
			t.Errorf("step %d (%s=%v): Err = %q; want %q", i, s.name, s.met, got, s.want)
		}
	}
}

// TestServeListenerReturnsWhenTheListenerFails: a listener that breaks ends
// ServeListener with an error at once, not when ctx ends.
func TestServeListenerReturnsWhenTheListenerFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // Accept fails at once
	done := make(chan error, 1)
	go func() {
		done <- ops.ServeListener(context.Background(), ln, ops.NewMetrics(), func() error { return nil }, slog.New(slog.DiscardHandler))
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("ServeListener on a closed listener returned nil")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeListener did not return when its listener failed")
	}
}

func TestConditionsSayWhy(t *testing.T) {
	c := ops.NewConditions("index loaded")
	c.Set("index loaded", true)
	steps := []struct {
		err  error
		want string
	}{
		{errors.New("HTTP 400 Bad Request: Invalid Form Body"), "waiting for: slash commands registered (HTTP 400 Bad Request: Invalid Form Body)"},
		{errors.New("HTTP 500"), "waiting for: slash commands registered (HTTP 500)"},
		{nil, ""},
	}
	for i, s := range steps {
		c.SetErr("slash commands registered", s.err)
		got := ""
		if err := c.Err(); err != nil {
			got = err.Error()
		}
		if got != s.want {
			t.Errorf("step %d: Err() = %q; want %q", i, got, s.want)
		}
	}
	c.Set("slash commands registered", false) // no error known: just its name
	if err := c.Err(); err == nil || err.Error() != "waiting for: slash commands registered" {
		t.Errorf("Err() = %v", err)
	}
}
