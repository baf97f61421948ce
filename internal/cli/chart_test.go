package cli_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/internal/cli"
)

// chartKnowledge is the chart package's fixed knowledge: two companies'
// spending and chatbot users, and two reports that disagree.
const chartKnowledge = "../../chart/testdata/knowledge"

func TestChartWritesAPNG(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "c.png")
	code, stdout, stderr := run(t, nil, "chart", "--knowledge-dir", chartKnowledge, "--out", out,
		"How much did Acme and Globex spend on data centres?")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if sz := img.Bounds().Size(); sz.X != 1000 || sz.Y != 560 {
		t.Errorf("size %v, want the default 1000×560", sz)
	}
	if !strings.Contains(stdout, "Wrote "+out) || !strings.Contains(stdout, "Sources:") || !strings.Contains(stdout, "Not investment advice") {
		t.Errorf("stdout should name the file and carry the cited answer:\n%s", stdout)
	}
}

func TestChartToStdoutWithSize(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, nil, "chart", "--knowledge-dir", chartKnowledge, "--out", "-", "--width", "800", "--height", "450",
		"How much did Acme and Globex spend on data centres?")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	img, err := png.Decode(strings.NewReader(stdout))
	if err != nil {
		t.Fatalf("stdout is not a PNG: %v", err)
	}
	if sz := img.Bounds().Size(); sz.X != 800 || sz.Y != 450 {
		t.Errorf("size %v, want 800×450", sz)
	}
	if !strings.Contains(stderr, "Wrote standard output") {
		t.Errorf("the answer should go to stderr: %q", stderr)
	}
}

func TestChartNothingToChart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "c.png")
	code, stdout, stderr := run(t, nil, "chart", "--knowledge-dir", chartKnowledge, "--out", out,
		"What does Acme's chief executive say is its first priority?")
	if code != cli.ExitFailure {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, cli.ExitFailure, stdout, stderr)
	}
	if !strings.Contains(stderr, "bytewatch: nothing to chart:") {
		t.Errorf("stderr should say why: %q", stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a picture was written: %v", err)
	}
}

func TestChartUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"chart"},
		{"chart", "--width", "10", "q"},
		{"chart", "--height", "99999", "q"},
		{"chart", "--out", "", "q"},
	} {
		if code, _, stderr := run(t, nil, args...); code != cli.ExitUsage || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestAskJSONChartable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"How much did Acme and Globex spend on data centres?", true},
		{"What does Acme's chief executive say is its first priority?", false},
	} {
		code, stdout, stderr := run(t, nil, "ask", "--json", "--knowledge-dir", chartKnowledge, tc.q)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		if got["chartable"] != tc.want || got["question"] == nil || got["citations"] == nil {
			t.Errorf("%q: chartable %v, want %v\n%s", tc.q, got["chartable"], tc.want, stdout)
		}
	}
}
