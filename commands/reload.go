package commands

import (
	"context"

	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/knowledge"
)

// Swapper builds and swaps in an index of a new base: *index.Index.
type Swapper interface {
	Swap(ctx context.Context, base *knowledge.Base) (index.SwapReport, error)
}

// Reloader is the Reindexer /reindex uses: it loads the knowledge folder
// Dir — or the base embedded in the binary when Dir is empty — validates
// it, and swaps an index of it in. Invalid knowledge comes back as a
// *knowledge.LoadError and swaps nothing.
type Reloader struct {
	Dir   string
	Index Swapper
}

// Reindex implements Reindexer.
func (r Reloader) Reindex(ctx context.Context) (index.SwapReport, error) {
	var (
		base *knowledge.Base
		err  error
	)
	if r.Dir == "" {
		base, err = knowledge.Default()
	} else {
		base, err = knowledge.LoadDir(r.Dir)
	}
	if err != nil {
		return index.SwapReport{}, err
	}
	return r.Index.Swap(ctx, base)
}
