package answer_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/index"
)

func TestCleanQuestion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		err      error
	}{
		{"  How much?  ", "How much?", nil},
		{"How\x00 much\x1b[31m?", "How much [31m?", nil},
		{"line\none\ttab", "line one tab", nil},
		{"\u200b\ufeff", "", answer.ErrEmptyQuestion},
		{"", "", answer.ErrEmptyQuestion},
		{strings.Repeat("a", answer.MaxQuestionRunes+1), "", answer.ErrQuestionTooLong},
		{strings.Repeat("é", answer.MaxQuestionRunes), strings.Repeat("é", answer.MaxQuestionRunes), nil},
		{"bad \xff utf8", "bad utf8", nil},
		{"Doubao \u202eusers\u202c \u2066MAU\u2069?", "Doubao users MAU?", nil},
	}
	for _, tt := range tests {
		got, err := answer.CleanQuestion(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("CleanQuestion(%q) error %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("CleanQuestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAnswerShapes checks the promises every answer keeps, whatever the
// question: markers point at citations, not-covered answers cite nothing,
// advice requests carry the not-advice line, conflicting reports come with
// their attributions.
func TestAnswerShapes(t *testing.T) {
	t.Parallel()
	eng := answer.NewEngine(defaultIndex(t), answer.Options{})
	tests := []struct {
		name, q      string
		answered     bool
		advice       bool
		mustContain  []string
		mustCiteBoth []string
	}{
		{name: "conflict side by side", q: "How much will ByteDance invest in AI infrastructure in 2025?", answered: true,
			mustContain:  []string{"Reports differ", "the Financial Times", "unnamed media reports", "$12 billion", "$10 billion"},
			mustCiteBoth: []string{"ai-infra-over-10b", "ft-ai-infra-12b"}},
		{name: "comparison with each side's figures", q: "How does ByteDance's AI investment compare with Alphabet's?", answered: true,
			mustContain: []string{"$50 billion", "$12 billion", "$10 billion"}, mustCiteBoth: []string{"alphabet-50b-ai-2024", "ft-ai-infra-12b", "ai-infra-over-10b"}},
		{name: "how big, answered by a count", q: "How big is Doubao's user base?", answered: true, mustContain: []string{"75 million"}},
		{name: "how long, answered by a duration", q: "How long was the TikTok ban extension?", answered: true, mustContain: []string{"75-day"}},
		{name: "how many days, answered by a duration", q: "How many days did Donald Trump extend the deadline for enforcing a ban on TikTok?", answered: true, mustContain: []string{"75-day"}},
		{name: "a broad question gets the main subject", q: "What is ByteDance doing in AI?", answered: true, mustContain: []string{"$10 billion"}},
		{name: "everyday words get no broad answer", q: "who won the super bowl", answered: false},
		{name: "investing chatter naming nothing gets no broad answer", q: "my portfolio is cooked", answered: false, advice: true},
		{name: "a company's spending on another's products is not the other's", q: "how much did microsoft spend on nvidia chips", answered: false},
		{name: "two companies side by side are answered each", q: "what did msft and googl each drop on ai infra", answered: true,
			mustCiteBoth: []string{"microsoft-55-7b-fy2024", "alphabet-50b-ai-2024"}},
		{name: "a remark naming a product asks nothing", q: "doubao is kinda fun to talk to ngl", answered: false},
		{name: "a question word anywhere asks", q: "星绘 what does it do", answered: true, mustCiteBoth: []string{"xinghui-image-generator"}},
		{name: "a comparison made in grammar", q: "bd got more ai apps than baidu n tencent", answered: true, mustCiteBoth: []string{"over-15-ai-apps"}},
		{name: "a rival's own count is not ByteDance's", q: "How many AI apps does Baidu have?", answered: false},
		{name: "a share of a whole is not the whole", q: "what % of microsoft's 55.7b went to ai infra", answered: false},
		{name: "where needs a place", q: "where are bytedance's new data centers being built", answered: false},
		{name: "where answered by a place", q: "where is bytedance microsoft's biggest cloud customer", answered: true, mustContain: []string{"Asia"}},
		{name: "about the sources", q: "how old is ur data on bytedance", answered: true, mustContain: []string{"January 2025"}},
		{name: "a topic that comes from somewhere is no question about the sources", q: "what share of doubao users comes from overseas", answered: false, mustContain: []string{"don't cover"}},
		{name: "a year is the best fact's own", q: "bytedance total investment in 2024", answered: false},
		{name: "not covered", q: "Who is ByteDance's CEO?", answered: false, mustContain: []string{"don't cover"}},
		{name: "advice", q: "Should I buy Nvidia stock?", answered: true, advice: true, mustContain: []string{answer.NotAdvice}},
		{name: "advice naming only ByteDance", q: "Should I buy ByteDance stock?", answered: true, advice: true,
			mustContain: []string{answer.NotAdvice, "$10 billion"}},
		{name: "single fact", q: "How many monthly active users does Doubao have?", answered: true, mustContain: []string{"75 million", "[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := eng.Ask(context.Background(), tt.q, nil)
			if err != nil {
				t.Fatal(err)
			}
			if a.Answered != tt.answered || a.Advice != tt.advice {
				t.Fatalf("answered=%v advice=%v, want %v %v: %s", a.Answered, a.Advice, tt.answered, tt.advice, a.Text)
			}
			for _, s := range tt.mustContain {
				if !strings.Contains(a.Text, s) {
					t.Errorf("answer lacks %q: %s", s, a.Text)
				}
			}
			if !a.Answered && len(a.Citations) > 0 {
				t.Errorf("not-covered answer cites %d facts", len(a.Citations))
			}
			cited := map[string]bool{}
			for i, c := range a.Citations {
				cited[c.FactID] = true
				if c.N != i+1 {
					t.Errorf("citation %d numbered %d", i, c.N)
				}
				if !strings.Contains(a.Text, "["+strconv.Itoa(c.N)+"]") {
					t.Errorf("citation [%d] never used in the text", c.N)
				}
				if c.Attribution == "" || c.SourceTitle == "" || c.AsOf.IsZero() {
					t.Errorf("citation %d incomplete: %+v", c.N, c)
				}
			}
			for _, id := range tt.mustCiteBoth {
				if !cited[id] {
					t.Errorf("answer does not cite %s", id)
				}
			}
			if a.IndexVersion == "" || a.Mode != answer.ModeExtractive {
				t.Errorf("index version %q, mode %q", a.IndexVersion, a.Mode)
			}
		})
	}
}

// TestJSONShape pins the keys `ask --json` prints: scripts rely on them.
func TestJSONShape(t *testing.T) {
	t.Parallel()
	eng := answer.NewEngine(defaultIndex(t), answer.Options{})
	a, err := eng.Ask(context.Background(), "How many monthly active users does Doubao have?", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(answer.JSONOf(a))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"question", "answer", "answered", "mode", "citations", "index_version", "took_ms"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, data)
		}
	}
	cites, _ := m["citations"].([]any)
	if len(cites) == 0 {
		t.Fatalf("no citations: %s", data)
	}
	c := cites[0].(map[string]any)
	for _, k := range []string{"n", "fact_id", "source_id", "source_title", "attribution", "as_of", "text", "score"} {
		if _, ok := c[k]; !ok {
			t.Errorf("citation lacks %q: %v", k, c)
		}
	}
	if c["as_of"] != "2025-01" {
		t.Errorf("as_of = %v, want 2025-01", c["as_of"])
	}
}

func TestSources(t *testing.T) {
	t.Parallel()
	eng := answer.NewEngine(defaultIndex(t), answer.Options{})
	cites, version, err := eng.Sources(context.Background(), "Nvidia chips", 5)
	if err != nil {
		t.Fatal(err)
	}
	if version == "" || len(cites) == 0 || len(cites) > 5 {
		t.Fatalf("Sources: %d citations, version %q", len(cites), version)
	}
	for i := 1; i < len(cites); i++ {
		if cites[i].Score > cites[i-1].Score {
			t.Errorf("sources not ranked: %v then %v", cites[i-1].Score, cites[i].Score)
		}
	}
	if _, _, err := eng.Sources(context.Background(), "   ", 5); !errors.Is(err, answer.ErrEmptyQuestion) {
		t.Errorf("empty query: %v", err)
	}
}

// TestClosedIndexIsAnError: an index that fails is an error for the
// caller, never a "not covered" answer — also for a message tried part by
// part.
func TestClosedIndexIsAnError(t *testing.T) {
	t.Parallel()
	ix := defaultIndex(t)
	base := ix.Base()
	eng := answer.NewEngine(ix, answer.Options{})
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"How many users does Doubao have?", "Hi! Quick one: who is the CEO?", "Should I buy ByteDance stock?"} {
		if _, err := eng.Ask(context.Background(), q, nil); !errors.Is(err, index.ErrClosed) {
			t.Errorf("Ask(%q) on a closed index: %v; want index.ErrClosed", q, err)
		}
	}
	if _, err := ix.Search(context.Background(), "Doubao", 3); !errors.Is(err, index.ErrClosed) {
		t.Errorf("Search on a closed index: %v", err)
	}
	if _, err := ix.Swap(context.Background(), base); !errors.Is(err, index.ErrClosed) {
		t.Errorf("Swap on a closed index: %v", err)
	}
}
