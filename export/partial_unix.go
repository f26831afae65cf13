//go:build unix

package export

import (
	"os"
	"syscall"
)

// lockPartial marks a temporary file as being written by this process: the
// lock is the system's, so it goes when the process dies, however it dies.
func lockPartial(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }

// partialAbandoned reports whether no live export holds the file's lock.
func partialAbandoned(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
