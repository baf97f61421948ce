package loadtest_test

import (
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/internal/loadtest"
)

// askStormSize is scenario 1's size: questions asked at once of an LLM that
// takes latency per answer, with maxConcurrency calls allowed and an
// LLM_TIMEOUT (the answer's whole LLM budget, slot wait included) of budget.
type askStormSize struct {
	questions      int
	latency        time.Duration
	maxConcurrency int
	budget         time.Duration
	// maxHeap bounds the process's peak HeapInuse: generous, to catch
	// growth with the number of questions gone wrong, not to measure.
	maxHeap uint64
}

func askStormSizeFor(s loadtest.Scale) askStormSize {
	return loadtest.Pick(s,
		askStormSize{questions: 40, latency: 300 * time.Millisecond, maxConcurrency: 2, budget: 2 * time.Second, maxHeap: 64 << 20},
		// LLM_TIMEOUT at its default, 30 s: 4 slots × 30 s / 2 s is about 60
		// LLM answers; the rest fall back to extractive at 30 s.
		askStormSize{questions: 200, latency: 2 * time.Second, maxConcurrency: 4, budget: 30 * time.Second, maxHeap: 256 << 20},
	)
}

// askStorm is one run of scenario 1 on a running bot.
type askStorm struct {
	summary  summary
	start    time.Time
	peakHeap uint64
}

// runAskStorm asks size.questions /ask at once and waits for every answer.
func runAskStorm(tb testing.TB, f *fixture, size askStormSize) askStorm {
	ctx := testContext(tb, size.budget+2*time.Minute)
	heap := loadtest.SampleHeap(ctx, 50*time.Millisecond)
	start := time.Now()
	ins := make([]*discordtest.Interaction, size.questions)
	for i := range ins {
		ins[i] = f.ask(question(i))
	}
	res := summarise(collect(ctx, ins))
	return askStorm{summary: res, start: start, peakHeap: heap.Stop()}
}

// askStormBot is scenario 1's bot and its fake LLM.
type askStormBot struct {
	*fixture
	fake  *llmtest.Server
	calls *callCounter
}

func startAskStormBot(tb testing.TB, size askStormSize) askStormBot {
	fake := llmtest.New(tb, groundedLLM(size.latency))
	l := fakeLLM(fake, size.budget, size.maxConcurrency)
	return askStormBot{fixture: startBot(tb, setup{llm: l}), fake: fake, calls: l.calls}
}

// checkConcurrency checks the LLM_MAX_CONCURRENCY bound. The client must
// never have more calls open than the bound, and the server never sees
// more while every call runs to its end. A call cut off by its answer's
// budget is different: the client closes the connection and hands the
// slot on at once, and the server notices the closed connection a moment
// later, so for that moment it may count each slot twice.
func (a askStormBot) checkConcurrency(tb testing.TB, limit int, llmAnswers int) {
	tb.Helper()
	if got := a.calls.Peak(); got > limit || got == 0 {
		tb.Errorf("the LLM client had %d calls open at once; want 1 to LLM_MAX_CONCURRENCY (%d)", got, limit)
	}
	serverLimit := limit
	if cutOff := len(a.fake.ChatRequests()) - llmAnswers; cutOff > 0 {
		serverLimit = 2 * limit
	}
	if got := a.fake.MaxInFlight(); got > serverLimit {
		tb.Errorf("the LLM server saw %d calls at once; LLM_MAX_CONCURRENCY is %d", got, limit)
	}
}

// checkAskStorm checks one run of scenario 1.
func checkAskStorm(t *testing.T, a askStormBot, size askStormSize, run askStorm) {
	t.Helper()
	s := run.summary
	t.Logf("%s; LLM calls %d, at most %d open in the client, %d in flight at the server; peak heap %.1f MB",
		s, len(a.fake.ChatRequests()), a.calls.Peak(), a.fake.MaxInFlight(), loadtest.MB(run.peakHeap))
	s.check(t)
	if got := s.outcomes[outcomeAnswered] + s.outcomes[outcomeFallback]; got != size.questions {
		t.Errorf("%d of %d questions answered", got, size.questions)
	}
	// With a budget of several LLM latencies, the first questions to get a
	// slot must be answered by the LLM: all fallbacks would mean the LLM
	// path never worked under load.
	if s.outcomes[outcomeAnswered] == 0 {
		t.Error("no answer came from the LLM")
	}
	a.checkConcurrency(t, size.maxConcurrency, s.outcomes[outcomeAnswered])
	// A fallback is shown once the budget is spent, so no answer may take
	// much longer than the budget: a few seconds for Discord's round trips.
	if worst := loadtest.Percentile(s.answers, 100); worst > size.budget+5*time.Second {
		t.Errorf("slowest answer took %v; LLM_TIMEOUT is %v", worst, size.budget)
	}
	if run.peakHeap > size.maxHeap {
		t.Errorf("peak heap in use %.1f MB; bound %.0f MB", loadtest.MB(run.peakHeap), loadtest.MB(size.maxHeap))
	}
}

// TestAskStorm is scenario 1: many /ask at once while the LLM is slow.
// Every interaction is acknowledged within Discord's 3 s and answered with
// a final embed — the LLM's verified text, or the extractive answer once
// LLM_TIMEOUT (which counts the wait for a slot) runs out — never more LLM
// calls in flight than LLM_MAX_CONCURRENCY, a bounded heap, and no
// goroutine left behind (TestMain). A second run whose LLM keeps up within
// the budget checks the bound at the server exactly.
func TestAskStorm(t *testing.T) {
	t.Run("the LLM slower than the questions", func(t *testing.T) {
		size := askStormSizeFor(loadtest.ScaleFromEnv(loadtest.Small))
		a := startAskStormBot(t, size)
		checkAskStorm(t, a, size, runAskStorm(t, a.fixture, size))
	})
	t.Run("the LLM keeping up", func(t *testing.T) {
		size := askStormSize{questions: 20, latency: 100 * time.Millisecond, maxConcurrency: 2, budget: 20 * time.Second, maxHeap: 64 << 20}
		a := startAskStormBot(t, size)
		run := runAskStorm(t, a.fixture, size)
		checkAskStorm(t, a, size, run)
		if n := run.summary.outcomes[outcomeAnswered]; n != size.questions {
			t.Errorf("%d of %d answers from the LLM; with a budget this long, all should be (%v)", n, size.questions, run.summary.outcomes)
		}
	})
}

// BenchmarkAskStorm is scenario 1 at full size: 200 /ask at once, the LLM
// taking 2 s each, LLM_MAX_CONCURRENCY 4, LLM_TIMEOUT 30 s.
func BenchmarkAskStorm(b *testing.B) {
	size := askStormSizeFor(loadtest.ScaleFromEnv(loadtest.Full))
	a := startAskStormBot(b, size)
	var run askStorm
	for b.Loop() {
		run = runAskStorm(b, a.fixture, size)
		run.summary.check(b)
	}
	reportBench(b, run.summary, run.start, run.peakHeap)
	b.ReportMetric(float64(run.summary.outcomes[outcomeAnswered]), "llm-answers")
	b.ReportMetric(float64(run.summary.outcomes[outcomeFallback]), "fallbacks")
	b.ReportMetric(float64(a.calls.Peak()), "max-llm-open")
	b.ReportMetric(float64(a.fake.MaxInFlight()), "max-llm-at-server")
	b.ReportMetric(loadtest.Millis(loadtest.Percentile(run.summary.answers, 99)), "answer-p99-ms")
	a.checkConcurrency(b, size.maxConcurrency, run.summary.outcomes[outcomeAnswered])
}
