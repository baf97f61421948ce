// Package ops is what an operator watches: Prometheus metrics for questions,
// latencies, LLM tokens and reindexes, and an HTTP listener serving
// /healthz, /readyz and /metrics. Everything lives on a Metrics value with
// its own registry — no global state — so tests can run side by side.
package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Entry points a question can come from.
const (
	EntrySlash   = "slash_command"
	EntryMention = "mention"
	EntryChannel = "answer_channel"
	EntryCLI     = "cli"
)

// Outcomes of a question. The first three are answer.Answer.Outcome's.
// OutcomeInvalid is a question that cannot be asked (empty, too long): the
// asker's mistake, or hostile input, kept apart from OutcomeError so that
// an alert on errors means something is wrong with bytewatch.
const (
	OutcomeAnswered    = "answered"
	OutcomeNotCovered  = "not_covered"
	OutcomeFallback    = "fallback"
	OutcomeRateLimited = "rate_limited"
	OutcomeInvalid     = "invalid"
	OutcomeError       = "error"
)

// Metrics holds every collector bytewatch exports.
type Metrics struct {
	Registry *prometheus.Registry

	questions     *prometheus.CounterVec
	retrieval     prometheus.Histogram
	llm           prometheus.Histogram
	firstResponse *prometheus.HistogramVec
	answer        *prometheus.HistogramVec
	tokens        *prometheus.CounterVec
	reindexes     *prometheus.CounterVec
	reindexTime   prometheus.Histogram
	indexInfo     *prometheus.GaugeVec
	facts         prometheus.Gauge
	dropped       prometheus.Counter
}

// NewMetrics creates the collectors on a registry of their own, with the Go
// runtime and process collectors beside them.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	fast := []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}
	slow := []float64{.05, .1, .25, .5, 1, 2, 3, 5, 10, 20, 30, 60}
	m := &Metrics{
		Registry: reg,
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bytewatch_questions_total", Help: "Questions by entry point and outcome.",
		}, []string{"entry", "outcome"}),
		retrieval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bytewatch_retrieval_seconds", Help: "Searching the index and deciding whether to answer.", Buckets: fast,
		}),
		llm: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bytewatch_llm_seconds", Help: "Composing with the LLM, verification and repair included.", Buckets: slow,
		}),
		firstResponse: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bytewatch_first_response_seconds", Help: "From receiving a question to the first thing the user sees (the deferred acknowledgement, or the reply).", Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2, 3, 5, 10},
		}, []string{"entry"}),
		answer: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bytewatch_answer_seconds", Help: "From receiving a question to the final answer.", Buckets: slow,
		}, []string{"entry"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bytewatch_llm_tokens_total", Help: "LLM tokens by kind (prompt, completion).",
		}, []string{"kind"}),
		reindexes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bytewatch_reindex_total", Help: "Reindexes by result (ok, error).",
		}, []string{"result"}),
		reindexTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bytewatch_reindex_seconds", Help: "Time to load, validate, build and swap an index.", Buckets: slow,
		}),
		indexInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "bytewatch_index_info", Help: "The live index version, as a label; always 1.",
		}, []string{"version"}),
		facts: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bytewatch_index_facts", Help: "Facts in the live index.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bytewatch_records_dropped_total", Help: "Question records the database did not take (down, full or too slow); the answers were sent.",
		}),
	}
	reg.MustRegister(m.questions, m.retrieval, m.llm, m.firstResponse, m.answer, m.tokens,
		m.reindexes, m.reindexTime, m.indexInfo, m.facts, m.dropped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// RecordDropped counts a question record the database did not take.
func (m *Metrics) RecordDropped() {
	if m == nil {
		return
	}
	m.dropped.Inc()
}

// Question records one question's outcome and, when it was answered, its
// timings. A nil *Metrics records nothing, so callers need no checks.
func (m *Metrics) Question(entry, outcome string, retrieval, llm, total time.Duration) {
	if m == nil {
		return
	}
	m.questions.WithLabelValues(entry, outcome).Inc()
	if retrieval > 0 {
		m.retrieval.Observe(retrieval.Seconds())
	}
	if llm > 0 {
		m.llm.Observe(llm.Seconds())
	}
	if total > 0 {
		m.answer.WithLabelValues(entry).Observe(total.Seconds())
	}
}

// FirstResponse records how long the user waited for the first sign of life.
func (m *Metrics) FirstResponse(entry string, d time.Duration) {
	if m == nil {
		return
	}
	m.firstResponse.WithLabelValues(entry).Observe(d.Seconds())
}

// Tokens records LLM token use.
func (m *Metrics) Tokens(prompt, completion int) {
	if m == nil {
		return
	}
	m.tokens.WithLabelValues("prompt").Add(float64(prompt))
	m.tokens.WithLabelValues("completion").Add(float64(completion))
}

// Reindex records one reindex; err nil means it succeeded.
func (m *Metrics) Reindex(d time.Duration, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.reindexes.WithLabelValues(result).Inc()
	m.reindexTime.Observe(d.Seconds())
}

// Index records the live index's version and size.
func (m *Metrics) Index(version string, facts int) {
	if m == nil {
		return
	}
	m.indexInfo.Reset()
	m.indexInfo.WithLabelValues(version).Set(1)
	m.facts.Set(float64(facts))
}

// Readiness reports whether the process can serve: a nil error means ready.
type Readiness func() error

// Conditions are the named conditions a process must meet to be ready —
// "index loaded", "gateway connected" — each met or not. Conditions.Err is
// a Readiness. It is safe for concurrent use.
type Conditions struct {
	mu    sync.Mutex
	names []string // in the order given, so Err's message is stable
	met   map[string]bool
	why   map[string]string // why an unmet condition is not met, when known
}

// NewConditions returns Conditions with each of names not yet met.
func NewConditions(names ...string) *Conditions {
	return &Conditions{names: names, met: make(map[string]bool, len(names))}
}

// Set records whether the condition name is met; a name NewConditions was
// not given is added.
func (c *Conditions) Set(name string, met bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, known := c.met[name]; !known && !slices.Contains(c.names, name) {
		c.names = append(c.names, name)
	}
	c.met[name] = met
	delete(c.why, name)
}

// SetErr records the condition name as met when err is nil, and otherwise
// as unmet because of err, which Err then names: "waiting for: slash
// commands registered (…: HTTP 400 …)".
func (c *Conditions) SetErr(name string, err error) {
	c.Set(name, err == nil)
	if err == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.why == nil {
		c.why = map[string]string{}
	}
	c.why[name] = err.Error()
}

// Err is nil when every condition is met, and otherwise names the ones
// that are not: "waiting for: gateway connected".
func (c *Conditions) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var unmet []string
	for _, n := range c.names {
		if !c.met[n] {
			if why := c.why[n]; why != "" {
				n += " (" + why + ")"
			}
			unmet = append(unmet, n)
		}
	}
	if len(unmet) == 0 {
		return nil
	}
	return errors.New("waiting for: " + strings.Join(unmet, ", "))
}

// Handler serves /healthz (the process is up), /readyz (ready() is nil) and
// /metrics.
func Handler(m *Metrics, ready Readiness) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry}))
	return mux
}

// Serve listens on addr and serves Handler until ctx ends, then shuts down
// gracefully. It returns once the listener is closed.
func Serve(ctx context.Context, addr string, m *Metrics, ready Readiness, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("ops: listen on HEALTH_ADDR %s: %w", addr, err)
	}
	return ServeListener(ctx, ln, m, ready, log)
}

// ServeListener is Serve on a listener the caller opened (tests use port 0,
// and bytewatch run opens HEALTH_ADDR itself so that a bad address stops it
// before it connects to Discord). It closes ln.
func ServeListener(ctx context.Context, ln net.Listener, m *Metrics, ready Readiness, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           Handler(m, ready),
		ReadHeaderTimeout: 5 * time.Second,
		// Nothing here takes long; bound slow clients all the same.
		ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("ops listener", "addr", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		// Serve failed on its own (the listener broke): nothing to shut down.
		return fmt.Errorf("ops: serving %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && serr != nil {
		return fmt.Errorf("ops: serving %s: %w", ln.Addr(), serr)
	}
	if err != nil {
		return fmt.Errorf("ops: shutting down %s: %w", ln.Addr(), err)
	}
	return nil
}
