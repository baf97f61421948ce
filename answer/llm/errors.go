package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Sentinel errors; every error from Stream and Check matches one with
// errors.Is (or matches context.Canceled when the caller gave up).
var (
	// ErrUnauthorized: the server refused the key (HTTP 401 or 403).
	ErrUnauthorized = errors.New("llm: unauthorized")
	// ErrUnknownModel: the server does not have the configured model.
	ErrUnknownModel = errors.New("llm: unknown model")
	// ErrRateLimited: HTTP 429, still after the retries allowed.
	ErrRateLimited = errors.New("llm: rate limited")
	// ErrUnavailable: HTTP 5xx, an error event in the stream, or the
	// server could not be reached.
	ErrUnavailable = errors.New("llm: server unavailable")
	// ErrTimeout: Config.Timeout or the caller's deadline passed. Such
	// errors also match context.DeadlineExceeded.
	ErrTimeout = errors.New("llm: timed out")
	// ErrCutOff: the stream ended before the server said it had finished
	// (no finish_reason), so the text may be incomplete.
	ErrCutOff = errors.New("llm: stream cut off")
	// ErrMalformed: the response could not be read as an event stream of
	// chat completion chunks.
	ErrMalformed = errors.New("llm: malformed response")
	// ErrRejected: the server refused the request itself (HTTP 400, 404 for
	// anything but the model, other 4xx), or the base URL is wrong.
	ErrRejected = errors.New("llm: request rejected")
)

// Error is the error Stream and Check return.
type Error struct {
	Op         string // "stream" or "check"
	Kind       error  // one of the sentinels above, or context.Canceled
	StatusCode int    // the HTTP status, 0 when no response came
	// Message says what went wrong in the server's or transport's words,
	// shortened and with the API key removed.
	Message  string
	Attempts int
	// Err is the underlying context or network error, when there is one.
	Err error

	delivered  bool          // text had reached the caller's callback
	retryAfter time.Duration // what the server asked us to wait
	retryNow   bool          // try again at once, outside the retry budget
	final      bool          // retrying cannot help, whatever the kind
	requestID  string        // the server's id for the request, for logs
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("llm: ")
	if e.Op != "" {
		b.WriteString(e.Op + ": ")
	}
	b.WriteString(strings.TrimPrefix(e.Kind.Error(), "llm: "))
	var notes []string
	if e.StatusCode != 0 {
		notes = append(notes, fmt.Sprintf("HTTP %d", e.StatusCode))
	}
	if e.Attempts > 1 {
		notes = append(notes, fmt.Sprintf("after %d attempts", e.Attempts))
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Unwrap lets errors.Is match both the sentinel and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// retryable says whether trying again may help.
func (e *Error) retryable() bool {
	if e.delivered || e.final {
		return false // text reached the caller (a retry would start over), or it is hopeless
	}
	switch e.Kind {
	case ErrRateLimited, ErrUnavailable, ErrCutOff:
		return true
	}
	return false
}

// redactedKey stands in for the API key wherever a server repeated it.
const redactedKey = "[redacted key]"

// redact removes key from s. Keys under four characters are placeholders
// ("x") that would mangle messages if replaced.
func redact(s, key string) string {
	if len(key) < 4 {
		return s
	}
	return strings.ReplaceAll(s, key, redactedKey)
}

const maxMessageLen = 300

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlH1    = regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// tidy makes server text fit for one line of an error message.
func tidy(s, key string) string {
	s = strings.Join(strings.Fields(redact(s, key)), " ")
	if len(s) > maxMessageLen {
		cut := maxMessageLen
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// summarizeBody turns an error body that is not OpenAI's JSON error shape —
// a proxy's HTML page, {"detail": ...}, {"error": "text"}, plain text — into
// a short message.
func summarizeBody(body []byte) string {
	var generic map[string]any
	if json.Unmarshal(body, &generic) == nil {
		for _, k := range []string{"error", "detail", "message"} {
			switch v := generic[k].(type) {
			case string:
				return v
			case map[string]any:
				if m, ok := v["message"].(string); ok {
					return m
				}
			}
		}
		return string(body)
	}
	s := string(body)
	if m := htmlTitle.FindStringSubmatch(s); m != nil {
		return "HTML page: " + htmlTag.ReplaceAllString(m[1], "")
	}
	if m := htmlH1.FindStringSubmatch(s); m != nil {
		return "HTML page: " + htmlTag.ReplaceAllString(m[1], "")
	}
	return htmlTag.ReplaceAllString(s, " ")
}

// classify turns whatever go-openai, net/http or the context returned into
// an *Error. info is what the transport saw of the response; inStream says
// the failure came while reading a stream that had started.
func (c *Client) classify(ctx context.Context, op string, err error, info *responseInfo, inStream bool) *Error {
	e := &Error{Op: op, StatusCode: info.status, retryAfter: info.retryAfter, requestID: info.requestID}
	if inStream {
		e.StatusCode = 0 // the 200 is no news; what failed came later
	}

	if ctxErr := ctx.Err(); ctxErr != nil {
		e.StatusCode = 0
		e.Err = ctxErr
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			e.Kind = ErrTimeout
			e.Message = "the caller's deadline passed"
			if cause := context.Cause(ctx); cause == c.timeoutCause {
				e.Message = strings.TrimSuffix(cause.Error(), ": "+context.DeadlineExceeded.Error())
			}
		} else {
			e.Kind = context.Canceled
			e.Message = "the caller gave up"
		}
		return e
	}

	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode == 0:
		// An error event inside a 200 stream: data: {"error": {...}}.
		e.StatusCode = 0
		e.Kind = ErrUnavailable
		e.Message = tidy("the server sent an error in the stream: "+apiErrorText(apiErr), c.key)
	case errors.As(err, &apiErr):
		e.StatusCode = apiErr.HTTPStatusCode
		e.Message = tidy(apiErrorText(apiErr), c.key)
		e.Kind = kindForStatus(apiErr.HTTPStatusCode, apiErr.Message, fmt.Sprint(apiErr.Code))
		if apiErr.Code == "insufficient_quota" {
			// OpenAI's 429 for an exhausted quota: waiting will not help.
			e.final = true
		}
	case errors.As(err, &reqErr):
		// An error status whose body is not OpenAI's JSON error shape.
		e.StatusCode = reqErr.HTTPStatusCode
		msg := summarizeBody(reqErr.Body)
		if strings.TrimSpace(msg) == "" {
			msg = http.StatusText(reqErr.HTTPStatusCode)
		}
		e.Message = tidy(msg, c.key)
		e.Kind = kindForStatus(reqErr.HTTPStatusCode, msg, "")
	case errors.Is(err, openai.ErrTooManyEmptyStreamMessages):
		e.Kind = ErrMalformed
		e.Message = "the stream sent only empty lines or comments for too long"
	case inStream && (errors.As(err, &syntaxErr) || errors.As(err, &typeErr)):
		e.Kind = ErrMalformed
		e.Message = tidy("a stream event is not a chat completion chunk: "+err.Error(), c.key)
	case inStream:
		// The connection broke or the body ended mid-event after the 200.
		e.Kind = ErrCutOff
		e.Err = transportCause(err)
		e.Message = tidy("the connection broke mid-stream: "+e.Err.Error(), c.key)
	case info.status == 0 && isTransportError(err):
		e.Kind = ErrUnavailable
		e.Err = transportCause(err)
		e.Message = tidy("could not reach "+c.baseURL+": "+e.Err.Error(), c.key)
	case info.status != 0:
		// An error status whose body could not even be read.
		e.Kind = kindForStatus(info.status, "", "")
		e.Err = transportCause(err)
		e.Message = tidy(err.Error(), c.key)
	default:
		// go-openai refused the request before sending it (a model it
		// thinks cannot chat, parameters a reasoning model forbids).
		e.Kind = ErrRejected
		e.Message = tidy(err.Error(), c.key)
	}
	promptTooLongError(e)
	return e
}

// apiErrorText is an OpenAI JSON error's message with its code, if any.
func apiErrorText(apiErr *openai.APIError) string {
	msg := apiErr.Message
	// go-openai turns "code": null into the int 0.
	if code := fmt.Sprint(apiErr.Code); apiErr.Code != nil && code != "" && code != "0" && !strings.Contains(msg, code) {
		msg += " [" + code + "]"
	}
	return msg
}

var modelMissing = regexp.MustCompile(`(?i)model.*(not found|does not exist|not exist|unknown|invalid|no such|not available)|(unknown|invalid) model`)

func kindForStatus(status int, message, code string) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrUnauthorized
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusRequestTimeout || status >= 500:
		return ErrUnavailable
	case (status == http.StatusNotFound || status == http.StatusBadRequest) &&
		(code == "model_not_found" || modelMissing.MatchString(message)):
		return ErrUnknownModel
	default:
		return ErrRejected
	}
}

// transportCause strips *url.Error, whose message repeats the whole URL,
// leaving the network error itself.
func transportCause(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

func isTransportError(err error) bool {
	var urlErr *url.Error
	return errors.As(err, &urlErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
