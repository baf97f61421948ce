// Package folder owns a knowledge folder (KNOWLEDGE_DIR) while the bot
// runs: it changes its source files only after the whole folder with the
// change validates, writes them atomically (temporary file, fsync,
// rename), swaps the index to the new knowledge, and keeps every change as
// a version — who, when, what — in the folder's .history, from which any
// version can be restored. A change cut short by a crash or a full disk
// leaves one consistent folder: the old one, or the new one finished when
// the folder is next opened. Edits made on disk are picked up by Watch and
// recorded as versions too.
package folder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// Swapper makes a validated knowledge base live: *index.Index.
type Swapper interface {
	Swap(ctx context.Context, base *knowledge.Base) (index.SwapReport, error)
}

// Options configure a Folder.
type Options struct {
	// Index is swapped to every new version; nil changes only the files
	// (the command line, where no index is serving).
	Index  Swapper
	Logger *slog.Logger     // nil discards
	Now    func() time.Time // nil means time.Now

	// Set by tests (export_test.go).
	create createTemp
	hook   func(stage string) error
}

// Folder is a knowledge folder and its history. Its methods are safe for
// concurrent use; changes are made one at a time.
type Folder struct {
	dir    string
	index  Swapper
	log    *slog.Logger
	now    func() time.Time
	create createTemp
	hookFn func(stage string) error

	mu       sync.Mutex
	versions []Version // the history, oldest first
	rejected string    // digest of the files last refused by Sync, so they are reported once
	served   string    // digest of the files whose knowledge this process made live
}

// lockFileName is the lock, in the history folder, that one process at a
// time holds while it changes the folder.
const lockFileName = "lock"

// lock takes the folder for a change: mu within the process, the lock
// file across processes. The history is read again, since another
// process (the command line, while the bot runs) may have added versions.
func (f *Folder) lock() (unlock func(), err error) {
	f.mu.Lock()
	release, err := lockFile(f.historyPath(lockFileName))
	if err != nil {
		f.mu.Unlock()
		return nil, fmt.Errorf("locking the knowledge folder: %w", err)
	}
	if vs, err := f.readVersions(); err != nil {
		f.log.Warn("knowledge folder: could not read the history again", "error", err)
	} else if len(vs) > 0 {
		f.versions = vs
	}
	return func() {
		release()
		f.mu.Unlock()
	}, nil
}

// Errors a change may end with; nothing has changed when they are returned.
var (
	// ErrStale means the folder changed between the preview and the
	// confirmation: the moderator confirmed something that is no longer
	// what would happen.
	ErrStale = errors.New("the knowledge changed since the preview")
	// ErrNoChange means the change would leave every file as it is.
	ErrNoChange = errors.New("nothing would change")
	// ErrUnknownVersion is a rollback to a version the history lacks.
	ErrUnknownVersion = errors.New("no such version")
	// ErrUnknownSource is a source id no file holds.
	ErrUnknownSource = errors.New("no such source")
)

// Open opens the knowledge folder dir, creating its history on first use
// (version 1 is the folder as found) and finishing or undoing whatever a
// crash left half done.
func Open(dir string, opts Options) (*Folder, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.create == nil {
		opts.create = osCreateTemp
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("knowledge folder %s: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("knowledge folder: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("knowledge folder %s is not a folder", dir)
	}
	f := &Folder{dir: abs, index: opts.Index, log: opts.Logger, now: opts.Now, create: opts.create, hookFn: opts.hook}
	if err := os.MkdirAll(f.historyPath(), 0o755); err != nil {
		return nil, fmt.Errorf("knowledge history: %w", err)
	}
	unlock, err := f.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := f.recover(); err != nil {
		return nil, fmt.Errorf("knowledge folder %s: %w", dir, err)
	}
	// What the history says is live: edits made on disk since are
	// picked up by the first Sync.
	head, err := f.readSnapshot(f.versions[len(f.versions)-1].N)
	if err != nil {
		return nil, err
	}
	f.served = digest(head)
	return f, nil
}

// Dir is the folder's absolute path.
func (f *Folder) Dir() string { return f.dir }

func (f *Folder) hook(stage string) error {
	if f.hookFn == nil {
		return nil
	}
	return f.hookFn(stage)
}

// recover tidies what an interrupted change left: a version whose files
// were being written into the folder (pending.json) is finished — it was
// validated and its copy is complete — while temporary files and versions
// staged but never started are removed. A folder without history gets its
// first version: the folder as found.
func (f *Folder) recover() error {
	n, err := f.readPending()
	if err != nil {
		return err
	}
	if n > 0 {
		if err := f.finish(n); err != nil {
			return fmt.Errorf("finishing version %d: %w", n, err)
		}
	}
	for _, d := range []string{f.dir, f.historyPath()} {
		entries, err := os.ReadDir(d)
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, tempPrefix) || (d != f.dir && strings.HasSuffix(name, ".staging")) {
				if err := os.RemoveAll(filepath.Join(d, name)); err != nil {
					return err
				}
			}
		}
	}
	versions, err := f.readVersions()
	if err != nil {
		return fmt.Errorf("reading the history: %w", err)
	}
	f.versions = versions
	if len(f.versions) > 0 {
		return nil
	}
	have, err := readFiles(f.dir)
	if err != nil {
		return err
	}
	v := Version{N: 1, Time: f.now().UTC(), Who: "bytewatch", Action: ActionInitial,
		Summary: fmt.Sprintf("the folder as found: %d files", len(have)), Files: FileChanges{Added: have.names()}}
	if b, err := validate(have); err == nil {
		v.Knowledge = b.Version()
		v.Facts.Added = factIDs(b)
	}
	if err := f.stage(v, have); err != nil {
		return fmt.Errorf("recording the first version: %w", err)
	}
	if err := f.commit(1); err != nil {
		return fmt.Errorf("recording the first version: %w", err)
	}
	f.versions = []Version{v}
	return nil
}

// finish completes version n, which was being written into the folder
// when the process stopped.
func (f *Folder) finish(n int) error {
	if _, err := os.Stat(f.historyPath(snapshotName(n))); err == nil {
		return f.removePending() // committed; only the marker was left
	}
	staged := f.historyPath(stagingName(n))
	if _, err := os.Stat(filepath.Join(staged, recordFile)); err != nil {
		return f.removePending() // never fully staged: nothing was written
	}
	want, err := readFiles(staged)
	if err != nil {
		return err
	}
	have, err := readFiles(f.dir)
	if err != nil {
		return err
	}
	if err := f.writeTree(f.dir, have, want); err != nil {
		return err
	}
	if b, err := os.ReadFile(filepath.Join(staged, recordFile)); err == nil {
		var v Version
		if json.Unmarshal(b, &v) == nil {
			v.Recovered = true
			if rec, err := json.MarshalIndent(v, "", "  "); err == nil {
				if err := f.writeFileAtomic(filepath.Join(staged, recordFile), append(rec, '\n')); err != nil {
					f.log.Warn("knowledge folder: could not mark a finished change as recovered", "version", n, "error", err)
				}
			}
			f.log.Warn("knowledge folder: finished a change cut short", "version", n, "action", v.Action, "who", v.Who)
		}
	}
	if err := f.commit(n); err != nil {
		return err
	}
	return f.removePending()
}

// validate loads fs as the loader would load the folder; problems name
// the files by their bare names.
func validate(fs files) (*knowledge.Base, error) {
	return knowledge.Load(memFS(fs))
}

func factIDs(b *knowledge.Base) []string {
	var ids []string
	for _, f := range b.Facts {
		ids = append(ids, f.ID)
	}
	return ids
}

// Head is the newest version.
func (f *Folder) Head() Version {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.versions[len(f.versions)-1]
}

// History returns the versions, newest first; limit > 0 keeps that many.
func (f *Folder) History(limit int) []Version {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Version, 0, len(f.versions))
	for i := len(f.versions) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		out = append(out, f.versions[i])
	}
	return out
}

// Load loads the folder's knowledge as it is on disk.
func (f *Folder) Load() (*knowledge.Base, error) {
	return knowledge.LoadDir(f.dir)
}

// SourceFile returns the name and bytes of the file that holds source id.
func (f *Folder) SourceFile(id string) (string, []byte, error) {
	if err := CheckSourceID(id); err != nil {
		return "", nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	have, err := readFiles(f.dir)
	if err != nil {
		return "", nil, err
	}
	name, ok := fileOfSource(have, id)
	if !ok {
		return "", nil, fmt.Errorf("%w: %q", ErrUnknownSource, id)
	}
	return name, have[name], nil
}
