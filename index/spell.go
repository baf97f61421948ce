package index

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/bytewatch/bytewatch/internal/editdist"
	"github.com/bytewatch/bytewatch/internal/wordfreq"

	"github.com/bytewatch/bytewatch/knowledge"
)

// speller corrects misspelt words in questions against the words the facts
// and the vocabulary use, before stemming — "Bytedanse" is one letter from
// "bytedance" but three from its stem.
type speller struct {
	lexicon
	// general holds the everyday English words a misspelling may be meant
	// as ("mcuh" is much); english tells a real word that needs no
	// correction ("percent" is not a misspelt Tencent).
	general *lexicon
	english *wordfreq.Table
}

// lexicon is a set of words bucketed for finding the ones near a typo.
type lexicon struct {
	words map[string]*wordInfo
	// byFirst and bySecond bucket words by their first letter and by their
	// second, so a lookup scans only words that share one of them: a typo
	// seldom changes both.
	byFirst, bySecond map[rune][]string
}

type wordInfo struct {
	count int
	name  bool // written capitalised inside a sentence, or an entity: a name
}

func newLexicon() lexicon {
	return lexicon{words: map[string]*wordInfo{}, byFirst: map[rune][]string{}, bySecond: map[rune][]string{}}
}

// minGeneralZipf is how common an everyday word must be to be offered as
// what a misspelling meant: rarer words are seldom meant, and would catch
// typos of the words that are.
const minGeneralZipf = 3.0

// everydayEnglish is the embedded table of everyday English and the
// lexicon of its words corrections may use, both built once per process
// and never changed: every index shares them.
var everydayLexicon = sync.OnceValue(func() *lexicon {
	en, err := wordfreq.English()
	if err != nil {
		return nil
	}
	return newGeneralLexicon(en)
})

func everydayEnglish() (*wordfreq.Table, *lexicon, error) {
	en, err := wordfreq.English()
	if err != nil {
		return nil, nil, err
	}
	return en, everydayLexicon(), nil
}

// newGeneralLexicon is the everyday English words corrections may use.
func newGeneralLexicon(en *wordfreq.Table) *lexicon {
	l := newLexicon()
	for _, w := range en.Words {
		if z, _ := en.Zipf(w); z < minGeneralZipf {
			break // most frequent first
		}
		if isWord(w) {
			l.add(w, false)
			if wi := l.words[w]; wi != nil {
				wi.count = en.Count(w)
			}
		}
	}
	return &l
}

// isWord reports whether w is all letters.
func isWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func newSpeller(general *lexicon, en *wordfreq.Table) *speller {
	return &speller{lexicon: newLexicon(), general: general, english: en}
}

func (s *lexicon) add(w string, name bool) {
	if len(w) < 3 {
		return
	}
	r := []rune(w)
	if len(r) < 2 {
		return // a character, not a word: "的" is three bytes
	}
	wi := s.words[w]
	if wi == nil {
		wi = &wordInfo{}
		s.words[w] = wi
		s.byFirst[r[0]] = append(s.byFirst[r[0]], w)
		s.bySecond[r[1]] = append(s.bySecond[r[1]], w)
	}
	wi.count++
	wi.name = wi.name || name
}

func (s *speller) addFact(f knowledge.Fact) {
	first := true
	words(f.Statement, func(w string, _, _ int, capital bool) {
		s.add(w, capital && !first)
		first = false
	})
	for _, e := range f.Entities {
		words(e, func(w string, _, _ int, _ bool) { s.add(w, true) })
	}
	for _, t := range f.Topics {
		words(t, func(w string, _, _ int, _ bool) { s.add(w, false) })
	}
}

// correct rewrites the misspelt words of text. A word is corrected when
// no fact or vocabulary phrase uses it and it is no English word ("founded"
// stays, though "funded" is one letter away), to the nearest word within
// one edit (two for words of eight letters or more, transpositions counting
// as one): a word of the knowledge or the vocabulary ("Dobao" is Doubao),
// or an everyday English word ("mcuh" is much); at the same distance the
// knowledge's word wins, then the more frequent.
func (s *speller) correct(text string, skip map[string]bool, known func(word string) bool) (string, map[string]string) {
	var b strings.Builder
	fixes := map[string]string{}
	last := 0
	words(text, func(w string, start, end int, _ bool) {
		if _, ok := s.words[w]; ok || skip[w] || utf8.RuneCountInString(w) < 3 || hasDigit(w) || (known != nil && known(w)) {
			return
		}
		var fix string
		var ok bool
		switch z, english := s.zipf(w); {
		case english && z < rareTypoZipf, !english && utf8.RuneCountInString(w) < 4:
			// A rare word one letter from a very common one ("hav",
			// "yer") was more likely meant as that one; so was a short
			// non-word ("wht", "wil").
			fix, ok = s.lookupRare(w)
		case english:
			return
		default:
			fix, ok = s.lookup(w)
		}
		if !ok {
			return
		}
		b.WriteString(text[last:start])
		b.WriteString(fix)
		last = end
		fixes[w] = fix
	})
	if len(fixes) == 0 {
		return text, nil
	}
	b.WriteString(text[last:])
	return b.String(), fixes
}

func (s *speller) lookup(w string) (string, bool) {
	r := []rune(w)
	maxDist := 1
	if len(r) >= 8 {
		maxDist = 2
	}
	best, bestDist, bestRank, bestCount := "", maxDist+1, 2, 0
	try := func(l *lexicon, rank int, c string) {
		if d := utf8.RuneCountInString(c) - len(r); d > maxDist || -d > maxDist {
			return
		}
		d := editdist.OSA(r, []rune(c), maxDist)
		if d > maxDist {
			return
		}
		if rank > 0 && len(r) < minGeneralEditLen && !transposed(r, []rune(c)) {
			// A short unknown word is as often a chat abbreviation
			// ("cust") as a typo: only a swapped pair of letters ("mcuh")
			// makes it an everyday word.
			return
		}
		count := l.words[c].count
		if d < bestDist || (d == bestDist && (rank < bestRank || (rank == bestRank && count > bestCount))) {
			best, bestDist, bestRank, bestCount = c, d, rank, count
		}
	}
	for rank, l := range []*lexicon{&s.lexicon, s.general} {
		if l == nil {
			continue
		}
		for _, c := range l.byFirst[r[0]] {
			try(l, rank, c)
		}
		for _, c := range l.bySecond[r[1]] {
			if first, _ := utf8.DecodeRuneInString(c); first != r[0] {
				try(l, rank, c)
			}
		}
	}
	if best == "" && len(r) >= minTruncationLen {
		// "cust" for customer: a word cut short is the knowledge's or the
		// vocabulary's word it begins, the most used one.
		for _, c := range s.byFirst[r[0]] {
			if strings.HasPrefix(c, w) && s.words[c].count > bestCount {
				best, bestCount = c, s.words[c].count
			}
		}
	}
	return best, best != ""
}

// rareTypoZipf is how rare an English word must be to be read as a typo of
// a very common word one letter away, and commonTypoZipf how common that
// word must be: "hav" (2.2) is have (7.1).
const (
	rareTypoZipf   = 3.0
	commonTypoZipf = 5.0
)

// zipf is a word's everyday frequency, and whether it is an English word.
func (s *speller) zipf(w string) (float64, bool) {
	if s.english == nil {
		return 0, false
	}
	return s.english.Zipf(w)
}

// lookupRare finds what a rare English word was meant as: a word of the
// knowledge or the vocabulary one edit away, else a very common everyday
// word one edit away, the most frequent. One of the commonest words of all
// one edit away wins over the knowledge's: "mak" is make, not MAU.
func (s *speller) lookupRare(w string) (string, bool) {
	r := []rune(w)
	var found [2]string // the knowledge's word, the everyday word
	var counts [2]int
	var topZipf float64
	for rank, l := range []*lexicon{&s.lexicon, s.general} {
		if l == nil {
			continue
		}
		for _, bucket := range [][]string{l.byFirst[r[0]], l.bySecond[r[1]]} {
			for _, c := range bucket {
				if d := utf8.RuneCountInString(c) - len(r); d > 1 || d < -1 || editdist.OSA(r, []rune(c), 1) != 1 {
					continue
				}
				var z float64
				if rank > 0 {
					if z, _ = s.zipf(c); z < commonTypoZipf {
						continue
					}
				}
				switch count := l.words[c].count; {
				case rank == 0 && (found[0] == "" || count > counts[0]):
					found[0], counts[0] = c, count
				case rank > 0 && z > topZipf:
					found[1], topZipf = c, z
				}
			}
		}
	}
	switch {
	case found[1] != "" && (found[0] == "" || topZipf >= commonestZipf):
		return found[1], true
	case found[0] != "":
		return found[0], true
	}
	return "", false
}

// commonestZipf is how common an everyday word must be to be preferred, as
// what a misspelling meant, over a word of the knowledge as near: the
// hundred or so commonest words of English ("make", "have", "what").
const commonestZipf = 6.0

// minGeneralEditLen is the length from which any one edit may turn an
// unknown word into an everyday word; shorter words only by a
// transposition. minTruncationLen is the shortest word taken as cut short.
const (
	minGeneralEditLen = 5
	minTruncationLen  = 4
)

// transposed reports whether b is a with two adjacent letters swapped.
func transposed(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && string(a[i+2:]) == string(b[i+2:])
		}
	}
	return false
}

// hasDigit reports whether a word has a digit: a number, an amount
// ("31m") or a model's code ("v900") is no misspelling of another.
func hasDigit(w string) bool {
	return strings.ContainsFunc(w, func(r rune) bool { return r >= '0' && r <= '9' })
}

// nameTerms is the set of analysed terms of the words facts write as names,
// so that a question's stemmed term ("seedanc" for "Seedance") can be
// recognised as one.
func (s *speller) nameTerms(an *analyzer) map[string]bool {
	out := map[string]bool{}
	for w, wi := range s.words {
		if !wi.name {
			continue
		}
		for _, t := range an.terms(w) {
			// A Chinese letter of a name (多 of 拼多多) names nothing
			// alone: names in such scripts are matched whole.
			if !splitLetter(t) {
				out[t] = true
			}
		}
	}
	return out
}
