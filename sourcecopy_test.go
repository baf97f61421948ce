package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// copiedRun is how many consecutive words of the source report a tracked
// file may not repeat: the project restates its sources, never copies them.
const copiedRun = 10

// sourceReport is where the report bytewatch's knowledge restates lives: in
// the shared folder beside the clone (as CI lays it out). SOURCE_REPORT
// names another copy, e.g. for a worktree that does not sit beside it.
func sourceReport() string {
	if p := os.Getenv("SOURCE_REPORT"); p != "" {
		return p
	}
	return filepath.Join("..", "shared", "sources", "bytedance-ai-investment-report.txt")
}

// TestNoFileCopiesTheSourceReport fails when a file git tracks repeats
// copiedRun consecutive words of the source report. Words are compared
// lower-cased and without punctuation, so re-wrapping, capitals and commas
// do not hide a copy.
func TestNoFileCopiesTheSourceReport(t *testing.T) {
	report := sourceReport()
	src, err := os.ReadFile(report)
	if os.IsNotExist(err) {
		t.Skipf("no source report at %s (set SOURCE_REPORT to check against a copy elsewhere)", report)
	}
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]bool{}
	srcWords := words(src)
	for i := 0; i+copiedRun <= len(srcWords); i++ {
		runs[join(srcWords[i:i+copiedRun])] = true
	}
	if len(runs) == 0 {
		t.Fatalf("%s has fewer than %d words", report, copiedRun)
	}

	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("cannot list the tracked files (not a git checkout?): %v", err)
	}
	checked := 0
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		b, err := os.ReadFile(name)
		if os.IsNotExist(err) {
			continue // deleted in the working tree, not yet committed
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
			continue // not text
		}
		checked++
		ws := words(b)
		for i := 0; i+copiedRun <= len(ws); i++ {
			if run := join(ws[i : i+copiedRun]); runs[run] {
				t.Errorf("%s:%d repeats %d consecutive words of the source report: %q; restate it instead",
					name, ws[i].line, copiedRun, run)
				break // one report per file is enough to find it
			}
		}
	}
	if checked == 0 {
		t.Fatal("no tracked text files were checked")
	}
}

// word is one normalised word and the line it starts on.
type word struct {
	text string
	line int
}

// words splits text at white space and normalises each word: lower case,
// letters and digits only ("Bytedance’s" is "bytedances", "$55.7" is
// "557"). Words that were only punctuation are dropped.
func words(text []byte) []word {
	var out []word
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), len(text)+1)
	line := 0
	for sc.Scan() {
		line++
		for _, f := range strings.Fields(sc.Text()) {
			w := strings.Map(func(r rune) rune {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					return unicode.ToLower(r)
				}
				return -1
			}, f)
			if w != "" {
				out = append(out, word{w, line})
			}
		}
	}
	return out
}

func join(ws []word) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.text
	}
	return strings.Join(s, " ")
}

func TestWordsNormalises(t *testing.T) {
	got := join(words([]byte("Bytedance’s planned\ninvestments — $55.7 BILLION, (\"AI-related\")")))
	if want := "bytedances planned investments 557 billion airelated"; got != want {
		t.Errorf("words = %q; want %q", got, want)
	}
}
