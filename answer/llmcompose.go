package answer

import (
	"context"

	"github.com/bytewatch/bytewatch/index"
)

// composeLLM is replaced by the LLM composer; until then answers stay extractive.
func (e *Engine) composeLLM(_ context.Context, extractive Answer, _ index.Result, _ selection, _ func(string)) Answer {
	return extractive
}
