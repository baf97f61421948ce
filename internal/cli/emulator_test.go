package cli_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/internal/cli"
	"github.com/bytewatch/bytewatch/knowledge"
)

// watched is output a test waits on: each write wakes the waiters.
type watched struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{}
}

func newWatched() *watched { return &watched{changed: make(chan struct{})} }

func (w *watched) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	close(w.changed)
	w.changed = make(chan struct{})
	return len(p), nil
}

func (w *watched) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// waitCount waits until s occurs at least n times in the output.
func (w *watched) waitCount(t *testing.T, ctx context.Context, s string, n int) {
	t.Helper()
	for {
		w.mu.Lock()
		ok, ch := strings.Count(w.b.String(), s) >= n, w.changed
		w.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("waiting for %d× %q: %v; output:\n%s", n, s, ctx.Err(), w.String())
		}
	}
}

// emulatorSession is `bytewatch run --emulator` with a pipe for stdin.
type emulatorSession struct {
	in             *io.PipeWriter
	stdout, stderr *watched
	done           chan int
	prompts        int
}

func startEmulator(t *testing.T, ctx context.Context, env map[string]string) *emulatorSession {
	t.Helper()
	r, w := io.Pipe()
	s := &emulatorSession{in: w, stdout: newWatched(), stderr: newWatched(), done: make(chan int, 1)}
	lookup := testLookup(t, env)
	go func() {
		s.done <- cli.Main(ctx, []string{"run", "--emulator"}, cli.Env{Stdin: r, Stdout: s.stdout, Stderr: s.stderr, Lookup: lookup})
		r.Close()
	}()
	t.Cleanup(func() { s.stop(t, ctx) })
	s.prompts = 1
	s.stdout.waitCount(t, ctx, "> ", s.prompts)
	return s
}

// ask types a line and waits for the next prompt, which follows the reply.
func (s *emulatorSession) ask(t *testing.T, ctx context.Context, line string) {
	t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
	s.prompts++ // every prompt but the first follows a reply's last line
	s.stdout.waitCount(t, ctx, "\n> ", s.prompts)
}

// stop ends stdin, as Ctrl-D does, and wants bytewatch to exit cleanly.
func (s *emulatorSession) stop(t *testing.T, ctx context.Context) {
	t.Helper()
	if s.done == nil {
		return
	}
	s.in.Close()
	select {
	case code := <-s.done:
		if code != cli.ExitOK {
			t.Errorf("run --emulator exited %d; stderr:\n%s", code, s.stderr.String())
		}
	case <-ctx.Done():
		t.Errorf("run --emulator did not stop after stdin ended: %v", ctx.Err())
	}
	s.done = nil
}

// TestRunEmulator: `bytewatch run --emulator` needs no Discord token,
// serves the bot against the loopback Discord, and shows the bot's replies
// to what a person types: an /ask answer embed with its sources, /about,
// a mention; it stops when stdin ends.
func TestRunEmulator(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := startEmulator(t, ctx, map[string]string{"DISCORD_API_BASE_URL": "http://127.0.0.1:9", "HEALTH_ADDR": "127.0.0.1:9"})
	if out := s.stdout.String(); !strings.Contains(out, "loopback Discord at http://127.0.0.1:") || !strings.Contains(out, "/sources QUERY") {
		t.Fatalf("start-up text:\n%s", out)
	}
	s.ask(t, ctx, "How much is ByteDance investing in AI infrastructure?")
	s.ask(t, ctx, "/about")
	s.ask(t, ctx, "@ Who is ByteDance's CEO?")
	s.ask(t, ctx, "^ and Doubao's?")
	s.ask(t, ctx, "How much is ByteDance investing in AI infrastructure?")
	s.ask(t, ctx, "^ and Microsoft?")
	s.ask(t, ctx, "/frobnicate")
	s.ask(t, ctx, "/source list")
	s.ask(t, ctx, "/source show bytedance-ai-investment-2025")
	s.stop(t, ctx)
	out := s.stdout.String()
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"│ **How much is ByteDance investing in AI infrastructure?**", "│ **Sources**\n│ [1] ", "│ Not investment advice",
		"│ **About bytewatch**", "29 facts from 1 source,", base.Version(),
		"│ **Who is ByteDance's CEO?**", "don't cover that", "│ **Answering: Who is Doubao's CEO?**",
		"│ **Answering: How much is Microsoft investing in AI infrastructure?**", "Microsoft spent $55.7 billion",
		"no command /frobnicate here",
		"│ 1 source, 29 facts · index ", "The built-in knowledge: read-only.", "│ **Source bytedance-ai-investment-2025**", "`bytedance-owns-tiktok`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("emulator output lacks %q:\n%s", want, out)
		}
	}
}

// TestIndexPathKeptAndReused: the bot keeps its index in INDEX_PATH when
// it stops, reuses it at the next start with the same knowledge, and
// rebuilds it (removing the old one) when the knowledge changes. ask never
// touches INDEX_PATH.
func TestIndexPathKeptAndReused(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "idx")
	gens := func() []string {
		dirs, _ := filepath.Glob(filepath.Join(path, "gen-*"))
		return dirs
	}
	env := map[string]string{"INDEX_PATH": path}

	if code, _, stderr := run(t, env, "ask", "Doubao users?"); code != 0 || len(gens()) != 0 {
		t.Fatalf("ask with INDEX_PATH: exit %d, generations %v; want none (ask indexes in memory)\n%s", code, gens(), stderr)
	}

	s := startEmulator(t, ctx, env)
	s.ask(t, ctx, "How much is ByteDance investing in AI infrastructure?")
	s.stop(t, ctx)
	first := gens()
	if len(first) != 1 {
		t.Fatalf("after the first run: generations %v; want the index kept", first)
	}

	s = startEmulator(t, ctx, env)
	s.ask(t, ctx, "How much is ByteDance investing in AI infrastructure?")
	s.stop(t, ctx)
	if !strings.Contains(s.stderr.String(), "reusing the index on disk") {
		t.Errorf("second run did not reuse the index; log:\n%s", s.stderr.String())
	}
	if !strings.Contains(s.stdout.String(), "│ [1] ") {
		t.Errorf("second run's answer:\n%s", s.stdout.String())
	}
	if got := gens(); len(got) != 1 || got[0] != first[0] {
		t.Errorf("after the second run: generations %v; want %v", got, first)
	}

	// Other knowledge: rebuilt, the old index removed.
	// A copy: the bot keeps the folder's history in it (.history).
	good := t.TempDir()
	for _, name := range []string{"a.yaml", "b.yml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "knowledge", "testdata", "good", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(good, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env["KNOWLEDGE_DIR"] = good
	s = startEmulator(t, ctx, env)
	s.stop(t, ctx)
	got := gens()
	if strings.Contains(s.stderr.String(), "reusing") || len(got) != 1 || got[0] == first[0] {
		t.Errorf("with other knowledge: generations %v (first %v); log:\n%s", got, first, s.stderr.String())
	}
}
