package answer

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// overheadAnswer is a realistic LLM answer to "How much is ByteDance
// investing in AI infrastructure?"; {fact-id} stands for that fact's [n].
const overheadAnswer = "Reports differ on how much ByteDance is putting into AI infrastructure {ft-ai-infra-12b}{ai-infra-over-10b}. " +
	"According to the Financial Times, ByteDance plans to put $12 billion into AI infrastructure in 2025 {ft-ai-infra-12b}. " +
	"Unnamed media reports say it plans to invest more than $10 billion in 2025, including data centres and networking equipment {ai-infra-over-10b}. " +
	"The same reports put its total planned investment for 2025 at more than $20 billion {total-investment-over-20b}."

// BenchmarkLLMOverhead measures what bytewatch adds to an LLM call: the
// prompt for the question's facts, the streaming gate run word by word as
// chunks arrive, and the final verification. Retrieval and the model itself
// are not in it. It reports the median (p50-ns) beside the mean.
func BenchmarkLLMOverhead(b *testing.B) {
	const question = "How much is ByteDance investing in AI infrastructure?"
	ctx := context.Background()
	base, err := knowledge.Default()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := index.Build(ctx, base, index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	e := NewEngine(ix, Options{})
	res, err := ix.Search(ctx, question, searchLimit)
	if err != nil {
		b.Fatal(err)
	}
	sel := e.policy.decide(res, question, false, e.conflicts.get(res.Base))
	if !sel.answered {
		b.Fatalf("the policy does not answer %q (%s)", question, sel.reason)
	}
	p, err := buildPrompt(question, res, sel, false)
	if err != nil {
		b.Fatal(err)
	}
	text := overheadAnswer
	for n, f := range p.sources {
		text = strings.ReplaceAll(text, "{"+f.ID+"}", "["+strconv.Itoa(n)+"]")
	}
	if strings.Contains(text, "{") {
		b.Fatalf("the selection lacks a fact the answer cites: %s", text)
	}
	if r := Verify(text, p.sources); !r.OK() || r.FiguresChecked < 6 {
		b.Fatalf("the benchmark answer does not verify: %+v", r)
	}
	// Chunks as a server streams them: a word at a time.
	var prefixes []string
	for i := 1; i < len(text); i++ {
		if text[i] == ' ' {
			prefixes = append(prefixes, text[:i])
		}
	}
	prefixes = append(prefixes, text)

	took := make([]time.Duration, 0, b.N)
	shown := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		p, err := buildPrompt(question, res, sel, false)
		if err != nil {
			b.Fatal(err)
		}
		_ = p.messages()
		gate := &partialGate{v: newVerifier(p.sources), onPartial: func(string) { shown++ }}
		for _, s := range prefixes {
			gate.offer(s)
		}
		if r := Verify(text, p.sources); !r.OK() {
			b.Fatal(r.Problems)
		}
		gate.finish(text)
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	if shown < 4*b.N {
		b.Fatalf("%d partials in %d runs; want one per sentence", shown, b.N)
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
}
