package answer

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/knowledge"
)

func sentencesOf(text string, final bool) (texts []string, closed []bool) {
	for _, sp := range splitSentences(text, final) {
		texts = append(texts, text[sp.start:sp.end])
		closed = append(closed, sp.closed)
	}
	return texts, closed
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"ByteDance plans $12 billion [1]. Microsoft spent $55.7 billion [3].",
			[]string{"ByteDance plans $12 billion [1].", "Microsoft spent $55.7 billion [3]."}},
		{"ByteDance plans $12 billion. [1] Microsoft spent $55.7 billion. [3]",
			[]string{"ByteDance plans $12 billion. [1]", "Microsoft spent $55.7 billion. [3]"}},
		{"It plans $12 billion. [1][2] according to others, more. [2, 3]",
			[]string{"It plans $12 billion. [1][2]", "according to others, more. [2, 3]"}},
		{"It plans $12 billion.[1] Next.", []string{"It plans $12 billion.[1]", "Next."}},
		{"The U.S. Commerce Department acted. Then ByteDance bought chips.",
			[]string{"The U.S. Commerce Department acted.", "Then ByteDance bought chips."}},
		{"Apps, e.g. Doubao and i.e. Cici, grew. Dr. Smith agreed.",
			[]string{"Apps, e.g. Doubao and i.e. Cici, grew.", "Dr. Smith agreed."}},
		{"It costs approx. five billion. Next.", []string{"It costs approx. five billion.", "Next."}},
		{"Wow! Really? Yes.", []string{"Wow!", "Really?", "Yes."}},
		{`He said "it is $12 billion." [1] Then it fell.`, []string{`He said "it is $12 billion." [1]`, "Then it fell."}},
		{"Reports differ:\n- $12 billion [1]\n- $10 billion [2]\n", []string{"Reports differ:", "- $12 billion [1]", "- $10 billion [2]"}},
		{"Visit bytedance.com today. 2024.5 is no date.", []string{"Visit bytedance.com today.", "2024.5 is no date."}},
		{"  \n  ", nil},
	}
	for _, tt := range tests {
		got, _ := sentencesOf(tt.text, true)
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitSentences(%q):\n got %q\nwant %q", tt.text, got, tt.want)
		}
		checkStreamingSplit(t, tt.text)
	}
}

// TestSplitSentencesStreaming checks when a stream's last sentence counts
// as complete: only once the start of the next one has arrived.
func TestSplitSentencesStreaming(t *testing.T) {
	tests := []struct {
		text   string
		closed []bool
	}{
		{"Microsoft spent $55.", []bool{false}},
		{"Microsoft spent $55.7 billion [3].", []bool{false}},
		{"Microsoft spent $55.7 billion [3]. ", []bool{false}},
		{"Microsoft spent $55.7 billion [3]. B", []bool{true, false}},
		{"Microsoft spent $55.7 billion. [", []bool{false}},
		{"Microsoft spent $55.7 billion. [3", []bool{false}},
		{"Microsoft spent $55.7 billion. [3] ", []bool{false}},
		{"Microsoft spent $55.7 billion. [3] [1-", []bool{false}},
		{"Microsoft spent $55.7 billion. [3] T", []bool{true, false}},
		{"Microsoft spent $55.7 billion. [Note", []bool{true, false}},
		{"A line [1]\n", []bool{true}},
		{"It costs approx. ", []bool{false}},
	}
	for _, tt := range tests {
		_, closed := sentencesOf(tt.text, false)
		if !slices.Equal(closed, tt.closed) {
			t.Errorf("splitSentences(%q, false): closed = %v, want %v", tt.text, closed, tt.closed)
		}
	}
}

// checkStreamingSplit checks the property the partial answers rest on: a
// sentence found complete in a prefix of the text is exactly a sentence of
// the whole text.
func checkStreamingSplit(t *testing.T, text string) {
	t.Helper()
	final := splitSentences(text, true)
	step := max(1, len(text)/200) // keep long fuzz inputs cheap
	for i := 0; i <= len(text); i += step {
		for k, sp := range splitSentences(text[:i], false) {
			if !sp.closed {
				if k != len(splitSentences(text[:i], false))-1 {
					t.Fatalf("prefix %q: an open sentence before the last", text[:i])
				}
				break
			}
			if k >= len(final) || final[k].start != sp.start || final[k].end != sp.end {
				t.Fatalf("prefix %q: complete sentence %q is not sentence %d of the whole text %q",
					text[:i], text[sp.start:sp.end], k+1, text)
			}
		}
	}
}

func TestParseMarker(t *testing.T) {
	tests := []struct {
		s    string
		nums []int
		ok   bool
	}{
		{"[1]", []int{1}, true},
		{"[1, 2]", []int{1, 2}, true},
		{"[1,2;3]", []int{1, 2, 3}, true},
		{"[1-3]", []int{1, 2, 3}, true},
		{"[2 – 4]", []int{2, 3, 4}, true},
		{"[1—2]", []int{1, 2}, true},
		{"[1 and 3]", []int{1, 3}, true},
		{"[ 7 ]", []int{7}, true},
		{"[]", nil, false},
		{"[,1]", nil, false},
		{"[1,]", nil, false},
		{"[1-]", nil, false},
		{"[1-2-3]", []int{1, 2, 3}, true}, // odd but harmless: each range is checked
		{"[1a]", nil, false},
		{"[12345]", nil, false},
		{"[Note]", nil, false},
		{"[1", nil, false},
	}
	for _, tt := range tests {
		m, ok := parseMarker(tt.s, 0)
		if ok != tt.ok || !slices.Equal(m.nums, tt.nums) || ok && m.end != len(tt.s) {
			t.Errorf("parseMarker(%q) = %+v, %v; want %v, %v", tt.s, m, ok, tt.nums, tt.ok)
		}
	}
}

func TestDropUnfinished(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ByteDance plans $12 billion [1]. Microsoft spent $55", "ByteDance plans $12 billion [1]."},
		{"ByteDance plans $12 billion. [1] Microsoft", "ByteDance plans $12 billion. [1]"},
		{"ByteDance plans $12 billion [1].", "ByteDance plans $12 billion [1]."},
		{"ByteDance plans $12 billion. [1][2]", "ByteDance plans $12 billion. [1][2]"},
		{`It said "$12 billion." [1]`, `It said "$12 billion." [1]`},
		{"ByteDance plans $1", ""},
	}
	for _, tt := range tests {
		if got := dropUnfinished(tt.in); got != tt.want {
			t.Errorf("dropUnfinished(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func gateSources(t testing.TB) map[int]knowledge.Fact {
	t.Helper()
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]knowledge.Fact{}
	for i, id := range []string{"ft-ai-infra-12b", "ai-infra-over-10b", "microsoft-55-7b-fy2024", "nvidia-chips-up-to-7b"} {
		f, ok := base.Fact(id)
		if !ok {
			t.Fatalf("no fact %s", id)
		}
		out[i+1] = f
	}
	return out
}

// streamThrough offers text to g one byte at a time, as the worst-split
// stream would.
func streamThrough(g *partialGate, text string) {
	for i := 1; i <= len(text); i++ {
		if utf8.ValidString(text[:i]) {
			g.offer(text[:i])
		}
	}
}

func TestPartialGate(t *testing.T) {
	sources := gateSources(t)
	var got []string
	g := &partialGate{v: newVerifier(sources), onPartial: func(s string) { got = append(got, s) }}
	const first = "ByteDance plans $12 billion for AI infrastructure in 2025 [1]. Microsoft spent $55.7 billion. [3] " +
		"It also plans $99 billion [2]. Unnamed reports say more than $10 billion [2]."
	streamThrough(g, first)
	want := []string{
		"ByteDance plans $12 billion for AI infrastructure in 2025 [1].",
		"ByteDance plans $12 billion for AI infrastructure in 2025 [1]. Microsoft spent $55.7 billion. [3]",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("partials of the first attempt:\n got %q\nwant %q", got, want)
	}

	// A repair that keeps the shown text grows it; one that rewrites it
	// shows nothing until its final answer.
	g.nextAttempt()
	streamThrough(g, "ByteDance plans $12 billion for AI infrastructure in 2025 [1]. Microsoft spent $55.7 billion. [3] Unnamed reports say more than $10 billion [2]. The end.")
	if last := got[len(got)-1]; !strings.HasSuffix(last, "more than $10 billion [2].") || len(got) != 3 {
		t.Errorf("partials of a repair that extends the shown text: %q", got[2:])
	}
	g.nextAttempt()
	before := len(got)
	streamThrough(g, "Reports differ: $12 billion [1] or more than $10 billion [2]. That is all.")
	if len(got) != before {
		t.Errorf("a repair that rewrites the shown text was shown before its end: %q", got[before:])
	}
}

func FuzzVerify(f *testing.F) {
	seeds, err := filepath.Glob("testdata/llm/verify-seeds/*.txt")
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds in testdata/llm/verify-seeds: %v", err)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	sources := gateSources(f)
	f.Fuzz(func(t *testing.T, text string) {
		r := Verify(text, sources)
		if again := Verify(text, sources); !reflect.DeepEqual(r, again) {
			t.Fatalf("Verify is not deterministic:\n%+v\n%+v", r, again)
		}
		if !slices.IsSorted(r.Cited) || len(slices.Compact(slices.Clone(r.Cited))) != len(r.Cited) {
			t.Fatalf("Cited %v is not sorted and unique", r.Cited)
		}
		for _, n := range r.Cited {
			if _, ok := sources[n]; !ok {
				t.Fatalf("Cited %v names a source that was not given", r.Cited)
			}
		}
		if r.NotCovered && (!r.OK() || r.FiguresChecked != 0 || len(r.Cited) != 0) {
			t.Fatalf("a not-covered answer with figures, citations or problems: %+v", r)
		}
		if r.OK() && !r.NotCovered && len(r.Cited) == 0 {
			t.Fatalf("an answer citing nothing passed: %+v", r)
		}
		prev := 0
		for _, sp := range splitSentences(text, true) {
			if sp.start < prev || sp.end <= sp.start || sp.end > len(text) {
				t.Fatalf("bad sentence span %+v after %d in %d bytes", sp, prev, len(text))
			}
			prev = sp.end
		}
		checkStreamingSplit(t, text)

		// Whatever the gate shows is a prefix of the text whose sentences
		// all pass.
		var shown []string
		g := &partialGate{v: newVerifier(sources), onPartial: func(s string) { shown = append(shown, s) }}
		for i := 1; i <= len(text); i += max(1, len(text)/100) {
			g.offer(text[:i])
		}
		g.offer(text)
		for _, s := range shown {
			if !strings.HasPrefix(strings.TrimSpace(text), s) {
				t.Fatalf("partial %q is not a prefix of %q", s, text)
			}
			for _, sp := range splitSentences(s, true) {
				if c := newVerifier(sources).check(0, s[sp.start:sp.end]); len(c.problems) > 0 {
					t.Fatalf("partial %q shows a sentence that fails: %q", s, c.problems)
				}
			}
		}
	})
}
