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
	)
	for _, e := range entries {
		name := e.Name()
		if !isKnowledgeFile(name) || e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, Problem{File: display(name), Msg: fmt.Sprintf("cannot read: %v", err), Err: err})
			continue
		}
		if isAboutFile(name) {
			a, ps := decodeAbout(display(name), data)
			about = a
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
	if len(problems) > 0 {
		sortProblems(problems)
		return nil, &LoadError{Problems: problems}
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
	return NewBaseAbout(about, sources, facts), nil
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
