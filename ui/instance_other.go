//go:build !unix

package ui

import "os"

// lockFile: without advisory locks here, every copy may open (the store's
// own transactions still keep the library consistent).
func lockFile(path string) (*os.File, bool) { return nil, true }

func unlockFile(f *os.File) {}
