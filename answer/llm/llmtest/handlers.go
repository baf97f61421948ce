package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// ReplyOption shapes a streamed reply.
type ReplyOption func(*reply)

type reply struct {
	delay        time.Duration
	finish       string
	omitFinish   bool
	omitDone     bool
	noRoleDelta  bool
	usageInFinal bool
	usage        *usage
	model        string
	cutAfter     int
	stallAfter   int
	resume       <-chan struct{} // ends the stall; nil never does
	errorAfter   int
	errorMessage string
	firstAfter   time.Duration // before the first event
	oblivious    bool          // waits ignore the client going away
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Delay waits d before each event of the stream, so clients see the text
// arrive over time (and a slow enough stream runs into their timeout).
func Delay(d time.Duration) ReplyOption { return func(r *reply) { r.delay = d } }

// FinishReason sets the final chunk's finish_reason (default "stop"), e.g.
// "length" for an answer cut by max_tokens.
func FinishReason(reason string) ReplyOption { return func(r *reply) { r.finish = reason } }

// NoFinishReason leaves out the final chunk, so the stream ends (with
// [DONE] unless NoDone) without a finish_reason.
func NoFinishReason() ReplyOption { return func(r *reply) { r.omitFinish = true } }

// NoDone ends the stream by closing it cleanly without "data: [DONE]".
func NoDone() ReplyOption { return func(r *reply) { r.omitDone = true } }

// NoRoleDelta leaves out the first chunk that carries only the role, as
// llama.cpp's server does.
func NoRoleDelta() ReplyOption { return func(r *reply) { r.noRoleDelta = true } }

// UsageInFinalChunk puts usage in the chunk with the finish_reason, whether
// or not stream_options asked for it, and sends no separate usage chunk, as
// llama.cpp's server and older vLLM and Ollama do.
func UsageInFinalChunk() ReplyOption { return func(r *reply) { r.usageInFinal = true } }

// LlamaCppStyle combines NoRoleDelta and UsageInFinalChunk.
func LlamaCppStyle() ReplyOption {
	return func(r *reply) { r.noRoleDelta, r.usageInFinal = true, true }
}

// Usage sets the token counts reported (by default the number of words in
// the prompt and the number of chunks sent).
func Usage(prompt, completion int) ReplyOption {
	return func(r *reply) {
		r.usage = &usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
	}
}

// Model sets the model named in the chunks (by default the requested one).
func Model(name string) ReplyOption { return func(r *reply) { r.model = name } }

// CutAfter closes the connection abruptly (no [DONE], no end of the chunked
// body) after n content chunks.
func CutAfter(n int) ReplyOption { return func(r *reply) { r.cutAfter = n } }

// StallAfter stops sending after n content chunks and holds the stream open
// until the client goes away, as a generation that hangs does: a client's
// timeout then ends the call with exactly those n chunks received, however
// slow the machine.
func StallAfter(n int) ReplyOption { return func(r *reply) { r.stallAfter, r.resume = n, nil } }

// PauseAfter stops sending after n content chunks until resume is closed,
// then sends the rest: a test sees what the client makes of the first n
// before the reply goes on.
func PauseAfter(n int, resume <-chan struct{}) ReplyOption {
	return func(r *reply) { r.stallAfter, r.resume = n, resume }
}

// ErrorAfter sends an in-stream error event (data: {"error":{...}}) after n
// content chunks and ends the stream, as OpenAI does when a generation fails
// after the 200 was sent.
func ErrorAfter(n int, message string) ReplyOption {
	return func(r *reply) { r.errorAfter, r.errorMessage = n, message }
}

// FirstTokenAfter waits d before the first event of the stream (after the
// response headers), as a server does while it reads a long prompt.
func FirstTokenAfter(d time.Duration) ReplyOption { return func(r *reply) { r.firstAfter = d } }

// NoticeGoneOnWrite makes the reply's waits ignore the client going away:
// like a real inference server, it notices a closed connection only when a
// write fails, and counts as in flight until then.
func NoticeGoneOnWrite() ReplyOption { return func(r *reply) { r.oblivious = true } }

// wait is the reply's own pause: sleep, or, oblivious, a plain timer.
func (cfg reply) wait(r *Request, d time.Duration) bool {
	if cfg.oblivious {
		if d > 0 {
			time.Sleep(d)
		}
		return true
	}
	return sleep(r, d)
}

// Reply streams text split into words (each word with its leading space is
// one chunk).
func Reply(text string, opts ...ReplyOption) Handler {
	return ReplyChunks(splitWords(text), opts...)
}

// splitWords cuts text before each space, so joining the pieces gives text back.
func splitWords(text string) []string {
	var pieces []string
	for len(text) > 0 {
		i := strings.IndexByte(text[1:], ' ')
		if i < 0 {
			pieces = append(pieces, text)
			break
		}
		pieces = append(pieces, text[:i+1])
		text = text[i+1:]
	}
	return pieces
}

// ReplyChunks streams the chunks as content deltas, one event each. A
// request with "stream": false gets one chat.completion object instead.
func ReplyChunks(chunks []string, opts ...ReplyOption) Handler {
	cfg := reply{finish: "stop", cutAfter: -1, stallAfter: -1, errorAfter: -1}
	for _, opt := range opts {
		opt(&cfg)
	}
	var seq atomic.Int64 // numbers this reply's completion ids
	return func(w http.ResponseWriter, r *Request) {
		model := cfg.model
		if model == "" && r.Chat != nil {
			model = r.Chat.Model
		}
		u := cfg.usage
		if u == nil {
			u = defaultUsage(r, len(chunks))
		}
		id := fmt.Sprintf("chatcmpl-llmtest-%d", seq.Add(1))
		if r.Chat != nil && !r.Chat.Stream {
			writeCompletion(w, id, model, strings.Join(chunks, ""), cfg.finish, u)
			return
		}
		cfg.stream(w, r, id, model, chunks, u)
	}
}

func defaultUsage(r *Request, completion int) *usage {
	prompt := 0
	if r.Chat != nil {
		for _, m := range r.Chat.Messages {
			prompt += len(strings.Fields(m.Content))
		}
	}
	return &usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
}

func (cfg reply) stream(w http.ResponseWriter, r *Request, id, model string, chunks []string, u *usage) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "llmtest: response writer cannot flush", http.StatusInternalServerError)
		return
	}
	includeUsage := r.Chat != nil && r.Chat.StreamOptions != nil && r.Chat.StreamOptions.IncludeUsage
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Request-Id", "req_"+id)
	w.WriteHeader(http.StatusOK)
	flusher.Flush()

	chunk := func(choices []any) map[string]any {
		c := map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": 1700000000,
			"model": model, "system_fingerprint": "fp_llmtest", "choices": choices,
		}
		if includeUsage {
			c["usage"] = nil // OpenAI sends an explicit null until the usage chunk
		}
		return c
	}
	choice := func(delta map[string]any, finish any) []any {
		return []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}}
	}
	// send writes one event and flushes it, so each reaches the client
	// alone. last marks the event after which the client is done.
	send := func(v any, last bool) bool {
		if !cfg.wait(r, cfg.delay) {
			return false
		}
		if last {
			r.Ended()
		}
		data := []byte("[DONE]")
		if v != nil {
			var err error
			if data, err = json.Marshal(v); err != nil {
				panic(err) // only our own maps are marshalled
			}
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}

	if !cfg.wait(r, cfg.firstAfter) {
		return
	}
	if !cfg.noRoleDelta && !send(chunk(choice(map[string]any{"role": "assistant", "content": ""}, nil)), false) {
		return
	}
	for i := 0; ; i++ {
		if i == cfg.cutAfter {
			r.Ended()
			cutConnection(w)
			return
		}
		if i == cfg.stallAfter {
			select {
			case <-cfg.resume:
			case <-r.Context.Done():
				return
			}
		}
		if i == cfg.errorAfter {
			send(map[string]any{"error": map[string]any{
				"message": cfg.errorMessage, "type": "server_error", "param": nil, "code": nil,
			}}, true)
			return
		}
		if i == len(chunks) {
			break
		}
		if !send(chunk(choice(map[string]any{"content": chunks[i]}, nil)), false) {
			return
		}
	}
	if !cfg.omitFinish {
		final := chunk(choice(map[string]any{}, cfg.finish))
		if cfg.usageInFinal {
			final["usage"] = u
		}
		if !send(final, false) {
			return
		}
	}
	if includeUsage && !cfg.usageInFinal {
		usageChunk := chunk([]any{})
		usageChunk["usage"] = u
		if !send(usageChunk, false) {
			return
		}
	}
	if !cfg.omitDone {
		send(nil, true) // data: [DONE]
	}
}

// cutConnection drops the TCP connection without ending the HTTP response.
func cutConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("llmtest: response writer cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = conn.Close()
}

func writeCompletion(w http.ResponseWriter, id, model, text, finish string, u *usage) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": id, "object": "chat.completion", "created": 1700000000, "model": model,
		"choices": []any{map[string]any{
			"index": 0, "message": map[string]any{"role": "assistant", "content": text},
			"logprobs": nil, "finish_reason": finish,
		}},
		"usage": u,
	})
}

// Status answers with an OpenAI-style JSON error for the status code, with
// a message like the one OpenAI sends for it, and a Retry-After header when
// retryAfter is not "".
func Status(code int, retryAfter string) Handler {
	return func(w http.ResponseWriter, r *Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		msg, typ, errCode := "The server had an error while processing your request. Sorry about that!", "server_error", ""
		switch {
		case code == http.StatusBadRequest:
			msg, typ = "Invalid request.", "invalid_request_error"
		case code == http.StatusUnauthorized:
			msg, typ, errCode = "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
		case code == http.StatusForbidden:
			msg, typ = "You are not allowed to sample from this model.", "permission_error"
		case code == http.StatusNotFound:
			model := ""
			if r.Chat != nil {
				model = r.Chat.Model
			}
			msg, typ, errCode = "The model `"+model+"` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"
		case code == http.StatusTooManyRequests:
			msg, typ, errCode = "Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded"
		case code >= 500 && code != http.StatusInternalServerError:
			msg = "The engine is currently overloaded, please try again later."
		}
		writeJSONError(w, code, msg, typ, errCode)
	}
}

// JSONError answers with {"error":{"message","type","code"}} and the status.
// An empty errCode is sent as null.
func JSONError(status int, message, errType, errCode string) Handler {
	return func(w http.ResponseWriter, _ *Request) { writeJSONError(w, status, message, errType, errCode) }
}

func writeJSONError(w http.ResponseWriter, status int, message, errType, errCode string) {
	var code any
	if errCode != "" {
		code = errCode
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"message": message, "type": errType, "param": nil, "code": code,
	}})
}

// HTMLError answers with the HTML error page a reverse proxy such as nginx
// shows, e.g. for 502 Bad Gateway.
func HTMLError(status int) Handler {
	return func(w http.ResponseWriter, _ *Request) {
		title := fmt.Sprintf("%d %s", status, http.StatusText(status))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", title, title)
	}
}

// Raw answers with exactly this status, content type and body, for
// responses no other constructor makes (say, a malformed stream).
func Raw(status int, contentType, body string) Handler {
	return func(w http.ResponseWriter, _ *Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// WithHeader sets a response header, then lets next answer.
func WithHeader(key, value string, next Handler) Handler {
	return func(w http.ResponseWriter, r *Request) {
		w.Header().Set(key, value)
		next(w, r)
	}
}

// WaitFor holds the request until release is closed, then lets next answer.
// If the client goes away first, it answers nothing.
func WaitFor(release <-chan struct{}, next Handler) Handler {
	return func(w http.ResponseWriter, r *Request) {
		select {
		case <-release:
			next(w, r)
		case <-r.Context.Done():
		}
	}
}

// RejectStreamOptions answers requests that carry stream_options with an
// error of the given status (llama.cpp answers bad requests with 500, most
// others with 400) and lets next answer the rest.
func RejectStreamOptions(status int, next Handler) Handler {
	return func(w http.ResponseWriter, r *Request) {
		if r.Chat != nil && r.Chat.Has("stream_options") {
			errType := "invalid_request_error"
			if status >= 500 {
				errType = "server_error"
			}
			writeJSONError(w, status, "Unsupported param: stream_options", errType, "")
			return
		}
		next(w, r)
	}
}
