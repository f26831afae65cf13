package sandbox

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// limitMemory caps the child's data segment (RLIMIT_DATA: on Linux since
// 4.7 every private writable mapping, which is where the Go heap lives) so
// that a runaway allocation fails ("fatal error: runtime: out of memory")
// instead of growing until the machine swaps. RLIMIT_AS would also count
// the address space the Go runtime reserves but never touches.
func limitMemory(n int64) {
	if n <= 0 || raceEnabled {
		return
	}
	lim := &syscall.Rlimit{Cur: uint64(n), Max: uint64(n)}
	syscall.Setrlimit(syscall.RLIMIT_DATA, lim)
}

func openNonblock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// peakRSS reads the process's peak resident memory (VmHWM) from /proc.
// getrusage is no use here: Linux carries the parent's peak into a child
// started by vfork and exec.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	_, after, ok := bytes.Cut(b, []byte("VmHWM:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(after, []byte("\n"))
	kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(line), []byte("kB")))), 10, 64)
	if err != nil {
		return 0
	}
	return kb << 10
}
