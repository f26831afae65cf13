package ui

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// One window per library. Two copies of the app on one library (a common
// slip: the icon double-clicked twice) would each save the forms they
// loaded over the other's edits. The first copy holds a lock named for the
// library and listens on a local socket; a second copy finds the lock
// taken, asks the first to come to the front, tells the user, and exits.
// (Command-line writes are not affected: they go through the library's own
// locking, and the app shows them when it next reads.)

// instanceName is the lock's and socket's base name for a library: private
// to the user (in the runtime or temporary folder) and the same for every
// spelling of the library's path.
func instanceName(library string) string {
	if abs, err := filepath.Abs(library); err == nil {
		library = abs
	}
	if real, err := filepath.EvalSymlinks(library); err == nil {
		library = real
	}
	sum := sha256.Sum256([]byte(library))
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if st, err := os.Stat(dir); dir == "" || err != nil || !st.IsDir() {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "secondopinion-"+hex.EncodeToString(sum[:8]))
}

// instance is this copy's claim on its library.
type instance struct {
	lock     *os.File
	listener net.Listener
	sock     string
}

// claimLibrary takes the library for this copy of the app. When another
// copy has it, claimLibrary asks that copy to come to the front and
// returns nil, true. raise is called (on a background goroutine) when a
// later copy asks this one to come forward.
func claimLibrary(library string, raise func()) (*instance, bool) {
	base := instanceName(library)
	lock, ok := lockFile(base + ".lock")
	if !ok {
		if c, err := net.DialTimeout("unix", base+".sock", time.Second); err == nil {
			c.Write([]byte("raise\n"))
			c.Close()
		}
		return nil, true
	}
	in := &instance{lock: lock, sock: base + ".sock"}
	os.Remove(in.sock) // left by a copy that was killed: we hold the lock
	if l, err := net.Listen("unix", in.sock); err == nil {
		in.listener = l
		go in.serve(raise)
	}
	return in, false
}

func (in *instance) serve(raise func()) {
	for {
		c, err := in.listener.Accept()
		if err != nil {
			return
		}
		c.SetReadDeadline(time.Now().Add(time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if strings.TrimSpace(line) == "raise" && raise != nil {
			raise()
		}
	}
}

// release gives the library up (the app is closing).
func (in *instance) release() {
	if in == nil {
		return
	}
	if in.listener != nil {
		in.listener.Close()
		os.Remove(in.sock)
	}
	unlockFile(in.lock)
}
