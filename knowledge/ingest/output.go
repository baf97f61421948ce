package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/bytewatch/bytewatch/knowledge"
)

// idStopWords are left out of ids: they make them long and say nothing.
var idStopWords = map[string]bool{
	"the": true, "a": true, "an": true, "of": true, "to": true, "in": true, "for": true, "on": true, "its": true,
	"has": true, "have": true, "had": true, "is": true, "was": true, "are": true, "were": true, "by": true,
	"and": true, "with": true, "as": true, "at": true, "from": true, "that": true, "it": true, "be": true,
	"will": true, "would": true, "been": true, "this": true, "s": true, "about": true, "than": true, "more": true,
}

// slugWords makes an id of up to n words of s.
func slugWords(s string, n int) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if idStopWords[w] {
			continue
		}
		words = append(words, w)
		if len(words) == n {
			break
		}
	}
	return strings.Join(words, "-")
}

// sourceID is "publisher-title-words-YYYY-MM": readable and, for one
// article, the same every time it is ingested.
func sourceID(publisher, title string, published knowledge.Date) string {
	parts := []string{slugWords(publisher, 2), slugWords(title, 4)}
	if !published.IsZero() {
		parts = append(parts, strings.ReplaceAll(published.String()[:min(7, len(published.String()))], "-", "-"))
	}
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return "draft-source"
	}
	return strings.Join(kept, "-")
}

// assignIDs gives each fact an id made of its statement's first words,
// prefixed with the publisher's, unique across the draft and the
// knowledge (a fact of this same source may keep its id: that is a
// re-ingest).
func (d *drafter) assignIDs() {
	prefix := slugWords(d.src.publisher, 1)
	used := map[string]bool{}
	for _, f := range d.facts {
		base := slugWords(f.statement, 5)
		if prefix != "" {
			base = prefix + "-" + base
		}
		if base == "" {
			base = "fact"
		}
		id := base
		for n := 2; used[id] || d.takenByOther(id); n++ {
			id = base + "-" + strconv.Itoa(n)
		}
		used[id] = true
		f.id = id
	}
}

func (d *drafter) takenByOther(id string) bool {
	src, ok := d.vocab.factIDs[id]
	return ok && src != d.src.id
}

// finish writes the YAML, checks it with the knowledge loader and returns
// the result. A fact the loader rejects (which would be a bug here) is
// left out with a note rather than failing the whole draft.
func (d *drafter) finish() (Result, error) {
	var rejected []string
	for attempt := 0; attempt < 3; attempt++ {
		data := d.render()
		fsys := fstest.MapFS{d.src.id + ".yaml": {Data: data}}
		if vocab := d.baseVocabulary(); vocab != nil {
			// The knowledge's declared measures and units, so that a near
			// miss of one is caught here, not when the draft is applied.
			fsys["base.yaml"] = &fstest.MapFile{Data: vocab}
		}
		_, err := knowledge.Load(fsys)
		var le *knowledge.LoadError
		if err == nil {
			notes := append([]string(nil), d.src.notes...)
			for _, f := range d.facts {
				for _, n := range f.notes {
					notes = append(notes, f.id+": "+n)
				}
			}
			for _, s := range d.dropped {
				notes = append(notes, fmt.Sprintf("left out (its figures could not be structured): %q", s))
			}
			notes = append(notes, rejected...)
			return Result{YAML: data, ID: d.src.id, Facts: len(d.facts), Notes: notes}, nil
		}
		if !errors.As(err, &le) {
			return Result{}, fmt.Errorf("ingest: check the draft: %w", err)
		}
		bad := map[int]bool{}
		for _, p := range le.Problems {
			i := -1
			if p.File == d.src.id+".yaml" {
				i = d.factAtLine(data, p.Line)
			}
			if i < 0 {
				return Result{}, fmt.Errorf("ingest: the draft does not load: %w", err)
			}
			if !bad[i] {
				rejected = append(rejected, fmt.Sprintf("left out %s (%s): %q", d.facts[i].id, p.Msg, d.facts[i].sentence))
			}
			bad[i] = true
		}
		var kept []*draftFact
		for i, f := range d.facts {
			if !bad[i] {
				kept = append(kept, f)
			}
		}
		d.facts = kept
		if len(kept) == 0 {
			return Result{}, ErrNoFacts
		}
	}
	return Result{}, errors.New("ingest: the draft does not load")
}

// baseVocabulary is a base.yaml declaring what the knowledge declares, or
// nil when it declares nothing.
func (d *drafter) baseVocabulary() []byte {
	if d.opt.Base == nil {
		return nil
	}
	dec := d.opt.Base.Declared()
	if len(dec.Measures)+len(dec.Units)+len(dec.Periods) == 0 {
		return nil
	}
	var b bytes.Buffer
	b.WriteString("subject: draft\ncovers: draft\n")
	for _, l := range []struct {
		key   string
		items []string
	}{{"measures", dec.Measures}, {"units", dec.Units}, {"periods", dec.Periods}} {
		if len(l.items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s:\n", l.key)
		for _, it := range l.items {
			fmt.Fprintf(&b, "  - %s\n", yamlString(it))
		}
	}
	return b.Bytes()
}

// factAtLine finds which fact the 1-based line of the rendered YAML is in.
func (d *drafter) factAtLine(data []byte, line int) int {
	if line <= 0 {
		return -1
	}
	lines := bytes.Split(data, []byte("\n"))
	n := -1
	for i := 0; i < len(lines) && i < line; i++ {
		if bytes.HasPrefix(lines[i], []byte("  - id: ")) {
			n++
		}
	}
	return n
}

// render writes the draft source file: a header for the moderator, the
// source's metadata, then each fact with what must be checked in comments
// right above it.
func (d *drafter) render() []byte {
	var b bytes.Buffer
	b.WriteString("# Draft written by `bytewatch ingest`. Review every fact against the\n")
	b.WriteString("# article before applying; lines starting with \"# CHECK:\" are what the\n")
	b.WriteString("# draft could not settle. Delete facts that are not worth keeping.\n")
	if h := d.vocab.measureHint(); h != "" {
		writeComment(&b, "", "The knowledge's measures (reuse one where it fits, so that reports of the same measure are compared): "+h)
	}
	for _, n := range d.src.notes {
		writeComment(&b, "", "CHECK: "+n)
	}
	for _, s := range d.dropped {
		writeComment(&b, "", fmt.Sprintf("CHECK: left out, its figures could not be structured: %s", s))
	}
	fmt.Fprintf(&b, "id: %s\n", d.src.id)
	fmt.Fprintf(&b, "title: %s\n", yamlString(d.src.title))
	fmt.Fprintf(&b, "publisher: %s\n", yamlString(d.src.publisher))
	fmt.Fprintf(&b, "published: %s\n", d.src.published)
	if d.src.url != "" {
		fmt.Fprintf(&b, "url: %s\n", yamlString(d.src.url))
	}
	b.WriteString("facts:\n")
	for i, f := range d.facts {
		if i > 0 {
			b.WriteString("\n")
		}
		if f.sentence != f.statement {
			writeComment(&b, "  ", "article: "+f.sentence)
		}
		for _, n := range f.notes {
			writeComment(&b, "  ", "CHECK: "+n)
		}
		fmt.Fprintf(&b, "  - id: %s\n", f.id)
		fmt.Fprintf(&b, "    statement: %s\n", yamlString(f.statement))
		fmt.Fprintf(&b, "    attribution: %s\n", yamlString(f.attribution))
		fmt.Fprintf(&b, "    as_of: %s\n", f.asOf)
		if len(f.entities) > 0 {
			quoted := make([]string, len(f.entities))
			for i, e := range f.entities {
				quoted[i] = yamlString(e)
			}
			fmt.Fprintf(&b, "    entities: [%s]\n", strings.Join(quoted, ", "))
		}
		if len(f.figures) > 0 {
			b.WriteString("    figures:\n")
			for _, g := range f.figures {
				fmt.Fprintf(&b, "      - amount: %s\n", strconv.FormatFloat(g.amount, 'f', -1, 64))
				fmt.Fprintf(&b, "        unit: %s\n", yamlString(g.unit))
				if g.measure != "" {
					fmt.Fprintf(&b, "        measure: %s\n", yamlString(g.measure))
				}
				if g.period != "" {
					fmt.Fprintf(&b, "        period: %q\n", g.period)
				}
				if g.qualifier != "" {
					fmt.Fprintf(&b, "        qualifier: %s\n", g.qualifier)
				}
			}
		}
	}
	return b.Bytes()
}

// writeComment writes text as YAML comment lines at the given indent,
// wrapped near 78 columns.
func writeComment(b *bytes.Buffer, indent, text string) {
	line := indent + "#"
	for _, w := range strings.Fields(text) {
		if len(line)+1+len(w) > 78 && line != indent+"#" {
			b.WriteString(line + "\n")
			line = indent + "#  "
		}
		line += " " + w
	}
	b.WriteString(line + "\n")
}

// plainScalar is text YAML reads back unchanged without quotes.
var plainScalar = regexp.MustCompile(`^[A-Za-z\p{Han}][^:#\[\]{}&*!|>'"%@` + "`" + `,?]*$`)

// yamlString writes s as a YAML scalar: plain when that reads back the
// same, else double-quoted (JSON's quoting is valid YAML).
func yamlString(s string) string {
	switch strings.ToLower(s) {
	case "yes", "no", "true", "false", "on", "off", "null", "y", "n", "~":
		return strconv.Quote(s)
	}
	if plainScalar.MatchString(s) && !strings.HasSuffix(s, " ") && !strings.Contains(s, " #") {
		return s
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}
