package index_test

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/index"
)

// FuzzSearch feeds arbitrary questions through the question-to-query
// builder and the search: it must never fail or panic, only ever return
// facts of the base, and report coverage between 0 and 1.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		"How much is ByteDance investing in AI infrastructure?",
		"title:revenue AND ceo:*", `"unclosed`, "+doubao -users", "/re.*/", "field:[1 TO 5]",
		"$12B 12bn US$12 billion 12,000 million", "last year last December next year",
		"Bytedanse Dobao Jimneg infrastucture", "U.S. US USA use used", "\x00\xff\u200b",
		"@everyone <@&123> [link](http://x)", "ByteDance ByteDance ByteDance",
	} {
		f.Add(s)
	}
	base := defaultBase(f)
	ix, err := index.Build(context.Background(), base, index.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ix.Close() })
	f.Fuzz(func(t *testing.T, q string) {
		if !utf8.ValidString(q) || len(q) > 2000 {
			t.Skip()
		}
		res, err := ix.Search(context.Background(), q, 5)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		if len(res.Hits) > 5 {
			t.Fatalf("Search(%q): %d hits, limit 5", q, len(res.Hits))
		}
		for _, h := range res.Hits {
			if _, ok := base.Fact(h.Fact.ID); !ok {
				t.Fatalf("Search(%q): hit %s is not a fact", q, h.Fact.ID)
			}
			if h.Coverage < 0 || h.Coverage > 1 || len(h.Covered) != len(res.Query.Units) {
				t.Fatalf("Search(%q): coverage %v over %d units, covered %v", q, h.Coverage, len(res.Query.Units), h.Covered)
			}
		}
	})
}
