package loadtest_test

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/internal/loadtest"
)

// soakSize is how long a soak runs.
type soakSize struct {
	interactions, messages int // in all, alternating
	baseline               int // items after which the baseline is taken
	batch, workers         int // items between prunes of the emulator; items at once
}

func soakSizeFor(s loadtest.Scale) soakSize {
	return loadtest.Pick(s,
		soakSize{interactions: 250, messages: 250, baseline: 100, batch: 200, workers: 8},
		soakSize{interactions: 50000, messages: 50000, baseline: 1000, batch: 1000, workers: 16})
}

// soakLevel is the process's memory and goroutines at a quiet moment.
type soakLevel struct {
	heapInuse  uint64
	goroutines int
}

// quietLevel waits for the bot to finish what it was doing, drops what the
// emulator recorded, collects garbage and measures.
func quietLevel(f *fixture) soakLevel {
	f.srv.Prune()
	var ms runtime.MemStats
	// Goroutines that finish a request (HTTP connections going idle,
	// handlers returning after their reply) need a moment after the last
	// reply was recorded; settle on a count that holds still.
	prev := -1
	for range 50 {
		runtime.GC()
		n := runtime.NumGoroutine()
		if n == prev {
			break
		}
		prev = n
		time.Sleep(20 * time.Millisecond)
	}
	debug.FreeOSMemory()
	runtime.ReadMemStats(&ms)
	return soakLevel{heapInuse: ms.HeapInuse, goroutines: runtime.NumGoroutine()}
}

// soakRun is what a soak measured.
type soakRun struct {
	base, end soakLevel
	items     int
	took      time.Duration
}

// runSoak sends size's interactions and messages, alternating, each from
// a new user, waits for every answer, and measures the process after the
// baseline's items and at the end.
func runSoak(tb testing.TB, f *fixture, size soakSize) soakRun {
	total := size.interactions + size.messages
	ctx := testContext(tb, time.Hour)
	run := soakRun{items: total}
	start := time.Now()
	item := func(i int) error {
		if i%2 == 0 && i/2 < size.interactions || i/2 >= size.messages {
			in := f.ask(question(i))
			_, err := finalReply(ctx, in)
			return err
		}
		m := f.mention(generalChannel, question(i))
		_, err := f.replyTo(ctx, m)
		return err
	}
	for done := 0; done < total; {
		n := min(size.batch, total-done)
		if done < size.baseline {
			n = min(n, size.baseline-done)
		}
		next := make(chan int)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range size.workers {
			wg.Go(func() {
				for i := range next {
					if err := item(i); err != nil {
						errs <- err
					}
				}
			})
		}
		for i := done; i < done+n; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		close(errs)
		for err := range errs {
			tb.Fatal(err)
		}
		done += n
		if done == size.baseline {
			run.base = quietLevel(f)
		} else {
			f.srv.Prune()
		}
	}
	run.took = time.Since(start)
	run.end = quietLevel(f)
	return run
}

// growth is how much b grew over a, as a fraction.
func growth(a, b float64) float64 { return (b - a) / a }

func (r soakRun) String() string {
	return fmt.Sprintf("%d items in %v: heap in use %.1f MB → %.1f MB (%+.1f%%), goroutines %d → %d (%+.1f%%)",
		r.items, r.took.Round(time.Second), loadtest.MB(r.base.heapInuse), loadtest.MB(r.end.heapInuse),
		100*growth(float64(r.base.heapInuse), float64(r.end.heapInuse)),
		r.base.goroutines, r.end.goroutines, 100*growth(float64(r.base.goroutines), float64(r.end.goroutines)))
}

// TestSoak runs a short soak: the goroutines left after it must be those
// after its first items (give or take a few idle connections).
func TestSoak(t *testing.T) {
	size := soakSizeFor(loadtest.ScaleFromEnv(loadtest.Small))
	f := startBot(t, setup{quiet: true})
	run := runSoak(t, f, size)
	t.Log(run)
	if run.end.goroutines > run.base.goroutines+run.base.goroutines/10+4 {
		t.Errorf("goroutines grew: %s", run)
	}
}

// BenchmarkSoak is the soak at full size: 50,000 interactions and 50,000
// messages through the loopback Discord. Heap in use and goroutines after
// the run must be within 10% of their level after the first 1,000.
func BenchmarkSoak(b *testing.B) {
	size := soakSizeFor(loadtest.ScaleFromEnv(loadtest.Full))
	f := startBot(b, setup{quiet: true})
	var run soakRun
	for b.Loop() {
		run = runSoak(b, f, size)
	}
	b.Log(run)
	b.ReportMetric(loadtest.MB(run.base.heapInuse), "heap-base-MB")
	b.ReportMetric(loadtest.MB(run.end.heapInuse), "heap-end-MB")
	b.ReportMetric(100*growth(float64(run.base.heapInuse), float64(run.end.heapInuse)), "heap-growth-%")
	b.ReportMetric(float64(run.base.goroutines), "goroutines-base")
	b.ReportMetric(float64(run.end.goroutines), "goroutines-end")
	b.ReportMetric(float64(run.items)/run.took.Seconds(), "items/s")
	if g := growth(float64(run.base.heapInuse), float64(run.end.heapInuse)); g > 0.10 {
		b.Errorf("heap in use grew %.1f%% (over 10%%): %s", 100*g, run)
	}
	if g := growth(float64(run.base.goroutines), float64(run.end.goroutines)); g > 0.10 {
		b.Errorf("goroutines grew %.1f%% (over 10%%): %s", 100*g, run)
	}
}
