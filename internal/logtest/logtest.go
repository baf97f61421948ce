// Package logtest captures log output in tests and finds JSON log lines in
// it, for tests that assert on what bytewatch logs (and does not log).
package logtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Buffer is an io.Writer that keeps what is written, safe for concurrent
// use: slog handlers and the code under test write from many goroutines.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Lines returns the JSON lines written so far that have every key=value of
// want (values compared as fmt.Sprint renders them).
func (b *Buffer) Lines(want map[string]string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(b.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		ok := true
		for k, v := range want {
			if fmt.Sprint(rec[k]) != v {
				ok = false
			}
		}
		if ok {
			out = append(out, rec)
		}
	}
	return out
}

// Wait waits up to ten seconds for a JSON line with every key=value of
// want, and fails the test, showing what was logged, if none comes.
func (b *Buffer) Wait(t testing.TB, want map[string]string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got := b.Lines(want); len(got) > 0 {
			return got[0]
		}
	}
	t.Fatalf("no log line with %v in:\n%s", want, b.String())
	return nil
}
