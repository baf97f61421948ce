package knowledge

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// defaultData is the knowledge base shipped inside the binary.
//
//go:embed data/*.yaml
var defaultData embed.FS

// defaultDataDir is where the embedded files live in the repository; problems
// in them are reported with that path so a moderator can find the file.
const defaultDataDir = "knowledge/data"

// Default loads the knowledge base embedded in the binary.
func Default() (*Base, error) {
	sub, err := fs.Sub(defaultData, "data")
	if err != nil {
		return nil, fmt.Errorf("knowledge: embedded data: %w", err)
	}
	return load(sub, defaultDataDir)
}

// DefaultFiles are the files of the knowledge base embedded in the binary
// (the sources and base.yaml): `bytewatch knowledge export` writes them to
// a folder to start from.
func DefaultFiles() fs.FS {
	sub, err := fs.Sub(defaultData, "data")
	if err != nil {
		panic(err) // "data" is a valid path
	}
	return sub
}

// LoadDir loads the knowledge files in dir. Problems name files by their
// path under dir.
func LoadDir(dir string) (*Base, error) {
	return load(os.DirFS(dir), dir)
}

// Load reads every *.yaml and *.yml file at the root of fsys, in sorted
// order, one source per file, and validates them. If anything is wrong it
// returns no Base and a *LoadError listing every problem: bad knowledge never
// replaces good. Files whose names start with "." are skipped, so a
// moderator can park a draft as ".draft.yaml".
func Load(fsys fs.FS) (*Base, error) {
	return load(fsys, "")
}

// load is Load with problems' file names shown under dir.
func load(fsys fs.FS, dir string) (*Base, error) {
	display := func(name string) string {
		if dir == "" {
			return name
		}
		return filepath.Join(dir, filepath.FromSlash(name))
	}
	folder := filepath.Clean(dir)
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, &LoadError{Problems: []Problem{{File: folder, Msg: fmt.Sprintf("cannot read the folder: %v", err), Err: err}}}
	}
	var (
		files    []*sourceFile
		problems []Problem
		about    About
		declared Declared
	)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			problems = append(problems, subfolderWarnings(fsys, name, display)...)
			continue
		}
		if !isKnowledgeFile(name) {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, Problem{File: display(name), Msg: fmt.Sprintf("cannot read: %v", err), Err: err})
			continue
		}
		if isAboutFile(name) {
			a, d, ps := decodeAbout(display(name), data)
			about, declared = a, d
			problems = append(problems, ps...)
			continue
		}
		sf, ps := decodeFile(display(name), data)
		problems = append(problems, ps...)
		if sf != nil {
			files = append(files, sf)
		}
	}
	if len(files) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{File: folder, Msg: "no knowledge files (*.yaml or *.yml) in the folder"})
	}
	problems = append(problems, crossFileProblems(files)...)
	problems = append(problems, updatesProblems(files)...)
	vErrs, vWarns := vocabularyProblems(files, declared)
	problems = append(append(problems, vErrs...), vWarns...)
	sortProblems(problems)
	errs, warns := splitWarnings(problems)
	if len(errs) > 0 {
		return nil, &LoadError{Problems: errs, Warnings: warns}
	}
	var (
		sources []Source
		facts   []Fact
	)
	for _, sf := range files {
		sources = append(sources, sf.source)
		for _, df := range sf.facts {
			facts = append(facts, df.fact)
		}
	}
	b := NewBaseAbout(about, sources, facts)
	b.declared, b.warnings = declared, warns
	return b, nil
}

// subfolderWarnings reports the knowledge files in a subfolder: the loader
// reads only the folder itself, so they would be ignored without a word.
// Folders whose names start with "." (a moderator's drafts, history kept
// by a tool) are passed over.
func subfolderWarnings(fsys fs.FS, dir string, display func(string) string) []Problem {
	if strings.HasPrefix(dir, ".") {
		return nil
	}
	var out []Problem
	_ = fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && p != dir && strings.HasPrefix(d.Name(), "."):
			return fs.SkipDir
		case !d.IsDir() && isKnowledgeFile(d.Name()):
			out = append(out, Problem{File: display(p), Warning: true,
				Msg: "in a subfolder, so not loaded: knowledge files must be in the knowledge folder itself (move it up, or rename the subfolder to start with \".\" to keep it aside)"})
		}
		return nil
	})
	return out
}

// aboutFile is the one file of a knowledge folder that is not a source:
// what the base says about itself (see About).
const aboutFile = "base.yaml"

func isAboutFile(name string) bool { return strings.EqualFold(name, aboutFile) }

func isKnowledgeFile(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return !strings.HasPrefix(name, ".") && (ext == ".yaml" || ext == ".yml")
}

// crossFileProblems finds what no single file can show: ids used twice and
// entities spelled two ways (the index would treat "Bytedance" and
// "ByteDance" as different companies).
func crossFileProblems(files []*sourceFile) []Problem {
	type place struct {
		file string
		line int
		name string
	}
	var problems []Problem
	sources := map[string]place{}
	facts := map[string]place{}
	entities := map[string]place{}
	// Every alias names one entity, and no fact lists an alias as a name:
	// the index would otherwise treat them as two companies.
	aliases := map[string]place{}
	for _, sf := range files {
		for i, e := range sf.source.Entities {
			for _, a := range e.Aliases {
				key := strings.ToLower(a)
				if first, dup := aliases[key]; dup && first.name != e.Name {
					problems = append(problems, Problem{File: sf.source.File, Line: sf.entityLines[i],
						Msg: fmt.Sprintf("alias %q of %s is already an alias of %s (%s:%d)", a, e.Name, first.name, first.file, first.line)})
					continue
				}
				aliases[key] = place{sf.source.File, sf.entityLines[i], e.Name}
			}
		}
	}
	for _, sf := range files {
		file := sf.source.File
		if id := sf.source.ID; id != "" {
			if first, dup := sources[id]; dup {
				problems = append(problems, Problem{File: file, Line: sf.idLine,
					Msg: fmt.Sprintf("duplicate source id %q (first used at %s:%d)", id, first.file, first.line)})
			} else {
				sources[id] = place{file, sf.idLine, id}
			}
		}
		for _, df := range sf.facts {
			if id := df.fact.ID; id != "" {
				if first, dup := facts[id]; dup {
					problems = append(problems, Problem{File: file, Line: df.idLine,
						Msg: fmt.Sprintf("duplicate fact id %q (first used at %s:%d)", id, first.file, first.line)})
				} else {
					facts[id] = place{file, df.idLine, id}
				}
			}
			names := append(slices.Clone(df.fact.Entities), df.fact.Mentions...)
			lines := append(slices.Clone(df.entityLines), df.mentionLines...)
			for i, e := range names {
				key := strings.ToLower(e)
				if a, ok := aliases[key]; ok && !strings.EqualFold(a.name, e) {
					problems = append(problems, Problem{File: file, Line: lines[i],
						Msg: fmt.Sprintf("%q is an alias of %s (%s:%d); name the entity %s", e, a.name, a.file, a.line, a.name)})
					continue
				}
				first, seen := entities[key]
				switch {
				case !seen:
					entities[key] = place{file, lines[i], e}
				case first.name != e:
					problems = append(problems, Problem{File: file, Line: lines[i],
						Msg: fmt.Sprintf("entity %q is spelled %q at %s:%d; use one spelling", e, first.name, first.file, first.line)})
				}
			}
		}
	}
	return problems
}

// updatesProblems checks every updates: it names another fact, one that is
// not newer than the fact revising it, and no chain of updates comes back
// to where it started.
func updatesProblems(files []*sourceFile) []Problem {
	type entry struct {
		df   *decodedFact
		file string
	}
	byID := map[string]entry{}
	for _, sf := range files {
		for i := range sf.facts {
			if id := sf.facts[i].fact.ID; id != "" {
				byID[id] = entry{&sf.facts[i], sf.source.File}
			}
		}
	}
	var out []Problem
	for _, sf := range files {
		for _, df := range sf.facts {
			f := df.fact
			if f.Updates == "" {
				continue
			}
			at := Problem{File: sf.source.File, Line: df.updatesLine}
			old, ok := byID[f.Updates]
			switch {
			case f.Updates == f.ID:
				at.Msg = "updates: a fact cannot update itself"
			case !ok:
				at.Msg = fmt.Sprintf("updates: no fact has the id %q", f.Updates)
			case f.AsOf.Before(old.df.fact.AsOf):
				at.Msg = fmt.Sprintf("updates: %s (%s:%d) is as of %s, newer than this fact (%s): the newer report updates the older", f.Updates, old.file, old.df.idLine, old.df.fact.AsOf, f.AsOf)
			default:
				seen := map[string]bool{f.ID: true}
				for next := f.Updates; next != ""; {
					if seen[next] {
						at.Msg = fmt.Sprintf("updates: the chain of updates from %s comes back to %s", f.ID, next)
						break
					}
					seen[next] = true
					e, ok := byID[next]
					if !ok {
						break
					}
					next = e.df.fact.Updates
				}
			}
			if at.Msg != "" {
				out = append(out, at)
			}
		}
	}
	return out
}
