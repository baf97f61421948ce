// Package index keeps the knowledge base searchable: a Bleve index (scorch,
// BM25, English analysis) of the facts, tagged with the concepts of a
// vocabulary and with normalised figures, and the query side that turns a
// question into term, concept, figure, fuzzy and phrase queries — never into
// Bleve's query-string syntax. An Index can be rebuilt and swapped atomically
// while it serves searches.
package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/bytewatch/bytewatch/internal/wordfreq"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// Field names in the Bleve documents.
const (
	fieldText        = "text"
	fieldAttribution = "attribution"
	fieldConcepts    = "concepts"
	fieldFigures     = "figures"
)

// batchSize trades memory for indexing speed; past ~1000 scorch gains little.
const batchSize = 1000

// ErrClosed is returned by Search and Swap after Close.
var ErrClosed = errors.New("index: closed")

// Options configure an Index.
type Options struct {
	// Path is the folder that holds the index on disk. Each build gets its
	// own sub-folder, removed when it is swapped out. Empty keeps the index
	// in memory (still scorch, so BM25 applies).
	Path string
	// ReuseKey, with Path, keeps the live generation on disk at Close and
	// lets a later Build of a base with the same version and the same
	// ReuseKey open it instead of indexing into Bleve again; generations of
	// other versions or keys are removed. The caller changes the key
	// whenever the same knowledge could index differently (a new binary).
	// Empty: every Build indexes afresh and Close removes the folder.
	ReuseKey string
	// Vocabulary maps question words to concepts; nil means the embedded
	// default.
	Vocabulary *Vocabulary
	// Logger receives build and swap events; nil discards them.
	Logger *slog.Logger
}

// Index serves searches over the current generation and swaps in new ones.
type Index struct {
	opts     Options
	vocab    *Vocabulary
	an       *analyzer
	qstop    map[string]bool // analysed question words
	qstopRaw map[string]bool // the same, unanalysed, never spell-corrected
	english  *wordfreq.Table // how common words are in everyday English
	general  *lexicon        // the everyday words a misspelling may mean
	log      *slog.Logger

	cur    atomic.Pointer[generation]
	swapMu sync.Mutex // one build-and-swap at a time
	closed atomic.Bool
}

// generation is one complete, immutable build: a Bleve index plus the base
// it was built from, so that a search never mixes the facts of two builds.
type generation struct {
	mu     sync.RWMutex // read-held by searches; write-held to close
	closed bool

	idx       bleve.Index
	base      *knowledge.Base
	dir       string
	df        map[string]int // text term → facts containing it
	conceptDF map[string]int
	figureDF  map[string]int // figure token → facts stating it
	attrDF    map[string]int // attribution term → facts attributed with it
	spell     *speller
	vocab     *Vocabulary     // the index's vocabulary plus the knowledge's entities
	analyser  *Analyser       // analysis with vocab, for the answer verifier
	names     map[string]bool // analysed terms of names (entities, capitalised words)
	// evidence is each fact's analysed form, kept from the build so that
	// coverage needs no analysis at query time.
	evidence map[string]evidence
	asOf     knowledge.Date // the base's LatestAsOf, for "last year"
	n        int
	took     time.Duration
}

// Build indexes base and returns an Index serving it.
func Build(ctx context.Context, base *knowledge.Base, opts Options) (*Index, error) {
	ix := &Index{opts: opts, vocab: opts.Vocabulary, log: opts.Logger}
	if ix.log == nil {
		ix.log = slog.New(slog.DiscardHandler)
	}
	if ix.vocab == nil {
		v, err := DefaultVocabulary()
		if err != nil {
			return nil, err
		}
		ix.vocab = v
	}
	an, err := newAnalyzer()
	if err != nil {
		return nil, err
	}
	ix.an = an
	ix.qstop = questionStop(an, ix.vocab.questionWords)
	if ix.english, ix.general, err = everydayEnglish(); err != nil {
		return nil, err
	}
	ix.qstopRaw = map[string]bool{}
	for _, w := range ix.vocab.questionWords {
		ix.qstopRaw[w] = true
	}
	var reuse string // a generation on disk to open instead of building
	if opts.Path != "" {
		if err := os.MkdirAll(opts.Path, 0o755); err != nil {
			return nil, fmt.Errorf("index: create %s: %w", opts.Path, err)
		}
		// Generations a crashed process left behind, or of other knowledge
		// or another key: only disk used. (One INDEX_PATH per process.)
		reuse = ix.reusable(base.Version())
		if old, err := filepath.Glob(filepath.Join(opts.Path, "gen-*")); err == nil {
			for _, dir := range old {
				if dir == reuse {
					continue
				}
				if err := os.RemoveAll(dir); err != nil {
					ix.log.Warn("index: removing a generation left behind", "dir", dir, "err", err)
				}
			}
		}
	}
	var g *generation
	if reuse != "" {
		var err error
		if g, err = ix.build(ctx, base, reuse); err != nil {
			ix.log.Warn("index: cannot reuse the index on disk; building it again", "dir", reuse, "err", err)
		} else {
			ix.log.Info("index: reusing the index on disk", "dir", reuse, "version", base.Version())
		}
	}
	if g == nil {
		var err error
		if g, err = ix.build(ctx, base, ""); err != nil {
			return nil, err
		}
	}
	ix.cur.Store(g)
	return ix, nil
}

// Version is the version of the knowledge the live index was built from.
func (ix *Index) Version() string { return ix.cur.Load().base.Version() }

// Base is the knowledge base the live index was built from.
func (ix *Index) Base() *knowledge.Base { return ix.cur.Load().base }

// Vocabulary is the concept vocabulary the index tags with.
func (ix *Index) Vocabulary() *Vocabulary { return ix.vocab }

// SwapReport says what a Swap changed.
type SwapReport struct {
	OldVersion, NewVersion string
	Changes                knowledge.Changes
	BuildTime              time.Duration
	Facts                  int
}

// Swap builds a complete index of base beside the live one and then makes it
// live atomically. Searches keep running on the old index until the swap and
// never see a half-built one; the old index is closed once the searches that
// started on it have finished. If the build fails the old index keeps
// serving and the error says why.
func (ix *Index) Swap(ctx context.Context, base *knowledge.Base) (SwapReport, error) {
	ix.swapMu.Lock()
	defer ix.swapMu.Unlock()
	if ix.closed.Load() {
		return SwapReport{}, ErrClosed
	}
	old := ix.cur.Load()
	g, err := ix.build(ctx, base, "")
	if err != nil {
		return SwapReport{}, err
	}
	ix.cur.Store(g)
	ix.retire(old, false)
	rep := SwapReport{
		OldVersion: old.base.Version(), NewVersion: base.Version(),
		Changes:   knowledge.Diff(old.base, base),
		BuildTime: g.took, Facts: len(base.Facts),
	}
	ix.log.Info("index swapped", "old_version", rep.OldVersion, "new_version", rep.NewVersion,
		"facts", rep.Facts, "build_ms", g.took.Milliseconds())
	return rep, nil
}

// Close closes the live index. Searches after Close fail with ErrClosed.
func (ix *Index) Close() error {
	ix.swapMu.Lock()
	defer ix.swapMu.Unlock()
	if ix.closed.Swap(true) {
		return nil
	}
	return ix.retire(ix.cur.Load(), ix.opts.ReuseKey != "")
}

// reuseMarker is the file in a generation's folder that holds its
// ReuseKey, written once the generation is complete on disk.
const reuseMarker = "reuse-key"

// reusable returns the folder of a complete generation of the knowledge
// version under Path with the ReuseKey, or "".
func (ix *Index) reusable(version string) string {
	if ix.opts.ReuseKey == "" {
		return ""
	}
	dirs, _ := filepath.Glob(filepath.Join(ix.opts.Path, "gen-"+version+"-*"))
	for _, dir := range slices.Backward(dirs) { // the newest first
		if key, err := os.ReadFile(filepath.Join(dir, reuseMarker)); err == nil && string(key) == ix.opts.ReuseKey {
			return dir
		}
	}
	return ""
}

// retire waits for the searches running on g, then closes it and removes
// its folder unless keep.
func (ix *Index) retire(g *generation, keep bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	err := g.idx.Close()
	if g.dir != "" && !keep {
		if rerr := os.RemoveAll(g.dir); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		ix.log.Warn("index: closing old generation", "err", err)
	}
	return err
}

// acquire returns the live generation, read-locked; the caller must
// RUnlock it. It retries when it loses a race with a swap.
func (ix *Index) acquire() (*generation, error) {
	for {
		if ix.closed.Load() {
			return nil, ErrClosed
		}
		g := ix.cur.Load()
		g.mu.RLock()
		if !g.closed {
			return g, nil
		}
		g.mu.RUnlock()
	}
}

func (ix *Index) mapping() *mapping.IndexMappingImpl {
	im := bleve.NewIndexMapping()
	im.ScoringModel = bleveindex.BM25Scoring
	im.DefaultAnalyzer = en.AnalyzerName
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	// Nothing is stored: hits are looked up in the generation's Base.
	field := func(analyzer string, positions bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = positions
		f.DocValues = false
		return f
	}
	text := field(en.AnalyzerName, true) // phrase queries need positions
	attribution := field(en.AnalyzerName, false)
	kw := field(keyword.Name, false)

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldText, text)
	doc.AddFieldMappingsAt(fieldAttribution, attribution)
	doc.AddFieldMappingsAt(fieldConcepts, kw)
	doc.AddFieldMappingsAt(fieldFigures, kw)
	im.DefaultMapping = doc
	return im
}

// factText is what a fact is searched by: its statement, its entities and
// its topics.
func factText(f knowledge.Fact) string {
	s := f.Statement
	for _, e := range f.Entities {
		s += " \n " + e
	}
	for _, t := range f.Topics {
		s += " \n " + t
	}
	return s
}

// factDoc analyses one fact the way the index sees it.
type factDoc struct {
	text        string // the searchable text with figures blanked out
	terms       []string
	attribution []string // the attribution's analysed terms
	concepts    []string
	figures     []figure.Value
	// about and aboutConcepts are the analysed terms and the concepts of
	// what the fact is about: its entities and its attribution.
	about, aboutConcepts []string
	// measured is the analysed terms and the concepts of what the fact's
	// figures measure ("Doubao monthly active users").
	measured []string
}

func (ix *Index) analyseFact(vocab *Vocabulary, f knowledge.Fact) factDoc {
	text := factText(f)
	figs := figure.Parse(text)
	stripped := normaliseText(withoutFigures(text, figs))
	terms := ix.an.terms(stripped)
	// Who reported a fact is part of what it can answer ("Which newspaper
	// said …?"), so the attribution is tagged too.
	attribution := ix.an.terms(f.Attribution)
	concepts := vocab.matchAll(append(terms[:len(terms):len(terms)], attribution...))
	for _, g := range f.Figures {
		figs = append(figs, g.Value())
	}
	// What the fact is about — its entities and who reported it, not the
	// names it only mentions — for telling "ByteDance's 15 apps" from
	// Baidu's.
	about := append(ix.an.terms(normaliseText(strings.Join(f.Entities, " \n "))), attribution...)
	aboutConcepts := vocab.matchAll(about)
	var measured []string
	for _, g := range f.Figures {
		if g.Measure != "" {
			mt := ix.an.terms(normaliseText(g.Measure))
			measured = append(append(measured, mt...), vocab.matchAll(mt)...)
		}
	}
	return factDoc{text: stripped, terms: terms, attribution: attribution, concepts: concepts, figures: figs,
		about: about, aboutConcepts: aboutConcepts, measured: measured}
}

// analyseAll analyses facts a batch at a time, each batch on its own
// goroutine, and delivers the batches in order: our analysis of the next
// batches overlaps Bleve's indexing of the current one. It stops early
// when stop is closed.
func (ix *Index) analyseAll(vocab *Vocabulary, facts []knowledge.Fact, stop <-chan struct{}) <-chan chan []factDoc {
	out := make(chan chan []factDoc, 2)
	go func() {
		defer close(out)
		for lo := 0; lo < len(facts); lo += batchSize {
			chunk := facts[lo:min(lo+batchSize, len(facts))]
			docs := make(chan []factDoc, 1)
			select {
			case out <- docs:
			case <-stop:
				return
			}
			go func() {
				ds := make([]factDoc, len(chunk))
				for i, f := range chunk {
					ds[i] = ix.analyseFact(vocab, f)
				}
				docs <- ds
			}()
		}
	}()
	return out
}

// build makes a generation of base: in memory, in a new folder under Path,
// or — with reuse, a folder of a complete earlier generation of the same
// version — by opening that folder and analysing the facts without writing
// them to Bleve again.
func (ix *Index) build(ctx context.Context, base *knowledge.Base, reuse string) (*generation, error) {
	start := time.Now()
	g := &generation{base: base, df: map[string]int{}, conceptDF: map[string]int{}, figureDF: map[string]int{}, attrDF: map[string]int{}, n: len(base.Facts),
		spell: newSpeller(ix.general, ix.english), asOf: base.LatestAsOf(), evidence: make(map[string]evidence, len(base.Facts))}
	g.vocab = ix.vocab.WithEntities(base.Entities())
	g.analyser = &Analyser{an: ix.an, v: g.vocab, qstop: ix.qstop}
	intern := map[string]string{}
	for _, w := range g.vocab.words {
		g.spell.add(w, false)
	}
	for _, e := range base.Entities() {
		for _, name := range append([]string{e.Name}, e.Aliases...) {
			// A capitalised word of a name is a name; the others are the
			// everyday words of a descriptive alias ("parent" of
			// "TikTok's parent"), which say nothing of a name alone.
			words(name, func(w string, _, _ int, capital bool) { g.spell.add(w, capital) })
		}
	}
	for name := range g.vocab.entities {
		words(name, func(w string, _, _ int, _ bool) { g.spell.add(w, true) })
	}
	if ix.opts.Path != "" {
		g.dir = filepath.Join(ix.opts.Path, fmt.Sprintf("gen-%s-%d", base.Version(), start.UnixNano()))
	}
	// In memory there is nothing to persist, so batches need not wait for
	// it (unsafe_batch). On disk they must: with unsafe_batch, a disk that
	// fills during the build fails only in Bleve's background persister,
	// and the swap would report success over an empty index.
	var idx bleve.Index
	var err error
	if reuse != "" {
		// Another process holding the folder makes this fail within the
		// timeout rather than wait for ever; the folder is left to it.
		g.dir = reuse
		if idx, err = bleve.OpenUsing(reuse, map[string]any{"bolt_timeout": "1s"}); err != nil {
			return nil, fmt.Errorf("index: open %s: %w", reuse, err)
		}
	} else if idx, err = bleve.NewUsing(g.dir, ix.mapping(), "scorch", "scorch", map[string]any{"unsafe_batch": g.dir == ""}); err != nil {
		if g.dir != "" {
			os.RemoveAll(g.dir)
		}
		return nil, fmt.Errorf("index: create %s: %w", g.dir, err)
	}
	g.idx = idx
	fail := func(err error) (*generation, error) {
		idx.Close()
		if g.dir != "" {
			os.RemoveAll(g.dir)
		}
		return nil, err
	}
	stop := make(chan struct{})
	defer close(stop)
	batch := idx.NewBatch()
	i := 0
	for docs := range ix.analyseAll(g.vocab, base.Facts, stop) {
		if err := ctx.Err(); err != nil {
			return fail(fmt.Errorf("index: build: %w", err))
		}
		for _, d := range <-docs {
			f := base.Facts[i]
			i++
			g.spell.addFact(f)
			seen := map[string]bool{}
			for _, t := range d.terms {
				if !seen[t] {
					seen[t] = true
					g.df[t]++
				}
			}
			for _, c := range d.concepts {
				g.conceptDF[c]++
			}
			seenAttr := map[string]bool{}
			for _, t := range d.attribution {
				if !seenAttr[t] {
					seenAttr[t] = true
					g.attrDF[t]++
				}
			}
			figTokens := figureTokens(d.figures)
			for _, t := range figTokens {
				g.figureDF[t]++
			}
			g.evidence[f.ID] = newEvidence(d, intern)
			doc := map[string]any{
				fieldText:        d.text,
				fieldAttribution: f.Attribution,
				fieldConcepts:    d.concepts,
				fieldFigures:     figTokens,
			}
			if reuse != "" {
				continue // already in the index on disk
			}
			if err := batch.Index(f.ID, doc); err != nil {
				return fail(fmt.Errorf("index: fact %s: %w", f.ID, err))
			}
		}
		if reuse != "" {
			continue
		}
		if err := idx.Batch(batch); err != nil {
			return fail(fmt.Errorf("index: write batch: %w", err))
		}
		batch.Reset()
	}
	if reuse != "" {
		if n, err := idx.DocCount(); err != nil || n != uint64(len(base.Facts)) {
			return fail(fmt.Errorf("index: %s holds %d facts, not %d (%v)", reuse, n, len(base.Facts), err))
		}
	} else if g.dir != "" && ix.opts.ReuseKey != "" {
		// Batches on disk wait for persistence, so the generation is
		// complete: mark it reusable.
		if err := os.WriteFile(filepath.Join(g.dir, reuseMarker), []byte(ix.opts.ReuseKey), 0o644); err != nil {
			return fail(fmt.Errorf("index: %w", err))
		}
	}
	g.names = g.spell.nameTerms(ix.an)
	g.took = time.Since(start)
	ix.log.Debug("index built", "version", base.Version(), "facts", len(base.Facts), "took", g.took)
	return g, nil
}

// evidence is what coverage checks a fact against: its analysed terms
// (attribution included), its concepts and its figures.
type evidence struct {
	terms    []string // sorted, unique, interned across the generation
	concepts []string
	figures  []figure.Value
	// about and aboutConcepts are what the fact is about (see factDoc).
	about, aboutConcepts []string
	measured             []string // what its figures measure (see factDoc)
}

func newEvidence(d factDoc, intern map[string]string) evidence {
	all := append(append([]string(nil), d.terms...), d.attribution...)
	sort.Strings(all)
	terms := all[:0]
	for i, t := range all {
		if i > 0 && t == all[i-1] {
			continue
		}
		if s, ok := intern[t]; ok {
			t = s
		} else {
			intern[t] = t
		}
		terms = append(terms, t)
	}
	return evidence{terms: slices.Clip(terms), concepts: d.concepts, figures: d.figures, about: d.about, aboutConcepts: d.aboutConcepts, measured: d.measured}
}

func (e evidence) hasTerm(t string) bool {
	_, ok := slices.BinarySearch(e.terms, t)
	return ok
}
