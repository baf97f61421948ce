//go:build unix

package loadtest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/cli"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/internal/loadtest"
	"github.com/bytewatch/bytewatch/knowledge"
)

// indexPathSize is scenario 5's size: questions asked before and after
// each failing /reindex is dispatched, so that some are in flight while it
// fails.
type indexPathSize struct{ around int }

func indexPathSizeFor(s loadtest.Scale) indexPathSize {
	return loadtest.Pick(s, indexPathSize{around: 10}, indexPathSize{around: 100})
}

// tmpfsSize is the size of the file system mounted to fill: room for a
// few generations of the default index (about 70 KB each on disk).
const tmpfsSize = "1m"

// indexPathFault makes INDEX_PATH unusable under a running bot, and
// undoes it.
type indexPathFault struct {
	name string
	// prepare runs before the bot starts, with the INDEX_PATH to be.
	prepare func(tb testing.TB, path string)
	// breakPath makes path unwritable and returns what the error must say,
	// and how to undo it.
	breakPath func(tb testing.TB, path string) (cause string, undo func())
}

var indexPathFaults = []indexPathFault{
	{
		name: "replaced by a regular file",
		breakPath: func(tb testing.TB, path string) (string, func()) {
			// The live generation's files stay open where they were moved.
			moved := path + ".moved"
			must(tb, os.Rename(path, moved))
			must(tb, os.WriteFile(path, []byte("not a folder\n"), 0o644))
			return "not a directory", func() {
				must(tb, os.Remove(path))
				must(tb, os.Rename(moved, path))
			}
		},
	},
	{
		name: "read-only folder",
		prepare: func(tb testing.TB, _ string) {
			if os.Geteuid() == 0 {
				tb.Skip("running as root, which writes to read-only folders; the other cases make INDEX_PATH unwritable for root too")
			}
		},
		breakPath: func(tb testing.TB, path string) (string, func()) {
			must(tb, os.Chmod(path, 0o555))
			return "permission denied", func() { must(tb, os.Chmod(path, 0o755)) }
		},
	},
	{
		name:    "disk full",
		prepare: func(tb testing.TB, path string) { mountTmpfs(tb, path, tmpfsSize) },
		breakPath: func(tb testing.TB, path string) (string, func()) {
			waitPersisted(tb, path)
			filler := fillDisk(tb, path)
			return "no space left on device", func() { must(tb, os.Remove(filler)) }
		},
	},
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// mountTmpfs mounts a tmpfs of size at dir until the test ends, or skips:
// mounting needs root (or CAP_SYS_ADMIN) on Linux.
func mountTmpfs(tb testing.TB, dir, size string) {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		tb.Skipf("cannot mount a small tmpfs to fill (needs root on Linux): %v: %s", err, bytes.TrimSpace(out))
	}
	tb.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			tb.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

// waitPersisted waits until the live generation under path has written a
// segment: Bleve persists in the background, and a disk filled before that
// fails the live generation rather than the reindex.
func waitPersisted(tb testing.TB, path string) {
	tb.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		segs, _ := filepath.Glob(filepath.Join(path, "gen-*", "store", "*.zap"))
		for _, s := range segs {
			if fi, err := os.Stat(s); err == nil && fi.Size() > 0 {
				return
			}
		}
	}
	tb.Fatalf("no index segment written under %s", path)
}

// fillDisk writes a file in dir until the file system is full and returns
// its name.
func fillDisk(tb testing.TB, dir string) string {
	tb.Helper()
	f, err := os.CreateTemp(dir, "filler-")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 64<<10)
	for written := 0; written < 1<<30; written += len(block) { // stops by itself on a disk that never fills
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				tb.Fatal(err)
			}
			// Take the last partial pages too.
			for err = nil; err == nil; {
				_, err = f.Write(block[:512])
			}
			if !errors.Is(err, syscall.ENOSPC) {
				tb.Fatal(err)
			}
			return f.Name()
		}
	}
	tb.Fatalf("wrote 1 GiB to %s without filling it", dir)
	return ""
}

// indexPathRun is one run of scenario 5 for one fault.
type indexPathRun struct {
	summary  summary
	report   time.Duration // dispatch → the failed reindex's report
	start    time.Time
	peakHeap uint64
}

// runIndexPathFault breaks INDEX_PATH under the running bot and checks that
// /reindex reports a clear error while the old index keeps answering —
// questions in flight and after — and that a reindex works again once the
// fault is undone.
func runIndexPathFault(tb testing.TB, f *fixture, path string, fault indexPathFault, size indexPathSize) (run indexPathRun) {
	ctx := testContext(tb, 2*time.Minute)
	oldVersion := f.ix.Version()
	cause, undo := fault.breakPath(tb, path)
	heap := loadtest.SampleHeap(ctx, 50*time.Millisecond)
	defer func() { run.peakHeap = heap.Stop() }()
	run = indexPathRun{start: time.Now()}
	var asks []*discordtest.Interaction
	for i := range size.around {
		asks = append(asks, f.ask(question(i)))
	}
	reindex := f.reindex()
	for i := range size.around {
		asks = append(asks, f.ask(question(i)))
	}
	m, err := finalReply(ctx, reindex)
	switch {
	case err != nil:
		tb.Error(err)
	case len(m.Embeds) == 0:
		tb.Errorf("reindex reply %q; want a report", m.Content)
	default:
		run.report = m.After
		e := m.Embeds[0]
		if e.Title != "Reindex failed" || !strings.Contains(e.Description, cause) || !strings.Contains(e.Description, path) ||
			!strings.Contains(e.Description, "The old index (version "+oldVersion+") keeps serving.") {
			tb.Errorf("reindex report %q: %q; want the failure, naming %s and %q, and the old index kept", e.Title, e.Description, path, cause)
		}
	}
	if v := f.ix.Version(); v != oldVersion {
		tb.Errorf("index version %s after a failed reindex; want %s", v, oldVersion)
	}
	run.summary = summarise(collect(ctx, asks))
	run.summary.check(tb)
	if n := run.summary.outcomes[outcomeAnswered]; n != len(asks) {
		tb.Errorf("%d of %d questions answered (%v)", n, len(asks), run.summary.outcomes)
	}
	for _, r := range collectReplies(ctx, asks) {
		if v := footerVersion(r); v != oldVersion {
			tb.Errorf("an answer from index %q; want the old index %s", v, oldVersion)
			break
		}
	}

	undo()
	again, err := finalReply(ctx, f.reindex())
	if err != nil {
		tb.Error(err)
	} else if len(again.Embeds) == 0 || again.Embeds[0].Title != "Reindexed" {
		tb.Errorf("reindex after the fault was undone: %q %+v; want it reindexed", again.Content, again.Embeds)
	}
	return run
}

// startIndexPathBot starts a bot whose INDEX_PATH is a new folder, prepared
// for the fault.
func startIndexPathBot(tb testing.TB, fault indexPathFault) (*fixture, string) {
	path := filepath.Join(tb.TempDir(), "index")
	if fault.prepare != nil {
		fault.prepare(tb, path)
	}
	return startBot(tb, setup{indexPath: path}), path
}

// TestIndexPathFaults is scenario 5: INDEX_PATH unusable — under a regular
// file at start-up, made unwritable or filled up before a /reindex. Start-up
// fails with an error naming the path; a reindex fails with a clear report
// while the old index keeps answering, and works again once the folder is
// back.
func TestIndexPathFaults(t *testing.T) {
	size := indexPathSizeFor(loadtest.ScaleFromEnv(loadtest.Small))
	t.Run("under a regular file at start-up", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		must(t, os.WriteFile(file, nil, 0o644))
		path := filepath.Join(file, "index")
		base, err := knowledge.Default()
		must(t, err)
		if ix, err := index.Build(context.Background(), base, index.Options{Path: path}); err == nil {
			ix.Close()
			t.Fatal("index.Build under a regular file succeeded")
		} else if !strings.Contains(err.Error(), path) || !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("index.Build = %v; want an error naming %s: not a directory", err, path)
		}
		// As a user meets it: the bot (the one command that uses
		// INDEX_PATH) fails at once, before connecting, and says why.
		var stdout, stderr bytes.Buffer
		env := map[string]string{"INDEX_PATH": path, "DISCORD_TOKEN": "x", "DISCORD_API_BASE_URL": "http://127.0.0.1:9"}
		code := cli.Main(context.Background(), []string{"run"}, cli.Env{Stdout: &stdout, Stderr: &stderr,
			Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
		if code != cli.ExitFailure || !strings.Contains(stderr.String(), path) || !strings.Contains(stderr.String(), "not a directory") {
			t.Errorf("bytewatch run with INDEX_PATH=%s: exit %d, stderr %q; want a failure naming the path", path, code, stderr.String())
		}
	})
	for _, fault := range indexPathFaults {
		t.Run(fault.name, func(t *testing.T) {
			f, path := startIndexPathBot(t, fault)
			run := runIndexPathFault(t, f, path, fault, size)
			t.Logf("%s; failed reindex reported in %v", run.summary, run.report.Round(time.Millisecond))
		})
	}
	t.Run("disk fills while the new index is written", func(t *testing.T) {
		// Fixed: on disk, batches wait for Bleve to persist them (no
		// unsafe_batch), so the failure reaches Swap.
		diskFillsDuringSwap(t)
	})
}

// diskFillsDuringSwap swaps in a base whose index does not fit in what is
// left of the disk, though its first files do.
func diskFillsDuringSwap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	mountTmpfs(t, path, tmpfsSize)
	base, err := knowledge.Default()
	must(t, err)
	ix, err := index.Build(context.Background(), base, index.Options{Path: path})
	must(t, err)
	defer ix.Close()
	waitPersisted(t, path)
	filler := fillDisk(t, path)
	// Leave room for the new generation's folder and metadata, not for its
	// segments.
	fi, err := os.Stat(filler)
	must(t, err)
	must(t, os.Truncate(filler, fi.Size()-64<<10))

	big := biggerBase(base, 5000)
	_, err = ix.Swap(context.Background(), big)
	// Bleve flattens the error it gets from the file system into text, so
	// the reader's word is what can be checked.
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Swap onto a full disk = %v; want an error saying the disk is full", err)
	}
	if ix.Version() != base.Version() {
		t.Errorf("index version %s after a failed swap; want the old %s", ix.Version(), base.Version())
	}
	// Once the swap has returned, the process should be idle.
	var before, after syscall.Rusage
	must(t, syscall.Getrusage(syscall.RUSAGE_SELF, &before))
	time.Sleep(time.Second)
	must(t, syscall.Getrusage(syscall.RUSAGE_SELF, &after))
	if cpu := cpuTime(after) - cpuTime(before); cpu > 500*time.Millisecond {
		t.Errorf("%v of CPU in the second after the swap: something retries in a loop", cpu)
	}
}

func cpuTime(r syscall.Rusage) time.Duration {
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// biggerBase is base plus n generated facts.
func biggerBase(base *knowledge.Base, n int) *knowledge.Base {
	facts := append([]knowledge.Fact(nil), base.Facts...)
	for i := range n {
		facts = append(facts, knowledge.Fact{
			ID: fmt.Sprintf("generated-%06d", i), SourceID: base.Sources[0].ID, Attribution: "the generator",
			Statement: fmt.Sprintf("Generated statement number %d about project %d in region %d.", i, i*7, i%13),
			AsOf:      knowledge.Date{Year: 2024}, Entities: []string{"ByteDance"},
		})
	}
	return knowledge.NewBase(base.Sources, facts)
}

// BenchmarkIndexPathFaults is scenario 5 at full size: a failing /reindex
// with 200 questions around it, per fault.
func BenchmarkIndexPathFaults(b *testing.B) {
	size := indexPathSizeFor(loadtest.ScaleFromEnv(loadtest.Full))
	for _, fault := range indexPathFaults {
		b.Run(fault.name, func(b *testing.B) {
			f, path := startIndexPathBot(b, fault)
			var run indexPathRun
			for b.Loop() {
				run = runIndexPathFault(b, f, path, fault, size)
			}
			reportBench(b, run.summary, run.start, run.peakHeap)
			b.ReportMetric(loadtest.Millis(run.report), "failed-reindex-report-ms")
		})
	}
}
