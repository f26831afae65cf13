package ui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// chooserRow finds the chooser's visible row for name: a check for a file,
// a button for a folder.
func chooserRow(t *testing.T, c *fileChooser, name string) fyne.CanvasObject {
	t.Helper()
	for _, o := range test.LaidOutObjects(c.list) {
		switch w := o.(type) {
		case *widget.Check:
			if w.Visible() && w.Text == name {
				return w
			}
		case *widget.Button:
			if w.Visible() && w.Text == name {
				return w
			}
		}
	}
	t.Fatalf("the chooser shows no %q in %s", name, c.dir)
	return nil
}

func TestFileChooserPicksSeveral(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	for _, name := range []string{"b letter.pdf", "notes.txt", ".hidden.png"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writePNG(t, dir, "a photo.png", 1)
	writePNG(t, dir, "C scan.JPG", 2) // the extension is all the chooser looks at
	sub := filepath.Join(dir, "Scans")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	writePNG(t, sub, "page 1.png", 3)

	tests := []struct {
		name string
		tick []string // in this folder
		into string   // then open this subfolder and tick its first file
		all  bool     // press "Select all" instead of ticking
		want []string // relative to dir
	}{
		{name: "two ticked", tick: []string{"b letter.pdf", "a photo.png"}, want: []string{"a photo.png", "b letter.pdf"}},
		{name: "select all", all: true, want: []string{"C scan.JPG", "a photo.png", "b letter.pdf"}},
		{name: "ticks kept across folders", tick: []string{"a photo.png"}, into: "Scans", want: []string{"Scans/page 1.png", "a photo.png"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			c := a.chooseFiles(func(p []string) { got = p })
			c.open(dir)
			if names := strings.Join(labelsOfList(c), ","); strings.Contains(names, "notes.txt") || strings.Contains(names, "hidden") {
				t.Errorf("the chooser lists %s; want no text files or hidden files", names)
			}
			if !c.confirm.Disabled() {
				t.Error("\"Add\" should wait until a file is ticked")
			}
			for _, name := range tt.tick {
				test.Tap(chooserRow(t, c, name).(*widget.Check))
			}
			if tt.all {
				test.Tap(c.all)
			}
			if tt.into != "" {
				test.Tap(chooserRow(t, c, tt.into).(*widget.Button))
				if c.dir != filepath.Join(dir, tt.into) {
					t.Fatalf("after tapping the folder the chooser shows %s", c.dir)
				}
				test.Tap(chooserRow(t, c, "page 1.png").(*widget.Check))
				test.Tap(c.up)
				if c.dir != dir {
					t.Fatalf("Up went to %s, want %s", c.dir, dir)
				}
			}
			wantBtn := "Add " + plural(len(tt.want), "file", "files")
			if c.confirm.Text != wantBtn {
				t.Errorf("button says %q, want %q", c.confirm.Text, wantBtn)
			}
			test.Tap(c.confirm)
			var want []string
			for _, w := range tt.want {
				want = append(want, filepath.Join(dir, filepath.FromSlash(w)))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("chosen = %q, want %q", got, want)
			}
			if len(a.escapes) != 0 {
				t.Errorf("%d dialogs open after Add", len(a.escapes))
			}
		})
	}

	// The folder is remembered for next time.
	c := a.chooseFiles(func([]string) {})
	if c.dir != dir {
		t.Errorf("the chooser opened on %s, want the last folder %s", c.dir, dir)
	}
	a.escape()

	// From the Documents screen the chosen files go to the add dialog, which
	// asks whether they are one document or several.
	a.show(secDocuments)
	a.documents.onAdd()
	c = a.documents.chooser
	writePNG(t, sub, "page 2.png", 4)
	c.open(sub)
	test.Tap(c.all)
	test.Tap(c.confirm)
	if len(a.documents.pending) != 2 || !a.documents.grouping.Visible() {
		t.Fatalf("add dialog has %d files (grouping shown %v), want 2 and the one-or-several choice", len(a.documents.pending), a.documents.grouping.Visible())
	}
	a.documents.grouping.SetSelected(a.documents.grouping.Options[0])
	a.documents.onConfirmAdd()
	docs, _ := a.store.Documents(a.ctx, filterFor(a))
	if len(docs) != 1 || docs[0].FileCount != 2 {
		t.Fatalf("after adding as one document: %d documents, want 1 of 2 pages", len(docs))
	}
}

// labelsOfList is the names the chooser's list shows.
func labelsOfList(c *fileChooser) []string {
	var out []string
	for _, o := range test.LaidOutObjects(c.list) {
		switch w := o.(type) {
		case *widget.Check:
			if w.Visible() {
				out = append(out, w.Text)
			}
		case *widget.Button:
			if w.Visible() {
				out = append(out, w.Text)
			}
		}
	}
	return out
}

func filterFor(a *App) records.DocumentFilter { return records.DocumentFilter{PersonID: a.person.ID} }
