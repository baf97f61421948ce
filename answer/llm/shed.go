package llm

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// ErrOverloaded: the call was not started because it could not finish in
// the time the caller has left — the model's measured speed says so, or
// the queue for a slot is too long. Nothing was sent; the caller answers
// another way at once instead of waiting to find out.
var ErrOverloaded = fmt.Errorf("llm: overloaded")

// estimator keeps a running estimate of one model's speed: time to first
// token and tokens a second (exponentially weighted over the calls that
// finished), and the tokens an answer takes. It is safe for concurrent use.
type estimator struct {
	mu     sync.Mutex
	n      int
	ttft   float64 // seconds
	tps    float64 // completion tokens a second, after the first
	tokens float64 // completion tokens an answer takes
}

// ewmaWeight is the weight of the newest call in the running estimates.
const ewmaWeight = 0.2

// observe records a finished call: its time to first token, its whole
// time, and its completion tokens.
func (e *estimator) observe(ttft, total time.Duration, tokens int) {
	if ttft <= 0 || total < ttft || tokens <= 0 {
		return
	}
	gen := (total - ttft).Seconds()
	tps := 0.0
	if gen > 0 && tokens > 1 {
		tps = float64(tokens-1) / gen
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	mix := func(old, v float64) float64 {
		if e.n == 0 || old == 0 {
			return v
		}
		return old + ewmaWeight*(v-old)
	}
	e.ttft = mix(e.ttft, ttft.Seconds())
	if tps > 0 {
		e.tps = mix(e.tps, tps)
	}
	e.tokens = mix(e.tokens, float64(tokens))
	e.n++
}

// callTime is how long one call is expected to take, answering at most
// maxTokens (0: no cap); false until a call has finished.
func (e *estimator) callTime(maxTokens int) (time.Duration, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == 0 {
		return 0, false
	}
	secs := e.ttft
	if e.tps > 0 {
		tokens := e.tokens
		if maxTokens > 0 && tokens > float64(maxTokens) {
			tokens = float64(maxTokens)
		}
		secs += max(tokens-1, 0) / e.tps // the first came with the first-token time
	}
	return time.Duration(secs * float64(time.Second)), true
}

// Estimate is the client's running estimate of its model's speed.
type Estimate struct {
	Calls            int           // finished calls it is based on; 0: no estimate yet
	TimeToFirstToken time.Duration // running average
	TokensPerSecond  float64       // after the first token
	CallTime         time.Duration // one answer, start to end
}

// Estimate returns the running estimate of the model's speed.
func (c *Client) Estimate() Estimate {
	call, _ := c.est.callTime(c.maxTokens)
	c.est.mu.Lock()
	defer c.est.mu.Unlock()
	return Estimate{Calls: c.est.n, TimeToFirstToken: time.Duration(c.est.ttft * float64(time.Second)),
		TokensPerSecond: c.est.tps, CallTime: call}
}

// admit decides whether a call may start within ctx's deadline and waits
// for a slot. It refuses at once (ErrOverloaded) a call the estimate says
// cannot finish in the time left, counting the wait for a slot: the calls
// queued ahead, in rounds of the slots, each taking a call's time. Without
// a deadline or an estimate it only waits.
func (c *Client) admit(ctx context.Context) *Error {
	est, known := c.est.callTime(c.maxTokens)
	deadline, bounded := ctx.Deadline()
	if known && bounded {
		left := time.Until(deadline)
		slots := cap(c.slots)
		c.queueMu.Lock()
		ahead := c.waiting + len(c.slots) - slots + 1 // calls that must finish before ours starts
		if len(c.slots) == slots && !c.freed.IsZero() {
			// Every slot is taken and none has been freed for this long:
			// the calls in flight take at least that, however fast the
			// ones that finished were (a server that has slowed down).
			est = max(est, time.Since(c.freed))
		}
		c.queueMu.Unlock()
		var wait time.Duration
		if ahead > 0 {
			rounds := (ahead + slots - 1) / slots
			wait = time.Duration(rounds) * est
		}
		if wait+est > left {
			return c.overloaded(wait, est, left)
		}
	}
	c.queueMu.Lock()
	c.waiting++
	c.queueMu.Unlock()
	err := c.acquire(ctx)
	c.queueMu.Lock()
	c.waiting--
	c.queueMu.Unlock()
	if err != nil {
		e := c.classify(ctx, "stream", err, &responseInfo{}, false)
		e.Message += fmt.Sprintf(" while waiting for one of %d call slots (LLM_MAX_CONCURRENCY)", cap(c.slots))
		return e
	}
	if known && bounded {
		// The wait may have been longer than the estimate said.
		if left := time.Until(deadline); est > left {
			c.release()
			return c.overloaded(0, est, left)
		}
	}
	return nil
}

func (c *Client) overloaded(wait, est, left time.Duration) *Error {
	msg := fmt.Sprintf("an answer takes about %s and %s is left", est.Round(time.Millisecond), left.Round(time.Millisecond))
	if wait > 0 {
		msg = fmt.Sprintf("the queue for %d call slots (LLM_MAX_CONCURRENCY) is about %s long, an answer takes about %s, and %s is left",
			cap(c.slots), wait.Round(time.Millisecond), est.Round(time.Millisecond), left.Round(time.Millisecond))
	}
	return &Error{Op: "stream", Kind: ErrOverloaded, Message: "not started: " + msg, final: true}
}

// heldSlot is a concurrency slot one Stream holds; an abandoned request's
// goroutine takes it over and frees it when the server is done.
type heldSlot struct {
	mu      sync.Mutex
	handed  bool
	once    sync.Once
	release func()
}

// handOff passes the slot to the request's goroutine: done no longer frees it.
func (h *heldSlot) handOff() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handed = true
}

// done is the Stream's own release: it frees the slot unless handed off.
func (h *heldSlot) done() {
	h.mu.Lock()
	handed := h.handed
	h.mu.Unlock()
	if !handed {
		h.once.Do(h.release)
	}
}

// drained is the goroutine's release, once the server is done.
func (h *heldSlot) drained() { h.once.Do(h.release) }

// Close stops the requests that outlived their callers (see Stream) and
// waits for them; their slots are freed. Calls made after Close fail.
func (c *Client) Close() {
	c.stop()
	c.drains.Wait()
}
