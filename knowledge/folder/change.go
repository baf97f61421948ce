package folder

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// Plan is a change worked out and validated but not made: what a
// moderator previews before confirming. Apply makes it, if the folder has
// not changed since.
type Plan struct {
	Who, Action string
	// SourceID is the source added, replaced or removed; "" for a rollback.
	SourceID string
	// RollbackTo is the version a rollback restores.
	RollbackTo int
	// Head is the version the plan was made against.
	Head int
	// Before is the knowledge now (nil if the folder is not valid now);
	// After is the knowledge the change makes, validated.
	Before, After *knowledge.Base
	Changes       knowledge.Changes
	Files         FileChanges
	// Conflicts are the figures of added or changed facts that disagree
	// with another fact's for the same measure and period.
	Conflicts []Conflict

	before, after files
}

// PlanPart is one kind of change a plan makes to the facts, with the
// knowledge its facts are read from.
type PlanPart struct {
	Name string // "Added", "Changed" or "Removed"
	IDs  []string
	Base *knowledge.Base
}

// Parts lists the facts added, changed and removed, each with the base
// that holds them (the knowledge after the change, or before for removed).
func (p *Plan) Parts() []PlanPart {
	return []PlanPart{{"Added", p.Changes.Added, p.After}, {"Changed", p.Changes.Changed, p.After}, {"Removed", p.Changes.Removed, p.Before}}
}

// Conflict is a figure of a new or changed fact and another fact's figure
// for the same measure and period that says something else.
type Conflict struct {
	Fact, Other         knowledge.Fact
	Figure, OtherFigure knowledge.Figure
}

// Summary says what the plan does in a line.
func (p *Plan) Summary() string {
	switch p.Action {
	case ActionRollback:
		return fmt.Sprintf("roll back to version %d", p.RollbackTo)
	case ActionRemove:
		return fmt.Sprintf("remove source %s (%s)", p.SourceID, facts(len(p.Changes.Removed)))
	}
	n := 0
	if p.After != nil {
		for _, f := range p.After.Facts {
			if f.SourceID == p.SourceID {
				n++
			}
		}
	}
	return fmt.Sprintf("%s source %s (%s)", p.Action, p.SourceID, facts(n))
}

func facts(n int) string {
	if n == 1 {
		return "1 fact"
	}
	return fmt.Sprintf("%d facts", n)
}

// PlanAdd plans adding a source file, or replacing the file of the source
// with the same id. The file is checked by CheckYAML, then the whole
// folder with it is validated: a *knowledge.LoadError lists every problem,
// the new file's by its line. The file is named after the source's id.
func (f *Folder) PlanAdd(who string, data []byte) (*Plan, error) {
	id, err := CheckYAML(data)
	if err != nil {
		return nil, err
	}
	return f.planLocked(func(have files) (*Plan, error) {
		next := have.clone()
		action := ActionAdd
		if old, ok := fileOfSource(have, id); ok {
			action = ActionReplace
			delete(next, old)
		}
		next[id+".yaml"] = data
		return f.plan(who, action, id, have, next)
	})
}

// planLocked runs plan on the folder's files as they are, under the
// folder's lock.
func (f *Folder) planLocked(plan func(have files) (*Plan, error)) (*Plan, error) {
	unlock, err := f.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	have, err := readFiles(f.dir)
	if err != nil {
		return nil, err
	}
	return plan(have)
}

// PlanRemove plans removing the file of source id.
func (f *Folder) PlanRemove(who, id string) (*Plan, error) {
	if err := CheckSourceID(id); err != nil {
		return nil, err
	}
	return f.planLocked(func(have files) (*Plan, error) {
		name, ok := fileOfSource(have, id)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownSource, id)
		}
		next := have.clone()
		delete(next, name)
		return f.plan(who, ActionRemove, id, have, next)
	})
}

// PlanRollback plans restoring the knowledge files of version n. The
// rollback is itself a new version.
func (f *Folder) PlanRollback(who string, n int) (*Plan, error) {
	unlock, err := f.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if !f.hasVersion(n) {
		return nil, fmt.Errorf("%w: %d (the history has versions 1 to %d)", ErrUnknownVersion, n, f.versions[len(f.versions)-1].N)
	}
	have, err := readFiles(f.dir)
	if err != nil {
		return nil, err
	}
	next, err := f.readSnapshot(n)
	if err != nil {
		return nil, err
	}
	p, err := f.plan(who, ActionRollback, "", have, next)
	if p != nil {
		p.RollbackTo = n
	}
	return p, err
}

func (f *Folder) hasVersion(n int) bool {
	for _, v := range f.versions {
		if v.N == n {
			return true
		}
	}
	return false
}

// plan validates next against have. Called with mu held.
func (f *Folder) plan(who, action, id string, have, next files) (*Plan, error) {
	if next.equal(have) {
		return nil, ErrNoChange
	}
	after, err := validate(next)
	if err != nil {
		return nil, err
	}
	before, _ := validate(have)
	p := &Plan{
		Who: who, Action: action, SourceID: id, Head: f.versions[len(f.versions)-1].N,
		Before: before, After: after,
		Changes: knowledge.Diff(before, after),
		Files:   diffFiles(have, next),
		before:  have, after: next,
	}
	p.Conflicts = findConflicts(after, append(append([]string(nil), p.Changes.Added...), p.Changes.Changed...))
	return p, nil
}

// findConflicts pairs each figure of the facts ids with the figures of
// other facts for the same measure and period that disagree.
func findConflicts(b *knowledge.Base, ids []string) []Conflict {
	key := func(g knowledge.Figure) string {
		if g.Measure == "" || g.Unit == "year" {
			return ""
		}
		return knowledge.MeasureKey(g.Measure) + "\x00" + strings.ToLower(strings.TrimSpace(g.Period))
	}
	type place struct {
		fact knowledge.Fact
		fig  knowledge.Figure
	}
	byKey := map[string][]place{}
	for _, f := range b.Facts {
		for _, g := range f.Figures {
			if k := key(g); k != "" {
				byKey[k] = append(byKey[k], place{f, g})
			}
		}
	}
	mine := map[string]bool{}
	for _, id := range ids {
		mine[id] = true
	}
	var out []Conflict
	seen := map[string]bool{}
	for _, id := range ids {
		f, ok := b.Fact(id)
		if !ok {
			continue
		}
		for _, g := range f.Figures {
			for _, o := range byKey[key(g)] {
				if key(g) == "" || o.fact.ID == f.ID || g.Value().Matches(o.fig.Value()) {
					continue
				}
				pair := f.ID + "\x00" + o.fact.ID
				if mine[o.fact.ID] && o.fact.ID < f.ID {
					pair = o.fact.ID + "\x00" + f.ID // each pair of new facts once
				}
				if seen[pair] {
					continue
				}
				seen[pair] = true
				out = append(out, Conflict{Fact: f, Other: o.fact, Figure: g, OtherFigure: o.fig})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Fact.ID < out[j].Fact.ID })
	return out
}

// Result is what Apply did.
type Result struct {
	Version Version
	// Report is the index swap's report; zero without an Index.
	Report index.SwapReport
}

// Apply makes the change p planned, if the folder is still as it was when
// p was made (ErrStale otherwise): the new version's files are copied into
// the history, then written into the folder (temporary files first, then
// renames), then the index is swapped, then the version is committed. Any
// failure before the commit leaves the folder and the index as they were;
// a crash after the files are renamed is finished by the next Open.
func (f *Folder) Apply(ctx context.Context, p *Plan) (Result, error) {
	unlock, err := f.lock()
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	head := f.versions[len(f.versions)-1]
	if head.N != p.Head {
		return Result{}, fmt.Errorf("%w: version %d (%s by %s) came after the preview", ErrStale, head.N, head.Summary, head.Who)
	}
	have, err := readFiles(f.dir)
	if err != nil {
		return Result{}, err
	}
	if !have.equal(p.before) {
		return Result{}, fmt.Errorf("%w: the files were edited on disk", ErrStale)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	v := Version{
		N: head.N + 1, Time: f.now().UTC(), Who: p.Who, Action: p.Action, Summary: p.Summary(),
		Files: p.Files, Facts: p.Changes, Knowledge: p.After.Version(), RollbackTo: p.RollbackTo,
	}
	rep, err := f.write(ctx, v, have, p.after, p.After)
	if err != nil {
		return Result{}, err
	}
	f.served = digest(p.after)
	f.log.Info("knowledge changed", "version", v.N, "action", v.Action, "who", v.Who, "summary", v.Summary,
		"added", len(v.Facts.Added), "removed", len(v.Facts.Removed), "changed", len(v.Facts.Changed), "knowledge_version", v.Knowledge)
	return Result{Version: v, Report: rep}, nil
}

// errCrash is what a test's hook returns to stop a change where a crash
// would: write leaves everything as it is.
var errCrash = errors.New("simulated crash")

// write makes version v, whose files are next and knowledge base, live.
// Called with mu held.
func (f *Folder) write(ctx context.Context, v Version, have, next files, base *knowledge.Base) (index.SwapReport, error) {
	crashed := func(err error) bool { return errors.Is(err, errCrash) }
	if err := f.stage(v, next); err != nil {
		return index.SwapReport{}, fmt.Errorf("copying the new version into the history: %w; nothing changed", err)
	}
	if err := f.hook("staged"); err != nil {
		return index.SwapReport{}, err
	}
	if err := f.writePending(v.N); err != nil {
		f.unstage(v.N)
		return index.SwapReport{}, fmt.Errorf("recording the change: %w; nothing changed", err)
	}
	if err := f.hook("pending"); err != nil {
		return index.SwapReport{}, err
	}
	if err := f.writeTree(f.dir, have, next); err != nil {
		if crashed(err) {
			return index.SwapReport{}, err
		}
		f.undo(v.N, next, have)
		return index.SwapReport{}, fmt.Errorf("writing the knowledge folder: %w; nothing changed", err)
	}
	if err := f.hook("written"); err != nil {
		return index.SwapReport{}, err
	}
	var rep index.SwapReport
	if f.index != nil {
		var err error
		if rep, err = f.index.Swap(ctx, base); err != nil {
			f.undo(v.N, next, have)
			return index.SwapReport{}, fmt.Errorf("building the index: %w; the knowledge folder is as it was", err)
		}
	}
	if err := f.hook("swapped"); err != nil {
		return index.SwapReport{}, err
	}
	if err := f.commit(v.N); err != nil {
		// The folder and the index have the new version; Open will
		// record it from pending.json.
		f.log.Error("knowledge folder: could not record a version; it will be recorded at the next start", "version", v.N, "error", err)
	} else if err := f.removePending(); err != nil {
		f.log.Warn("knowledge folder: could not remove the pending marker", "version", v.N, "error", err)
	}
	f.versions = append(f.versions, v)
	return rep, nil
}

// undo puts the files of a change that failed back as they were and
// forgets the change. If even that fails the change stays pending, to be
// finished at the next start, and the error is logged.
func (f *Folder) undo(n int, written, was files) {
	now, err := readFiles(f.dir)
	if err == nil {
		err = f.writeTree(f.dir, now, was)
	}
	if err != nil {
		f.log.Error("knowledge folder: could not undo a failed change; it will be finished at the next start", "version", n, "error", err)
		return
	}
	f.removePending()
	f.unstage(n)
}
