package answer

import (
	"context"

	"github.com/bytewatch/bytewatch/answer/llm"
)

// LLM is what the engine needs of a language model: one streaming call.
// *llm.Client implements it; tests give their own.
type LLM interface {
	Stream(ctx context.Context, msgs []llm.Message, onText func(soFar string)) (llm.Completion, error)
}
