package loadtest_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/internal/loadtest"
)

// llmFaultSize is scenario 3's size: questions per fault, as /ask and as
// mentions, with a short LLM_TIMEOUT.
type llmFaultSize struct {
	asks, mentions int
	timeout        time.Duration // LLM_TIMEOUT
	maxConcurrency int           // LLM_MAX_CONCURRENCY
}

func llmFaultSizeFor(s loadtest.Scale) llmFaultSize {
	return loadtest.Pick(s,
		llmFaultSize{asks: 4, mentions: 2, timeout: 500 * time.Millisecond, maxConcurrency: 2},
		llmFaultSize{asks: 50, mentions: 10, timeout: 500 * time.Millisecond, maxConcurrency: 4})
}

// llmFaultGrace is what the spec allows an answer beyond LLM_TIMEOUT: the
// extractive answer and Discord's round trips.
const llmFaultGrace = time.Second

// llmFault is one way the LLM server fails.
type llmFault struct {
	name string
	// server returns the base URL of a failing server and an HTTP client for it.
	server func(tb testing.TB) (baseURL string, client *http.Client)
}

// fakeServer is an llmtest server answering every completion with h.
func fakeServer(h llmtest.Handler) func(testing.TB) (string, *http.Client) {
	return func(tb testing.TB) (string, *http.Client) {
		fake := llmtest.New(tb, h)
		return fake.URL, fake.Client()
	}
}

// llmFaults are the failures of scenario 3.
var llmFaults = []llmFault{
	{"down (connection refused)", func(tb testing.TB) (string, *http.Client) {
		// A port that was just free: nothing listens there.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		transport := http.DefaultTransport.(*http.Transport).Clone()
		tb.Cleanup(transport.CloseIdleConnections)
		return "http://" + addr + "/v1", &http.Client{Transport: transport}
	}},
	{"hanging before answering", fakeServer(func(_ http.ResponseWriter, r *llmtest.Request) {
		<-r.Context.Done() // never answers; returns when the client gives up
	})},
	{"hanging mid-stream", fakeServer(llmtest.Reply("ByteDance invests [1].", llmtest.Delay(time.Hour)))},
	{"malformed event stream", fakeServer(llmtest.Raw(http.StatusOK, "text/event-stream",
		"data: {\"choices\":[{\"delta\":{\"content\":\"Byte\"\n\ndata: <<not json>>\n\n"))},
	{"HTML error page", fakeServer(llmtest.HTMLError(http.StatusBadGateway))},
	{"HTML page with 200", fakeServer(llmtest.Raw(http.StatusOK, "text/html", "<html><body>Please log in to the Wi-Fi</body></html>"))},
	{"429 always", fakeServer(llmtest.Status(http.StatusTooManyRequests, "1"))},
	{"cut mid-stream", fakeServer(llmtest.Reply("ByteDance plans to invest heavily in AI infrastructure [1].", llmtest.CutAfter(2)))},
}

// llmFaultRun is one run of scenario 3 for one fault.
type llmFaultRun struct {
	summary  summary         // the /ask questions
	mentions []time.Duration // mention → reply
	start    time.Time
	peakHeap uint64
}

// runLLMFault asks size.asks /ask and size.mentions mentions at once of a
// bot whose LLM fails, and checks every one gets the extractive answer,
// with its note, within LLM_TIMEOUT plus a second.
func runLLMFault(tb testing.TB, f *fixture, size llmFaultSize) (run llmFaultRun) {
	ctx := testContext(tb, time.Minute)
	heap := loadtest.SampleHeap(ctx, 50*time.Millisecond)
	defer func() { run.peakHeap = heap.Stop() }()
	run = llmFaultRun{start: time.Now()}
	ins := make([]*discordtest.Interaction, size.asks)
	msgs := make([]discordgo.Message, size.mentions)
	for i := range max(size.asks, size.mentions) {
		if i < size.asks {
			ins[i] = f.ask(question(i))
		}
		if i < size.mentions {
			msgs[i] = f.mention(generalChannel, question(i+1))
		}
	}
	run.summary = summarise(collect(ctx, ins))
	run.summary.check(tb)
	if n := run.summary.outcomes[outcomeFallback]; n != size.asks {
		tb.Errorf("/ask: %d of %d extractive fallbacks (%v)", n, size.asks, run.summary.outcomes)
	}
	for i, in := range run.summary.answers {
		if in > size.timeout+llmFaultGrace {
			tb.Errorf("/ask %d answered after %v; LLM_TIMEOUT is %v", i, in, size.timeout)
		}
	}
	for _, m := range msgs {
		r, err := f.replyTo(ctx, m)
		if err != nil {
			tb.Error(err)
			continue
		}
		took := r.Timestamp.Sub(m.Timestamp)
		run.mentions = append(run.mentions, took)
		if outcome, err := answerOutcome(r.Embeds, r.Content); err != nil || outcome != outcomeFallback {
			tb.Errorf("mention %s: outcome %q, %v; want the extractive fallback", m.ID, outcome, err)
		}
		if took > size.timeout+llmFaultGrace {
			tb.Errorf("mention %s answered after %v; LLM_TIMEOUT is %v", m.ID, took, size.timeout)
		}
	}
	return run
}

func startLLMFaultBot(tb testing.TB, fault llmFault, size llmFaultSize) *fixture {
	baseURL, client := fault.server(tb)
	return startBot(tb, setup{llm: &llmSetup{baseURL: baseURL, client: client, timeout: size.timeout, maxConcurrency: size.maxConcurrency}})
}

// TestLLMFaults is scenario 3: the LLM down, hanging, answering garbage or
// 429. Every question — /ask and mention — still gets an answer, the
// extractive one with a note, within LLM_TIMEOUT plus a second.
func TestLLMFaults(t *testing.T) {
	size := llmFaultSizeFor(loadtest.ScaleFromEnv(loadtest.Small))
	for _, fault := range llmFaults {
		t.Run(fault.name, func(t *testing.T) {
			t.Parallel() // each fault has its own bot, emulator and server
			f := startLLMFaultBot(t, fault, size)
			run := runLLMFault(t, f, size)
			t.Logf("%s; mentions answered in at most %v", run.summary, loadtest.Percentile(run.mentions, 100).Round(time.Millisecond))
		})
	}
}

// BenchmarkLLMFaults is scenario 3 at full size, one sub-benchmark per fault.
func BenchmarkLLMFaults(b *testing.B) {
	size := llmFaultSizeFor(loadtest.ScaleFromEnv(loadtest.Full))
	for _, fault := range llmFaults {
		b.Run(fault.name, func(b *testing.B) {
			f := startLLMFaultBot(b, fault, size)
			var run llmFaultRun
			for b.Loop() {
				run = runLLMFault(b, f, size)
			}
			reportBench(b, run.summary, run.start, run.peakHeap)
			b.ReportMetric(loadtest.Millis(loadtest.Percentile(run.summary.answers, 99)), "answer-p99-ms")
			b.ReportMetric(loadtest.Millis(loadtest.Percentile(run.mentions, 99)), "mention-p99-ms")
		})
	}
}
