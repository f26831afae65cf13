//go:build unix

package records

import (
	"errors"
	"syscall"
)

// processExists reports whether a process with this ID exists.
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// RestrictNewFiles makes every file and folder this process creates
// private to its user from its first byte (umask 077): SQLite's journals,
// backups being written, packets being exported. Call it once, first thing
// in main.
func RestrictNewFiles() { syscall.Umask(0o077) }
