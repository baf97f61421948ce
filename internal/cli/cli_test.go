package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/internal/cli"
)

// run calls Main with an environment of its own: nothing from the
// process's environment or a .env file leaks in.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	lookup := testLookup(t, env)
	code = cli.Main(context.Background(), args, cli.Env{Stdout: &out, Stderr: &errb, Lookup: lookup})
	return code, out.String(), errb.String()
}

// testLookup reads env, and keeps the records of a bot a test runs in a
// folder of the test's own unless env names one: never in the package's
// ./data.
func testLookup(t *testing.T, env map[string]string) func(string) (string, bool) {
	dataDir := t.TempDir()
	return func(k string) (string, bool) {
		v, ok := env[k]
		if !ok && k == "DATA_DIR" {
			return dataDir, true
		}
		return v, ok
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"ask without question", []string{"ask"}, "needs a question"},
		{"ask empty question", []string{"ask", "   "}, "needs a question"},
		{"ask unknown flag", []string{"ask", "--jsn", "q"}, "flag provided but not defined"},
		{"ask too long", []string{"ask", strings.Repeat("x", 1001)}, "too long"},
		{"search without query", []string{"search"}, "needs a query"},
		{"search bad limit", []string{"search", "--limit", "0", "chips"}, "--limit"},
		{"check two folders", []string{"check", "a", "b"}, "at most one folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, nil, tt.args...)
			if code != cli.ExitUsage {
				t.Errorf("exit %d, want %d", code, cli.ExitUsage)
			}
			if !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "Usage:") {
				t.Errorf("stderr %q lacks %q and the usage", stderr, tt.want)
			}
		})
	}
}

func TestAskJSON(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, nil, "ask", "--json", "How much is ByteDance investing in AI infrastructure?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Question     string `json:"question"`
		Answer       string `json:"answer"`
		Answered     bool   `json:"answered"`
		Mode         string `json:"mode"`
		IndexVersion string `json:"index_version"`
		Citations    []struct {
			N      int    `json:"n"`
			FactID string `json:"fact_id"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	if !got.Answered || got.Mode != "extractive" || got.IndexVersion == "" || len(got.Citations) == 0 {
		t.Errorf("unexpected answer: %+v", got)
	}
}

func TestAskText(t *testing.T) {
	t.Parallel()
	// Flags may follow the question.
	code, stdout, stderr := run(t, nil, "ask", "Who is ByteDance's CEO?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "don't cover") || strings.Contains(stdout, "Sources:") {
		t.Errorf("not-covered answer printed as:\n%s", stdout)
	}
	if !strings.Contains(stdout, "Not investment advice") {
		t.Errorf("footer missing:\n%s", stdout)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, nil, "search", "--limit", "3", "Nvidia", "chips")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "SCORE") || !strings.Contains(stdout, "nvidia-chips-up-to-7b") {
		t.Errorf("search output:\n%s", stdout)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	code, stdout, _ := run(t, nil, "check")
	if code != 0 || !strings.Contains(stdout, "is valid") || !strings.Contains(stdout, "facts:") {
		t.Errorf("check of the built-in base: exit %d\n%s", code, stdout)
	}
	dir := t.TempDir()
	bad := "id: broken\ntitle: t\npublisher: p\npublished: 2025-13\nfacts: []\n"
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, nil, "check", dir)
	if code != cli.ExitFailure || !strings.Contains(stderr, "broken.yaml:4") {
		t.Errorf("check of a broken folder: exit %d, stderr %q (want the file and line)", code, stderr)
	}
	// KNOWLEDGE_DIR is honoured, and a broken one fails ask too.
	code, _, stderr = run(t, map[string]string{"KNOWLEDGE_DIR": dir}, "ask", "Doubao users?")
	if code != cli.ExitFailure || !strings.Contains(stderr, "broken.yaml") {
		t.Errorf("ask with a broken KNOWLEDGE_DIR: exit %d, stderr %q", code, stderr)
	}
}

func TestBadConfig(t *testing.T) {
	t.Parallel()
	code, _, stderr := run(t, map[string]string{"LLM_TIMEOUT": "soon", "RATE_LIMIT_PER_MINUTE": "-1"}, "ask", "Doubao users?")
	if code != cli.ExitFailure || !strings.Contains(stderr, "LLM_TIMEOUT") || !strings.Contains(stderr, "RATE_LIMIT_PER_MINUTE") {
		t.Errorf("bad config: exit %d, stderr %q (want both problems)", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, stdout, _ := run(t, nil, "version")
	if code != 0 || !strings.HasPrefix(stdout, "bytewatch ") {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
}

// TestDotEnv: settings come from .env, the environment wins over it, and a
// named --env-file that does not exist is an error.
func TestDotEnv(t *testing.T) {
	t.Parallel()
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "broken.yaml"), []byte("not: [valid"), 0o644); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(envFile, []byte("# a comment\nKNOWLEDGE_DIR="+broken+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		inStderr string
	}{
		{"from .env", nil, []string{"ask", "--env-file", envFile, "Doubao users?"}, cli.ExitFailure, "broken.yaml"},
		{"the environment wins", map[string]string{"KNOWLEDGE_DIR": ""}, []string{"ask", "--env-file", envFile, "Doubao users?"}, cli.ExitOK, ""},
		{"a missing --env-file", nil, []string{"ask", "--env-file", envFile + ".missing", "Doubao users?"}, cli.ExitFailure, ".env.missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, tt.code, tt.inStderr)
			}
		})
	}
}
