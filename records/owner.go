package records

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Work that spans several short transactions (a file's bytes written in
// parts, the sample person built document by document) is marked with the
// tag of the process doing it. When that process has died, the marked rows
// are leftovers of an interrupted add and are removed; while it lives they
// are left alone, whoever else opens the library meanwhile.

var (
	ownerOnce sync.Once
	ownerTag  string
)

// owner is this process's tag: host, process ID and the process's start
// time where the system tells it (so a reused process ID is not mistaken
// for the process that wrote the rows).
func owner() string {
	ownerOnce.Do(func() {
		host, _ := os.Hostname()
		pid := os.Getpid()
		ownerTag = fmt.Sprintf("%s/%d/%s", host, pid, processStart(pid))
	})
	return ownerTag
}

// ownerAlive reports whether the process that wrote tag may still be at
// work. A tag from another computer (a library on a shared drive) is
// assumed alive: its rows are never taken from under it.
func ownerAlive(tag string) bool {
	parts := strings.SplitN(tag, "/", 3)
	if len(parts) != 3 {
		return false
	}
	if host, _ := os.Hostname(); parts[0] != host {
		return true
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return tag == owner()
	}
	if !processExists(pid) {
		return false
	}
	start := processStart(pid)
	return parts[2] == "" || start == "" || start == parts[2]
}

// processStart is the process's start time as the system counts it
// (field 22 of /proc/PID/stat on Linux), or "" where it cannot be read.
func processStart(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	// The command name (field 2) is in parentheses and may hold spaces.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state), so field 22 is f[19].
	if len(f) < 20 {
		return ""
	}
	if f[0] == "Z" || f[0] == "X" {
		return "dead"
	}
	return f[19]
}
