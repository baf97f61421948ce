package cli

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

// TestBuildInfo: a binary built from a clone reports its module version,
// revision, commit time and whether the tree was modified, from the build
// info; one without (go run, go test) says why there is no revision.
func TestBuildInfo(t *testing.T) {
	t.Parallel()
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	var b bytes.Buffer
	readBuildInfo(bi, true).write(&b)
	for _, want := range []string{"bytewatch v1.2.3\n", "revision:  0123456789abcdef (modified", "committed: 2026-01-02T03:04:05Z", "go:        go1.26.0"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("version lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	readBuildInfo(&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true).write(&b)
	if !strings.HasPrefix(b.String(), "bytewatch dev\n") || !strings.Contains(b.String(), "revision:  unknown (go build and go install in a clone record it") {
		t.Errorf("version without VCS info:\n%s", b.String())
	}
}
