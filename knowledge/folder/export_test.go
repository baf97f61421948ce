package folder

// ErrCrash, returned by a hook, stops a change where a crash would.
var ErrCrash = errCrash

// TempFile is what a test's CreateTemp returns.
type TempFile = tempFile

// WithFaults makes o's folder write files through create (nil: the
// operating system's) and call hook at each stage of a change.
func WithFaults(o Options, create func(dir, pattern string) (TempFile, error), hook func(stage string) error) Options {
	if create != nil {
		o.create = create
	}
	o.hook = hook
	return o
}
