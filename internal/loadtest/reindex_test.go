package loadtest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/internal/loadtest"
	"github.com/bytewatch/bytewatch/knowledge"
)

// reindexSize is scenario 2's size: reindexes spread over questions.
type reindexSize struct {
	questions, reindexes int
}

func reindexSizeFor(s loadtest.Scale) reindexSize {
	return loadtest.Pick(s, reindexSize{questions: 150, reindexes: 5}, reindexSize{questions: 1000, reindexes: 20})
}

// The knowledge edit the reindexes toggle: a changed statement gives a new
// index version, and the question it answers stays covered either way.
const (
	editedFile     = "bytedance-ai-investment-2025.yaml"
	editedFactID   = "bytedance-owns-tiktok"
	statementFrom  = "ByteDance is the company that owns TikTok."
	statementTo    = "ByteDance is the company that owns TikTok and its Chinese twin Douyin."
	reindexTimeout = 3 * time.Minute
)

// toggledBase is the default base with the edited statement.
func toggledBase(tb testing.TB) (original, edited *knowledge.Base) {
	tb.Helper()
	base, err := knowledge.Default()
	if err != nil {
		tb.Fatal(err)
	}
	facts := append([]knowledge.Fact(nil), base.Facts...)
	found := false
	for i := range facts {
		if facts[i].ID == editedFactID {
			facts[i].Statement, found = statementTo, true
		}
	}
	if !found {
		tb.Fatalf("no fact %s in the default base", editedFactID)
	}
	return base, knowledge.NewBase(base.Sources, facts)
}

// engineReindexes asks questions from workers while another goroutine swaps
// the index reindexes times, alternating two bases, spread over the
// questions. Every answer must be a real one, from one of the two versions.
func engineReindexes(tb testing.TB, size reindexSize, workers int) (answered int, took time.Duration) {
	ctx := testContext(tb, reindexTimeout)
	a, b := toggledBase(tb)
	ix, err := index.Build(ctx, a, index.Options{Path: tb.TempDir()}) // on disk, as with INDEX_PATH
	if err != nil {
		tb.Fatal(err)
	}
	defer ix.Close()
	eng := answer.NewEngine(ix, answer.Options{})
	versions := map[string]bool{a.Version(): true, b.Version(): true}

	var (
		next, done, ok atomic.Int64
		mu             sync.Mutex
		failures       []error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, err)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < size.questions && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				ans, err := eng.Ask(ctx, question(i), nil)
				switch {
				case err != nil:
					fail(fmt.Errorf("question %d: %w", i, err))
				case !ans.Answered || strings.TrimSpace(ans.Text) == "" || len(ans.Citations) == 0:
					fail(fmt.Errorf("question %d (%q): answered %v, %d citations, text %q", i, question(i), ans.Answered, len(ans.Citations), ans.Text))
				case !versions[ans.IndexVersion]:
					fail(fmt.Errorf("question %d: index version %q is neither base's", i, ans.IndexVersion))
				default:
					ok.Add(1)
				}
				done.Add(1)
			}
		})
	}
	wg.Go(func() {
		bases := []*knowledge.Base{b, a}
		for r := range size.reindexes {
			// Spread the swaps over the questions.
			for done.Load() < int64((r+1)*size.questions/(size.reindexes+1)) && ctx.Err() == nil {
				time.Sleep(time.Millisecond)
			}
			if _, err := ix.Swap(ctx, bases[r%2]); err != nil {
				fail(fmt.Errorf("reindex %d: %w", r, err))
			}
		}
	})
	wg.Wait()
	took = time.Since(start)
	for i, err := range failures {
		if i == 5 {
			tb.Errorf("… %d failures in all", len(failures))
			break
		}
		tb.Error(err)
	}
	if want := []*knowledge.Base{a, b}[size.reindexes%2].Version(); ix.Version() != want {
		tb.Errorf("index version %s after %d reindexes; want %s", ix.Version(), size.reindexes, want)
	}
	return int(ok.Load()), took
}

// botReindexes is scenario 2 through Discord: /ask from many users while a
// moderator edits KNOWLEDGE_DIR and runs /reindex, on an index on disk.
type botReindexes struct {
	summary  summary
	start    time.Time
	reindex  []time.Duration // dispatch → report, per /reindex
	peakHeap uint64
}

func runBotReindexes(tb testing.TB, f *fixture, dir string, size reindexSize) botReindexes {
	tb.Helper()
	ctx := testContext(tb, reindexTimeout)
	heap := loadtest.SampleHeap(ctx, 50*time.Millisecond)
	var (
		run      = botReindexes{start: time.Now()}
		asks     []*discordtest.Interaction
		pending  *discordtest.Interaction
		versions = map[string]bool{f.ix.Version(): true}
	)
	// waitReport waits for the running /reindex's report and checks it.
	waitReport := func() {
		if pending == nil {
			return
		}
		m, err := finalReply(ctx, pending)
		switch {
		case err != nil:
			tb.Error(err)
		case len(m.Embeds) == 0 || m.Embeds[0].Title != "Reindexed" || !strings.Contains(m.Embeds[0].Description, "→"):
			tb.Errorf("reindex %d reported %q %+v; want it reindexed", len(run.reindex), m.Content, m.Embeds)
		default:
			run.reindex = append(run.reindex, m.After)
			versions[f.ix.Version()] = true
		}
		pending = nil
	}
	every, dispatched := size.questions/(size.reindexes+1), 0
	for i := range size.questions {
		asks = append(asks, f.ask(question(i)))
		if (i+1)%every == 0 && dispatched < size.reindexes {
			// The files change only between reindexes, as a moderator
			// edits them, and atomically, as an editor saves them.
			waitReport()
			toggleStatement(tb, dir)
			pending = f.reindex()
			dispatched++
		}
	}
	waitReport()
	run.summary = summarise(collect(ctx, asks))
	run.peakHeap = heap.Stop()
	for _, r := range collectReplies(ctx, asks) {
		if v := footerVersion(r); !versions[v] {
			tb.Errorf("an answer from index version %q; the index had versions %v", v, versions)
			break
		}
	}
	if len(run.reindex) != size.reindexes {
		tb.Errorf("%d of %d reindexes reported", len(run.reindex), size.reindexes)
	}
	return run
}

// collectReplies returns the final replies the interactions already have.
func collectReplies(ctx context.Context, ins []*discordtest.Interaction) []discordtest.Message {
	var out []discordtest.Message
	for _, in := range ins {
		if m, err := finalReply(ctx, in); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// footerVersion is the index version an answer's footer names.
func footerVersion(m discordtest.Message) string {
	if len(m.Embeds) == 0 || m.Embeds[0].Footer == nil {
		return ""
	}
	_, v, _ := strings.Cut(m.Embeds[0].Footer.Text, " · index ")
	return v
}

// toggleStatement switches the edited fact's statement in dir between its
// two texts, replacing the file atomically.
func toggleStatement(tb testing.TB, dir string) {
	tb.Helper()
	file := filepath.Join(dir, editedFile)
	b, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	switch {
	case strings.Contains(s, statementTo):
		s = strings.Replace(s, statementTo, statementFrom, 1)
	case strings.Contains(s, statementFrom):
		s = strings.Replace(s, statementFrom, statementTo, 1)
	default:
		tb.Fatalf("%s has neither statement", file)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dir), "edit-*")
	if err != nil {
		tb.Fatal(err)
	}
	_, werr := tmp.WriteString(s)
	if err := errors.Join(werr, tmp.Close(), os.Rename(tmp.Name(), file)); err != nil {
		tb.Fatal(err)
	}
}

// TestReindexUnderLoad is scenario 2: reindexes while questions are being
// answered — straight on the engine with Index.Swap, and through Discord
// with /reindex of an edited KNOWLEDGE_DIR on an index on disk. No question
// fails and none gets an empty answer; each answer comes from a version
// the index had; every reindex is reported.
func TestReindexUnderLoad(t *testing.T) {
	size := reindexSizeFor(loadtest.ScaleFromEnv(loadtest.Small))
	t.Run("engine", func(t *testing.T) {
		answered, took := engineReindexes(t, size, 4)
		t.Logf("%d questions answered in %v during %d swaps", answered, took.Round(time.Millisecond), size.reindexes)
		if answered != size.questions {
			t.Errorf("%d of %d questions answered", answered, size.questions)
		}
	})
	t.Run("bot", func(t *testing.T) {
		dir := copyKnowledge(t)
		f := startBot(t, setup{knowledgeDir: dir, indexPath: t.TempDir()})
		run := runBotReindexes(t, f, dir, size)
		s := run.summary
		t.Logf("%s; reindex reports p50 %v max %v; peak heap %.1f MB", s,
			loadtest.Percentile(run.reindex, 50).Round(time.Millisecond), loadtest.Percentile(run.reindex, 100).Round(time.Millisecond),
			loadtest.MB(run.peakHeap))
		s.check(t)
		if got := s.outcomes[outcomeAnswered]; got != size.questions {
			t.Errorf("%d of %d questions answered (%v)", got, size.questions, s.outcomes)
		}
	})
}

// BenchmarkReindexUnderLoad is scenario 2 at full size through Discord:
// 20 reindexes during 1,000 questions.
func BenchmarkReindexUnderLoad(b *testing.B) {
	size := reindexSizeFor(loadtest.ScaleFromEnv(loadtest.Full))
	dir := copyKnowledge(b)
	f := startBot(b, setup{knowledgeDir: dir, indexPath: b.TempDir()})
	var run botReindexes
	for b.Loop() {
		run = runBotReindexes(b, f, dir, size)
		run.summary.check(b)
		if got := run.summary.outcomes[outcomeAnswered]; got != size.questions {
			b.Errorf("%d of %d questions answered (%v)", got, size.questions, run.summary.outcomes)
		}
	}
	reportBench(b, run.summary, run.start, run.peakHeap)
	b.ReportMetric(loadtest.Millis(loadtest.Percentile(run.reindex, 50)), "reindex-p50-ms")
	b.ReportMetric(loadtest.Millis(loadtest.Percentile(run.reindex, 100)), "reindex-max-ms")
}
