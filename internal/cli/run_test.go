package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
	"github.com/bytewatch/bytewatch/internal/config"
)

// firstSourceReply is a fake model that answers with the prompt's first
// source, cited: a grounded answer whatever the retrieval picked.
func firstSourceReply(t *testing.T) llmtest.Handler {
	return func(w http.ResponseWriter, r *llmtest.Request) {
		user := r.Chat.LastUser()
		_, rest, ok := strings.Cut(user, "[1] fact ")
		_, rest, ok2 := strings.Cut(rest, "statement: ")
		statement, _, _ := strings.Cut(rest, "\n")
		if !ok || !ok2 || statement == "" {
			t.Errorf("no source [1] in the prompt:\n%s", user)
		}
		llmtest.Reply(strings.TrimSuffix(statement, ".")+" [1].", llmtest.Usage(321, 17))(w, r)
	}
}

func askJSON(t *testing.T, env map[string]string, question string) (answer.JSON, string) {
	t.Helper()
	var out, errb bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := Main(context.Background(), []string{"ask", "--json", question}, Env{Stdout: &out, Stderr: &errb, Lookup: lookup})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got answer.JSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	return got, out.String()
}

func TestAskJSONWithLLM(t *testing.T) {
	const question = "How much is ByteDance investing in AI infrastructure?"
	srv := llmtest.New(t, firstSourceReply(t))
	env := map[string]string{"OPENAI_BASE_URL": srv.URL, "OPENAI_MODEL": llmtest.DefaultModel, "LLM_TIMEOUT": "10s"}
	got, raw := askJSON(t, env, question)

	if got.Mode != answer.ModeLLM || got.Model != llmtest.DefaultModel || got.PromptVersion != answer.PromptVersion {
		t.Errorf("mode %q, model %q, prompt version %q; want llm, %q, %q", got.Mode, got.Model, got.PromptVersion, llmtest.DefaultModel, answer.PromptVersion)
	}
	if got.Usage == nil || *got.Usage != (answer.Usage{PromptTokens: 321, CompletionTokens: 17, TotalTokens: 338}) {
		t.Errorf("usage %+v", got.Usage)
	}
	if v := got.Verification; v == nil || v.FiguresChecked == 0 || len(v.Problems) != 0 || v.Repaired || v.FellBack {
		t.Errorf("verification %+v", got.Verification)
	}
	if !got.Answered || len(got.Citations) != 1 || got.Citations[0].N != 1 || !strings.HasSuffix(got.Answer, "[1].") {
		t.Errorf("answered %v, citations %+v, answer %q", got.Answered, got.Citations, got.Answer)
	}
	for _, key := range []string{`"model"`, `"prompt_version"`, `"usage"`, `"verification"`, `"figures_checked"`, `"fell_back"`, `"problems": []`, `"mode": "llm"`} {
		if !strings.Contains(raw, key) {
			t.Errorf("the JSON lacks %s:\n%s", key, raw)
		}
	}
	// ask made its one call and no start-up check.
	for _, r := range srv.Requests() {
		if r.Path != "/v1/chat/completions" {
			t.Errorf("ask sent %s %s; it should only ask for a completion", r.Method, r.Path)
		}
	}
	if n := len(srv.ChatRequests()); n != 1 {
		t.Errorf("%d chat requests, want 1", n)
	}
}

func TestAskJSONWhenTheLLMFails(t *testing.T) {
	const key = "sk-bytewatch-cli-SECRET-7788"
	srv := llmtest.New(t, firstSourceReply(t), llmtest.RequireKey("sk-another-key-entirely"), llmtest.LeakKey())
	env := map[string]string{"OPENAI_API_KEY": key, "OPENAI_BASE_URL": srv.URL, "OPENAI_MODEL": llmtest.DefaultModel}
	got, raw := askJSON(t, env, "How much is ByteDance investing in AI infrastructure?")
	if got.Mode != answer.ModeExtractive || got.Note != answer.NoteLLMUnavailable || !got.Answered || got.Answer == "" {
		t.Errorf("mode %q, note %q, answered %v; want the extractive answer with a note", got.Mode, got.Note, got.Answered)
	}
	if got.Verification == nil || !got.Verification.FellBack {
		t.Errorf("verification %+v; want fell_back", got.Verification)
	}
	if strings.Contains(raw, key) {
		t.Errorf("the key is in the output:\n%s", raw)
	}
}

func TestConfigureLLM(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		name    string
		cfg     config.Config
		wantLLM bool
		wantErr string
	}{
		{"none", config.Defaults(), false, ""},
		{"OpenAI: a key alone", withLLM(func(c *config.Config) { c.OpenAIAPIKey = "sk-test" }), true, ""},
		{"local server: a base URL alone", withLLM(func(c *config.Config) {
			c.OpenAIBaseURL, c.OpenAIModel = "http://127.0.0.1:11434/v1", "llama3.1:8b"
		}), true, ""},
		{"bad base URL", withLLM(func(c *config.Config) { c.OpenAIBaseURL = "localhost:11434" }), false, "OPENAI_BASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts answer.Options
			client, err := configureLLM(tt.cfg, log, &opts)
			if (err != nil) != (tt.wantErr != "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v; want one mentioning %q", err, tt.wantErr)
			}
			if (opts.LLM != nil) != tt.wantLLM || (client != nil) != tt.wantLLM {
				t.Errorf("LLM set = %v, client %v; want %v", opts.LLM != nil, client != nil, tt.wantLLM)
			}
		})
	}
}

func withLLM(edit func(*config.Config)) config.Config {
	c := config.Defaults()
	edit(&c)
	return c
}

func TestCheckLLM(t *testing.T) {
	const key = "sk-bytewatch-check-SECRET-1234"
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name     string
		srvOpts  []llmtest.Option
		key      string
		model    string
		wantKind error
		wantText string
	}{
		{name: "working setup", key: key, model: llmtest.DefaultModel},
		{name: "local server without a key", model: llmtest.DefaultModel},
		{name: "bad key", srvOpts: []llmtest.Option{llmtest.RequireKey("sk-the-right-one"), llmtest.LeakKey()}, key: key,
			model: llmtest.DefaultModel, wantKind: llm.ErrUnauthorized, wantText: "OPENAI_API_KEY"},
		{name: "unknown model", key: key, model: "gpt-nonexistent", wantKind: llm.ErrUnknownModel, wantText: "OPENAI_MODEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, nil, tt.srvOpts...)
			cfg := withLLM(func(c *config.Config) {
				c.OpenAIAPIKey, c.OpenAIBaseURL, c.OpenAIModel, c.LLMTimeout = tt.key, srv.URL, tt.model, 5*time.Second
			})
			err := checkLLM(context.Background(), cfg, log)
			if tt.wantKind == nil {
				if err != nil {
					t.Fatalf("checkLLM: %v", err)
				}
			} else if !errors.Is(err, tt.wantKind) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err = %v; want %v naming %s", err, tt.wantKind, tt.wantText)
			}
			if err != nil && strings.Contains(err.Error(), key) {
				t.Errorf("the key is in the error: %v", err)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("the check sent %d requests; want one", n)
			}
			if n := len(srv.ChatRequests()); n != 0 {
				t.Errorf("the check asked for %d completions; it should be cheaper", n)
			}
		})
	}
	if err := checkLLM(context.Background(), config.Defaults(), log); err != nil {
		t.Errorf("checkLLM with no LLM configured: %v", err)
	}
}
