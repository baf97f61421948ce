package index_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

var benchQuestions = []string{
	"How much is ByteDance investing in AI infrastructure?",
	"How many monthly active users does Doubao have?",
	"Who is ByteDance's CEO?",
	"Does ByteDance buy GPUs from Nvidia?",
	"How much did Microsfot spend on AI?",
	"Is ByteDance spending $12B on AI infrastructure?",
}

// syntheticBase generates n facts in the shape of the real ones: companies,
// products, measures and figures drawn at random, so the index sees a
// realistic vocabulary and figure mix at scale.
func syntheticBase(n int) *knowledge.Base {
	r := rand.New(rand.NewPCG(1, 2))
	companies := []string{"ByteDance", "Alibaba", "Tencent", "Baidu", "Microsoft", "Alphabet", "Meta", "Amazon", "Nvidia", "Huawei", "Xiaomi", "Kuaishou", "Meituan", "JD", "iFlytek", "SenseTime", "Zhipu", "Moonshot", "MiniMax", "StepFun"}
	things := []string{"AI infrastructure", "data centres", "GPU clusters", "networking equipment", "cloud capacity", "chip design", "model training", "inference servers", "AI research", "robotics", "autonomous driving", "smart devices"}
	verbs := []string{"plans to invest", "spent", "allocated", "committed", "is expected to spend", "budgeted"}
	apps := []string{"chatbot", "video generator", "image generator", "coding assistant", "search assistant", "translation app", "companion app"}
	sources := []knowledge.Source{{ID: "synthetic", Title: "Synthetic corpus", Publisher: "generator", Published: knowledge.Date{Year: 2025, Month: 1}}}
	facts := make([]knowledge.Fact, n)
	for i := range facts {
		c := companies[r.IntN(len(companies))]
		year := 2018 + r.IntN(8)
		var stmt string
		var figs []knowledge.Figure
		if r.IntN(3) == 0 {
			users := 1 + r.IntN(900)
			app := apps[r.IntN(len(apps))]
			stmt = fmt.Sprintf("%s's %s product %d had %d million monthly active users in %d.", c, app, i, users, year)
			figs = []knowledge.Figure{{Amount: float64(users) * 1e6, Unit: "users", Measure: "monthly active users"}, {Amount: float64(year), Unit: "year"}}
		} else {
			amount := 1 + r.IntN(99)
			thing := things[r.IntN(len(things))]
			stmt = fmt.Sprintf("%s %s $%d billion in %s during %d, project %d.", c, verbs[r.IntN(len(verbs))], amount, thing, year, i)
			figs = []knowledge.Figure{{Amount: float64(amount) * 1e9, Unit: "USD", Measure: thing}, {Amount: float64(year), Unit: "year"}, {Amount: float64(i), Unit: "project"}}
		}
		facts[i] = knowledge.Fact{
			ID: fmt.Sprintf("fact-%06d", i), SourceID: "synthetic", Statement: stmt,
			Attribution: "the generator", AsOf: knowledge.Date{Year: year}, Entities: []string{c}, Figures: figs,
		}
	}
	return knowledge.NewBase(sources, facts)
}

func benchmarkBuild(b *testing.B, base *knowledge.Base, path func() string) {
	b.ReportAllocs()
	var heap uint64
	for b.Loop() {
		ix, err := index.Build(context.Background(), base, index.Options{Path: path()})
		if err != nil {
			b.Fatal(err)
		}
		// The live index's heap: what a bot serving this base holds.
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = max(heap, ms.HeapInuse)
		ix.Close()
	}
	b.ReportMetric(float64(len(base.Facts))*float64(b.N)/b.Elapsed().Seconds(), "facts/s")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
}

func BenchmarkBuildDefault(b *testing.B) {
	benchmarkBuild(b, defaultBase(b), func() string { return "" })
}

func BenchmarkBuild100k(b *testing.B) {
	base := syntheticBase(100_000)
	benchmarkBuild(b, base, func() string { return b.TempDir() })
}

func BenchmarkBuild100kInMemory(b *testing.B) {
	benchmarkBuild(b, syntheticBase(100_000), func() string { return "" })
}

// benchmarkQuery reports the latency percentiles the targets are set in.
func benchmarkQuery(b *testing.B, base *knowledge.Base, opts index.Options) {
	ix := build(b, base, opts)
	ctx := context.Background()
	var lat []time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := ix.Search(ctx, benchQuestions[i%len(benchQuestions)], 10); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

func BenchmarkQueryDefault(b *testing.B) { benchmarkQuery(b, defaultBase(b), index.Options{}) }

func BenchmarkQuery100k(b *testing.B) {
	benchmarkQuery(b, syntheticBase(100_000), index.Options{Path: b.TempDir()})
}
