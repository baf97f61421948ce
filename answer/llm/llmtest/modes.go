package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Story is what a tiny local model that writes children's stories answers,
// whatever it is asked: fluent, and not a word of it from the sources.
const Story = "Once upon a time, Lily found a red ball in the garden. She showed it to her little dog Max. Max wagged his tail, and they played until the sun went down."

// OffTopicNotCovered is a fluent reply that ignores the question and reads
// like a refusal.
const OffTopicNotCovered = "Lily can't find her red ball. She was sad."

// Citing puts the marker [n] before the full stop of every sentence of
// text: "… garden [1]. She showed …[1]." — a story that cites.
func Citing(text string, n int) string {
	marker := fmt.Sprintf(" [%d].", n)
	parts := strings.SplitAfter(text, ". ")
	for i, p := range parts {
		p = strings.TrimRight(p, " ")
		if strings.HasSuffix(p, ".") {
			p = strings.TrimSuffix(p, ".") + marker
		}
		parts[i] = p
	}
	return strings.Join(parts, " ")
}

// KVSizeMessage is llama.cpp's error for a prompt longer than its context.
const KVSizeMessage = "Input prompt is too big compared to KV size."

// PromptTooBig answers like llama.cpp's server started with a small context
// (-c): a request whose prompt is over maxPromptTokens (counted as words,
// a little under a real tokenizer's count) gets a 200 event stream whose
// first event is the error {"error":{"code":500,"message":KVSizeMessage}};
// smaller prompts go to next.
func PromptTooBig(maxPromptTokens int, next Handler) Handler {
	return func(w http.ResponseWriter, r *Request) {
		if promptWords(r) <= maxPromptTokens {
			next(w, r)
			return
		}
		flusher, ok := w.(http.Flusher)
		if !ok {
			http.Error(w, "llmtest: response writer cannot flush", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		flusher.Flush()
		r.Ended()
		data, _ := json.Marshal(map[string]any{"error": map[string]any{
			"code": 500, "message": KVSizeMessage, "type": "server_error",
		}})
		fmt.Fprintf(w, "data: %s\n\n", data)
		flusher.Flush()
	}
}

func promptWords(r *Request) int {
	n := 0
	if r.Chat != nil {
		for _, m := range r.Chat.Messages {
			n += len(strings.Fields(m.Content))
		}
	}
	return n
}

// LlamaCppProps makes the server answer GET /props as llama.cpp's does,
// with its context size (-c) and answer cap (-n; 0 for none, sent as -1).
func LlamaCppProps(contextTokens, maxTokens int) Option {
	return func(s *Server) { s.props = &props{nCtx: contextTokens, nPredict: maxTokens} }
}

type props struct{ nCtx, nPredict int }

func (s *Server) serveProps(w http.ResponseWriter) {
	np := s.props.nPredict
	if np == 0 {
		np = -1
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"default_generation_settings": map[string]any{
			"n_ctx": s.props.nCtx, "params": map[string]any{"n_predict": np},
		},
		"total_slots": 1, "model_path": "models/llmtest.gguf",
	})
}
