package folder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// Event is what Sync found: a new version made from edits on disk, or
// edits refused with every problem.
type Event struct {
	// Version is the version recorded; nil when nothing was.
	Version *Version
	// Problems are why the edits on disk were refused; the old index keeps
	// serving.
	Problems []knowledge.Problem
	// Err is a failure other than invalid knowledge (reading the folder,
	// building the index, writing the history).
	Err error
}

// Rejected reports whether edits on disk were refused.
func (e Event) Rejected() bool { return len(e.Problems) > 0 || e.Err != nil }

// Sync compares the folder with its newest version. If files were edited
// on disk and the folder is valid, it swaps the index and records them as
// a version by "disk"; if it is not valid, the index is left as it is and
// the problems are returned (once for the same files: ok is false when
// there is nothing new to report).
func (f *Folder) Sync(ctx context.Context) (ev Event, ok bool) {
	unlock, err := f.lock()
	if err != nil {
		return Event{Err: err}, true
	}
	defer unlock()
	have, err := readFiles(f.dir)
	if err != nil {
		return Event{Err: fmt.Errorf("reading the knowledge folder: %w", err)}, true
	}
	sum := digest(have)
	if sum == f.served {
		f.rejected = ""
		return Event{}, false
	}
	after, err := validate(have)
	if err != nil {
		if sum == f.rejected {
			return Event{}, false
		}
		f.rejected = sum
		var le *knowledge.LoadError
		if errors.As(err, &le) {
			f.log.Warn("knowledge folder: edits on disk refused; the old index keeps serving", "problems", len(le.Problems))
			for _, p := range le.Problems {
				f.log.Warn("knowledge problem", "problem", p.String())
			}
			return Event{Problems: le.Problems}, true
		}
		return Event{Err: err}, true
	}
	f.rejected = ""
	if f.index != nil {
		if _, err := f.index.Swap(ctx, after); err != nil {
			return Event{Err: fmt.Errorf("building the index of the edited folder: %w; the old index keeps serving", err)}, true
		}
	}
	f.served = sum
	v, err := f.recordEdit(have, after)
	if err != nil {
		return Event{Err: err}, true
	}
	return Event{Version: v}, true
}

// recordEdit records files edited on disk, have, whose knowledge is after,
// as a version by "disk" — unless the newest version already holds them
// (another process recorded them), which it returns instead. Called with
// the lock held.
func (f *Folder) recordEdit(have files, after *knowledge.Base) (*Version, error) {
	head := f.versions[len(f.versions)-1]
	was, err := f.readSnapshot(head.N)
	if err != nil {
		return nil, err
	}
	if have.equal(was) {
		return &head, nil
	}
	before, _ := validate(was)
	v := Version{
		N: head.N + 1, Time: f.now().UTC(), Who: "disk", Action: ActionEdit,
		Files: diffFiles(was, have), Facts: knowledge.Diff(before, after), Knowledge: after.Version(),
	}
	v.Summary = "edited on disk: " + strings.Join(append(append(append([]string(nil), v.Files.Added...), v.Files.Changed...), v.Files.Removed...), ", ")
	if err := f.stage(v, have); err != nil {
		return nil, fmt.Errorf("recording the edits on disk: %w (they are live; they will be recorded with the next change)", err)
	}
	if err := f.commit(v.N); err != nil {
		f.unstage(v.N)
		return nil, fmt.Errorf("recording the edits on disk: %w (they are live; they will be recorded with the next change)", err)
	}
	f.versions = append(f.versions, v)
	f.log.Info("knowledge changed", "version", v.N, "action", v.Action, "who", v.Who, "summary", v.Summary,
		"added", len(v.Facts.Added), "removed", len(v.Facts.Removed), "changed", len(v.Facts.Changed), "knowledge_version", v.Knowledge)
	return &v, nil
}

// Reindex loads the folder and swaps the index to it, as /reindex does,
// recording edits made on disk as a version like Sync; invalid knowledge
// comes back as a *knowledge.LoadError and swaps nothing. It implements
// the bot's Reindexer.
func (f *Folder) Reindex(ctx context.Context) (index.SwapReport, error) {
	if f.index == nil {
		return index.SwapReport{}, errors.New("knowledge folder: no index to swap")
	}
	unlock, err := f.lock()
	if err != nil {
		return index.SwapReport{}, err
	}
	defer unlock()
	have, err := readFiles(f.dir)
	if err != nil {
		return index.SwapReport{}, fmt.Errorf("reading the knowledge folder: %w", err)
	}
	after, err := validate(have)
	if err != nil {
		return index.SwapReport{}, err
	}
	rep, err := f.index.Swap(ctx, after)
	if err != nil {
		return index.SwapReport{}, err
	}
	f.served, f.rejected = digest(have), ""
	if _, err := f.recordEdit(have, after); err != nil {
		f.log.Error("knowledge folder: reindexed, but the version was not recorded", "error", err)
	}
	return rep, nil
}

func digest(fs files) string {
	h := sha256.New()
	for _, n := range fs.names() {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(fs[n]))
		h.Write(fs[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DefaultQuiet is how long the folder must be quiet after an edit before
// Watch syncs: editors write a file in several steps.
const DefaultQuiet = 300 * time.Millisecond

// Watch syncs the folder (see Sync) when files in it change, once they
// have been quiet for quiet (0 means DefaultQuiet), and once at the start;
// it calls onEvent with each new version or refusal. It returns when ctx
// ends, or if the folder cannot be watched.
func (f *Folder) Watch(ctx context.Context, quiet time.Duration, onEvent func(Event)) error {
	if quiet <= 0 {
		quiet = DefaultQuiet
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching the knowledge folder: %w", err)
	}
	defer w.Close()
	if err := w.Add(f.dir); err != nil {
		return fmt.Errorf("watching the knowledge folder %s: %w", f.dir, err)
	}
	sync := func() {
		if ev, ok := f.Sync(ctx); ok && ctx.Err() == nil {
			if ev.Err != nil {
				f.log.Error("knowledge folder: sync failed", "error", ev.Err)
			}
			onEvent(ev)
		}
	}
	sync() // edits made while nothing was watching
	if err := f.hook("watching"); err != nil {
		return err
	}
	timer := time.NewTimer(quiet)
	timer.Stop()
	defer timer.Stop()
	// An editor that keeps writing (autosave) must not put the sync off
	// for ever: it happens at most maxDelay after the first event.
	maxDelay := max(time.Second, quiet)
	var first time.Time // of the events not yet synced; zero when none
	wait := func() {
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		timer.Reset(max(0, min(quiet, first.Add(maxDelay).Sub(now))))
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Events:
			if !ok {
				return nil
			}
			name := e.Name[strings.LastIndexAny(e.Name, `/\`)+1:]
			if strings.HasPrefix(name, ".") {
				continue // the history, temporary files, drafts
			}
			wait()
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			f.log.Warn("knowledge folder: watcher error", "error", err)
			wait() // events may have been lost: look again
		case <-timer.C:
			first = time.Time{}
			sync()
		}
	}
}
