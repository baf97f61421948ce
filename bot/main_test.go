package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"go.uber.org/goleak"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/internal/logtest"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/knowledge"
)

func TestMain(m *testing.M) {
	// Bleve starts its analysis workers at init, for the life of the process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}

// The test guild: a general channel and an answer channel.
const (
	guildID        = discordtest.DefaultGuildID
	generalChannel = discordtest.DefaultChannelID
	answerChannel  = "800000000000000003"
)

// Questions the default knowledge base answers, and one it does not cover.
const (
	coveredQuestion   = "How much is ByteDance investing in AI infrastructure?"
	uncoveredQuestion = "What is the capital of France?"
)

// logBuffer collects the bot's JSON log lines; safe for concurrent use.
type logBuffer = logtest.Buffer

// fixture is a running bot connected to an emulator.
type fixture struct {
	srv     *discordtest.Server
	ix      *index.Index
	logs    *logBuffer
	metrics *ops.Metrics
	serving *servingLog
	ready   bot.Ready
	stop    context.CancelFunc // starts the bot's shutdown
	done    chan error         // Run's result, once
}

// servingLog records what the bot reported through Options.OnServing.
type servingLog struct {
	mu     sync.Mutex
	states []bool
	cond   *ops.Conditions // fed as bytewatch run feeds /readyz
}

func (l *servingLog) set(up bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.states = append(l.states, up)
	l.cond.Set("gateway connected", up)
}

func (l *servingLog) list() []bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bool(nil), l.states...)
}

// wait waits until the states reported so far satisfy cond.
func (l *servingLog) wait(t *testing.T, what string, cond func([]bool) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond(l.list()) {
			return
		}
	}
	t.Fatalf("OnServing never reported %s: %v", what, l.list())
}

// scrape returns the body of GET path on the ops handler serving f's
// metrics and readiness, and its status.
func (f *fixture) scrape(t *testing.T, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	ops.Handler(f.metrics, f.serving.cond.Err).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// metric returns the value of the sample named exactly (name and labels,
// as /metrics writes them), or -1 when there is none.
func (f *fixture) metric(t *testing.T, sample string) float64 {
	t.Helper()
	_, body := f.scrape(t, "/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			var x float64
			if _, err := fmt.Sscan(v, &x); err != nil {
				t.Fatalf("sample %q: %v", line, err)
			}
			return x
		}
	}
	return -1
}

// setup varies the bot a test starts.
type setup struct {
	knowledgeDir string                                 // "" means the embedded base
	answerer     func(*answer.Engine) commands.Answerer // wraps the real engine; nil uses it as is
	options      func(*bot.Options)                     // last changes to the options
	logLevel     slog.Level                             // the zero value is info
	server       *discordtest.Server                    // the emulator to connect to; nil starts one
}

// startBot starts an emulator and bot.Run with the real engine on an
// in-memory index, and waits until the commands are registered. The bot is
// stopped (and must return nil) before the emulator closes.
func startBot(t *testing.T, s setup) *fixture {
	t.Helper()
	srv := s.server
	if srv == nil {
		srv = discordtest.New(t, discordtest.WithGuild(guildID, discordtest.DefaultGuildName, generalChannel, answerChannel))
	}
	ctx := testContext(t)

	var (
		base *knowledge.Base
		err  error
	)
	if s.knowledgeDir == "" {
		base, err = knowledge.Default()
	} else {
		base, err = knowledge.LoadDir(s.knowledgeDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(ctx, base, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	eng := answer.NewEngine(ix, answer.Options{})
	var answerer commands.Answerer = eng
	if s.answerer != nil {
		answerer = s.answerer(eng)
	}

	logs := &logBuffer{}
	metrics := ops.NewMetrics()
	serving := &servingLog{cond: ops.NewConditions("gateway connected")}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	readyCh := make(chan bot.Ready, 1)
	opts := bot.Options{
		Token: srv.Token(), APIBaseURL: srv.URL, GuildID: guildID,
		AnswerChannelIDs: []string{answerChannel},
		Answerer:         answerer,
		Reindexer:        commands.Reloader{Dir: s.knowledgeDir, Index: ix},
		Index:            ix,
		Version:          "v-test",
		Logger:           slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: s.logLevel})),
		Metrics:          metrics,
		OnServing:        serving.set,
		Transport:        transport,
		OnReady:          func(r bot.Ready) { readyCh <- r },
	}
	if s.options != nil {
		s.options(&opts)
	}
	runCtx, stop := context.WithCancel(context.Background())
	f := &fixture{srv: srv, ix: ix, logs: logs, metrics: metrics, serving: serving, stop: stop, done: make(chan error, 1)}
	go func() { f.done <- bot.Run(runCtx, opts) }()
	t.Cleanup(func() {
		// Stop only a settled bot: discordgo reconnects behind Run's back,
		// and past its return, if its connection closes before it has
		// heartbeated on it (see discordtest.Server.WaitReady).
		select {
		case err := <-f.done: // the test stopped it
			f.done <- err
		default:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := srv.WaitReady(ctx); err != nil {
				t.Errorf("before stopping the bot: %v", err)
			}
			cancel()
		}
		stop()
		select {
		case err := <-f.done:
			if err != nil {
				t.Errorf("bot.Run = %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("bot.Run did not return after its context ended")
		}
		if t.Failed() {
			t.Logf("bot log:\n%s", logs.String())
		}
	})
	select {
	case f.ready = <-readyCh:
	case err := <-f.done:
		f.done <- err // for the cleanup
		t.Fatalf("bot.Run returned before ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the bot did not get ready")
	}
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// userID makes a distinct user per sub-test, so rate limits don't mix.
func userID(n int) string { return fmt.Sprintf("7000000000000%05d", n) }

// ask dispatches /ask with question from user.
func (f *fixture) ask(user, question string, private bool) *discordtest.Interaction {
	opts := []discordtest.CommandOption{{Name: "question", Value: question}}
	if private {
		opts = append(opts, discordtest.CommandOption{Name: "private", Value: true})
	}
	return f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask", Options: opts, UserID: user})
}

// finalEdit waits for the edit of @original that carries embeds: the answer.
func finalEdit(t *testing.T, in *discordtest.Interaction) discordtest.Message {
	t.Helper()
	m, err := in.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool { return len(m.Embeds) > 0 })
	if err != nil {
		t.Fatalf("no final answer: %v; edits: %+v", err, in.OriginalEdits())
	}
	return m
}

// callback waits for the interaction's callback.
func callback(t *testing.T, in *discordtest.Interaction) discordtest.Callback {
	t.Helper()
	cb, err := in.WaitCallback(testContext(t))
	if err != nil {
		t.Fatalf("no callback: %v; requests: %+v", err, in.Requests())
	}
	return cb
}

// replyTo waits for the bot's reply to message id.
func (f *fixture) replyTo(t *testing.T, channelID, id string) discordgo.Message {
	t.Helper()
	m, err := f.srv.WaitBotMessage(testContext(t), channelID, func(m discordgo.Message) bool {
		return m.MessageReference != nil && m.MessageReference.MessageID == id
	})
	if err != nil {
		t.Fatalf("no reply to message %s: %v", id, err)
	}
	return m
}

// repliesTo counts the bot's replies to message id so far.
func (f *fixture) repliesTo(id string) int {
	n := 0
	for _, m := range f.srv.BotMessages("") {
		if m.MessageReference != nil && m.MessageReference.MessageID == id {
			n++
		}
	}
	return n
}

// embedText joins an embed's visible text.
func embedText(e *discordgo.MessageEmbed) string {
	var b strings.Builder
	b.WriteString(e.Title + "\n" + e.Description + "\n")
	for _, f := range e.Fields {
		b.WriteString(f.Name + ": " + f.Value + "\n")
	}
	if e.Footer != nil {
		b.WriteString(e.Footer.Text)
	}
	return b.String()
}

// checkAnswerEmbed checks the layout of an answered question's embed.
func checkAnswerEmbed(t *testing.T, e *discordgo.MessageEmbed, ix *index.Index) {
	t.Helper()
	if !strings.Contains(e.Description, "[1]") {
		t.Errorf("description has no [1] marker: %q", e.Description)
	}
	var sources string
	for _, f := range e.Fields {
		if f.Name == "Sources" {
			sources = f.Value
		}
	}
	if !strings.HasPrefix(sources, "[1] ") || !strings.Contains(sources, "as of January 2025") {
		t.Errorf("Sources field = %q; want [1] attribution — title, as of date", sources)
	}
	if e.Color != commands.ColourAnswered {
		t.Errorf("colour %06x; want the answered colour", e.Color)
	}
	want := "Not investment advice · knowledge as of January 2025 · index " + ix.Version()
	if e.Footer == nil || e.Footer.Text != want {
		t.Errorf("footer = %+v; want %q", e.Footer, want)
	}
}

// noMentions is allowed_mentions as every message must carry it.
const noMentions = `{"parse":[],"replied_user":false}`

// checkNoMentionsOnTheWire checks every message-bearing request the bot
// made carried allowed_mentions that allow nothing.
func checkNoMentionsOnTheWire(t *testing.T, srv *discordtest.Server) {
	t.Helper()
	n := 0
	for _, r := range srv.Requests() {
		body := r.Body
		switch r.Route {
		case "/interactions/{interaction}/{token}/callback":
			var cb struct {
				Type discordgo.InteractionResponseType `json:"type"`
				Data json.RawMessage                   `json:"data"`
			}
			if json.Unmarshal(body, &cb) != nil || len(cb.Data) == 0 || string(cb.Data) == "null" || cb.Type == discordgo.InteractionResponseModal {
				continue // a modal is a form, not a message
			}
			body = cb.Data
		case "/webhooks/{app}/{token}/messages/@original", "/webhooks/{app}/{token}",
			"/channels/{channel}/messages", "/channels/{channel}/messages/{message}":
			if r.Method == http.MethodGet || r.Method == http.MethodDelete {
				continue
			}
		default:
			continue
		}
		n++
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			t.Errorf("%s %s: body %s", r.Method, r.Route, body)
			continue
		}
		var got, want any
		json.Unmarshal(fields["allowed_mentions"], &got)
		json.Unmarshal([]byte(noMentions), &want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s %s sent allowed_mentions %s; want %s", r.Method, r.Route, fields["allowed_mentions"], noMentions)
		}
	}
	if n == 0 {
		t.Error("no message-bearing requests were checked")
	}
	if u := srv.UnknownRequests(); len(u) > 0 {
		for _, r := range u {
			t.Errorf("request to an unknown route: %s %s", r.Method, r.Path)
		}
	}
}

// copyKnowledge copies the default knowledge files into a temporary folder.
func copyKnowledge(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join("..", "knowledge", "data", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no knowledge files to copy: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
