//go:build !unix

package records

// freeSpace is not measured here; SQLite's own disk-full error still
// leaves the library as it was.
func freeSpace(dir string) (uint64, bool) { return 0, false }
