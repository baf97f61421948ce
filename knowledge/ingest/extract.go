package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// document is an article reduced to what the draft is made from: the
// metadata the article states about itself and its body as blocks of text.
type document struct {
	meta   meta
	blocks []block
}

// meta is what an article says about itself; any field may be empty.
type meta struct {
	title, publisher, url, published, author string
	// bylines are names the article gives its writers; a paragraph naming
	// one is about the writer, not a claim.
	bylines []string
}

type blockKind int

const (
	paragraph blockKind = iota
	heading
	listItem
)

// block is one paragraph, heading or list item of the article's body.
type block struct {
	kind blockKind
	text string
	// linkText is how much of text sits inside links: a block that is
	// mostly links is navigation.
	linkText int
}

// detectFormat guesses an article's format from its first bytes.
func detectFormat(data []byte) string {
	head := bytes.ToLower(bytes.TrimSpace(data[:min(len(data), 2048)]))
	switch {
	case bytes.HasPrefix(head, []byte("<!doctype html")), bytes.HasPrefix(head, []byte("<html")),
		bytes.Contains(head, []byte("<body")), bytes.Contains(head, []byte("<p>")), bytes.Contains(head, []byte("<div")):
		return "html"
	case bytes.HasPrefix(head, []byte("---\n")), markdownSigns.Match(data[:min(len(data), 4096)]):
		return "markdown"
	}
	return "text"
}

// markdownSigns are constructs plain text rarely has: ATX headings, links,
// emphasis markers around words, block quotes.
var markdownSigns = regexp.MustCompile(`(?m)^#{1,6} \S|\]\(https?://|^> \S|\*\*\S[^*\n]*\*\*|^\*[^*\s][^*\n]*\*\s*$`)

// parseDocument reads data in the given format ("" detects it).
func parseDocument(data []byte, format string) (document, error) {
	if format == "" {
		format = detectFormat(data)
	}
	switch strings.ToLower(format) {
	case "html", "htm":
		return parseHTML(data)
	case "markdown", "md":
		return parseMarkdown(data)
	case "text", "txt", "plain":
		return parseText(data), nil
	}
	return document{}, fmt.Errorf("unknown format %q: want text, markdown or html", format)
}

// parseMarkdown reads YAML front matter for metadata, renders the rest to
// HTML with goldmark and reads that as an HTML body.
func parseMarkdown(data []byte) (document, error) {
	var m meta
	body := data
	if rest, ok := bytes.CutPrefix(data, []byte("---\n")); ok {
		if fm, after, found := bytes.Cut(rest, []byte("\n---")); found {
			body = after
			if i := bytes.IndexByte(body, '\n'); i >= 0 {
				body = body[i+1:]
			}
			var front map[string]any
			if err := yaml.Unmarshal(fm, &front); err == nil {
				m = frontMatter(front)
			}
		}
	}
	var out bytes.Buffer
	if err := goldmark.Convert(body, &out); err != nil {
		return document{}, fmt.Errorf("markdown: %w", err)
	}
	doc, err := parseHTML(out.Bytes())
	if err != nil {
		return document{}, err
	}
	doc.meta = mergeMeta(m, doc.meta)
	return doc, nil
}

// frontMatter takes the usual keys of a Markdown file's front matter.
func frontMatter(front map[string]any) meta {
	get := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := front[k]; ok && v != nil {
				return strings.TrimSpace(fmt.Sprint(v))
			}
		}
		return ""
	}
	m := meta{
		title:     get("title"),
		publisher: get("publisher", "site", "site_name", "source"),
		url:       get("url", "canonical", "canonical_url", "link"),
		published: get("date", "published", "published_at", "pubdate"),
		author:    get("author", "authors", "byline"),
	}
	if m.author != "" {
		m.bylines = append(m.bylines, m.author)
	}
	return m
}

// mergeMeta fills a's empty fields from b.
func mergeMeta(a, b meta) meta {
	or := func(x, y string) string {
		if x != "" {
			return x
		}
		return y
	}
	a.title = or(a.title, b.title)
	a.publisher = or(a.publisher, b.publisher)
	a.url = or(a.url, b.url)
	a.published = or(a.published, b.published)
	a.author = or(a.author, b.author)
	a.bylines = append(a.bylines, b.bylines...)
	return a
}

// skippedElements never hold the article's claims.
var skippedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Svg: true,
	atom.Nav: true, atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Form: true,
	atom.Button: true, atom.Iframe: true, atom.Select: true, atom.Table: true, atom.Figure: true,
	atom.Figcaption: true,
}

// boilerplateClass matches class and id names of page furniture: cookie
// banners, menus, share bars, related links, comments, adverts, bylines.
var boilerplateClass = regexp.MustCompile(`(?i)(^|[\s_-])(cookie|gdpr|consent|banner|menu|nav|navbar|share|social|related|comments?|advert|ads?|promo|newsletter|subscribe|signup|footer|header|byline|author|meta|breadcrumbs?|sidebar|popup|modal|login|correction|top-bar|toolbar|tags|caption)($|[\s_-])`)

// parseHTML reads an HTML page: metadata from its head (and a few body
// elements), and the paragraphs, headings and list items of its article —
// the <article> element when there is one, else <main>, else the body —
// leaving out page furniture.
func parseHTML(data []byte) (document, error) {
	root, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return document{}, fmt.Errorf("html: %w", err)
	}
	var doc document
	readHTMLMeta(root, &doc.meta)
	body := findElement(root, atom.Article)
	if body == nil {
		body = findElement(root, atom.Main)
	}
	if body == nil {
		body = findElement(root, atom.Body)
	}
	if body == nil {
		body = root
	}
	c := collector{}
	c.walk(body)
	c.flush(paragraph)
	doc.blocks = c.blocks
	return doc, nil
}

func findElement(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, a); f != nil {
			return f
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// readHTMLMeta takes the title, site, canonical address, date and author
// from <title>, <meta> and <link> elements, preferring the Open Graph and
// article properties; <h1>, <time> and byline elements fill what is left.
func readHTMLMeta(root *html.Node, m *meta) {
	var titleTag, h1, timeTag string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Title:
				if titleTag == "" {
					titleTag = nodeText(n)
				}
			case atom.H1:
				if h1 == "" {
					h1 = nodeText(n)
				}
			case atom.Time:
				if timeTag == "" {
					timeTag = attr(n, "datetime")
					if timeTag == "" {
						timeTag = nodeText(n)
					}
				}
			case atom.Meta:
				key := strings.ToLower(attr(n, "property") + attr(n, "name") + attr(n, "itemprop"))
				val := attr(n, "content")
				switch key {
				case "og:title", "twitter:title":
					setOnce(&m.title, val)
				case "og:site_name", "publisher", "article:publisher", "dc.publisher", "application-name":
					if !strings.HasPrefix(val, "http") {
						setOnce(&m.publisher, val)
					}
				case "article:published_time", "pubdate", "publishdate", "publish-date", "date", "dc.date",
					"dc.date.issued", "datepublished", "sailthru.date", "parsely-pub-date":
					setOnce(&m.published, val)
				case "author", "article:author", "dc.creator", "byl":
					if !strings.HasPrefix(val, "http") {
						setOnce(&m.author, val)
					}
				case "og:url":
					setOnce(&m.url, val)
				}
			case atom.Link:
				if strings.EqualFold(attr(n, "rel"), "canonical") {
					m.url = attr(n, "href")
				}
			case atom.Script:
				if strings.EqualFold(attr(n, "type"), "application/ld+json") && n.FirstChild != nil {
					readLinkedData(n.FirstChild.Data, m)
				}
			}
			if cls := attr(n, "class") + " " + attr(n, "id"); bylineClass.MatchString(cls) {
				if t := nodeText(n); t != "" && len(t) < 200 {
					m.bylines = append(m.bylines, bylineNames(t)...)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if m.title == "" {
		m.title = h1
	}
	if m.title == "" {
		m.title = titleTag
	}
	if m.title != "" && titleTag != "" && m.publisher == "" {
		// "Headline | Publisher" or "Headline - Publisher".
		if _, site, ok := cutLast(titleTag, []string{" | ", " - ", " — ", " – "}); ok && strings.HasPrefix(titleTag, m.title) {
			m.publisher = strings.TrimSpace(site)
		}
	}
	m.title = stripSiteSuffix(m.title, m.publisher)
	setOnce(&m.published, timeTag)
	if m.publisher == "" {
		m.publisher = copyrightHolder(nodeText(root))
	}
	if m.author != "" {
		m.bylines = append(m.bylines, bylineNames(m.author)...)
	}
}

// readLinkedData takes metadata from a schema.org JSON-LD block: the
// article's headline, datePublished, publisher and author.
func readLinkedData(data string, m *meta) {
	var v any
	if json.Unmarshal([]byte(data), &v) != nil {
		return
	}
	var visit func(v any)
	visit = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				visit(e)
			}
		case map[string]any:
			if g, ok := x["@graph"]; ok {
				visit(g)
			}
			if _, ok := x["datePublished"]; !ok {
				return
			}
			setOnce(&m.title, stringOf(x["headline"]))
			setOnce(&m.published, stringOf(x["datePublished"]))
			setOnce(&m.publisher, nameOf(x["publisher"]))
			setOnce(&m.author, nameOf(x["author"]))
		}
	}
	visit(v)
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// nameOf reads a schema.org Person or Organization, or a list of them.
func nameOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		return stringOf(x["name"])
	case []any:
		if len(x) > 0 {
			return nameOf(x[0])
		}
	}
	return ""
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = strings.Join(strings.Fields(v), " ")
	}
}

// cutLast splits s at the last of the separators it holds.
func cutLast(s string, seps []string) (before, after string, ok bool) {
	best := -1
	sepLen := 0
	for _, sep := range seps {
		if i := strings.LastIndex(s, sep); i > best {
			best, sepLen = i, len(sep)
		}
	}
	if best < 0 {
		return s, "", false
	}
	return s[:best], s[best+sepLen:], true
}

// stripSiteSuffix removes " | Publisher" (or " - Publisher") from a title.
func stripSiteSuffix(title, publisher string) string {
	if publisher == "" {
		return title
	}
	for _, sep := range []string{" | ", " - ", " — ", " – "} {
		if t, ok := strings.CutSuffix(title, sep+publisher); ok {
			return t
		}
	}
	return title
}

// copyrightLine reads the holder of "Copyright 2025 Example Newswire. All
// rights reserved." or "© 2026 AsiaWire.".
var copyrightLine = regexp.MustCompile(`(?:[Cc]opyright|©)\s*(?:©\s*)?(?:(?:19|20)\d{2}\s+)?([A-Z][\w&'. -]{1,60}?)(?:\s+(?:19|20)\d{2})?\s*(?:\.\s|\.$|,|\s+All\s+rights|\s*$)`)

func copyrightHolder(text string) string {
	m := copyrightLine.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1])
}

var bylineClass = regexp.MustCompile(`(?i)\b(byline|author)\b`)

// bylinePattern reads "By A, B and C in Place" and similar.
var (
	bylineLead  = regexp.MustCompile(`(?i)^\s*by\s+`)
	bylineSplit = regexp.MustCompile(`\s*(?:,|\band\b|&|\||·)\s*`)
	bylinePlace = regexp.MustCompile(`\s+in\s+[A-Z][\w ]*$`)
)

// bylineNames gives the writers' names in a byline.
func bylineNames(s string) []string {
	s = bylineLead.ReplaceAllString(s, "")
	var names []string
	for _, part := range bylineSplit.Split(s, -1) {
		part = strings.TrimSpace(bylinePlace.ReplaceAllString(strings.TrimSpace(part), ""))
		words := strings.Fields(part)
		if len(words) >= 2 && len(words) <= 4 && isCapitalised(words[0]) && !strings.ContainsAny(part, "0123456789") {
			names = append(names, part)
		}
	}
	return names
}

func isCapitalised(w string) bool {
	for _, r := range w {
		return r >= 'A' && r <= 'Z'
	}
	return false
}

// nodeText is the text of n and its descendants, whitespace collapsed.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// collector walks an article body and gathers its blocks.
type collector struct {
	blocks  []block
	cur     strings.Builder
	curLink int
	inLink  int
}

var blockElements = map[atom.Atom]blockKind{
	atom.P: paragraph, atom.Div: paragraph, atom.Section: paragraph, atom.Blockquote: paragraph,
	atom.Li: listItem, atom.Dd: paragraph, atom.Dt: paragraph, atom.Pre: paragraph,
	atom.H1: heading, atom.H2: heading, atom.H3: heading, atom.H4: heading, atom.H5: heading, atom.H6: heading,
}

func (c *collector) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		// A line break in the source is a space; only <br> breaks a line.
		c.cur.WriteString(strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, n.Data))
		if c.inLink > 0 {
			c.curLink += len(strings.TrimSpace(n.Data))
		}
		return
	case html.ElementNode:
		if skippedElements[n.DataAtom] || boilerplateClass.MatchString(attr(n, "class")) || boilerplateClass.MatchString(attr(n, "id")) {
			return
		}
		if n.DataAtom == atom.Br {
			c.cur.WriteString("\n")
			return
		}
	}
	kind, isBlock := blockElements[n.DataAtom]
	if isBlock {
		c.flush(paragraph)
	}
	if n.DataAtom == atom.A {
		c.inLink++
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.walk(ch)
	}
	if n.DataAtom == atom.A {
		c.inLink--
	}
	if isBlock {
		c.flush(kind)
	}
}

// flush ends the block being gathered, as kind.
func (c *collector) flush(kind blockKind) {
	raw := c.cur.String()
	c.cur.Reset()
	link := c.curLink
	c.curLink = 0
	// A <br> inside a paragraph ends a sentence as surely as a full stop.
	var lines []string
	for _, l := range strings.Split(raw, "\n") {
		if t := strings.Join(strings.Fields(l), " "); t != "" {
			lines = append(lines, t)
		}
	}
	if len(lines) == 0 {
		return
	}
	c.blocks = append(c.blocks, block{kind: kind, text: strings.Join(lines, "\n"), linkText: link})
}

// parseText reads a plain-text article: its first line is the title;
// short lines near the top may give the publisher, the byline and the
// date; blank lines separate paragraphs; a "Notes" or "References"
// heading ends the body.
func parseText(data []byte) document {
	var doc document
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	var paras []string
	for _, p := range blankLines.Split(text, -1) {
		if p = strings.TrimSpace(p); p != "" {
			paras = append(paras, p)
		}
	}
	for i, p := range paras {
		lines := strings.Split(p, "\n")
		oneLine := len(lines) == 1
		switch {
		case i == 0 && doc.meta.title == "":
			doc.meta.title = strings.TrimSpace(lines[0])
			for _, l := range lines[1:] {
				readTextMetaLine(strings.TrimSpace(l), &doc.meta)
			}
			continue
		case oneLine && readTextMetaLine(p, &doc.meta):
			continue
		case oneLine && !endsSentence(p) && len(strings.Fields(p)) <= 8:
			doc.blocks = append(doc.blocks, block{kind: heading, text: p})
			continue
		}
		if first := strings.TrimSpace(lines[0]); len(lines) > 1 && !endsSentence(first) && len(strings.Fields(first)) <= 8 {
			// A heading on the line above its paragraph: "About Volcano
			// Engine", "Media contact:".
			doc.blocks = append(doc.blocks, block{kind: heading, text: strings.TrimSuffix(first, ":")})
			lines = lines[1:]
		}
		var joined []string
		for _, l := range lines {
			joined = append(joined, strings.TrimSpace(l))
		}
		doc.blocks = append(doc.blocks, block{kind: paragraph, text: strings.Join(strings.Fields(strings.Join(joined, " ")), " ")})
	}
	if doc.meta.publisher == "" {
		doc.meta.publisher = copyrightHolder(text)
	}
	return doc
}

var (
	blankLines   = regexp.MustCompile(`\n\s*\n`)
	textDateLine = regexp.MustCompile(`(?i)^(?:published|date|posted|updated)?:?\s*(` + looseDate + `)\s*$`)
	metaDate     = regexp.MustCompile(`(?i)\b(?:` + looseDate + `)\b`)
	textByLine   = regexp.MustCompile(`(?i)^by\s+\S`)
)

// readTextMetaLine takes metadata from one short line near the top of a
// plain-text article, and reports whether the line was metadata.
func readTextMetaLine(l string, m *meta) bool {
	switch {
	case textDateLine.MatchString(l):
		setOnce(&m.published, textDateLine.FindStringSubmatch(l)[1])
		return true
	case m.published == "" && len(l) < 100 && !endsSentence(l) && metaDate.MatchString(l):
		// "Posted on 27 February 2025 by the Mercury Desk".
		setOnce(&m.published, metaDate.FindString(l))
		return true
	case textByLine.MatchString(l) && len(l) < 120:
		m.bylines = append(m.bylines, bylineNames(l)...)
		return true
	case m.publisher == "" && !endsSentence(l) && len(strings.Fields(l)) <= 10 && strings.ContainsAny(l, "—–|"):
		// "Lindqvist Research — Weekly China Tech Note".
		pub, _, _ := strings.Cut(strings.NewReplacer("–", "—", "|", "—").Replace(l), "—")
		m.publisher = strings.TrimSpace(pub)
		return true
	}
	return false
}

func endsSentence(s string) bool {
	s = strings.TrimRight(s, `"'”’)]`)
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, ":")
}
