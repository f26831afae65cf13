// Package ui is Second Opinion's desktop app: Fyne screens over the records
// library and the packet export. It holds no business rules; every rule the
// command line could also need lives in records or export.
//
// Threading: Fyne callbacks run on the UI goroutine and may touch widgets.
// Work that could take long (listing thousands of documents, adding files,
// making thumbnails, exporting) runs through App.async and comes back to
// widgets only inside fyne.Do.
package ui

import (
	"context"
	"errors"
	"log"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/assets"
	"secondopinion/records"
	"secondopinion/records/sample"
)

// Section names, in the order the navigation shows them. They are also the
// values kept in preferences for "last screen".
const (
	secOverview    = "Overview"
	secDocuments   = "Documents"
	secMedications = "Medications"
	secQuestions   = "Questions"
	secCase        = "Case & referral"
	secPacket      = "Packet"
	secSettings    = "Settings"
)

var sections = []string{secOverview, secDocuments, secMedications, secQuestions, secCase, secPacket, secSettings}

// Preference keys.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
	prefScreen = "last.screen"
	prefPerson = "last.person"
	prefPaper  = "default.paper"
	prefCase   = "last.case." // + person ID: the case last open for that person
)

// LoadSample fills the library with the sample person that
// `secondopinion demo` shows. Tests may replace it; when nil the welcome
// screen hides "Explore with a sample person".
var LoadSample = sample.Load

// screen is one section of the main window.
type screen interface {
	content() fyne.CanvasObject
	// refresh reloads what the screen shows for the current person and case.
	refresh()
}

// App is the main window and the state every screen shares: the library,
// the current person and their current case.
type App struct {
	fyne  fyne.App
	store *records.Store
	win   fyne.Window
	ctx   context.Context

	person records.Person
	kase   records.Case
	people []records.Person

	personSelect  *widget.Select
	addPersonForm *personForm // the open "Add person" form, for tests
	caseLabel     *widget.Label
	caseSelect    *widget.Select
	cases         []records.Case // the current person's cases, in caseSelect's order
	detailsButton *widget.Button
	details       *personDialog
	navButtons    map[string]*widget.Button
	body          *fyne.Container
	main          fyne.CanvasObject
	current       string

	welcome     *welcomeScreen
	overview    *overviewScreen
	documents   *documentsScreen
	medications *medicationsScreen
	questions   *questionsScreen
	caseScreen  *caseScreen
	packet      *packetScreen
	settings    *settingsScreen
	ocr         *ocrQueue // reads the text of photos and scans in the background
	screens     map[string]screen
	fitted      map[string]*container.Scroll // each screen's sideways-and-down scroll

	// async runs background work; tests replace it to run inline.
	async func(func())
	// delay is how long edits wait before they are saved (debounce); 0
	// saves at once (tests).
	delay time.Duration

	// opened holds private copies of originals the user opened in another
	// program (file ID to path), in a folder removed when the app closes.
	openedMu  sync.Mutex
	openedDir string
	opened    map[string]string

	// saving is the quiet "Saving…" sign; waiting holds the savers whose
	// last try found the library busy (UI goroutine only), and flushing the
	// saver whose save is running now.
	saving   *widget.Label
	waiting  map[*saver]bool
	flushing *saver
	// retryWait is how long a busy save waits before it tries again.
	retryWait time.Duration

	// The notice at the bottom of the window after a removal, with Undo
	// (UI goroutine only). undoWait is how long it stays.
	noticeBar  *fyne.Container
	noticeText *widget.Label
	noticeUndo *widget.Button
	undo       func() error
	undone     func()
	noticeSeq  int
	undoWait   time.Duration

	mu        sync.Mutex
	savers    []*saver
	shortcuts []shortcut
	escapes   []escapeItem // the open dialogs, topmost last, for Escape
}

// New builds the app's window over an open library. It does not show it;
// call ShowAndRun (or Run).
func New(a fyne.App, s *records.Store) *App {
	app := &App{
		fyne:  a,
		store: s,
		ctx:   context.Background(),
		async: func(f func()) { go f() },
		delay: 400 * time.Millisecond,

		retryWait: time.Second,
		undoWait:  10 * time.Second,
	}
	a.SetIcon(fyne.NewStaticResource("icon.svg", assets.IconSVG))
	a.Settings().SetTheme(readableTheme{scale: float32(a.Preferences().FloatWithFallback(prefTextScale, 1))})
	app.win = a.NewWindow("Second Opinion")
	app.build()
	return app
}

// Run builds the app over an open library, shows its window and runs until
// it is closed. It is what `secondopinion` without a subcommand calls.
//
// When ctx ends (the session logs out, the process is asked to stop) the
// window closes as if the user closed it: pending edits are saved first.
//
// Only one copy of the app opens a library: a second copy brings the
// first one's window to the front, says so, and closes.
func Run(ctx context.Context, a fyne.App, s *records.Store) {
	var app *App
	in, taken := claimLibrary(s.Path(), func() {
		fyne.Do(func() {
			if app != nil {
				app.win.Show()
				app.win.RequestFocus()
			}
		})
	})
	if taken {
		log.Printf("Second Opinion is already open with the library %s; that window was brought to the front.", s.Path())
		alreadyOpen(ctx, a, s.Path())
		return
	}
	defer in.release()
	// Opened originals left by a copy of the app that was killed go now.
	records.RemoveStaleTemp("secondopinion-open-")
	app = New(a, s)
	defer app.removeOpened()
	// PDFium takes a second or two to start the first time: start it now,
	// in the background, so the first thumbnails do not wait for it.
	app.renderer().Start()
	if len(s.Notices) > 0 {
		// What opening the library did (permissions tightened, leftovers
		// of an interrupted add removed), said once in the window too.
		app.showInfo("About your library", strings.Join(s.Notices, "\n\n"))
	}
	stop := context.AfterFunc(ctx, func() { fyne.Do(app.onClose) })
	defer stop()
	// Photos and scans waiting since the last time (or added by the
	// command line) are read in the background from the start.
	app.ocr.enabled = true
	app.ocr.kick()
	app.ShowAndRun()
}

// trashPerson moves a person (and all that is theirs) to the Trash, opens
// another person or the welcome screen, and offers Undo. UI goroutine.
func (a *App) trashPerson(p records.Person) {
	a.flush()
	if err := a.store.TrashPerson(a.ctx, p.ID); err != nil {
		a.showError(err)
		return
	}
	a.afterPeopleChanged("")
	a.notifyUndo(p.FullName+" moved to the Trash, with their documents, medicines and cases", func() error {
		return a.store.RestorePerson(a.ctx, p.ID)
	}, func() { a.afterPeopleChanged(p.ID) })
}

// afterPeopleChanged opens want (or, when it is "" or gone, the first
// person left), or the welcome screen when nobody is left. UI goroutine.
func (a *App) afterPeopleChanged(want string) {
	people, err := a.store.People(a.ctx)
	if err != nil {
		a.showError(err)
		return
	}
	if len(people) == 0 {
		a.person, a.kase = records.Person{}, records.Case{}
		a.win.SetContent(a.welcome.content())
		return
	}
	id := people[0].ID
	for _, p := range people {
		if p.ID == want || (want == "" && p.ID == a.person.ID) {
			id = p.ID
		}
	}
	if a.win.Content() != a.main {
		a.win.SetContent(a.main)
	}
	a.openPerson(id)
	a.reloadPeople()
}

// trashCase moves the current case to the Trash and offers Undo; the
// person's documents and medicines stay. UI goroutine.
func (a *App) trashCase() {
	c := a.kase
	if c.ID == "" {
		return
	}
	a.flush()
	if err := a.store.TrashCase(a.ctx, c.ID); err != nil {
		a.showError(err)
		return
	}
	person := a.person.ID
	a.openPerson(person) // its most recent other case, or a new one
	title := c.Title
	if title == "" {
		title = "The case"
	}
	a.notifyUndo(title+" moved to the Trash (the documents and medicines stay)", func() error {
		return a.store.RestoreCase(a.ctx, c.ID)
	}, func() {
		a.fyne.Preferences().SetString(prefCase+person, c.ID)
		a.openPerson(person)
	})
}

// notifyUndo shows what was just removed at the bottom of the window, with
// Undo, for about ten seconds: every destructive click can be taken back.
// undo puts it back; after refreshes the screen either way. UI goroutine.
func (a *App) notifyUndo(what string, undo func() error, after func()) {
	a.noticeSeq++
	seq := a.noticeSeq
	a.undo, a.undone = undo, after
	a.noticeText.SetText(what)
	a.noticeUndo.Enable()
	a.noticeBar.Show()
	wait := a.undoWait
	if wait <= 0 {
		wait = 10 * time.Second
	}
	time.AfterFunc(wait, func() {
		fyne.Do(func() {
			if a.noticeSeq == seq {
				a.noticeBar.Hide()
				a.undo, a.undone = nil, nil
			}
		})
	})
}

// onUndo takes back the last removal. UI goroutine.
func (a *App) onUndo() {
	undo, after := a.undo, a.undone
	a.undo, a.undone = nil, nil
	a.noticeSeq++
	a.noticeBar.Hide()
	if undo == nil {
		return
	}
	if err := undo(); err != nil {
		a.showError(err)
	}
	if after != nil {
		after()
	}
}

// removed reports a removal made by the store: its notice with Undo, or
// the error. UI goroutine.
func (a *App) removed(u *records.Undo, err error, after func()) {
	after()
	if err != nil {
		a.showError(err)
		return
	}
	a.notifyUndo(u.What, func() error { return a.store.Restore(a.ctx, u) }, after)
}

// alreadyOpen tells the user, in a small window, that the library is open
// in another Second Opinion window, and closes when they have read it.
func alreadyOpen(ctx context.Context, a fyne.App, library string) {
	w := a.NewWindow("Second Opinion")
	stop := context.AfterFunc(ctx, func() { fyne.Do(w.Close) })
	defer stop()
	msg := widget.NewLabel("Second Opinion is already open with this library (" + library + "). Its window has been brought to the front: carry on there.")
	msg.Wrapping = fyne.TextWrapWord
	ok := widget.NewButton("OK", func() { w.Close() })
	ok.Importance = widget.HighImportance
	w.SetContent(container.NewBorder(nil, container.NewCenter(ok), nil, nil, msg))
	w.Resize(fyne.NewSize(460, 150))
	w.ShowAndRun()
}

// ShowAndRun shows the window and runs the app until the window is closed.
func (a *App) ShowAndRun() {
	a.win.ShowAndRun()
}

// Window is the app's main window.
func (a *App) Window() fyne.Window { return a.win }

func (a *App) build() {
	p := a.fyne.Preferences()
	w, h := p.FloatWithFallback(prefWidth, 1100), p.FloatWithFallback(prefHeight, 760)
	a.win.Resize(fyne.NewSize(float32(max(w, 700)), float32(max(h, 500))))
	a.win.SetCloseIntercept(a.onClose)

	a.ocr = newOCRQueue(a)
	a.welcome = newWelcomeScreen(a)
	a.overview = newOverviewScreen(a)
	a.documents = newDocumentsScreen(a)
	a.medications = newMedicationsScreen(a)
	a.questions = newQuestionsScreen(a)
	a.caseScreen = newCaseScreen(a)
	a.packet = newPacketScreen(a)
	a.settings = newSettingsScreen(a)
	a.screens = map[string]screen{
		secOverview: a.overview, secDocuments: a.documents, secMedications: a.medications,
		secQuestions: a.questions, secCase: a.caseScreen, secPacket: a.packet, secSettings: a.settings,
	}

	a.personSelect = widget.NewSelect(nil, a.onPersonChosen)
	a.personSelect.PlaceHolder = "Choose a person"
	a.details = newPersonDialog(a)
	a.detailsButton = widget.NewButtonWithIcon("Details", theme.AccountIcon(), a.details.open)
	a.caseSelect = widget.NewSelect(nil, a.onCaseChosen)
	a.caseSelect.PlaceHolder = "Choose a case"
	a.caseLabel = widget.NewLabel("")
	bold := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	// "Saving…" shows while an edit waits for a library that another
	// window or command keeps busy; the edit is kept and saved when it can.
	a.saving = widget.NewLabelWithStyle("Saving…", fyne.TextAlignTrailing, fyne.TextStyle{Italic: true})
	a.saving.Hide()
	// The switchers wrap onto a second line rather than widen the window
	// past the screen, or run off its edge, when the text is large.
	switchers := newFlow(container.NewHBox(bold("Preparing for:"), a.personSelect, a.detailsButton),
		container.NewHBox(bold("Case:"), container.New(minWidth{220}, a.caseSelect)), a.caseLabel)
	header := container.NewBorder(nil, nil, nil, a.saving, switchers)

	a.navButtons = map[string]*widget.Button{}
	nav := container.NewVBox()
	for _, name := range sections {
		b := widget.NewButton(name, func() { a.show(name) })
		b.Alignment = widget.ButtonAlignLeading
		a.navButtons[name] = b
		if name == secSettings {
			nav.Add(layout.NewSpacer())
		}
		nav.Add(b)
	}
	a.body = container.NewStack()
	a.noticeText = widget.NewLabel("")
	a.noticeText.Wrapping = fyne.TextWrapWord
	a.noticeUndo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), a.onUndo)
	a.noticeUndo.Importance = widget.HighImportance
	a.noticeBar = container.NewVBox(widget.NewSeparator(), container.NewPadded(container.NewBorder(nil, nil, nil, a.noticeUndo, a.noticeText)))
	a.noticeBar.Hide()
	a.main = container.NewBorder(container.NewVBox(container.NewPadded(header), widget.NewSeparator()), a.noticeBar,
		container.NewHBox(container.NewPadded(container.New(minWidth{170}, nav)), widget.NewSeparator()), nil, a.body)

	a.addShortcuts()
	a.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { a.onDropped(uris) })

	people, err := a.store.People(a.ctx)
	if err != nil {
		a.showError(err)
	}
	if len(people) == 0 {
		a.win.SetContent(a.welcome.content())
		return
	}
	id := p.String(prefPerson)
	chosen := people[0].ID
	for _, pe := range people {
		if pe.ID == id {
			chosen = id
		}
	}
	a.win.SetContent(a.main)
	a.openPerson(chosen)
	last := p.StringWithFallback(prefScreen, secOverview)
	if _, ok := a.screens[last]; !ok {
		last = secOverview
	}
	a.show(last)
}

// shortcut is one keyboard shortcut of the main window.
type shortcut struct {
	key  fyne.KeyName
	mod  fyne.KeyModifier
	what string // for people: shown in tooltips and the README
	run  func()
}

func (a *App) addShortcuts() {
	c := a.win.Canvas()
	ctrl := fyne.KeyModifierShortcutDefault
	a.shortcuts = []shortcut{
		{fyne.KeyF, ctrl, "Search the documents", a.onFind},
		{fyne.KeyN, ctrl, "Add a new document", a.onNewDocument},
		{fyne.KeyE, ctrl, "Export the packet", a.onExportPacket},
		{fyne.KeyUp, fyne.KeyModifierAlt, "Move the chosen question up", func() {
			if a.current == secQuestions {
				a.questions.onMove(-1)
			}
		}},
		{fyne.KeyDown, fyne.KeyModifierAlt, "Move the chosen question down", func() {
			if a.current == secQuestions {
				a.questions.onMove(+1)
			}
		}},
	}
	for _, sc := range a.shortcuts {
		run := sc.run
		c.AddShortcut(&desktop.CustomShortcut{KeyName: sc.key, Modifier: sc.mod}, func(fyne.Shortcut) { run() })
	}
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			a.escape()
		}
	})
}

// runShortcut runs the app's shortcut s, reporting whether s is one.
// Fields call it first, so a shortcut works from any field and never
// changes its text. UI goroutine.
func (a *App) runShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	for _, sc := range a.shortcuts {
		if sc.key == cs.KeyName && sc.mod == cs.Modifier {
			sc.run()
			return true
		}
	}
	return false
}

// onFind is Ctrl+F: the Documents screen with the search box focused.
func (a *App) onFind() {
	if a.person.ID == "" {
		return
	}
	a.show(secDocuments)
	a.documents.tabs.SelectIndex(0) // the search box is on the Documents tab
	a.win.Canvas().Focus(a.documents.search)
}

// onNewDocument is Ctrl+N: add files.
func (a *App) onNewDocument() {
	if a.person.ID == "" {
		return
	}
	a.show(secDocuments)
	a.documents.onAdd()
}

// onExportPacket is Ctrl+E: the Packet screen and its save dialog.
func (a *App) onExportPacket() {
	if a.person.ID == "" {
		return
	}
	a.show(secPacket)
	a.packet.onExport()
}

// show switches the main area to a section, saving pending edits first.
func (a *App) show(name string) {
	sc, ok := a.screens[name]
	if !ok {
		return
	}
	a.flush()
	a.current = name
	for n, b := range a.navButtons {
		if n == name {
			b.Importance = widget.HighImportance
			b.SetText("> " + n) // the current section is marked by more than colour
		} else {
			b.Importance = widget.MediumImportance
			b.SetText(n)
		}
	}
	sc.refresh()
	// Each screen sits in a scroll both ways: with large text or a small
	// screen, a screen wider than the window scrolls sideways instead of
	// making the window wider than the screen (buttons off the edge).
	if a.fitted == nil {
		a.fitted = map[string]*container.Scroll{}
	}
	fit, ok := a.fitted[name]
	if !ok || fit.Content != sc.content() {
		fit = container.NewScroll(sc.content())
		a.fitted[name] = fit
	}
	a.body.Objects = []fyne.CanvasObject{fit}
	a.body.Refresh()
	a.fyne.Preferences().SetString(prefScreen, name)
}

// openPerson makes a person current, with their most recent case (one is
// created when they have none), and reloads every screen.
func (a *App) openPerson(id string) {
	a.flush()
	p, err := a.store.Person(a.ctx, id)
	if err != nil {
		a.showError(err)
		return
	}
	cases, err := a.store.Cases(a.ctx, id)
	if err != nil {
		a.showError(err)
		return
	}
	var c records.Case
	if len(cases) == 0 {
		c = records.Case{PersonID: id, Title: "Second opinion"}
		c.Packet.Paper = a.defaultPaper()
		if err := a.store.SaveCase(a.ctx, &c); err != nil {
			a.showError(err)
			return
		}
	} else {
		sort.SliceStable(cases, func(i, j int) bool { return cases[i].Updated.After(cases[j].Updated) })
		want := cases[0].ID
		last := a.fyne.Preferences().String(prefCase + id)
		for _, x := range cases {
			if x.ID == last {
				want = last
			}
		}
		if c, err = a.store.Case(a.ctx, want); err != nil {
			a.showError(err)
			return
		}
	}
	if a.person.ID != p.ID && a.overview != nil && a.overview.tabs != nil {
		a.overview.tabs.SelectIndex(0) // another person starts on the summary, not the timeline
	}
	a.person, a.kase = p, c
	a.fyne.Preferences().SetString(prefPerson, id)
	a.fyne.Preferences().SetString(prefCase+id, c.ID)
	a.reloadPeople()
	a.win.SetTitle("Second Opinion - " + p.FullName)
	a.updateCaseLabel()
	if a.current != "" {
		a.screens[a.current].refresh()
	}
}

// openCase makes another of the person's cases current and reloads the
// screen; it is remembered for the next time this person is opened.
func (a *App) openCase(id string) {
	a.flush()
	c, err := a.store.Case(a.ctx, id)
	if err != nil {
		a.showError(err)
		return
	}
	a.kase = c
	a.fyne.Preferences().SetString(prefCase+c.PersonID, c.ID)
	a.updateCaseLabel()
	if a.current != "" {
		a.screens[a.current].refresh()
	}
}

func (a *App) updateCaseLabel() {
	t := ""
	if appt := a.kase.AppointmentText(); appt != "" {
		t = "Appointment " + appt
	}
	a.caseLabel.SetText(t)
	a.reloadCases()
}

const newCaseOption = "New case..."

// caseTitle is a case's name in the switcher.
func caseTitle(c records.Case) string { return orText(strings.TrimSpace(c.Title), "Second opinion") }

// reloadCases fills the case switcher with the person's cases, oldest
// first; names that repeat get a number so each can be told apart.
func (a *App) reloadCases() {
	if a.person.ID == "" {
		return
	}
	cases, err := a.store.Cases(a.ctx, a.person.ID)
	if err != nil {
		a.showError(err)
		return
	}
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].Created.Before(cases[j].Created) })
	a.cases = cases
	seen := map[string]int{}
	opts := make([]string, 0, len(cases)+1)
	for _, c := range cases {
		t := caseTitle(c)
		seen[t]++
		if n := seen[t]; n > 1 {
			t += " (" + itoa(n) + ")"
		}
		opts = append(opts, t)
	}
	opts = append(opts, newCaseOption)
	selected := -1
	for i, c := range cases {
		if c.ID == a.kase.ID {
			selected = i
		}
	}
	setOptionsQuietly(a.caseSelect, opts, selected, a.onCaseChosen)
}

func (a *App) onCaseChosen(string) {
	idx := a.caseSelect.SelectedIndex()
	if idx == len(a.cases) {
		a.reloadCases() // put the current case back in the box
		a.onNewCase()
		return
	}
	if idx >= 0 && idx < len(a.cases) && a.cases[idx].ID != a.kase.ID {
		a.openCase(a.cases[idx].ID)
	}
}

// onNewCase asks for a new second-opinion request's name and opens it on
// Case & referral, ready to fill in.
func (a *App) onNewCase() {
	name := a.newEntry("For example: \"Knee pain, 2027\"")
	problem := problemLabel()
	var d dialog.Dialog
	save := func() {
		c := records.Case{PersonID: a.person.ID, Title: strings.TrimSpace(name.Text)}
		if c.Title == "" {
			problem.SetText("Please give the new case a short name, so you can tell it from the others.")
			problem.Show()
			return
		}
		c.Packet.Paper = a.defaultPaper()
		if err := a.store.SaveCase(a.ctx, &c); err != nil {
			problem.SetText(records.Explain(err))
			problem.Show()
			return
		}
		a.closeDialog(d)
		a.openCase(c.ID)
		a.show(secCase)
	}
	name.OnSubmitted = func(string) { save() }
	body := container.NewVBox(hint("A new second-opinion case for "+a.person.FullName+", with its own questions, opinions and packet. Documents and medicines are shared by all of this person's cases."), name)
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(520, 150))
	d = a.formDialog("New second-opinion case", "Create", scroll, problem, save)
	a.win.Canvas().Focus(name)
}

const addPersonOption = "Add person..."

func (a *App) reloadPeople() {
	people, err := a.store.People(a.ctx)
	if err != nil {
		a.showError(err)
		return
	}
	a.people = people
	opts := make([]string, 0, len(people)+1)
	for _, p := range people {
		name := p.FullName
		if sample.IsSample(p) {
			name += " (sample)"
		}
		opts = append(opts, name)
	}
	opts = append(opts, addPersonOption)
	selected := -1
	for i, p := range people {
		if p.ID == a.person.ID {
			selected = i
		}
	}
	setOptionsQuietly(a.personSelect, opts, selected, a.onPersonChosen)
}

// setOptionsQuietly fills a switcher and selects option selected (none
// when negative) without calling onChanged, which is set again afterwards.
func setOptionsQuietly(sel *widget.Select, opts []string, selected int, onChanged func(string)) {
	sel.OnChanged = nil
	sel.SetOptions(opts)
	if selected >= 0 {
		sel.SetSelectedIndex(selected)
	}
	sel.OnChanged = onChanged
}

func (a *App) onPersonChosen(name string) {
	if name == addPersonOption {
		a.reloadPeople() // put the current person back in the box
		a.onAddPerson()
		return
	}
	idx := a.personSelect.SelectedIndex()
	if idx >= 0 && idx < len(a.people) && a.people[idx].ID != a.person.ID {
		a.openPerson(a.people[idx].ID)
	}
}

// onAddPerson asks for another person (a carer may manage several).
func (a *App) onAddPerson() {
	f := newPersonForm(a)
	a.addPersonForm = f
	// A carer adding a second person is the same carer: offer their own
	// details again instead of asking for them twice.
	if pb := a.person.PreparedBy; !pb.Self && pb.Name != "" {
		f.who.SetSelected(whoCarer)
		f.carerNm.SetText(pb.Name)
		f.phone.SetText(pb.Phone)
		f.email.SetText(pb.Email)
	}
	var d dialog.Dialog
	save := func() {
		p, err := f.person()
		if err == nil {
			err = a.createPerson(&p)
		}
		if f.show(err) {
			return
		}
		a.closeDialog(d)
		a.openPerson(p.ID)
		a.show(secOverview)
	}
	f.onSubmit = save
	d = a.formDialog("Add a person", "Add person", f.content(), f.problem, save)
	a.win.Canvas().Focus(f.name)
}

// createPerson saves a new person with a first case.
func (a *App) createPerson(p *records.Person) error {
	if err := a.store.SavePerson(a.ctx, p); err != nil {
		return err
	}
	c := records.Case{PersonID: p.ID, Title: "Second opinion"}
	c.Packet.Paper = a.defaultPaper()
	return a.store.SaveCase(a.ctx, &c)
}

// enterMain leaves the welcome screen for the main window on a person.
func (a *App) enterMain(personID string) {
	a.win.SetContent(a.main)
	a.openPerson(personID)
	a.show(secOverview)
}

func (a *App) defaultPaper() records.Paper {
	switch records.Paper(a.fyne.Preferences().String(prefPaper)) {
	case records.PaperLetter:
		return records.PaperLetter
	case records.PaperA4:
		return records.PaperA4
	}
	return records.DefaultPaper()
}

// saveCase saves the current case's own facts and refreshes the header.
func (a *App) saveCase() error {
	if a.kase.ID == "" {
		return nil
	}
	if err := a.store.SaveCase(a.ctx, &a.kase); err != nil {
		return err
	}
	a.updateCaseLabel()
	return nil
}

func (a *App) onDropped(uris []fyne.URI) {
	if a.person.ID == "" {
		return
	}
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	a.show(secDocuments)
	// A folder or a .zip is an imaging disc (or a copy of one); files are
	// documents.
	var files, discs []string
	for _, p := range paths {
		if isDiscPath(p) {
			discs = append(discs, p)
		} else {
			files = append(files, p)
		}
	}
	if len(files) > 0 {
		a.documents.addPaths(files)
		if len(discs) > 0 {
			a.showInfo("One thing at a time", "The files are in the Add documents window. Add the imaging disc afterwards with Add imaging disc... on the Imaging tab, or drop it again.")
		}
		return
	}
	a.documents.tabs.SelectIndex(1)
	if len(discs) > 1 {
		a.showInfo("One disc at a time", "Drop one imaging disc (a folder or a .zip) at a time; the first is added now.")
	}
	a.documents.imaging.importDisc(discs[0], records.ImportDiscOptions{})
}

func (a *App) onClose() {
	a.saveState()
	a.ocr.shutdown()
	a.win.Close()
}

// saveState saves pending edits and the window's size (the last screen
// and person are kept as they change).
func (a *App) saveState() {
	a.flush()
	size := a.win.Canvas().Size()
	if size.Width > 0 && size.Height > 0 {
		p := a.fyne.Preferences()
		p.SetFloat(prefWidth, float64(size.Width))
		p.SetFloat(prefHeight, float64(size.Height))
	}
}

// retryIfBusy reports whether err is a busy library met by an edit being
// saved as typed (a saver's flush): that saver then keeps the edit and
// tries again quietly ("Saving…"), so err needs no dialog or problem
// label. UI goroutine.
func (a *App) retryIfBusy(err error) bool {
	if errors.Is(err, records.ErrBusy) && a.flushing != nil {
		a.flushing.busy = true
		return true
	}
	return false
}

// showError tells the user what happened and what to do, in a sentence; the
// detail goes to the log. Call on the UI goroutine.
func (a *App) showError(err error) {
	if err == nil {
		return
	}
	if a.retryIfBusy(err) {
		return
	}
	log.Printf("secondopinion: %v", err)
	var d dialog.Dialog
	ok := widget.NewButton("OK", func() { a.closeDialog(d) })
	ok.Importance = widget.HighImportance
	d = a.message("Something needs your attention", records.Explain(err), ok)
	a.pushEscape(d, nil)
	d.Show()
	a.win.Canvas().Focus(ok)
}

// message makes a dialog showing text whole above its buttons, sized at
// the text size set so the sentence is read without scrolling: as wide as
// reads well and as tall as its wrapped lines need, scrolling only when
// the window itself is too small for it.
func (a *App) message(title, text string, buttons ...fyne.CanvasObject) dialog.Dialog {
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	win := a.win.Canvas().Size()
	w := min(560, win.Width*0.9)
	// The label's width inside the dialog: the dialog's own padding on
	// each side and the scroll bar's room.
	inner := w - 4*theme.Padding() - theme.ScrollBarSize()
	msg.Resize(fyne.NewSize(inner, msg.MinSize().Height))
	textH := msg.MinSize().Height
	scroll := container.NewVScroll(msg)
	bar := container.NewCenter(container.NewHBox(buttons...))
	// Title, the gap under it and the buttons' row, with the dialog's
	// padding above and below.
	chrome := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Height +
		bar.MinSize().Height + 6*theme.Padding()
	h := min(textH+chrome, win.Height*0.9)
	scroll.SetMinSize(fyne.NewSize(inner, h-chrome))
	d := dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, bar, nil, nil, scroll), a.win)
	d.Resize(fyne.NewSize(w, h))
	return d
}

// showInfo shows a short message.
func (a *App) showInfo(title, text string) {
	var d dialog.Dialog
	ok := widget.NewButton("OK", func() { a.closeDialog(d) })
	ok.Importance = widget.HighImportance
	d = a.message(title, text, ok)
	a.pushEscape(d, nil)
	d.Show()
}

// confirm asks a yes/no question; yes runs onYes.
func (a *App) confirm(title, text, yes string, onYes func()) dialog.Dialog {
	var d dialog.Dialog
	no := widget.NewButton("Cancel", func() { a.closeDialog(d) })
	ok := widget.NewButton(yes, func() { a.closeDialog(d); onYes() })
	ok.Importance = widget.HighImportance
	d = a.message(title, text, no, ok)
	a.pushEscape(d, nil)
	d.Show()
	return d
}

// formDialog shows content with Cancel and a confirm button, and the form's
// problem label (may be nil) just above them; Enter in a form entry should
// call onSave (the caller wires it), Escape cancels.
// onSave decides whether to close (it calls closeDialog on success), so a
// form with a mistake stays open with its sentence shown.
func (a *App) formDialog(title, confirm string, content fyne.CanvasObject, problem *widget.Label, onSave func()) dialog.Dialog {
	var d dialog.Dialog
	cancel := widget.NewButton("Cancel", func() { a.closeDialog(d) })
	save := widget.NewButton(confirm, onSave)
	save.Importance = widget.HighImportance
	bottom := container.NewVBox(container.NewPadded(container.NewHBox(layout.NewSpacer(), cancel, save)))
	if problem != nil {
		// Above the buttons, outside any scrolling: a mistake is always seen.
		bottom = container.NewVBox(problem, container.NewPadded(container.NewHBox(layout.NewSpacer(), cancel, save)))
	}
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, bottom, nil, nil, content), a.win)
	a.pushEscape(d, nil)
	d.Show()
	return d
}

// escapeItem is an open dialog Escape can cancel.
type escapeItem struct {
	key    any    // the dialog, to find it again
	hide   func() // hides it
	cancel func() // runs before hiding, when set
}

// pushEscape remembers an open dialog so Escape can cancel it; cancel, when
// set, runs before it is hidden.
func (a *App) pushEscape(d dialog.Dialog, cancel func()) {
	a.escapes = append(a.escapes, escapeItem{key: d, hide: d.Hide, cancel: cancel})
}

// pushFileDialog lets Escape cancel a file dialog (Fyne's has no Escape).
func (a *App) pushFileDialog(d *dialog.FileDialog) {
	a.escapes = append(a.escapes, escapeItem{key: d, hide: d.Hide})
}

// forget drops a dialog from the Escape list (it closed by itself).
func (a *App) forget(key any) {
	for i, x := range a.escapes {
		if x.key == key {
			a.escapes = append(a.escapes[:i], a.escapes[i+1:]...)
			return
		}
	}
}

// closeDialog hides a dialog opened by this app and forgets its Escape.
func (a *App) closeDialog(d dialog.Dialog) {
	a.forget(d)
	d.Hide()
}

// escape cancels the topmost dialog (Escape key).
func (a *App) escape() {
	if n := len(a.escapes); n > 0 {
		it := a.escapes[n-1]
		if it.cancel != nil {
			it.cancel()
		}
		a.forget(it.key)
		it.hide()
	}
}

// openPath opens a file or folder in the system's own viewer.
func (a *App) openPath(path string) {
	u, err := url.Parse("file://" + filepath.ToSlash(path))
	if err == nil {
		err = a.fyne.OpenURL(u)
	}
	if err != nil {
		a.showError(&records.Problem{Msg: "Your computer could not open " + filepath.Base(path) + ". You can find it at " + path + ".", Err: err})
	}
}

// saver runs a save a moment after the last edit (debounce), on the UI
// goroutine, so typing is never held up and nothing is lost: flush runs
// every pending save at once (before switching screens and on close).
type saver struct {
	a       *App
	fn      func()
	busy    bool          // the last try found the library busy (UI goroutine)
	tries   int           // tries in a row that found it busy
	wait    time.Duration // 0: the app's delay
	mu      sync.Mutex
	t       *time.Timer
	pending bool
}

func (a *App) newSaver(fn func()) *saver {
	s := &saver{a: a, fn: fn}
	a.mu.Lock()
	a.savers = append(a.savers, s)
	a.mu.Unlock()
	return s
}

// poke asks for a save soon. Call on the UI goroutine.
func (s *saver) poke() {
	if s.a.delay <= 0 {
		s.fn()
		return
	}
	s.mu.Lock()
	s.pending = true
	if s.t != nil {
		s.t.Stop()
	}
	wait := s.wait
	if wait == 0 {
		wait = s.a.delay
	}
	s.t = time.AfterFunc(wait, func() { fyne.Do(s.flush) })
	s.mu.Unlock()
}

// flush runs the save now if one is pending. UI goroutine.
//
// A save that finds the library busy (another window or command is
// writing) is not lost: the widgets still hold what was typed, so the
// saver stays pending, the header says "Saving…", and it tries again a
// moment later until the library is free.
func (s *saver) flush() {
	s.mu.Lock()
	run := s.pending
	s.pending = false
	if s.t != nil {
		s.t.Stop()
	}
	s.mu.Unlock()
	if !run {
		return
	}
	a := s.a
	s.busy = false
	prev := a.flushing
	a.flushing = s
	s.fn()
	a.flushing = prev
	if s.busy {
		s.tries++
	} else {
		s.tries = 0
	}
	a.markWaiting(s, s.busy)
	if s.busy {
		s.mu.Lock()
		s.pending = true
		s.t = time.AfterFunc(a.retryWait, func() { fyne.Do(s.flush) })
		s.mu.Unlock()
	}
}

// markWaiting records whether s waits for a busy library and shows or
// hides "Saving…". UI goroutine.
func (a *App) markWaiting(s *saver, waiting bool) {
	if waiting {
		if a.waiting == nil {
			a.waiting = map[*saver]bool{}
		}
		a.waiting[s] = true
	} else {
		delete(a.waiting, s)
	}
	if a.saving == nil {
		return
	}
	long := false
	for w := range a.waiting {
		long = long || w.tries >= 5
	}
	if long {
		// Still busy after several tries: say why, in its own words.
		a.saving.SetText("Saving… the library is busy with another Second Opinion window or command. What you typed is kept and will be saved when it is free.")
	} else {
		a.saving.SetText("Saving…")
	}
	if len(a.waiting) > 0 {
		a.saving.Show()
	} else {
		a.saving.Hide()
	}
}

// flush saves every pending edit now.
func (a *App) flush() {
	a.mu.Lock()
	savers := append([]*saver(nil), a.savers...)
	a.mu.Unlock()
	for _, s := range savers {
		s.flush()
	}
}

// heading is a screen's title.
func heading(text string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// hint is a wrapped explanatory sentence.
func hint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.MediumImportance
	return l
}

// problemLabel shows a form's mistake in words (with an icon, not colour
// alone); hidden until there is one.
// showProblem puts err's sentence in a form's problem label and reports
// whether there was one.
func showProblem(l *widget.Label, err error) bool {
	if err == nil {
		return false
	}
	l.SetText(records.Explain(err))
	l.Show()
	return true
}

func problemLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}
