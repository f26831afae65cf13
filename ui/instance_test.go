package ui

import (
	"path/filepath"
	"testing"
	"time"
)

// TestOneCopyPerLibrary: a second copy of the app on the same library (by
// another spelling of its path, too) finds it taken and asks the first to
// come to the front; another library is free; once the first copy closes,
// the library can be opened again.
func TestOneCopyPerLibrary(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	raised := make(chan bool, 1)
	first, taken := claimLibrary(lib, func() { raised <- true })
	if taken || first == nil {
		t.Fatalf("claimLibrary(free library) = %v, taken %v; want it claimed", first, taken)
	}
	second, taken := claimLibrary(filepath.Join(dir, ".", "library.sqlite"), nil)
	if !taken || second != nil {
		t.Fatalf("claimLibrary(library already open) = %v, taken %v; want it taken", second, taken)
	}
	select {
	case <-raised:
	case <-time.After(5 * time.Second):
		t.Error("the first copy was not asked to come to the front")
	}
	other, taken := claimLibrary(filepath.Join(dir, "other.sqlite"), nil)
	if taken {
		t.Error("another library was refused")
	}
	other.release()
	first.release()
	again, taken := claimLibrary(lib, nil)
	if taken {
		t.Fatal("the library stayed taken after the first copy closed")
	}
	again.release()
}
