// Package answer turns a question into a cited Answer: it retrieves the best
// facts from the index, composes an answer from them (extractively, or with an
// LLM when one is configured), verifies the citations and figures, and falls
// back to the extractive answer when verification fails. Every entry point —
// the CLI, slash commands, mentions and answer channels — goes through Ask;
// a follow-up in a conversation goes through AskFollowUp, which rewrites it
// as the stand-alone question it asks and answers that with Ask.
package answer

import (
	"time"

	"github.com/bytewatch/bytewatch/knowledge"
)

// Mode says which composer produced the text shown.
type Mode string

// The composers.
const (
	ModeExtractive Mode = "extractive"
	ModeLLM        Mode = "llm"
)

// Citation is one fact an answer rests on; N is its [n] marker.
type Citation struct {
	N           int            `json:"n"`
	FactID      string         `json:"fact_id"`
	SourceID    string         `json:"source_id"`
	SourceTitle string         `json:"source_title"`
	Attribution string         `json:"attribution"`
	AsOf        knowledge.Date `json:"-"`
	Text        string         `json:"text"`
	Score       float64        `json:"score"`
}

// Usage counts the LLM tokens an answer cost.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Verification reports what the verifier checked in an LLM-composed answer.
type Verification struct {
	FiguresChecked int      `json:"figures_checked"`
	Problems       []string `json:"problems"`
	Repaired       bool     `json:"repaired"`
	FellBack       bool     `json:"fell_back"`
}

// Answer is the result of Ask, rendered by its caller (CLI text or JSON, a
// Discord embed).
type Answer struct {
	Question string
	// Standalone is the stand-alone question a follow-up was answered as
	// ("How much is Microsoft investing in AI?" for "and Microsoft?");
	// empty when the question was answered as itself. See AskFollowUp.
	Standalone string
	// Text carries [n] markers that index Citations.
	Text string
	// Answered is false when the sources do not cover the question; Text then
	// says so and Citations is empty.
	Answered bool
	Mode     Mode
	// Advice is set when the question asked for investment advice; Text then
	// ends with the not-investment-advice line.
	Advice bool
	// Note is a one-line remark for the reader, such as why an LLM answer
	// was replaced by the extractive one. Empty when there is nothing to say.
	Note string
	// Stale says how old the answer's newest source is when that is past
	// Options.StaleAfter: "The newest source of this answer is from
	// January 2025, 22 months ago; …". Empty for a fresh answer.
	Stale     string
	Citations []Citation
	// Closest are the facts nearest to a question the sources don't
	// answer, shown as such; empty when answered or nothing came close.
	Closest []Citation
	// AboutSources is set when the question asked about the sources
	// themselves and the answer comes from their metadata.
	AboutSources  bool
	IndexVersion  string
	KnowledgeAsOf knowledge.Date
	Model         string        // the LLM model, when one composed or was tried
	PromptVersion string        // the prompt template version, when an LLM was used
	Usage         *Usage        // nil when no LLM was called
	Verification  *Verification // nil when no LLM answer was verified
	Took          time.Duration
	Timings       Timings
}

// Timings break an answer's time down for metrics and logs.
type Timings struct {
	Retrieval time.Duration // searching the index and deciding
	LLM       time.Duration // composing with the LLM, verification included; 0 without one
}

// Outcome names how an answer ended, for logs and metrics.
func (a Answer) Outcome() string {
	switch {
	case a.Verification != nil && a.Verification.FellBack:
		return "fallback"
	case !a.Answered:
		return "not_covered"
	default:
		return "answered"
	}
}

// Answering is the question an answer actually answers: the stand-alone
// form of a follow-up, or the question itself.
func (a Answer) Answering() string {
	if a.Standalone != "" {
		return a.Standalone
	}
	return a.Question
}
