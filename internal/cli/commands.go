package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/chart"
)

// askOutput is what ask --json prints: the answer's stable JSON shape, and
// whether `bytewatch chart` would draw it (two or more comparable figures
// in its cited facts).
type askOutput struct {
	answer.JSON
	Chartable bool `json:"chartable"`
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func ask(ctx context.Context, args []string, env Env) error {
	f := newFlags("ask")
	asJSON := f.fs.Bool("json", false, "print one JSON object")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	question := joinArgs(pos)
	if question == "" {
		return usageError{"ask needs a question, e.g. bytewatch ask \"How much is ByteDance investing in AI infrastructure?\""}
	}
	if _, err := answer.CleanQuestion(question); err != nil {
		return usageError{err.Error()}
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	log := newLogger(cfg, env.Stderr)
	eng, ix, err := buildEngine(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer ix.Close()
	a, err := eng.Ask(ctx, question, nil)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(askOutput{JSON: answer.JSONOf(a), Chartable: chart.Chartable(a, ix.Base())})
	}
	writeAnswer(env.Stdout, a)
	return nil
}

// writeAnswer renders an answer for a terminal.
func writeAnswer(w io.Writer, a answer.Answer) {
	fmt.Fprintln(w, a.Text)
	if a.Note != "" {
		fmt.Fprintf(w, "\n(%s)\n", a.Note)
	}
	if len(a.Citations) > 0 {
		fmt.Fprintln(w, "\nSources:")
		for _, c := range a.Citations {
			fmt.Fprintf(w, "  [%d] %s — %s, as of %s (%s)\n", c.N, c.Attribution, c.SourceTitle, c.AsOf.Human(), c.FactID)
		}
	}
	mode := string(a.Mode)
	if a.Model != "" && a.Mode == answer.ModeLLM {
		mode += " " + a.Model
	}
	fmt.Fprintf(w, "\nNot investment advice · knowledge as of %s · index %s · %s · %d ms\n",
		a.KnowledgeAsOf.Human(), a.IndexVersion, mode, a.Took.Milliseconds())
}

func search(ctx context.Context, args []string, env Env) error {
	f := newFlags("search")
	limit := f.fs.Int("limit", 8, "how many facts to list")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	query := joinArgs(pos)
	if query == "" {
		return usageError{"search needs a query, e.g. bytewatch search \"Nvidia chips\""}
	}
	if *limit < 1 || *limit > 100 {
		return usageError{fmt.Sprintf("--limit %d: want 1 to 100", *limit)}
	}
	if _, err := answer.CleanQuestion(query); err != nil {
		return usageError{err.Error()}
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	eng, ix, err := buildEngine(ctx, cfg, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer ix.Close()
	cites, version, err := eng.Sources(ctx, query, *limit)
	if err != nil {
		return err
	}
	if len(cites) == 0 {
		fmt.Fprintf(env.Stdout, "No fact matches %q (index %s).\n", query, version)
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tSCORE\tFACT\tATTRIBUTION\tSTATEMENT")
	for _, c := range cites {
		fmt.Fprintf(tw, "%d\t%.3f\t%s\t%s\t%s\n", c.N, c.Score, c.FactID, c.Attribution, c.Text)
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "index %s\n", version)
	return nil
}

func check(_ context.Context, args []string, env Env) error {
	f := newFlags("check")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError{"check takes at most one folder"}
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	dir := cfg.KnowledgeDir
	if len(pos) == 1 {
		dir = pos[0]
	}
	name := dir
	if name == "" {
		name = "the built-in knowledge base"
	}
	base, err := loadKnowledge(dir)
	if err != nil {
		return fmt.Errorf("%s is not valid:\n%w", name, err)
	}
	st := base.Stats()
	fmt.Fprintf(env.Stdout, "%s is valid.\n", name)
	fmt.Fprintf(env.Stdout, "  sources:   %d\n  facts:     %d\n  figures:   %d\n  entities:  %d\n  as of:     %s\n  version:   %s\n",
		st.Sources, st.Facts, st.Figures, st.Entities, base.LatestAsOf().Human(), base.Version())
	return nil
}
