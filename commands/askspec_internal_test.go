package commands

import (
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/knowledge"
)

// TestAskSpecSpeaksForTheKnowledge: /ask is described in the knowledge's
// own words, within Discord's length limits, and says nothing of a
// company when the knowledge names none.
func TestAskSpecSpeaksForTheKnowledge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		about            knowledge.About
		desc, optionDesc string
	}{
		{knowledge.About{Subject: "Sorabit", MainQuestion: "How much is Sorabit investing in AI?"},
			"Ask about Sorabit; the answer cites its sources", "e.g. How much is Sorabit investing in AI?"},
		{knowledge.About{}, "Ask a question; the answer cites its sources", "Your question"},
		{knowledge.About{Subject: strings.Repeat("x", 200), MainQuestion: strings.Repeat("y", 200)}, "", ""},
	}
	for _, tt := range tests {
		spec := askSpec(tt.about)
		opt := spec.Options[0].Description
		if len([]rune(spec.Description)) > maxDescription || len([]rune(opt)) > maxDescription {
			t.Errorf("%+v: descriptions too long for Discord: %d, %d", tt.about, len(spec.Description), len(opt))
		}
		if tt.desc != "" && (spec.Description != tt.desc || opt != tt.optionDesc) {
			t.Errorf("%+v: description %q, option %q; want %q, %q", tt.about, spec.Description, opt, tt.desc, tt.optionDesc)
		}
		if strings.Contains(spec.Description+opt, "ByteDance") {
			t.Errorf("%+v: %q mentions ByteDance", tt.about, spec.Description+opt)
		}
	}
}
