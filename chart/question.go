package chart

import "regexp"

// comparison recognises a question that asks to compare: "compare …",
// "… vs …", "… versus …", "how does … stack up".
var comparison = regexp.MustCompile(`(?i)\b(compar(e|es|ed|ing|ison)|vs\.?|versus|stacks?\s+up|stacking\s+up)\b`)

// IsComparison reports whether a question asks to compare figures; such
// answers get their chart attached directly.
func IsComparison(question string) bool { return comparison.MatchString(question) }
