package commands

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestStreamerThrottlesAndKeepsTheLatest(t *testing.T) {
	const interval = 100 * time.Millisecond
	var (
		mu    sync.Mutex
		shown []string
		at    []time.Time
	)
	start := time.Now()
	st := newStreamer(interval, func(text string) {
		mu.Lock()
		defer mu.Unlock()
		shown = append(shown, text)
		at = append(at, time.Now())
	})
	// 50 updates over ~350 ms: about one edit per interval, never more.
	for i := range 50 {
		st.Update(fmt.Sprint("text ", i))
		time.Sleep(7 * time.Millisecond)
	}
	time.Sleep(2 * interval)
	edits := st.Stop()
	st.Update("after stop") // ignored, must not panic or block

	mu.Lock()
	defer mu.Unlock()
	if edits != len(shown) {
		t.Errorf("Stop reported %d edits; %d were made", edits, len(shown))
	}
	if len(shown) < 2 || len(shown) > 6 {
		t.Errorf("%d edits for 50 updates over ~%v at one per %v: %q", len(shown), 50*7*time.Millisecond, interval, shown)
	}
	if len(at) > 0 && at[0].Sub(start) < interval-5*time.Millisecond {
		t.Errorf("first edit after %v; want at least an interval after the progress message", at[0].Sub(start))
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < interval-5*time.Millisecond {
			t.Errorf("edits %d and %d only %v apart", i-1, i, gap)
		}
	}
	if len(shown) > 0 && shown[len(shown)-1] != "text 49" {
		t.Errorf("last edit %q; want the latest text, \"text 49\"", shown[len(shown)-1])
	}
	for _, s := range shown {
		if s == "after stop" {
			t.Error("an update after Stop was shown")
		}
	}
}

func TestStreamerStopDropsPending(t *testing.T) {
	calls := 0
	st := newStreamer(time.Hour, func(string) { calls++ })
	st.Update("never shown")
	done := make(chan int)
	go func() { done <- st.Stop() }()
	select {
	case n := <-done:
		if n != 0 || calls != 0 {
			t.Errorf("Stop = %d, %d calls; want a pending text dropped", n, calls)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Stop waited for the throttle instead of dropping the pending text")
	}
	st.Stop() // twice is fine
}
