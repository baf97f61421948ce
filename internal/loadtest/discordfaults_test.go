package loadtest_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/internal/loadtest"
)

// rateLimitSize is scenario 4's rate-limit size: asks, of which every
// limitEvery-th has its edits answered 429 limitTimes times, and mentions,
// each in its own channel whose sends are answered 429 limitTimes times.
type rateLimitSize struct {
	asks, limitEvery, mentions, limitTimes int
	retryAfter                             time.Duration
}

func rateLimitSizeFor(s loadtest.Scale) rateLimitSize {
	return loadtest.Pick(s,
		rateLimitSize{asks: 20, limitEvery: 4, mentions: 6, limitTimes: 2, retryAfter: 300 * time.Millisecond},
		rateLimitSize{asks: 200, limitEvery: 10, mentions: 50, limitTimes: 2, retryAfter: 300 * time.Millisecond})
}

// mentionChannels are channel ids for n mentions, one channel each, so
// that each mention's replies have their own rate limit.
func mentionChannels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("8100000000%08d", i)
	}
	return out
}

// editRoute is the route of an interaction's @original edits.
func editRoute(in *discordtest.Interaction) string {
	return "/webhooks/{app}/" + in.Token + "/messages/@original"
}

// askLimited dispatches /ask with q from a new user, with its edits of
// @original answered 429 (retryAfter) the first times times. The rule is
// set before the interaction exists, so however fast the bot, its first
// edits meet it.
func (f *fixture) askLimited(q string, times int, retryAfter time.Duration) *discordtest.Interaction {
	token := f.srv.NewInteractionToken()
	f.srv.RateLimit(http.MethodPatch, "/webhooks/{app}/"+token+"/messages/@original", times, retryAfter)
	return f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask", UserID: f.nextUser(), Token: token,
		Options: []discordtest.CommandOption{{Name: "question", Value: q}}})
}

// rateLimitRun is one run of the rate-limit half of scenario 4.
type rateLimitRun struct {
	summary  summary
	mentions []time.Duration
	start    time.Time
	limited  int // requests answered 429
	peakHeap uint64
}

// runRateLimits asks and mentions while Discord answers some of the bot's
// edits and sends with 429, and checks that nothing is lost and that no
// request is retried before retry_after.
func runRateLimits(tb testing.TB, f *fixture, channels []string, size rateLimitSize) (run rateLimitRun) {
	ctx := testContext(tb, 2*time.Minute)
	heap := loadtest.SampleHeap(ctx, 50*time.Millisecond)
	defer func() { run.peakHeap = heap.Stop() }()
	run = rateLimitRun{start: time.Now()}
	// Each rate-limited route gets limitTimes 429s — fewer than the three
	// waits commands.REST allows one call — so a bot that respects
	// retry_after loses nothing.
	want := 0
	var msgs []discordgo.Message
	for i, ch := range channels {
		f.srv.RateLimit(http.MethodPost, "/channels/"+ch+"/messages", size.limitTimes, size.retryAfter)
		want += size.limitTimes
		msgs = append(msgs, f.mention(ch, question(i)))
	}
	ins := make([]*discordtest.Interaction, size.asks)
	for i := range ins {
		if i%size.limitEvery != 0 {
			ins[i] = f.ask(question(i))
			continue
		}
		// The rule meets the interaction's first edits (progress, then
		// the answer), whichever they are.
		ins[i] = f.askLimited(question(i), size.limitTimes, size.retryAfter)
		want += size.limitTimes
	}
	run.summary = summarise(collect(ctx, ins))
	run.summary.check(tb)
	if n := run.summary.outcomes[outcomeAnswered]; n != size.asks {
		tb.Errorf("/ask: %d of %d answered (%v)", n, size.asks, run.summary.outcomes)
	}
	for _, m := range msgs {
		r, err := f.replyTo(ctx, m)
		if err != nil {
			tb.Error(err)
			continue
		}
		run.mentions = append(run.mentions, r.Timestamp.Sub(m.Timestamp))
		if outcome, err := answerOutcome(r.Embeds, r.Content); err != nil || outcome != outcomeAnswered {
			tb.Errorf("mention %s: outcome %q, %v", m.ID, outcome, err)
		}
	}
	run.limited = checkRetries(tb, f.srv.Requests(), size.retryAfter)
	if run.limited != want {
		tb.Errorf("%d requests answered 429; the rules set %d, so some were never tried again", run.limited, want)
	}
	return run
}

// checkRetries checks that after each 429 the next request on the same
// method and path came no sooner than retryAfter, and returns how many
// 429s there were. A request's Time is when it arrived, so the gap is the
// client's wait plus the 429's trip back.
func checkRetries(tb testing.TB, reqs []discordtest.Request, retryAfter time.Duration) int {
	tb.Helper()
	limited, early := 0, 0
	for i, r := range reqs {
		if r.Status != http.StatusTooManyRequests {
			continue
		}
		limited++
		for _, next := range reqs[i+1:] {
			if next.Method != r.Method || next.Path != r.Path {
				continue
			}
			if gap := next.Time.Sub(r.Time); gap < retryAfter {
				early++
				if early <= 5 {
					tb.Errorf("%s %s tried again %v after a 429 with retry_after %v", r.Method, r.Route, gap, retryAfter)
				}
			}
			break
		}
	}
	return limited
}

// dropSize is scenario 4's dropped-connection size: asks in flight when
// the gateway drops (their answers streaming from a slow LLM), mentions
// posted while it is down, and asks and mentions after it is back.
type dropSize struct {
	inFlight, whileDown, after int
	latency                    time.Duration
	// maxConcurrency lets the LLM answer every question within its
	// budget: the answers are to be in flight, not to fall back.
	maxConcurrency int
}

func dropSizeFor(s loadtest.Scale) dropSize {
	return loadtest.Pick(s,
		dropSize{inFlight: 10, whileDown: 3, after: 5, latency: 1500 * time.Millisecond, maxConcurrency: 8},
		dropSize{inFlight: 200, whileDown: 50, after: 50, latency: 2 * time.Second, maxConcurrency: 64})
}

// dropRun is one run of the dropped-connection half of scenario 4.
type dropRun struct {
	summary   summary
	reconnect time.Duration // drop → the session live again
	start     time.Time
	peakHeap  uint64
}

// runDrop drops the gateway connection while answers are in flight and
// checks that they arrive, that the bot comes back, receives what was
// posted meanwhile, and answers again.
func runDrop(tb testing.TB, f *fixture, size dropSize) (run dropRun) {
	ctx := testContext(tb, 2*time.Minute)
	heap := loadtest.SampleHeap(ctx, 50*time.Millisecond)
	defer func() { run.peakHeap = heap.Stop() }()
	run = dropRun{start: time.Now()}
	var ins []*discordtest.Interaction
	for i := range size.inFlight {
		ins = append(ins, f.ask(question(i)))
	}
	// Drop only once every ask has reached the bot: an event lost with the
	// socket is replayed on resume, but may by then be past Discord's 3 s.
	for _, in := range ins {
		if _, err := in.WaitCallback(ctx); err != nil {
			tb.Fatalf("interaction %s: %v", in.ID, err)
		}
	}
	before := f.srv.GatewayStats()
	dropped := time.Now()
	if err := f.srv.DropConnection(); err != nil {
		tb.Fatal(err)
	}
	var msgs []discordgo.Message
	for i := range size.whileDown {
		msgs = append(msgs, f.mention(generalChannel, question(i)))
	}
	st, err := f.srv.WaitGateway(ctx, func(st discordtest.GatewayStats) bool {
		return st.Ready && (st.Resumes > before.Resumes || st.Identifies > before.Identifies)
	})
	if err != nil {
		tb.Fatalf("the bot did not reconnect: %v", err)
	}
	run.reconnect = time.Since(dropped)
	if st.Resumes == before.Resumes {
		tb.Logf("the bot identified again instead of resuming; mentions posted while it was down are lost with the old session")
		msgs = nil
	}
	for i := range size.after {
		ins = append(ins, f.ask(question(i)))
		msgs = append(msgs, f.mention(generalChannel, question(i+1)))
	}
	run.summary = summarise(collect(ctx, ins))
	run.summary.check(tb)
	for _, m := range msgs {
		r, err := f.replyTo(ctx, m)
		if err != nil {
			tb.Error(err)
			continue
		}
		if _, err := answerOutcome(r.Embeds, r.Content); err != nil {
			tb.Errorf("mention %s: %v", m.ID, err)
		}
	}
	return run
}

func startDropBot(tb testing.TB, size dropSize) *fixture {
	fake := llmtest.New(tb, groundedLLM(size.latency))
	// A budget the slow answers fit in: the LLM's answers are in flight
	// when the connection drops, and must still arrive.
	return startBot(tb, setup{llm: fakeLLM(fake, 4*size.latency+5*time.Second, size.maxConcurrency)})
}

// TestDiscordFaults is scenario 4: Discord answering 429 to edits and
// sends — waited out, never retried early, nothing lost — and a dropped
// gateway connection, after which the bot reconnects and answers again.
func TestDiscordFaults(t *testing.T) {
	scale := loadtest.ScaleFromEnv(loadtest.Small)
	t.Run("rate limits", func(t *testing.T) {
		size := rateLimitSizeFor(scale)
		channels := mentionChannels(size.mentions)
		f := startBot(t, setup{channels: channels})
		run := runRateLimits(t, f, channels, size)
		t.Logf("%s; %d requests answered 429; mentions answered in at most %v", run.summary, run.limited,
			loadtest.Percentile(run.mentions, 100).Round(time.Millisecond))
	})
	t.Run("dropped connection", func(t *testing.T) {
		size := dropSizeFor(scale)
		f := startDropBot(t, size)
		run := runDrop(t, f, size)
		t.Logf("%s; live again %v after the drop", run.summary, run.reconnect.Round(time.Millisecond))
	})
}

// TestRateLimitStaysWithItsInteraction: Discord rate-limits an
// interaction's webhook by its token, so a 429 on one interaction's edits
// must not hold up the answers to others. discordgo v0.29 files every
// webhook edit under one bucket (EndpointWebhookToken("", "")) and holds
// the whole bucket for retry_after; commands.REST therefore sends edits
// with a bucket per interaction token.
func TestRateLimitStaysWithItsInteraction(t *testing.T) {
	// Long enough that the other answers, held or not, are told apart on
	// the busiest machine: held, they would wait twice this.
	const retryAfter = 5 * time.Second
	f := startBot(t, setup{})
	ctx := testContext(t, time.Minute)
	limited := f.askLimited(question(0), 2, retryAfter)
	if _, err := f.srv.WaitRequest(ctx, http.MethodPatch, editRoute(limited), func(r discordtest.Request) bool {
		return r.Status == http.StatusTooManyRequests
	}); err != nil {
		t.Fatal(err)
	}
	var others []*discordtest.Interaction
	for i := range 5 {
		others = append(others, f.ask(question(i+1)))
	}
	s := summarise(collect(ctx, others))
	s.check(t)
	if worst := loadtest.Percentile(s.answers, 100); worst >= retryAfter {
		t.Errorf("answers to other interactions took up to %v: held by one interaction's retry_after of %v", worst, retryAfter)
	}
	if _, err := finalReply(ctx, limited); err != nil {
		t.Error(err)
	}
}

// BenchmarkDiscordFaults is scenario 4 at full size.
func BenchmarkDiscordFaults(b *testing.B) {
	scale := loadtest.ScaleFromEnv(loadtest.Full)
	b.Run("rate limits", func(b *testing.B) {
		size := rateLimitSizeFor(scale)
		channels := mentionChannels(size.mentions)
		f := startBot(b, setup{channels: channels})
		var run rateLimitRun
		for b.Loop() {
			run = runRateLimits(b, f, channels, size)
		}
		reportBench(b, run.summary, run.start, run.peakHeap)
		b.ReportMetric(loadtest.Millis(loadtest.Percentile(run.summary.answers, 99)), "answer-p99-ms")
		b.ReportMetric(loadtest.Millis(loadtest.Percentile(run.mentions, 99)), "mention-p99-ms")
		b.ReportMetric(float64(run.limited), "429s")
	})
	b.Run("dropped connection", func(b *testing.B) {
		size := dropSizeFor(scale)
		f := startDropBot(b, size)
		var run dropRun
		for b.Loop() {
			run = runDrop(b, f, size)
		}
		reportBench(b, run.summary, run.start, run.peakHeap)
		b.ReportMetric(loadtest.Millis(run.reconnect), "reconnect-ms")
	})
}
