package ui

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

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
