package ui

import (
	"os"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// formEntry is an Entry that hands Escape to the app (to cancel the open
// dialog): Fyne gives key presses to the focused widget only.
type formEntry struct {
	widget.Entry
	onEscape func()
}

func (e *formEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// newEntry is a one-line entry with a placeholder.
func (a *App) newEntry(placeholder string) *formEntry {
	e := &formEntry{onEscape: a.escape}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	return e
}

// newTextArea is a wrapped multi-line entry.
func (a *App) newTextArea(placeholder string, lines int) *formEntry {
	e := a.newEntry(placeholder)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(lines)
	return e
}

// setQuiet sets an entry's text without firing its OnChanged (filling a
// form from the library must not count as an edit).
func setQuiet(e *formEntry, text string) {
	fn := e.OnChanged
	e.OnChanged = nil
	e.SetText(text)
	e.OnChanged = fn
}

// setSelectQuiet selects an option without firing OnChanged.
func setSelectQuiet(s *widget.Select, option string) {
	fn := s.OnChanged
	s.OnChanged = nil
	if option == "" {
		s.ClearSelected()
	} else {
		s.SetSelected(option)
	}
	s.OnChanged = fn
}

// setCheckQuiet sets a check without firing OnChanged.
func setCheckQuiet(c *widget.Check, v bool) {
	fn := c.OnChanged
	c.OnChanged = nil
	c.SetChecked(v)
	c.OnChanged = fn
}

// plural is "1 page", "3 pages".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}

func itoa(n int) string { return strconv.Itoa(n) }

// removeIfEmpty removes a file a save dialog created and nothing filled.
// askSavePath shows a save dialog offering name, with files ending in ext
// (".pdf"), and calls then with the chosen path, which always ends in ext.
// The dialog creates the file it is given; a placeholder left empty at
// another name is removed.
func (a *App) askSavePath(name, ext string, then func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			a.showError(err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		if !strings.HasSuffix(strings.ToLower(path), ext) {
			removeIfEmpty(path)
			path += ext
		}
		then(path)
	}, a.win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{ext}))
	d.SetOnClosed(func() { a.forget(d) })
	a.pushFileDialog(d)
	d.Show() // a file dialog can only be resized once shown
	d.Resize(fyne.NewSize(900, 600))
}

func removeIfEmpty(path string) {
	if st, err := os.Stat(path); err == nil && st.Size() == 0 && st.Mode().IsRegular() {
		os.Remove(path)
	}
}

// narrow lays out one object at most width wide (centred by its parent),
// at its own minimum height, so a form that grows (a hidden part shown)
// keeps its layout.
type narrow struct{ width float32 }

func (n narrow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	s.Width = max(s.Width, n.width)
	return s
}

func (n narrow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
		o.Move(fyne.NewPos(0, 0))
	}
}

// minWidth gives its objects the whole space, and asks for at least width:
// the navigation keeps one width whichever section is marked.
type minWidth struct{ width float32 }

func (m minWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	s.Width = max(s.Width, m.width)
	return s
}

func (m minWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}
