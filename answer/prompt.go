package answer

import (
	_ "embed" // the prompt templates
	"fmt"
	"strings"
	"text/template"

	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// PromptVersion names the prompt template LLM answers are composed with
// (answer/prompts/v2.tmpl; v2 takes what the sources cover from the knowledge); answers report it in Answer.PromptVersion.
const PromptVersion = "v2"

//go:embed prompts/v2.tmpl
var promptV1 string

// promptTemplates is parsed once and only ever executed, which is safe for
// concurrent use.
var promptTemplates = template.Must(template.New(PromptVersion).Option("missingkey=error").Parse(promptV1))

// promptSource is one numbered source as the prompt shows it.
type promptSource struct {
	N             int
	FactID        string
	Attribution   string
	AsOf          string
	Statement     string
	DisagreesWith string // "[2]" or "[2][3]"; empty when no source disagrees
	// Updates is "[2]" when this source revises source [2] (the fact's
	// updates:); empty otherwise.
	Updates string
}

type promptData struct {
	// Covers is what the sources cover, in the knowledge's own words.
	Covers        string
	Question      string
	KnowledgeAsOf string
	Advice        bool
	Sources       []promptSource
}

// prompt is the conversation that asks the model for an answer, and the
// numbered facts the answer is verified against.
type prompt struct {
	system, user string
	// sources[n] is the fact the prompt numbers [n]: the same facts, with the
	// same numbers, as the extractive answer's citations.
	sources map[int]knowledge.Fact
}

// buildPrompt writes the prompt for a question the policy decided to
// answer from sel.hits.
func buildPrompt(question string, res index.Result, sel selection, advice bool) (prompt, error) {
	p := prompt{sources: make(map[int]knowledge.Fact, len(sel.hits))}
	number := make(map[string]int, len(sel.hits))
	for i, h := range sel.hits {
		p.sources[i+1] = h.Fact
		number[h.Fact.ID] = i + 1
	}
	data := promptData{Question: untrusted(question), Advice: advice}
	data.Covers = "the facts in its sources"
	if res.Base != nil {
		data.KnowledgeAsOf = res.Base.LatestAsOf().Human()
		if c := res.Base.About().Covers; c != "" {
			data.Covers = c
		} else if s := res.Base.About().Subject; s != "" {
			data.Covers = s
		}
	}
	for i, h := range sel.hits {
		var disagree strings.Builder
		for _, id := range sel.conflict[h.Fact.ID] {
			if n, ok := number[id]; ok && n != i+1 {
				fmt.Fprintf(&disagree, "[%d]", n)
			}
		}
		var updates string
		if n, ok := number[h.Fact.Updates]; ok && h.Fact.Updates != "" && n != i+1 {
			updates = fmt.Sprintf("[%d]", n)
		}
		data.Sources = append(data.Sources, promptSource{
			N: i + 1, FactID: untrusted(h.Fact.ID), Attribution: untrusted(h.Fact.Attribution),
			AsOf: h.Fact.AsOf.Human(), Statement: untrusted(h.Fact.Statement), DisagreesWith: disagree.String(),
			Updates: updates,
		})
	}
	var err error
	if p.system, err = execute("system", data); err != nil {
		return prompt{}, err
	}
	if p.user, err = execute("user", data); err != nil {
		return prompt{}, err
	}
	return p, nil
}

// messages is the first call's conversation.
func (p prompt) messages() []llm.Message {
	return []llm.Message{{Role: "system", Content: p.system}, {Role: "user", Content: p.user}}
}

// repairMessages is the conversation for the one repair attempt: the first
// answer as the model gave it, then the problems the verifier found.
func (p prompt) repairMessages(answer string, problems []string) ([]llm.Message, error) {
	turn, err := execute("repair", struct {
		Problems []string
		Sources  int
	}{Problems: problems, Sources: len(p.sources)})
	if err != nil {
		return nil, err
	}
	return append(p.messages(), llm.Message{Role: "assistant", Content: answer}, llm.Message{Role: "user", Content: turn}), nil
}

func execute(name string, data any) (string, error) {
	var b strings.Builder
	if err := promptTemplates.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("answer: prompt %s: %w", PromptVersion, err)
	}
	return b.String(), nil
}

// untrusted makes text from a user or a knowledge file safe to put inside
// the prompt's delimited blocks: it cannot close a block ("</question>")
// or start a new line that looks like one of the prompt's own.
func untrusted(s string) string {
	return untrustedReplacer.Replace(s)
}

var untrustedReplacer = strings.NewReplacer("<", "‹", ">", "›", "\r\n", " ", "\n", " ", "\r", " ")
