package config_test

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/joho/godotenv"

	"github.com/bytewatch/bytewatch/internal/config"
)

// envExample is the repository's .env.example.
var envExample = filepath.Join("..", "..", ".env.example")

// suggestion is a commented-out setting in .env.example: "# NAME=VALUE".
var suggestion = regexp.MustCompile(`^# ([A-Z][A-Z0-9_]*)=(.*)$`)

// TestEnvExampleGivesTheDefaults: .env.example copied unchanged to .env sets
// nothing, so bytewatch runs on the documented defaults; it lists every
// variable FromEnv reads and nothing else; each suggestion parses, and
// where a setting has a default the suggestion is that default.
func TestEnvExampleGivesTheDefaults(t *testing.T) {
	t.Parallel()
	vars, err := godotenv.Read(envExample)
	if err != nil {
		t.Fatal(err)
	}
	if len(vars) != 0 {
		t.Errorf(".env.example sets %v; every line should be a commented-out suggestion", vars)
	}
	cfg, err := config.FromEnv(lookup(vars))
	if err != nil || !reflect.DeepEqual(cfg, config.Defaults()) {
		t.Errorf(".env.example as .env gives %+v (%v); want the defaults %+v", cfg, err, config.Defaults())
	}

	// The variables FromEnv reads.
	var mu sync.Mutex
	read := map[string]bool{}
	if _, err := config.FromEnv(func(k string) (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		read[k] = true
		return "", false
	}); err != nil {
		t.Fatal(err)
	}

	f, err := os.Open(envExample)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := suggestion.FindStringSubmatch(sc.Text()); m != nil {
			if _, dup := listed[m[1]]; dup {
				t.Errorf("%s is suggested twice", m[1])
			}
			listed[m[1]] = m[2]
		}
	}
	for name := range read {
		if _, ok := listed[name]; !ok {
			t.Errorf("bytewatch reads %s, but .env.example does not list it as \"# %s=…\"", name, name)
		}
	}
	// Settings with no default: the suggestion is an example value.
	noDefault := []string{"KNOWLEDGE_DIR", "INDEX_PATH", "OPENAI_API_KEY", "OPENAI_BASE_URL", "DISCORD_TOKEN",
		"DISCORD_GUILD_ID", "ANSWER_CHANNEL_IDS", "MODERATOR_ROLE_IDS", "DISCORD_API_BASE_URL", "HEALTH_ADDR",
		"SHARD_COUNT", "SHARD_ID", "SHARD_IDS", "DATABASE_URL", "AUDIT_CHANNEL_ID"}
	for name, value := range listed {
		if !read[name] {
			t.Errorf(".env.example lists %s, which bytewatch does not read", name)
			continue
		}
		got, err := config.FromEnv(lookup(map[string]string{name: value}))
		if err != nil {
			t.Errorf("the suggestion %s=%s does not parse: %v", name, value, err)
			continue
		}
		if !slices.Contains(noDefault, name) && !reflect.DeepEqual(got, config.Defaults()) {
			t.Errorf("the suggestion %s=%s is not the default (%+v)", name, value, config.Defaults())
		}
		if slices.Contains(noDefault, name) && strings.TrimSpace(value) != "" && reflect.DeepEqual(got, config.Defaults()) {
			t.Errorf("%s=%s changes nothing; the suggestion should show a value to use", name, value)
		}
	}
}
