//go:build !linux

package sandbox

import "os"

// limitMemory relies on GOMEMLIMIT alone where Linux's RLIMIT_DATA is not
// available.
func limitMemory(n int64) {}

func openNonblock(path string) (*os.File, error) { return os.Open(path) }

func peakRSS() int64 { return 0 }
