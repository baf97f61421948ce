package index

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed vocabulary.yaml
var defaultVocabularyYAML []byte

// Vocabulary maps the phrases people use to the concepts facts are tagged
// with. It is immutable once built.
type Vocabulary struct {
	// byFirst indexes phrases by their first analysed token; each list is
	// sorted longest phrase first so that matching is greedy.
	byFirst  map[string][]phrase
	words    []string // every word of every phrase, unanalysed, for spelling
	concepts []string
	entities map[string]bool // concepts that name a company, product or person
	// questionWords carry the form of a question, not its topic.
	questionWords []string
}

// QuestionWords lists the words that carry a question's form, not its
// topic.
func (v *Vocabulary) QuestionWords() []string { return v.questionWords }

// IsEntity reports whether a concept names a company, product or person.
func (v *Vocabulary) IsEntity(concept string) bool { return v.entities[concept] }

type phrase struct {
	tokens  []string
	concept string
}

// ParseVocabulary reads a vocabulary in the YAML form of vocabulary.yaml.
// Phrases are analysed with the index's analyzer; a phrase that analyses to
// nothing (only stop words) is an error, since it could never match.
func ParseVocabulary(data []byte) (*Vocabulary, error) {
	var doc struct {
		QuestionWords [][]string          `yaml:"question_words"`
		Entities      []string            `yaml:"entities"`
		Concepts      map[string][]string `yaml:"concepts"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("vocabulary: %w", err)
	}
	if len(doc.Concepts) == 0 {
		return nil, fmt.Errorf("vocabulary: no concepts")
	}
	an, err := newAnalyzer()
	if err != nil {
		return nil, err
	}
	v := &Vocabulary{byFirst: map[string][]phrase{}}
	var problems []string
	// Concepts in name order, so that phrases of equal length claim a
	// question's words the same way every time.
	names := make([]string, 0, len(doc.Concepts))
	for c := range doc.Concepts {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, concept := range names {
		phrases := doc.Concepts[concept]
		v.concepts = append(v.concepts, concept)
		for _, p := range phrases {
			words(p, func(w string, _, _ int, _ bool) { v.words = append(v.words, w) })
			toks := an.terms(normaliseText(p))
			if len(toks) == 0 {
				problems = append(problems, fmt.Sprintf("concept %s: phrase %q is only stop words", concept, p))
				continue
			}
			v.byFirst[toks[0]] = append(v.byFirst[toks[0]], phrase{tokens: toks, concept: concept})
		}
	}
	for _, group := range doc.QuestionWords {
		v.questionWords = append(v.questionWords, group...)
	}
	v.entities = map[string]bool{}
	for _, e := range doc.Entities {
		if _, ok := doc.Concepts[e]; !ok {
			problems = append(problems, fmt.Sprintf("entity %s is not a concept", e))
		}
		v.entities[e] = true
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("vocabulary: %s", strings.Join(problems, "; "))
	}
	for k, ps := range v.byFirst {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].tokens) > len(ps[j].tokens) })
		v.byFirst[k] = ps
	}
	sort.Strings(v.concepts)
	return v, nil
}

// DefaultVocabulary is the embedded vocabulary.yaml.
func DefaultVocabulary() (*Vocabulary, error) { return ParseVocabulary(defaultVocabularyYAML) }

// Concepts lists the concept names, sorted.
func (v *Vocabulary) Concepts() []string { return v.concepts }

// match tags a question's token stream with concepts, greedily: at each
// position the longest phrase wins and claims its tokens, so "TikTok's
// parent" is ByteDance and not TikTok. It returns the concepts found (in
// order of first appearance, each once) and, for each token, whether a
// concept phrase consumed it.
func (v *Vocabulary) match(tokens []string) (concepts []string, consumed []bool) {
	return v.scan(tokens, false)
}

// matchAll tags a fact: every phrase that matches counts, also inside a
// longer one, so that a fact saying "largest buyer" is tagged both as a
// customer and as the largest — whichever the question asks about.
func (v *Vocabulary) matchAll(tokens []string) []string {
	cs, _ := v.scan(tokens, true)
	return cs
}

func (v *Vocabulary) scan(tokens []string, all bool) (concepts []string, consumed []bool) {
	consumed = make([]bool, len(tokens))
	seen := map[string]bool{}
	tag := func(c string) {
		if !seen[c] {
			seen[c] = true
			concepts = append(concepts, c)
		}
	}
	for i := 0; i < len(tokens); {
		n := 0
		for _, p := range v.byFirst[tokens[i]] {
			if !hasPrefix(tokens[i:], p.tokens) {
				continue
			}
			if n == 0 {
				n = len(p.tokens)
				tag(p.concept)
				if !all {
					break
				}
				continue
			}
			tag(p.concept)
		}
		if all {
			// Phrases starting inside a longer match are found when the
			// loop reaches their first token.
			if n > 0 {
				for j := i; j < i+n; j++ {
					consumed[j] = true
				}
			}
			i++
			continue
		}
		if n == 0 {
			i++
			continue
		}
		for j := i; j < i+n; j++ {
			consumed[j] = true
		}
		i += n
	}
	return concepts, consumed
}

func hasPrefix(tokens, p []string) bool {
	if len(p) > len(tokens) {
		return false
	}
	for i := range p {
		if tokens[i] != p[i] {
			return false
		}
	}
	return true
}
