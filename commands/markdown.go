package commands

import (
	"regexp"
	"strings"
)

// rawURL is a link Discord shows as its own address. It is copied as is:
// a backslash inside it would break it, and it disguises nothing.
var rawURL = regexp.MustCompile(`https?://[^\s<>]+`)

// EscapeMarkdown makes text that bytewatch did not write — a question
// echoed back, an LLM's answer, a knowledge statement — show in Discord as
// the characters it is: no bold, italics, underline, strike-through,
// spoilers, inline code or code blocks, headings, subtext, block quotes or
// lists, and above all no masked links ("[text](https://…)"), which would
// show the reader words of the writer's choosing over an address they
// cannot see. Discord hides the backslashes this adds, so plain prose
// looks the same; citation markers such as "[1]" are left as they are, and
// a masked link shows as its text followed by its real address.
//
// Mentions are not touched: allowed_mentions makes them ping nobody.
func EscapeMarkdown(s string) string {
	urls := rawURL.FindAllStringIndex(s, -1)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true
	var prev byte
	for i := 0; i < len(s); i++ {
		for len(urls) > 0 && urls[0][1] <= i {
			urls = urls[1:]
		}
		inURL := len(urls) > 0 && urls[0][0] <= i
		c := s[i]
		switch {
		case c == '(' && prev == ']':
			// "](" is what makes a masked link, even inside an address
			// ("[https://bytedance.com](https://evil.example)"); "]\(" is text.
			b.WriteByte('\\')
		case inURL:
			// A backslash would break the address, which disguises nothing.
		case c == '\\' || c == '*' || c == '_' || c == '~' || c == '|' || c == '`':
			b.WriteByte('\\')
		case lineStart && (c == '#' || c == '>' || c == '-' || c == '+'):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
		switch {
		case c == '\n':
			lineStart = true
		case c != ' ' && c != '\t':
			lineStart = false
		}
		prev = c
	}
	return b.String()
}
