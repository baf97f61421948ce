package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/folder"
)

// knowledgeUsage lists the knowledge subcommands.
const knowledgeUsage = `bytewatch knowledge export DIR            write the built-in knowledge to DIR, to use as KNOWLEDGE_DIR
bytewatch knowledge history [--limit N]   the versions of KNOWLEDGE_DIR, newest first
bytewatch knowledge add [--yes] FILE      add (or replace) a source file; - reads standard input
bytewatch knowledge remove [--yes] ID     remove a source
bytewatch knowledge rollback [--yes] N    restore the files of version N
add, remove and rollback show what would change; --yes makes the change.`

// knowledgeCmd changes and lists the knowledge folder as /source does,
// from the command line. A running bot picks the change up within 2 s.
func knowledgeCmd(ctx context.Context, args []string, env Env) error {
	f := newFlags("knowledge")
	yes := f.fs.Bool("yes", false, "make the change")
	limit := f.fs.Int("limit", 20, "how many versions history lists")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"knowledge needs a subcommand:\n" + knowledgeUsage}
	}
	sub, pos := pos[0], pos[1:]
	one := func(what string) (string, error) {
		if len(pos) != 1 {
			return "", usageError{fmt.Sprintf("knowledge %s takes one %s", sub, what)}
		}
		return pos[0], nil
	}
	if sub == "export" {
		dir, err := one("folder")
		if err != nil {
			return err
		}
		return exportKnowledge(dir, env)
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	if cfg.KnowledgeDir == "" {
		return errors.New("KNOWLEDGE_DIR is not set: the built-in knowledge is read-only. Start a folder with `bytewatch knowledge export DIR`, then set KNOWLEDGE_DIR=DIR (or pass --knowledge-dir DIR)")
	}
	fo, err := folder.Open(cfg.KnowledgeDir, folder.Options{Logger: newLogger(cfg, env.Stderr)})
	if err != nil {
		return err
	}
	who := "cli"
	if u, ok := env.Lookup("USER"); ok && u != "" {
		who = "cli:" + u
	}
	var plan *folder.Plan
	switch sub {
	case "history":
		if len(pos) != 0 {
			return usageError{"knowledge history takes no arguments"}
		}
		for _, v := range fo.History(*limit) {
			fmt.Fprintf(env.Stdout, "v%d  %s  %s  %s (+%d ~%d -%d)%s\n", v.N, v.Time.UTC().Format("2006-01-02 15:04 UTC"), v.Who, v.Summary,
				len(v.Facts.Added), len(v.Facts.Changed), len(v.Facts.Removed), recoveredNote(v))
		}
		return nil
	case "add":
		file, err := one("file")
		if err != nil {
			return err
		}
		data, err := readInput(file, env)
		if err != nil {
			return err
		}
		plan, err = fo.PlanAdd(who, data)
		if err != nil {
			return planError(err)
		}
	case "remove":
		id, err := one("source id")
		if err != nil {
			return err
		}
		if plan, err = fo.PlanRemove(who, id); err != nil {
			return planError(err)
		}
	case "rollback":
		n, err := one("version")
		if err != nil {
			return err
		}
		v, err := strconv.Atoi(strings.TrimPrefix(n, "v"))
		if err != nil {
			return usageError{fmt.Sprintf("knowledge rollback: %q is not a version number", n)}
		}
		if plan, err = fo.PlanRollback(who, v); err != nil {
			return planError(err)
		}
	default:
		return usageError{fmt.Sprintf("unknown knowledge subcommand %q:\n%s", sub, knowledgeUsage)}
	}
	if advice := commands.AdviceIn(plan); len(advice) > 0 {
		return fmt.Errorf("these statements read as investment advice, which bytewatch never gives; reword them as what the source reports (nothing changed):\n  %s", strings.Join(advice, "\n  "))
	}
	writePlan(env.Stdout, plan)
	if !*yes {
		fmt.Fprintln(env.Stdout, "\nNothing changed. Run it again with --yes to make the change.")
		return nil
	}
	res, err := fo.Apply(ctx, plan)
	if err != nil {
		return planError(err)
	}
	fmt.Fprintf(env.Stdout, "\nVersion %d: %s. A running bot makes it live within 2 s; undo with `bytewatch knowledge rollback --yes %d`.\n",
		res.Version.N, res.Version.Summary, res.Version.N-1)
	return nil
}

func recoveredNote(v folder.Version) string {
	if v.Recovered {
		return " (finished after a restart)"
	}
	return ""
}

// planError says why a change cannot be made; nothing changed.
func planError(err error) error {
	var le *knowledge.LoadError
	if errors.As(err, &le) {
		return fmt.Errorf("the knowledge would have %d problem(s); nothing changed:\n%w", len(le.Problems), err)
	}
	return fmt.Errorf("%w; nothing changed", err)
}

// readInput reads a file, or standard input for "-", at most
// folder.MaxFileSize bytes.
func readInput(name string, env Env) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		if env.Stdin == nil {
			return nil, errors.New("no standard input")
		}
		r = env.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, folder.MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > folder.MaxFileSize {
		return nil, fmt.Errorf("%s is over 1 MiB", name)
	}
	return data, nil
}

// writePlan prints what a change would do.
func writePlan(w io.Writer, p *folder.Plan) {
	fmt.Fprintf(w, "%s: %d fact(s) added, %d changed, %d removed.\n", p.Summary(), len(p.Changes.Added), len(p.Changes.Changed), len(p.Changes.Removed))
	for _, part := range []struct {
		verb  string
		names []string
	}{{"writes", p.Files.Added}, {"rewrites", p.Files.Changed}, {"removes", p.Files.Removed}} {
		if len(part.names) > 0 {
			fmt.Fprintf(w, "It %s %s.\n", part.verb, strings.Join(part.names, ", "))
		}
	}
	if len(p.Conflicts) > 0 {
		fmt.Fprintf(w, "\nConflicts with facts already there (same measure and period, another figure):\n")
		for _, c := range p.Conflicts {
			fmt.Fprintf(w, "  %s: %s\n    vs %s: %s (%s)\n", c.Fact.ID, c.Figure, c.Other.ID, c.OtherFigure, c.Other.Attribution)
		}
	}
	for _, part := range p.Parts() {
		if len(part.IDs) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", part.Name)
		for _, id := range part.IDs {
			if part.Base == nil {
				fmt.Fprintf(w, "  %s\n", id)
			} else if f, ok := part.Base.Fact(id); ok {
				fmt.Fprintf(w, "  %s: %s\n", id, f.Statement)
			} else {
				fmt.Fprintf(w, "  %s\n", id)
			}
		}
	}
}

// exportKnowledge writes the built-in knowledge's files to dir and starts
// its history.
func exportKnowledge(dir string, env Env) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := knowledge.DefaultFiles()
	entries, err := fs.ReadDir(src, ".")
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
			return fmt.Errorf("%s already holds %s; export into an empty folder", dir, e.Name())
		}
		names = append(names, e.Name())
	}
	for _, n := range names {
		data, err := fs.ReadFile(src, n)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			return err
		}
	}
	if _, err := folder.Open(dir, folder.Options{}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Wrote the built-in knowledge (%s) to %s, as version 1 of its history.\nSet KNOWLEDGE_DIR=%s in .env and restart bytewatch; then /source add writes there.\n",
		strings.Join(names, ", "), dir, dir)
	return nil
}
