package commands

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/internal/editdist"
	"github.com/bytewatch/bytewatch/knowledge"
)

// /ask autocomplete: as a person types, up to MaxSuggestions questions
// that the knowledge answers (its main question and the questions its
// facts list), and questions people asked that were answered when an
// AskedQuestions source is set, filtered by what has been typed, with
// typos tolerated.

// Autocomplete limits.
const (
	// MaxSuggestions is Discord's limit on autocomplete choices.
	MaxSuggestions = 25
	// maxChoice is Discord's limit on a choice's name and value.
	maxChoice = 100
	// askedTimeout bounds asking an AskedQuestions source: a suggestion
	// must arrive while the person types.
	askedTimeout = 50 * time.Millisecond
)

// AskedQuestions lists questions people asked in a server that were
// answered, for /ask's suggestions: records.Store implements it. typed is
// what the person has typed so far; the source may use it to narrow the
// list, and the Suggester filters and ranks what comes back either way.
// People see only their own server's questions, and none in a DM.
type AskedQuestions interface {
	AnsweredQuestions(ctx context.Context, guildID, typed string, limit int) ([]string, error)
}

// Suggester suggests questions as a person types. It is safe for
// concurrent use.
type Suggester struct {
	index IndexStatus
	asked AskedQuestions // nil: the knowledge's questions only
	log   *slog.Logger

	mu    sync.Mutex
	base  *knowledge.Base // the base cands were made from
	cands []candidate
}

// candidate is one question that may be suggested, with its words.
type candidate struct {
	text  string
	words []string
}

// NewSuggester returns a Suggester drawing on the knowledge of index and,
// when asked is not nil, on the questions people asked.
func NewSuggester(index IndexStatus, asked AskedQuestions, log *slog.Logger) *Suggester {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Suggester{index: index, asked: asked, log: log}
}

// knowledgeQuestions returns the candidates of the live knowledge, made
// again after a reindex.
func (s *Suggester) knowledgeQuestions() []candidate {
	if s.index == nil {
		return nil
	}
	base := s.index.Base()
	s.mu.Lock()
	defer s.mu.Unlock()
	if base == s.base {
		return s.cands
	}
	var cands []candidate
	seen := map[string]bool{}
	add := func(q string) {
		q = strings.Join(strings.Fields(q), " ")
		if k := strings.ToLower(q); q != "" && !seen[k] {
			seen[k] = true
			cands = append(cands, candidate{text: q, words: suggestWords(q)})
		}
	}
	if base != nil {
		add(base.About().MainQuestion)
		for _, f := range base.Facts {
			for _, q := range f.Questions {
				add(q)
			}
		}
	}
	s.base, s.cands = base, cands
	return cands
}

// Suggest returns up to limit questions matching typed for a person in
// server guildID ("" in a DM), best first: with nothing typed, the
// knowledge's questions in order.
func (s *Suggester) Suggest(ctx context.Context, guildID, typed string, limit int) []string {
	limit = min(max(limit, 0), MaxSuggestions)
	cands := s.knowledgeQuestions()
	if s.asked != nil && guildID != "" {
		actx, cancel := context.WithTimeout(ctx, askedTimeout)
		qs, err := s.asked.AnsweredQuestions(actx, guildID, typed, limit)
		cancel()
		if err != nil {
			s.log.LogAttrs(ctx, slog.LevelDebug, "asked questions unavailable for suggestions", slog.Any("error", err))
		}
		known := map[string]bool{}
		for _, c := range cands {
			known[strings.ToLower(c.text)] = true
		}
		more := slices.Clip(cands)
		for _, q := range qs {
			q = strings.Join(strings.Fields(q), " ")
			if k := strings.ToLower(q); q != "" && !known[k] {
				known[k] = true
				more = append(more, candidate{text: q, words: suggestWords(q)})
			}
		}
		cands = more
	}
	typedWords := suggestWords(typed)
	partial := typed != "" && !unicode.IsSpace(lastRune(typed)) // the last word is still being typed
	type scored struct {
		c     candidate
		score float64
		order int
	}
	var hits []scored
	for i, c := range cands {
		sc, ok := matchScore(typedWords, partial, c.words)
		if ok {
			hits = append(hits, scored{c, sc, i})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		switch {
		case a.score != b.score:
			if a.score > b.score {
				return -1
			}
			return 1
		default:
			return a.order - b.order
		}
	})
	out := make([]string, 0, min(limit, len(hits)))
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		out = append(out, h.c.text)
	}
	return out
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// suggestWords splits text into lower-case words of letters and digits.
func suggestWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// matchScore scores a candidate against the typed words: every typed word
// must match one of the candidate's — the same word, a word it begins (for
// the word being typed, or any word of three letters or more), or a word a
// typo away (one edit, two from eight letters) — and the score is the
// share of the typed words' weight that matched exactly, plus a little for
// a shorter candidate.
func matchScore(typed []string, partial bool, cand []string) (float64, bool) {
	if len(typed) == 0 {
		return 0, true
	}
	total, got := 0.0, 0.0
	for i, w := range typed {
		last := partial && i == len(typed)-1
		weight := float64(utf8.RuneCountInString(w))
		total += weight
		best := 0.0
		for _, c := range cand {
			best = max(best, wordMatch(w, c, last))
			if best == 1 {
				break
			}
		}
		if best == 0 {
			return 0, false
		}
		got += best * weight
	}
	return got/total + 1/float64(10+len(cand)), true
}

// wordMatch says how well a typed word w matches a candidate's word c: 1
// the same, 0.9 a beginning, 0.6 a typo, 0 no match.
func wordMatch(w, c string, typing bool) float64 {
	if w == c {
		return 1
	}
	n := utf8.RuneCountInString(w)
	if strings.HasPrefix(c, w) && (typing || n >= 3) {
		return 0.9
	}
	if n < 4 {
		return 0
	}
	allowed := 1
	if n >= 8 {
		allowed = 2
	}
	wr, cr := []rune(w), []rune(c)
	if editdist.OSA(wr, cr, allowed) <= allowed {
		return 0.6
	}
	if typing && len(cr) > len(wr) && editdist.OSA(wr, cr[:len(wr)], allowed) <= allowed {
		return 0.5 // a typo in a word still being typed
	}
	return 0
}

// choices turns suggestions into autocomplete choices within Discord's
// limits.
func choices(qs []string) []*discordgo.ApplicationCommandOptionChoice {
	out := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(qs))
	for _, q := range qs {
		v := q
		if utf8.RuneCountInString(v) > maxChoice {
			v = string([]rune(v)[:maxChoice-1]) + "…"
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v})
	}
	return out
}

// focusedText is what the person has typed in the option being completed.
func focusedText(in *discordgo.Interaction) string {
	for _, o := range in.ApplicationCommandData().Options {
		if o != nil && o.Focused {
			if s, ok := o.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// Completer answers an autocomplete request of one command.
type Completer func(ctx context.Context, rest *REST, in *discordgo.Interaction)

// AddAutocomplete routes the autocomplete requests of command to fn.
func (rt *Router) AddAutocomplete(command string, fn Completer) {
	if rt.completers == nil {
		rt.completers = map[string]Completer{}
	}
	rt.completers[command] = fn
}

// complete answers an autocomplete request: no suggestions for a command
// without a Completer, or while the bot is refusing work.
func (rt *Router) complete(ctx context.Context, in *discordgo.Interaction, refuse bool) {
	fn := rt.completers[in.ApplicationCommandData().Name]
	if fn == nil || refuse {
		if err := rt.rest.Suggest(ctx, in, nil); err != nil {
			rt.log.LogAttrs(ctx, slog.LevelWarn, "could not answer autocomplete", slog.String("interaction_id", in.ID), slog.Any("error", err))
		}
		return
	}
	fn(ctx, rt.rest, in)
}

// AutocompleteAsk answers an autocomplete request of /ask. It logs at
// debug level only: one request comes per keystroke.
func (s *Suggester) AutocompleteAsk(ctx context.Context, rest *REST, in *discordgo.Interaction) {
	start := time.Now()
	typed := focusedText(in)
	qs := s.Suggest(ctx, in.GuildID, typed, MaxSuggestions)
	err := rest.Suggest(ctx, in, choices(qs))
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	s.log.LogAttrs(ctx, level, "autocomplete", slog.String("interaction_id", in.ID), slog.Int("typed_chars", utf8.RuneCountInString(typed)),
		slog.Int("suggestions", len(qs)), slog.Float64("took_ms", ms(time.Since(start))), slog.Any("error", err))
}
