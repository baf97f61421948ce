package records

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// benchmarkRecord records b.N questions, as the answering path does after
// each answer, from parallel goroutines (1: one at a time), and reports the
// 50th, 99th and 99.9th percentile of one Record call: what recording adds
// to each question's handling.
func benchmarkRecord(b *testing.B, store Store, parallel int) {
	ctx := context.Background()
	r, err := NewRecorder(ctx, store, Options{KeepQuestions: true})
	if err != nil {
		b.Fatal(err)
	}
	q := Question{Entry: EntrySlash, GuildID: "800000000000000001", ChannelID: "800000000000000002",
		Question: "How much is ByteDance investing in AI infrastructure?", HasText: true, Outcome: OutcomeAnswered,
		FactIDs: []string{"bytedance-capex-2025", "bytedance-chips-nvidia", "doubao-users-2025"}, IndexVersion: "4e1db732730c",
		Mode: "extractive", Latency: 3 * time.Millisecond}
	lat := make([]time.Duration, b.N)
	var mu sync.Mutex
	next := 0
	b.ResetTimer()
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= b.N {
					return
				}
				q := q
				q.ID = NewID()
				start := time.Now()
				if err := r.Record(ctx, "700000000000000001", q); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(start)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(0.999), "p99.9-ms")
}

func BenchmarkRecordSQLite(b *testing.B) {
	for _, parallel := range []int{1, 8} {
		b.Run(map[int]string{1: "serial", 8: "8-at-once"}[parallel], func(b *testing.B) {
			benchmarkRecord(b, openTestSQLite(b), parallel)
		})
	}
}

func BenchmarkRecordPostgres(b *testing.B) {
	pg := postgresBackend(b)
	for _, parallel := range []int{1, 8} {
		b.Run(map[int]string{1: "serial", 8: "8-at-once"}[parallel], func(b *testing.B) {
			s, err := pg.open(context.Background(), pg.fresh(b), 0)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			benchmarkRecord(b, s, parallel)
		})
	}
}
