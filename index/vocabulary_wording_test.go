package index

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestVocabularyHoldsNoQuestionWording: the vocabulary holds the domain's
// terms, never a question's phrasing. No phrase of four words or more in
// vocabulary.yaml may appear in any question written for the evaluation,
// and no whole question may be a phrase, so that answering people's
// questions better can only come from mechanisms and domain terms.
func TestVocabularyHoldsNoQuestionWording(t *testing.T) {
	doc, err := decodeVocabulary(defaultVocabularyYAML)
	if err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string {
		return " " + strings.Join(strings.Fields(nonWord.ReplaceAllString(strings.ToLower(s), " ")), " ") + " "
	}
	phrases := doc.phrases()
	var files []string
	for _, pattern := range []string{"*.yaml", "people/*.yaml", "fictional/*.yaml"} {
		more, _ := filepath.Glob(filepath.Join("..", "answer", "testdata", pattern))
		files = append(files, more...)
	}
	if len(files) < 4 {
		t.Fatalf("found %d question files, want the evaluation sets", len(files))
	}
	var questions []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var qs struct {
			Questions []struct {
				Q string `yaml:"q"`
			} `yaml:"questions"`
		}
		if err := yaml.Unmarshal(raw, &qs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, q := range qs.Questions {
			questions = append(questions, norm(q.Q))
		}
	}
	for _, p := range phrases {
		np := norm(p)
		n := len(strings.Fields(np))
		for _, q := range questions {
			if q == np || (n >= 4 && strings.Contains(q, np)) {
				t.Errorf("vocabulary phrase %q is wording from the question %q", p, strings.TrimSpace(q))
			}
		}
	}
}

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}]+`)
