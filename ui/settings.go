package ui

import (
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// settingsScreen shows where the library is, makes backups, and keeps the
// default paper size.
type settingsScreen struct {
	textSize *widget.RadioGroup // 100% to 175%, remembered
	trashBox *fyne.Container    // people and cases in the Trash
	a        *App
	location *widget.Label
	version  *widget.Label // which Second Opinion this is (FyneApp.toml + git commit)
	backup   *widget.Button
	paper    *widget.Select
	backedUp *widget.Label
	// compact rewrites an older library with larger pages (faster adds)
	// and gives back deleted space; compacting shows how far it has got.
	compact    *widget.Button
	compacting *widget.ProgressBar
	compacted  *widget.Label
	box        fyne.CanvasObject
}

const (
	paperA4     = "A4 (most of the world)"
	paperLetter = "Letter (United States, Canada)"
)

func newSettingsScreen(a *App) *settingsScreen {
	s := &settingsScreen{a: a}
	s.location = widget.NewLabel(a.store.Path())
	s.location.Wrapping = fyne.TextWrapBreak
	s.location.TextStyle.Monospace = true
	folder := widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), func() { a.openPath(filepath.Dir(a.store.Path())) })
	s.version = widget.NewLabel(About(a.fyne.Metadata()))
	s.version.Wrapping = fyne.TextWrapWord
	s.backup = widget.NewButtonWithIcon("Back up now...", theme.DocumentSaveIcon(), s.onBackup)
	s.backup.Importance = widget.HighImportance
	s.backedUp = hint("")
	s.backedUp.Hide()
	s.compact = widget.NewButtonWithIcon("Compact the library...", theme.ViewRefreshIcon(), s.onCompact)
	s.compacting = widget.NewProgressBar()
	s.compacting.Hide()
	s.compacted = hint("")
	s.compacted.Hide()
	s.paper = widget.NewSelect([]string{paperA4, paperLetter}, s.onPaper)
	var sizes []string
	for _, ts := range textScales {
		sizes = append(sizes, ts.label)
	}
	s.textSize = widget.NewRadioGroup(sizes, s.onTextSize)
	s.textSize.Horizontal = true
	s.trashBox = container.NewVBox()
	s.box = container.NewVScroll(container.NewPadded(container.NewVBox(
		heading("Settings"),
		widget.NewLabelWithStyle("Your library", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("Everything you add is kept in this one file on this computer. Nothing is sent anywhere unless you export a packet."),
		s.location,
		container.NewHBox(folder),
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Backup", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("A backup is a complete copy of the library. Keep it on a USB stick or another disk; it can be opened like the library itself."),
		container.NewHBox(s.backup),
		s.backedUp,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Compact", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("Rewrites the library so that adding is faster (a library made by an older Second Opinion) and the space of deleted records goes back to the disk. Nothing in it changes."),
		container.NewHBox(s.compact),
		s.compacted,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Paper size for new packets", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.paper,
		widget.NewSeparator(),
		ocrLanguageSetting(a),
		widget.NewSeparator(),
		widget.NewLabelWithStyle("People and cases in the Trash", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("A person or case moved to the Trash can be brought back until it is deleted for good."),
		s.trashBox,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Text size", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("Make the words larger if they are hard to read. The whole window follows at once."),
		s.textSize,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Appearance", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("Light or dark follows your computer's own setting."),
		widget.NewSeparator(),
		widget.NewLabelWithStyle("About", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.version,
	)))
	return s
}

func (s *settingsScreen) content() fyne.CanvasObject { return s.box }

func (s *settingsScreen) refresh() {
	s.location.SetText(s.a.store.Path())
	scale := s.a.fyne.Preferences().FloatWithFallback(prefTextScale, 1)
	for _, ts := range textScales {
		if float64(ts.scale) == scale {
			setRadioQuiet(s.textSize, ts.label)
		}
	}
	s.refreshTrash()
	opt := paperA4
	if s.a.defaultPaper() == records.PaperLetter {
		opt = paperLetter
	}
	setSelectQuiet(s.paper, opt)
}

// refreshTrash lists the people and cases in the Trash, each with Restore
// and Delete for good. UI goroutine.
func (s *settingsScreen) refreshTrash() {
	a := s.a
	s.trashBox.Objects = nil
	people, err := a.store.TrashedPeople(a.ctx)
	if err != nil {
		a.showError(err)
	}
	cases, err := a.store.TrashedCases(a.ctx, "")
	if err != nil {
		a.showError(err)
	}
	row := func(text string, restore func() error, purge func() error, after func()) {
		back := widget.NewButtonWithIcon("Restore", theme.ContentUndoIcon(), func() {
			if err := restore(); err != nil {
				a.showError(err)
			}
			after()
		})
		del := widget.NewButtonWithIcon("Delete for good...", theme.DeleteIcon(), func() {
			a.confirm("Delete for good?", text+" will be deleted for good, with everything recorded for it. This cannot be undone.", "Delete for good", func() {
				if err := purge(); err != nil {
					a.showError(err)
				}
				after()
			})
		})
		del.Importance = widget.DangerImportance
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		s.trashBox.Add(container.NewBorder(nil, nil, nil, container.NewHBox(back, del), l))
	}
	for _, p := range people {
		id := p.ID
		row(p.FullName+" (a person, with their documents, medicines and cases)",
			func() error { return a.store.RestorePerson(a.ctx, id) },
			func() error { return a.store.DeletePerson(a.ctx, id) },
			func() { a.afterPeopleChanged(a.person.ID); a.show(secSettings) })
	}
	for _, c := range cases {
		id, owner := c.ID, c.PersonID
		who := ""
		if p, err := a.store.Person(a.ctx, owner); err == nil {
			who = " of " + p.FullName
		}
		row(orText(c.Title, "Second opinion")+" (a case"+who+")",
			func() error { return a.store.RestoreCase(a.ctx, id) },
			func() error { return a.store.DeleteCase(a.ctx, id) },
			func() {
				if owner == a.person.ID {
					a.openPerson(owner)
				}
				s.refreshTrash()
			})
	}
	if len(people)+len(cases) == 0 {
		s.trashBox.Add(widget.NewLabel("Nothing in the Trash."))
	}
	s.trashBox.Refresh()
}

// onTextSize applies and remembers the chosen text size. UI goroutine.
func (s *settingsScreen) onTextSize(label string) {
	for _, ts := range textScales {
		if ts.label == label {
			s.a.fyne.Preferences().SetFloat(prefTextScale, float64(ts.scale))
			s.a.fyne.Settings().SetTheme(readableTheme{scale: ts.scale})
		}
	}
}

func (s *settingsScreen) onPaper(opt string) {
	p := records.PaperA4
	if opt == paperLetter {
		p = records.PaperLetter
	}
	s.a.fyne.Preferences().SetString(prefPaper, string(p))
}

func (s *settingsScreen) onBackup() {
	_ = s.a.askSavePath("Second Opinion backup "+s.a.store.Now().Format("2006-01-02")+".sqlite", ".sqlite", mustBeNew(" for the backup"), s.backupTo)
}

// backupTo writes the backup off the UI goroutine. Backup refuses to
// overwrite any existing file. path ends in .sqlite (askSavePath).
func (s *settingsScreen) backupTo(path string) {
	store, ctx := s.a.store, s.a.ctx
	s.backup.Disable()
	s.backedUp.SetText("Making the backup...")
	s.backedUp.Show()
	s.a.async(func() {
		err := store.Backup(ctx, path)
		fyne.Do(func() {
			s.backup.Enable()
			if err != nil {
				s.backedUp.Hide()
				s.a.showError(err)
				return
			}
			s.backedUp.SetText("Backup saved: " + path)
		})
	})
}

// onCompact compacts the library off the UI goroutine. A dialog with the
// progress stays over the window until it is done, so nothing is typed
// while the library is rewritten in place (an edit would wait for it).
func (s *settingsScreen) onCompact() {
	store, ctx := s.a.store, s.a.ctx
	s.compact.Disable()
	s.compacted.Hide()
	s.compacting.SetValue(0)
	s.compacting.Show()
	wait := dialog.NewCustomWithoutButtons("Compacting the library", container.NewVBox(
		widget.NewLabel("This can take a minute for a large library; please wait."), s.compacting), s.a.win)
	wait.Show()
	s.a.async(func() {
		res, err := store.Compact(ctx, func(done, total int64) {
			fyne.Do(func() { s.compacting.SetValue(float64(done) / float64(max(total, 1))) })
		})
		fyne.Do(func() {
			wait.Hide()
			s.compact.Enable()
			s.compacting.Hide()
			if err != nil {
				s.a.showError(err)
				return
			}
			s.compacted.SetText(compactedText(res))
			s.compacted.Show()
		})
	})
}

// compactedText says what compacting did.
func compactedText(res records.Compacted) string {
	t := fmt.Sprintf("Compacted: the library was %s and is now %s.", records.HumanBytes(res.Before), records.HumanBytes(res.After))
	if res.PageBefore != res.PageAfter {
		t += " Adding is faster from now on."
	}
	return t
}

// About says which Second Opinion this is, for --version and Settings:
// name, version and build from FyneApp.toml, and the git commit it was
// built from (metadata Custom["commit"], set by main).
func About(m fyne.AppMetadata) string {
	name := m.Name
	if name == "" {
		name = "Second Opinion"
	}
	v := m.Version
	if v == "" {
		v = "(version unknown)"
	}
	line := name + " " + v
	if m.Build > 0 {
		line += fmt.Sprintf(" (build %d)", m.Build)
	}
	if c := m.Custom["commit"]; c != "" {
		line += ", commit " + c
	}
	return line
}
