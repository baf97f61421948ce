package ingest

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviations end with a full stop that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "jr": true, "sr": true,
	"inc": true, "ltd": true, "co": true, "corp": true, "plc": true, "vs": true, "etc": true, "no": true,
	"e.g": true, "i.e": true, "u.s": true, "u.k": true, "jan": true, "feb": true, "mar": true, "apr": true,
	"jun": true, "jul": true, "aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"approx": true, "est": true, "fig": true, "gov": true, "gen": true, "sen": true, "rep": true,
}

// footnoteMarker is a reference to a note: "[3]", "[1, 2]", "[a]".
var footnoteMarker = regexp.MustCompile(`\s*\[(?:\d{1,3}(?:\s*[,–-]\s*\d{1,3})*|[a-z])\]`)

// splitSentences splits a paragraph into sentences. A line break always
// ends one; a full stop, question or exclamation mark ends one when a
// capital, a digit or an opening quote follows — not after an
// abbreviation or an initial, nor inside a number. Footnote markers after
// the stop go with the sentence they follow.
func splitSentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		out = append(out, splitLine(line)...)
	}
	return out
}

func splitLine(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != '.' && r != '!' && r != '?' {
			i += size
			continue
		}
		end := i + size
		// closing quotes and brackets, then footnote markers
		for end < len(s) {
			r2, sz := utf8.DecodeRuneInString(s[end:])
			if strings.ContainsRune(`"'”’)`, r2) {
				end += sz
				continue
			}
			break
		}
		if loc := footnoteMarker.FindStringIndex(s[end:]); loc != nil && loc[0] == 0 {
			end += loc[1]
		}
		if r == '.' && !stopEnds(s, i) {
			i = end
			continue
		}
		rest := strings.TrimLeft(s[end:], " \t")
		if rest != "" && len(rest) == len(s[end:]) {
			i = end // no space after: "3.5", "U.S.A"
			continue
		}
		if rest != "" {
			first, _ := utf8.DecodeRuneInString(rest)
			if !unicode.IsUpper(first) && !unicode.IsDigit(first) && !strings.ContainsRune(`"'“‘([`, first) {
				i = end
				continue
			}
		}
		if t := strings.TrimSpace(s[start:end]); t != "" {
			out = append(out, t)
		}
		start = end
		i = end
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

// stopEnds reports whether the full stop at i can end a sentence: not one
// after an abbreviation or a single capital (an initial, "U.S.").
func stopEnds(s string, i int) bool {
	j := i
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		j -= size
	}
	word := strings.ToLower(s[j:i])
	if abbreviations[word] {
		return false
	}
	if utf8.RuneCountInString(word) == 1 && word != "" {
		r, _ := utf8.DecodeRuneInString(s[j:i])
		return !unicode.IsUpper(r)
	}
	return true
}
