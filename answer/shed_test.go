package answer_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/answer/llm"
	"github.com/bytewatch/bytewatch/answer/llm/llmtest"
)

// TestLoadShedding asks 100 questions at once, twice, of an LLM server that
// answers its first calls quickly and then slows down: it sleeps before its
// first token and, like a real inference server, notices a closed
// connection only when it next writes. The server must never have more
// calls in flight than LLM_MAX_CONCURRENCY — the slot of a call its asker
// gave up on stays taken until the server is done — and once the queue is
// longer than an answer's budget, questions get the extractive answer with
// the note that says why, without starting a call.
func TestLoadShedding(t *testing.T) {
	checkLeaks(t)
	const (
		slots     = 4
		questions = 100
		budget    = 800 * time.Millisecond
	)
	var calls atomic.Int64
	fast, slow := grounded(t, llmtest.Delay(time.Millisecond)),
		grounded(t, llmtest.FirstTokenAfter(1500*time.Millisecond), llmtest.NoticeGoneOnWrite())
	srv := llmtest.New(t, func(w http.ResponseWriter, r *llmtest.Request) {
		if calls.Add(1) <= slots {
			fast(w, r) // the first calls teach the client the model is quick
			return
		}
		slow(w, r) // then the server slows down
	})
	c, err := llm.New(llm.Config{BaseURL: srv.URL, Model: llmtest.DefaultModel, Timeout: 5 * time.Second,
		MaxConcurrency: slots, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	eng := answer.NewEngine(defaultIndex(t), answer.Options{LLM: c, LLMBudget: budget})

	wave := func() []answer.Answer {
		out := make([]answer.Answer, questions)
		var wg sync.WaitGroup
		for i := range questions {
			wg.Go(func() {
				a, err := eng.Ask(context.Background(), "How many monthly active users does Doubao have?", nil)
				if err != nil {
					t.Errorf("question %d: %v", i, err)
				}
				out[i] = a
			})
		}
		wg.Wait()
		return out
	}
	first := wave()
	// The quick calls finish, if not within the first wave's budget then
	// soon after (their askers' slots are held until they do): wait for the
	// estimate they leave.
	for deadline := time.Now().Add(30 * time.Second); c.Estimate().Calls == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no call finished: the client has no estimate")
		}
	}
	t.Logf("after the first wave: %d calls at the server, %d in flight; estimate %+v", calls.Load(), srv.InFlight(), c.Estimate())
	second := wave()

	if got := srv.MaxInFlight(); got > slots {
		t.Errorf("the server had %d calls in flight at once; LLM_MAX_CONCURRENCY is %d", got, slots)
	}
	notes := map[string]int{}
	for _, a := range append(first, second...) {
		if !a.Answered || len(a.Citations) == 0 {
			t.Errorf("a question was not answered: %+v", a)
		}
		notes[a.Note]++
		if a.Note == answer.NoteLLMBusy {
			if a.Verification == nil || len(a.Verification.Problems) == 0 || !strings.Contains(a.Verification.Problems[0], "not started") {
				t.Errorf("a busy answer does not say the call was not started: %+v", a.Verification)
			}
		}
	}
	t.Logf("notes: %v; %d calls reached the server", notes, calls.Load())
	if notes[answer.NoteLLMBusy] == 0 {
		t.Errorf("no answer was shed with %q; notes %v", answer.NoteLLMBusy, notes)
	}
}
