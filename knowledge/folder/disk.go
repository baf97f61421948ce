package folder

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// tempFile is a file being written before it is renamed into place.
type tempFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// createTemp makes a temporary file in dir; tests replace it to fill the
// disk (see export_test.go).
type createTemp func(dir, pattern string) (tempFile, error)

func osCreateTemp(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }

// tempPrefix starts the names of files being written inside the knowledge
// folder: the loader skips names that start with ".", so a half-written
// file is never read as knowledge, and recovery removes them.
const tempPrefix = ".tmp-"

// writeTemp writes data to a new temporary file in dir, synced to disk,
// and returns its path. On any failure the file is removed.
func (f *Folder) writeTemp(dir string, data []byte) (string, error) {
	t, err := f.create(dir, tempPrefix+"*")
	if err != nil {
		return "", err
	}
	name := t.Name()
	_, err = t.Write(data)
	if err == nil {
		err = t.Sync()
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	if err := os.Chmod(name, 0o644); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// writeFileAtomic replaces path with data: a synced temporary file renamed
// over it, then the folder synced, so that after a crash path holds either
// the old bytes or the new, never part of either.
func (f *Folder) writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := f.writeTemp(dir, data)
	if err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return syncDir(dir)
}

// syncDir makes the renames and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

// files maps a knowledge file's name to its bytes.
type files map[string][]byte

// names returns the file names, sorted.
func (fs files) names() []string {
	out := make([]string, 0, len(fs))
	for n := range fs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (fs files) equal(o files) bool {
	if len(fs) != len(o) {
		return false
	}
	for n, b := range fs {
		if ob, ok := o[n]; !ok || string(ob) != string(b) {
			return false
		}
	}
	return true
}

func (fs files) clone() files {
	out := make(files, len(fs))
	for n, b := range fs {
		out[n] = b
	}
	return out
}

// isKnowledgeFile is the loader's rule: a *.yaml or *.yml file at the
// folder's root whose name does not start with ".".
func isKnowledgeFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return !strings.HasPrefix(name, ".") && (ext == ".yaml" || ext == ".yml")
}

// readFiles reads the knowledge files at dir's root.
func readFiles(dir string) (files, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := files{}
	for _, e := range entries {
		if e.IsDir() || !isKnowledgeFile(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = b
	}
	return out, nil
}

// writeTree makes dir hold exactly want's knowledge files: every file is
// first written to a synced temporary file — where a full disk fails, with
// nothing changed yet — and only then renamed into place; files not in
// want are removed last. A crash during the renames is finished by
// recovery (see Folder.recover). have is what dir holds now.
func (f *Folder) writeTree(dir string, have, want files) error {
	type move struct{ tmp, dst string }
	var moves []move
	cleanup := func() {
		for _, m := range moves {
			os.Remove(m.tmp)
		}
	}
	for _, n := range want.names() {
		if old, ok := have[n]; ok && string(old) == string(want[n]) {
			continue
		}
		tmp, err := f.writeTemp(dir, want[n])
		if err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w", n, err)
		}
		moves = append(moves, move{tmp, filepath.Join(dir, n)})
	}
	live := dir == f.dir // the hooks are about the knowledge folder itself
	if live {
		if err := f.hook("temps-written"); err != nil {
			return err
		}
	}
	for i, m := range moves {
		if err := os.Rename(m.tmp, m.dst); err != nil {
			for _, rest := range moves[i:] {
				os.Remove(rest.tmp)
			}
			return fmt.Errorf("renaming into %s: %w", filepath.Base(m.dst), err)
		}
		if i == 0 && live {
			if err := f.hook("first-rename"); err != nil {
				return err
			}
		}
	}
	for _, n := range have.names() {
		if _, keep := want[n]; !keep {
			if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("removing %s: %w", n, err)
			}
		}
	}
	return syncDir(dir)
}
