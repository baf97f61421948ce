package folder_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/knowledge/folder"
)

// FuzzCheckYAML: whatever a moderator attaches, CheckYAML returns without
// panicking, and what it lets through names a source id that stays inside
// the knowledge folder and has no anchors or aliases.
func FuzzCheckYAML(f *testing.F) {
	for _, name := range []string{"capex-update-2025.yaml", "second-source.yaml", "bad-figure.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("id: a\nx: &a [1, 2]\ny: [*a, *a]\n"))
	f.Add([]byte("id: deep\nfacts: " + strings.Repeat("[", 30) + strings.Repeat("]", 30) + "\n"))
	f.Add([]byte("id: ../x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := folder.CheckYAML(data)
		if err != nil {
			return
		}
		if folder.CheckSourceID(id) != nil || strings.ContainsAny(id, `/\.`) {
			t.Errorf("CheckYAML let through the id %q", id)
		}
	})
}
