//go:build unix

package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"secondopinion/records/media"
)

func TestNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.jpg")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, "/dev/zero", dir} {
		if _, err := Inspect(context.Background(), p, ""); !errors.Is(err, media.ErrNotRegular) {
			t.Errorf("Inspect(%s) = %v, want ErrNotRegular", p, err)
		}
	}
	// A FIFO opened by the caller is refused too, without reading it.
	f, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := InspectFile(context.Background(), f, ""); !errors.Is(err, media.ErrNotRegular) {
		t.Errorf("InspectFile(FIFO) = %v, want ErrNotRegular", err)
	}
}
