package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/chart"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
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
	var history historyFlag
	f.fs.Var(&history, "history", "an earlier question of the conversation, oldest first (repeat the flag); QUESTION is then a follow-up")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	for _, h := range history {
		if _, err := answer.CleanQuestion(h); err != nil {
			return usageError{"--history: " + err.Error()}
		}
	}
	question, err := questionArg(pos, "ask needs a question, e.g. bytewatch ask \"How much is ByteDance investing in AI infrastructure?\"")
	if err != nil {
		return err
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	// One-shot commands index in memory, whatever INDEX_PATH says: it takes
	// milliseconds, and INDEX_PATH belongs to the bot (see runBot).
	log := newLogger(cfg, env.Stderr)
	eng, ix, _, err := buildEngine(ctx, &cfg, log, index.Options{})
	if err != nil {
		return err
	}
	defer ix.Close()
	a, err := eng.AskFollowUp(ctx, history, question, nil)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, askOutput{JSON: answer.JSONOf(a), Chartable: chart.Chartable(a, ix.Base())})
	}
	writeAnswer(env.Stdout, a)
	return nil
}

// questionArg is the question a command's arguments make, or a usage error:
// missing says what to type when there is none.
func questionArg(pos []string, missing string) (string, error) {
	question := joinArgs(pos)
	if question == "" {
		return "", usageError{missing}
	}
	if _, err := answer.CleanQuestion(question); err != nil {
		return "", usageError{err.Error()}
	}
	return question, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// SearchJSON is what `bytewatch search --json` prints: the matching facts,
// best first, each with the fields of `ask --json`'s citations plus its
// rank (1 is the best match).
type SearchJSON struct {
	Query        string      `json:"query"`
	IndexVersion string      `json:"index_version"`
	Results      []SearchHit `json:"results"`
}

// SearchHit is one matching fact: answer.CitationJSON's fields and its rank.
// Score is the search's relevance score (higher is better).
type SearchHit struct {
	Rank int `json:"rank"`
	answer.CitationJSON
}

func searchJSONOf(query, version string, cites []answer.Citation) SearchJSON {
	j := SearchJSON{Query: query, IndexVersion: version, Results: []SearchHit{}}
	for i, c := range cites {
		j.Results = append(j.Results, SearchHit{Rank: i + 1, CitationJSON: answer.CitationJSON{
			N: c.N, FactID: c.FactID, SourceID: c.SourceID, SourceTitle: c.SourceTitle,
			Attribution: c.Attribution, AsOf: c.AsOf.String(), Text: c.Text, Score: c.Score,
		}})
	}
	return j
}

// historyFlag collects --history, one earlier question per flag.
type historyFlag []string

func (h *historyFlag) String() string { return strings.Join(*h, " | ") }

func (h *historyFlag) Set(v string) error {
	*h = append(*h, v)
	return nil
}

// writeAnswer renders an answer for a terminal.
func writeAnswer(w io.Writer, a answer.Answer) {
	if a.Standalone != "" {
		fmt.Fprintf(w, "Answering: %s\n\n", a.Standalone)
	}
	fmt.Fprintln(w, a.Text)
	if a.Note != "" {
		fmt.Fprintf(w, "\n(%s)\n", a.Note)
	}
	if a.Stale != "" {
		fmt.Fprintf(w, "\n(%s)\n", a.Stale)
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
	asJSON := f.fs.Bool("json", false, "print one JSON object")
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
	eng, ix, _, err := buildEngine(ctx, &cfg, newLogger(cfg, env.Stderr), index.Options{})
	if err != nil {
		return err
	}
	defer ix.Close()
	cites, version, err := eng.Sources(ctx, query, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, searchJSONOf(query, version, cites))
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

// countProblems says how many errors and warnings a load found.
func countProblems(le *knowledge.LoadError) string {
	s := plural(len(le.Problems), "error", "errors")
	if n := len(le.Warnings); n > 0 {
		s += ", " + plural(n, "warning", "warnings")
	}
	return s
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
	base, loaded, err := loadKnowledge(dir)
	var le *knowledge.LoadError
	if errors.As(err, &le) {
		return fmt.Errorf("%s is not valid (%s):\n%w", loaded, countProblems(le), err)
	}
	if err != nil {
		return err
	}
	if loaded != dir {
		fmt.Fprintf(env.Stdout, "%s holds no knowledge files of its own; checking %s, which does.\n", dir, loaded)
		name = loaded
	}
	st := base.Stats()
	fmt.Fprintf(env.Stdout, "%s is valid.\n", name)
	for _, w := range base.Warnings() {
		fmt.Fprintf(env.Stdout, "  %s\n", w)
	}
	fmt.Fprintf(env.Stdout, "  sources:   %d\n  facts:     %d\n  figures:   %d\n  entities:  %d\n  as of:     %s\n  version:   %s\n",
		st.Sources, st.Facts, st.Figures, st.Entities, base.LatestAsOf().Human(), base.Version())
	return nil
}
