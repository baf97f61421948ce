// Package loadtest holds bytewatch's load and fault suite: the real bot
// (bot.Run with the real discordgo Session, answer.Engine and Bleve index)
// against the Discord emulator (internal/discordtest) and a fake
// OpenAI-compatible server (answer/llm/llmtest), under many questions at
// once, reindexes, a failing LLM, Discord rate limits and a dropped gateway,
// and an index folder that cannot be written.
//
// Every scenario is a test and a benchmark. The tests run at a small size,
// so that `go test -race ./internal/loadtest/` stays well under a minute on
// two cores; the benchmarks run the same scenarios at full size and report
// acknowledgement latency, answers per second and peak heap:
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/loadtest/
//
// LOADTEST_SCALE=full runs the tests at full size, LOADTEST_SCALE=small the
// benchmarks at small size.
//
// This file holds what the tests share that needs no testing package:
// sizes, percentiles and the heap sampler.
package loadtest

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Scale is the size a scenario runs at.
type Scale int

const (
	// Small is the size CI runs.
	Small Scale = iota
	// Full is the size of the targets, for benchmarks.
	Full
)

func (s Scale) String() string {
	if s == Full {
		return "full"
	}
	return "small"
}

// ScaleEnv names the environment variable that overrides the size.
const ScaleEnv = "LOADTEST_SCALE"

// ScaleFromEnv returns the size LOADTEST_SCALE asks for ("small" or
// "full"), or def when it is unset or anything else.
func ScaleFromEnv(def Scale) Scale {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(ScaleEnv))) {
	case "small":
		return Small
	case "full":
		return Full
	}
	return def
}

// Pick returns small or full for s.
func Pick[T any](s Scale, small, full T) T {
	if s == Full {
		return full
	}
	return small
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of ds by the
// nearest-rank method, or 0 for no values. ds is not changed.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// Millis is d in milliseconds, for benchmark metrics.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// HeapSampler records the peak of runtime.MemStats.HeapInuse while it runs.
// It samples the whole process: what the bot, the emulator and the fake LLM
// hold together.
type HeapSampler struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	peak   uint64
}

// SampleHeap starts sampling every interval until Stop is called or ctx
// ends. ReadMemStats stops the world briefly, so the interval should not
// be much below 50 ms.
func SampleHeap(ctx context.Context, interval time.Duration) *HeapSampler {
	ctx, cancel := context.WithCancel(ctx)
	h := &HeapSampler{cancel: cancel, done: make(chan struct{})}
	h.sample()
	go func() {
		defer close(h.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				h.sample()
			}
		}
	}()
	return h
}

func (h *HeapSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.peak = max(h.peak, ms.HeapInuse)
}

// Stop ends the sampling, takes a last sample and returns the peak in bytes.
func (h *HeapSampler) Stop() uint64 {
	h.cancel()
	<-h.done
	h.sample()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.peak
}

// MB is bytes in mebibytes, for reports.
func MB(bytes uint64) float64 { return float64(bytes) / (1 << 20) }
