package index_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/logtest"
	"github.com/bytewatch/bytewatch/knowledge"
)

// TestReuseOnDisk: with Path and a ReuseKey, Close keeps the index on disk
// and the next Build of the same knowledge with the same key opens it and
// answers as before; another key or other knowledge builds afresh and
// removes the old generation.
func TestReuseOnDisk(t *testing.T) {
	t.Parallel()
	path := t.TempDir()
	base := defaultBase(t)
	gens := func() []string {
		dirs, _ := filepath.Glob(filepath.Join(path, "gen-*"))
		return dirs
	}
	open := func(b *knowledge.Base, key string) (*index.Index, string) {
		t.Helper()
		var log logtest.Buffer
		ix, err := index.Build(context.Background(), b, index.Options{Path: path, ReuseKey: key,
			Logger: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return ix, log.String()
	}
	search := func(ix *index.Index) []string {
		t.Helper()
		res, err := ix.Search(context.Background(), "Nvidia chips", 3)
		if err != nil {
			t.Fatal(err)
		}
		return topIDs(res, 3)
	}

	ix, log := open(base, "binary-1")
	want := search(ix)
	first := gens()
	if len(first) != 1 || strings.Contains(log, "reusing") {
		t.Fatalf("first build: generations %v, log %q", first, log)
	}
	ix.Close()
	if got := gens(); !slices.Equal(got, first) {
		t.Fatalf("Close with a ReuseKey left %v; want %v kept", got, first)
	}

	ix, log = open(base, "binary-1")
	if !strings.Contains(log, "reusing the index on disk") {
		t.Errorf("second start did not reuse the index: %q", log)
	}
	if got := gens(); !slices.Equal(got, first) {
		t.Errorf("after reuse: generations %v; want %v", got, first)
	}
	if got := search(ix); !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("reused index finds %v; the built one found %v", got, want)
	}
	ix.Close()

	// A new binary: rebuilt, the old generation removed.
	ix, log = open(base, "binary-2")
	second := gens()
	if strings.Contains(log, "reusing") || len(second) != 1 || second[0] == first[0] {
		t.Errorf("new key: log %q, generations %v (old %v)", log, second, first)
	}
	ix.Close()

	// New knowledge: rebuilt under its own version.
	changed := knowledge.NewBase(base.Sources, base.Facts[1:])
	ix, log = open(changed, "binary-2")
	third := gens()
	if strings.Contains(log, "reusing") || len(third) != 1 || !strings.Contains(third[0], "gen-"+changed.Version()+"-") {
		t.Errorf("new knowledge: log %q, generations %v", log, third)
	}
	ix.Close()

	// Without a key nothing is kept.
	ix, _ = open(base, "")
	ix.Close()
	if got := gens(); len(got) != 0 {
		t.Errorf("without a ReuseKey Close left %v", got)
	}
}

// TestReuseOfADamagedIndex: a generation whose marker matches but whose
// Bleve folder is damaged is built again, not served.
func TestReuseOfADamagedIndex(t *testing.T) {
	t.Parallel()
	path := t.TempDir()
	base := defaultBase(t)
	ix, err := index.Build(context.Background(), base, index.Options{Path: path, ReuseKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	dirs, _ := filepath.Glob(filepath.Join(path, "gen-*", "index_meta.json"))
	if len(dirs) != 1 {
		t.Fatalf("index_meta.json files: %v", dirs)
	}
	if err := os.WriteFile(dirs[0], []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	ix, err = index.Build(context.Background(), base, index.Options{Path: path, ReuseKey: "k", Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !strings.Contains(log.String(), "building it again") {
		t.Errorf("log %q; want the damaged index reported and rebuilt", log.String())
	}
	if res, err := ix.Search(context.Background(), "Nvidia chips", 3); err != nil || len(res.Hits) == 0 {
		t.Errorf("rebuilt index: %v, %d hits", err, len(res.Hits))
	}
}
