package commands

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Discord's limits on what one message may carry, in characters (Unicode
// code points, as Discord counts them).
const (
	MaxContent          = 2000
	MaxEmbedTitle       = 256
	MaxEmbedDescription = 4096
	MaxEmbedFields      = 25
	MaxFieldName        = 256
	MaxFieldValue       = 1024
	MaxFooterText       = 2048
	MaxEmbedsTotal      = 6000 // across all the embeds of one message
	MaxEmbeds           = 10   // per message
	MaxFiles            = 10   // attachments per message
	MaxActionRows       = 5    // component rows per message
)

// runes counts characters the way Discord does.
func runes(s string) int { return utf8.RuneCountInString(s) }

// Truncate shortens s to at most max characters, ending it with "…" when
// anything was cut.
func Truncate(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if runes(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:max-1]), " \n") + "…"
}

// SplitText cuts s into pieces of at most max characters, preferring to cut
// between paragraphs, then lines, then sentences, then words, and only as a
// last resort inside a word. Pieces are trimmed of surrounding white space;
// none is empty. Joining the pieces with white space gives back s's words in
// order.
func SplitText(s string, max int) []string {
	s = strings.TrimSpace(s)
	if s == "" || max <= 0 {
		return nil
	}
	var out []string
	for runes(s) > max {
		cut := cutPoint([]rune(s)[:max+1])
		head := strings.TrimSpace(string([]rune(s)[:cut]))
		s = strings.TrimSpace(string([]rune(s)[cut:]))
		if head != "" {
			out = append(out, head)
		}
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// cutPoint returns where to cut window (max+1 characters, so that a break
// right after the max-th character is seen), as a rune offset in 1..max: the
// end of the last paragraph, line, sentence or word that fits. Breaks in the
// first quarter are ignored so that pieces do not get absurdly short.
func cutPoint(window []rune) int {
	limit := len(window) - 1
	minCut := limit / 4
	text := string(window)
	for _, sep := range []string{"\n\n", "\n", ". ", "? ", "! ", "。", "！", "？", "; ", " "} {
		keep := 0 // characters of sep that stay with the head: the punctuation
		if sep[0] != ' ' && sep[0] != '\n' {
			keep = 1
		}
		for i := strings.LastIndex(text, sep); i >= 0; i = strings.LastIndex(text[:i], sep) {
			end := utf8.RuneCountInString(text[:i]) + keep
			if end <= minCut {
				break
			}
			if end <= limit {
				return end
			}
		}
	}
	return limit
}

// mentionMarkup is how Discord writes mentions in text: users (<@id>,
// <@!id>), roles (<@&id>), channels (<#id>), @everyone and @here.
var mentionMarkup = regexp.MustCompile(`<@[!&]?\d+>|<#\d+>|(?:^|\s)@(?:everyone|here)\b`)

// WithoutMentions removes mention markup from a question: it addresses
// people, says nothing about ByteDance, and would only confuse the search.
func WithoutMentions(s string) string {
	return strings.Join(strings.Fields(mentionMarkup.ReplaceAllString(s, " ")), " ")
}
