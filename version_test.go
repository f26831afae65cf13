package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestVersion: --version says the name and version FyneApp.toml gives, and
// opens or creates no library.
func TestVersion(t *testing.T) {
	u := newUserDirs(t)
	toml, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`).FindSubmatch(toml)
	if want == nil {
		t.Fatal("FyneApp.toml has no Version")
	}
	for _, args := range [][]string{{"--version"}, {"-version"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out); err != nil {
			t.Fatalf("run(%q) = %v", args, err)
		}
		got := strings.TrimSpace(out.String())
		if prefix := "Second Opinion " + string(want[1]) + " (build "; !strings.HasPrefix(got, prefix) || !strings.Contains(got, ", commit ") {
			t.Errorf("run(%q) printed %q, want %q... with the commit", args, got, prefix)
		}
	}
	for _, dir := range []string{u.home, u.data} {
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("--version created %s in %s", ents[0].Name(), dir)
		}
	}
}

// TestAppMetadata: the installed program, started with no source folder
// near, still has FyneApp.toml's ID and opts in to Fyne's fyne.Do threading
// (a plain go build reads these from the source folder at run time).
func TestAppMetadata(t *testing.T) {
	m, err := appMetadata()
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "org.secondopinion.app" || m.Name != "Second Opinion" || m.Version == "" || m.Build < 1 {
		t.Errorf("appMetadata() = %+v, want FyneApp.toml's ID, name, version and build", m)
	}
	if !m.Migrations["fyneDo"] {
		t.Errorf("appMetadata().Migrations = %v, want fyneDo true", m.Migrations)
	}
	if m.Custom["commit"] == "" {
		t.Error(`appMetadata().Custom["commit"] is empty, want a commit or "unknown"`)
	}
}
