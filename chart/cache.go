package chart

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/knowledge"
)

// Picture is a rendered chart.
type Picture struct {
	PNG    []byte
	Spec   Spec
	Layout Layout
	Cached bool // served from the cache, not drawn for this call
}

// DefaultCacheSize is how many charts (and specs) a Charter keeps.
const DefaultCacheSize = 256

// Charter plans, renders and caches charts. A chart is drawn once per
// (index version, cited facts in order, size); later requests get the same
// bytes. It also remembers specs by a short ID, for buttons that post a
// chart later. It is safe for concurrent use.
type Charter struct {
	mu      sync.Mutex
	max     int
	pics    *lru
	specs   *lru
	renders int
}

// NewCharter returns a Charter keeping up to size charts; 0 means
// DefaultCacheSize.
func NewCharter(size int) *Charter {
	if size <= 0 {
		size = DefaultCacheSize
	}
	return &Charter{max: size, pics: newLRU(size), specs: newLRU(size)}
}

// Chart plans and renders the chart of an answer (see Plan for the errors).
func (c *Charter) Chart(a answer.Answer, base *knowledge.Base, opts Options) (Picture, error) {
	spec, err := Plan(a, base)
	if err != nil {
		return Picture{}, err
	}
	return c.Render(spec, opts)
}

// Render renders spec, or returns the cached picture of the same key and size.
func (c *Charter) Render(spec Spec, opts Options) (Picture, error) {
	w, h, err := opts.size()
	if err != nil {
		return Picture{}, err
	}
	key := fmt.Sprintf("%s|%dx%d", spec.Key(), w, h)
	c.mu.Lock()
	if v, ok := c.pics.get(key); ok {
		c.mu.Unlock()
		p := v.(Picture)
		p.Cached = true
		return p, nil
	}
	c.mu.Unlock()
	png, layout, err := Render(spec, Options{Width: w, Height: h})
	if err != nil {
		return Picture{}, err
	}
	p := Picture{PNG: png, Spec: spec, Layout: layout}
	c.mu.Lock()
	c.renders++
	c.pics.put(key, p)
	c.mu.Unlock()
	return p, nil
}

// Renders counts the charts actually drawn (not served from the cache).
func (c *Charter) Renders() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.renders
}

// Remember keeps spec and returns its ID (16 hex digits), which Recall
// takes back: what a Chart button carries.
func (c *Charter) Remember(spec Spec) string {
	id := SpecID(spec)
	c.mu.Lock()
	c.specs.put(id, spec)
	c.mu.Unlock()
	return id
}

// Recall returns the spec remembered under id; false once it has been
// evicted or after a restart.
func (c *Charter) Recall(id string) (Spec, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.specs.get(id)
	if !ok {
		return Spec{}, false
	}
	return v.(Spec), true
}

// SpecID is the short ID of a spec's key.
func SpecID(spec Spec) string {
	sum := sha256.Sum256([]byte(spec.Key()))
	return hex.EncodeToString(sum[:8])
}

// lru is a small least-recently-used map; its caller locks.
type lru struct {
	max   int
	order *list.List
	items map[string]*list.Element
}

type lruItem struct {
	key string
	val any
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (l *lru) get(key string) (any, bool) {
	e, ok := l.items[key]
	if !ok {
		return nil, false
	}
	l.order.MoveToFront(e)
	return e.Value.(*lruItem).val, true
}

func (l *lru) put(key string, val any) {
	if e, ok := l.items[key]; ok {
		e.Value.(*lruItem).val = val
		l.order.MoveToFront(e)
		return
	}
	l.items[key] = l.order.PushFront(&lruItem{key: key, val: val})
	for l.order.Len() > l.max {
		last := l.order.Back()
		l.order.Remove(last)
		delete(l.items, last.Value.(*lruItem).key)
	}
}
