package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// restate asks r to restate every fact and keeps a restatement only when
// it says the same figures, names and dates as the sentence; the draft's
// comments say which were kept and which dropped, and why.
func (d *drafter) restate(ctx context.Context, r Restater) error {
	for _, f := range d.facts {
		got, err := r.Restate(ctx, f.statement)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("ingest: restating: %w", ctx.Err())
			}
			f.notes = append(f.notes, fmt.Sprintf("the LLM could not restate it (%v); the article's sentence is kept", err))
			continue
		}
		got = strings.Join(strings.Fields(got), " ")
		if got == "" || got == f.statement {
			continue
		}
		if why := d.differs(f, got); why != "" {
			f.notes = append(f.notes, fmt.Sprintf("the LLM's restatement was dropped (%s): %q", why, got))
			continue
		}
		f.notes = append(f.notes, "restated by the LLM; the article's words: "+f.statement)
		f.statement = got
		// The figures keep their amounts, units and periods; their text
		// and place are the restatement's now.
	}
	return nil
}

// differs says how a restatement departs from the fact's statement: other
// figures, other names, other dates, or an attribution written in. "" when
// it keeps them all.
func (d *drafter) differs(f *draftFact, got string) string {
	want, have := figure.Parse(f.statement), figure.Parse(got)
	if len(want) != len(have) {
		return fmt.Sprintf("%d figures instead of %d", len(have), len(want))
	}
	for _, v := range want {
		if !figure.Contains(have, v) {
			return fmt.Sprintf("%q is missing or changed", v.Text)
		}
	}
	for _, v := range have {
		if !figure.Contains(want, v) {
			return fmt.Sprintf("%q is not in the sentence", v.Text)
		}
	}
	// Names as written: a restatement that says "the company" for
	// ByteDance is less self-contained than the sentence.
	names, had := d.entitiesIn(got, false), d.entitiesIn(f.statement, false)
	for _, e := range had {
		if !slices.Contains(names, e) {
			return fmt.Sprintf("%s is missing", e)
		}
	}
	for _, e := range names {
		if !slices.Contains(had, e) {
			return fmt.Sprintf("%s is not in the sentence", e)
		}
	}
	wd, hd := periods(findDates(f.statement)), periods(findDates(got))
	if !slices.Equal(wd, hd) {
		return fmt.Sprintf("dates %v instead of %v", hd, wd)
	}
	if a := findAttribution(got); a.who != "" {
		return "it writes the attribution into the statement"
	}
	return ""
}

func periods(ds []dateRef) []string {
	var out []string
	for _, d := range ds {
		if !slices.Contains(out, d.period) {
			out = append(out, d.period)
		}
	}
	slices.Sort(out)
	return out
}

// Completer is the part of an LLM client a restater needs; *llm.Client
// has it.
type Completer interface {
	Stream(ctx context.Context, msgs []llm.Message, onText func(soFar string)) (llm.Completion, error)
}

// LLMRestater restates facts with an OpenAI-compatible model.
type LLMRestater struct {
	Client Completer
}

// restatePrompt asks for one neutral sentence that keeps everything
// checkable; the draft checks that it did.
const restatePrompt = `Rewrite the sentence below as one neutral, self-contained statement of fact in plain English.
Keep every number, currency, unit, date and name exactly as written. Do not add anything, do not say who reported it, do not comment.
Reply with the statement only.`

// Restate asks the model for a neutral restatement of statement.
func (l LLMRestater) Restate(ctx context.Context, statement string) (string, error) {
	if l.Client == nil {
		return "", errors.New("no LLM client")
	}
	c, err := l.Client.Stream(ctx, []llm.Message{
		{Role: "system", Content: restatePrompt},
		{Role: "user", Content: statement},
	}, nil)
	if err != nil {
		return "", fmt.Errorf("llm: %w", err)
	}
	return strings.Trim(strings.TrimSpace(c.Text), `"`), nil
}
