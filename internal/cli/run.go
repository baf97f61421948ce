package cli

import (
	"context"
	"log/slog"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/internal/config"
)

// configureLLM sets up the LLM composer when one is configured.
func configureLLM(_ context.Context, cfg config.Config, log *slog.Logger, _ *answer.Options) error {
	if cfg.LLMEnabled() {
		log.Warn("an LLM is configured but this build answers extractively")
	}
	return nil
}
