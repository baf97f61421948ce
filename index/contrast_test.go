package index_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/index"
)

// TestContrasts: a fact about the other side of a contrast the vocabulary
// declares (outside China, asked about inside it; Asia, asked about
// Europe) is marked as contradicting the question; a fact about the side
// asked, or about both, is not.
func TestContrasts(t *testing.T) {
	t.Parallel()
	ix := build(t, defaultBase(t), index.Options{})
	tests := []struct {
		q, fact     string
		contradicts bool
	}{
		{"how much is bytedance spending on nvidia chips for use inside china", "nvidia-chips-up-to-7b", true},
		{"how much is bytedance spending on nvidia chips for use outside china", "nvidia-chips-up-to-7b", false},
		{"how much is bytedance spending on nvidia chips", "nvidia-chips-up-to-7b", false},
		{"is bytedance microsoft's biggest cloud customer in europe", "microsoft-top-asia-cloud-customer", true},
		{"is bytedance microsoft's biggest cloud customer in asia", "microsoft-top-asia-cloud-customer", false},
		{"what is doubao called overseas", "cici-international-doubao", false},
		{"is bytedance going global or staying in china", "international-expansion-unclear", false}, // expanding implies international
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), tt.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h := range res.Hits {
			if h.Fact.ID != tt.fact {
				continue
			}
			found = true
			if h.Contradicts != tt.contradicts {
				t.Errorf("%q: %s contradicts = %v, want %v (contrasts %v)", tt.q, tt.fact, h.Contradicts, tt.contradicts, res.Query.Contrasts)
			}
		}
		if !found {
			t.Errorf("%q: %s not among the hits", tt.q, tt.fact)
		}
	}
}

// TestNamesTogether: names side by side (with only stop words or a
// comparison between) are told from names in different roles.
func TestNamesTogether(t *testing.T) {
	t.Parallel()
	ix := build(t, defaultBase(t), index.Options{})
	for q, want := range map[string]bool{
		"how much did microsoft and alphabet spend on ai":   true,
		"what did msft and googl each drop on ai infra":     true,
		"microsoft vs alphabet ai capex":                    true,
		"how much did microsoft spend on nvidia chips":      false,
		"is bytedance microsoft's biggest customer in asia": false,
		"how much is bytedance investing in ai":             false,
	} {
		res, err := ix.Search(context.Background(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if res.Query.NamesTogether != want {
			t.Errorf("%q: NamesTogether = %v, want %v", q, res.Query.NamesTogether, want)
		}
	}
}

// TestChineseQuestionWords: Chinese question words and times written
// without spaces are read as their English ("今年" this year, "多少" how
// much) next to the knowledge's own Chinese names.
func TestChineseQuestionWords(t *testing.T) {
	t.Parallel()
	ix := build(t, defaultBase(t), index.Options{})
	res, err := ix.Search(context.Background(), "字节跳动今年总投资多少", 5)
	if err != nil {
		t.Fatal(err)
	}
	terms := strings.Join(res.Query.Terms, " ")
	for _, want := range []string{"total", "invest"} {
		if !strings.Contains(terms, want) {
			t.Errorf("terms %q lack %q", terms, want)
		}
	}
	if len(res.Query.Figures) == 0 || res.Query.Figures[0].Amount != 2025 {
		t.Errorf("figures %v: want this year read as 2025", res.Query.Figures)
	}
	if len(res.Hits) == 0 || res.Hits[0].Fact.ID != "total-investment-over-20b" {
		t.Errorf("top hit %v, want total-investment-over-20b", topIDs(res, 3))
	}
}

// TestSpellingCorrections: non-words are corrected to the knowledge's words
// or to everyday ones; a rare English word one letter from a very common
// one is read as that one — one of the commonest words before a word of
// the facts ("hav" is have, "mak" no MAU); real words are left alone.
func TestSpellingCorrections(t *testing.T) {
	t.Parallel()
	ix := build(t, defaultBase(t), index.Options{})
	tests := []struct {
		q, word, want string // want "" means left as it is
	}{
		{"how mnay monthly usres does doubao hav", "hav", "have"}, // one of the commonest words first
		{"why did nvidia mak the h20", "mak", "man"},              // not the vocabulary's MAU
		{"how mnay monthly usres does doubao hav", "usres", "users"},
		{"alphabt ai spend", "alphabt", "alphabet"},
		{"how much is bytdance sinking into ai infra", "bytdance", "bytedance"},
		{"what percent of doubao users", "percent", ""},
		{"who founded bytedance", "founded", ""},
		{"bytedance investing[31m in ai", "31m", ""}, // a word with a digit is no typo (it was read as 3nm)
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), tt.q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Query.Corrections[tt.word]; got != tt.want {
			t.Errorf("%q: %q corrected to %q, want %q (all: %v)", tt.q, tt.word, got, tt.want, res.Query.Corrections)
		}
	}
}

// TestPlaces: a hit lists the places its fact speaks of.
func TestPlaces(t *testing.T) {
	t.Parallel()
	ix := build(t, defaultBase(t), index.Options{})
	res, err := ix.Search(context.Background(), "microsoft biggest cloud customer nvidia chips", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Fact.ID == "microsoft-top-asia-cloud-customer" {
			if !slices.Contains(h.Places, "asia") {
				t.Errorf("%s: places %v, want asia", h.Fact.ID, h.Places)
			}
			return
		}
	}
	t.Errorf("microsoft-top-asia-cloud-customer not among %v", topIDs(res, 10))
}
