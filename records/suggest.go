package records

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Limits of AnsweredQuestions.
const (
	// MaxSuggestedLength is the longest question AnsweredQuestions
	// returns, in characters: a suggestion must fit whole in one of
	// Discord's autocomplete choices.
	MaxSuggestedLength = 100
	// SuggestWindow is how many of a server's latest answered /ask
	// questions AnsweredQuestions looks through: what people have been
	// asking lately, and a bound on each request's work however many
	// records the server has.
	SuggestWindow = 5000
	// maxTypedWords bounds the words of typed that narrow the query.
	maxTypedWords = 8
)

// questionWords splits text into lower-case words of letters and digits.
func questionWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// QuestionKey is what AnsweredQuestions matches and groups questions by:
// their words in lower case, one space apart. "What is Doubao's revenue?"
// and "what is doubao’s  revenue" have the same key.
func QuestionKey(question string) string {
	return strings.Join(questionWords(question), " ")
}

// AnsweredQuestions lists, for /ask's suggestions, questions asked with
// /ask in guildID that were answered and whose text is kept: among the
// server's latest SuggestWindow of them, those containing every word of
// typed (in any order, case-insensitively, each word as part of a word:
// the last may still be being typed), one per QuestionKey, the most
// asked first, then the most recently asked, at most limit of them and
// none longer than MaxSuggestedLength. Nothing is suggested from another
// server, from a DM (guildID "" gets none), or from a message, which may
// be a follow-up ("and Microsoft?") that means nothing alone. Forgotten
// and purged questions are gone from the table, so never suggested.
func (s *sqlStore) AnsweredQuestions(ctx context.Context, guildID, typed string, limit int) ([]string, error) {
	if guildID == "" || limit <= 0 {
		return nil, nil
	}
	query, args := suggestQuery(guildID, typed, limit)
	db := s.db
	if s.read != nil {
		db = s.read
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("records: answered questions: %w", err)
	}
	defer rows.Close()
	out := make([]string, 0, limit)
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return nil, fmt.Errorf("records: answered questions: %w", err)
		}
		out = append(out, text)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: answered questions: %w", err)
	}
	return out, nil
}

// suggestQuery is AnsweredQuestions' query: one LIKE per distinct word
// typed (words hold letters and digits only, so no wildcard comes from
// what is typed).
func suggestQuery(guildID, typed string, limit int) (string, []any) {
	words := questionWords(typed)
	if len(words) > maxTypedWords {
		words = words[len(words)-maxTypedWords:] // the last: the one being typed among them
	}
	// The literals repeat the partial index's condition, so that both
	// databases' planners may use it: the inner query reads the server's
	// latest answered /ask questions from the index alone, newest first.
	var q strings.Builder
	q.WriteString(`SELECT MIN(question) FROM (SELECT question, question_key, user_hash, asked_at FROM questions
		WHERE guild_id = $1 AND outcome = 'answered' AND entry = 'slash_command' AND question_key IS NOT NULL
		ORDER BY asked_at DESC LIMIT $2) AS recent
		WHERE length(question) <= $3`)
	args := []any{guildID, SuggestWindow, MaxSuggestedLength}
	seen := map[string]bool{}
	for _, w := range words {
		if seen[w] {
			continue
		}
		seen[w] = true
		args = append(args, "%"+w+"%")
		q.WriteString(" AND question_key LIKE $" + strconv.Itoa(len(args)))
	}
	args = append(args, limit)
	fmt.Fprintf(&q, `
		GROUP BY question_key
		ORDER BY COUNT(*) DESC, MAX(asked_at) DESC, question_key
		LIMIT $%d`, len(args))
	return q.String(), args
}
