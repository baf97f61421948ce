package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Stream asks the model to complete msgs and streams the answer: onText
// (if not nil) is called on the calling goroutine with the whole text so far
// each time a chunk adds to it, so it should return quickly.
//
// Stream first waits for a concurrency slot for as long as ctx allows, then
// spends at most Config.Timeout on the call. It does not start a call that
// its running estimate of the model's speed says cannot finish before ctx's
// deadline, counting the queue for a slot (ErrOverloaded, at once). A call
// the caller gives up on keeps its slot until the server has ended the
// response (or Config.Timeout from the call's start has passed): the
// server never has more than Config.MaxConcurrency calls of this client. Failures before any text
// reached onText are retried (429, 5xx, dropped connections) with backoff,
// honouring Retry-After; after text has been shown nothing is retried. On
// error the Completion still holds the text that arrived and the attempts
// made. A finish_reason of "length" is reported in the Completion, not as
// an error.
func (c *Client) Stream(ctx context.Context, msgs []Message, onText func(soFar string)) (Completion, error) {
	const op = "stream"
	apiMsgs, err := chatMessages(msgs)
	if err != nil {
		return Completion{}, err
	}
	if e := c.admit(ctx); e != nil {
		level := slog.LevelDebug
		if errors.Is(e, ErrOverloaded) {
			level = slog.LevelInfo
		}
		c.log.LogAttrs(ctx, level, "llm: call not started", slog.String("model", c.model), slog.String("error", e.Error()))
		return Completion{}, e
	}
	slot := &heldSlot{release: c.release}
	defer slot.done()
	callDeadline := time.Now().Add(c.timeout)
	ctx, cancel := context.WithDeadlineCause(ctx, callDeadline, c.timeoutCause)
	defer cancel()

	req := c.chatRequest(apiMsgs)
	start := time.Now()
	var comp Completion
	includeUsage := !c.noStreamOption.Load()
	rememberNoStreamOptions := false
	attempts, e := c.withRetries(ctx, op, func(ctx context.Context) *Error {
		req.StreamOptions = nil
		if includeUsage {
			req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
		}
		var e *Error
		comp, e = c.streamOnce(ctx, callDeadline, req, onText, slot)
		if e == nil {
			if rememberNoStreamOptions && !c.noStreamOption.Swap(true) {
				c.log.LogAttrs(ctx, slog.LevelInfo, "llm: server rejects stream_options; no longer sending it, so token usage may be missing",
					slog.String("model", c.model))
			}
			return nil
		}
		// Servers that do not know stream_options answer 400 (llama.cpp
		// answers bad requests with 500): try once more without it.
		if includeUsage && !e.delivered && (e.StatusCode == http.StatusBadRequest && e.Kind == ErrRejected || e.StatusCode == http.StatusInternalServerError) {
			includeUsage = false
			namesIt := strings.Contains(strings.ToLower(e.Message), "stream_options")
			rememberNoStreamOptions = e.StatusCode == http.StatusBadRequest || namesIt
			// A 400, or a 500 that names the field, is not worth a backoff;
			// an anonymous 500 is retried as usual, just without the field.
			e.retryNow = e.StatusCode == http.StatusBadRequest || namesIt
		}
		return e
	})
	comp.Attempts = attempts
	if comp.Model == "" {
		comp.Model = c.model
	}
	took := time.Since(start)
	if e != nil {
		level := slog.LevelWarn
		if e.Kind == context.Canceled {
			level = slog.LevelDebug
		}
		c.log.LogAttrs(ctx, level, "llm: stream failed", slog.String("model", c.model),
			slog.Int("attempts", attempts), slog.Duration("took", took), slog.String("error", e.Error()))
		return comp, e
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "llm: stream done", slog.String("model", comp.Model),
		slog.Int("attempts", attempts), slog.Duration("took", took), slog.String("finish_reason", comp.FinishReason),
		slog.Int("prompt_tokens", comp.Usage.PromptTokens), slog.Int("completion_tokens", comp.Usage.CompletionTokens))
	return comp, nil
}

func chatMessages(msgs []Message) ([]openai.ChatCompletionMessage, error) {
	if len(msgs) == 0 {
		return nil, &Error{Op: "stream", Kind: ErrRejected, Message: "no messages to send"}
	}
	out := make([]openai.ChatCompletionMessage, len(msgs))
	for i, m := range msgs {
		switch m.Role {
		case openai.ChatMessageRoleSystem, openai.ChatMessageRoleUser, openai.ChatMessageRoleAssistant:
		default:
			return nil, &Error{Op: "stream", Kind: ErrRejected,
				Message: fmt.Sprintf("message %d has role %q; want system, user or assistant", i, m.Role)}
		}
		out[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	return out, nil
}

func (c *Client) chatRequest(msgs []openai.ChatCompletionMessage) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{Model: c.model, Messages: msgs}
	if c.maxTokens > 0 {
		req.MaxTokens = c.maxTokens
		// OpenAI deprecated max_tokens, and go-openai refuses it outright for
		// reasoning models; other servers know only max_tokens.
		if c.official || errors.Is(openai.NewReasoningValidator().Validate(req), openai.ErrReasoningModelMaxTokensDeprecated) {
			req.MaxTokens, req.MaxCompletionTokens = 0, c.maxTokens
		}
	}
	return req
}

// drainGrace is how long past the call's deadline a request the caller
// gave up on may run before its connection is closed.
const drainGrace = time.Second

// streamEvent is one chunk of a stream, or the error that ended it.
type streamEvent struct {
	chunk   openai.ChatCompletionStreamResponse
	err     error
	opening bool // err came from opening the stream: there is none
}

// streamOnce makes one request and reads its stream to the end.
//
// The request runs on its own goroutine, under a context the caller's does
// not cancel: a server notices a closed connection only when it next
// writes (one sleeping before its first token, not for a long while), so
// closing the connection when the caller gives up would free a slot the
// server still fills. When the caller gives up, streamOnce returns at once
// and the goroutine keeps reading, discarding, until the server ends the
// response — or a second past the call's own deadline (Config.Timeout
// from its start) has passed, or Close is called — and only then frees the slot it was handed.
func (c *Client) streamOnce(ctx context.Context, callDeadline time.Time, req openai.ChatCompletionRequest, onText func(string), slot *heldSlot) (Completion, *Error) {
	info := &responseInfo{}
	var comp Completion
	start := time.Now()
	// A little past the call's deadline, so that the caller sees its own
	// deadline first and the request is the one left to finish.
	reqCtx, cancelReq := context.WithDeadline(c.life, callDeadline.Add(drainGrace))
	events := make(chan streamEvent)
	abandon := make(chan struct{})
	c.drains.Add(1)
	go func() {
		defer c.drains.Done()
		defer cancelReq()
		emit := func(ev streamEvent) bool {
			select {
			case events <- ev:
				return true
			case <-abandon:
				return false
			}
		}
		stream, err := c.api.CreateChatCompletionStream(withResponseInfo(reqCtx, info), req)
		if err != nil {
			if !emit(streamEvent{err: err, opening: true}) {
				slot.drained() // handed over: the server has answered
			}
			return
		}
		delivering := true
		var sp speed
		for {
			chunk, err := stream.Recv()
			sp.see(chunk, err, start)
			if err != nil {
				// Every call the server finished teaches the estimate, those
				// the caller gave up on too: they are the slow ones. Before
				// the caller hears the end, so its next call knows; and the
				// response is closed before then too, so that the slot the
				// caller frees never lets a call open beside this one.
				sp.report(&c.est, start)
				stream.Close()
			}
			if delivering && !emit(streamEvent{chunk: chunk, err: err}) {
				delivering = false // the caller has gone; read on, discarding, to the end
			}
			if err != nil {
				if !delivering {
					slot.drained() // handed over: the response has ended
				}
				return
			}
		}
	}()

	var text strings.Builder
	n := 0
	for {
		var ev streamEvent
		select {
		case ev = <-events:
		case <-ctx.Done():
			slot.handOff() // the goroutine frees it when the server is done
			close(abandon)
			comp.Text = text.String()
			e := c.classify(ctx, "stream", ctx.Err(), &responseInfo{}, n > 0)
			e.delivered = text.Len() > 0
			return comp, e
		}
		if ev.opening {
			return comp, c.classify(ctx, "stream", ev.err, info, false)
		}
		n++
		if err := ev.err; err != nil {
			comp.Text = text.String()
			if comp.FinishReason != "" {
				// The server said it was done; a lost [DONE] or usage chunk
				// costs nothing of the text.
				if !errors.Is(err, io.EOF) {
					c.log.LogAttrs(ctx, slog.LevelDebug, "llm: stream broke after its finish_reason",
						slog.String("error", redact(err.Error(), c.key)))
				}
				return comp, nil
			}
			var e *Error
			if errors.Is(err, io.EOF) && ctx.Err() == nil {
				// go-openai reports [DONE] and a clean close alike as io.EOF;
				// without a finish_reason both mean the answer is incomplete.
				e = &Error{Op: "stream", Kind: ErrCutOff, Message: "the stream ended without a finish_reason"}
				if n == 1 && !isEventStream(info.contentType) {
					e.Kind = ErrMalformed
					e.Message = fmt.Sprintf("the server answered with %q instead of an event stream", info.contentType)
				}
			} else {
				e = c.classify(ctx, "stream", err, info, true)
			}
			e.delivered = text.Len() > 0
			e.requestID = info.requestID
			return comp, e
		}
		chunk := ev.chunk
		if chunk.Model != "" {
			comp.Model = chunk.Model
		}
		if u := chunk.Usage; u != nil {
			// OpenAI sends usage in its own chunk with no choices; llama.cpp
			// and older vLLM and Ollama put it beside the finish_reason.
			comp.Usage = Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
			if comp.Usage.TotalTokens == 0 {
				comp.Usage.TotalTokens = u.PromptTokens + u.CompletionTokens
			}
		}
		for _, choice := range chunk.Choices {
			if choice.Index != 0 {
				continue // we ask for one choice; ignore a server that sends more
			}
			if choice.Delta.Content != "" {
				text.WriteString(choice.Delta.Content)
				if onText != nil {
					onText(text.String())
				}
			}
			if choice.FinishReason != "" {
				comp.FinishReason = string(choice.FinishReason)
			}
		}
	}
}

// speed follows one response for the estimator: when its first text came,
// its size and whether the server finished it.
type speed struct {
	first    time.Duration
	chars    int
	tokens   int // the server's count; 0 if it sent none
	finished bool
}

func (sp *speed) see(chunk openai.ChatCompletionStreamResponse, err error, start time.Time) {
	if err != nil {
		return
	}
	if chunk.Usage != nil {
		sp.tokens = chunk.Usage.CompletionTokens
	}
	for _, ch := range chunk.Choices {
		if ch.Index != 0 {
			continue
		}
		if ch.Delta.Content != "" {
			if sp.chars == 0 {
				sp.first = time.Since(start)
			}
			sp.chars += len(ch.Delta.Content)
		}
		if ch.FinishReason != "" {
			sp.finished = true
		}
	}
}

// report adds a finished response to est: tokens as the server counted
// them, or about four characters a token.
func (sp *speed) report(est *estimator, start time.Time) {
	if !sp.finished {
		return
	}
	tokens := sp.tokens
	if tokens <= 0 {
		tokens = (sp.chars + 3) / 4
	}
	est.observe(sp.first, time.Since(start), tokens)
}

func isEventStream(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "text/event-stream"
}

// withRetries calls try until it succeeds, fails in a way retrying cannot
// help, runs out of retries, or would have to wait past ctx's deadline.
func (c *Client) withRetries(ctx context.Context, op string, try func(ctx context.Context) *Error) (attempts int, _ *Error) {
	retries := 0
	for attempt := 1; ; attempt++ {
		e := try(ctx)
		if e == nil {
			return attempt, nil
		}
		e.Attempts = attempt
		if ctx.Err() != nil {
			return attempt, e
		}
		if e.retryNow {
			c.log.LogAttrs(ctx, slog.LevelDebug, "llm: retrying at once with a changed request",
				slog.String("op", op), slog.Int("attempt", attempt), slog.String("error", e.Error()))
			continue
		}
		if !e.retryable() || retries >= c.maxRetries {
			return attempt, e
		}
		delay := c.backoff(retries, e.retryAfter)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			e.Message += fmt.Sprintf(" (not retried: waiting %s would pass the deadline)", delay.Round(time.Millisecond))
			return attempt, e
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "llm: retrying", slog.String("op", op), slog.String("model", c.model),
			slog.Int("attempt", attempt), slog.Int("status", e.StatusCode), slog.Duration("delay", delay),
			slog.String("request_id", e.requestID), slog.String("error", e.Error()))
		if !sleep(ctx, delay) {
			ce := c.classify(ctx, op, ctx.Err(), &responseInfo{}, false)
			ce.Attempts = attempt
			return attempt, ce
		}
		retries++
	}
}
