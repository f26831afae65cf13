package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

func TestAbout(t *testing.T) {
	tests := []struct {
		name string
		m    fyne.AppMetadata
		want string
	}{
		{"packaged", fyne.AppMetadata{Name: "Second Opinion", Version: "0.1.0", Build: 3, Custom: map[string]string{"commit": "c6163cb79eb7"}},
			"Second Opinion 0.1.0 (build 3), commit c6163cb79eb7"},
		{"no commit", fyne.AppMetadata{Name: "Second Opinion", Version: "1.2.0", Build: 1},
			"Second Opinion 1.2.0 (build 1)"},
		{"nothing known", fyne.AppMetadata{},
			"Second Opinion (version unknown)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := About(tt.m); got != tt.want {
				t.Errorf("About(%+v) = %q, want %q", tt.m, got, tt.want)
			}
		})
	}
}

// TestSettingsShowsVersionAndLibrary: Settings says which version this is
// and where the library is kept.
func TestSettingsShowsVersionAndLibrary(t *testing.T) {
	a := newTestApp(t)
	if got, want := a.settings.version.Text, About(a.fyne.Metadata()); got != want || !strings.HasPrefix(got, "Second Opinion ") {
		t.Errorf("Settings version = %q, want %q", got, want)
	}
	if got := a.settings.location.Text; got != a.store.Path() {
		t.Errorf("Settings library location = %q, want %q", got, a.store.Path())
	}
}
