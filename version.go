package main

import (
	_ "embed"
	"fmt"
	"runtime/debug"

	"fyne.io/fyne/v2"
	"github.com/BurntSushi/toml"
)

// fyneAppTOML is FyneApp.toml, the one place the app's name, ID, version
// and build number are written. Fyne reads it itself only when built with
// its own tool, or at run time from the source folder; an installed binary
// built with go build has neither, so it carries its own copy.
//
//go:embed FyneApp.toml
var fyneAppTOML []byte

// appMetadata is what FyneApp.toml says, plus the git commit the binary
// was built from (Custom["commit"], "unknown" when built outside git).
func appMetadata() (fyne.AppMetadata, error) {
	var f struct {
		Details struct {
			Icon, Name, ID, Version string
			Build                   int
		}
		Migrations map[string]bool
	}
	if _, err := toml.Decode(string(fyneAppTOML), &f); err != nil {
		return fyne.AppMetadata{}, fmt.Errorf("read embedded FyneApp.toml: %w", err)
	}
	return fyne.AppMetadata{
		ID:         f.Details.ID,
		Name:       f.Details.Name,
		Version:    f.Details.Version,
		Build:      f.Details.Build,
		Custom:     map[string]string{"commit": commit()},
		Migrations: f.Migrations,
	}, nil
}

// gitCommit is set by the Makefile (-ldflags -X main.gitCommit=...): go
// build's own stamp is missing in a git worktree and when GOFLAGS has
// -buildvcs=false.
var gitCommit string

// commit is the short git commit the binary was built from, with
// "+changes" when the working tree had uncommitted edits.
func commit() string {
	if gitCommit != "" {
		return gitCommit
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "unknown"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "+changes"
	}
	return rev
}
