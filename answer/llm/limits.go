package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrPromptTooLong: the prompt does not fit the model's context window —
// llama.cpp's "Input prompt is too big compared to KV size" (an error event
// inside a 200 stream), "the request exceeds the available context size",
// OpenAI's context_length_exceeded. Retrying the same prompt cannot help;
// a shorter one can.
var ErrPromptTooLong = errors.New("llm: prompt too long for the model's context")

// promptTooLong recognises the servers' words for a prompt that does not fit.
var promptTooLong = regexp.MustCompile(`(?i)prompt is too (big|long)|too big compared to kv size|exceeds? (the )?(available )?context (size|length|window)|context_length_exceeded|maximum context length|context window (is )?(exceeded|too small)|too many tokens in (the )?prompt`)

// Limits is what a server says about its own limits. Zero fields are
// unknown.
type Limits struct {
	// ContextTokens is the context window: llama.cpp's n_ctx (-c), Ollama's
	// num_ctx.
	ContextTokens int
	// MaxTokens is the server's own cap on an answer's length — llama.cpp's
	// -n (n_predict) — which wins over LLM_MAX_TOKENS when lower.
	MaxTokens int
	// From says where they were read: "llama.cpp /props", "Ollama /api/show".
	From string
}

// Limits returns what the server said of its limits when last asked
// (ReadLimits); the zero Limits when it was never asked or said nothing.
func (c *Client) Limits() Limits {
	if l := c.limits.Load(); l != nil {
		return *l
	}
	return Limits{}
}

// MaxTokens is the configured cap on an answer (LLM_MAX_TOKENS), 0 for none.
func (c *Client) MaxTokens() int { return c.maxTokens }

// ReadLimits asks the server for its context size and answer cap: llama.cpp
// answers GET /props (default_generation_settings.n_ctx, n_predict), Ollama
// POST /api/show (the num_ctx parameter, else its default of 2048, never
// more than the model's context_length). Servers that answer neither
// (OpenAI, most gateways) give the zero Limits and no error. It remembers
// what it read for Limits, and logs a server cap below LLM_MAX_TOKENS as the
// server's. It is separate from Check, which stays one request: call it once
// at start-up on the client the engine uses.
func (c *Client) ReadLimits(ctx context.Context) (Limits, error) {
	if c.rootURL == "" {
		return Limits{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, min(c.timeout, 5*time.Second))
	defer cancel()
	l, err := c.llamaProps(ctx)
	if err == nil && l.ContextTokens == 0 {
		l, err = c.ollamaShow(ctx)
	}
	if err != nil {
		return Limits{}, err
	}
	if l.ContextTokens > 0 || l.MaxTokens > 0 {
		c.limits.Store(&l)
		c.log.LogAttrs(ctx, slog.LevelInfo, "llm: server limits", slog.String("from", l.From),
			slog.Int("context_tokens", l.ContextTokens), slog.Int("server_max_tokens", l.MaxTokens))
		if l.MaxTokens > 0 && (c.maxTokens == 0 || l.MaxTokens < c.maxTokens) {
			c.log.LogAttrs(ctx, slog.LevelWarn, "llm: the server caps answers below LLM_MAX_TOKENS; answers stop at the server's cap",
				slog.Int("server_max_tokens", l.MaxTokens), slog.Int("llm_max_tokens", c.maxTokens), slog.String("from", l.From))
		}
	}
	return l, nil
}

func (c *Client) llamaProps(ctx context.Context) (Limits, error) {
	var props struct {
		NCtx     int `json:"n_ctx"`
		Settings struct {
			NCtx     int `json:"n_ctx"`
			NPredict int `json:"n_predict"`
			Params   struct {
				NPredict int `json:"n_predict"`
			} `json:"params"`
		} `json:"default_generation_settings"`
	}
	found, err := c.getJSON(ctx, http.MethodGet, c.rootURL+"/props", nil, &props)
	if err != nil || !found {
		return Limits{}, err
	}
	l := Limits{ContextTokens: max(props.Settings.NCtx, props.NCtx), From: "llama.cpp /props"}
	if n := max(props.Settings.Params.NPredict, props.Settings.NPredict); n > 0 {
		l.MaxTokens = n
	}
	return l, nil
}

// ollamaDefaultContext is the context Ollama gives a model when no num_ctx
// is set.
const ollamaDefaultContext = 2048

func (c *Client) ollamaShow(ctx context.Context) (Limits, error) {
	var show struct {
		Parameters string         `json:"parameters"`
		ModelInfo  map[string]any `json:"model_info"`
	}
	body, _ := json.Marshal(map[string]string{"model": c.model, "name": c.model})
	found, err := c.getJSON(ctx, http.MethodPost, c.rootURL+"/api/show", body, &show)
	if err != nil || !found {
		return Limits{}, err
	}
	l := Limits{ContextTokens: ollamaDefaultContext, From: "Ollama /api/show"}
	for _, line := range strings.Split(show.Parameters, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "num_ctx" {
			if n, err := strconv.Atoi(f[1]); err == nil && n > 0 {
				l.ContextTokens = n
			}
		}
		if f := strings.Fields(line); len(f) == 2 && f[0] == "num_predict" {
			if n, err := strconv.Atoi(f[1]); err == nil && n > 0 {
				l.MaxTokens = n
			}
		}
	}
	for k, v := range show.ModelInfo {
		if n, ok := v.(float64); ok && strings.HasSuffix(k, ".context_length") && n > 0 && int(n) < l.ContextTokens {
			l.ContextTokens = int(n)
		}
	}
	return l, nil
}

// getJSON makes one request to the server outside the OpenAI API. found is
// false when the server does not have the route (404, 405, not JSON).
func (c *Client) getJSON(ctx context.Context, method, u string, body []byte, out any) (found bool, _ error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return false, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, &Error{Op: "limits", Kind: ErrUnavailable, Message: tidy(transportCause(err).Error(), c.key)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return false, nil
	}
	if json.Unmarshal(data, out) != nil {
		return false, nil
	}
	return true, nil
}

// rootOf is the server's root for its own routes: the base URL without a
// trailing /v1.
func rootOf(base string) string {
	u, err := url.Parse(base)
	if err != nil || base == "" {
		return ""
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v1")
	return strings.TrimSuffix(u.String(), "/")
}

// promptTooLongError marks e as a prompt that does not fit, when the
// server's message says so.
func promptTooLongError(e *Error) {
	if e != nil && promptTooLong.MatchString(e.Message) {
		e.Kind = ErrPromptTooLong
		e.final = true
		e.Message = fmt.Sprintf("the prompt does not fit the model's context window: %s", e.Message)
	}
}
