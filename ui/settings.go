package ui

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// settingsScreen shows where the library is, makes backups, and keeps the
// default paper size.
type settingsScreen struct {
	a        *App
	location *widget.Label
	backup   *widget.Button
	paper    *widget.Select
	backedUp *widget.Label
	box      fyne.CanvasObject
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
	s.backup = widget.NewButtonWithIcon("Back up now...", theme.DocumentSaveIcon(), s.onBackup)
	s.backup.Importance = widget.HighImportance
	s.backedUp = hint("")
	s.backedUp.Hide()
	s.paper = widget.NewSelect([]string{paperA4, paperLetter}, s.onPaper)
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
		widget.NewLabelWithStyle("Paper size for new packets", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.paper,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Appearance", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("Light or dark follows your computer's own setting."),
	)))
	return s
}

func (s *settingsScreen) content() fyne.CanvasObject { return s.box }

func (s *settingsScreen) refresh() {
	s.location.SetText(s.a.store.Path())
	opt := paperA4
	if s.a.defaultPaper() == records.PaperLetter {
		opt = paperLetter
	}
	setSelectQuiet(s.paper, opt)
}

func (s *settingsScreen) onPaper(opt string) {
	p := records.PaperA4
	if opt == paperLetter {
		p = records.PaperLetter
	}
	s.a.fyne.Preferences().SetString(prefPaper, string(p))
}

func (s *settingsScreen) onBackup() {
	_ = s.a.askSavePath("Second Opinion backup "+s.a.store.Now().Format("2006-01-02")+".sqlite", ".sqlite", func(path string) error {
		if _, err := os.Lstat(path); err == nil {
			return &records.Problem{Msg: filepath.Base(path) + " already exists. Choose a new name for the backup, so nothing is overwritten."}
		}
		return nil
	}, s.backupTo)
}

// backupTo writes the backup off the UI goroutine. Backup refuses to
// overwrite any existing file.
func (s *settingsScreen) backupTo(path string) {
	if !strings.HasSuffix(strings.ToLower(path), ".sqlite") {
		path += ".sqlite"
	}
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
