package commands

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain prose is unchanged", "ByteDance plans to invest more than $10 billion in 2025 [1][2].", "ByteDance plans to invest more than $10 billion in 2025 [1][2]."},
		{"a masked link shows its address", "Read [the report](https://evil.example/x) [1].", `Read [the report]\(https://evil.example/x) [1].`},
		{"a citation marker as a masked link", "ByteDance owns TikTok [1](https://evil.example).", `ByteDance owns TikTok [1]\(https://evil.example).`},
		{"a masked link whose text is an address", "[https://bytedance.com](https://evil.example)", `[https://bytedance.com]\(https://evil.example)`},
		{"a masked link with an angle-bracket address", "[docs](<https://evil.example>)", `[docs]\(<https://evil.example>)`},
		{"bold, italics, strike-through, spoiler, code", "**buy** *now* __u__ ~~x~~ ||hidden|| `code`", `\*\*buy\*\* \*now\* \_\_u\_\_ \~\~x\~\~ \|\|hidden\|\| \` + "`code\\`"},
		{"a code block", "```\nrm -rf\n```", "\\`\\`\\`\nrm -rf\n\\`\\`\\`"},
		{"a heading", "# BUY NOW", `\# BUY NOW`},
		{"a heading after a line break", "Fine [1].\n## Buy", "Fine [1].\n\\## Buy"},
		{"subtext, quote and list at line starts", "-# small\n> quoted\n - item\n+ item", "\\-# small\n\\> quoted\n \\- item\n\\+ item"},
		{"marks inside a line are text", "a - b > c # d", "a - b > c # d"},
		{"a backslash cannot undo an escape", `\*bold\*`, `\\\*bold\\\*`},
		{"a raw address keeps its underscores", "See https://example.com/a_b*c and _x_", `See https://example.com/a_b*c and \_x\_`},
		{"mentions are left to allowed_mentions", "@everyone <@123> <@&456>", "@everyone <@123> <@&456>"},
		{"not a link: a space between", "[a] (https://x.example)", "[a] (https://x.example)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EscapeMarkdown(tt.in); got != tt.want {
				t.Errorf("EscapeMarkdown(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// discordEscape is a backslash Discord hides: one before any ASCII
// punctuation.
var discordEscape = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])`)

// FuzzEscapeMarkdown: the escaped text reads as the original once Discord
// drops its backslashes, and no masked link survives.
func FuzzEscapeMarkdown(f *testing.F) {
	f.Add("Read [the report](https://evil.example/x) [1].")
	f.Add("[https://a.example](https://b.example) **x** \\*")
	f.Add("# h\n> q\n- l\n```\ncode\n```")
	f.Add(`see https://x.example/a\\*b_c]( and \\`)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		got := EscapeMarkdown(s)
		if strings.Contains(got, "](") {
			t.Fatalf("EscapeMarkdown(%q) = %q keeps a masked link", s, got)
		}
		if strings.Contains(s, "http") {
			return // addresses are copied as they are, backslashes and all
		}
		if back := discordEscape.ReplaceAllString(got, "$1"); back != s {
			t.Fatalf("EscapeMarkdown(%q) = %q reads as %q", s, got, back)
		}
	})
}
