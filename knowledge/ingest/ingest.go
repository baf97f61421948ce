// Package ingest turns a news article — plain text, Markdown or HTML — into
// a draft knowledge source: one fact per claim, with its attribution, the
// entities it names, every figure with its unit and period, and relative
// dates resolved against the article's date. What it cannot settle is
// written as a comment for the moderator, never guessed. The draft passes
// the knowledge loader's checks, so a moderator reviews it rather than
// writing YAML by hand.
//
// The words it knows about a subject (entities, aliases, measures, units)
// come from the knowledge base it is given, never from this package.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bytewatch/bytewatch/knowledge"
)

// MaxArticleBytes is the largest article Draft reads.
const MaxArticleBytes = 4 << 20

// Options are what the caller knows about the article; every field is
// optional. Metadata given here wins over what the article says.
type Options struct {
	Title, Publisher, URL, ID string
	// Published is YYYY, YYYY-MM or YYYY-MM-DD.
	Published string
	// Format is "text", "markdown", "html", or "" to detect it.
	Format string
	// Base is the knowledge the draft joins: its entities and aliases are
	// recognised, its measures and units reused, its ids avoided.
	Base *knowledge.Base
	// Restater, when set, restates each fact in neutral words; a
	// restatement whose figures, entities or dates differ from the
	// sentence is dropped in favour of the sentence.
	Restater Restater
}

// Result is a draft source file and what the moderator must settle in it.
type Result struct {
	// YAML is the draft source file; it passes `bytewatch check`.
	YAML []byte
	// ID is the source's id.
	ID string
	// Facts counts the facts in the draft.
	Facts int
	// Notes are what the moderator must settle, each also written in the
	// YAML as a comment where it applies: "fact-id: …" or about the source.
	Notes []string
}

// Restater restates one statement in neutral words. The restatement must
// keep every figure, name and date of the statement.
type Restater interface {
	Restate(ctx context.Context, statement string) (string, error)
}

// ErrNoDate is returned when neither the options nor the article give the
// date it was published: without it no relative date can be resolved.
var ErrNoDate = errors.New("ingest: the article gives no publication date; give one (--published YYYY-MM-DD)")

// ErrNoFacts is returned when an article yields no claim at all.
var ErrNoFacts = errors.New("ingest: the article has no claims to draft facts from")

// Draft reads an article from r and writes a draft source for it.
func Draft(ctx context.Context, r io.Reader, opt Options) (Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxArticleBytes+1))
	if err != nil {
		return Result{}, fmt.Errorf("ingest: read the article: %w", err)
	}
	if len(data) > MaxArticleBytes {
		return Result{}, fmt.Errorf("ingest: the article is larger than %d bytes", MaxArticleBytes)
	}
	doc, err := parseDocument(printable(data), opt.Format)
	if err != nil {
		return Result{}, fmt.Errorf("ingest: %w", err)
	}
	d, err := newDrafter(doc, opt)
	if err != nil {
		return Result{}, err
	}
	d.collectFacts()
	if len(d.facts) == 0 {
		return Result{}, ErrNoFacts
	}
	if opt.Restater != nil {
		if err := d.restate(ctx, opt.Restater); err != nil {
			return Result{}, err
		}
	}
	d.assignIDs()
	out, err := d.finish()
	if err != nil {
		return Result{}, err
	}
	return out, nil
}

// sourceMeta is the draft's source, with what could not be settled.
type sourceMeta struct {
	id, title, publisher, url string
	published                 knowledge.Date
	notes                     []string
}

// resolveMeta settles the source's metadata: the options first, then the
// article's own, and placeholders with notes for what is missing (the file
// must still load).
func resolveMeta(doc document, opt Options) (sourceMeta, error) {
	m := sourceMeta{
		title:     firstNonEmpty(opt.Title, doc.meta.title),
		publisher: firstNonEmpty(opt.Publisher, doc.meta.publisher),
		url:       firstNonEmpty(opt.URL, doc.meta.url),
	}
	if opt.Published != "" {
		d, err := knowledge.ParseDate(opt.Published)
		if err != nil {
			return m, fmt.Errorf("ingest: --published: %w", err)
		}
		m.published = d
	} else if d, ok := parseLooseDate(doc.meta.published); ok {
		m.published = d
	}
	if m.title == "" {
		m.title = "untitled article"
		m.notes = append(m.notes, "title: the article gives none; write one (or pass --title)")
	}
	if m.publisher == "" {
		m.publisher = "unknown publisher"
		m.notes = append(m.notes, "publisher: the article does not name one; write it (or pass --publisher)")
	}
	if m.published.IsZero() {
		return m, ErrNoDate
	}
	if m.url != "" && !strings.HasPrefix(m.url, "http://") && !strings.HasPrefix(m.url, "https://") {
		m.notes = append(m.notes, fmt.Sprintf("url: %q is not an http(s) address and was left out", m.url))
		m.url = ""
	}
	m.id = opt.ID
	if m.id == "" {
		m.id = sourceID(m.publisher, m.title, m.published)
	} else if !isSlug(m.id) {
		return m, fmt.Errorf("ingest: --id %q: want lower-case letters, digits and single hyphens", m.id)
	}
	return m, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return ""
}

// printable drops what a YAML file may not hold — invalid UTF-8, control
// characters other than line breaks and tabs, byte-order marks — so that no
// article can make the draft unreadable.
func printable(data []byte) []byte {
	s := strings.ToValidUTF8(string(data), "\uFFFD")
	return []byte(strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			return r
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfeff || r == 0xfffe || r == 0xffff:
			return -1
		}
		return r
	}, s))
}
