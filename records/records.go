package records

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Outcomes of a question as records keep them.
const (
	OutcomeAnswered   = "answered"      // an answer from the facts (an LLM fallback included)
	OutcomeClosest    = "closest_facts" // not answered; the closest facts were shown
	OutcomeNotCovered = "not_covered"   // not answered and nothing came close
	OutcomeRefused    = "refused"       // rate limited, or a question that cannot be asked
	OutcomeError      = "error"         // something failed
)

// Entry points, as the metrics name them (internal/ops).
const (
	EntrySlash   = "slash_command"
	EntryMention = "mention"
	EntryChannel = "answer_channel"
)

// Vote values.
const (
	Up   = 1
	Down = -1
)

// Reasons a person gives for a 👎.
const (
	ReasonWrongFigure = "wrong_figure"
	ReasonOutOfDate   = "out_of_date"
	ReasonNotAnswered = "not_answered"
	ReasonOther       = "other"
)

// Reasons lists the 👎 reasons in the order they are offered.
var Reasons = []string{ReasonWrongFigure, ReasonOutOfDate, ReasonNotAnswered, ReasonOther}

// ReasonLabel is how a reason reads to a person.
func ReasonLabel(reason string) string {
	switch reason {
	case ReasonWrongFigure:
		return "Wrong figure"
	case ReasonOutOfDate:
		return "Out of date"
	case ReasonNotAnswered:
		return "Didn't answer my question"
	case ReasonOther:
		return "Other"
	}
	return reason
}

// ValidReason reports whether reason is one of Reasons (or empty: none).
func ValidReason(reason string) bool {
	return reason == "" || reason == ReasonWrongFigure || reason == ReasonOutOfDate ||
		reason == ReasonNotAnswered || reason == ReasonOther
}

// MaxReasonText bounds the free text of an "other" reason, in characters.
const MaxReasonText = 500

// Question is the record of one question.
type Question struct {
	ID        string
	AskedAt   time.Time
	GuildID   string // empty in a DM
	ChannelID string
	Entry     string // EntrySlash, EntryMention, EntryChannel
	UserHash  string // HashUser of the asker's id, never the id
	// Question is the question's text; empty when STORE_QUESTIONS=false
	// (HasText tells an empty question from one not kept).
	Question     string
	HasText      bool
	Outcome      string   // Outcome*
	FactIDs      []string // the cited facts, in citation order
	IndexVersion string
	Mode         string // extractive, llm, …
	Latency      time.Duration
}

// Vote is one person's vote on one answer.
type Vote struct {
	QuestionID string
	VoterHash  string
	Value      int    // Up or Down
	Reason     string // a Reasons value, or empty
	ReasonText string // the words of an "other" reason, at most MaxReasonText characters
	At         time.Time
}

// Forgotten counts what Forget deleted.
type Forgotten struct {
	Questions, Votes int64
}

// GuildSettings are one server's settings; nil fields mean the
// environment's default.
type GuildSettings struct {
	GuildID          string
	AnswerChannelIDs *[]string
	ModeratorRoleIDs *[]string
	AuditChannelID   *string
	RateLimit        *int
	UpdatedAt        time.Time
}

// ErrNotFound means the record asked for is not (or no longer) kept.
var ErrNotFound = errors.New("records: not found")

// ErrInvalid wraps a record the store refuses as malformed.
var ErrInvalid = errors.New("records: invalid")

// Store is the database of records. OpenSQLite and OpenPostgres return one;
// both pass the same table of tests. It is safe for concurrent use.
type Store interface {
	// AddQuestion stores q; q.ID must be new.
	AddQuestion(ctx context.Context, q Question) error
	// Question returns the record with the id, or ErrNotFound.
	Question(ctx context.Context, id string) (Question, error)
	// Questions lists the records of questions asked at or after since,
	// oldest first.
	Questions(ctx context.Context, since time.Time) ([]Question, error)
	// Vote stores v, replacing the voter's earlier vote on the same answer,
	// and returns the earlier vote's value (0 for none). A 👎 repeated
	// without a reason keeps the reason already given. ErrNotFound when
	// the question is not kept.
	Vote(ctx context.Context, v Vote) (previous int, err error)
	// Votes lists the votes cast at or after since.
	Votes(ctx context.Context, since time.Time) ([]Vote, error)
	// Forget deletes the questions asked by userHash (with every vote on
	// them) and the votes userHash cast.
	Forget(ctx context.Context, userHash string) (Forgotten, error)
	// Purge deletes questions and votes older than before, and votes left
	// without their question.
	Purge(ctx context.Context, before time.Time) (Forgotten, error)
	// Salt returns the salt of the user hashes, made once per database.
	Salt(ctx context.Context) ([]byte, error)
	// Settings returns a server's settings; found is false when it has
	// none.
	Settings(ctx context.Context, guildID string) (s GuildSettings, found bool, err error)
	// SaveSettings stores a server's settings, replacing what it had.
	SaveSettings(ctx context.Context, s GuildSettings) error
	// AnsweredQuestions lists questions asked in guildID that were
	// answered, matching what a person has typed, for /ask's suggestions
	// (suggest.go says which, and in which order).
	AnsweredQuestions(ctx context.Context, guildID, typed string, limit int) ([]string, error)
	// TakeAllowance takes one question from key's allowance of perMinute
	// questions a minute at now — a bucket of perMinute, refilled one
	// every minute/perMinute — atomically across every process on the
	// database. When none is left it reports false and how long until
	// there is one.
	TakeAllowance(ctx context.Context, key string, perMinute int, now time.Time) (ok bool, wait time.Duration, err error)
	// PruneAllowances deletes the allowances that are full again at now,
	// and says how many.
	PruneAllowances(ctx context.Context, now time.Time) (int64, error)
	// SchemaVersion is the version of the schema the database is at.
	SchemaVersion(ctx context.Context) (int, error)
	Close() error
}

// NewID returns a new record id: 16 random characters of base32 (a-z2-7),
// short enough for a button's custom_id.
func NewID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// ValidID reports whether id could be a NewID: what a button's custom_id
// carries is checked before it reaches the database.
func ValidID(id string) bool {
	if len(id) != 16 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// HashUser is the salted hash under which a user's records are kept:
// HMAC-SHA256 of the id, 32 hex digits. Without the database's salt it
// cannot be turned back into the id by trying every id.
func HashUser(salt []byte, userID string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))[:32]
}
