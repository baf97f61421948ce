package commands

import (
	"sync"
	"time"
)

// streamer shows a growing text with at most one edit per interval: the
// LLM calls Update for every few tokens, far faster than Discord lets a
// message be edited. Only the latest text is shown; texts that arrive while
// an edit waits replace each other.
type streamer struct {
	interval time.Duration
	edit     func(text string)

	mu      sync.Mutex
	pending string
	has     bool
	stopped bool
	shown   string
	edits   int

	wake chan struct{}
	quit chan struct{}
	done chan struct{}
}

// newStreamer starts a streamer that calls edit; Stop ends it. The first
// edit also waits an interval, counted from now: the caller has just shown
// progress.
func newStreamer(interval time.Duration, edit func(text string)) *streamer {
	s := &streamer{
		interval: interval, edit: edit,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
	}
	go s.run()
	return s
}

// Update offers the text so far; it never blocks.
func (s *streamer) Update(text string) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.pending, s.has = text, true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Stop ends the streamer, dropping any text not yet shown, and waits for an
// edit in flight, so that the final answer is never overwritten by a late
// partial one. It returns how many edits were made.
func (s *streamer) Stop() int {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		<-s.done
		return s.edits
	}
	s.stopped = true
	s.mu.Unlock()
	close(s.quit)
	<-s.done
	return s.edits
}

func (s *streamer) run() {
	defer close(s.done)
	last := time.Now()
	for {
		select {
		case <-s.quit:
			return
		case <-s.wake:
		}
		if wait := s.interval - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-s.quit:
				t.Stop()
				return
			case <-t.C:
			}
		}
		s.mu.Lock()
		text, ok := s.pending, s.has
		s.has = false
		shown := Truncate(text, MaxContent)
		if !ok || s.stopped || shown == s.shown {
			s.mu.Unlock()
			continue
		}
		s.shown = shown
		s.edits++
		s.mu.Unlock()
		s.edit(shown)
		last = time.Now()
	}
}
