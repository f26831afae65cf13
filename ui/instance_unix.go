//go:build unix

package ui

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on path, creating it; the system drops
// the lock when the process ends, however it ends.
func lockFile(path string) (*os.File, bool) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, true // cannot tell: do not stop the app from opening
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return f, true
}

func unlockFile(f *os.File) {
	if f != nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}
