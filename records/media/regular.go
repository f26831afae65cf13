package media

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrNotRegular is returned (wrapped) by CheckRegular for a path that is
// not an ordinary file: a folder, a named pipe (FIFO), a device such as
// /dev/zero, or a socket.
var ErrNotRegular = errors.New("media: not an ordinary file")

// CheckRegular returns nil when path names an ordinary file (following
// symbolic links), and otherwise an error wrapping ErrNotRegular that says
// what it is instead, or the error from os.Stat. It only looks at the
// file's mode and never opens it: opening a named pipe blocks until
// someone writes to it, and reading a device such as /dev/zero never ends.
func CheckRegular(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%s is %s, not an ordinary file: %w", path, ModeKind(fi.Mode()), ErrNotRegular)
}

// ModeKind names the kind of a file that is not an ordinary one, with its
// article: "a folder", "a named pipe".
func ModeKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0, m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeIrregular != 0:
		return "a special file"
	}
	return "a special file"
}
