// Package llmtest is an in-process fake of an OpenAI-compatible chat server
// for tests. It speaks the wire format the way real servers do — server-sent
// events flushed one at a time, JSON and HTML error pages, Retry-After headers,
// connections cut mid-stream — so clients are tested against the protocol, not
// against a mock of their own code.
//
// A Server answers every chat completion with its fallback Handler unless a
// scripted Handler is queued:
//
//	srv := llmtest.New(t, llmtest.Reply("ByteDance plans to spend $12 billion [1]."))
//	srv.Script(llmtest.Status(429, "1"), llmtest.Status(500, "")) // first two calls fail
//	cfg := llm.Config{BaseURL: srv.URL, Model: llmtest.DefaultModel, HTTPClient: srv.Client()}
//
// Handlers compose: WithHeader, WaitFor and RejectStreamOptions wrap another
// Handler, and a custom Handler can look at the decoded request and delegate:
//
//	srv := llmtest.New(t, func(w http.ResponseWriter, r *llmtest.Request) {
//		llmtest.Reply("You asked: "+r.Chat.LastUser())(w, r)
//	})
//
// Every request is recorded (Requests, ChatRequests) and chat completions in
// flight are counted (InFlight, MaxInFlight).
package llmtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// DefaultModel is the one model a Server lists unless Models says otherwise.
const DefaultModel = "llmtest-model"

// A Handler answers one request. Reply, Status and the other constructors
// return Handlers; a test may write its own.
type Handler func(w http.ResponseWriter, r *Request)

// Request is one request the Server received, as recorded for assertions
// and passed to Handlers.
type Request struct {
	Method string
	Path   string // e.g. /v1/chat/completions
	Header http.Header
	Body   []byte
	// Chat is the decoded body of a chat completion request; nil otherwise.
	Chat *ChatRequest
	// Context is the request's context: it ends when the client goes away.
	// Handlers that wait must watch it.
	Context context.Context

	ended func() // stops counting the request as in flight; idempotent
}

// Ended marks the request as no longer in flight. The Server calls it when
// the Handler returns; a Handler that streams calls it just before the
// event that lets the client finish ([DONE], an error event, a cut), since
// a client may send its next request before the Handler has returned.
func (r *Request) Ended() {
	if r.ended != nil {
		r.ended()
	}
}

// ChatRequest is the part of a chat completion request body a test asserts on.
type ChatRequest struct {
	Model               string         `json:"model"`
	Messages            []Message      `json:"messages"`
	Stream              bool           `json:"stream"`
	StreamOptions       *StreamOptions `json:"stream_options"`
	MaxTokens           int            `json:"max_tokens"`
	MaxCompletionTokens int            `json:"max_completion_tokens"`
	// Fields holds every top-level field as sent, to check presence or
	// absence (Fields["stream_options"]).
	Fields map[string]json.RawMessage `json:"-"`
}

// StreamOptions is the stream_options object of a chat request.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// Message is one chat message. Content given as an array of parts is
// flattened to its text.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// UnmarshalJSON accepts content as a string or as an array of text parts.
func (m *Message) UnmarshalJSON(data []byte) error {
	var raw struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	m.Role = raw.Role
	m.Content = ""
	if len(raw.Content) == 0 || string(raw.Content) == "null" {
		return nil
	}
	if raw.Content[0] == '"' {
		return json.Unmarshal(raw.Content, &m.Content)
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw.Content, &parts); err != nil {
		return err
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	m.Content = b.String()
	return nil
}

// LastUser returns the content of the last user message, or "".
func (c *ChatRequest) LastUser() string {
	for i := len(c.Messages) - 1; i >= 0; i-- {
		if c.Messages[i].Role == "user" {
			return c.Messages[i].Content
		}
	}
	return ""
}

// Has reports whether the request body carried the top-level field.
func (c *ChatRequest) Has(field string) bool {
	_, ok := c.Fields[field]
	return ok
}

// Option configures a Server.
type Option func(*Server)

// RequireKey makes every route answer 401 unless the request carries
// "Authorization: Bearer key".
func RequireKey(key string) Option { return func(s *Server) { s.key = key } }

// LeakKey makes 401 answers repeat the key they received in full, as a
// careless proxy might, so a test can check the client keeps it out of its
// errors and logs.
func LeakKey() Option { return func(s *Server) { s.leakKey = true } }

// Models sets the models GET /models lists and GET /models/{id} knows.
func Models(ids ...string) Option {
	return func(s *Server) { s.models = append([]string(nil), ids...) }
}

// Server is a running fake. It is closed when the test ends.
type Server struct {
	// URL is the OpenAI-style base URL, ending in /v1.
	URL string

	t        testing.TB
	httpSrv  *httptest.Server
	fallback Handler
	key      string
	leakKey  bool
	models   []string
	props    *props // GET /props, as llama.cpp answers it; nil: 404

	mu       sync.Mutex
	script   []Handler
	requests []Request

	inFlight    atomic.Int64
	maxInFlight atomic.Int64
}

// New starts a Server on 127.0.0.1 that answers chat completions with
// fallback whenever no scripted Handler is queued. A nil fallback makes
// unscripted calls fail the test and answer 500.
func New(t testing.TB, fallback Handler, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, fallback: fallback, models: []string{DefaultModel}}
	for _, opt := range opts {
		opt(s)
	}
	s.httpSrv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.httpSrv.URL + "/v1"
	t.Cleanup(s.httpSrv.Close)
	return s
}

// Client returns an HTTP client for the server whose idle connections are
// closed with the server, so leak checkers stay quiet.
func (s *Server) Client() *http.Client { return s.httpSrv.Client() }

// Script queues Handlers for the next chat completions, one per call, in
// order; when the queue is empty the fallback answers.
func (s *Server) Script(hs ...Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, hs...)
}

// Requests returns every request received so far, on any route.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ChatRequests returns the chat completion requests received so far.
func (s *Server) ChatRequests() []Request {
	var chats []Request
	for _, r := range s.Requests() {
		if r.Chat != nil {
			chats = append(chats, r)
		}
	}
	return chats
}

// InFlight is the number of chat completions being answered now.
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

// MaxInFlight is the most chat completions ever answered at once.
func (s *Server) MaxInFlight() int { return int(s.maxInFlight.Load()) }

func (s *Server) serveHTTP(w http.ResponseWriter, hr *http.Request) {
	body, err := io.ReadAll(hr.Body)
	if err != nil {
		return // the client went away
	}
	r := &Request{Method: hr.Method, Path: hr.URL.Path, Header: hr.Header.Clone(), Body: body, Context: hr.Context()}
	isChat := hr.Method == http.MethodPost && hr.URL.Path == "/v1/chat/completions"
	var decodeErr error
	if isChat {
		r.Chat, decodeErr = decodeChat(body)
	}
	s.mu.Lock()
	s.requests = append(s.requests, *r)
	s.mu.Unlock()

	if s.key != "" && hr.Header.Get("Authorization") != "Bearer "+s.key {
		s.unauthorized(w, hr)
		return
	}
	switch {
	case isChat:
		if decodeErr != nil {
			writeJSONError(w, http.StatusBadRequest, "We could not parse the JSON body of your request.", "invalid_request_error", "")
			return
		}
		s.serveChat(w, r)
	case hr.Method == http.MethodGet && hr.URL.Path == "/props" && s.props != nil:
		s.serveProps(w)
	case hr.Method == http.MethodGet && hr.URL.Path == "/v1/models":
		s.serveModelList(w)
	case hr.Method == http.MethodGet && strings.HasPrefix(hr.URL.Path, "/v1/models/"):
		s.serveModel(w, strings.TrimPrefix(hr.URL.Path, "/v1/models/"))
	default:
		// What Go's and many other muxes answer for an unknown path, which is
		// what a client sees when its base URL lacks /v1.
		http.NotFound(w, hr)
	}
}

func decodeChat(body []byte) (*ChatRequest, error) {
	var c ChatRequest
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &c.Fields); err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Server) serveChat(w http.ResponseWriter, r *Request) {
	n := s.inFlight.Add(1)
	r.ended = sync.OnceFunc(func() { s.inFlight.Add(-1) })
	defer r.Ended()
	for {
		seen := s.maxInFlight.Load()
		if n <= seen || s.maxInFlight.CompareAndSwap(seen, n) {
			break
		}
	}

	s.mu.Lock()
	h := s.fallback
	if len(s.script) > 0 {
		h = s.script[0]
		s.script = s.script[1:]
	}
	s.mu.Unlock()
	if h == nil {
		s.t.Errorf("llmtest: chat completion %d has no scripted response and no fallback", len(s.ChatRequests()))
		writeJSONError(w, http.StatusInternalServerError, "llmtest: no response scripted", "server_error", "")
		return
	}
	h(w, r)
}

func (s *Server) unauthorized(w http.ResponseWriter, hr *http.Request) {
	got := strings.TrimPrefix(hr.Header.Get("Authorization"), "Bearer ")
	msg := "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
	if got != "" {
		msg = "Incorrect API key provided: " + maskKey(got) + ". You can find your API key at https://platform.openai.com/account/api-keys."
		if s.leakKey {
			msg = "Incorrect API key provided: " + got + "."
		}
	}
	writeJSONError(w, http.StatusUnauthorized, msg, "invalid_request_error", "invalid_api_key")
}

// maskKey hides a key the way OpenAI does, keeping only its ends.
func maskKey(key string) string {
	if len(key) <= 8 {
		return strings.Repeat("*", len(key))
	}
	return key[:3] + strings.Repeat("*", len(key)-7) + key[len(key)-4:]
}

type modelObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func newModelObject(id string) modelObject {
	return modelObject{ID: id, Object: "model", Created: 1700000000, OwnedBy: "llmtest"}
}

func (s *Server) serveModelList(w http.ResponseWriter) {
	list := struct {
		Object string        `json:"object"`
		Data   []modelObject `json:"data"`
	}{Object: "list", Data: []modelObject{}}
	for _, id := range s.models {
		list.Data = append(list.Data, newModelObject(id))
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) serveModel(w http.ResponseWriter, id string) {
	for _, m := range s.models {
		if m == id {
			writeJSON(w, http.StatusOK, newModelObject(id))
			return
		}
	}
	writeJSONError(w, http.StatusNotFound, "The model `"+id+"` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// sleep waits for d or until the client goes away; it reports whether the
// full time passed.
func sleep(r *Request, d time.Duration) bool {
	if d <= 0 {
		return r.Context.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context.Done():
		return false
	}
}
