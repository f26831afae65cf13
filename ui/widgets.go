package ui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// formEntry is an Entry that hands Escape (to cancel the open dialog) and
// the app's shortcuts (Ctrl+F, Ctrl+N, Ctrl+E...) to the app: Fyne gives
// key presses and shortcuts to the focused widget only, so without this
// Ctrl+F in a field did nothing and the search words went into the field.
type formEntry struct {
	widget.Entry
	onEscape   func()
	onShortcut func(fyne.Shortcut) bool
	onFocus    func(fyne.CanvasObject) // scrolls the field into view
	// reading, for a date field, says how a date that could be read two
	// ways was read ("= 3 April 2024"), before it is saved.
	reading *widget.Label
	// rows is a text area's set height in lines (0 for a one-line field);
	// it grows with its text (see extraHeight).
	rows int
}

// withReading makes e a date field whose reading is shown under it when
// the date could be read two ways (03/04/2024), with a calendar button
// beside it for those who prefer to pick the day. Call it after OnChanged
// is set; it returns the field, its button and its reading, to place
// together.
func withReading(e *formEntry) fyne.CanvasObject {
	e.reading = widget.NewLabel("")
	e.reading.Importance = widget.LowImportance
	e.reading.Hide()
	prev := e.OnChanged
	e.OnChanged = func(text string) {
		e.showReading(text)
		if prev != nil {
			prev(text)
		}
	}
	pick := widget.NewButtonWithIcon("", theme.CalendarIcon(), func() { e.pickDate() })
	return container.NewVBox(container.NewBorder(nil, nil, nil, pick, e), e.reading)
}

// pickDate shows a calendar at the field's date (or today) and puts the
// chosen day in the field. UI goroutine.
func (e *formEntry) pickDate() {
	c := fyne.CurrentApp().Driver().CanvasForObject(e)
	if c == nil {
		return
	}
	start := time.Now()
	if d, _, err := records.ReadDate(e.Text); err == nil && !d.IsZero() {
		start = d.Time()
	}
	var pop *widget.PopUp
	cal := widget.NewCalendar(start, func(t time.Time) {
		e.SetText(dateText(records.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}))
		pop.Hide()
	})
	pop = widget.NewModalPopUp(container.NewVBox(cal, widget.NewButton("Cancel", func() { pop.Hide() })), c)
	pop.Show()
}

// dateText is a date as a field shows it: as people write it ("15 March
// 2024", "March 2024"), empty when not known. ParseDate reads it back.
func dateText(d records.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Human()
}

// showReading updates the reading under a date field.
func (e *formEntry) showReading(text string) {
	if e.reading == nil {
		return
	}
	d, ambiguous, err := records.ReadDate(text)
	if err != nil || !ambiguous {
		e.reading.Hide()
		return
	}
	e.reading.SetText("= " + d.Human() + " (write the month in words if you meant otherwise)")
	e.reading.Show()
}

// FocusGained shows the field when it gets the focus (by Tab too).
func (e *formEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus(e)
	}
}

func (e *formEntry) TypedShortcut(s fyne.Shortcut) {
	if e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// formSelectEntry is a SelectEntry (a field with suggestions) that hands
// Escape and the app's shortcuts to the app, like formEntry.
type formSelectEntry struct {
	widget.SelectEntry
	onEscape   func()
	onShortcut func(fyne.Shortcut) bool
}

func (e *formSelectEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.SelectEntry.TypedKey(k)
}

func (e *formSelectEntry) TypedShortcut(s fyne.Shortcut) {
	if e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	e.SelectEntry.TypedShortcut(s)
}

// newSelectEntry is a field with suggestions that keeps the app's keys.
func (a *App) newSelectEntry(options []string) *formSelectEntry {
	e := &formSelectEntry{onEscape: a.escape, onShortcut: a.runShortcut}
	e.ExtendBaseWidget(e)
	e.SetOptions(options)
	return e
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
	e := &formEntry{onEscape: a.escape, onShortcut: a.runShortcut, onFocus: a.scrollIntoView}
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
	e.rows = lines
	return e
}

// setQuiet sets an entry's text without firing its OnChanged (filling a
// form from the library must not count as an edit).
func setQuiet(e *formEntry, text string) {
	fn := e.OnChanged
	e.OnChanged = nil
	e.SetText(text)
	e.OnChanged = fn
	e.showReading(text)
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

// setRadioQuiet selects an option without firing OnChanged.
func setRadioQuiet(r *widget.RadioGroup, option string) {
	fn := r.OnChanged
	r.OnChanged = nil
	r.SetSelected(option)
	r.OnChanged = fn
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

// prefSaveFolder remembers the folder files were last saved in.
const prefSaveFolder = "last.save.folder"

// askSavePath asks for a file name and folder to save in, offering name
// (which ends in ext, such as ".pdf"), and calls then with the chosen path,
// which always ends in ext. check says why a path must not be used (the
// library itself, a file that is not a PDF); its sentence shows under the
// form and the user chooses again. An existing file that check allows is
// replaced only after the user says so.
//
// Fyne's own save dialog is not used: it creates or empties the chosen file
// before the app sees the name, so choosing the library by mistake would
// have emptied it.
func (a *App) askSavePath(name, ext string, check func(path string) error, then func(path string)) *saveAs {
	prefs := a.fyne.Preferences()
	dir := prefs.String(prefSaveFolder)
	if st, err := os.Stat(dir); dir == "" || err != nil || !st.IsDir() {
		home, _ := os.UserHomeDir()
		dir = home
		if st, err := os.Stat(filepath.Join(home, "Documents")); err == nil && st.IsDir() {
			dir = filepath.Join(home, "Documents")
		}
	}
	nameEntry := a.newEntry("")
	nameEntry.SetText(name)
	folder := widget.NewLabel(dir)
	folder.Wrapping = fyne.TextWrapBreak
	problem := problemLabel()
	choose := widget.NewButton("Choose folder...", func() {
		fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				dir = u.Path()
				folder.SetText(dir)
			}
		}, a.win)
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			fd.SetLocation(l)
		}
		fd.SetOnClosed(func() { a.forget(fd) })
		a.pushFileDialog(fd)
		fd.Show()
		fd.Resize(fyne.NewSize(900, 600))
	})
	var d dialog.Dialog
	save := func() {
		n := strings.TrimSpace(nameEntry.Text)
		if n == "" || strings.ContainsAny(n, "/\\") {
			showProblem(problem, &records.Problem{Msg: "Write a file name without slashes, for example " + name + "."})
			return
		}
		if !strings.HasSuffix(strings.ToLower(n), ext) {
			n += ext
		}
		path := filepath.Join(dir, n)
		if err := check(path); showProblem(problem, err) {
			return
		}
		prefs.SetString(prefSaveFolder, dir)
		if _, err := os.Stat(path); err == nil {
			a.confirm("Replace "+n+"?", n+" is already in "+dir+". Replace it with the new file?", "Replace", func() {
				a.closeDialog(d)
				then(path)
			})
			return
		}
		a.closeDialog(d)
		then(path)
	}
	nameEntry.OnSubmitted = func(string) { save() }
	form := container.NewVBox(
		widget.NewLabel("File name"), nameEntry,
		widget.NewLabel("Folder"), container.NewBorder(nil, nil, nil, choose, folder))
	d = a.formDialog("Save as", "Save", container.New(minWidth{560}, form), problem, save)
	a.win.Canvas().Focus(nameEntry)
	return &saveAs{name: nameEntry, problem: problem, save: save, setDir: func(d string) { dir = d; folder.SetText(d) }}
}

// mustBeNew is askSavePath's check for a file written only where none is
// (a backup, a saved attachment): an existing name is refused, so nothing
// is overwritten. forWhat (" for the backup") goes after "a new name".
func mustBeNew(forWhat string) func(path string) error {
	return func(path string) error {
		if _, err := os.Lstat(path); err == nil {
			return &records.Problem{Msg: filepath.Base(path) + " already exists. Choose a new name" + forWhat + ", so nothing is overwritten."}
		}
		return nil
	}
}

// saveAs is an open "Save as" form, for tests.
type saveAs struct {
	name    *formEntry
	problem *widget.Label
	save    func()
	setDir  func(string)
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
