package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bytewatch/bytewatch/internal/cli"
	"github.com/bytewatch/bytewatch/knowledge"
)

// article is a short made-up news story in plain text.
const article = `ByteDance books more Nvidia hardware

Published 2025-11-12

ByteDance spent about $7.5bn on Nvidia hardware last year, according to research firm Quarry Analytics.

Doubao had 180 million monthly active users in October, the company said.

Copyright 2025 Example Wire. All rights reserved.
`

func writeArticle(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "story.txt")
	if err := os.WriteFile(path, []byte(article), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// copyKnowledge copies the built-in knowledge files into a folder of
// their own, for --apply to write into.
func copyKnowledge(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "knowledge", "data")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".yaml" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestIngestPrintsADraftThatLoads(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, nil, "ingest", writeArticle(t))
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := knowledge.Load(fstest.MapFS{"draft.yaml": {Data: []byte(stdout)}})
	if err != nil {
		t.Fatalf("the draft does not load: %v\n%s", err, stdout)
	}
	if got := len(b.Facts); got != 2 {
		t.Errorf("%d facts, want 2:\n%s", got, stdout)
	}
	if src := b.Sources[0]; src.Publisher != "Example Wire" || src.Published.String() != "2025-11-12" {
		t.Errorf("source %+v: want publisher Example Wire, published 2025-11-12", src)
	}
	if !strings.Contains(stderr, "check: ") {
		t.Errorf("stderr lists no notes for the moderator: %q", stderr)
	}
}

func TestIngestApplyWritesIntoTheKnowledgeFolder(t *testing.T) {
	t.Parallel()
	dir := copyKnowledge(t)
	code, _, stderr := run(t, nil, "ingest", "--knowledge-dir", dir, "--apply", "--id", "example-wire-nvidia-2025-11", writeArticle(t))
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "example-wire-nvidia-2025-11.yaml")); err != nil {
		t.Fatalf("no file written: %v (%s)", err, stderr)
	}
	code, stdout, stderr := run(t, nil, "ask", "--knowledge-dir", dir, "--json", "How much did ByteDance spend on Nvidia hardware in 2024?")
	if code != cli.ExitOK {
		t.Fatalf("ask: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "example-wire-nvidia-2025-11") || !strings.Contains(stdout, "7.5") {
		t.Errorf("the answer does not come from the new source:\n%s", stdout)
	}
	// Applying the same article again replaces the file, not duplicates it.
	code, _, stderr = run(t, nil, "ingest", "--knowledge-dir", dir, "--apply", "--id", "example-wire-nvidia-2025-11", writeArticle(t))
	if code != cli.ExitOK || !strings.Contains(stderr, "replaced") {
		t.Errorf("second apply: exit %d: %s", code, stderr)
	}
}

func TestIngestRefuses(t *testing.T) {
	t.Parallel()
	bad := copyKnowledge(t)
	// A folder that is already invalid: --apply writes nothing into it.
	if err := os.WriteFile(filepath.Join(bad, "broken.yaml"), []byte("id: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no article", []string{"ingest"}, cli.ExitUsage, "one article"},
		{"two articles", []string{"ingest", "a.txt", "b.txt"}, cli.ExitUsage, "one article"},
		{"out and apply", []string{"ingest", "--out", "x", "--apply", "a.txt"}, cli.ExitUsage, "exclusive"},
		{"apply to the built-in base", []string{"ingest", "--apply", writeArticle(t)}, cli.ExitFailure, "read-only"},
		{"missing file", []string{"ingest", filepath.Join(t.TempDir(), "none.txt")}, cli.ExitFailure, "no such file"},
		{"bad date", []string{"ingest", "--published", "June 2025", writeArticle(t)}, cli.ExitFailure, "--published"},
		{"bad id", []string{"ingest", "--id", "Bad_ID", writeArticle(t)}, cli.ExitFailure, "--id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
	code, _, stderr := run(t, nil, "ingest", "--knowledge-dir", bad, "--apply", writeArticle(t))
	if code != cli.ExitFailure {
		t.Errorf("apply into an invalid folder: exit %d: %s", code, stderr)
	}
	entries, _ := os.ReadDir(bad)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "example") {
			t.Errorf("%s was written into an invalid folder", e.Name())
		}
	}
}

// TestCheckPrintsWarnings: check lists what loads but deserves a look, and
// counts errors and warnings when the folder does not load.
func TestCheckPrintsWarnings(t *testing.T) {
	t.Parallel()
	dir := copyKnowledge(t)
	if err := os.MkdirAll(filepath.Join(dir, "drafts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "drafts", "x.yaml"), []byte("id: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, nil, "check", dir)
	if code != cli.ExitOK || !strings.Contains(stdout, "is valid") || !strings.Contains(stdout, filepath.Join("drafts", "x.yaml")+": warning: in a subfolder") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	src := filepath.Join(dir, "bytedance-ai-investment-2025.yaml")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "measure: total investment", "measure: total investments", 1)
	bad = strings.Replace(bad, "unit: USD", "unit: dollars", 1)
	if err := os.WriteFile(src, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, nil, "check", dir)
	for _, want := range []string{"(2 errors, 1 warning)", `unit "dollars": the knowledge writes this unit "USD"`, `measure "total investments" is not declared; the closest declared measure is "total investment"`} {
		if code != cli.ExitFailure || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
}
