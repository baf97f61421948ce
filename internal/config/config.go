// Package config reads bytewatch's settings from the environment and an
// optional .env file; command-line flags override both. Every setting is
// listed, with a comment, in .env.example.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
)

// Config is every setting bytewatch reads.
type Config struct {
	KnowledgeDir string // KNOWLEDGE_DIR: a folder of knowledge YAML replacing the embedded base
	IndexPath    string // INDEX_PATH: where the index lives on disk; empty keeps it in memory

	OpenAIAPIKey      string        // OPENAI_API_KEY
	OpenAIBaseURL     string        // OPENAI_BASE_URL
	OpenAIModel       string        // OPENAI_MODEL
	LLMTimeout        time.Duration // LLM_TIMEOUT
	LLMMaxConcurrency int           // LLM_MAX_CONCURRENCY
	LLMMaxTokens      int           // LLM_MAX_TOKENS

	DiscordToken       string   // DISCORD_TOKEN
	DiscordGuildID     string   // DISCORD_GUILD_ID
	DiscordAPIBaseURL  string   // DISCORD_API_BASE_URL
	AnswerChannelIDs   []string // ANSWER_CHANNEL_IDS
	ModeratorRoleIDs   []string // MODERATOR_ROLE_IDS
	AuditChannelID     string   // AUDIT_CHANNEL_ID: where knowledge changes are posted
	RateLimitPerMinute int      // RATE_LIMIT_PER_MINUTE
	ShardCount         int      // SHARD_COUNT: 0 unsharded, ShardCountAuto for "auto"
	ShardIDs           []int    // SHARD_ID or SHARD_IDS: this process's shards; nil for all

	// StaleAfter is how old an answer's newest source may be before the
	// answer says so (STALE_AFTER: "180d" or a Go duration; 0 for never).
	StaleAfter time.Duration

	DataDir        string // DATA_DIR: where the SQLite records live (bytewatch.db)
	DatabaseURL    string // DATABASE_URL: PostgreSQL for the records instead of SQLite
	StoreQuestions bool   // STORE_QUESTIONS: keep the questions' text in the records
	RetentionDays  int    // RETENTION_DAYS: how long records are kept

	HealthAddr string // HEALTH_ADDR
	LogFormat  string // LOG_FORMAT: text or json
	LogLevel   string // LOG_LEVEL: debug, info, warn, error
}

// Defaults are the values used when a variable is unset.
func Defaults() Config {
	return Config{
		OpenAIModel:        "gpt-4o-mini",
		LLMTimeout:         30 * time.Second,
		LLMMaxConcurrency:  4,
		LLMMaxTokens:       700,
		RateLimitPerMinute: 6,
		StaleAfter:         180 * 24 * time.Hour,
		DataDir:            "./data",
		StoreQuestions:     true,
		RetentionDays:      90,
		LogFormat:          "text",
		LogLevel:           "info",
	}
}

// LLMEnabled reports whether answers should be composed by an LLM: a key
// means OpenAI (or the base URL's server), a base URL alone a local server.
func (c Config) LLMEnabled() bool { return c.OpenAIAPIKey != "" || c.OpenAIBaseURL != "" }

// WithDotEnv returns a lookup that reads lookup first and then the
// variables of the .env file at path, so that the environment wins over the
// file. The process environment is left alone. A missing file is not an
// error unless required.
func WithDotEnv(lookup func(string) (string, bool), path string, required bool) (func(string) (string, bool), error) {
	vars, err := godotenv.Read(path)
	if err != nil && !required && errors.Is(err, os.ErrNotExist) {
		return lookup, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return func(name string) (string, bool) {
		if v, ok := lookup(name); ok {
			return v, true
		}
		v, ok := vars[name]
		return v, ok
	}, nil
}

// FromEnv reads the configuration from lookup (os.LookupEnv in production),
// reporting every malformed value at once.
func FromEnv(lookup func(string) (string, bool)) (Config, error) {
	c := Defaults()
	var errs []error
	str := func(name string, dst *string) {
		if v, ok := lookup(name); ok {
			*dst = strings.TrimSpace(v)
		}
	}
	num := func(name string, dst *int, minimum int) {
		v, ok := lookup(name)
		if !ok || strings.TrimSpace(v) == "" {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < minimum {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number of at least %d", name, v, minimum))
			return
		}
		*dst = n
	}
	dur := func(name string, dst *time.Duration) {
		v, ok := lookup(name)
		if !ok || strings.TrimSpace(v) == "" {
			return
		}
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive duration such as 30s", name, v))
			return
		}
		*dst = d
	}
	ids := func(name string, dst *[]string) {
		v, ok := lookup(name)
		if !ok {
			return
		}
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if _, err := strconv.ParseUint(f, 10, 64); err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a Discord id (a number)", name, f))
				continue
			}
			*dst = append(*dst, f)
		}
	}
	str("KNOWLEDGE_DIR", &c.KnowledgeDir)
	str("INDEX_PATH", &c.IndexPath)
	str("OPENAI_API_KEY", &c.OpenAIAPIKey)
	str("OPENAI_BASE_URL", &c.OpenAIBaseURL)
	str("OPENAI_MODEL", &c.OpenAIModel)
	dur("LLM_TIMEOUT", &c.LLMTimeout)
	num("LLM_MAX_CONCURRENCY", &c.LLMMaxConcurrency, 1)
	num("LLM_MAX_TOKENS", &c.LLMMaxTokens, 16)
	str("DISCORD_TOKEN", &c.DiscordToken)
	str("DISCORD_GUILD_ID", &c.DiscordGuildID)
	str("DISCORD_API_BASE_URL", &c.DiscordAPIBaseURL)
	ids("ANSWER_CHANNEL_IDS", &c.AnswerChannelIDs)
	ids("MODERATOR_ROLE_IDS", &c.ModeratorRoleIDs)
	str("AUDIT_CHANNEL_ID", &c.AuditChannelID)
	num("RATE_LIMIT_PER_MINUTE", &c.RateLimitPerMinute, 1)
	if v, ok := lookup("STALE_AFTER"); ok && strings.TrimSpace(v) != "" {
		d, err := parseAge(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("STALE_AFTER=%q: want days such as 180d, a Go duration, or 0 for never", v))
		} else {
			c.StaleAfter = d
		}
	}
	errs = append(errs, readShards(lookup, &c)...)
	str("DATA_DIR", &c.DataDir)
	str("DATABASE_URL", &c.DatabaseURL)
	if v, ok := lookup("STORE_QUESTIONS"); ok && strings.TrimSpace(v) != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("STORE_QUESTIONS=%q: want true or false", v))
		}
		c.StoreQuestions = b || err != nil
	}
	num("RETENTION_DAYS", &c.RetentionDays, 1)
	if c.DataDir == "" {
		c.DataDir = Defaults().DataDir
	}
	str("HEALTH_ADDR", &c.HealthAddr)
	str("LOG_FORMAT", &c.LogFormat)
	str("LOG_LEVEL", &c.LogLevel)
	if c.LogFormat == "" {
		c.LogFormat = Defaults().LogFormat
	}
	if c.LogLevel == "" {
		c.LogLevel = Defaults().LogLevel
	}
	c.LogFormat = strings.ToLower(c.LogFormat)
	if c.DiscordGuildID != "" {
		if _, err := strconv.ParseUint(c.DiscordGuildID, 10, 64); err != nil {
			errs = append(errs, fmt.Errorf("DISCORD_GUILD_ID: %q is not a Discord id (a number)", c.DiscordGuildID))
		}
	}
	if c.AuditChannelID != "" {
		if _, err := strconv.ParseUint(c.AuditChannelID, 10, 64); err != nil {
			errs = append(errs, fmt.Errorf("AUDIT_CHANNEL_ID: %q is not a Discord id (a number)", c.AuditChannelID))
		}
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("LOG_FORMAT=%q: want text or json", c.LogFormat))
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel))
	}
	if c.OpenAIModel == "" {
		// Set but empty means the default, as for every other setting.
		c.OpenAIModel = Defaults().OpenAIModel
	}
	// A token pasted with its "Bot " prefix would be sent as "Bot Bot …".
	c.DiscordToken = strings.TrimSpace(strings.TrimPrefix(c.DiscordToken, "Bot "))
	return c, errors.Join(errs...)
}

// parseAge reads "180d", a Go duration ("4320h") or "0".
func parseAge(v string) (time.Duration, error) {
	if v == "0" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad days %q", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q", v)
	}
	return d, nil
}
