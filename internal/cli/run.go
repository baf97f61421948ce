package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/internal/config"
)

// configureLLM sets opts.LLM to a client of the configured OpenAI-compatible
// server when one is configured: OPENAI_API_KEY alone means OpenAI,
// OPENAI_BASE_URL alone a local server such as Ollama or llama.cpp. It sends
// nothing, so `bytewatch ask` costs no start-up request; a long-running
// command checks the setup once with checkLLM. A configuration the client
// rejects (a base URL that is not a URL, say) is an error. It returns the
// client, nil when no LLM is configured.
func configureLLM(cfg config.Config, log *slog.Logger, opts *answer.Options) (*llm.Client, error) {
	if !cfg.LLMEnabled() {
		return nil, nil
	}
	c, err := newLLMClient(cfg, log)
	if err != nil {
		return nil, err
	}
	opts.LLM = c
	opts.LLMBudget = cfg.LLMTimeout
	log.Debug("answers are composed by an LLM and verified", "model", c.Model(), "server", llmServer(cfg),
		"prompt_version", answer.PromptVersion, "timeout", cfg.LLMTimeout)
	return c, nil
}

// newLLMClient builds the client from the OPENAI_* and LLM_* settings.
func newLLMClient(cfg config.Config, log *slog.Logger) (*llm.Client, error) {
	c, err := llm.New(llm.Config{
		APIKey:         cfg.OpenAIAPIKey,
		BaseURL:        cfg.OpenAIBaseURL,
		Model:          cfg.OpenAIModel,
		Timeout:        cfg.LLMTimeout,
		MaxConcurrency: cfg.LLMMaxConcurrency,
		MaxTokens:      cfg.LLMMaxTokens,
		Logger:         log,
	})
	if err != nil {
		return nil, fmt.Errorf("LLM settings: %w", err)
	}
	return c, nil
}

// checkLLM makes one cheap request (it lists the server's models) to check
// the key and the model, for `bytewatch run` to call once at start-up so
// that a bad key or an unknown model is reported before the bot goes
// online rather than as extractive answers later. It returns nil when no
// LLM is configured. The error matches llm.ErrUnauthorized,
// llm.ErrUnknownModel, llm.ErrRejected (a wrong base URL) or
// llm.ErrUnavailable with errors.Is, names the setting to fix, and never
// contains the key. A caller may treat ErrUnavailable as a warning: the
// bot still answers, extractively, until the server comes back.
func checkLLM(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if !cfg.LLMEnabled() {
		return nil
	}
	c, err := newLLMClient(cfg, log)
	if err != nil {
		return err
	}
	if err := c.Check(ctx); err != nil {
		return fmt.Errorf("LLM check of %s: %w", llmServer(cfg), err)
	}
	return nil
}

// llmServer names the server for messages, without credentials.
func llmServer(cfg config.Config) string {
	if cfg.OpenAIBaseURL == "" {
		return "OpenAI's API"
	}
	u, err := url.Parse(cfg.OpenAIBaseURL)
	if err != nil {
		return "OPENAI_BASE_URL"
	}
	return llm.ShownURL(u)
}
