package llm

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// responseInfo holds what go-openai does not tell us about a response: its
// status and headers. responseRecorder fills it in for requests whose
// context carries one (go-openai passes our context down to the transport).
type responseInfo struct {
	status      int
	contentType string
	requestID   string
	retryAfter  time.Duration // 0 when the server named none
}

type responseInfoKey struct{}

func withResponseInfo(ctx context.Context, info *responseInfo) context.Context {
	return context.WithValue(ctx, responseInfoKey{}, info)
}

// responseRecorder is an http.RoundTripper that copies the status and the
// headers we need into the request context's responseInfo.
type responseRecorder struct{ next http.RoundTripper }

func (rr responseRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	next := rr.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if info, ok := req.Context().Value(responseInfoKey{}).(*responseInfo); ok && resp != nil {
		// RoundTrip runs on the caller's goroutine (http.Client.Do), before
		// go-openai looks at the response, so no lock is needed.
		info.status = resp.StatusCode
		info.contentType = resp.Header.Get("Content-Type")
		info.requestID = firstHeader(resp.Header, "X-Request-Id", "Request-Id", "Cf-Ray")
		info.retryAfter = parseRetryAfter(resp.Header, time.Now())
	}
	return resp, err
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// maxRetryAfter caps what a server may ask us to wait; the ctx deadline
// usually cuts it shorter.
const maxRetryAfter = 5 * time.Minute

// parseRetryAfter reads retry-after-ms (OpenAI, Azure) or Retry-After in
// seconds or as an HTTP date. It returns 0 when there is none.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	var d time.Duration
	if ms, err := strconv.ParseFloat(strings.TrimSpace(h.Get("Retry-After-Ms")), 64); err == nil && ms > 0 {
		d = time.Duration(ms * float64(time.Millisecond))
	} else if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
			d = time.Duration(secs * float64(time.Second))
		} else if t, err := http.ParseTime(v); err == nil {
			d = t.Sub(now)
		}
	}
	return min(max(d, 0), maxRetryAfter)
}

// backoff is the wait before retry number retry (0 for the first): the
// server's Retry-After when it gave one, else exponential with jitter so
// that many clients do not come back in step.
func (c *Client) backoff(retry int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	d := c.backoffBase << min(retry, 16)
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d unless ctx ends first, and reports whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
