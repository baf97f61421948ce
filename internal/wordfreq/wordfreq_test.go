package wordfreq

import "testing"

func TestZipf(t *testing.T) {
	en, err := English()
	if err != nil {
		t.Fatal(err)
	}
	// Everyday words score high, the words of a rarer register low, and
	// what the corpus never had is unknown.
	cases := []struct {
		word     string
		min, max float64
		known    bool
	}{
		{"people", 5.8, 6.5, true},
		{"lot", 5.5, 6.2, true},
		{"Around", 5.5, 6.3, true},
		{"revenue", 3.0, 3.8, true},
		{"valuation", 1.5, 2.5, true},
		{"bytedance", 0, 0, false},
		{"mcuh", 0, 0, false},
		{"豆包", 0, 0, false},
	}
	for _, c := range cases {
		z, ok := en.Zipf(c.word)
		if ok != c.known || (ok && (z < c.min || z > c.max)) {
			t.Errorf("Zipf(%q) = %.2f, %v; want %v in [%.1f, %.1f]", c.word, z, ok, c.known, c.min, c.max)
		}
	}
	if len(en.Words) < 50000 || en.Words[0] != "you" {
		t.Errorf("%d words, first %q; want over 50,000, most frequent first", len(en.Words), en.Words[0])
	}
}

func TestParseRejectsMalformedTables(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("not gzip")} {
		if _, err := Parse(data); err == nil {
			t.Errorf("Parse(%q) = nil error", data)
		}
	}
}
