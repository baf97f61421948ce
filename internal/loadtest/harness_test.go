package loadtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"go.uber.org/goleak"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/internal/loadtest"
	"github.com/bytewatch/bytewatch/internal/logtest"
	"github.com/bytewatch/bytewatch/knowledge"
)

func TestMain(m *testing.M) {
	// Bleve starts its analysis workers at init, for the life of the process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}

// The test guild and its first channel.
const (
	guildID        = discordtest.DefaultGuildID
	generalChannel = discordtest.DefaultChannelID
)

// moderator is the permission set of a member who may /reindex.
const moderator = discordtest.DefaultMemberPermissions | discordgo.PermissionManageGuild

// coveredQuestions are questions the default knowledge base answers; the
// scenarios cycle through them so that retrieval is not one cached path.
var coveredQuestions = []string{
	"How much is ByteDance investing in AI infrastructure?",
	"How many monthly active users does Doubao have?",
	"Who owns TikTok?",
	"Does ByteDance buy GPUs from Nvidia?",
	"How much is ByteDance spending on AI chips?",
}

func question(i int) string { return coveredQuestions[i%len(coveredQuestions)] }

// logBuffer collects the bot's and the emulator's log lines; safe for
// concurrent use.
type logBuffer struct{ logtest.Buffer }

func (l *logBuffer) logf(format string, args ...any) {
	fmt.Fprintf(l, format+"\n", args...)
}

// tail returns the last n lines, for failure reports.
func (l *logBuffer) tail(n int) string {
	lines := strings.Split(strings.TrimRight(l.String(), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… %d earlier lines", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// llmSetup configures the engine's LLM the way internal/cli does from the
// environment: LLM_TIMEOUT bounds each call and is the engine's LLMBudget,
// LLM_MAX_CONCURRENCY bounds the calls in flight.
type llmSetup struct {
	baseURL        string
	client         *http.Client
	timeout        time.Duration // LLM_TIMEOUT
	maxConcurrency int           // LLM_MAX_CONCURRENCY
	calls          *callCounter  // counts the client's calls; set by fakeLLM
}

// fakeLLM is llmSetup for an llmtest server, counting the calls the
// client has open.
func fakeLLM(fake *llmtest.Server, timeout time.Duration, maxConcurrency int) *llmSetup {
	calls := &callCounter{}
	client := *fake.Client()
	client.Transport = calls.wrap(client.Transport)
	return &llmSetup{baseURL: fake.URL, client: &client, timeout: timeout, maxConcurrency: maxConcurrency, calls: calls}
}

// callCounter counts HTTP calls the client has open — from sending the
// request until it closes the response body or the request fails — and
// the most ever open at once. That is the LLM client's own view of its
// calls in flight; the server's view (llmtest's MaxInFlight) also counts
// a call the client has abandoned until the server notices the closed
// connection.
type callCounter struct {
	open, peak atomic.Int64
}

func (c *callCounter) wrap(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n := c.open.Add(1)
		for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
		}
		resp, err := next.RoundTrip(r)
		if err != nil {
			c.open.Add(-1)
			return resp, err
		}
		resp.Body = &countedBody{ReadCloser: resp.Body, closed: sync.OnceFunc(func() { c.open.Add(-1) })}
		return resp, nil
	})
}

// Peak is the most calls ever open at once.
func (c *callCounter) Peak() int { return int(c.peak.Load()) }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type countedBody struct {
	io.ReadCloser
	closed func()
}

func (b *countedBody) Close() error {
	b.closed()
	return b.ReadCloser.Close()
}

// setup varies the bot a scenario starts.
type setup struct {
	llm          *llmSetup // nil answers extractively
	knowledgeDir string    // KNOWLEDGE_DIR; "" means the embedded base
	indexPath    string    // INDEX_PATH; "" keeps the index in memory
	channels     []string  // channels of the guild besides generalChannel
	quiet        bool      // the bot logs nothing (a soak's log would grow the heap)
}

// fixture is a running bot connected to an emulator.
type fixture struct {
	srv   *discordtest.Server
	ix    *index.Index
	logs  *logBuffer
	users atomic.Int64 // numbers the users questions come from
}

// startBot starts an emulator and bot.Run wired as internal/cli wires it —
// the real engine and index, the LLM client when s.llm is set, /reindex
// reloading s.knowledgeDir — and waits until the commands are registered.
// The bot is stopped, and must return nil, before the emulator closes.
func startBot(tb testing.TB, s setup) *fixture {
	tb.Helper()
	logs := &logBuffer{}
	srv := discordtest.New(tb,
		discordtest.WithGuild(guildID, discordtest.DefaultGuildName, append([]string{generalChannel}, s.channels...)...),
		discordtest.WithLogf(logs.logf)) // 429s are expected here; keep them out of the test output
	ctx := testContext(tb, 30*time.Second)

	base, err := loadBase(s.knowledgeDir)
	if err != nil {
		tb.Fatal(err)
	}
	botLog := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if s.quiet {
		botLog = slog.New(slog.DiscardHandler)
	}
	ix, err := index.Build(ctx, base, index.Options{Path: s.indexPath, Logger: botLog})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	engOpts := answer.Options{Logger: botLog}
	model := ""
	if s.llm != nil {
		c, err := llm.New(llm.Config{
			BaseURL: s.llm.baseURL, Model: llmtest.DefaultModel, HTTPClient: s.llm.client,
			Timeout: s.llm.timeout, MaxConcurrency: s.llm.maxConcurrency, Logger: botLog,
		})
		if err != nil {
			tb.Fatal(err)
		}
		engOpts.LLM, engOpts.LLMBudget, model = c, s.llm.timeout, c.Model()
	}

	transport := http.DefaultTransport.(*http.Transport).Clone()
	tb.Cleanup(transport.CloseIdleConnections)
	readyCh := make(chan bot.Ready, 1)
	opts := bot.Options{
		Token: srv.Token(), APIBaseURL: srv.URL, GuildID: guildID,
		Answerer:  answer.NewEngine(ix, engOpts),
		Reindexer: commands.Reloader{Dir: s.knowledgeDir, Index: ix},
		Index:     ix,
		Version:   "v-loadtest",
		Model:     model,
		Logger:    botLog,
		Transport: transport,
		OnReady:   func(r bot.Ready) { readyCh <- r },
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(runCtx, opts) }()
	tb.Cleanup(func() {
		// Stop only a settled bot: discordgo reconnects behind Run's back,
		// and past its return, if its connection closes before it has
		// heartbeated on it (see discordtest.Server.WaitReady).
		wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := srv.WaitReady(wctx); err != nil {
			tb.Errorf("before stopping the bot: %v", err)
		}
		cancel()
		stop()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("bot.Run = %v", err)
			}
		case <-time.After(60 * time.Second):
			tb.Error("bot.Run did not return after its context ended")
		}
		if tb.Failed() {
			tb.Logf("log (bot and emulator):\n%s", logs.tail(150))
		}
	})
	select {
	case <-readyCh:
	case err := <-done:
		done <- err // for the cleanup
		tb.Fatalf("bot.Run returned before ready: %v", err)
	case <-time.After(30 * time.Second):
		tb.Fatal("the bot did not get ready")
	}
	if err := srv.WaitReady(ctx); err != nil {
		tb.Fatal(err)
	}
	return &fixture{srv: srv, ix: ix, logs: logs}
}

func loadBase(dir string) (*knowledge.Base, error) {
	if dir == "" {
		return knowledge.Default()
	}
	return knowledge.LoadDir(dir)
}

// testContext is a context that ends after d or with the test.
func testContext(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}

// nextUser returns a user nobody has asked as yet, so that the per-user
// rate limit (6 a minute) never applies: these are many users asking once.
func (f *fixture) nextUser() string {
	return fmt.Sprintf("7%017d", f.users.Add(1))
}

// ask dispatches /ask with q from a new user.
func (f *fixture) ask(q string) *discordtest.Interaction {
	return f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask", UserID: f.nextUser(),
		Options: []discordtest.CommandOption{{Name: "question", Value: q}}})
}

// reindex dispatches /reindex from a moderator.
func (f *fixture) reindex() *discordtest.Interaction {
	return f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "reindex", UserID: f.nextUser(), Permissions: moderator})
}

// mention posts "@bytewatch q" in channelID from a new user.
func (f *fixture) mention(channelID, q string) discordgo.Message {
	return f.srv.DispatchMessage(discordtest.MessageSpec{ChannelID: channelID, AuthorID: f.nextUser(),
		Content: f.srv.BotMention() + " " + q})
}

// isFinal reports whether an edit of @original is the final reply: the
// final reply always sets embeds (empty for a text reply), progress and
// streamed text never do.
func isFinal(m discordtest.Message) bool {
	var fields map[string]json.RawMessage
	if json.Unmarshal(m.Raw, &fields) != nil {
		return false
	}
	_, ok := fields["embeds"]
	return ok
}

// finalReply waits for the final edit of @original.
func finalReply(ctx context.Context, in *discordtest.Interaction) (discordtest.Message, error) {
	m, err := in.WaitOriginalEdit(ctx, isFinal)
	if err != nil {
		return m, fmt.Errorf("interaction %s: no final reply: %w; %d edits, callback %v", in.ID, err, len(in.OriginalEdits()), callbackOf(in))
	}
	return m, nil
}

func callbackOf(in *discordtest.Interaction) string {
	cb, ok := in.Callback()
	if !ok {
		return "none"
	}
	return fmt.Sprintf("type %d after %v", cb.Type, cb.After)
}

// replyTo waits for the bot's reply to message m.
func (f *fixture) replyTo(ctx context.Context, m discordgo.Message) (discordgo.Message, error) {
	r, err := f.srv.WaitBotMessage(ctx, m.ChannelID, func(r discordgo.Message) bool {
		return r.MessageReference != nil && r.MessageReference.MessageID == m.ID
	})
	if err != nil {
		return r, fmt.Errorf("message %s: no reply: %w", m.ID, err)
	}
	return r, nil
}

// Outcomes of an answer embed.
const (
	outcomeAnswered = "answered" // blue: the LLM's verified text, or extractive with no LLM
	outcomeFallback = "fallback" // orange: the extractive answer in place of the LLM's, with a note
)

// answerOutcome checks that embeds carry a real answer — a non-empty
// description citing [1], a Sources field — and says which kind.
func answerOutcome(embeds []*discordgo.MessageEmbed, content string) (string, error) {
	if len(embeds) == 0 {
		return "", fmt.Errorf("a reply with no embed: %q", content)
	}
	e := embeds[0]
	if strings.TrimSpace(e.Description) == "" || !strings.Contains(e.Description, "[1]") {
		return "", fmt.Errorf("answer without text or citation: %q", e.Description)
	}
	note, sources := "", ""
	for _, fl := range e.Fields {
		switch fl.Name {
		case "Note":
			note = fl.Value
		case "Sources":
			sources = fl.Value
		}
	}
	if !strings.HasPrefix(sources, "[1] ") {
		return "", fmt.Errorf("answer without a Sources field: %+v", e.Fields)
	}
	switch e.Color {
	case commands.ColourAnswered:
		return outcomeAnswered, nil
	case commands.ColourFallback:
		if note == "" {
			return "", errors.New("a fallback answer without a note saying why")
		}
		return outcomeFallback, nil
	}
	return "", fmt.Errorf("answer embed colour %06x, note %q: %q", e.Color, note, e.Description)
}

// askResult is what happened to one /ask.
type askResult struct {
	ack     time.Duration // dispatch → callback accepted
	answer  time.Duration // dispatch → final reply accepted
	at      time.Time     // when the final reply was accepted
	outcome string
	err     error
}

// collect waits, one interaction at a time, for the callback and final
// reply of each, and checks them: acknowledged in time with a deferred
// response, answered with a real answer. One waiter at a time keeps the
// emulator's lock free for the bot.
func collect(ctx context.Context, ins []*discordtest.Interaction) []askResult {
	out := make([]askResult, len(ins))
	for i, in := range ins {
		r := &out[i]
		m, err := finalReply(ctx, in)
		if err != nil {
			r.err = err
			continue
		}
		r.answer, r.at = m.After, m.Time
		cb, ok := in.Callback()
		switch {
		case !ok:
			r.err = fmt.Errorf("interaction %s: answered without a callback", in.ID)
			continue
		case cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource:
			r.err = fmt.Errorf("interaction %s: callback type %d; want a deferred response", in.ID, cb.Type)
			continue
		case cb.After >= discordgo.InteractionDeadline:
			r.err = fmt.Errorf("interaction %s: acknowledged after %v", in.ID, cb.After)
			continue
		}
		r.ack = cb.After
		r.outcome, r.err = answerOutcome(m.Embeds, m.Content)
		if r.err != nil {
			r.err = fmt.Errorf("interaction %s: %w", in.ID, r.err)
		}
	}
	return out
}

// summary aggregates askResults.
type summary struct {
	n        int
	failed   []error
	outcomes map[string]int
	acks     []time.Duration
	answers  []time.Duration
	last     time.Time
}

func summarise(rs []askResult) summary {
	s := summary{n: len(rs), outcomes: map[string]int{}}
	for _, r := range rs {
		if r.err != nil {
			s.failed = append(s.failed, r.err)
			continue
		}
		s.outcomes[r.outcome]++
		s.acks = append(s.acks, r.ack)
		s.answers = append(s.answers, r.answer)
		if r.at.After(s.last) {
			s.last = r.at
		}
	}
	return s
}

// check fails tb for every failed question (the first few in full).
func (s summary) check(tb testing.TB) {
	tb.Helper()
	for i, err := range s.failed {
		if i == 5 {
			tb.Errorf("… and %d more failed", len(s.failed)-5)
			break
		}
		tb.Error(err)
	}
}

func (s summary) String() string {
	return fmt.Sprintf("%d questions: %v; ack p50 %v p99 %v max %v; answer p50 %v p99 %v max %v",
		s.n, s.outcomes, loadtest.Percentile(s.acks, 50).Round(time.Millisecond), loadtest.Percentile(s.acks, 99).Round(time.Millisecond),
		loadtest.Percentile(s.acks, 100).Round(time.Millisecond),
		loadtest.Percentile(s.answers, 50).Round(time.Millisecond), loadtest.Percentile(s.answers, 99).Round(time.Millisecond),
		loadtest.Percentile(s.answers, 100).Round(time.Millisecond))
}

// reportBench reports the metrics every benchmark shares.
func reportBench(b *testing.B, s summary, start time.Time, peakHeap uint64) {
	b.ReportMetric(loadtest.Millis(loadtest.Percentile(s.acks, 50)), "ack-p50-ms")
	b.ReportMetric(loadtest.Millis(loadtest.Percentile(s.acks, 99)), "ack-p99-ms")
	if took := s.last.Sub(start); took > 0 {
		b.ReportMetric(float64(len(s.answers))/took.Seconds(), "answers/s")
	}
	if peakHeap > 0 {
		b.ReportMetric(loadtest.MB(peakHeap), "peak-heap-MB")
	}
	b.Logf("%s", s)
}

// sourceStatement finds "[1] fact …" and its "statement: …" in the prompt
// the LLM gets.
var sourceStatement = regexp.MustCompile(`(?m)^\[1\] fact [^\n]*\n(?:[^\n]*\n)*?statement: ([^\n]*)$`)

// groundedLLM answers like a model that does its job: it restates the
// prompt's first source with its [1], which passes verification, streamed
// word by word over about latency.
func groundedLLM(latency time.Duration) llmtest.Handler {
	return func(w http.ResponseWriter, r *llmtest.Request) {
		text := "The sources don't cover that."
		if m := sourceStatement.FindStringSubmatch(r.Chat.LastUser()); m != nil {
			text = strings.TrimSuffix(m[1], ".") + " [1]."
		}
		events := len(strings.Fields(text)) + 4 // role, words, finish, usage, [DONE]
		llmtest.Reply(text, llmtest.Delay(latency/time.Duration(events)))(w, r)
	}
}

// copyKnowledge copies the default knowledge files into a new folder.
func copyKnowledge(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	files, err := filepath.Glob(filepath.Join("..", "..", "knowledge", "data", "*.yaml"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no knowledge files to copy: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
