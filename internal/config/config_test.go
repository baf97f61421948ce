package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/internal/config"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	cfg, err := config.FromEnv(lookup(nil))
	if err != nil || cfg.LLMTimeout != 30*time.Second || cfg.RateLimitPerMinute != 6 || cfg.LLMEnabled() {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
	cfg, err = config.FromEnv(lookup(map[string]string{
		"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "LLM_TIMEOUT": "5s", "LLM_MAX_CONCURRENCY": "2",
		"ANSWER_CHANNEL_IDS": "123, 456", "MODERATOR_ROLE_IDS": "789", "LOG_FORMAT": "json", "LOG_LEVEL": "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.LLMEnabled() || cfg.LLMTimeout != 5*time.Second || cfg.LLMMaxConcurrency != 2 ||
		len(cfg.AnswerChannelIDs) != 2 || cfg.AnswerChannelIDs[1] != "456" || cfg.ModeratorRoleIDs[0] != "789" {
		t.Errorf("parsed: %+v", cfg)
	}
	// Every malformed value is reported at once, by name.
	_, err = config.FromEnv(lookup(map[string]string{
		"LLM_TIMEOUT": "soon", "LLM_MAX_CONCURRENCY": "0", "ANSWER_CHANNEL_IDS": "general",
		"DISCORD_GUILD_ID": "my-server", "LOG_FORMAT": "xml", "LOG_LEVEL": "loud",
	}))
	for _, name := range []string{"LLM_TIMEOUT", "LLM_MAX_CONCURRENCY", "ANSWER_CHANNEL_IDS", "DISCORD_GUILD_ID", "LOG_FORMAT", "LOG_LEVEL"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("malformed %s not reported: %v", name, err)
		}
	}
}

// TestEmptyMeansDefault: a setting present but empty takes its default, and
// a token pasted with its "Bot " prefix is taken without it.
func TestEmptyMeansDefault(t *testing.T) {
	t.Parallel()
	cfg, err := config.FromEnv(lookup(map[string]string{
		"OPENAI_MODEL": "", "LOG_FORMAT": "", "LOG_LEVEL": "", "LLM_TIMEOUT": " ", "DISCORD_TOKEN": "Bot abc.def",
	}))
	if err != nil {
		t.Fatal(err)
	}
	d := config.Defaults()
	if cfg.OpenAIModel != d.OpenAIModel || cfg.LogFormat != d.LogFormat || cfg.LogLevel != d.LogLevel || cfg.LLMTimeout != d.LLMTimeout {
		t.Errorf("empty settings: %+v", cfg)
	}
	if cfg.DiscordToken != "abc.def" {
		t.Errorf("token %q; want it without the Bot prefix", cfg.DiscordToken)
	}
}

func TestWithDotEnv(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("RATE_LIMIT_PER_MINUTE=3\nLOG_LEVEL=warn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := config.WithDotEnv(lookup(map[string]string{"LOG_LEVEL": "error"}), path, true)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.FromEnv(l)
	if err != nil || cfg.RateLimitPerMinute != 3 || cfg.LogLevel != "error" {
		t.Errorf("from .env under the environment: %+v, %v", cfg, err)
	}
	if _, err := config.WithDotEnv(lookup(nil), path+".missing", false); err != nil {
		t.Errorf("an optional missing .env: %v", err)
	}
	if _, err := config.WithDotEnv(lookup(nil), path+".missing", true); err == nil {
		t.Error("a required missing .env was accepted")
	}
}

func TestStaleAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  time.Duration
		bad   bool
	}{
		{"180d", 180 * 24 * time.Hour, false},
		{"30d", 30 * 24 * time.Hour, false},
		{"720h", 720 * time.Hour, false},
		{"0", 0, false},
		{"", 180 * 24 * time.Hour, false},
		{"soon", 0, true},
		{"-5d", 0, true},
	}
	for _, tt := range tests {
		cfg, err := config.FromEnv(func(k string) (string, bool) {
			if k == "STALE_AFTER" {
				return tt.value, true
			}
			return "", false
		})
		switch {
		case tt.bad && (err == nil || !strings.Contains(err.Error(), "STALE_AFTER")):
			t.Errorf("STALE_AFTER=%q: err %v, want one naming STALE_AFTER", tt.value, err)
		case !tt.bad && (err != nil || cfg.StaleAfter != tt.want):
			t.Errorf("STALE_AFTER=%q: %v, %v; want %v", tt.value, cfg.StaleAfter, err, tt.want)
		}
	}
}
