package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/ingest"
)

// ingestCmd drafts a source file from an article: to standard output, into
// --out DIR, or (--apply) into KNOWLEDGE_DIR once the folder with the draft
// in it passes check. What the draft could not settle goes to standard
// error as well as into the file's comments.
func ingestCmd(ctx context.Context, args []string, env Env) error {
	f := newFlags("ingest")
	var opt ingest.Options
	var out string
	var apply, noLLM bool
	f.fs.StringVar(&opt.Title, "title", "", "the article's title")
	f.fs.StringVar(&opt.Publisher, "publisher", "", "who published it")
	f.fs.StringVar(&opt.Published, "published", "", "when: YYYY-MM or YYYY-MM-DD")
	f.fs.StringVar(&opt.URL, "url", "", "where it is")
	f.fs.StringVar(&opt.ID, "id", "", "the source id")
	f.fs.StringVar(&opt.Format, "format", "", "text, markdown or html (default: from the file name, else detected)")
	f.fs.StringVar(&out, "out", "", "write the draft into this folder as ID.yaml")
	f.fs.BoolVar(&apply, "apply", false, "write the draft into KNOWLEDGE_DIR if the folder with it passes check")
	f.fs.BoolVar(&noLLM, "no-llm", false, "do not restate facts with the configured LLM")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"ingest takes one article: a file, or - for standard input"}
	}
	if apply && out != "" {
		return usageError{"ingest: --out and --apply are exclusive"}
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	if apply && cfg.KnowledgeDir == "" {
		return errors.New("ingest --apply needs a knowledge folder (KNOWLEDGE_DIR or --knowledge-dir): the built-in base is read-only")
	}
	base, dir, err := loadKnowledge(cfg.KnowledgeDir)
	if err != nil {
		return fmt.Errorf("the knowledge the draft joins: %w", err)
	}
	opt.Base = base
	var r io.Reader = env.Stdin
	if name := pos[0]; name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		defer file.Close()
		r = file
		if opt.Format == "" {
			opt.Format = formatOf(name)
		}
	}
	if !noLLM && cfg.LLMEnabled() {
		client, err := newLLMClient(cfg, newLogger(cfg, env.Stderr))
		if err != nil {
			return err
		}
		opt.Restater = ingest.LLMRestater{Client: client}
	}
	res, err := ingest.Draft(ctx, r, opt)
	if err != nil {
		return err
	}
	for _, n := range res.Notes {
		fmt.Fprintf(env.Stderr, "check: %s\n", n)
	}
	switch {
	case apply:
		return applyDraft(env, dir, res)
	case out != "":
		path := filepath.Join(out, res.ID+".yaml")
		if err := writeFileAtomic(path, res.YAML); err != nil {
			return fmt.Errorf("ingest: write %s: %w", path, err)
		}
		fmt.Fprintf(env.Stderr, "wrote %s: %d facts, %d notes to settle; check it with bytewatch check\n", path, res.Facts, len(res.Notes))
		return nil
	default:
		_, err := env.Stdout.Write(res.YAML)
		return err
	}
}

// formatOf is the format a file name says: .html, .md, .txt.
func formatOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		return "html"
	case ".md", ".markdown":
		return "markdown"
	case ".txt", ".text":
		return "text"
	}
	return ""
}

// applyDraft writes the draft into the knowledge folder, but only when the
// folder with the draft in it (replacing a file of the same id) loads.
func applyDraft(env Env, dir string, res ingest.Result) error {
	name := res.ID + ".yaml"
	fsys := fstest.MapFS{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("ingest --apply: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return fmt.Errorf("ingest --apply: %w", err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: data}
	}
	_, replaced := fsys[name]
	fsys[name] = &fstest.MapFile{Data: res.YAML}
	if _, err := knowledge.Load(fsys); err != nil {
		return fmt.Errorf("ingest --apply: %s with the draft in it would not be valid; nothing was written:\n%w", dir, err)
	}
	path := filepath.Join(dir, name)
	if err := writeFileAtomic(path, res.YAML); err != nil {
		return fmt.Errorf("ingest --apply: write %s: %w", path, err)
	}
	verb := "added"
	if replaced {
		verb = "replaced"
	}
	fmt.Fprintf(env.Stderr, "%s %s: %d facts; /reindex (or a restart) serves them\n", verb, path, res.Facts)
	return nil
}
