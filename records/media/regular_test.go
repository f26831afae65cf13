//go:build unix

package media

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCheckRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.pdf")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "s.pdf")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	for _, tt := range []struct {
		path string
		want string // "" for no error
	}{
		{file, ""},
		{link, ""},
		{dir, "a folder"},
		{fifo, "a named pipe"},
		{"/dev/zero", "a device"},
		{sock, "a socket"},
	} {
		done := make(chan error, 1)
		go func() { done <- CheckRegular(tt.path) }()
		select {
		case err := <-done:
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckRegular(%s) = %v, want nil", tt.path, err)
			case tt.want != "" && (!errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckRegular(%s) = %v, want ErrNotRegular saying %q", tt.path, err, tt.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("CheckRegular(%s) blocked", tt.path)
		}
	}
	if err := CheckRegular(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CheckRegular(missing) = %v, want ErrNotExist", err)
	}
}
