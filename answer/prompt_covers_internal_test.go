package answer

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// TestPromptSaysWhatTheKnowledgeCovers: the system prompt describes the
// loaded knowledge in its own words, so a base about another company gets
// a model told about that company, never about ByteDance.
func TestPromptSaysWhatTheKnowledgeCovers(t *testing.T) {
	def, err := knowledge.Default()
	if err != nil {
		t.Fatal(err)
	}
	other, err := knowledge.LoadDir(filepath.Join("..", "knowledge", "testdata", "fictional"))
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []*knowledge.Base{def, other} {
		sel := selection{hits: []index.Hit{{Fact: base.Facts[0]}}, answered: true}
		p, err := buildPrompt("what do they plan", index.Result{Base: base}, sel, false)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.system, base.About().Covers) {
			t.Errorf("system prompt for %s lacks %q:\n%s", base.About().Subject, base.About().Covers, p.system)
		}
		if base == other && strings.Contains(p.system, "ByteDance") {
			t.Errorf("the fictional base's system prompt speaks of ByteDance:\n%s", p.system)
		}
	}
}
