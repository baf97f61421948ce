package folder_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/logtest"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/folder"
)

func TestMain(m *testing.M) {
	// Bleve starts its analysis workers at init, for the life of the process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}

// env is a knowledge folder (a copy of the built-in base) with a live
// index built from it.
type env struct {
	dir  string
	ix   *index.Index
	f    *folder.Folder
	logs *logtest.Buffer
}

func newEnv(t *testing.T, faults func(folder.Options) folder.Options) *env {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"base.yaml", "bytedance-ai-investment-2025.yaml"} {
		copyFile(t, filepath.Join("..", "data", name), filepath.Join(dir, name))
	}
	base, err := knowledge.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(context.Background(), base, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	e := &env{dir: dir, ix: ix, logs: &logtest.Buffer{}}
	e.f = e.open(t, faults)
	return e
}

// open opens the folder again, as a restarted bot would.
func (e *env) open(t *testing.T, faults func(folder.Options) folder.Options) *folder.Folder {
	t.Helper()
	opts := folder.Options{Index: e.ix, Logger: slog.New(slog.NewJSONHandler(e.logs, nil))}
	if faults != nil {
		opts = faults(opts)
	}
	f, err := folder.Open(e.dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// snapshot is the folder's knowledge files (and any stray temporary
// files) by name.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func names(m map[string]string) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// checkConsistent checks that the folder loads, that the index serves
// exactly its knowledge, and that its newest version holds its files.
func (e *env) checkConsistent(t *testing.T, f *folder.Folder) *knowledge.Base {
	t.Helper()
	base, err := knowledge.LoadDir(e.dir)
	if err != nil {
		t.Fatalf("the folder does not load: %v", err)
	}
	if e.ix.Version() != base.Version() {
		t.Errorf("index serves %s; the folder is %s", e.ix.Version(), base.Version())
	}
	if head := f.Head(); head.Knowledge != base.Version() {
		t.Errorf("newest version %d records knowledge %s; the folder is %s", head.N, head.Knowledge, base.Version())
	}
	for _, n := range names(snapshot(t, e.dir)) {
		if strings.HasPrefix(n, ".tmp") {
			t.Errorf("temporary file left in the folder: %s", n)
		}
	}
	return base
}

func TestAddRemoveRollback(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	start := e.checkConsistent(t, e.f)
	if h := e.f.Head(); h.N != 1 || h.Action != folder.ActionInitial {
		t.Fatalf("first version = %+v; want 1, initial", h)
	}

	p, err := e.f.PlanAdd("discord:1 (mod)", fixture(t, "capex-update-2025.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"capex-update-ai-infra-15b", "capex-update-singapore-lab"}; !slices.Equal(p.Changes.Added, want) {
		t.Errorf("added = %v; want %v", p.Changes.Added, want)
	}
	var others []string
	for _, c := range p.Conflicts {
		if c.Fact.ID != "capex-update-ai-infra-15b" {
			t.Errorf("conflict of %s: %+v", c.Fact.ID, c)
		}
		others = append(others, c.Other.ID)
	}
	if len(others) < 2 || !slices.Contains(others, "ai-infra-over-10b") {
		t.Errorf("conflicts with %v; want the existing AI infrastructure figures for 2025", others)
	}
	if snap := snapshot(t, e.dir); len(snap) != 2 {
		t.Fatalf("planning wrote files: %v", names(snap))
	}
	res, err := e.f.Apply(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version.N != 2 || res.Version.Action != folder.ActionAdd || res.Version.Who != "discord:1 (mod)" ||
		!slices.Equal(res.Version.Files.Added, []string{"capex-update-2025.yaml"}) {
		t.Errorf("version = %+v", res.Version)
	}
	if !slices.Equal(res.Report.Changes.Added, p.Changes.Added) {
		t.Errorf("swap report added %v", res.Report.Changes.Added)
	}
	added := e.checkConsistent(t, e.f)
	if _, ok := added.Fact("capex-update-singapore-lab"); !ok {
		t.Error("the new fact is not in the folder")
	}

	name, data, err := e.f.SourceFile("capex-update-2025")
	if err != nil || name != "capex-update-2025.yaml" || string(data) != string(fixture(t, "capex-update-2025.yaml")) {
		t.Errorf("SourceFile = %q, %d bytes, %v", name, len(data), err)
	}

	p, err = e.f.PlanRemove("cli:alice", "capex-update-2025")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes.Removed) != 2 || len(p.Changes.Added) != 0 {
		t.Errorf("remove plan changes %+v", p.Changes)
	}
	if _, err := e.f.Apply(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := e.checkConsistent(t, e.f); got.Version() != start.Version() {
		t.Errorf("after removing the new source the knowledge is %s; want %s", got.Version(), start.Version())
	}

	p, err = e.f.PlanRollback("discord:2 (mod2)", 2)
	if err != nil {
		t.Fatal(err)
	}
	res, err = e.f.Apply(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version.N != 4 || res.Version.Action != folder.ActionRollback || res.Version.RollbackTo != 2 {
		t.Errorf("rollback version = %+v", res.Version)
	}
	if got := e.checkConsistent(t, e.f); got.Version() != added.Version() {
		t.Errorf("after rolling back to 2 the knowledge is %s; want %s", got.Version(), added.Version())
	}
	var actions []string
	for _, v := range e.f.History(0) {
		actions = append(actions, fmt.Sprintf("%d %s %s", v.N, v.Action, v.Who))
	}
	want := []string{"4 rollback discord:2 (mod2)", "3 remove cli:alice", "2 add discord:1 (mod)", "1 initial bytewatch"}
	if !slices.Equal(actions, want) {
		t.Errorf("history = %q; want %q", actions, want)
	}
	// The history survives a restart.
	if got := e.open(t, nil).History(2); len(got) != 2 || got[0].N != 4 || got[1].N != 3 {
		t.Errorf("history after reopening = %+v", got)
	}
	if _, err := e.f.PlanRollback("x", 4); !errors.Is(err, folder.ErrNoChange) {
		t.Errorf("rollback to the current version: %v; want ErrNoChange", err)
	}
	if _, err := e.f.PlanRollback("x", 9); !errors.Is(err, folder.ErrUnknownVersion) {
		t.Errorf("rollback to version 9: %v; want ErrUnknownVersion", err)
	}
}

func TestPlanRefuses(t *testing.T) {
	e := newEnv(t, nil)
	before := snapshot(t, e.dir)
	bomb := "id: bomb\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	deep := "id: deep\nfacts: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n"
	for _, tc := range []struct {
		name, data string
		unsafe     bool     // refused before loading
		problems   []string // else: these problems, file:line
	}{
		{name: "alias bomb", data: bomb, unsafe: true},
		{name: "deep nesting", data: deep, unsafe: true},
		{name: "over 1 MiB", data: "id: big\n# " + strings.Repeat("x", folder.MaxFileSize) + "\n", unsafe: true},
		{name: "id reaching outside", data: "id: ../../etc/passwd\n", unsafe: true},
		{name: "id with capitals", data: "id: ByteDance\n", unsafe: true},
		{name: "the id of base.yaml", data: "id: base\n", unsafe: true},
		{name: "no id", data: "title: x\n", unsafe: true},
		{name: "not YAML", data: "id: [unclosed\n", unsafe: true},
		{name: "a list", data: "- id: x\n", unsafe: true},
		{name: "empty", data: "  \n", unsafe: true},
		{name: "figure not in the statement", data: string(fixture(t, "bad-figure.yaml")),
			problems: []string{"bad-figure.yaml:9: ", "bad-figure.yaml:14: "}},
		{name: "a fact id already used", data: strings.ReplaceAll(string(fixture(t, "second-source.yaml")), "second-source-fact", "ai-infra-over-10b"),
			problems: []string{"second-source.yaml:7: duplicate fact id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := e.f.PlanAdd("x", []byte(tc.data))
			if err == nil {
				t.Fatalf("planned %+v; want a refusal", p.Changes)
			}
			var le *knowledge.LoadError
			switch {
			case tc.unsafe && !errors.Is(err, folder.ErrUnsafe):
				t.Errorf("error %v; want ErrUnsafe", err)
			case !tc.unsafe && !errors.As(err, &le):
				t.Errorf("error %v; want a *knowledge.LoadError", err)
			}
			for _, want := range tc.problems {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("problems lack %q:\n%v", want, err)
				}
			}
		})
	}
	if got := snapshot(t, e.dir); !maps(got, before) {
		t.Errorf("refused changes changed the folder: %v", names(got))
	}
	if n := len(e.f.History(0)); n != 1 {
		t.Errorf("refused changes made %d versions", n)
	}
	if _, err := e.f.PlanRemove("x", "no-such-source"); !errors.Is(err, folder.ErrUnknownSource) {
		t.Errorf("removing an unknown source: %v", err)
	}
	if _, err := e.f.PlanRemove("x", "../base"); !errors.Is(err, folder.ErrUnsafe) {
		t.Errorf("removing ../base: %v", err)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// TestConcurrentConfirm confirms two previews made against the same
// version at once: one wins, the other is told the knowledge changed.
func TestConcurrentConfirm(t *testing.T) {
	e := newEnv(t, nil)
	p1, err := e.f.PlanAdd("discord:1", fixture(t, "capex-update-2025.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := e.f.PlanAdd("discord:2", fixture(t, "second-source.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range []*folder.Plan{p1, p2} {
		wg.Go(func() { _, errs[i] = e.f.Apply(context.Background(), p) })
	}
	wg.Wait()
	ok, stale := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, folder.ErrStale):
			stale++
		default:
			t.Errorf("Apply: %v", err)
		}
	}
	if ok != 1 || stale != 1 {
		t.Errorf("%d applied, %d stale (%v); want one of each", ok, stale, errs)
	}
	base := e.checkConsistent(t, e.f)
	if len(base.Sources) != 2 {
		t.Errorf("%d sources; want the built-in one and one new", len(base.Sources))
	}
	if n := len(e.f.History(0)); n != 2 {
		t.Errorf("%d versions; want 2", n)
	}
}

// TestStaleAfterEditOnDisk refuses a confirmation when the files were
// edited after the preview.
func TestStaleAfterEditOnDisk(t *testing.T) {
	e := newEnv(t, nil)
	p, err := e.f.PlanAdd("discord:1", fixture(t, "capex-update-2025.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join("testdata", "second-source.yaml"), filepath.Join(e.dir, "second-source.yaml"))
	if _, err := e.f.Apply(context.Background(), p); !errors.Is(err, folder.ErrStale) {
		t.Errorf("Apply after an edit on disk: %v; want ErrStale", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "capex-update-2025.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the stale change was written")
	}
}

// twoFileRollback prepares a folder whose next change — a rollback to
// version 3 — writes two files, and returns its plan.
func twoFileRollback(t *testing.T, e *env, f *folder.Folder) *folder.Plan {
	t.Helper()
	ctx := context.Background()
	for _, name := range []string{"capex-update-2025.yaml", "second-source.yaml"} {
		p, err := f.PlanAdd("setup", fixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Apply(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	p, err := f.PlanRollback("setup", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Apply(ctx, p); err != nil {
		t.Fatal(err)
	}
	p, err = f.PlanRollback("discord:1", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files.Added) != 2 {
		t.Fatalf("the rollback writes %v; want two files", p.Files)
	}
	return p
}

// TestCrash stops a change at each stage as a crash would, then opens the
// folder again and builds the index from it, as a restarted bot does: the
// folder is one version or the other, whole, and its history says which.
func TestCrash(t *testing.T) {
	for _, tc := range []struct {
		stage    string
		finished bool // whether the restart finishes the change
	}{
		{"staged", false},
		{"pending", true},
		{"temps-written", true},
		{"first-rename", true},
		{"written", true},
		{"swapped", true},
	} {
		t.Run(tc.stage, func(t *testing.T) {
			var crash sync.Mutex
			armed := false
			e := newEnv(t, func(o folder.Options) folder.Options {
				return folder.WithFaults(o, nil, func(stage string) error {
					crash.Lock()
					defer crash.Unlock()
					if armed && stage == tc.stage {
						return folder.ErrCrash
					}
					return nil
				})
			})
			p := twoFileRollback(t, e, e.f)
			before, err := knowledge.LoadDir(e.dir)
			if err != nil {
				t.Fatal(err)
			}
			crash.Lock()
			armed = true
			crash.Unlock()
			if _, err := e.f.Apply(context.Background(), p); !errors.Is(err, folder.ErrCrash) {
				t.Fatalf("Apply = %v; want the crash", err)
			}

			// The restart: open the folder, load it, build a new index.
			f := e.open(t, nil)
			base, err := knowledge.LoadDir(e.dir)
			if err != nil {
				t.Fatalf("after the crash the folder does not load: %v", err)
			}
			ix, err := index.Build(context.Background(), base, index.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			e.ix = ix
			e.checkConsistent(t, f)
			head := f.Head()
			switch {
			case tc.finished && (head.N != 5 || !head.Recovered || base.Version() != p.After.Version()):
				t.Errorf("after the restart: version %+v, knowledge %s; want version 5, recovered, knowledge %s", head, base.Version(), p.After.Version())
			case !tc.finished && (head.N != 4 || base.Version() != before.Version()):
				t.Errorf("after the restart: version %d, knowledge %s; want version 4 as before, %s", head.N, base.Version(), before.Version())
			}
			hist, err := os.ReadDir(filepath.Join(e.dir, folder.HistoryDir))
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, h := range hist {
				if h.Name() != "lock" {
					left = append(left, h.Name())
				}
			}
			if want := head.N; len(left) != want {
				t.Errorf("history folder holds %v; want exactly the %d versions", left, want)
			}
			// And it takes the next change normally.
			if p, err := f.PlanRollback("after", 2); err != nil {
				t.Error(err)
			} else if _, err := f.Apply(context.Background(), p); err != nil {
				t.Error(err)
			}
		})
	}
}

// fullDisk makes every write fail with ENOSPC once budget writes have
// been made.
type fullDisk struct {
	mu     sync.Mutex
	budget int
}

func (d *fullDisk) create(dir, pattern string) (folder.TempFile, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &limitedFile{File: f, disk: d}, nil
}

type limitedFile struct {
	*os.File
	disk *fullDisk
}

func (f *limitedFile) Write(p []byte) (int, error) {
	f.disk.mu.Lock()
	defer f.disk.mu.Unlock()
	if f.disk.budget <= 0 {
		return 0, &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	f.disk.budget--
	return f.File.Write(p)
}

// TestFullDisk fills the disk at every write a rollback makes in turn:
// each failure leaves the folder, its history and the index as they were,
// until there is room for all of them.
func TestFullDisk(t *testing.T) {
	disk := &fullDisk{budget: 1 << 30}
	e := newEnv(t, func(o folder.Options) folder.Options { return folder.WithFaults(o, disk.create, nil) })
	p := twoFileRollback(t, e, e.f)
	before := snapshot(t, e.dir)
	version := e.ix.Version()
	for writes := 0; ; writes++ {
		if writes > 20 {
			t.Fatal("the rollback still fails with room for 20 writes")
		}
		disk.mu.Lock()
		disk.budget = writes
		disk.mu.Unlock()
		_, err := e.f.Apply(context.Background(), p)
		if err == nil {
			t.Logf("the rollback needs %d writes", writes)
			break
		}
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "nothing changed") {
			t.Fatalf("with room for %d writes: %v; want ENOSPC and nothing changed", writes, err)
		}
		if got := snapshot(t, e.dir); !maps(got, before) {
			t.Fatalf("with room for %d writes the folder changed: %v", writes, names(got))
		}
		if e.ix.Version() != version || e.f.Head().N != 4 {
			t.Fatalf("with room for %d writes: index %s, version %d", writes, e.ix.Version(), e.f.Head().N)
		}
		// A restart finds it as it was too.
		if h := e.open(t, nil).Head(); h.N != 4 {
			t.Fatalf("with room for %d writes, after a restart the newest version is %d", writes, h.N)
		}
	}
	disk.mu.Lock()
	disk.budget = 1 << 30
	disk.mu.Unlock()
	if got := e.checkConsistent(t, e.f); got.Version() != p.After.Version() || e.f.Head().N != 5 {
		t.Errorf("after the rollback: knowledge %s, version %d", got.Version(), e.f.Head().N)
	}
}

// failingIndex refuses every swap.
type failingIndex struct{}

func (failingIndex) Swap(context.Context, *knowledge.Base) (index.SwapReport, error) {
	return index.SwapReport{}, errors.New("index build failed")
}

func TestSwapFailureLeavesTheFolder(t *testing.T) {
	e := newEnv(t, func(o folder.Options) folder.Options { o.Index = failingIndex{}; return o })
	before := snapshot(t, e.dir)
	p, err := e.f.PlanAdd("discord:1", fixture(t, "capex-update-2025.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.f.Apply(context.Background(), p); err == nil || !strings.Contains(err.Error(), "as it was") {
		t.Errorf("Apply = %v; want the index failure, folder as it was", err)
	}
	if got := snapshot(t, e.dir); !maps(got, before) {
		t.Errorf("the folder changed: %v", names(got))
	}
	if h := e.f.Head(); h.N != 1 {
		t.Errorf("newest version %d", h.N)
	}
}

// TestWatch edits the folder on disk: a good edit is live and recorded
// within 2 s, a bad one is reported with its problems and changes
// nothing.
func TestWatch(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan folder.Event, 10)
	done := make(chan error, 1)
	go func() { done <- e.f.Watch(ctx, 50*time.Millisecond, func(ev folder.Event) { events <- ev }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch = %v", err)
		}
	}()
	next := func(what string) folder.Event {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-time.After(10 * time.Second): // the 2 s promise is checked where nothing else is slow
			t.Fatalf("no event within 10 s of %s", what)
		}
		return folder.Event{}
	}
	// Watch adds the folder to the watcher before its first sync, so
	// the edit is seen whether it lands before or after. A file caught
	// half-written may be refused first; the write's own event follows.
	copyFile(t, filepath.Join("testdata", "second-source.yaml"), filepath.Join(e.dir, "second-source.yaml"))
	ev := next("the new file")
	for ev.Version == nil {
		ev = next("the new file, whole")
	}
	if ev.Version == nil || ev.Version.Action != folder.ActionEdit || ev.Version.Who != "disk" ||
		!slices.Equal(ev.Version.Files.Added, []string{"second-source.yaml"}) {
		t.Fatalf("event = %+v; want a version made by the edit", ev)
	}
	e.checkConsistent(t, e.f)
	good := e.ix.Version()

	start := time.Now()
	copyFile(t, filepath.Join("testdata", "bad-figure.yaml"), filepath.Join(e.dir, "bad-figure.yaml"))
	for ev = next("a bad edit"); len(ev.Problems) == 1 && strings.Contains(ev.Problems[0].Msg, "empty"); ev = next("a bad edit, whole") {
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the bad edit was reported after %s", took)
	}
	if len(ev.Problems) != 2 || ev.Problems[0].String() != "bad-figure.yaml:9: statement mentions \"$20 billion\" but no figure gives it" {
		t.Errorf("problems = %v", ev.Problems)
	}
	if e.ix.Version() != good || e.f.Head().N != 2 {
		t.Errorf("a bad edit changed the index (%s) or the history (%d)", e.ix.Version(), e.f.Head().N)
	}
	if !strings.Contains(e.logs.String(), "bad-figure.yaml:14: figure $30 billion does not appear in the statement") {
		t.Errorf("the log lacks the problems:\n%s", e.logs.String())
	}

	// Fixing it makes it live.
	if err := os.Remove(filepath.Join(e.dir, "bad-figure.yaml")); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join("testdata", "capex-update-2025.yaml"), filepath.Join(e.dir, "capex-update-2025.yaml"))
	for ev = next("the fix"); ev.Version == nil; ev = next("the fix") {
	}
	if ev.Version.N != 3 {
		t.Errorf("version %d after the fix", ev.Version.N)
	}
	e.checkConsistent(t, e.f)
}

// TestTwoProcesses changes the folder from a second Folder, as the
// command line does while the bot runs: the bot's preview made before it
// is stale, and the bot's Sync makes the change live without recording it
// twice.
func TestTwoProcesses(t *testing.T) {
	e := newEnv(t, nil)
	botPlan, err := e.f.PlanAdd("discord:1", fixture(t, "second-source.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cli, err := folder.Open(e.dir, folder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := cli.PlanAdd("cli:alice", fixture(t, "capex-update-2025.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Apply(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.f.Apply(context.Background(), botPlan); !errors.Is(err, folder.ErrStale) {
		t.Errorf("the bot's older preview: %v; want ErrStale", err)
	}
	ev, ok := e.f.Sync(context.Background())
	if !ok || ev.Version == nil || ev.Version.N != 2 || ev.Version.Who != "cli:alice" {
		t.Fatalf("Sync = %+v, %v; want the command line's version 2", ev, ok)
	}
	e.checkConsistent(t, e.f)
	if n := len(e.f.History(0)); n != 2 {
		t.Errorf("%d versions; want 2", n)
	}
	if _, ok := e.f.Sync(context.Background()); ok {
		t.Error("a second Sync reported something")
	}
}

// TestReindex reloads the folder as /reindex does: edits on disk are
// swapped in and recorded; a broken folder swaps nothing.
func TestReindex(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	rep, err := e.f.Reindex(ctx)
	if err != nil || !rep.Changes.Empty() || e.f.Head().N != 1 {
		t.Fatalf("Reindex of an unchanged folder = %+v, %v; version %d", rep, err, e.f.Head().N)
	}
	copyFile(t, filepath.Join("testdata", "second-source.yaml"), filepath.Join(e.dir, "second-source.yaml"))
	rep, err = e.f.Reindex(ctx)
	if err != nil || !slices.Equal(rep.Changes.Added, []string{"second-source-fact"}) {
		t.Fatalf("Reindex = %+v, %v", rep, err)
	}
	if h := e.f.Head(); h.N != 2 || h.Who != "disk" || h.Action != folder.ActionEdit {
		t.Errorf("newest version = %+v", h)
	}
	e.checkConsistent(t, e.f)
	if _, ok := e.f.Sync(ctx); ok {
		t.Error("Sync after Reindex found something to do")
	}
	good := e.ix.Version()
	copyFile(t, filepath.Join("testdata", "bad-figure.yaml"), filepath.Join(e.dir, "bad-figure.yaml"))
	var le *knowledge.LoadError
	if _, err := e.f.Reindex(ctx); !errors.As(err, &le) || len(le.Problems) != 2 {
		t.Errorf("Reindex of a broken folder = %v", err)
	}
	if e.ix.Version() != good || e.f.Head().N != 2 {
		t.Error("a broken folder was swapped in or recorded")
	}
}

// TestWatchUnderConstantWrites: an editor that never stops writing (an
// autosave every 50 ms) still gets its edit synced, within the watcher's
// one-second cap on waiting for quiet.
func TestWatchUnderConstantWrites(t *testing.T) {
	watching := make(chan struct{})
	e := newEnv(t, func(o folder.Options) folder.Options {
		return folder.WithFaults(o, nil, func(stage string) error {
			if stage == "watching" {
				close(watching)
			}
			return nil
		})
	})
	// The first content is recorded before watching, so that only the
	// writes below can make the next version.
	first := fixture(t, "second-source.yaml")
	if err := os.WriteFile(filepath.Join(e.dir, "second-source.yaml"), first, 0o644); err != nil {
		t.Fatal(err)
	}
	if ev, _ := e.f.Sync(context.Background()); ev.Version == nil {
		t.Fatalf("Sync = %+v", ev)
	}
	edited := []byte(strings.ReplaceAll(string(first), "hired engineers for its AI research team", "hired researchers for its AI team"))

	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan folder.Event, 100)
	done := make(chan error, 1)
	go func() { done <- e.f.Watch(ctx, 300*time.Millisecond, func(ev folder.Event) { events <- ev }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch = %v", err)
		}
	}()
	<-watching
	stop := make(chan struct{})
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			// Written in place, as an editor's autosave does: a sync may
			// catch it half-written, and must then catch it whole.
			os.WriteFile(filepath.Join(e.dir, "second-source.yaml"), edited, 0o644)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	stopWriting := func() {
		close(stop)
		<-wrote
	}
	// Without the cap no sync would come for as long as the writes go on;
	// with it one comes within about a second (more on a busy machine).
	start := time.Now()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Version == nil {
				t.Logf("event %+v", ev)
				continue // caught half-written
			}
			stopWriting()
			t.Logf("synced after %s of writes", time.Since(start).Round(time.Millisecond))
			if ev.Version.N != 3 || !slices.Equal(ev.Version.Facts.Changed, []string{"second-source-fact"}) {
				t.Errorf("version = %+v", ev.Version)
			}
			return
		case <-deadline:
			stopWriting()
			t.Fatal("no version within 10 s while the file kept being written")
		}
	}
}
