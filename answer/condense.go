package answer

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/bytewatch/bytewatch/answer/llm"
)

// condensePrompt asks an LLM for the stand-alone question a follow-up asks.
// The reply is checked (checkCondensed) before it is used.
const condensePrompt = `You rewrite the last question of a conversation as one stand-alone question.
Use only words that appear in the conversation. Keep the names, years and topic the earlier questions give when the last question leaves them out.
If the last question already stands on its own, repeat it unchanged.
Reply with the question only, on one line, with no preamble and no answer.`

// condenseLLM asks the LLM for the stand-alone question and checks it. ok
// is false when the LLM fails, is slow, or writes a word the conversation
// does not have; the caller then uses the extractive rewrite.
func (e *Engine) condenseLLM(ctx context.Context, c *condenser, turns []string, q string) (string, bool) {
	ctx, cancel := e.llmContext(ctx)
	defer cancel()
	var conv strings.Builder
	for i, t := range turns {
		conv.WriteString("Earlier question ")
		conv.WriteString(strconv.Itoa(i + 1))
		conv.WriteString(": ")
		conv.WriteString(t)
		conv.WriteString("\n")
	}
	conv.WriteString("Last question: ")
	conv.WriteString(q)
	msgs := []llm.Message{{Role: "system", Content: condensePrompt}, {Role: "user", Content: conv.String()}}
	out, err := e.llm.Stream(ctx, msgs, nil)
	if err != nil {
		e.log.Info("answer: the LLM could not condense a follow-up; the extractive rewrite is used", "error", err)
		return "", false
	}
	s, ok := c.checkCondensed(append(append([]string{}, turns...), q), out.Text)
	if !ok {
		e.log.Info("answer: the LLM's stand-alone question used words the conversation does not have; the extractive rewrite is used")
	}
	return s, ok
}

var numberRE = regexp.MustCompile(`\d+(?:[.,]\d+)*`)

// checkCondensed accepts an LLM's stand-alone question only when every
// word it analyses to is a word of the conversation or a question word,
// every number in it is in the conversation, and it is one question of a
// sensible length. It returns the question cleaned.
func (c *condenser) checkCondensed(conversation []string, reply string) (string, bool) {
	s := strings.TrimSpace(reply)
	s = strings.Trim(s, "\"'`“”")
	s = strings.TrimPrefix(s, "Stand-alone question:")
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, "\n") {
		return "", false
	}
	s, err := CleanQuestion(s)
	if err != nil || len(s) > 400 {
		return "", false
	}
	known := map[string]bool{}
	all := strings.Join(conversation, "\n")
	for _, t := range c.an.Terms(all) {
		known[t.Term] = true
		for _, k := range t.Concepts {
			known["concept:"+k] = true
		}
	}
	for _, t := range c.an.Terms(s) {
		if t.QuestionWord || known[t.Term] {
			continue
		}
		return "", false
	}
	for _, n := range numberRE.FindAllString(s, -1) {
		if !strings.Contains(all, n) {
			return "", false
		}
	}
	return finish(s), true
}
