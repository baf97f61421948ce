package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/internal/cli"
)

// TestKnowledgeCommand walks a moderator's session on the command line:
// export the built-in base, preview and add a source, list the history,
// roll back.
func TestKnowledgeCommand(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "knowledge")
	fixture := filepath.Join("..", "..", "knowledge", "folder", "testdata", "capex-update-2025.yaml")
	env := map[string]string{"KNOWLEDGE_DIR": dir, "USER": "alice"}
	second, err := os.ReadFile(filepath.Join("..", "..", "knowledge", "folder", "testdata", "second-source.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	advice := filepath.Join(t.TempDir(), "advice.yaml")
	if err := os.WriteFile(advice, []byte(strings.ReplaceAll(string(second), "ByteDance hired engineers for its AI research team.", "Investors should buy ByteDance shares now.")), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		args []string
		code int
		want []string // in stdout, or stderr when code is not 0
	}{
		{"no folder yet", []string{"knowledge", "history"}, cli.ExitFailure, []string{"knowledge folder"}},
		{"export", []string{"knowledge", "export", dir}, 0, []string{"base.yaml, bytedance-ai-investment-2025.yaml", "version 1", "KNOWLEDGE_DIR=" + dir}},
		{"export again", []string{"knowledge", "export", dir}, cli.ExitFailure, []string{"already holds base.yaml"}},
		{"preview", []string{"knowledge", "add", fixture}, 0, []string{"add source capex-update-2025 (2 facts)", "It writes capex-update-2025.yaml",
			"capex-update-ai-infra-15b: $15 billion (AI infrastructure investment)", "vs ai-infra-over-10b", "Nothing changed. Run it again with --yes"}},
		{"add", []string{"knowledge", "add", "--yes", fixture}, 0, []string{"Version 2: add source capex-update-2025 (2 facts)"}},
		{"add the same", []string{"knowledge", "add", "--yes", fixture}, cli.ExitFailure, []string{"nothing would change"}},
		{"bad id", []string{"knowledge", "remove", "../base"}, cli.ExitFailure, []string{"source id \"../base\""}},
		{"remove", []string{"knowledge", "remove", "--yes", "capex-update-2025"}, 0, []string{"Version 3: remove source capex-update-2025 (2 facts)"}},
		{"rollback", []string{"knowledge", "rollback", "--yes", "2"}, 0, []string{"Version 4: roll back to version 2"}},
		{"history", []string{"knowledge", "history"}, 0, []string{"v4  ", "cli:alice  roll back to version 2", "v3", "v2", "v1", "bytewatch  the folder as found"}},
		{"check", []string{"check"}, 0, []string{"is valid", "sources:   2"}},
		{"advice", []string{"knowledge", "add", "--yes", advice}, cli.ExitFailure, []string{"investment advice", "second-source"}},
	}
	for _, s := range steps {
		code, stdout, stderr := run(t, env, s.args...)
		out := stdout
		if s.code != 0 {
			out = stderr
		}
		if code != s.code {
			t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", s.name, code, s.code, stdout, stderr)
		}
		for _, w := range s.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", s.name, w, out)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "capex-update-2025.yaml")); err != nil {
		t.Errorf("after the rollback: %v", err)
	}
	if code, _, stderr := run(t, nil, "knowledge", "add", fixture); code != cli.ExitFailure || !strings.Contains(stderr, "bytewatch knowledge export DIR") {
		t.Errorf("without KNOWLEDGE_DIR: exit %d, %s", code, stderr)
	}
}
