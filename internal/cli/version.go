package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is the binary's module version, from the build info: a tag such
// as v1.2.0 for `go install …@v1.2.0`, or "dev" for a build from a clone.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// buildInfo is what `bytewatch version` reports about the binary.
type buildInfo struct {
	Module    string // the module version, or "dev"
	Revision  string // the VCS revision; "" when the build did not record it
	Time      string // the revision's commit time (RFC 3339)
	Modified  bool   // the working tree had uncommitted changes
	GoVersion string
}

// readBuildInfo reads the binary's build info: `go build` and `go install`
// in a clone record the VCS revision; `go run` and `go test` do not.
func readBuildInfo(bi *debug.BuildInfo, ok bool) buildInfo {
	info := buildInfo{Module: "dev", GoVersion: runtime.Version()}
	if !ok || bi == nil {
		return info
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		info.Module = v
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

// write prints the binary's part of `bytewatch version`.
func (b buildInfo) write(w io.Writer) {
	fmt.Fprintf(w, "bytewatch %s\n", b.Module)
	switch {
	case b.Revision == "":
		fmt.Fprintln(w, "  revision:  unknown (go build and go install in a clone record it; go run, go test and -buildvcs=false do not)")
	default:
		rev := b.Revision
		if b.Modified {
			rev += " (modified: the tree had uncommitted changes)"
		}
		fmt.Fprintf(w, "  revision:  %s\n", rev)
		if b.Time != "" {
			fmt.Fprintf(w, "  committed: %s\n", b.Time)
		}
	}
	fmt.Fprintf(w, "  go:        %s\n", b.GoVersion)
}

// version prints the binary's version and the knowledge's; it takes the
// common flags (--knowledge-dir names the knowledge) and no arguments.
func version(_ context.Context, args []string, env Env) error {
	f := newFlags("version")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("version takes no arguments, got %q", strings.Join(pos, " "))}
	}
	readBuildInfo(debug.ReadBuildInfo()).write(env.Stdout)
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	base, dir, err := loadKnowledge(cfg.KnowledgeDir)
	if err != nil {
		return err
	}
	where := "built in"
	if dir != "" {
		where = dir
	}
	fmt.Fprintf(env.Stdout, "  knowledge: %s — %s\n", where, base.Stats())
	return nil
}
