package folder

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bytewatch/bytewatch/knowledge"
)

// HistoryDir is the folder inside the knowledge folder that keeps every
// version: a full copy of the knowledge files of each (v000001/,
// v000002/, …) with its record in .version.json beside them. The loader
// skips it: its name starts with ".".
const HistoryDir = ".history"

const (
	recordFile  = ".version.json"
	pendingFile = "pending.json"
)

// Actions a Version records.
const (
	ActionInitial  = "initial"  // the folder as found when history began
	ActionAdd      = "add"      // a new source
	ActionReplace  = "replace"  // a new file for an existing source
	ActionRemove   = "remove"   // a source removed
	ActionRollback = "rollback" // the files of an earlier version restored
	ActionEdit     = "edit"     // files edited on disk, picked up by the watcher
)

// Version is one state of the knowledge folder and the change that made it.
type Version struct {
	N      int       `json:"version"`
	Time   time.Time `json:"time"`
	Who    string    `json:"who"` // "discord:ID (name)", "disk", "cli:user"
	Action string    `json:"action"`
	// Summary says what changed in a line: "add source foo (3 facts)".
	Summary string `json:"summary"`
	// Files are the knowledge files the change wrote or removed.
	Files FileChanges `json:"files"`
	// Facts are the fact ids it added, removed or changed.
	Facts knowledge.Changes `json:"facts"`
	// Knowledge is the knowledge base's version (knowledge.Base.Version).
	Knowledge string `json:"knowledge"`
	// RollbackTo is the version a rollback restored.
	RollbackTo int `json:"rollback_to,omitempty"`
	// Recovered marks a change finished after a restart: the process
	// stopped between writing the files and recording the version.
	Recovered bool `json:"recovered,omitempty"`
}

// FileChanges lists file names by what happened to them.
type FileChanges struct {
	Added   []string `json:"added,omitempty"`
	Changed []string `json:"changed,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

func diffFiles(before, after files) FileChanges {
	var c FileChanges
	for _, n := range after.names() {
		old, ok := before[n]
		switch {
		case !ok:
			c.Added = append(c.Added, n)
		case string(old) != string(after[n]):
			c.Changed = append(c.Changed, n)
		}
	}
	for _, n := range before.names() {
		if _, ok := after[n]; !ok {
			c.Removed = append(c.Removed, n)
		}
	}
	return c
}

func (f *Folder) historyPath(parts ...string) string {
	return filepath.Join(append([]string{f.dir, HistoryDir}, parts...)...)
}

func snapshotName(n int) string { return fmt.Sprintf("v%06d", n) }

// stagingName is where version n is written before it is committed.
func stagingName(n int) string { return "." + snapshotName(n) + ".staging" }

// readVersions reads every committed version, oldest first.
func (f *Folder) readVersions() ([]Version, error) {
	entries, err := os.ReadDir(f.historyPath())
	if err != nil {
		return nil, err
	}
	var out []Version
	for _, e := range entries {
		n, ok := snapshotNumber(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(f.historyPath(e.Name(), recordFile))
		if err != nil {
			return nil, fmt.Errorf("version %d: %w", n, err)
		}
		var v Version
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("version %d: %s: %w", n, recordFile, err)
		}
		v.N = n
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N < out[j].N })
	return out, nil
}

// stage writes version v with its files fs to its staging folder, every
// file synced. Committing it is a rename (commit), which needs no space.
func (f *Folder) stage(v Version, fs files) error {
	dir := f.historyPath(stagingName(v.N))
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	rec, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := f.writeTree(dir, files{}, fs); err != nil {
		os.RemoveAll(dir)
		return err
	}
	if err := f.writeFileAtomic(filepath.Join(dir, recordFile), append(rec, '\n')); err != nil {
		os.RemoveAll(dir)
		return err
	}
	return nil
}

// commit makes staged version n a version of the history.
func (f *Folder) commit(n int) error {
	if err := os.Rename(f.historyPath(stagingName(n)), f.historyPath(snapshotName(n))); err != nil {
		return err
	}
	return syncDir(f.historyPath())
}

// unstage removes a staged version that will not be committed.
func (f *Folder) unstage(n int) {
	os.RemoveAll(f.historyPath(stagingName(n)))
}

// readSnapshot reads version n's files.
func (f *Folder) readSnapshot(n int) (files, error) {
	fs, err := readFiles(f.historyPath(snapshotName(n)))
	if err != nil {
		return nil, fmt.Errorf("the files of version %d: %w", n, err)
	}
	return fs, nil
}

// pending names a version whose files are being written into the folder:
// if the process stops before it is committed, Open finishes it.
type pending struct {
	N int `json:"version"`
}

func (f *Folder) writePending(n int) error {
	b, err := json.Marshal(pending{N: n})
	if err != nil {
		return err
	}
	return f.writeFileAtomic(f.historyPath(pendingFile), b)
}

func (f *Folder) readPending() (int, error) {
	b, err := os.ReadFile(f.historyPath(pendingFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var p pending
	if err := json.Unmarshal(b, &p); err != nil {
		return 0, nil
	}
	return p.N, nil
}

func (f *Folder) removePending() error {
	if err := os.Remove(f.historyPath(pendingFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return syncDir(f.historyPath())
}

// snapshotNumber reads "v000012" as 12.
func snapshotNumber(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "v")
	if !ok || len(s) != 6 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
