package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// repoRoot is the folder holding go.mod, above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the ui package")
		}
		dir = parent
	}
}

// TestSmokeRealBinary builds the real program, starts it under Xvfb on a
// temporary library holding the sample person, waits for its window, uses
// the search (which answers from a background goroutine through fyne.Do),
// takes a screenshot, and fails if the app died or Fyne reported a widget
// touched off the UI goroutine.
func TestSmokeRealBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke test skipped in -short mode")
	}
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("smoke test needs %s (Debian packages xvfb, xdotool, imagemagick)", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute) // a cold cgo build of Fyne takes minutes
	defer cancel()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "secondopinion")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./")
	build.Dir = repoRoot(t)
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	lib := filepath.Join(tmp, "library.sqlite")
	home := filepath.Join(tmp, "home")
	os.MkdirAll(filepath.Join(home, ".cache"), 0o700)
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "LANG=en_US.UTF-8")
	demo := exec.CommandContext(ctx, bin, "demo", "--library", lib)
	demo.Env = env
	if out, err := demo.CombinedOutput(); err != nil {
		t.Fatalf("secondopinion demo: %v\n%s", err, out)
	}

	// Xvfb writes the display number to -displayfd once it accepts
	// clients, and exits at once when the number is taken (possibly by a
	// server this process cannot see): try numbers until one answers.
	var display string
	var xvfb *exec.Cmd
	var xlog lockedBuffer
	for n := 90; n < 200 && display == ""; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		rd, wr, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		xvfb = exec.CommandContext(ctx, "Xvfb", fmt.Sprintf(":%d", n), "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
		xvfb.ExtraFiles = []*os.File{wr}
		xvfb.Stderr = &xlog
		if err := xvfb.Start(); err != nil {
			t.Fatalf("Xvfb: %v", err)
		}
		wr.Close()
		num := make([]byte, 16)
		k, _ := rd.Read(num) // EOF when Xvfb gave up on this number
		// rd stays open while Xvfb runs: it may write the newline apart
		// from the number, and dies if the pipe is closed by then.
		defer rd.Close()
		if k > 0 {
			display = ":" + strings.TrimSpace(string(num[:k]))
			break
		}
		xvfb.Wait()
	}
	if display == "" {
		t.Skipf("no X display number free for Xvfb: %s", xlog.String())
	}
	defer func() { xvfb.Process.Kill(); xvfb.Wait() }()
	env = append(env, "DISPLAY="+display)
	xdo := func(args ...string) ([]byte, error) {
		c := exec.CommandContext(ctx, "xdotool", args...)
		c.Env = env
		return c.CombinedOutput()
	}

	app := exec.CommandContext(ctx, bin, "--library", lib)
	app.Env = env
	var log lockedBuffer
	app.Stdout, app.Stderr = &log, &log
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed when the app has ended; then waitErr is its result
	var waitErr error
	go func() { waitErr = app.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
		default:
			app.Process.Kill()
			<-exited
		}
	}()

	waitCtx, waitCancel := context.WithTimeout(ctx, 60*time.Second)
	defer waitCancel()
	find := exec.CommandContext(waitCtx, "xdotool", "search", "--sync", "--onlyvisible", "--name", "Second Opinion")
	find.Env = env
	var findErr lockedBuffer
	find.Stderr = &findErr
	out, err := find.Output()
	if err != nil {
		t.Fatalf("the window \"Second Opinion\" did not appear on %s: %v %s\napp log:\n%s\nXvfb log:\n%s", display, err, findErr.String(), log.String(), xlog.String())
	}
	win := strings.Fields(string(out))[0]
	// Ctrl+F opens Documents with the search box focused; typing searches
	// in the background.
	steps := [][]string{
		{"windowfocus", "--sync", win},
		{"key", "--window", win, "ctrl+f"},
		{"type", "--window", win, "--delay", "60", "blood"},
		{"key", "--window", win, "Return"},
	}
	for _, st := range steps {
		if out, err := xdo(st...); err != nil {
			t.Fatalf("xdotool %v: %v %s", st, err, out)
		}
	}
	// A round trip through the X server after the keys, so the app has
	// drawn what they did before the picture is taken.
	xdo("search", "--sync", "--onlyvisible", "--name", "Second Opinion")
	shot := filepath.Join(tmp, "smoke.png")
	imp := exec.CommandContext(ctx, "import", "-window", "root", shot)
	imp.Env = env
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 5000 {
		t.Errorf("screenshot %s missing or blank: %v", shot, err)
	}
	if dir := os.Getenv("SMOKE_SHOT_DIR"); dir != "" {
		if data, err := os.ReadFile(shot); err == nil {
			os.WriteFile(filepath.Join(dir, "smoke.png"), data, 0o644)
		}
	}
	select {
	case <-exited:
		t.Fatalf("the app exited (%v) while the window should be open; log:\n%s", waitErr, log.String())
	default:
	}
	// A second copy on the same library (the icon clicked twice) does not
	// open a second editing window: it says the library is open already.
	second := exec.CommandContext(ctx, bin, "--library", lib)
	second.Env = env
	var log2 lockedBuffer
	second.Stdout, second.Stderr = &log2, &log2
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200 && !strings.Contains(log2.String(), "already open"); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(log2.String(), "already open") {
		t.Errorf("a second copy on the same library did not say it is already open; its log:\n%s", log2.String())
	}
	second.Process.Signal(syscall.SIGTERM)
	if err := second.Wait(); err != nil {
		t.Errorf("the second copy ended with %v; log:\n%s", err, log2.String())
	}

	// Ask it to quit as a session ending would, and see it go cleanly.
	app.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("the app ended with %v after SIGTERM", waitErr)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("the app did not quit within 30 s of SIGTERM")
	}
	if strings.Contains(log.String(), "Error in Fyne call thread") || strings.Contains(log.String(), "panic:") {
		t.Errorf("the app reported a threading error or panic:\n%s", log.String())
	}
	t.Logf("screenshot: %s\napp log:\n%s", shot, log.String())
}
