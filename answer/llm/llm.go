// Package llm is bytewatch's client for OpenAI-compatible chat servers:
// OpenAI itself, gateways, Ollama, llama.cpp's server and vLLM. It streams a
// completion to a callback as the text grows, bounds how many calls are in
// flight, retries what is worth retrying (429, 5xx, dropped connections)
// before any text has been shown, tells a cut-off stream from a finished
// one, and checks the key and model at start-up.
//
// Failures are *Error values that match one of the sentinel errors
// (ErrUnauthorized, ErrUnknownModel, ErrRateLimited, ErrUnavailable,
// ErrTimeout, ErrCutOff, ErrMalformed, ErrRejected) with errors.Is. The API
// key never appears in an error or a log line.
package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	openai "github.com/sashabaranov/go-openai"
)

// Defaults for zero Config fields.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultMaxConcurrency = 4
	DefaultMaxRetries     = 2
)

// Backoff between retries when the server gives no Retry-After.
const (
	defaultBackoffBase = 500 * time.Millisecond
	maxBackoff         = 10 * time.Second
)

// Config says which server and model to use and how hard to try.
type Config struct {
	// APIKey is sent as a bearer token. A key with no BaseURL means OpenAI's
	// API; a BaseURL with no key means a local server, sent no
	// Authorization header.
	APIKey  string
	BaseURL string // e.g. http://localhost:11434/v1; usually ends in /v1
	Model   string

	// Timeout bounds a whole call, retries and backoff included (not the
	// wait for a concurrency slot, which the caller's ctx bounds). Zero
	// means DefaultTimeout.
	Timeout time.Duration
	// MaxConcurrency bounds the calls in flight. Zero means
	// DefaultMaxConcurrency.
	MaxConcurrency int
	// MaxTokens caps the completion's length. Zero sends no cap.
	MaxTokens int
	// MaxRetries is how many times a failed call is tried again. Zero means
	// DefaultMaxRetries; a negative value means never.
	MaxRetries int

	HTTPClient *http.Client // optional; its Transport is wrapped, not changed
	Logger     *slog.Logger // optional; nil discards
}

// Message is one chat message.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// Usage counts the tokens a completion cost, as the server reported them.
// It is zero when the server reported nothing.
type Usage struct {
	PromptTokens, CompletionTokens, TotalTokens int
}

// Completion is the result of a call. When Stream fails it still holds the
// text that arrived and the attempts made.
type Completion struct {
	Text string
	// FinishReason is the server's: "stop", or "length" when MaxTokens cut
	// the answer short (not an error; the caller decides).
	FinishReason string
	Model        string // the model the server says answered
	Usage        Usage
	Attempts     int // HTTP requests made, retries included
}

// Client calls one model on one server. It is safe for concurrent use.
type Client struct {
	api            *openai.Client
	model          string
	key            string // only to redact it from what the server says
	baseURL        string // redacted, for messages
	official       bool   // OpenAI's own API
	timeout        time.Duration
	maxTokens      int
	maxRetries     int
	backoffBase    time.Duration
	slots          chan struct{}
	log            *slog.Logger
	timeoutCause   error
	noStreamOption atomic.Bool // the server rejected stream_options once
	rootURL        string      // the server's root, for llama.cpp's and Ollama's own routes; "" for OpenAI
	http           *http.Client
	limits         atomic.Pointer[Limits]

	est     estimator // the model's speed, from the calls that finished
	queueMu sync.Mutex
	waiting int // callers waiting for a slot
	// freed is when a slot was last freed (or the first taken): while
	// every slot stays taken, the time since says calls now take at least
	// that long, whatever the estimate learnt from faster ones.
	freed  time.Time
	drains sync.WaitGroup  // requests running, some outliving their callers
	life   context.Context // ended by Close: stops the requests
	stop   context.CancelFunc
}

// New checks cfg and returns a Client. It sends nothing; see Check.
func New(cfg Config) (*Client, error) {
	var problems []error
	if strings.TrimSpace(cfg.Model) == "" {
		problems = append(problems, errors.New("no model set (OPENAI_MODEL)"))
	}
	if cfg.APIKey == "" && cfg.BaseURL == "" {
		problems = append(problems, errors.New("neither an API key (OPENAI_API_KEY, for OpenAI) nor a base URL (OPENAI_BASE_URL, for another server) is set"))
	}
	if cfg.APIKey != "" && strings.IndexFunc(cfg.APIKey, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '"' || r == '\''
	}) >= 0 {
		// Never quote the key: say only what is wrong with it.
		problems = append(problems, errors.New("the API key (OPENAI_API_KEY) contains spaces, quotes or control characters; a stray newline or quote from an env file?"))
	}
	baseURL := ""
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		switch {
		case err != nil:
			// url.Parse's error quotes the whole URL, credentials and all.
			problems = append(problems, errors.New("the base URL (OPENAI_BASE_URL) does not parse as a URL"))
		case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
			problems = append(problems, fmt.Errorf("the base URL (OPENAI_BASE_URL) %q is not an http:// or https:// URL with a host", redact(ShownURL(u), cfg.APIKey)))
		default:
			baseURL = redact(ShownURL(u), cfg.APIKey)
		}
	}
	if cfg.Timeout < 0 {
		problems = append(problems, fmt.Errorf("the timeout (LLM_TIMEOUT) is negative: %s", cfg.Timeout))
	}
	if cfg.MaxConcurrency < 0 {
		problems = append(problems, fmt.Errorf("the concurrency bound (LLM_MAX_CONCURRENCY) is negative: %d", cfg.MaxConcurrency))
	}
	if cfg.MaxTokens < 0 {
		problems = append(problems, fmt.Errorf("the token cap (LLM_MAX_TOKENS) is negative: %d", cfg.MaxTokens))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("llm: bad config: %w", errors.Join(problems...))
	}

	c := &Client{
		model:       cfg.Model,
		key:         cfg.APIKey,
		baseURL:     baseURL,
		official:    cfg.BaseURL == "",
		timeout:     orDefault(cfg.Timeout, DefaultTimeout),
		maxTokens:   cfg.MaxTokens,
		maxRetries:  orDefault(cfg.MaxRetries, DefaultMaxRetries),
		backoffBase: defaultBackoffBase,
		slots:       make(chan struct{}, orDefault(cfg.MaxConcurrency, DefaultMaxConcurrency)),
		log:         cfg.Logger,
	}
	c.life, c.stop = context.WithCancel(context.Background())
	if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.baseURL == "" {
		c.baseURL = "OpenAI's API"
	}
	c.timeoutCause = fmt.Errorf("the call took longer than LLM_TIMEOUT (%s): %w", c.timeout, context.DeadlineExceeded)

	apiCfg := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		apiCfg.BaseURL = cfg.BaseURL
	}
	httpClient := &http.Client{}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient // wrap a copy: the caller's client stays as it was
		httpClient = &copied
	}
	httpClient.Transport = responseRecorder{next: httpClient.Transport}
	apiCfg.HTTPClient = httpClient
	c.api = openai.NewClientWithConfig(apiCfg)
	c.http = httpClient
	if cfg.BaseURL != "" {
		c.rootURL = rootOf(cfg.BaseURL)
	}
	return c, nil
}

// orDefault returns v, or def when v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Model returns the configured model name.
func (c *Client) Model() string { return c.model }

// acquire waits for a concurrency slot for as long as ctx allows.
func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.slots <- struct{}{}:
		c.took()
		return nil
	default:
	}
	select {
	case c.slots <- struct{}{}:
		c.took()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// took notes a slot taken: the first of a full set starts the stall clock.
func (c *Client) took() {
	c.queueMu.Lock()
	if c.freed.IsZero() {
		c.freed = time.Now()
	}
	c.queueMu.Unlock()
}

func (c *Client) release() {
	<-c.slots
	c.queueMu.Lock()
	c.freed = time.Now()
	c.queueMu.Unlock()
}

// ShownURL is a URL as logs and errors may show it: without a password, a
// query or a fragment, any of which may carry a credential
// ("…/v1?api-key=…").
func ShownURL(u *url.URL) string {
	v := *u
	v.RawQuery, v.ForceQuery, v.Fragment, v.RawFragment = "", false, "", ""
	return v.Redacted()
}
