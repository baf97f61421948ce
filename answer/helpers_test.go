package answer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

func containsLine(text, line string) bool { return strings.Contains(text, line) }

// decodeFile decodes the YAML file into doc, refusing unknown fields.
func decodeFile(t testing.TB, file string, doc any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// buildIndex indexes base in memory for one test.
func buildIndex(t testing.TB, base *knowledge.Base) *index.Index {
	t.Helper()
	ix, err := index.Build(context.Background(), base, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// fictionalIndex is the index of the fictional second base
// (knowledge/testdata/fictional), and the base.
func fictionalIndex(t testing.TB) (*index.Index, *knowledge.Base) {
	t.Helper()
	base, err := knowledge.LoadDir(filepath.Join("..", "knowledge", "testdata", "fictional"))
	if err != nil {
		t.Fatal(err)
	}
	return buildIndex(t, base), base
}
