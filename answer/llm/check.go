package llm

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// Check makes one cheap request at start-up — it lists the server's models
// — to tell a bad key (ErrUnauthorized), a model the server lacks
// (ErrUnknownModel), a wrong base URL (ErrRejected) or an unreachable server
// (ErrUnavailable) from a working setup, with a message that says which
// setting to fix. 5xx and 429 are retried like calls. A server that lists
// no models is taken at its word that it serves whatever is asked.
func (c *Client) Check(ctx context.Context) error {
	const op = "check"
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, c.timeoutCause)
	defer cancel()

	var list openai.ModelsList
	_, e := c.withRetries(ctx, op, func(ctx context.Context) *Error {
		info := &responseInfo{}
		var err error
		list, err = c.api.ListModels(withResponseInfo(ctx, info))
		if err != nil {
			return c.classify(ctx, op, err, info, false)
		}
		return nil
	})
	if e != nil && (e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusMethodNotAllowed) {
		// Some gateways do not list models but do answer for one.
		return c.explain(c.checkOneModel(ctx))
	}
	if e != nil {
		return c.explain(e)
	}

	ids := make([]string, 0, len(list.Models))
	for _, m := range list.Models {
		ids = append(ids, m.ID)
	}
	if len(ids) == 0 {
		c.log.LogAttrs(ctx, slog.LevelWarn, "llm: the server lists no models; assuming it serves the configured one",
			slog.String("model", c.model), slog.String("base_url", c.baseURL))
		return nil
	}
	if slices.ContainsFunc(ids, c.isModel) {
		c.log.LogAttrs(ctx, slog.LevelInfo, "llm: check passed", slog.String("model", c.model), slog.String("base_url", c.baseURL))
		return nil
	}
	return c.explain(&Error{Op: op, Kind: ErrUnknownModel, Message: fmt.Sprintf("%s does not list it; it offers %s", c.baseURL, listSome(ids, 10))})
}

// isModel reports whether a listed id names the configured model; Ollama
// lists "llama3.1:latest" for a model asked for as "llama3.1".
func (c *Client) isModel(id string) bool {
	return id == c.model || id == c.model+":latest" || strings.TrimSuffix(c.model, ":latest") == id
}

func (c *Client) checkOneModel(ctx context.Context) *Error {
	const op = "check"
	_, e := c.withRetries(ctx, op, func(ctx context.Context) *Error {
		info := &responseInfo{}
		// Escape the id: a slash in it ("meta-llama/Llama-3-8B") would
		// otherwise change the path.
		if _, err := c.api.GetModel(withResponseInfo(ctx, info), url.PathEscape(c.model)); err != nil {
			return c.classify(ctx, op, err, info, false)
		}
		return nil
	})
	if e != nil && e.StatusCode == http.StatusNotFound && e.Kind != ErrUnknownModel {
		e.Kind = ErrRejected
		e.Message = fmt.Sprintf("%s answers neither GET /models nor GET /models/{model}; is OPENAI_BASE_URL right? (OpenAI-compatible base URLs usually end in /v1)", c.baseURL)
	}
	return e
}

// explain adds to a Check failure which setting to look at. It returns nil
// for nil.
func (c *Client) explain(e *Error) error {
	if e == nil {
		return nil
	}
	var hint string
	switch e.Kind {
	case ErrUnauthorized:
		hint = "the server refused the API key (OPENAI_API_KEY)"
		if c.key == "" {
			hint = "the server wants an API key; set OPENAI_API_KEY"
		}
	case ErrUnknownModel:
		hint = fmt.Sprintf("model %q (OPENAI_MODEL) is not available", c.model)
	case ErrRejected:
		if e.StatusCode == http.StatusNotFound && !strings.Contains(e.Message, "OPENAI_BASE_URL") {
			hint = fmt.Sprintf("%s has no /models endpoint; is OPENAI_BASE_URL right? (OpenAI-compatible base URLs usually end in /v1)", c.baseURL)
		}
	}
	if hint != "" {
		if e.Message != "" {
			hint += ": " + e.Message
		}
		e.Message = hint
	}
	return e
}

// listSome quotes up to n items and counts the rest.
func listSome(items []string, n int) string {
	quoted := make([]string, 0, min(n, len(items)))
	for _, it := range items[:min(n, len(items))] {
		quoted = append(quoted, fmt.Sprintf("%q", it))
	}
	s := strings.Join(quoted, ", ")
	if len(items) > n {
		s += fmt.Sprintf(" and %d more", len(items)-n)
	}
	return s
}
