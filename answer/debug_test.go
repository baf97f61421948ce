package answer_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestDebugQ(t *testing.T) {
	qs := os.Getenv("DEBUGQ")
	if qs == "" {
		t.Skip()
	}
	ix := defaultIndex(t)
	for _, q := range strings.Split(qs, "|") {
		res, _ := ix.Search(context.Background(), q, 6)
		fmt.Printf("Q: %s\n  terms=%v corr=%v\n", q, res.Query.Terms, res.Query.Corrections)
		for _, u := range res.Query.Units {
			fmt.Printf("  unit %s %s w=%.2f known=%v\n", u.Kind, u.Key, u.Weight, u.Known)
		}
		for _, h := range res.Hits {
			fmt.Printf("  %.3f cov=%.2f %v %s\n", h.Score, h.Coverage, h.Covered, h.Fact.ID)
		}
	}
}
