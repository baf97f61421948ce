package cli_test

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/internal/cli"
	"github.com/bytewatch/bytewatch/knowledge"
)

// TestCommonFlagsBeforeTheCommand: the common flags work before the command
// as after it; a command's own flag before it is a usage error saying so.
func TestCommonFlagsBeforeTheCommand(t *testing.T) {
	t.Parallel()
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "broken.yaml"), []byte("not: [valid"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"before", []string{"--knowledge-dir", broken, "ask", "Doubao users?"}, cli.ExitFailure, "broken.yaml"},
		{"before, with =", []string{"--knowledge-dir=" + broken, "ask", "Doubao users?"}, cli.ExitFailure, "broken.yaml"},
		{"after", []string{"ask", "--knowledge-dir", broken, "Doubao users?"}, cli.ExitFailure, "broken.yaml"},
		{"after the question", []string{"ask", "Doubao users?", "--knowledge-dir", broken}, cli.ExitFailure, "broken.yaml"},
		{"env file before", []string{"--env-file", filepath.Join(broken, "missing.env"), "check"}, cli.ExitFailure, "missing.env"},
		{"a command flag before", []string{"--json", "ask", "q"}, cli.ExitUsage, "put it after the command"},
		{"a value missing", []string{"--knowledge-dir"}, cli.ExitUsage, "needs an argument"},
		{"only flags", []string{"--knowledge-dir", broken}, cli.ExitUsage, "no command given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, tt.code, tt.inStderr)
			}
		})
	}
	code, stdout, _ := run(t, nil, "--knowledge-dir", broken, "--help")
	if code != cli.ExitOK || !strings.Contains(stdout, "accepted before or after the command") {
		t.Errorf("--help after a common flag: exit %d, %q", code, stdout)
	}
}

// TestSearchJSON: search --json gives ask --json's citation fields plus the
// rank, best match first.
func TestSearchJSON(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, nil, "search", "Nvidia chips", "--json", "--limit", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Query        string           `json:"query"`
		IndexVersion string           `json:"index_version"`
		Results      []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	if got.Query != "Nvidia chips" || got.IndexVersion == "" || len(got.Results) == 0 || len(got.Results) > 3 {
		t.Fatalf("search --json = %+v", got)
	}
	fields := []string{"rank", "n", "fact_id", "source_id", "source_title", "attribution", "as_of", "text", "score"}
	var ids []string
	for i, r := range got.Results {
		for _, f := range fields {
			if _, ok := r[f]; !ok {
				t.Errorf("result %d lacks %q: %v", i, f, r)
			}
		}
		if r["rank"] != float64(i+1) {
			t.Errorf("result %d has rank %v", i, r["rank"])
		}
		if i > 0 && r["score"].(float64) > got.Results[i-1]["score"].(float64) {
			t.Errorf("result %d scores above result %d", i, i-1)
		}
		ids = append(ids, r["fact_id"].(string))
	}
	if !strings.Contains(strings.Join(ids, " "), "nvidia-chips-up-to-7b") {
		t.Errorf("results %v lack nvidia-chips-up-to-7b", ids)
	}
	// Nothing matches: an empty list, still JSON.
	code, stdout, _ = run(t, nil, "search", "--json", "zzzqqq")
	if code != 0 || !strings.Contains(stdout, `"results": []`) {
		t.Errorf("search --json with no match: exit %d\n%s", code, stdout)
	}
}

// TestVersionReport: version prints the module version, the revision (or
// why there is none), the Go version and the knowledge's version; extra
// arguments are a usage error.
func TestVersionReport(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, nil, "version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	base, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bytewatch ", "revision:", "go:        " + runtime.Version(), "knowledge: built in", "version " + base.Version(), "1 source,"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, stdout)
		}
	}
	dir := filepath.Join("..", "..", "knowledge", "data")
	if _, stdout, _ := run(t, nil, "--knowledge-dir", dir, "version"); !strings.Contains(stdout, "knowledge: "+dir) {
		t.Errorf("version with --knowledge-dir:\n%s", stdout)
	}
	if code, _, stderr := run(t, nil, "version", "extra"); code != cli.ExitUsage || !strings.Contains(stderr, "version takes no arguments") {
		t.Errorf("version extra: exit %d, %q", code, stderr)
	}
}

// TestCheckNamesTheFolder: check names the folder the user gave when it is
// missing, and takes the repository's knowledge/ for knowledge/data.
func TestCheckNamesTheFolder(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nonexistent")
	code, _, stderr := run(t, nil, "check", missing)
	if code != cli.ExitFailure || !strings.Contains(stderr, missing+" does not exist") || strings.Contains(stderr, "open .") {
		t.Errorf("check of a missing folder: exit %d, %q", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "a.yaml")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, nil, "check", file); code != cli.ExitFailure || !strings.Contains(stderr, "is a file, not a folder") {
		t.Errorf("check of a file: exit %d, %q", code, stderr)
	}
	// From the repository's root, "check knowledge" means knowledge/data.
	repoKnowledge := filepath.Join("..", "..", "knowledge")
	code, stdout, stderr := run(t, nil, "check", repoKnowledge)
	if code != cli.ExitOK || !strings.Contains(stdout, "checking "+filepath.Join(repoKnowledge, "data")) || !strings.Contains(stdout, "is valid") {
		t.Errorf("check knowledge: exit %d\n%s%s", code, stdout, stderr)
	}
	// A folder with no knowledge files says where the built-in ones are.
	code, _, stderr = run(t, nil, "check", t.TempDir())
	if code != cli.ExitFailure || !strings.Contains(stderr, "knowledge/data") {
		t.Errorf("check of an empty folder: exit %d, %q", code, stderr)
	}
}

// TestRunNamesTheDialledAddress: with DISCORD_API_BASE_URL set, a failed
// connection names the address dialled, not discord.com.
func TestRunNamesTheDialledAddress(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	code, _, stderr := run(t, map[string]string{"DISCORD_TOKEN": "x", "DISCORD_API_BASE_URL": "http://" + addr}, "run")
	if code != cli.ExitFailure || !strings.Contains(stderr, `"http://`+addr+`/api/v9/gateway"`) || strings.Contains(stderr, "discord.com/api") {
		t.Errorf("exit %d, stderr %q; want the dialled address http://%s/api/v9/gateway", code, stderr, addr)
	}
}
