package llmtest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// post sends a chat completion request and returns the response.
func post(t *testing.T, srv *llmtest.Server, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func get(t *testing.T, srv *llmtest.Server, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// events reads the SSE data payloads of a response to its end.
func events(t *testing.T, body io.Reader) ([]string, error) {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("line %q is not a data line", line)
		}
		out = append(out, data)
	}
	return out, sc.Err()
}

type chunk struct {
	Model   string `json:"model"`
	Object  string `json:"object"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
}

func decodeChunks(t *testing.T, evs []string) []chunk {
	t.Helper()
	var out []chunk
	for _, ev := range evs {
		if ev == "[DONE]" {
			continue
		}
		var c chunk
		if err := json.Unmarshal([]byte(ev), &c); err != nil {
			t.Fatalf("event %q: %v", ev, err)
		}
		out = append(out, c)
	}
	return out
}

const streamBody = `{"model":"m1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"how much on chips"}]}`

func TestReplyOpenAIWireFormat(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply("twelve billion dollars", llmtest.Usage(9, 3)))
	resp := post(t, srv, streamBody)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type = %q", ct)
	}
	evs, err := events(t, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 7 || evs[6] != "[DONE]" {
		t.Fatalf("events = %q; want role, 3 contents, finish, usage, [DONE]", evs)
	}
	for _, ev := range evs[:5] {
		if !strings.Contains(ev, `"usage":null`) {
			t.Errorf("chunk %s lacks the explicit usage null OpenAI sends with include_usage", ev)
		}
	}
	cs := decodeChunks(t, evs)
	if cs[0].Choices[0].Delta.Role != "assistant" || cs[0].Model != "m1" || cs[0].Object != "chat.completion.chunk" {
		t.Errorf("first chunk = %+v, want the role delta for model m1", cs[0])
	}
	var text string
	for _, c := range cs[1:4] {
		text += c.Choices[0].Delta.Content
		if c.Choices[0].FinishReason != nil {
			t.Errorf("content chunk has finish_reason %q", *c.Choices[0].FinishReason)
		}
	}
	if text != "twelve billion dollars" {
		t.Errorf("content = %q", text)
	}
	if fr := cs[4].Choices[0].FinishReason; fr == nil || *fr != "stop" {
		t.Errorf("final chunk = %+v, want finish_reason stop", cs[4])
	}
	if len(cs[5].Choices) != 0 || cs[5].Usage == nil || cs[5].Usage.TotalTokens != 12 {
		t.Errorf("usage chunk = %+v, want no choices and usage 9+3", cs[5])
	}
}

func TestReplyLlamaCppWireFormat(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply("twelve billion", llmtest.LlamaCppStyle()))
	evs, err := events(t, post(t, srv, streamBody).Body)
	if err != nil {
		t.Fatal(err)
	}
	cs := decodeChunks(t, evs)
	if len(cs) != 3 {
		t.Fatalf("chunks = %q; want 2 contents and a final chunk with usage", evs)
	}
	if cs[0].Choices[0].Delta.Role != "" || cs[0].Choices[0].Delta.Content != "twelve" {
		t.Errorf("first chunk = %+v, want content and no role", cs[0])
	}
	last := cs[2]
	if fr := last.Choices[0].FinishReason; fr == nil || *fr != "stop" || last.Usage == nil || last.Usage.PromptTokens != 4 {
		t.Errorf("final chunk = %s, want finish_reason and usage (4 prompt words) together", evs[2])
	}
}

func TestEventsAreFlushedOneAtATime(t *testing.T) {
	const delay = 150 * time.Millisecond
	srv := llmtest.New(t, llmtest.Reply("a b c d e", llmtest.Delay(delay)))
	start := time.Now()
	resp := post(t, srv, streamBody)
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	// The whole stream takes 9 delays; the first event must not wait for it.
	if took := time.Since(start); took > 4*delay {
		t.Errorf("first event %q arrived after %s; events are not flushed as written", line, took)
	}
}

func TestNoFinishReasonNoDone(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply("x y", llmtest.NoFinishReason(), llmtest.NoDone(), llmtest.NoRoleDelta()))
	evs, err := events(t, post(t, srv, `{"model":"m","stream":true,"messages":[]}`).Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || strings.Contains(strings.Join(evs, ""), "finish_reason\":\"") || strings.Contains(strings.Join(evs, ""), "usage") {
		t.Errorf("events = %q, want two content chunks, no finish_reason, no usage, no [DONE]", evs)
	}
}

func TestCutAfter(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply("one two three", llmtest.CutAfter(1)))
	evs, err := events(t, post(t, srv, streamBody).Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading a cut stream: err = %v, want io.ErrUnexpectedEOF", err)
	}
	if len(evs) != 2 {
		t.Errorf("events before the cut = %q, want the role and one content chunk", evs)
	}
}

func TestStallAfter(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply("one two three", llmtest.StallAfter(1)))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(streamBody))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// The role and one content chunk arrive; then the stream holds until
	// the client gives up.
	sc := bufio.NewScanner(resp.Body)
	var evs []string
	for len(evs) < 2 && sc.Scan() {
		if line := sc.Text(); line != "" {
			evs = append(evs, line)
		}
	}
	if len(evs) != 2 || !strings.Contains(evs[1], `"content":"one"`) {
		t.Fatalf("events = %q, want the role and \"one\"", evs)
	}
	cancel()
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			t.Errorf("event after the stall: %q", line)
		}
	}
	if sc.Err() == nil {
		t.Error("the stalled stream ended cleanly; want it held until the client went away")
	}
}

func TestPauseAfter(t *testing.T) {
	resume := make(chan struct{})
	srv := llmtest.New(t, llmtest.Reply("one two three", llmtest.PauseAfter(1, resume)))
	sc := bufio.NewScanner(post(t, srv, streamBody).Body)
	next := func() string {
		t.Helper()
		for sc.Scan() {
			if line := sc.Text(); line != "" {
				return line
			}
		}
		t.Fatalf("the stream ended: %v", sc.Err())
		return ""
	}
	next() // the role
	if ev := next(); !strings.Contains(ev, `"content":"one"`) {
		t.Fatalf("first content event = %q", ev)
	}
	close(resume) // nothing more can arrive before this: the server waits for it
	if ev := next(); !strings.Contains(ev, `"content":" two"`) {
		t.Errorf("event after resuming = %q, want \" two\"", ev)
	}
}

func TestErrorAfter(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply("one two", llmtest.ErrorAfter(1, "overloaded")))
	evs, err := events(t, post(t, srv, streamBody).Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || !strings.HasPrefix(evs[2], `{"error":{`) || !strings.Contains(evs[2], "overloaded") {
		t.Errorf("events = %q, want role, content, then an error event", evs)
	}
}

func TestNonStreamingReply(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply("twelve billion"))
	resp := post(t, srv, `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]}]}`)
	var got struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || got.Choices[0].Message.Content != "twelve billion" {
		t.Errorf("response = %+v", got)
	}
	if u := srv.ChatRequests()[0].Chat.LastUser(); u != "hi there" {
		t.Errorf("LastUser of content parts = %q", u)
	}
}

func TestErrorsAndScript(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply("fine"))
	srv.Script(llmtest.Status(429, "2"), llmtest.HTMLError(502), llmtest.RejectStreamOptions(500, llmtest.Reply("never")))

	resp := post(t, srv, streamBody)
	var body struct {
		Error struct {
			Message, Type string
			Code          *string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || body.Error.Code == nil || *body.Error.Code != "rate_limit_exceeded" {
		t.Errorf("1st: status %d, Retry-After %q, body %+v", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}

	resp = post(t, srv, streamBody)
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 502 || resp.Header.Get("Content-Type") != "text/html" || !strings.Contains(string(page), "<title>502 Bad Gateway</title>") {
		t.Errorf("2nd: status %d, %q", resp.StatusCode, page)
	}

	resp = post(t, srv, streamBody)
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || !strings.Contains(string(msg), "stream_options") {
		t.Errorf("3rd: status %d, %s; want 500 naming stream_options", resp.StatusCode, msg)
	}

	resp = post(t, srv, streamBody)
	if evs, err := events(t, resp.Body); resp.StatusCode != 200 || err != nil || evs[len(evs)-1] != "[DONE]" {
		t.Errorf("4th (fallback): status %d, events %q, %v", resp.StatusCode, evs, err)
	}

	reqs := srv.ChatRequests()
	if len(reqs) != 4 || reqs[0].Chat.Model != "m1" || !reqs[0].Chat.Has("stream_options") || reqs[0].Chat.Has("max_tokens") {
		t.Errorf("recorded %d requests, first %+v", len(reqs), reqs[0].Chat)
	}
	if got := srv.MaxInFlight(); got != 1 || srv.InFlight() != 0 {
		t.Errorf("MaxInFlight = %d, InFlight = %d; want 1, 0 for sequential calls", got, srv.InFlight())
	}
}

func TestModelsAndKey(t *testing.T) {
	srv := llmtest.New(t, nil, llmtest.Models("a", "b:latest"), llmtest.RequireKey("sk-good-key-123456"))

	if resp, body := get(t, srv, "/models"); resp.StatusCode != 401 || !strings.Contains(body, "invalid_api_key") && !strings.Contains(body, "didn't provide") {
		t.Errorf("no key: %d %s", resp.StatusCode, body)
	}

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/models", nil)
	req.Header.Set("Authorization", "Bearer sk-good-key-123456")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Data []struct{ ID string } `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(list.Data) != 2 || list.Data[1].ID != "b:latest" {
		t.Errorf("list: %d %+v %v", resp.StatusCode, list, err)
	}

	for id, want := range map[string]int{"a": 200, "zzz": 404} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/models/"+id, nil)
		req.Header.Set("Authorization", "Bearer sk-good-key-123456")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || want == 404 && !strings.Contains(string(body), "model_not_found") {
			t.Errorf("GET /models/%s: %d %s", id, resp.StatusCode, body)
		}
	}

	root := strings.TrimSuffix(srv.URL, "/v1")
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, root+"/models", nil)
	req.Header.Set("Authorization", "Bearer sk-good-key-123456")
	resp, err = srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET /models without /v1: %d, want 404", resp.StatusCode)
	}
}
