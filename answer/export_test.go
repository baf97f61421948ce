package answer

import (
	"context"
	"strings"

	"github.com/bytewatch/bytewatch/index"
)

// DefaultAnswerTokens is the room fitPrompt leaves for an answer when no
// cap is known.
const DefaultAnswerTokens = defaultAnswerTokens

// PromptSize measures the prompt for question with the first n of the
// sources the policy chooses: in words, as llmtest counts a prompt, and in
// tokens, as fitPrompt estimates them.
func PromptSize(ix *index.Index, question string, n int) (words, tokens int) {
	e := NewEngine(ix, Options{})
	res, err := ix.Search(context.Background(), question, searchLimit)
	if err != nil {
		panic(err)
	}
	sel := e.policy.decide(res, question, false, e.conflicts.get(res.Base))
	sel.hits = sel.hits[:min(n, len(sel.hits))]
	p, err := buildPrompt(question, res, sel, false)
	if err != nil {
		panic(err)
	}
	for _, m := range p.messages() {
		words += len(strings.Fields(m.Content))
	}
	return words, estimateTokens(p.messages())
}
