package ui

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// prefFolder remembers the folder the file chooser last showed.
const prefFolder = "last.folder"

// fileChooser picks several files at once (Fyne's file dialog picks one):
// a folder with Up and shortcuts to the usual folders, its subfolders and
// its PDFs and pictures with checkboxes, "Select all", and "Add N files".
// Ticks are kept while moving between folders. Which files are offered is
// decided by their extension, for display only: the library sniffs the
// content when they are added.
type fileChooser struct {
	a        *App
	dir      string
	entries  []os.DirEntry // folders first, then files, by name
	chosen   map[string]bool
	where    *widget.Label
	up       *widget.Button
	note     *widget.Label
	list     *widget.List
	all      *widget.Button
	count    *widget.Label
	confirm  *widget.Button
	dialog   dialog.Dialog
	onChosen func(paths []string)
	// onDisc, when set, makes it a chooser of one imaging disc: the
	// folder shown ("Use this folder") or a .zip tapped in it.
	onDisc func(path string)
}

// chooseFiles opens the chooser; onChosen gets the ticked files' paths
// (sorted by folder and name, the order photos of one letter are taken in).
func (a *App) chooseFiles(onChosen func(paths []string)) *fileChooser {
	return a.newChooser("Choose files to add", onChosen, nil)
}

// chooseDisc opens the chooser for an imaging disc: a mounted disc, a
// folder copied from one, or its .zip.
func (a *App) chooseDisc(onDisc func(path string)) *fileChooser {
	return a.newChooser("Choose the imaging disc, or a folder or .zip copied from it", nil, onDisc)
}

func (a *App) newChooser(title string, onChosen func(paths []string), onDisc func(path string)) *fileChooser {
	c := &fileChooser{a: a, chosen: map[string]bool{}, onChosen: onChosen, onDisc: onDisc}
	c.where = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.where.Truncation = fyne.TextTruncateEllipsis
	c.up = widget.NewButtonWithIcon("Up", theme.MoveUpIcon(), func() { c.open(filepath.Dir(c.dir)) })
	c.note = hint("")
	c.note.Hide()
	c.list = widget.NewList(func() int { return len(c.entries) }, func() fyne.CanvasObject {
		folder := widget.NewButtonWithIcon("Folder", theme.FolderIcon(), nil)
		folder.Alignment = widget.ButtonAlignLeading
		folder.Importance = widget.LowImportance
		check := widget.NewCheck("File", nil)
		return container.NewStack(folder, check)
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i >= len(c.entries) {
			return
		}
		e := c.entries[i]
		st := o.(*fyne.Container)
		folder, check := st.Objects[0].(*widget.Button), st.Objects[1].(*widget.Check)
		path := filepath.Join(c.dir, e.Name())
		if e.IsDir() {
			check.Hide()
			folder.SetText(e.Name())
			folder.SetIcon(theme.FolderIcon())
			folder.OnTapped = func() { c.open(path) }
			folder.Show()
			return
		}
		if c.onDisc != nil { // a .zip of a disc: chosen with one tap
			check.Hide()
			folder.SetText(e.Name())
			folder.SetIcon(theme.FileIcon())
			folder.OnTapped = func() { c.pickDisc(path) }
			folder.Show()
			return
		}
		folder.Hide()
		check.OnChanged = nil
		check.SetText(e.Name())
		check.SetChecked(c.chosen[path])
		check.OnChanged = func(v bool) { c.toggle(path, v) }
		check.Show()
	})
	c.all = widget.NewButton("Select all", c.onSelectAll)
	c.count = widget.NewLabel("")
	c.confirm = widget.NewButtonWithIcon("Add files", theme.ContentAddIcon(), c.onConfirm)
	c.confirm.Importance = widget.HighImportance

	places := container.NewHBox()
	if home, err := os.UserHomeDir(); err == nil {
		places.Add(widget.NewButtonWithIcon("Home", theme.HomeIcon(), func() { c.open(home) }))
		for _, name := range []string{"Documents", "Downloads", "Desktop", "Pictures"} {
			p := filepath.Join(home, name)
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				places.Add(widget.NewButtonWithIcon(name, theme.FolderIcon(), func() { c.open(p) }))
			}
		}
	}
	if onDisc != nil {
		// Where Linux mounts a CD, DVD or USB stick.
		if ps := discPlaces(); len(ps) > 0 {
			places.Add(widget.NewButtonWithIcon("Discs", theme.StorageIcon(), func() { c.open(ps[0]) }))
		}
		c.all.Hide()
		c.confirm.SetText("Use this folder")
		c.confirm.OnTapped = func() { c.pickDisc(c.dir) }
	}
	top := container.NewVBox(places, container.NewBorder(nil, nil, c.up, nil, c.where), c.note)
	cancel := widget.NewButton("Cancel", func() { a.closeDialog(c.dialog) })
	bottom := container.NewBorder(nil, nil, c.all, container.NewHBox(layout.NewSpacer(), cancel, c.confirm), c.count)
	body := container.NewBorder(top, container.NewPadded(bottom), nil, nil, c.list)
	c.dialog = dialog.NewCustomWithoutButtons(title, body, a.win)
	a.pushEscape(c.dialog, nil)
	c.dialog.Resize(fyne.NewSize(820, 580))
	c.dialog.Show()

	dir := a.fyne.Preferences().String(prefFolder)
	if st, err := os.Stat(dir); dir == "" || err != nil || !st.IsDir() {
		dir, _ = os.UserHomeDir()
	}
	c.open(dir)
	return c
}

// discPlaces are the folders removable discs appear under, when they exist.
func discPlaces() []string {
	var out []string
	cands := []string{"/media", "/mnt", "/Volumes"}
	if u := os.Getenv("USER"); u != "" {
		cands = append([]string{filepath.Join("/media", u), filepath.Join("/run/media", u)}, cands...)
	}
	for _, p := range cands {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			out = append(out, p)
		}
	}
	return out
}

// pickDisc closes the chooser with a disc's folder or .zip. UI goroutine.
func (c *fileChooser) pickDisc(path string) {
	c.a.closeDialog(c.dialog)
	c.onDisc(path)
}

// chooserShows reports whether the chooser lists a file (by extension).
func chooserShows(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range addableExtensions {
		if strings.ToLower(e) == ext {
			return true
		}
	}
	return false
}

// open shows a folder. UI goroutine.
func (c *fileChooser) open(dir string) {
	if dir == "" {
		return
	}
	all, err := os.ReadDir(dir)
	if err != nil {
		c.note.SetText(records.Explain(&records.Problem{Msg: "This folder cannot be opened: " + dir + ". Choose another one.", Err: err}))
		c.note.Show()
		return
	}
	c.note.Hide()
	c.dir = dir
	c.entries = c.entries[:0]
	for _, e := range all {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
				isDir = st.IsDir()
			}
		}
		if isDir {
			c.entries = append(c.entries, dirEntry{e})
		} else if c.onDisc != nil {
			if strings.EqualFold(filepath.Ext(e.Name()), ".zip") {
				c.entries = append(c.entries, e)
			}
		} else if chooserShows(e.Name()) {
			c.entries = append(c.entries, e)
		}
	}
	sort.SliceStable(c.entries, func(i, j int) bool {
		a, b := c.entries[i], c.entries[j]
		if a.IsDir() != b.IsDir() {
			return a.IsDir()
		}
		return strings.ToLower(a.Name()) < strings.ToLower(b.Name())
	})
	c.where.SetText(dir)
	if filepath.Dir(dir) == dir {
		c.up.Disable()
	} else {
		c.up.Enable()
	}
	c.a.fyne.Preferences().SetString(prefFolder, dir)
	c.list.UnselectAll()
	c.list.ScrollToTop()
	c.list.Refresh()
	c.showCount()
}

// dirEntry is a symbolic link to a folder, listed as a folder.
type dirEntry struct{ os.DirEntry }

func (dirEntry) IsDir() bool { return true }

func (c *fileChooser) toggle(path string, v bool) {
	if v {
		c.chosen[path] = true
	} else {
		delete(c.chosen, path)
	}
	c.showCount()
}

// onSelectAll ticks every file in the folder shown (or unticks them when
// all are ticked already).
func (c *fileChooser) onSelectAll() {
	var files []string
	allTicked := true
	for _, e := range c.entries {
		if !e.IsDir() {
			p := filepath.Join(c.dir, e.Name())
			files = append(files, p)
			allTicked = allTicked && c.chosen[p]
		}
	}
	for _, p := range files {
		c.toggle(p, !allTicked)
	}
	c.list.Refresh()
}

func (c *fileChooser) showCount() {
	if c.onDisc != nil {
		c.count.SetText("Open the disc (or the folder copied from it) and choose Use this folder, or tap its .zip.")
		c.count.Wrapping = fyne.TextWrapWord
		return
	}
	n := len(c.chosen)
	files := 0
	allTicked := true
	for _, e := range c.entries {
		if !e.IsDir() {
			files++
			allTicked = allTicked && c.chosen[filepath.Join(c.dir, e.Name())]
		}
	}
	if files > 0 && allTicked {
		c.all.SetText("Untick all")
	} else {
		c.all.SetText("Select all")
	}
	if files == 0 {
		c.all.Disable()
	} else {
		c.all.Enable()
	}
	switch {
	case n == 0 && files == 0:
		c.count.SetText("No PDFs or pictures in this folder.")
	case n == 0:
		c.count.SetText("Tick the files to add.")
	default:
		c.count.SetText(plural(n, "file", "files") + " chosen")
	}
	if n == 0 {
		c.confirm.SetText("Add files")
		c.confirm.Disable()
	} else {
		c.confirm.SetText("Add " + plural(n, "file", "files"))
		c.confirm.Enable()
	}
}

// paths is the chosen files, by folder and name.
func (c *fileChooser) paths() []string {
	out := make([]string, 0, len(c.chosen))
	for p := range c.chosen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (c *fileChooser) onConfirm() {
	paths := c.paths()
	if len(paths) == 0 {
		return
	}
	c.a.closeDialog(c.dialog)
	c.onChosen(paths)
}
