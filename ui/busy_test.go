package ui

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"secondopinion/export"
	"secondopinion/records"
)

// TestBusyLibraryKeepsTyping: while another Second Opinion window or
// command holds the library's write lock, what the user types is kept in
// the form, the header says "Saving…" (no error dialog), and it is saved
// as soon as the library is free.
func TestBusyLibraryKeepsTyping(t *testing.T) {
	ctx := context.Background()
	fa := test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "library.sqlite")
	s, err := records.OpenWith(ctx, path, records.OpenOptions{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := &App{fyne: fa, store: s, ctx: ctx, async: func(f func()) { f() }}
	fa.Settings().SetTheme(readableTheme{})
	a.win = fa.NewWindow("Second Opinion")
	a.win.Resize(fyne.NewSize(1200, 800))
	a.build()
	t.Cleanup(a.win.Close)
	test.Type(a.welcome.form.name, "Ann Example")
	test.Tap(a.welcome.start)
	a.show(secCase)
	a.delay, a.retryWait = time.Hour, time.Hour // the test runs each save and retry itself

	// Another process writing: a second connection holds the write lock.
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	cs := a.caseScreen
	test.Type(cs.decision, "Surgery now or after chemotherapy")
	cs.saver.flush()
	if !a.saving.Visible() {
		t.Error("saving while the library is busy: the header does not say Saving…")
	}
	if top := a.win.Canvas().Overlays().Top(); top != nil {
		t.Error("saving while the library is busy opened a dialog; want the quiet Saving… only")
	}
	if cs.decision.Text != "Surgery now or after chemotherapy" {
		t.Errorf("the typed text changed while waiting: %q", cs.decision.Text)
	}
	// Typing goes on while it waits; the retry saves the latest text.
	test.Type(cs.decision, " - which?")

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	cs.saver.flush() // the retry, which the app runs a moment later by itself
	c, err := s.Case(ctx, a.kase.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Surgery now or after chemotherapy - which?"; c.Decision != want {
		t.Errorf("stored decision after the library was free = %q, want %q", c.Decision, want)
	}
	if a.saving.Visible() {
		t.Error("Saving… still shown after the save went through")
	}
}

// TestSaveAsNeverEmptiesTheLibrary: choosing the library itself (or any
// file that is not a PDF) as the packet's name in the Save as form says so
// under the form and leaves the file as it was; a new name is used; an
// existing PDF is replaced only after asking.
func TestSaveAsNeverEmptiesTheLibrary(t *testing.T) {
	a := withPerson(t, "Ann Example")
	lib := a.store.Path()
	before, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	var chosen []string
	check := func(path string) error { return export.CheckTarget(a.store, path) }
	sa := a.askSavePath("packet.pdf", ".pdf", check, func(path string) { chosen = append(chosen, path) })
	sa.setDir(filepath.Dir(lib))
	// A file that is not a PDF, whatever its name says, is refused.
	notes := filepath.Join(filepath.Dir(lib), "notes.pdf")
	os.WriteFile(notes, []byte("my notes"), 0o600)
	sa.name.SetText("notes.pdf")
	sa.save()
	if !sa.problem.Visible() || !strings.Contains(sa.problem.Text, "not a PDF") {
		t.Errorf("Save as notes.pdf (not a PDF): problem %q (shown %v), want a sentence saying it is not a PDF", sa.problem.Text, sa.problem.Visible())
	}
	if got, _ := os.ReadFile(notes); string(got) != "my notes" {
		t.Error("Save as changed a file that is not a PDF")
	}
	if len(chosen) != 0 {
		t.Fatalf("Save as went on with %q, want it refused", chosen)
	}
	// The library's own name gets .pdf: it is never the library.
	sa.name.SetText(filepath.Base(lib))
	sa.save()
	if len(chosen) != 1 || chosen[0] == lib {
		t.Errorf("Save as %s chose %q, want a new .pdf name", filepath.Base(lib), chosen)
	}
	if after, _ := os.ReadFile(lib); !bytes.Equal(after, before) {
		t.Error("Save as changed the library")
	}
	chosen = nil
	sa.name.SetText("my packet")
	sa.save()
	if want := filepath.Join(filepath.Dir(lib), "my packet.pdf"); len(chosen) != 1 || chosen[0] != want {
		t.Errorf("Save as 'my packet' chose %q, want %q", chosen, want)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(lib), "my packet.pdf")); !os.IsNotExist(err) {
		t.Error("Save as created the file before the export; it must only choose the name")
	}
}
