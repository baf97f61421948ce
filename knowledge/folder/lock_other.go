//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package folder

// lockFile does nothing where flock is not available: changes are then
// serialised within one process only.
func lockFile(string) (func(), error) { return func() {}, nil }
