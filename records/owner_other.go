//go:build !unix

package records

import "os"

// processExists reports whether a process with this ID exists.
func processExists(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}

// RestrictNewFiles is a no-op where files take their folder's access list
// (Windows): the library's folder is under the user's own profile.
func RestrictNewFiles() {}
