//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package folder

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on path, waiting for it: one process
// at a time changes a knowledge folder (the bot and the command line).
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
