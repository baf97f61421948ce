package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// sourceFile is one decoded knowledge file, with the positions the
// cross-file checks need to point at.
type sourceFile struct {
	source      Source
	idLine      int
	entityLines []int // line of each entry in source.Entities
	facts       []decodedFact
}

type decodedFact struct {
	fact         Fact
	idLine       int
	updatesLine  int
	entityLines  []int         // line of each entry in fact.Entities
	mentionLines []int         // line of each entry in fact.Mentions
	figures      []figureLines // where each of fact.Figures is
}

// figureLines are the lines of a figure and of its fields; a missing field
// is reported at the figure's line.
type figureLines struct {
	line, unit, measure, period int
}

// slugPattern is what ids look like: they end up in citations and URLs.
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// knownQualifiers are the words a figure may be hedged with, as written in
// statements; anything else is more likely a typo than a new hedge.
const knownQualifiers = "more than, up to, about, at least, less than"

// decodeFile reads one knowledge file and reports every problem it can find
// in it. The sourceFile is nil when the file is not a YAML mapping at all;
// otherwise it holds what could be read, which is enough for the cross-file
// checks even when the file has problems of its own.
func decodeFile(name string, data []byte) (*sourceFile, []Problem) {
	p := &problemList{file: name}
	root := parseYAML(data, p)
	if root == nil {
		return nil, p.problems
	}
	sf := &sourceFile{}
	src := &sf.source
	src.File = name
	decodeMapping(root, "source", p, []field{
		{key: "id", required: true, set: func(n *yaml.Node) {
			sf.idLine = n.Line
			setSlug(n, &src.ID, p)
		}},
		{key: "title", required: true, set: func(n *yaml.Node) { src.Title = text(n) }},
		{key: "publisher", required: true, set: func(n *yaml.Node) { src.Publisher = text(n) }},
		{key: "published", required: true, set: func(n *yaml.Node) { setDate(n, &src.Published, p) }},
		{key: "url", set: func(n *yaml.Node) { setURL(n, &src.URL, p) }},
		{key: "entities", shape: mappingList, set: func(n *yaml.Node) {
			for _, item := range n.Content {
				if e, ok := decodeEntity(item, p); ok {
					src.Entities = append(src.Entities, e)
					sf.entityLines = append(sf.entityLines, item.Line)
				}
			}
		}},
		{key: "facts", shape: mappingList, required: true, set: func(n *yaml.Node) {
			for _, item := range n.Content {
				sf.facts = append(sf.facts, decodeFact(item, p))
			}
		}},
	})
	for i := range sf.facts {
		sf.facts[i].fact.SourceID = src.ID
	}
	return sf, p.problems
}

func decodeFact(n *yaml.Node, p *problemList) decodedFact {
	df := decodedFact{}
	f := &df.fact
	f.Line = n.Line
	var (
		statementLine int
		figureLines   []int
		figuresBroken bool
	)
	decodeMapping(n, "fact", p, []field{
		{key: "id", required: true, set: func(n *yaml.Node) {
			df.idLine = n.Line
			setSlug(n, &f.ID, p)
		}},
		{key: "statement", required: true, set: func(n *yaml.Node) {
			statementLine = n.Line
			f.Statement = text(n)
		}},
		{key: "attribution", required: true, set: func(n *yaml.Node) { f.Attribution = text(n) }},
		{key: "as_of", required: true, set: func(n *yaml.Node) { setDate(n, &f.AsOf, p) }},
		{key: "entities", shape: wordList, set: func(n *yaml.Node) { df.entityLines = setWords(n, &f.Entities, p) }},
		{key: "mentions", shape: wordList, set: func(n *yaml.Node) { df.mentionLines = setWords(n, &f.Mentions, p) }},
		{key: "topics", shape: wordList, set: func(n *yaml.Node) { setWords(n, &f.Topics, p) }},
		{key: "questions", shape: wordList, set: func(n *yaml.Node) { setWords(n, &f.Questions, p) }},
		{key: "figures", shape: mappingList, set: func(n *yaml.Node) {
			for _, item := range n.Content {
				g, lines, ok := decodeFigure(item, p)
				if !ok {
					figuresBroken = true
					continue
				}
				f.Figures = append(f.Figures, g)
				figureLines = append(figureLines, item.Line)
				df.figures = append(df.figures, lines)
			}
		}},
		{key: "updates", set: func(n *yaml.Node) {
			df.updatesLine = n.Line
			setSlug(n, &f.Updates, p)
		}},
	})
	for i, m := range f.Mentions {
		if slices.Contains(f.Entities, m) {
			p.add(df.mentionLines[i], "mentions: %q is also in entities; a name the fact is about is not a mere mention", m)
		}
	}
	if f.Statement != "" {
		checkStatement(f.Statement, statementLine, p)
	}
	if f.Statement != "" {
		// A broken figure has been reported already; checking the statement
		// against the rest would report its number a second time.
		checkFigures(f.Statement, statementLine, f.Figures, figureLines, !figuresBroken, p)
	}
	return df
}

// decodeEntity reads one declared entity: its name and the other names
// people write it as.
func decodeEntity(n *yaml.Node, p *problemList) (e Entity, ok bool) {
	decodeMapping(n, "entity", p, []field{
		{key: "name", required: true, set: func(n *yaml.Node) { e.Name = text(n) }},
		{key: "aliases", shape: wordList, set: func(n *yaml.Node) { setWords(n, &e.Aliases, p) }},
	})
	for _, a := range e.Aliases {
		if strings.EqualFold(a, e.Name) {
			p.add(n.Line, "entity %s: alias %q is its own name", e.Name, a)
		}
	}
	return e, e.Name != ""
}

// decodeAbout reads base.yaml: what the knowledge base says about itself,
// and the measures, units and periods its figures may use.
func decodeAbout(name string, data []byte) (About, Declared, []Problem) {
	p := &problemList{file: name}
	var (
		a About
		d Declared
	)
	root := parseYAML(data, p)
	if root == nil {
		return a, d, p.problems
	}
	decodeMapping(root, "base.yaml", p, []field{
		{key: "subject", required: true, set: func(n *yaml.Node) { a.Subject = text(n) }},
		{key: "covers", required: true, set: func(n *yaml.Node) { a.Covers = strings.TrimSuffix(text(n), ".") }},
		{key: "main_question", set: func(n *yaml.Node) { a.MainQuestion = text(n) }},
		{key: "measures", shape: mappingList, set: func(n *yaml.Node) { decodeMeasures(n, &d, p) }},
		{key: "units", shape: wordList, set: func(n *yaml.Node) { setWords(n, &d.Units, p) }},
		{key: "periods", shape: wordList, set: func(n *yaml.Node) { setWords(n, &d.Periods, p) }},
	})
	return a, d, p.problems
}

// decodeMeasures reads base.yaml's measures: each a name, or a mapping of
// a name and the other wordings people use for it.
func decodeMeasures(n *yaml.Node, d *Declared, p *problemList) {
	for _, item := range n.Content {
		var name string
		var aliases []string
		switch item.Kind {
		case yaml.ScalarNode:
			name = text(item)
		case yaml.MappingNode:
			decodeMapping(item, "measure", p, []field{
				{key: "name", required: true, set: func(n *yaml.Node) { name = text(n) }},
				{key: "aliases", shape: wordList, set: func(n *yaml.Node) { setWords(n, &aliases, p) }},
			})
		default:
			p.add(item.Line, "measures: want a name or {name: …, aliases: […]}, got %s", describeNode(item))
			continue
		}
		if name == "" {
			continue
		}
		if slices.Contains(d.Measures, name) {
			p.add(item.Line, "measures: %q listed twice", name)
			continue
		}
		d.Measures = append(d.Measures, name)
		for _, a := range aliases {
			if other, dup := d.MeasureAliases[a]; dup || slices.Contains(d.Measures, a) {
				p.add(item.Line, "measures: alias %q of %q is already %s", a, name, aliasOrMeasure(other))
				continue
			}
			if d.MeasureAliases == nil {
				d.MeasureAliases = map[string]string{}
			}
			d.MeasureAliases[a] = name
		}
	}
}

// aliasOrMeasure says what a name already is: "an alias of X" or "a
// measure".
func aliasOrMeasure(of string) string {
	if of != "" {
		return "an alias of " + of
	}
	return "a measure"
}

// decodeFigure reads one figure; ok is false when its amount or unit is
// unusable, so it cannot be checked against the statement. Problems in the
// other fields leave it checkable, to avoid reporting one mistake twice.
func decodeFigure(n *yaml.Node, p *problemList) (g Figure, at figureLines, ok bool) {
	var amountOK bool
	at = figureLines{line: n.Line, unit: n.Line, measure: n.Line, period: n.Line}
	decodeMapping(n, "figure", p, []field{
		{key: "amount", required: true, set: func(n *yaml.Node) { amountOK = setAmount(n, &g.Amount, p) }},
		{key: "unit", required: true, set: func(n *yaml.Node) { g.Unit, at.unit = text(n), n.Line }},
		{key: "measure", set: func(n *yaml.Node) { g.Measure, at.measure = text(n), n.Line }},
		{key: "period", set: func(n *yaml.Node) { g.Period, at.period = text(n), n.Line }},
		{key: "qualifier", set: func(n *yaml.Node) { setQualifier(n, &g.Qualifier, p) }},
	})
	return g, at, amountOK && g.Unit != ""
}

// parseYAML parses a file that must hold exactly one YAML document whose top
// level is a mapping, and returns that mapping.
func parseYAML(data []byte, p *problemList) *yaml.Node {
	if len(bytes.TrimSpace(data)) == 0 {
		p.add(0, "file is empty")
		return nil
	}
	if !utf8.Valid(data) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		// The YAML library would read UTF-16 and number its lines its own
		// way; knowledge files are UTF-8.
		p.add(0, "not UTF-8 text: save the file as UTF-8")
		return nil
	}
	if tabIndented(data, p) {
		// The parser would stop at the first tab, often a line early.
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := decodeNode(dec, &doc); {
	case errors.Is(err, io.EOF):
		p.add(0, "file is empty (only comments)")
		return nil
	case err != nil:
		addYAMLError(err, data, p)
		return nil
	}
	var extra yaml.Node
	switch err := decodeNode(dec, &extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		addYAMLError(err, data, p)
		return nil
	default:
		p.add(extra.Line, "a second YAML document: put each source in a file of its own")
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		p.add(0, "file is empty")
		return nil
	}
	if root.Kind != yaml.MappingNode {
		p.add(root.Line, "not a knowledge file: want a mapping with id, title, publisher, published and facts, got %s", describeNode(root))
		return nil
	}
	return root
}

// decodeNode decodes the next document, turning a panic inside the YAML
// library into an error: a malformed file must never take the bot down
// during a /reindex.
func decodeNode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

var yamlLinePattern = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// isYAMLParserProblem reports whether msg comes from the YAML library's
// parser (as opposed to its scanner). The library reports parser lines
// 0-based and scanner lines 1-based, so parser lines need one added.
func isYAMLParserProblem(msg string) bool {
	switch msg {
	case "did not find expected ',' or ']'", "did not find expected ',' or '}'",
		"did not find expected '-' indicator", "did not find expected <document start>",
		"did not find expected <stream-start>", "did not find expected key",
		"did not find expected node content", "found duplicate %TAG directive",
		"found duplicate %YAML directive", "found incompatible YAML document",
		"found undefined tag handle":
		return true
	}
	return false
}

// addYAMLError reports a YAML syntax error at the 1-based line it is on, or
// for the whole file when the library gives no line.
func addYAMLError(err error, data []byte, p *problemList) {
	m := yamlLinePattern.FindStringSubmatch(err.Error())
	if m == nil {
		p.add(0, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	line, _ := strconv.Atoi(m[1])
	if isYAMLParserProblem(m[2]) {
		line++
	}
	// An error at the very end can point just past the last line.
	line = min(line, lineCount(data))
	p.add(line, "not valid YAML: %s%s", m[2], yamlHint(m[2], lineAt(data, line)))
}

// tabIndented reports every line indented with a tab, which YAML forbids.
func tabIndented(data []byte, p *problemList) bool {
	found := false
	for i, l := range strings.Split(string(data), "\n") {
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if strings.Contains(indent, "\t") && strings.TrimSpace(l) != "" {
			p.add(i+1, "not valid YAML: a tab in the indentation; YAML indents with spaces only")
			found = true
		}
	}
	return found
}

func lineAt(data []byte, line int) string {
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	return lines[line-1]
}

// valueWithColon is "key: text with: a colon" unquoted.
var valueWithColon = regexp.MustCompile(`^\s*(?:-\s+)?[\w-]+:\s+[^"'\s][^#]*:(?:\s|$)`)

// yamlHint explains the usual causes of a YAML library message.
func yamlHint(msg, line string) string {
	switch {
	case msg == "mapping values are not allowed in this context" && valueWithColon.MatchString(line):
		return ` (a value that contains ": " must be quoted: statement: "…")`
	case msg == "mapping values are not allowed in this context":
		return " (a colon followed by a space starts a key: quote the value, or check the indentation)"
	case strings.HasPrefix(msg, "found character that cannot start any token"):
		return " (a value may not start with `, @ or %: quote it)"
	case msg == "could not find expected ':'":
		return " (a line that is not \"key: value\": a long statement continues on lines indented further than its key, or is quoted)"
	case msg == "did not find expected key", msg == "did not find expected '-' indicator":
		return " (check the indentation of this line against the lines above it)"
	case strings.HasPrefix(msg, "found unexpected end of stream"), strings.HasPrefix(msg, "found unknown escape character"):
		return ` (a quote is not closed, or a "…" value holds a backslash: use '…' or close the quote)`
	}
	return ""
}

// lineCount counts lines the way the YAML library numbers them: CR, LF,
// CRLF, NEL, LS and PS all end a line. A final line break starts no line.
func lineCount(data []byte) int {
	s := string(data)
	lines := 1
	for i, r := range s {
		switch r {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			lines++
		case '\n', '\u0085', '\u2028', '\u2029':
			lines++
		}
	}
	if strings.HasSuffix(s, "\n") || strings.HasSuffix(s, "\r") {
		lines--
	}
	return lines
}

// field is one key a mapping may hold. set decodes the value and reports
// its own problems; decodeMapping has already checked the value's shape, and
// does not call set for an empty required value.
type field struct {
	key      string
	shape    shape
	required bool
	set      func(value *yaml.Node)
}

type shape int

const (
	textValue   shape = iota // a scalar
	wordList                 // a list of scalars: entities, topics
	mappingList              // a list of mappings, each decoded with its own fields
)

// decodeMapping checks that n is a mapping of known keys, each given once
// with a value of the right shape, with every required key present and
// non-empty, and calls each field's set. Problems a text or word-list field
// reports are prefixed with its key, so they say which field they are about.
func decodeMapping(n *yaml.Node, what string, p *problemList, fields []field) {
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "%s: want a mapping of %s, got %s", what, fieldNames(fields), describeNode(n))
		return
	}
	seen := make(map[string]int, len(fields))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k.Line, "%s: a key must be a plain word, got %s", what, describeNode(k))
			continue
		}
		fi := fieldIndex(fields, k.Value)
		if fi < 0 {
			p.add(k.Line, "%s: unknown field %q (known: %s)", what, truncate(k.Value, 40), fieldNames(fields))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.add(k.Line, "%s: field %q given twice (first at line %d)", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		f := fields[fi]
		switch {
		case v.Kind == yaml.AliasNode:
			// Aliases make a hand-edited file hard to follow, and can
			// expand enormously.
			p.add(v.Line, "%s: %s: aliases (*%s) are not allowed; write the value out", what, f.key, v.Value)
		case f.shape != textValue && v.Kind != yaml.SequenceNode && !isNull(v):
			p.add(v.Line, "%s: %s: want a list, got %s", what, f.key, describeNode(v))
		case f.shape == textValue && v.Kind != yaml.ScalarNode:
			p.add(v.Line, "%s: %s: want text, got %s", what, f.key, describeNode(v))
		case f.required && isEmpty(v):
			p.add(v.Line, "%s: %s is empty", what, f.key)
		case f.shape == mappingList:
			f.set(v)
		default:
			p.context = f.key + ": "
			f.set(v)
			p.context = ""
		}
	}
	for _, f := range fields {
		if _, ok := seen[f.key]; f.required && !ok {
			p.add(n.Line, "%s: missing %s", what, f.key)
		}
	}
}

func fieldIndex(fields []field, key string) int {
	for i, f := range fields {
		if f.key == key {
			return i
		}
	}
	return -1
}

func fieldNames(fields []field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.key
	}
	return strings.Join(names, ", ")
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func isEmpty(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.ScalarNode:
		return isNull(n) || strings.TrimSpace(n.Value) == ""
	case yaml.SequenceNode, yaml.MappingNode:
		return len(n.Content) == 0
	}
	return false
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias (*" + n.Value + ")"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", truncate(n.Value, 40))
	}
	return "an unexpected YAML node"
}

func truncate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}

// text reads a scalar with its whitespace collapsed, so a folded or
// indented statement reads the same as a one-line one.
func text(n *yaml.Node) string {
	if isNull(n) {
		return ""
	}
	return strings.Join(strings.Fields(n.Value), " ")
}

func setSlug(n *yaml.Node, dst *string, p *problemList) {
	s := text(n)
	if !slugPattern.MatchString(s) {
		p.add(n.Line, "%q: want lower-case letters, digits and single hyphens, like bytedance-ai-capex", truncate(s, 60))
		return
	}
	*dst = s
}

func setDate(n *yaml.Node, dst *Date, p *problemList) {
	d, err := ParseDate(text(n))
	if err != nil {
		p.add(n.Line, "%v", err)
		return
	}
	*dst = d
}

func setURL(n *yaml.Node, dst *string, p *problemList) {
	s := text(n)
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add(n.Line, "%q: want an http or https address", truncate(s, 80))
		return
	}
	*dst = s
}

func setAmount(n *yaml.Node, dst *float64, p *problemList) bool {
	var f float64
	if (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&f) != nil {
		p.add(n.Line, "want a plain number like 10000000000, got %s", describeNode(n))
		return false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		p.add(n.Line, "want a finite number, got %s", n.Value)
		return false
	}
	*dst = f
	return true
}

func setQualifier(n *yaml.Node, dst *string, p *problemList) {
	s := text(n)
	if s == "" {
		return
	}
	if !slices.Contains(strings.Split(knownQualifiers, ", "), s) {
		p.add(n.Line, "%q: want one of %s", truncate(s, 40), knownQualifiers)
		return
	}
	*dst = s
}

// setWords reads a list of names or tags and returns the line of each.
func setWords(n *yaml.Node, dst *[]string, p *problemList) []int {
	var lines []int
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			p.add(item.Line, "want a name, got %s", describeNode(item))
			continue
		}
		s := text(item)
		switch {
		case s == "":
			p.add(item.Line, "empty entry")
		case slices.Contains(*dst, s):
			p.add(item.Line, "%q listed twice", s)
		default:
			*dst = append(*dst, s)
			lines = append(lines, item.Line)
		}
	}
	return lines
}
