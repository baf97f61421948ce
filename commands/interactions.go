package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// DefaultMaxOpenInteractions bounds how many interactions' rate-limit state
// the interaction client keeps at once.
const DefaultMaxOpenInteractions = 10000

// interactionClient sends what belongs to one interaction — its callback,
// the edits of its original response, its follow-ups — itself, over the
// session's HTTP client, instead of through discordgo's Ratelimiter, which
// keeps a bucket for every interaction token it has seen, for the life of
// the process (about 1 KB an interaction). It keeps an interaction's
// rate-limit state only while the interaction is open: forget drops it once
// the answer is delivered, and at most max interactions have state at once
// (past that, an interaction goes without and relies on REST's 429 waits).
// Everything else bytewatch sends keeps discordgo's limiter.
type interactionClient struct {
	s   *discordgo.Session // its Client (the rewriting transport) and UserAgent
	max int

	mu   sync.Mutex
	open map[string]*tokenBucket // by interaction token
}

// tokenBucket is one interaction's rate limit, as Discord's headers say it.
type tokenBucket struct {
	mu        sync.Mutex
	remaining int
	reset     time.Time // when remaining is full again; zero when unknown
}

func newInteractionClient(s *discordgo.Session, max int) *interactionClient {
	return &interactionClient{s: s, max: max, open: map[string]*tokenBucket{}}
}

// bucket returns token's bucket, made if there is room; nil if not.
func (ic *interactionClient) bucket(token string) *tokenBucket {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	b := ic.open[token]
	if b == nil && len(ic.open) < ic.max {
		b = &tokenBucket{}
		ic.open[token] = b
	}
	return b
}

// forget drops token's state: its answer has been delivered.
func (ic *interactionClient) forget(token string) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	delete(ic.open, token)
}

// openCount is how many interactions have state now.
func (ic *interactionClient) openCount() int {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	return len(ic.open)
}

// wait holds a request until the interaction's bucket has room, or ctx ends.
func (b *tokenBucket) wait(ctx context.Context) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	var d time.Duration
	if b.remaining <= 0 && !b.reset.IsZero() {
		d = time.Until(b.reset)
	}
	b.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// update reads Discord's rate-limit headers.
func (b *tokenBucket) update(h http.Header) {
	if b == nil {
		return
	}
	remaining, err1 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	after, err2 := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
	if err1 != nil || err2 != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.remaining, b.reset = remaining, time.Now().Add(time.Duration(after*float64(time.Second)))
}

// do sends one request about the interaction whose token is token: body is
// JSON, or multipart with files. It returns the response body, or a
// *discordgo.RateLimitError for a 429 and a *discordgo.RESTError for any
// other failure, as discordgo would, so callers handle both alike.
func (ic *interactionClient) do(ctx context.Context, method, uri, token string, body any, files []*discordgo.File) ([]byte, error) {
	var (
		payload     []byte
		contentType = "application/json"
		err         error
	)
	if len(files) > 0 {
		rewind(files)
		contentType, payload, err = discordgo.MultipartBodyWithJSON(body, files)
	} else {
		payload, err = json.Marshal(body)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding the request: %w", err)
	}
	b := ic.bucket(token)
	if err := b.wait(ctx); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, uri, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", ic.s.UserAgent)
	resp, err := ic.s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	b.update(resp.Header)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return respBody, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		tmr := &discordgo.TooManyRequests{}
		_ = json.Unmarshal(respBody, tmr) // retry_after in seconds, as discordgo reads it
		if tmr.RetryAfter <= 0 {
			if secs, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil {
				tmr.RetryAfter = time.Duration(secs * float64(time.Second))
			}
		}
		return nil, &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: tmr, URL: uri}}
	}
	restErr := &discordgo.RESTError{Request: req, Response: resp, ResponseBody: respBody}
	var msg discordgo.APIErrorMessage
	if json.Unmarshal(respBody, &msg) == nil && (msg.Code != 0 || msg.Message != "") {
		restErr.Message = &msg
	}
	return nil, restErr
}
