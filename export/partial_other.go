//go:build !unix

package export

import (
	"os"
	"time"
)

func lockPartial(f *os.File) {}

// partialAbandoned: without advisory locks, a temporary file untouched for
// an hour is taken to be left by an export that was stopped.
func partialAbandoned(path string) bool {
	st, err := os.Stat(path)
	return err == nil && time.Since(st.ModTime()) > time.Hour
}
