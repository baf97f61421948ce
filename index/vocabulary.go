package index

import (
	_ "embed"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/knowledge"

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
	// abbreviations are chat abbreviations and what they stand for.
	abbreviations []abbreviation
	// scripts rewrites names written in a script the analyzer splits
	// letter by letter ("豆包") to the name they stand for.
	scripts []abbreviation
	// sourceQuestions matches the phrases that ask about the sources
	// themselves; nil when there are none.
	sourceQuestions *regexp.Regexp
	// contrasts maps a concept to the concepts that exclude it: a fact
	// about spending outside China does not answer a question about
	// spending inside it.
	contrasts map[string][]string
	// implies maps a concept to the broader ones a fact tagged with it is
	// also about: the most popular app is the top app.
	implies map[string][]string
	// places are the concepts that name a place: what a question asking
	// "where" needs a fact to speak of.
	places map[string]bool
	an     *analyzer
}

// abbreviation is a pattern for a short form and what replaces it.
type abbreviation struct {
	re    *regexp.Regexp
	short string // lower case, to skip the pattern cheaply
	long  string
}

// QuestionWords lists the words that carry a question's form, not its
// topic.
func (v *Vocabulary) QuestionWords() []string { return v.questionWords }

// Contrasts lists the concepts that exclude concept: a fact about one of
// them does not answer a question about concept alone.
func (v *Vocabulary) Contrasts(concept string) []string { return v.contrasts[concept] }

// IsPlace reports whether a concept names a place (China, the US, Asia …).
func (v *Vocabulary) IsPlace(concept string) bool { return v.places[concept] }

// IsEntity reports whether a concept names a company, product or person.
func (v *Vocabulary) IsEntity(concept string) bool { return v.entities[concept] }

type phrase struct {
	tokens  []string
	concept string
}

// vocabularyFile is vocabulary.yaml as written.
type vocabularyFile struct {
	QuestionWords   [][]string          `yaml:"question_words"`
	Abbreviations   map[string]string   `yaml:"abbreviations"`
	Names           []string            `yaml:"names"`
	SourceQuestions []string            `yaml:"source_questions"`
	Concepts        map[string][]string `yaml:"concepts"`
	Contrasts       [][]string          `yaml:"contrasts"`
	Implies         map[string][]string `yaml:"implies"`
	Places          []string            `yaml:"places"`
}

func decodeVocabulary(data []byte) (vocabularyFile, error) {
	var doc vocabularyFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return doc, fmt.Errorf("vocabulary: %w", err)
	}
	return doc, nil
}

// phrases is every phrase the vocabulary matches or writes out.
func (f vocabularyFile) phrases() []string {
	var out []string
	for _, ps := range f.Concepts {
		out = append(out, ps...)
	}
	out = append(out, f.SourceQuestions...)
	for _, long := range f.Abbreviations {
		out = append(out, long)
	}
	return out
}

// ParseVocabulary reads a vocabulary in the YAML form of vocabulary.yaml.
// Phrases are analysed with the index's analyzer; a phrase that analyses to
// nothing (only stop words) is an error, since it could never match, and
// so is one of several words that analyses to one the concept does not
// already have, since it would match far more than it says.
func ParseVocabulary(data []byte) (*Vocabulary, error) {
	doc, err := decodeVocabulary(data)
	if err != nil {
		return nil, err
	}
	if len(doc.Concepts) == 0 {
		return nil, fmt.Errorf("vocabulary: no concepts")
	}
	an, err := newAnalyzer()
	if err != nil {
		return nil, err
	}
	v := &Vocabulary{byFirst: map[string][]phrase{}, entities: map[string]bool{}, an: an}
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
		// The words the concept's one-word phrases analyse to: a longer
		// phrase that leaves only one of them loses nothing.
		single := map[string]bool{}
		for _, p := range phrases {
			if toks := an.terms(normaliseText(p)); len(toks) == 1 && len(strings.Fields(p)) == 1 {
				single[toks[0]] = true
			}
		}
		for _, p := range phrases {
			n := 0
			words(p, func(w string, _, _ int, _ bool) { v.words = append(v.words, w); n++ })
			toks := an.terms(normaliseText(p))
			if len(toks) == 0 {
				problems = append(problems, fmt.Sprintf("concept %s: phrase %q is only stop words", concept, p))
				continue
			}
			if n > 1 && len(toks) == 1 && !single[toks[0]] && !isCJK(p) {
				// "other markets" would tag every "market": its other
				// word is a stop word.
				problems = append(problems, fmt.Sprintf("concept %s: phrase %q analyses to the one word %q (the rest are stop words), so it would match every %q", concept, p, toks[0], toks[0]))
				continue
			}
			v.byFirst[toks[0]] = append(v.byFirst[toks[0]], phrase{tokens: toks, concept: concept})
		}
	}
	for _, group := range doc.QuestionWords {
		v.questionWords = append(v.questionWords, group...)
	}
	v.places = map[string]bool{}
	for _, c := range doc.Places {
		if _, ok := doc.Concepts[c]; !ok {
			problems = append(problems, fmt.Sprintf("place %s is no concept", c))
		}
		v.places[c] = true
	}
	v.implies = map[string][]string{}
	for c, broader := range doc.Implies {
		for _, b := range append([]string{c}, broader...) {
			if _, ok := doc.Concepts[b]; !ok {
				problems = append(problems, fmt.Sprintf("implies %s: %s is no concept", c, b))
			}
		}
		v.implies[c] = broader
	}
	v.contrasts = map[string][]string{}
	for _, group := range doc.Contrasts {
		if len(group) < 2 {
			problems = append(problems, fmt.Sprintf("contrast %v: a contrast needs two concepts or more", group))
			continue
		}
		for _, c := range group {
			if _, ok := doc.Concepts[c]; !ok {
				problems = append(problems, fmt.Sprintf("contrast %v: %s is no concept", group, c))
				continue
			}
			for _, other := range group {
				if other != c && !slices.Contains(v.contrasts[c], other) {
					v.contrasts[c] = append(v.contrasts[c], other)
				}
			}
		}
	}
	for _, n := range doc.Names {
		if _, ok := doc.Concepts[n]; ok {
			problems = append(problems, fmt.Sprintf("name %s is also a concept", n))
			continue
		}
		v.addEntity(n, []string{n})
	}
	keys := make([]string, 0, len(doc.Abbreviations))
	for k := range doc.Abbreviations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Longest first, so that "多少个" (how many) is read before "多少"
	// (how much).
	sort.SliceStable(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		if v.matchedAsText(k) {
			// A script written without spaces ("今年总投资多少") has no
			// word boundaries to find the short form by.
			v.scripts = append(v.scripts, abbreviation{short: k, long: " " + doc.Abbreviations[k] + " "})
			continue
		}
		v.abbreviations = append(v.abbreviations, abbreviation{re: wordPattern(k), short: strings.ToLower(k), long: doc.Abbreviations[k]})
	}
	if len(doc.SourceQuestions) > 0 {
		var quoted, cjk []string
		for _, q := range doc.SourceQuestions {
			re := strings.ReplaceAll(regexp.QuoteMeta(strings.ToLower(q)), " ", `\s+`)
			if isCJK(q) {
				// Chinese and Japanese put no spaces between words.
				cjk = append(cjk, re)
			} else {
				quoted = append(quoted, re)
			}
		}
		pattern := `(^|[^\p{L}\p{N}])(` + strings.Join(quoted, "|") + `)($|[^\p{L}\p{N}])`
		if len(cjk) > 0 {
			pattern += `|` + strings.Join(cjk, "|")
		}
		v.sourceQuestions = regexp.MustCompile(`(?i)` + pattern)
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

// wordPattern matches s as a whole word, in any case.
func wordPattern(s string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}#])(` + regexp.QuoteMeta(s) + `)($|[^\p{L}\p{N}])`)
}

// addEntity makes a concept of a name and the phrases that say it.
func (v *Vocabulary) addEntity(key string, phrases []string) {
	if !v.entities[key] {
		v.entities[key] = true
		v.concepts = append(v.concepts, key)
	}
	for _, p := range phrases {
		words(p, func(w string, _, _ int, _ bool) { v.words = append(v.words, w) })
		toks := v.an.terms(normaliseText(p))
		if len(toks) == 0 {
			continue
		}
		v.byFirst[toks[0]] = append(v.byFirst[toks[0]], phrase{tokens: toks, concept: key})
	}
}

// EntityKey is the concept a knowledge entity's name becomes: "Donald
// Trump" is donald_trump.
func EntityKey(name string) string {
	var b strings.Builder
	words(name, func(w string, _, _ int, _ bool) {
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(w)
	})
	return b.String()
}

// splitLetter reports whether a term is one letter the analyzer split off
// a word: it analyses Chinese characters and hiragana one by one.
func splitLetter(term string) bool {
	r, n := utf8.DecodeRuneInString(term)
	return n == len(term) && unicode.In(r, unicode.Han, unicode.Hiragana)
}

// foreignScript reports whether a term is written in letters other than
// Latin ones, digits and the scripts split letter by letter.
func foreignScript(term string) bool {
	letters := false
	for _, r := range term {
		switch {
		case !unicode.IsLetter(r) || unicode.In(r, unicode.Han, unicode.Hiragana):
			continue
		case unicode.In(r, unicode.Latin):
			return false
		}
		letters = true
	}
	return letters
}

// matchedAsText reports whether a name cannot be matched as an analysed
// phrase — the analyzer splits it letter by letter ("豆包") or drops it
// (Thai) — and is rewritten in a question's text instead.
func (v *Vocabulary) matchedAsText(name string) bool {
	toks := v.an.terms(normaliseText(name))
	return len(toks) == 0 || slices.ContainsFunc(toks, splitLetter)
}

// WithEntities is the vocabulary plus the knowledge's own entities, each a
// concept named by EntityKey and said by its name and aliases. Aliases in
// scripts the analyzer splits letter by letter are rewritten to the name
// in the question's text instead. The receiver is not changed.
func (v *Vocabulary) WithEntities(entities []knowledge.Entity) *Vocabulary {
	w := *v
	w.byFirst = make(map[string][]phrase, len(v.byFirst)+len(entities))
	for k, ps := range v.byFirst {
		w.byFirst[k] = slices.Clone(ps)
	}
	w.entities = maps.Clone(v.entities)
	w.concepts = slices.Clone(v.concepts)
	w.words = slices.Clone(v.words)
	w.scripts = slices.Clone(v.scripts)
	for _, e := range entities {
		phrases := []string{e.Name}
		for _, a := range e.Aliases {
			if w.matchedAsText(a) {
				w.scripts = append(w.scripts, abbreviation{short: a, long: " " + e.Name + " "})
				continue
			}
			phrases = append(phrases, a)
		}
		w.addEntity(EntityKey(e.Name), phrases)
	}
	// Longer aliases first, so 字节跳动 is rewritten before any shorter
	// alias inside it.
	sort.SliceStable(w.scripts, func(i, j int) bool { return len(w.scripts[i].short) > len(w.scripts[j].short) })
	// At equal length a name wins over a general concept: "Financial
	// Times" in a question is the newspaper, not just any media.
	for k, ps := range w.byFirst {
		sort.SliceStable(ps, func(i, j int) bool {
			if len(ps[i].tokens) != len(ps[j].tokens) {
				return len(ps[i].tokens) > len(ps[j].tokens)
			}
			return w.entities[ps[i].concept] && !w.entities[ps[j].concept]
		})
		w.byFirst[k] = ps
	}
	sort.Strings(w.concepts)
	return &w
}

// expand writes out a question's chat abbreviations and rewrites names in
// other scripts to the names the facts use.
func (v *Vocabulary) expand(q string) string {
	for _, s := range v.scripts {
		q = strings.ReplaceAll(q, s.short, s.long)
	}
	lower := strings.ToLower(q)
	for _, a := range v.abbreviations {
		if strings.Contains(lower, a.short) {
			q = a.re.ReplaceAllString(q, "${1}"+a.long+"${3}")
		}
	}
	return q
}

// asksAboutSources reports whether a question holds a phrase that asks
// about the sources themselves.
func (v *Vocabulary) asksAboutSources(q string) bool {
	return v.sourceQuestions != nil && v.sourceQuestions.MatchString(q)
}

// DefaultVocabulary is the embedded vocabulary.yaml.
func DefaultVocabulary() (*Vocabulary, error) { return ParseVocabulary(defaultVocabularyYAML) }

// Concepts lists the concept names, sorted.
func (v *Vocabulary) Concepts() []string { return v.concepts }

// conceptSpan is where a question's tokens say a concept: tokens[start:end].
type conceptSpan struct {
	concept    string
	start, end int
}

// match tags a question's token stream with concepts, greedily: at each
// position the longest phrase wins and claims its tokens, so "TikTok's
// parent" is ByteDance and not TikTok. It returns the concepts found (in
// order of first appearance, each once), for each token the concept that
// claimed it ("" for none), and where each concept was said.
func (v *Vocabulary) match(tokens []string) (concepts, claimedBy []string, spans []conceptSpan) {
	claimedBy = make([]string, len(tokens))
	for i := 0; i < len(tokens); {
		n := 0
		for _, p := range v.byFirst[tokens[i]] {
			if hasPrefix(tokens[i:], p.tokens) {
				n = len(p.tokens)
				spans = append(spans, conceptSpan{p.concept, i, i + n})
				if !slices.Contains(concepts, p.concept) {
					concepts = append(concepts, p.concept)
				}
				for j := i; j < i+n; j++ {
					claimedBy[j] = p.concept
				}
				break
			}
		}
		i += max(n, 1)
	}
	return concepts, claimedBy, spans
}

// IsComparison reports whether a concept of the default vocabulary sets one
// company against another: "compare", "vs", and "rivals", "ahead of".
func IsComparison(concept string) bool {
	return concept == ComparisonConcept || concept == "competitors"
}

// ComparisonConcept is the default vocabulary's concept of comparing as
// such ("compare", "vs"), without the rivals of "competitors".
const ComparisonConcept = "comparison"

// matchAll tags a fact: every phrase that matches counts, also inside a
// longer one, so that a fact saying "largest buyer" is tagged both as a
// customer and as the largest — whichever the question asks about.
func (v *Vocabulary) matchAll(tokens []string) []string {
	cs := v.scan(tokens)
	for _, c := range cs {
		for _, b := range v.implies[c] {
			if !slices.Contains(cs, b) {
				cs = append(cs, b)
			}
		}
	}
	return cs
}

// scan finds every phrase of tokens, also inside a longer one, unless the
// longest phrase over its first token excludes its concept: "China" of
// "outside China" does not tag the fact (see contrasts).
func (v *Vocabulary) scan(tokens []string) (concepts []string) {
	// owner is the concept of the longest phrase over each token.
	owner := make([]string, len(tokens))
	for i := range tokens {
		longest := true // phrases are sorted longest first
		for _, p := range v.byFirst[tokens[i]] {
			if !hasPrefix(tokens[i:], p.tokens) {
				continue
			}
			if longest && owner[i] == "" {
				for j := i; j < i+len(p.tokens); j++ {
					if owner[j] == "" {
						owner[j] = p.concept
					}
				}
			}
			longest = false
			if !slices.Contains(v.contrasts[owner[i]], p.concept) && !slices.Contains(concepts, p.concept) {
				concepts = append(concepts, p.concept)
			}
		}
	}
	return concepts
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

// isCJK reports whether s is written in Chinese, Japanese or Korean
// script, where the analyzer splits words into letters and pairs.
func isCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}
