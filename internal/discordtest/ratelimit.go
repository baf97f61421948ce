package discordtest

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"time"
)

// rateLimitRule answers the next remaining matching requests with 429.
type rateLimitRule struct {
	match      pathPattern
	remaining  int
	retryAfter time.Duration
	bucket     string
}

// RateLimit makes the next times requests matching method ("" or "*" for
// any) and pathPattern (as in RequestsMatching) answer 429 Too Many Requests
// as Discord does: body {"message": "You are being rate limited.",
// "retry_after": seconds, "global": false} and headers Retry-After,
// X-RateLimit-Limit, -Remaining (0), -Reset, -Reset-After, -Bucket and
// -Scope. The requests are recorded with Status 429.
//
// discordgo (with ShouldRetryOnRateLimit, the default) sleeps retry_after
// and retries, for ever; without it the call returns a
// *discordgo.RateLimitError.
func (s *Server) RateLimit(method, pathPattern string, times int, retryAfter time.Duration) {
	sum := sha1.Sum([]byte(method + " " + pathPattern))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits = append(s.rateLimits, &rateLimitRule{
		match:      compilePattern(method, pathPattern),
		remaining:  times,
		retryAfter: retryAfter,
		bucket:     hex.EncodeToString(sum[:8]),
	})
}

// takeRateLimitLocked spends one 429 of the first rule matching the request,
// filling in the headers and body, and reports whether there was one.
func (s *Server) takeRateLimitLocked(method, path string, header http.Header, payload *any) bool {
	for i, rl := range s.rateLimits {
		if rl.remaining <= 0 || !rl.match.matches(method, path) {
			continue
		}
		rl.remaining--
		if rl.remaining == 0 {
			s.rateLimits = append(s.rateLimits[:i:i], s.rateLimits[i+1:]...)
		}
		secs := rl.retryAfter.Seconds()
		header.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
		header.Set("X-RateLimit-Limit", "5")
		header.Set("X-RateLimit-Remaining", "0")
		header.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(rl.retryAfter).UnixMilli())/1000, 'f', 3, 64))
		header.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		header.Set("X-RateLimit-Bucket", rl.bucket)
		header.Set("X-RateLimit-Scope", "user")
		*payload = map[string]any{
			"message":     messageRateLimited,
			"retry_after": secs,
			"global":      false,
		}
		return true
	}
	return false
}

// failRule answers the next remaining matching requests with an error.
type failRule struct {
	match     pathPattern
	remaining int
	err       *apiError
}

// Fail makes the next times requests matching method ("" or "*" for any)
// and pathPattern (as in RequestsMatching) fail with status and a Discord
// JSON error of code and message — as a server whose schema refuses a
// request does (400, 50035 "Invalid Form Body"). times < 0 means until
// StopFailing.
func (s *Server) Fail(method, pathPattern string, times, status, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRules = append(s.failRules, &failRule{match: compilePattern(method, pathPattern), remaining: times,
		err: newAPIError(status, code, message)})
}

// StopFailing drops every Fail rule.
func (s *Server) StopFailing() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRules = nil
	s.notifyLocked()
}

// takeFailLocked spends one failure of the first rule matching the request.
func (s *Server) takeFailLocked(method, path string) *apiError {
	for i, f := range s.failRules {
		if f.remaining == 0 || !f.match.matches(method, path) {
			continue
		}
		if f.remaining > 0 {
			f.remaining--
			if f.remaining == 0 {
				s.failRules = append(s.failRules[:i:i], s.failRules[i+1:]...)
			}
		}
		return f.err
	}
	return nil
}
