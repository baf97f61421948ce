package index

import (
	"sync"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// Term is one word of a text as retrieval analyses it.
type Term struct {
	Term  string // the analysed form: "user" for "users", "bytedanc" for "ByteDance's"
	Word  string // as written
	Start int    // byte offset of Word in the text
	// Concepts are the concepts of every vocabulary phrase covering the
	// word ("spent" → investment), in vocabulary order.
	Concepts []string
	// Entity is set when one of Concepts names a company, product or person.
	Entity bool
	// QuestionWord is set for the vocabulary's question words: words that
	// carry a sentence's form, not its topic ("according", "report", "how").
	QuestionWord bool
}

// Analyser analyses text exactly as the index analyses facts and
// questions — figures blanked out, "US" normalised, the English analyzer,
// the vocabulary's concepts — for code outside the index that must reason
// about the same terms (the answer verifier). It is safe for concurrent use.
type Analyser struct {
	an    *analyzer
	v     *Vocabulary
	qstop map[string]bool
}

// NewAnalyser returns an Analyser using vocabulary v (nil: the default
// vocabulary with the built-in knowledge's names and aliases).
func NewAnalyser(v *Vocabulary) (*Analyser, error) {
	if v == nil {
		var err error
		if v, err = DefaultVocabulary(); err != nil {
			return nil, err
		}
		base, err := knowledge.Default()
		if err != nil {
			return nil, err
		}
		v = v.WithEntities(base.Entities())
	}
	an, err := newAnalyzer()
	if err != nil {
		return nil, err
	}
	return &Analyser{an: an, v: v, qstop: questionStop(an, v.questionWords)}, nil
}

// DefaultAnalyser is the Analyser for the built-in knowledge, built once.
// An index's own is in every Result (Result.Analyser).
func DefaultAnalyser() (*Analyser, error) { return defaultAnalyser() }

var defaultAnalyser = sync.OnceValues(func() (*Analyser, error) { return NewAnalyser(nil) })

// Terms analyses text into its terms, in order, leaving out the figures
// (figure.Parse), which are matched by value, not by word.
func (a *Analyser) Terms(text string) []Term {
	figs := figure.Parse(text)
	// normaliseText may change lengths ("US" → " UnitedStates "); offsets
	// are kept only when it changed nothing.
	plain := withoutFigures(text, figs)
	norm := normaliseText(plain)
	toks := a.an.a.Analyze([]byte(norm))
	terms := make([]string, len(toks))
	for i, t := range toks {
		terms[i] = string(t.Term)
	}
	concepts := a.v.tokenConcepts(terms)
	out := make([]Term, len(toks))
	for i, t := range toks {
		out[i] = Term{Term: terms[i], Concepts: concepts[i], QuestionWord: a.qstop[terms[i]]}
		if norm == plain && t.End <= len(text) {
			out[i].Word, out[i].Start = text[t.Start:t.End], t.Start
		} else {
			out[i].Word, out[i].Start = norm[t.Start:t.End], -1
		}
		for _, c := range out[i].Concepts {
			if a.v.IsEntity(c) {
				out[i].Entity = true
			}
		}
	}
	return out
}

// tokenConcepts gives, for each token, the concepts of every phrase that
// covers it.
func (v *Vocabulary) tokenConcepts(tokens []string) [][]string {
	out := make([][]string, len(tokens))
	for i := range tokens {
		for _, p := range v.byFirst[tokens[i]] {
			if !hasPrefix(tokens[i:], p.tokens) {
				continue
			}
			for j := i; j < i+len(p.tokens); j++ {
				if !contains(out[j], p.concept) {
					out[j] = append(out[j], p.concept)
				}
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
