package ingest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/ingest"
)

// FuzzDraft: whatever the article, Draft does not panic, and a draft it
// returns loads.
func FuzzDraft(f *testing.F) {
	for _, dir := range []string{"articles", "heldout"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, name := range files {
			if strings.HasSuffix(name, ".key.yaml") {
				continue
			}
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(data), "")
		}
	}
	f.Add("<p>Published 2025-01-02</p><p>ByteDance spent $5bn last year, Reuters said.</p>", "html")
	f.Add("# T\n\n2025-01-02\n\n- ByteDance had 5mn users [1].\n", "markdown")
	f.Add("T\n\nPublished 2025-01-02\n\n\"Quote,\" said X. It rose 5% in May: up from 3%.", "text")
	base, err := knowledge.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, article, format string) {
		res, err := ingest.Draft(context.Background(), strings.NewReader(article), ingest.Options{Base: base, Format: format, Published: "2025-06-18"})
		if err != nil {
			if errors.Is(err, ingest.ErrNoFacts) || strings.Contains(err.Error(), "unknown format") {
				return
			}
			t.Fatalf("Draft: %v", err)
		}
		if _, err := knowledge.Load(fstest.MapFS{"d.yaml": {Data: res.YAML}}); err != nil {
			t.Fatalf("the draft does not load: %v\n%s", err, res.YAML)
		}
	})
}
