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
	tokens   map[string]bool // every token of every phrase
	concepts []string
}

// knows reports whether a term is part of some concept phrase.
func (v *Vocabulary) knows(term string) bool { return v.tokens[term] }

type phrase struct {
	tokens  []string
	concept string
}

// ParseVocabulary reads a vocabulary in the YAML form of vocabulary.yaml.
// Phrases are analysed with the index's analyzer; a phrase that analyses to
// nothing (only stop words) is an error, since it could never match.
func ParseVocabulary(data []byte) (*Vocabulary, error) {
	var doc struct {
		Concepts map[string][]string `yaml:"concepts"`
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
	v := &Vocabulary{byFirst: map[string][]phrase{}, tokens: map[string]bool{}}
	var problems []string
	for concept, phrases := range doc.Concepts {
		v.concepts = append(v.concepts, concept)
		for _, p := range phrases {
			toks := an.terms(p)
			if len(toks) == 0 {
				problems = append(problems, fmt.Sprintf("concept %s: phrase %q is only stop words", concept, p))
				continue
			}
			for _, t := range toks {
				v.tokens[t] = true
			}
			v.byFirst[toks[0]] = append(v.byFirst[toks[0]], phrase{tokens: toks, concept: concept})
		}
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

// match tags a token stream with concepts. It returns the concepts found (in
// order of first appearance, each once) and, for each token, whether it was
// consumed by a concept phrase.
func (v *Vocabulary) match(tokens []string) (concepts []string, consumed []bool) {
	consumed = make([]bool, len(tokens))
	seen := map[string]bool{}
	for i := 0; i < len(tokens); {
		n := 0
		for _, p := range v.byFirst[tokens[i]] {
			if hasPrefix(tokens[i:], p.tokens) {
				n = len(p.tokens)
				if !seen[p.concept] {
					seen[p.concept] = true
					concepts = append(concepts, p.concept)
				}
				break
			}
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
