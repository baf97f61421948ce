package knowledge

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds arbitrary bytes to Load as a knowledge file: it must never
// panic, and must return either a Base or a *LoadError with problems, never
// both or neither.
func FuzzLoad(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*/*.y*ml")
	if err != nil {
		f.Fatal(err)
	}
	dataFiles, err := filepath.Glob("data/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range append(seeds, dataFiles...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		base, err := Load(fstest.MapFS{"k.yaml": {Data: data}})
		if err == nil {
			if base == nil {
				t.Fatal("no Base and no error")
			}
			for _, fact := range base.Facts {
				if fact.ID == "" || fact.Statement == "" || fact.Attribution == "" || fact.AsOf.IsZero() {
					t.Errorf("loaded an incomplete fact: %+v", fact)
				}
			}
			return
		}
		if base != nil {
			t.Fatalf("a Base and an error: %v", err)
		}
		var le *LoadError
		if !errors.As(err, &le) {
			t.Fatalf("error %v is a %T, want *LoadError", err, err)
		}
		if len(le.Problems) == 0 {
			t.Fatal("a LoadError with no problems")
		}
		lines := lineCount(data)
		for _, p := range le.Problems {
			if p.File != "k.yaml" || p.Line < 0 || p.Line > lines || p.Msg == "" {
				t.Errorf("problem %+v: want file k.yaml, a line within the file's %d and a message", p, lines)
			}
		}
	})
}
