package llm_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
	"github.com/bytewatch/bytewatch/internal/logtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey is recognisable so a leak into an error or a log line is caught.
const testKey = "sk-bytewatch-SECRET-5e1f0c9a7d3b"

// syncBuffer collects log output from concurrent calls.
type syncBuffer = logtest.Buffer

// newClient returns a client of srv using testKey, with fast backoff and
// debug logs that are checked for the key when the test ends.
func newClient(t *testing.T, srv *llmtest.Server, edit func(*llm.Config)) (*llm.Client, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cfg := llm.Config{
		APIKey:     testKey,
		BaseURL:    srv.URL,
		Model:      llmtest.DefaultModel,
		Timeout:    5 * time.Second,
		HTTPClient: srv.Client(),
		Logger:     slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := llm.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	llm.SetBackoffBase(c, time.Millisecond)
	t.Cleanup(c.Close) // before the server closes: ends requests left to drain
	t.Cleanup(func() {
		if strings.Contains(logs.String(), testKey) {
			t.Errorf("the API key appears in the logs:\n%s", logs)
		}
	})
	return c, logs
}

// assertNoKey fails if the key appears in err or anything it wraps.
func assertNoKey(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(fmt.Sprintf("%+v", err), testKey) {
		t.Errorf("the API key appears in the error: %v", err)
	}
	switch x := err.(type) {
	case interface{ Unwrap() error }:
		assertNoKey(t, x.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range x.Unwrap() {
			assertNoKey(t, e)
		}
	}
}

var question = []llm.Message{
	{Role: "system", Content: "Answer only from the numbered facts; cite them as [n]."},
	{Role: "user", Content: "How much will ByteDance spend on AI chips in 2025?"},
}

const grounded = "ByteDance plans to spend about $12 billion on AI infrastructure in 2025 [1]."

func TestStreamGroundedAnswer(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply(grounded, llmtest.Delay(3*time.Millisecond), llmtest.Usage(120, 14)), llmtest.RequireKey(testKey))
	c, _ := newClient(t, srv, func(cfg *llm.Config) { cfg.MaxTokens = 300 })

	var seen []string
	var at []time.Time
	comp, err := c.Stream(context.Background(), question, func(soFar string) {
		seen = append(seen, soFar)
		at = append(at, time.Now())
	})
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	want := llm.Completion{Text: grounded, FinishReason: "stop", Model: llmtest.DefaultModel,
		Usage: llm.Usage{PromptTokens: 120, CompletionTokens: 14, TotalTokens: 134}, Attempts: 1}
	if comp != want {
		t.Errorf("Completion = %+v\nwant %+v", comp, want)
	}

	words := strings.Count(grounded, " ") + 1
	if len(seen) != words {
		t.Errorf("onText called %d times, want once per chunk (%d): %q", len(seen), words, seen)
	}
	for i := 1; i < len(seen); i++ {
		if !strings.HasPrefix(seen[i], seen[i-1]) || len(seen[i]) <= len(seen[i-1]) {
			t.Errorf("onText call %d = %q does not grow %q", i, seen[i], seen[i-1])
		}
	}
	// The chunks arrived over time, not in one read at the end.
	if spread := at[len(at)-1].Sub(at[0]); spread < time.Duration(words-1)*time.Millisecond {
		t.Errorf("onText calls spread over %s; chunks were not streamed one at a time", spread)
	}

	reqs := srv.ChatRequests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d chat requests, want 1", len(reqs))
	}
	r := reqs[0]
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
	if !r.Chat.Stream || r.Chat.StreamOptions == nil || !r.Chat.StreamOptions.IncludeUsage {
		t.Errorf("stream = %v, stream_options = %+v; want streaming with include_usage", r.Chat.Stream, r.Chat.StreamOptions)
	}
	if r.Chat.Model != llmtest.DefaultModel || r.Chat.MaxTokens != 300 || r.Chat.Has("max_completion_tokens") {
		t.Errorf("model %q, max_tokens %d, max_completion_tokens sent %v; want %q, 300, false",
			r.Chat.Model, r.Chat.MaxTokens, r.Chat.Has("max_completion_tokens"), llmtest.DefaultModel)
	}
	if len(r.Chat.Messages) != 2 || r.Chat.Messages[1].Role != "user" || r.Chat.LastUser() != question[1].Content {
		t.Errorf("messages = %+v", r.Chat.Messages)
	}
}

func TestStreamServerStyles(t *testing.T) {
	tests := []struct {
		name       string
		reply      llmtest.Handler
		wantFinish string
		wantUsage  llm.Usage
	}{
		{"openai", llmtest.Reply(grounded, llmtest.Usage(10, 5)), "stop", llm.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15}},
		{"llama.cpp: no role delta, usage in final chunk", llmtest.Reply(grounded, llmtest.LlamaCppStyle(), llmtest.Usage(7, 3)), "stop", llm.Usage{PromptTokens: 7, CompletionTokens: 3, TotalTokens: 10}},
		{"closes without [DONE] after finish_reason", llmtest.Reply(grounded, llmtest.NoDone(), llmtest.Usage(1, 2)), "stop", llm.Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}},
		{"cut by max tokens", llmtest.Reply(grounded, llmtest.FinishReason("length"), llmtest.Usage(4, 4)), "length", llm.Usage{PromptTokens: 4, CompletionTokens: 4, TotalTokens: 8}},
		{"one chunk", llmtest.ReplyChunks([]string{grounded}, llmtest.NoRoleDelta(), llmtest.Usage(20, 1)), "stop", llm.Usage{PromptTokens: 20, CompletionTokens: 1, TotalTokens: 21}},
		{"usage without a total", llmtest.Raw(200, "text/event-stream", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\""+grounded+"\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}\n\ndata: [DONE]\n\n"), "stop", llm.Usage{PromptTokens: 5, CompletionTokens: 6, TotalTokens: 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, tt.reply)
			c, _ := newClient(t, srv, nil)
			var last string
			comp, err := c.Stream(context.Background(), question, func(s string) { last = s })
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if comp.Text != grounded || last != grounded {
				t.Errorf("text = %q, last onText = %q; want %q", comp.Text, last, grounded)
			}
			if comp.FinishReason != tt.wantFinish || comp.Usage != tt.wantUsage || comp.Attempts != 1 {
				t.Errorf("finish %q, usage %+v, attempts %d; want %q, %+v, 1", comp.FinishReason, comp.Usage, comp.Attempts, tt.wantFinish, tt.wantUsage)
			}
		})
	}
}

func TestStreamOptionsRejected(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		remember bool // the second call leaves stream_options out from the start
	}{
		{"400 from a server that does not know the field", http.StatusBadRequest, true},
		{"500 from llama.cpp naming the field", http.StatusInternalServerError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, llmtest.RejectStreamOptions(tt.status, llmtest.Reply(grounded, llmtest.LlamaCppStyle(), llmtest.Usage(30, 12))))
			c, _ := newClient(t, srv, func(cfg *llm.Config) { cfg.MaxRetries = -1 }) // the fallback needs no retry budget
			comp, err := c.Stream(context.Background(), question, nil)
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if comp.Text != grounded || comp.Attempts != 2 || comp.Usage.TotalTokens != 42 {
				t.Errorf("text %q, attempts %d, usage %+v; want the answer in 2 attempts with usage from the final chunk", comp.Text, comp.Attempts, comp.Usage)
			}
			comp, err = c.Stream(context.Background(), question, nil)
			if err != nil || comp.Attempts != 1 {
				t.Fatalf("second Stream: attempts %d, err %v; want 1 attempt", comp.Attempts, err)
			}
			reqs := srv.ChatRequests()
			var sent []bool
			for _, r := range reqs {
				sent = append(sent, r.Chat.Has("stream_options"))
			}
			if fmt.Sprint(sent) != "[true false false]" {
				t.Errorf("stream_options sent per request = %v, want [true false false]", sent)
			}
		})
	}

	t.Run("anonymous 500 retried without the field, not remembered", func(t *testing.T) {
		srv := llmtest.New(t, llmtest.Reply(grounded))
		srv.Script(llmtest.Status(http.StatusInternalServerError, ""))
		c, _ := newClient(t, srv, nil)
		for range 2 {
			if _, err := c.Stream(context.Background(), question, nil); err != nil {
				t.Fatalf("Stream: %v", err)
			}
		}
		var sent []bool
		for _, r := range srv.ChatRequests() {
			sent = append(sent, r.Chat.Has("stream_options"))
		}
		if fmt.Sprint(sent) != "[true false true]" {
			t.Errorf("stream_options sent per request = %v, want [true false true]", sent)
		}
	})
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	tests := []struct {
		name    string
		first   llmtest.Handler
		atLeast time.Duration
	}{
		{"Retry-After in seconds", llmtest.Status(http.StatusTooManyRequests, "1"), time.Second},
		{"retry-after-ms", llmtest.WithHeader("Retry-After-Ms", "150", llmtest.Status(http.StatusTooManyRequests, "")), 150 * time.Millisecond},
		{"Retry-After on a 503", llmtest.Status(http.StatusServiceUnavailable, "1"), time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, llmtest.Reply(grounded))
			srv.Script(tt.first)
			c, logs := newClient(t, srv, nil)
			start := time.Now()
			comp, err := c.Stream(context.Background(), question, nil)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if comp.Attempts != 2 || comp.Text != grounded {
				t.Errorf("attempts %d, text %q; want 2 and the answer", comp.Attempts, comp.Text)
			}
			if took < tt.atLeast {
				t.Errorf("took %s; the server asked for %s", took, tt.atLeast)
			}
			if !strings.Contains(logs.String(), `"msg":"llm: retrying"`) {
				t.Errorf("no retry logged:\n%s", logs)
			}
		})
	}
}

func TestRetryAfterBeyondDeadlineIsNotAwaited(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply(grounded))
	// Retry-After is past the 20 s budget: a client that started the wait
	// would give up at the deadline, 20 s in; one that does not start it
	// returns at once. 5 s tells the two apart on the busiest machine.
	srv.Script(llmtest.Status(http.StatusTooManyRequests, "60"))
	c, _ := newClient(t, srv, func(cfg *llm.Config) { cfg.Timeout = 20 * time.Second })
	start := time.Now()
	_, err := c.Stream(context.Background(), question, nil)
	if !errors.Is(err, llm.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s; a wait past the deadline should not be started", took)
	}
	if !strings.Contains(err.Error(), "not retried") || !strings.Contains(err.Error(), "HTTP 429") {
		t.Errorf("err = %q; want it to say it was not retried, with the status", err)
	}
	if n := len(srv.ChatRequests()); n != 1 {
		t.Errorf("server got %d requests, want 1", n)
	}
}

func TestStreamFailures(t *testing.T) {
	const maxRetries = 2
	tests := []struct {
		name         string
		handler      llmtest.Handler
		want         error
		wantStatus   int
		wantRequests int
		wantText     string
		wantInMsg    string
	}{
		{"repeated 500", llmtest.Status(500, ""), llm.ErrUnavailable, 500, maxRetries + 1, "", "had an error while processing"},
		{"repeated 503", llmtest.Status(503, ""), llm.ErrUnavailable, 503, maxRetries + 1, "", "overloaded"},
		{"proxy's HTML 502 page", llmtest.HTMLError(502), llm.ErrUnavailable, 502, maxRetries + 1, "", "HTML page: 502 Bad Gateway"},
		{"repeated 429", llmtest.Status(429, ""), llm.ErrRateLimited, 429, maxRetries + 1, "", "Rate limit reached"},
		{"429 for an exhausted quota", llmtest.JSONError(429, "You exceeded your current quota.", "insufficient_quota", "insufficient_quota"), llm.ErrRateLimited, 429, 1, "", "quota"},
		{"401", llmtest.Status(401, ""), llm.ErrUnauthorized, 401, 1, "", "Incorrect API key"},
		{"403", llmtest.Status(403, ""), llm.ErrUnauthorized, 403, 1, "", "not allowed"},
		{"404 for the model", llmtest.Status(404, ""), llm.ErrUnknownModel, 404, 1, "", "does not exist"},
		{"Ollama's unknown model", llmtest.JSONError(404, `model "llama9" not found, try pulling it first`, "api_error", ""), llm.ErrUnknownModel, 404, 1, "", "try pulling"},
		// A 400 is tried once more without stream_options, then given up.
		{"400", llmtest.Status(400, ""), llm.ErrRejected, 400, 2, "", "Invalid request"},
		{"FastAPI-style 422", llmtest.Raw(422, "application/json", `{"detail":"messages: field required"}`), llm.ErrRejected, 422, 1, "", "field required"},
		{"error event before any text", llmtest.Reply(grounded, llmtest.ErrorAfter(0, "The server is overloaded")), llm.ErrUnavailable, 0, maxRetries + 1, "", "overloaded"},
		{"error event after text", llmtest.Reply(grounded, llmtest.ErrorAfter(2, "The server is overloaded")), llm.ErrUnavailable, 0, 1, "ByteDance plans", "overloaded"},
		{"event that is not JSON", llmtest.Raw(200, "text/event-stream", "data: {\"id\": oops\n\n"), llm.ErrMalformed, 0, 1, "", "not a chat completion chunk"},
		{"JSON instead of a stream", llmtest.Raw(200, "application/json", `{"id":"x","object":"chat.completion","choices":[]}`), llm.ErrMalformed, 0, 1, "", "instead of an event stream"},
		{"connection cut after text", llmtest.Reply(grounded, llmtest.CutAfter(2)), llm.ErrCutOff, 0, 1, "ByteDance plans", "mid-stream"},
		{"connection cut before text, every time", llmtest.Reply(grounded, llmtest.CutAfter(0)), llm.ErrCutOff, 0, maxRetries + 1, "", "mid-stream"},
		{"[DONE] without finish_reason", llmtest.Reply(grounded, llmtest.NoFinishReason()), llm.ErrCutOff, 0, 1, grounded, "without a finish_reason"},
		{"clean close without finish_reason", llmtest.Reply(grounded, llmtest.NoFinishReason(), llmtest.NoDone()), llm.ErrCutOff, 0, 1, grounded, "without a finish_reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, tt.handler)
			c, _ := newClient(t, srv, func(cfg *llm.Config) { cfg.MaxRetries = maxRetries })
			comp, err := c.Stream(context.Background(), question, nil)
			assertNoKey(t, err)
			t.Log(err)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var e *llm.Error
			if !errors.As(err, &e) {
				t.Fatalf("err is %T, want *llm.Error", err)
			}
			if e.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", e.StatusCode, tt.wantStatus)
			}
			if got := len(srv.ChatRequests()); got != tt.wantRequests || comp.Attempts != tt.wantRequests || e.Attempts != tt.wantRequests {
				t.Errorf("server got %d requests, Completion.Attempts %d, Error.Attempts %d; want %d", got, comp.Attempts, e.Attempts, tt.wantRequests)
			}
			if !strings.HasPrefix(comp.Text, tt.wantText) || (tt.wantText == "") != (comp.Text == "") {
				t.Errorf("partial text = %q, want it to start with %q", comp.Text, tt.wantText)
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantInMsg)
			}
			if strings.Contains(err.Error(), "<") {
				t.Errorf("err = %q carries markup", err)
			}
		})
	}
}

func TestCutBeforeTextIsRetried(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply(grounded))
	srv.Script(llmtest.Reply(grounded, llmtest.CutAfter(0)), llmtest.HTMLError(502))
	c, _ := newClient(t, srv, nil)
	comp, err := c.Stream(context.Background(), question, nil)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if comp.Text != grounded || comp.Attempts != 3 {
		t.Errorf("text %q after %d attempts; want the answer after 3", comp.Text, comp.Attempts)
	}
}

func TestUnreachableServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	c, err := llm.New(llm.Config{BaseURL: "http://" + addr + "/v1", Model: "m", MaxRetries: 1, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	llm.SetBackoffBase(c, time.Millisecond)
	comp, err := c.Stream(context.Background(), question, nil)
	if !errors.Is(err, llm.ErrUnavailable) || comp.Attempts != 2 {
		t.Fatalf("err = %v after %d attempts; want ErrUnavailable after 2", err, comp.Attempts)
	}
	if !strings.Contains(err.Error(), "could not reach") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("err = %q; want it to say the server could not be reached", err)
	}
	if err := c.Check(context.Background()); !errors.Is(err, llm.ErrUnavailable) {
		t.Errorf("Check: %v, want ErrUnavailable", err)
	}
}

func TestTimeouts(t *testing.T) {
	// The server holds every stream open until the client goes, so only
	// the deadline under test can end a call; the caller's context in
	// stalled() is a safety net that fails the test instead of hanging it.
	stalled := func(t *testing.T) context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		t.Cleanup(cancel)
		return ctx
	}
	t.Run("slow server runs into Timeout", func(t *testing.T) {
		srv := llmtest.New(t, llmtest.Reply(grounded, llmtest.StallAfter(0)))
		c, _ := newClient(t, srv, func(cfg *llm.Config) { cfg.Timeout = 150 * time.Millisecond })
		_, err := c.Stream(stalled(t), question, nil)
		if !errors.Is(err, llm.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrTimeout and context.DeadlineExceeded", err)
		}
		if !strings.Contains(err.Error(), "LLM_TIMEOUT (150ms)") {
			t.Errorf("err = %q; want it to name the setting", err)
		}
	})
	t.Run("Timeout mid-stream keeps the partial text, no retry", func(t *testing.T) {
		// Three words, then the stream hangs until the timeout.
		srv := llmtest.New(t, llmtest.Reply(grounded, llmtest.StallAfter(3)))
		c, _ := newClient(t, srv, func(cfg *llm.Config) { cfg.Timeout = time.Second })
		comp, err := c.Stream(stalled(t), question, nil)
		if !errors.Is(err, llm.ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
		if want := strings.Join(strings.Fields(grounded)[:3], " "); comp.Text != want {
			t.Errorf("partial text = %q, want the three words sent, %q", comp.Text, want)
		}
		if n := len(srv.ChatRequests()); n != 1 {
			t.Errorf("server got %d requests, want 1", n)
		}
	})
	t.Run("caller's deadline", func(t *testing.T) {
		srv := llmtest.New(t, llmtest.Reply(grounded, llmtest.StallAfter(0)))
		c, _ := newClient(t, srv, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := c.Stream(ctx, question, nil)
		if !errors.Is(err, llm.ErrTimeout) || !strings.Contains(err.Error(), "caller's deadline") {
			t.Fatalf("err = %v, want ErrTimeout for the caller's deadline", err)
		}
	})
	t.Run("caller cancels", func(t *testing.T) {
		srv := llmtest.New(t, llmtest.Reply(grounded, llmtest.StallAfter(0)))
		c, _ := newClient(t, srv, nil)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := c.Stream(ctx, question, nil)
		if !errors.Is(err, context.Canceled) || errors.Is(err, llm.ErrTimeout) {
			t.Fatalf("err = %v, want context.Canceled only", err)
		}
	})
	t.Run("cancel during backoff", func(t *testing.T) {
		// A 30 s backoff, cancelled once the first attempt is answered: a
		// client that kept waiting would take 30 s, one that stops 10 s
		// at most on the busiest machine.
		srv := llmtest.New(t, llmtest.Status(http.StatusTooManyRequests, "30"))
		c, _ := newClient(t, srv, func(cfg *llm.Config) { cfg.Timeout = time.Minute })
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		comp, err := c.Stream(ctx, question, nil)
		if !errors.Is(err, context.Canceled) || comp.Attempts != 1 {
			t.Fatalf("err = %v after %d attempts, want context.Canceled after 1", err, comp.Attempts)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("took %s; the backoff should end with ctx", took)
		}
	})
}

func TestConcurrencyBound(t *testing.T) {
	const limit, calls = 2, 8
	srv := llmtest.New(t, llmtest.Reply("one two three four", llmtest.Delay(5*time.Millisecond)))
	c, _ := newClient(t, srv, func(cfg *llm.Config) { cfg.MaxConcurrency = limit })

	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Go(func() {
			_, err := c.Stream(context.Background(), question, nil)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Stream: %v", err)
		}
	}
	if got := srv.MaxInFlight(); got != limit {
		t.Errorf("at most %d calls were in flight at the server, want exactly %d", got, limit)
	}
	if n := len(srv.ChatRequests()); n != calls {
		t.Errorf("server got %d requests, want %d", n, calls)
	}
}

func TestWaitingForASlotEndsWithCtx(t *testing.T) {
	release := make(chan struct{})
	srv := llmtest.New(t, llmtest.WaitFor(release, llmtest.Reply(grounded)))
	c, _ := newClient(t, srv, func(cfg *llm.Config) { cfg.MaxConcurrency = 1 })

	holder := make(chan error, 1)
	go func() {
		_, err := c.Stream(context.Background(), question, nil)
		holder <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); srv.InFlight() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first call never reached the server")
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Stream(ctx, question, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "LLM_MAX_CONCURRENCY") {
		t.Errorf("waiter with a deadline: err = %v, want context.DeadlineExceeded naming the slots", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := c.Stream(ctx, question, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("waiter whose ctx was cancelled: err = %v, want context.Canceled", err)
	}
	if n := len(srv.ChatRequests()); n != 1 {
		t.Errorf("server got %d requests; waiters must not reach it", n)
	}

	close(release)
	if err := <-holder; err != nil {
		t.Errorf("the call holding the slot: %v", err)
	}
	// The slot is free again.
	if _, err := c.Stream(context.Background(), question, nil); err != nil {
		t.Errorf("Stream after release: %v", err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name      string
		opts      []llmtest.Option
		edit      func(cfg *llm.Config, srv *llmtest.Server)
		want      error // nil for success
		wantInMsg string
	}{
		{name: "good key and model", opts: []llmtest.Option{llmtest.RequireKey(testKey)}},
		{name: "bad key", opts: []llmtest.Option{llmtest.RequireKey("sk-the-right-one-0000")}, want: llm.ErrUnauthorized, wantInMsg: "refused the API key (OPENAI_API_KEY)"},
		{name: "no key for a server that wants one", opts: []llmtest.Option{llmtest.RequireKey(testKey)},
			edit: func(cfg *llm.Config, _ *llmtest.Server) { cfg.APIKey = "" }, want: llm.ErrUnauthorized, wantInMsg: "set OPENAI_API_KEY"},
		{name: "unknown model", opts: []llmtest.Option{llmtest.Models("qwen2.5:7b", "llama3.1:latest")},
			edit: func(cfg *llm.Config, _ *llmtest.Server) { cfg.Model = "gpt-4o" }, want: llm.ErrUnknownModel, wantInMsg: `"gpt-4o" (OPENAI_MODEL) is not available: ` + "http://127.0.0.1"},
		{name: "Ollama model without its tag", opts: []llmtest.Option{llmtest.Models("qwen2.5:7b", "llama3.1:latest")},
			edit: func(cfg *llm.Config, _ *llmtest.Server) { cfg.Model = "llama3.1" }},
		{name: "server lists no models", opts: []llmtest.Option{llmtest.Models()}},
		{name: "base URL without /v1", edit: func(cfg *llm.Config, srv *llmtest.Server) { cfg.BaseURL = strings.TrimSuffix(srv.URL, "/v1") },
			want: llm.ErrRejected, wantInMsg: "usually end in /v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, nil, tt.opts...)
			c, _ := newClient(t, srv, func(cfg *llm.Config) {
				if tt.edit != nil {
					tt.edit(cfg, srv)
				}
			})
			err := c.Check(context.Background())
			assertNoKey(t, err)
			t.Log(err)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
			} else if !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("Check = %q, want it to contain %q", err, tt.wantInMsg)
			}
			if reqs := srv.Requests(); len(reqs) == 0 || reqs[0].Method != http.MethodGet || !strings.HasSuffix(reqs[0].Path, "/models") {
				t.Errorf("first request = %+v, want GET .../models", reqs)
			}
			if len(srv.ChatRequests()) != 0 {
				t.Errorf("Check asked for a completion")
			}
		})
	}
}

func TestKeyNeverLeaks(t *testing.T) {
	// A server that repeats the key it got in full, in JSON and in plain text.
	srv := llmtest.New(t, llmtest.Raw(500, "text/plain", "upstream rejected key "+testKey), llmtest.RequireKey("sk-another-key-1111"), llmtest.LeakKey())
	c, logs := newClient(t, srv, nil)

	_, err := c.Stream(context.Background(), question, nil)
	if !errors.Is(err, llm.ErrUnauthorized) {
		t.Fatalf("Stream = %v, want ErrUnauthorized", err)
	}
	assertNoKey(t, err)
	if !strings.Contains(err.Error(), "[redacted key]") {
		t.Errorf("err = %q; the server's message should be kept with the key redacted", err)
	}
	if got := srv.Requests()[0].Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Fatalf("the key was not sent (Authorization %q), so this test proves nothing", got)
	}

	errCheck := c.Check(context.Background())
	assertNoKey(t, errCheck)
	if !errors.Is(errCheck, llm.ErrUnauthorized) {
		t.Errorf("Check = %v, want ErrUnauthorized", errCheck)
	}

	// Now the key is accepted but the server fails, repeating it.
	srv2 := llmtest.New(t, llmtest.Raw(500, "text/plain", "upstream rejected key "+testKey))
	c2, logs2 := newClient(t, srv2, nil)
	_, err = c2.Stream(context.Background(), question, nil)
	assertNoKey(t, err)
	if !errors.Is(err, llm.ErrUnavailable) || !strings.Contains(err.Error(), "upstream rejected key [redacted key]") {
		t.Errorf("err = %v, want ErrUnavailable with the key redacted", err)
	}
	if !strings.Contains(logs2.String(), "[redacted key]") || !strings.Contains(logs.String(), "llm: stream failed") {
		t.Errorf("the failures were not logged:\n%s\n%s", logs, logs2)
	}

	// A malformed key is described, never quoted.
	_, err = llm.New(llm.Config{APIKey: testKey + "\n", Model: "gpt-4o-mini"})
	if err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Errorf("New with a key ending in a newline: %v, want an error naming OPENAI_API_KEY", err)
	}
	assertNoKey(t, err)
	_, err = llm.New(llm.Config{APIKey: testKey, BaseURL: "ftp://host/?key=" + testKey, Model: "m"})
	if err == nil {
		t.Errorf("New with an ftp base URL succeeded")
	}
	assertNoKey(t, err)
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name    string
		cfg     llm.Config
		wantErr []string // each must appear; none means success
	}{
		{"OpenAI with a key", llm.Config{APIKey: "sk-x1234", Model: "gpt-4o-mini"}, nil},
		{"local server without a key", llm.Config{BaseURL: "http://localhost:11434/v1", Model: "llama3.1"}, nil},
		{"nothing", llm.Config{}, []string{"OPENAI_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"}},
		{"no model", llm.Config{APIKey: "sk-x1234"}, []string{"OPENAI_MODEL"}},
		{"base URL without scheme", llm.Config{BaseURL: "localhost:8080/v1", Model: "m"}, []string{"OPENAI_BASE_URL"}},
		{"negatives", llm.Config{APIKey: "sk-x1234", Model: "m", Timeout: -1, MaxConcurrency: -1, MaxTokens: -1}, []string{"LLM_TIMEOUT", "LLM_MAX_CONCURRENCY", "LLM_MAX_TOKENS"}},
		{"key with a quote", llm.Config{APIKey: `"sk-x1234"`, Model: "m"}, []string{"OPENAI_API_KEY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := llm.New(tt.cfg)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if c.Model() != tt.cfg.Model {
					t.Errorf("Model() = %q", c.Model())
				}
				return
			}
			if err == nil {
				t.Fatal("New succeeded")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to mention %s", err, w)
				}
			}
		})
	}
}

// toServer sends every request to srv, whatever host it was for.
type toServer struct {
	srv      *llmtest.Server
	next     http.RoundTripper
	lastHost *string // the host the request was meant for
}

func (ts toServer) RoundTrip(req *http.Request) (*http.Response, error) {
	*ts.lastHost = req.URL.Host
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = "http", strings.TrimPrefix(strings.TrimSuffix(ts.srv.URL, "/v1"), "http://")
	return ts.next.RoundTrip(req)
}

func TestRequestShape(t *testing.T) {
	tests := []struct {
		name                string
		key, baseURL, model string
		wantHost            string
		wantAuth            string
		wantMaxTokens       int
		wantMaxCompletion   int
	}{
		{"OpenAI: max_completion_tokens", testKey, "", "gpt-4o-mini", "api.openai.com", "Bearer " + testKey, 0, 200},
		{"local reasoning model: max_completion_tokens", "", "http://127.0.0.1:1/v1", "o3-mini", "127.0.0.1:1", "", 0, 200},
		{"local server: max_tokens, no Authorization", "", "http://127.0.0.1:1/v1", "llama3.1", "127.0.0.1:1", "", 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, llmtest.Reply(grounded))
			var host string
			c, _ := newClient(t, srv, func(cfg *llm.Config) {
				cfg.APIKey, cfg.BaseURL, cfg.Model, cfg.MaxTokens = tt.key, tt.baseURL, tt.model, 200
				cfg.HTTPClient = &http.Client{Transport: toServer{srv: srv, next: srv.Client().Transport, lastHost: &host}}
			})
			if _, err := c.Stream(context.Background(), question, nil); err != nil {
				t.Fatalf("Stream: %v", err)
			}
			r := srv.ChatRequests()[0]
			if r.Header.Get("Authorization") != tt.wantAuth {
				t.Errorf("Authorization = %q, want %q", r.Header.Get("Authorization"), tt.wantAuth)
			}
			if host != tt.wantHost {
				t.Errorf("request went to %q, want %q", host, tt.wantHost)
			}
			if r.Chat.MaxTokens != tt.wantMaxTokens || r.Chat.MaxCompletionTokens != tt.wantMaxCompletion {
				t.Errorf("max_tokens %d, max_completion_tokens %d; want %d, %d", r.Chat.MaxTokens, r.Chat.MaxCompletionTokens, tt.wantMaxTokens, tt.wantMaxCompletion)
			}
		})
	}
}

func TestBadMessages(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply(grounded))
	c, _ := newClient(t, srv, nil)
	for _, msgs := range [][]llm.Message{nil, {{Role: "tool", Content: "x"}}} {
		if _, err := c.Stream(context.Background(), msgs, nil); !errors.Is(err, llm.ErrRejected) {
			t.Errorf("Stream(%v) = %v, want ErrRejected", msgs, err)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("bad messages reached the server (%d requests)", n)
	}
}

// TestShedsCallsThatCannotFinish: once the client has measured the model,
// a call whose caller has less time left than an answer takes is not
// started: ErrOverloaded at once, and the server never hears of it. With
// time enough, it is made.
func TestShedsCallsThatCannotFinish(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply(grounded, llmtest.FirstTokenAfter(300*time.Millisecond)))
	c, _ := newClient(t, srv, nil)
	if _, err := c.Stream(context.Background(), question, nil); err != nil {
		t.Fatal(err)
	}
	est := c.Estimate()
	if est.Calls != 1 || est.TimeToFirstToken < 300*time.Millisecond || est.CallTime < est.TimeToFirstToken {
		t.Fatalf("estimate after one call: %+v; want a time to first token of at least 300 ms", est)
	}
	tests := []struct {
		name     string
		left     time.Duration
		wantShed bool
	}{
		{"less time than an answer takes", est.CallTime / 4, true},
		{"plenty of time", 10 * time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.ChatRequests())
			ctx, cancel := context.WithTimeout(context.Background(), tc.left)
			defer cancel()
			_, err := c.Stream(ctx, question, nil)
			sent := len(srv.ChatRequests()) - before
			if tc.wantShed {
				if !errors.Is(err, llm.ErrOverloaded) || sent != 0 || !strings.Contains(err.Error(), "not started") {
					t.Errorf("err = %v, %d requests sent; want ErrOverloaded and none", err, sent)
				}
				return
			}
			if err != nil || sent != 1 {
				t.Errorf("err = %v, %d requests sent; want an answer from one", err, sent)
			}
		})
	}
}
