package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/media"
)

const (
	allKinds  = "All kinds"
	thumbKind = "thumb-160"
	thumbSize = 160
)

// addableExtensions are what the file dialog offers; the library sniffs the
// content anyway and refuses what it cannot read, with a sentence.
var addableExtensions = []string{".pdf", ".PDF", ".jpg", ".jpeg", ".JPG", ".JPEG", ".png", ".PNG", ".gif", ".tif", ".tiff", ".TIF", ".webp", ".bmp", ".dcm", ".DCM", ".heic", ".HEIC", ".heif"}

// documentsScreen lists a person's documents (virtual list; file bytes are
// never read for the list) with search and filters, and a detail pane.
type documentsScreen struct {
	a *App

	search     *formEntry
	kind       *widget.Select
	from, to   *formEntry
	showTrash  *widget.Check
	add        *widget.Button
	emptyTrash *widget.Button
	count      *widget.Label
	filterNote *widget.Label
	list       *widget.List
	// The list is paged: total rows (CountDocuments), and the pages of
	// pageSize rows fetched so far, by page number. Pages are fetched in
	// the background when a row of theirs is about to show, and dropped
	// when the list changes (reload). All UI goroutine.
	total       int
	rowPages    map[int][]records.Document
	fetching    map[int]bool
	pageSize    int
	listFilter  records.DocumentFilter // the filter the pages belong to
	inUpdate    bool                   // inside the list's UpdateItem: do not refresh the list from here
	seq         int                    // numbers list loads so a slow old answer never replaces a newer one (UI goroutine)
	searchSaver *saver
	loaded      chan struct{} // closed and replaced after each list load (tests and benchmarks wait on it)

	// The detail pane.
	doc         records.Document
	detail      *fyne.Container
	empty       fyne.CanvasObject
	form        fyne.CanvasObject
	title       *formEntry
	docKind     *widget.Select
	date        *formEntry
	source      *formEntry
	notes       *formEntry
	tags        *formEntry
	problem     *widget.Label
	pages       *fyne.Container
	trash       *widget.Button
	restore     *widget.Button
	detailSaver *saver
	thumbs      map[string]fyne.Resource // file ID -> thumbnail (UI goroutine)
	sugg        *suggestions             // what the text suggests (ui/suggest.go)

	// The add dialog's state.
	chooser    *fileChooser // the last file chooser opened (tests)
	pending    []string
	pendingBox *fyne.Container
	grouping   *widget.RadioGroup
	addDialog  dialog.Dialog
	addKind    *widget.Select
	// Each document to add, by its first file: title, date and kind the
	// user may set in the add dialog before adding.
	docForms   *fyne.Container
	details    map[string]*docDetail
	addProblem *widget.Label
	addConfirm *widget.Button
	addBody    *container.Scroll
	progress   *widget.ProgressBar

	// The Imaging tab: imaging discs, their studies and key images.
	imaging *imagingScreen
	tabs    *container.AppTabs

	box fyne.CanvasObject

	// The page viewer last opened and the password asked for a locked
	// PDF (viewer.go), for tests.
	viewer        *pageViewer
	passwordEntry *widget.Entry
	passwordSay   *widget.Label
}

func kindLabels() []string {
	out := make([]string, len(records.Kinds))
	for i, k := range records.Kinds {
		out[i] = k.Label()
	}
	return out
}

func kindOfLabel(label string) records.Kind {
	for _, k := range records.Kinds {
		if k.Label() == label {
			return k
		}
	}
	return ""
}

func newDocumentsScreen(a *App) *documentsScreen {
	s := &documentsScreen{a: a, thumbs: map[string]fyne.Resource{}, loaded: make(chan struct{}), pageSize: docPageSize}
	s.searchSaver = a.newSaver(s.reload)
	s.searchSaver.wait = 200 * time.Millisecond
	s.search = a.newEntry("Search, words in PDFs and photos too (Ctrl+F)")
	s.search.OnChanged = func(string) { s.searchSaver.poke() }
	s.search.OnSubmitted = func(string) { s.searchSaver.flush() }
	s.kind = widget.NewSelect(append([]string{allKinds}, kindLabels()...), func(string) { s.reload() })
	s.kind.SetSelected(allKinds)
	s.from = a.newEntry("From: 2024-03")
	s.to = a.newEntry("To: 2024-12")
	for _, e := range []*formEntry{s.from, s.to} {
		e.OnChanged = func(string) { s.searchSaver.poke() }
	}
	s.showTrash = widget.NewCheck("Show the Trash", func(bool) { s.selectDoc(""); s.reload() })
	s.add = widget.NewButtonWithIcon("Add files... (Ctrl+N)", theme.ContentAddIcon(), s.onAdd)
	s.add.Importance = widget.HighImportance
	s.emptyTrash = widget.NewButtonWithIcon("Empty the Trash...", theme.DeleteIcon(), s.onEmptyTrash)
	s.emptyTrash.Importance = widget.DangerImportance
	s.emptyTrash.Hide()
	s.count = widget.NewLabel("")
	s.count.Wrapping = fyne.TextWrapWord // long sentences must not widen the list
	s.filterNote = problemLabel()

	s.list = widget.NewList(func() int { return s.total }, func() fyne.CanvasObject {
		t := widget.NewLabelWithStyle("Title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.Truncation = fyne.TextTruncateEllipsis
		m := widget.NewLabel("meta")
		m.Truncation = fyne.TextTruncateEllipsis
		return container.NewVBox(t, m)
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		box := o.(*fyne.Container)
		d, ok := s.docAt(i)
		if !ok {
			s.inUpdate = true
			s.fetch(i / s.pageSize)
			s.inUpdate = false
			d, ok = s.docAt(i)
		}
		if !ok {
			box.Objects[0].(*widget.Label).SetText("Loading...")
			box.Objects[1].(*widget.Label).SetText("")
			return
		}
		box.Objects[0].(*widget.Label).SetText(orText(d.Title, "(no title)"))
		box.Objects[1].(*widget.Label).SetText(docMeta(d))
	})
	s.list.OnSelected = func(i widget.ListItemID) {
		if d, ok := s.docAt(i); ok {
			s.selectDoc(d.ID)
		}
	}

	// Detail pane.
	s.detailSaver = a.newSaver(s.saveDetail)
	s.title = a.newEntry("Title")
	s.docKind = widget.NewSelect(kindLabels(), func(string) { s.detailSaver.poke() })
	s.date = a.newEntry("Date of service: 15 March 2024, March 2024 or 2024")
	s.source = a.newEntry("Hospital, clinic or doctor")
	s.notes = a.newTextArea("Notes for yourself or the doctor", 3)
	s.tags = a.newEntry("Tags, separated by commas")
	for _, e := range []*formEntry{s.title, s.date, s.source, s.notes, s.tags} {
		e.OnChanged = func(string) { s.detailSaver.poke() }
	}
	s.problem = problemLabel()
	// A date that cannot be read is said right under the date field.
	dateField := container.NewVBox(withReading(s.date), s.problem)
	s.pages = container.NewVBox()
	s.sugg = newSuggestions(s)
	s.trash = widget.NewButtonWithIcon("Move to Trash", theme.DeleteIcon(), s.onTrash)
	s.trash.Importance = widget.DangerImportance
	s.restore = widget.NewButtonWithIcon("Restore from Trash", theme.ContentUndoIcon(), s.onRestore)
	s.form = container.NewVScroll(container.NewVBox(
		heading("Document details"),
		hint("Changes are saved as you type."),
		s.sugg.box,
		widget.NewForm(
			widget.NewFormItem("Title", s.title),
			widget.NewFormItem("Kind", s.docKind),
			widget.NewFormItem("Date", dateField),
			widget.NewFormItem("From", s.source),
			widget.NewFormItem("Notes", s.notes),
			widget.NewFormItem("Tags", s.tags),
		),
		widget.NewSeparator(),
		heading("Pages"),
		s.pages,
		widget.NewSeparator(),
		container.NewHBox(s.trash, s.restore),
	))
	s.empty = container.NewVBox(hint("Choose a document on the left to see its details and pages."))
	s.detail = container.NewStack(s.empty)

	filters := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, s.search),
		container.NewGridWithColumns(3, s.kind, s.from, s.to),
		container.NewBorder(nil, nil, s.showTrash, container.NewHBox(s.emptyTrash, s.add)),
		s.count, // on a line of its own: beside the buttons, large text broke "documents" in two
		s.filterNote,
		a.ocr.box, // reading text from photos (ui/ocr.go)
	)
	left := container.NewBorder(filters, nil, nil, nil, s.list)
	split := container.NewHSplit(left, container.NewPadded(s.detail))
	split.Offset = 0.5
	s.imaging = newImagingScreen(a)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Documents", theme.DocumentIcon(), split),
		container.NewTabItemWithIcon("Imaging", theme.MediaPhotoIcon(), s.imaging.content()),
	)
	s.tabs.OnSelected = func(t *container.TabItem) {
		if t.Text == "Imaging" {
			s.imaging.reload()
		}
	}
	s.box = container.NewBorder(heading("Documents"), nil, nil, nil, s.tabs)
	return s
}

// docExtent is how much a document holds: its pages, or for the document
// of an imaging study (a disc's), its images, which the packet shows in
// its Imaging section rather than as pages.
func docExtent(d records.Document) string {
	if d.Studies > 0 {
		return plural(d.FileCount, "image", "images")
	}
	return plural(d.Pages, "page", "pages")
}

// docMeta is a list row's second line: date, kind, pages, source. The
// source comes last because it is the part a narrow row cuts short.
func docMeta(d records.Document) string {
	parts := []string{orText(d.Date.Short(), "No date"), d.Kind.Label(), docExtent(d)}
	if d.Missing != "" {
		parts[2] += " (incomplete)" // only the readable pages of a damaged file
	}
	if d.Source != "" {
		parts = append(parts, d.Source)
	}
	return strings.Join(parts, "  ·  ")
}

func (s *documentsScreen) content() fyne.CanvasObject { return s.box }

func (s *documentsScreen) refresh() {
	s.selectDoc(s.doc.ID)
	s.reload()
	s.imaging.reload()
}

// filter reads the filter widgets. UI goroutine.
func (s *documentsScreen) filter() (records.DocumentFilter, error) {
	f := records.DocumentFilter{PersonID: s.a.person.ID, Search: s.search.Text, Trashed: s.showTrash.Checked}
	if s.kind.Selected != allKinds {
		f.Kind = kindOfLabel(s.kind.Selected)
	}
	var err error
	if f.From, err = records.ParseDate(s.from.Text); err != nil {
		return f, err
	}
	if f.To, err = records.ParseDate(s.to.Text); err != nil {
		return f, err
	}
	return f, nil
}

// reload lists the documents again, off the UI goroutine. UI goroutine.
func (s *documentsScreen) reload() {
	if s.a.person.ID == "" {
		return
	}
	f, err := s.filter()
	if err != nil {
		s.filterNote.SetText(records.Explain(err))
		s.filterNote.Show()
		return
	}
	s.filterNote.Hide()
	if f.Trashed {
		s.emptyTrash.Show()
		s.add.Hide()
	} else {
		s.emptyTrash.Hide()
		s.add.Show()
	}
	s.seq++
	seq := s.seq
	ctx, size := s.a.ctx, s.pageSize
	s.a.async(func() {
		// The count and the first page: enough for the first screenful.
		n, err := s.a.store.CountDocuments(ctx, f)
		var first []records.Document
		if err == nil {
			page := f
			page.Limit = size
			first, err = s.a.store.Documents(ctx, page)
		}
		fyne.Do(func() {
			if seq != s.seq {
				return
			}
			if err != nil {
				s.a.showError(err)
			} else {
				s.setDocs(n, first, f)
			}
			close(s.loaded)
			s.loaded = make(chan struct{})
		})
	})
}

// docPageSize is how many rows the Documents list reads at a time: a few
// screenfuls, read in about a millisecond.
const docPageSize = 200

// docAt is row i of the list, if its page has been read. UI goroutine.
func (s *documentsScreen) docAt(i int) (records.Document, bool) {
	if i < 0 || i >= s.total {
		return records.Document{}, false
	}
	page, ok := s.rowPages[i/s.pageSize]
	if !ok || i%s.pageSize >= len(page) {
		return records.Document{}, false
	}
	return page[i%s.pageSize], true
}

// rows is every row read so far, in list order (all of them for a list
// of one page). UI goroutine.
func (s *documentsScreen) rows() []records.Document {
	var out []records.Document
	for p := 0; p*s.pageSize < s.total; p++ {
		out = append(out, s.rowPages[p]...)
	}
	return out
}

// fetch reads one page of the list in the background, once. UI goroutine.
func (s *documentsScreen) fetch(page int) {
	if _, ok := s.rowPages[page]; ok || s.fetching[page] || page < 0 || page*s.pageSize >= s.total {
		return
	}
	s.fetching[page] = true
	seq, ctx, f := s.seq, s.a.ctx, s.listFilter
	f.Limit, f.Offset = s.pageSize, page*s.pageSize
	s.a.async(func() {
		docs, err := s.a.store.Documents(ctx, f)
		fyne.Do(func() {
			if seq != s.seq {
				return // the list changed meanwhile; its pages are read afresh
			}
			delete(s.fetching, page)
			if err != nil {
				s.a.showError(err)
				return
			}
			s.rowPages[page] = docs
			if !s.inUpdate {
				s.list.Refresh()
			}
		})
	})
}

// setDocs starts the list afresh: n rows, the first page read.
func (s *documentsScreen) setDocs(n int, first []records.Document, f records.DocumentFilter) {
	s.total, s.listFilter = n, f
	s.rowPages = map[int][]records.Document{0: first}
	s.fetching = map[int]bool{}
	s.list.UnselectAll()
	s.list.Refresh()
	where := ""
	if f.Trashed {
		where = " in the Trash"
	}
	switch {
	case n == 0 && strings.TrimSpace(f.Search) != "":
		s.count.SetText("Nothing matches \"" + strings.TrimSpace(f.Search) + "\".")
	case n == 0 && f.Trashed:
		s.count.SetText("The Trash is empty.")
	case n == 0:
		s.count.SetText("No documents yet. Add files or drag them onto this window.")
	default:
		s.count.SetText(plural(n, "document", "documents") + where)
	}
	// Empty the Trash only when there is something in it.
	if n == 0 {
		s.emptyTrash.Disable()
	} else {
		s.emptyTrash.Enable()
	}
	shown := false
	for i, d := range first {
		if d.ID == s.doc.ID {
			s.list.Select(i)
			s.list.ScrollTo(i)
			shown = true
		}
	}
	// The details pane never shows a document the list no longer holds
	// (after a search or a filter), unless it is further down the list.
	if !shown && s.doc.ID != "" && n <= len(first) {
		s.selectDoc("")
	}
}

// selectDoc shows one document in the detail pane ("" shows none).
func (s *documentsScreen) selectDoc(id string) {
	s.detailSaver.flush()
	if id == "" {
		s.doc = records.Document{}
		s.detail.Objects = []fyne.CanvasObject{s.empty}
		s.detail.Refresh()
		return
	}
	d, err := s.a.store.Document(s.a.ctx, id)
	if err != nil {
		s.doc = records.Document{}
		s.detail.Objects = []fyne.CanvasObject{s.empty}
		s.detail.Refresh()
		return
	}
	s.doc = d
	setQuiet(s.title, d.Title)
	setSelectQuiet(s.docKind, d.Kind.Label())
	setQuiet(s.date, dateText(d.Date))
	setQuiet(s.source, d.Source)
	setQuiet(s.notes, d.Notes)
	setQuiet(s.tags, strings.Join(d.Tags, ", "))
	s.problem.Hide()
	if d.Trashed {
		s.trash.Hide()
		s.restore.Show()
	} else {
		s.trash.Show()
		s.restore.Hide()
	}
	s.showPages()
	s.sugg.load(d.ID)
	s.detail.Objects = []fyne.CanvasObject{s.form}
	s.detail.Refresh()
}

// saveDetail saves the detail form (debounced). UI goroutine.
func (s *documentsScreen) saveDetail() {
	if s.doc.ID == "" {
		return
	}
	d := s.doc
	d.Title, d.Source, d.Notes = s.title.Text, s.source.Text, s.notes.Text
	d.Tags = records.SplitTags(s.tags.Text)
	if k := kindOfLabel(s.docKind.Selected); k != "" {
		d.Kind = k
	}
	s.problem.Hide()
	if date, err := records.ParseDate(s.date.Text); err != nil {
		s.problem.SetText(records.Explain(err) + " The other details are saved.")
		s.problem.Show()
	} else {
		d.Date = date
	}
	if err := s.a.store.UpdateDocument(s.a.ctx, &d); err != nil {
		s.a.showError(err)
		return
	}
	s.doc.Title, s.doc.Kind, s.doc.Date, s.doc.Source, s.doc.Notes, s.doc.Tags = d.Title, d.Kind, d.Date, d.Source, d.Notes, d.Tags
	for p, rows := range s.rowPages {
		for i := range rows {
			if rows[i].ID == d.ID {
				rows[i].Title, rows[i].Kind, rows[i].Date, rows[i].Source = d.Title, d.Kind, d.Date, d.Source
				s.list.RefreshItem(p*s.pageSize + i)
			}
		}
	}
}

// showPages fills the page list of the shown document.
func (s *documentsScreen) showPages() {
	s.pages.Objects = []fyne.CanvasObject{container.NewHBox(s.viewerButton())} // viewer.go
	if s.doc.Missing != "" {
		// Only the readable pages of a damaged file are here.
		l := widget.NewLabel(s.doc.Missing + " Ask for a complete copy, then use Add pages... to add it.")
		l.Wrapping = fyne.TextWrapWord
		s.pages.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, l))
	}
	files := s.doc.Files
	if discFiles(files) || s.imaging.holds(s.doc.ID) {
		// A disc's hundreds of DICOM files are not pages to reorder: its
		// studies, with a picture of each series, are on the Imaging tab.
		var size int64
		for _, f := range files {
			size += f.Size
		}
		l := widget.NewLabel(fmt.Sprintf("These are images from an imaging disc: %s in DICOM (%s). The study, with a picture of each series, is on the Imaging tab.",
			plural(len(files), "file", "files"), records.HumanBytes(size)))
		l.Wrapping = fyne.TextWrapWord
		show := widget.NewButtonWithIcon("Show the imaging", theme.MediaPhotoIcon(), func() { s.tabs.SelectIndex(1) })
		s.pages.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.MediaPhotoIcon()), nil, l))
		s.pages.Add(container.NewHBox(show))
		s.pages.Refresh()
		return
	}
	for i, f := range files {
		idx := i
		desc := fileDescription(f)
		l := widget.NewLabel(fmt.Sprintf("Page %d: %s\n%s", i+1, f.Name, desc))
		l.Wrapping = fyne.TextWrapWord
		up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { s.movePage(idx, -1) })
		down := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { s.movePage(idx, +1) })
		if i == 0 {
			up.Disable()
		}
		if i == len(files)-1 {
			down.Disable()
		}
		file := f
		open := widget.NewButtonWithIcon("Open original", theme.FileIcon(), func() { s.openOriginal(file) })
		buttons := container.NewVBox(open)
		if file.IsPDF() {
			s.offerAttachments(file, buttons)
		}
		if len(files) > 1 {
			buttons.Add(container.NewHBox(widget.NewLabel("Move"), up, down))
		}
		s.pages.Add(container.NewBorder(nil, nil, s.thumb(f), buttons, l))
	}
	more := widget.NewButtonWithIcon("Add pages...", theme.ContentAddIcon(), s.onAddPages)
	s.pages.Add(container.NewHBox(more))
	s.pages.Refresh()
}

// discFiles reports whether a document's files are those of an imaging
// disc: more than a few, all DICOM.
func discFiles(files []records.File) bool {
	if len(files) <= 4 {
		return false
	}
	for _, f := range files {
		if !f.IsDICOM() {
			return false
		}
	}
	return true
}

func fileDescription(f records.File) string {
	switch {
	case f.IsPDF() && f.Only > 0: // a page moved here from another document
		return fmt.Sprintf("Page %d of a PDF of %d pages", f.Only, f.Pages)
	case f.IsPDF() && len(f.Hidden) > 0:
		return fmt.Sprintf("PDF, %s (%d left out), %s", plural(len(f.Shown()), "page", "pages"), len(f.Hidden), records.HumanBytes(f.Size))
	case f.IsPDF():
		return "PDF, " + plural(f.Pages, "page", "pages") + ", " + records.HumanBytes(f.Size)
	case f.IsDICOM():
		return "Scan image from a hospital system (DICOM), " + records.HumanBytes(f.Size)
	case f.IsImage():
		return fmt.Sprintf("Picture, %d x %d pixels, %s", f.Width, f.Height, records.HumanBytes(f.Size))
	}
	return records.HumanBytes(f.Size)
}

// thumb is a page's small picture: made in the background the first time
// and kept in the library (kind thumb-160), so the next look is instant.
func (s *documentsScreen) thumb(f records.File) fyne.CanvasObject {
	img := canvas.NewImageFromResource(theme.FileIcon())
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(96, 96))
	switch {
	case f.IsPDF():
		return s.pageThumb(f, img) // viewer.go
	case !f.IsImage():
		img.Resource = theme.FileImageIcon()
		return img
	}
	if f.Turn(1) != 0 {
		return s.pageThumb(f, img) // turned by the user: viewer.go
	}
	if r, ok := s.thumbs[f.ID]; ok {
		img.Resource = r
		return img
	}
	store, ctx := s.a.store, s.a.ctx
	s.a.async(func() {
		data, err := makeThumb(ctx, store, f)
		if err != nil || data == nil {
			return // the file icon stays; the page can still be opened
		}
		res := fyne.NewStaticResource("thumb-"+f.ID+".jpg", data)
		fyne.Do(func() {
			s.thumbs[f.ID] = res
			img.Resource = res
			img.Refresh()
		})
	})
	return img
}

// makeThumb returns a file's kept thumbnail, making and keeping it first if
// needed. Runs off the UI goroutine.
func makeThumb(ctx context.Context, store *records.Store, f records.File) ([]byte, error) {
	data, _, _, ok, err := store.Derived(ctx, f.ID, thumbKind)
	if err != nil || ok {
		return data, err
	}
	r, err := store.OpenFile(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	jpg, w, h, err := media.PrintImage(r, f.Orientation, thumbSize, thumbSize, 80)
	if err != nil {
		return nil, err
	}
	return jpg, store.SaveDerived(ctx, f.ID, thumbKind, jpg, w, h)
}

func (s *documentsScreen) movePage(i, by int) {
	files := s.doc.Files
	j := i + by
	if j < 0 || j >= len(files) {
		return
	}
	ids := make([]string, len(files))
	for k, f := range files {
		ids[k] = f.ID
	}
	ids[i], ids[j] = ids[j], ids[i]
	if err := s.a.store.ReorderPages(s.a.ctx, s.doc.ID, ids); err != nil {
		s.a.showError(err)
	}
	s.selectDoc(s.doc.ID)
}

// openOriginal copies a file's bytes to a private temporary file and asks
// the system to open it in its own viewer.
func (s *documentsScreen) openOriginal(f records.File) {
	ctx := s.a.ctx
	s.a.async(func() {
		path, err := s.a.copyOut(ctx, f)
		fyne.Do(func() {
			if err != nil {
				s.a.showError(err)
				return
			}
			s.a.openPath(path)
		})
	})
}

// offerAttachments looks, in the background, for files attached inside a
// PDF (they are left out of the packet) and adds a "Save attachment"
// button for each to the page's buttons. UI goroutine.
func (s *documentsScreen) offerAttachments(f records.File, buttons *fyne.Container) {
	ctx, store := s.a.ctx, s.a.store
	s.a.async(func() {
		list, err := export.Attachments(ctx, store, f)
		if err != nil || len(list) == 0 {
			return
		}
		fyne.Do(func() {
			for _, at := range list {
				name := at.Name
				b := widget.NewButtonWithIcon("Save attachment: "+name+"...", theme.DocumentSaveIcon(), func() { s.saveAttachment(f, name) })
				buttons.Add(b)
			}
			buttons.Refresh()
		})
	})
}

// saveAttachment asks where to save a file attached inside a PDF and
// writes it there (never over an existing file). UI goroutine.
func (s *documentsScreen) saveAttachment(f records.File, name string) *saveAs {
	a := s.a
	ext := filepath.Ext(name)
	return a.askSavePath(name, ext, mustBeNew(""), func(path string) {
		ctx, store := a.ctx, a.store
		a.async(func() {
			err := writeNew(path, func(w io.Writer) error { return export.SaveAttachment(ctx, store, f, name, w) })
			fyne.Do(func() {
				if err != nil {
					a.showError(err)
					return
				}
				a.showInfo("Attachment saved", "Saved "+filepath.Base(path)+" in "+filepath.Dir(path)+".")
			})
		})
	})
}

// writeNew creates path (never replacing a file), fills it and syncs it;
// on failure nothing is left behind.
func writeNew(path string, fill func(io.Writer) error) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &records.Problem{Msg: fmt.Sprintf("The file could not be saved as %s (%v). Choose another name or folder.", path, err), Err: err}
	}
	err = fill(out)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		var p *records.Problem
		if !errors.As(err, &p) {
			err = &records.Problem{Msg: fmt.Sprintf("The file could not be saved (%v). Try again, or choose another folder.", err), Err: err}
		}
	}
	return err
}

// copyOut writes a file's bytes to the app's private folder of opened
// originals (made on first use, owner-only, removed when the app closes;
// one left by an app that was killed is removed at the next first use).
// Called off the UI goroutine; a.openedMu guards the folder and the map.
func (a *App) copyOut(ctx context.Context, f records.File) (string, error) {
	a.openedMu.Lock()
	defer a.openedMu.Unlock()
	if a.openedDir == "" {
		dir, err := records.PrivateTemp("secondopinion-open-")
		if err != nil {
			return "", err
		}
		a.openedDir, a.opened = dir, map[string]string{}
	}
	r, err := a.store.OpenFile(ctx, f.ID)
	if err != nil {
		return "", err
	}
	defer r.Close()
	dir, err := os.MkdirTemp(a.openedDir, "f-")
	if err != nil {
		return "", err
	}
	name := filepath.Base(f.Name)
	if name == "" || name == "." || name == string(filepath.Separator) {
		name = "document"
	}
	path := filepath.Join(dir, name)
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		os.RemoveAll(dir)
		return "", err
	}
	if err := out.Close(); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	a.opened[path] = f.ID
	return path, nil
}

// forgetPurged removes the opened copies of files that are no longer in
// the library (their documents' Trash was emptied): deleted means gone.
func (a *App) forgetPurged() {
	a.openedMu.Lock()
	defer a.openedMu.Unlock()
	for path, id := range a.opened {
		if _, err := a.store.File(a.ctx, id); errors.Is(err, records.ErrNotFound) {
			os.RemoveAll(filepath.Dir(path))
			delete(a.opened, path)
		}
	}
}

// removeOpened removes every opened copy; the app is closing.
func (a *App) removeOpened() {
	a.openedMu.Lock()
	defer a.openedMu.Unlock()
	if a.openedDir != "" {
		os.RemoveAll(a.openedDir)
		a.openedDir, a.opened = "", nil
	}
}

func (s *documentsScreen) onTrash() {
	if s.doc.ID == "" {
		return
	}
	id, title := s.doc.ID, s.doc.Title
	if err := s.a.store.TrashDocument(s.a.ctx, id); err != nil {
		s.a.showError(err)
		return
	}
	s.selectDoc("")
	s.reload()
	s.a.notifyUndo("'"+title+"' moved to the Trash", func() error { return s.a.store.RestoreDocument(s.a.ctx, id) }, s.reload)
}

func (s *documentsScreen) onRestore() {
	if s.doc.ID == "" {
		return
	}
	if err := s.a.store.RestoreDocument(s.a.ctx, s.doc.ID); err != nil {
		s.a.showError(err)
		return
	}
	s.selectDoc("")
	s.reload()
}

func (s *documentsScreen) onEmptyTrash() {
	n := s.total
	s.a.confirm("Empty the Trash?",
		fmt.Sprintf("The %s in the Trash will be deleted for good, with their files. This cannot be undone.", plural(n, "document", "documents")),
		"Delete for good", func() {
			if _, err := s.a.store.EmptyTrash(s.a.ctx, s.a.person.ID); err != nil {
				s.a.showError(err)
			}
			s.a.forgetPurged()
			s.selectDoc("")
			s.reload()
		})
}

// onAdd starts adding files: a chooser that takes several files at once
// (dropping files on the window works too).
func (s *documentsScreen) onAdd() {
	s.chooser = s.a.chooseFiles(s.addPaths)
}

// addPaths puts files in the add dialog, opening it if needed. UI goroutine.
func (s *documentsScreen) addPaths(paths []string) {
	s.pending = append(s.pending, paths...)
	if s.addDialog == nil {
		s.openAddDialog()
	}
	s.showPending()
}

// docDetail is one document's fields in the add dialog.
type docDetail struct {
	title, date *formEntry
	kind        *widget.Select
}

const kindAsAbove = "(the kind above)"

func (s *documentsScreen) openAddDialog() {
	s.pendingBox = container.NewVBox()
	s.docForms = container.NewVBox()
	s.details = map[string]*docDetail{}
	s.addProblem = problemLabel()
	s.grouping = widget.NewRadioGroup(nil, nil)
	s.addKind = widget.NewSelect(kindLabels(), nil)
	s.addKind.SetSelected(records.KindOther.Label())
	another := widget.NewButtonWithIcon("Choose more files...", theme.ContentAddIcon(), func() {
		s.chooser = s.a.chooseFiles(s.addPaths)
	})
	body := container.NewVBox(
		hint("These files will be added. You can also drag more files onto the window."),
		s.pendingBox, container.NewHBox(another),
		s.grouping,
		widget.NewForm(widget.NewFormItem("Kind of document", s.addKind)),
		s.docForms,
	)
	s.grouping.OnChanged = func(string) { s.showDetails() }
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(600, 460)) // room for the documents' details under the files
	s.addBody = scroll
	s.addDialog = s.a.formDialog("Add documents", "Add", scroll, s.addProblem, s.onConfirmAdd)
	s.addDialog.SetOnClosed(func() { s.addDialog, s.pending = nil, nil })
}

const (
	groupOne      = "One document; each file is a page"
	groupSeparate = "A separate document for each file"
)

func (s *documentsScreen) showPending() {
	s.pendingBox.Objects = nil
	for i, p := range s.pending {
		idx := i
		rm := widget.NewButtonWithIcon("Remove", theme.ContentRemoveIcon(), func() {
			s.pending = append(s.pending[:idx], s.pending[idx+1:]...)
			s.showPending()
		})
		l := widget.NewLabel(filepath.Base(p))
		l.Truncation = fyne.TextTruncateEllipsis
		s.pendingBox.Add(container.NewBorder(nil, nil, nil, rm, l))
	}
	s.pendingBox.Refresh()
	if len(s.pending) > 1 {
		// The default is what people expect (records.GroupForAdding):
		// photos chosen together are one document, pages in the order the
		// phone numbered them; each PDF is a document of its own.
		// Only a choice the user had (two options) is kept: with PDFs
		// alone there was just "separate", and no Options[1].
		wasSeparate := len(s.grouping.Options) > 1 && s.grouping.Selected == s.grouping.Options[1]
		groups := records.GroupForAdding(s.pending, false)
		first := fmt.Sprintf("One document with %d pages (for example photos of one letter)", len(s.pending))
		if len(groups) > 1 {
			first = fmt.Sprintf("%s: the pictures together as one document, each PDF on its own", plural(len(groups), "document", "documents"))
		}
		if len(groups) == len(s.pending) {
			first = "" // nothing to put together: only PDFs (or one picture)
		}
		s.grouping.Options = nil
		if first != "" {
			s.grouping.Options = append(s.grouping.Options, first)
		}
		s.grouping.Options = append(s.grouping.Options, fmt.Sprintf("%d separate documents", len(s.pending)))
		s.grouping.Selected = s.grouping.Options[0]
		if wasSeparate && len(s.grouping.Options) > 1 {
			s.grouping.Selected = s.grouping.Options[1]
		}
		s.grouping.Show()
		s.grouping.Refresh()
	} else {
		s.grouping.Hide()
	}
	s.showDetails()
	s.addBody.Content.Refresh() // the list and the choice changed size: lay the dialog out again
	s.addBody.Refresh()
}

// showDetails lists the documents the pending files will become, each with
// its title, date and kind to set now (what was typed is kept as files
// come and go). UI goroutine.
func (s *documentsScreen) showDetails() {
	if s.docForms == nil {
		return
	}
	s.docForms.Objects = nil
	groups := records.GroupForAdding(s.pending, !s.oneDocument())
	if len(groups) == 0 {
		s.docForms.Refresh()
		return
	}
	s.docForms.Add(widget.NewLabelWithStyle("The documents", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for i, g := range groups {
		dd := s.details[g[0]]
		if dd == nil {
			dd = &docDetail{title: s.a.newEntry("Title"), date: s.a.newEntry("Date of service, for example March 2024"),
				kind: widget.NewSelect(append([]string{kindAsAbove}, kindLabels()...), nil)}
			dd.title.SetText(records.TitleFromName(filepath.Base(g[0])))
			dd.kind.SetSelected(kindAsAbove)
			s.details[g[0]] = dd
		}
		pages := plural(len(g), "file", "files")
		s.docForms.Add(widget.NewForm(
			widget.NewFormItem(fmt.Sprintf("%d. Title (%s)", i+1, pages), dd.title),
			widget.NewFormItem("Date", withReading(dd.date)),
			widget.NewFormItem("Kind", dd.kind)))
	}
	s.docForms.Refresh()
}

// oneDocument reports whether the pending files are grouped (pictures
// together) rather than one document each.
func (s *documentsScreen) oneDocument() bool {
	return len(s.grouping.Options) > 1 && s.grouping.Selected == s.grouping.Options[0]
}

// onConfirmAdd adds the pending files in the background with a progress bar.
func (s *documentsScreen) onConfirmAdd() {
	if len(s.pending) == 0 {
		s.a.closeDialog(s.addDialog)
		return
	}
	groups := records.GroupForAdding(s.pending, !s.oneDocument())
	kind := kindOfLabel(s.addKind.Selected)
	// Each document's own title, date and kind, as set in the dialog. A
	// date that cannot be read keeps the dialog open with its sentence.
	details := map[string]records.Document{}
	for i, g := range groups {
		dd := s.details[g[0]]
		if dd == nil {
			continue
		}
		date, err := records.ParseDate(dd.date.Text)
		if err != nil {
			showProblem(s.addProblem, &records.Problem{Msg: fmt.Sprintf("Document %d: %s", i+1, records.Explain(err))})
			return
		}
		d := records.Document{Title: strings.TrimSpace(dd.title.Text), Date: date}
		if dd.kind.Selected != kindAsAbove {
			d.Kind = kindOfLabel(dd.kind.Selected)
		}
		details[g[0]] = d
	}
	s.a.closeDialog(s.addDialog)
	s.addGroups(groups, kind, "", details, records.AddOptions{})
}

// addGroups adds each group of files as one document (or, with toDoc set,
// as further pages of that document) in the background, with a progress
// bar and Cancel. A file that cannot be read does not sink its group: the
// others are added and the left-out pages are listed with their reasons.
// A file already in the library is asked about ("Add it again anyway?"),
// and so is a damaged PDF some of whose pages can be read ("Add the
// readable pages?"); base carries the answers (Again, ReadablePagesOnly).
// details holds what the add dialog set for each document (title, date,
// kind), by the group's first file; it may be nil. UI goroutine.
func (s *documentsScreen) addGroups(groups [][]string, kind records.Kind, toDoc string, details map[string]records.Document, base records.AddOptions) {
	ctx, cancel := context.WithCancel(s.a.ctx)
	s.progress = widget.NewProgressBar()
	status := widget.NewLabel("Checking and adding files...")
	var pd dialog.Dialog
	stop := widget.NewButton("Cancel", cancel)
	pd = dialog.NewCustomWithoutButtons("Adding documents", container.NewVBox(status, s.progress, container.NewCenter(stop)), s.a.win)
	pd.Resize(fyne.NewSize(460, 160))
	s.a.pushEscape(pd, cancel)
	pd.Show()
	personID, store, packet := s.a.person.ID, s.a.store, s.a.kase.Packet
	bar := s.progress
	s.a.async(func() {
		defer cancel()
		var firstID string
		var added []string
		var errs []error
		var dups [][]string
		var dupErrs []error
		var partial [][]string
		var partialErrs []error
		var leftOut []string
		var locked [][]string
		var lockedErrs []error
		for gi, g := range groups {
			if ctx.Err() != nil {
				break
			}
			d := records.Document{PersonID: personID, Kind: kind}
			if set, ok := details[g[0]]; ok {
				d.Title, d.Date = set.Title, set.Date
				if set.Kind != "" {
					d.Kind = set.Kind
				}
			}
			n := len(groups)
			var report records.AddReport
			opt := base
			opt.KeepGood, opt.Report = true, &report
			opt.Progress = func(done, total int64) {
				if total <= 0 {
					return
				}
				v := (float64(gi) + float64(done)/float64(total)) / float64(n)
				fyne.Do(func() { bar.SetValue(v) })
			}
			var err error
			if toDoc != "" {
				d.ID = toDoc
				err = store.AddPagesWith(ctx, toDoc, g, opt)
			} else {
				err = store.AddDocument(ctx, &d, g, opt)
			}
			var damaged *media.DamagedPDFError
			switch {
			case errors.Is(err, records.ErrPasswordRequired) && len(g) == 1:
				locked, lockedErrs = append(locked, g), append(lockedErrs, err)
				continue
			case errors.Is(err, records.ErrDuplicate):
				dups, dupErrs = append(dups, g), append(dupErrs, err)
				continue
			case errors.As(err, &damaged) && len(damaged.Sound()) > 0 && !base.ReadablePagesOnly:
				partial, partialErrs = append(partial, g), append(partialErrs, err)
				continue
			case err != nil:
				if ctx.Err() == nil {
					errs = append(errs, err)
				}
				continue
			}
			for _, l := range report.LeftOut {
				leftOut = append(leftOut, fmt.Sprintf("Page %d of '%s' was left out: %s", l.Page, d.Title, records.Explain(l.Err)))
			}
			if firstID == "" {
				firstID = d.ID
			}
			added = append(added, d.ID)
			fyne.Do(func() {
				bar.SetValue(float64(gi+1) / float64(n))
				status.SetText(fmt.Sprintf("Added %d of %d", gi+1, n))
			})
		}
		fyne.Do(func() {
			s.a.closeDialog(pd)
			if len(added) > 0 {
				s.a.ocr.kick() // read the text of the new photos and scans
			}
			if firstID != "" {
				s.doc.ID = firstID
				s.selectDoc(firstID)
			}
			s.reload()
			switch {
			case len(errs) > 0:
				s.a.showError(joinProblems(errs))
			case len(leftOut) > 0:
				s.a.showInfo("Some pages were left out", strings.Join(leftOut, "\n\n")+
					"\n\nThe other pages were added. When you have a good copy, open the document and use Add pages... to put it in its place.")
			}
			if len(dups) > 0 {
				var b strings.Builder
				for _, e := range dupErrs {
					b.WriteString(records.Explain(e) + "\n")
				}
				b.WriteString("Add it again anyway? The doctor would then get those pages twice.")
				title := "Already in the library"
				again := base
				again.Again = true
				s.a.confirm(title, b.String(), "Add again", func() { s.addGroups(dups, kind, toDoc, details, again) })
			}
			if len(locked) > 0 {
				s.askPassword(locked, lockedErrs, kind, toDoc, details, base) // viewer.go
			}
			if len(partial) > 0 {
				var b strings.Builder
				for _, e := range partialErrs {
					b.WriteString(records.Explain(e) + "\n")
				}
				b.WriteString("You can add the pages that can be read now; the document and the packet will then say which pages are missing, until you add a complete copy.")
				readable := base
				readable.ReadablePagesOnly = true
				s.a.confirm("Some pages cannot be read", b.String(), "Add the readable pages", func() { s.addGroups(partial, kind, toDoc, details, readable) })
			}
		})
		// Make the photos' print versions now, while the user reads the
		// list, so the packet export later is mostly assembly. Quietly:
		// a picture that cannot be prepared is for the readiness check.
		if len(added) > 0 {
			_ = export.PreparePrint(s.a.ctx, store, added, packet.Paper, packet.Quality)
		}
	})
}

// onAddPages adds further pages to the open document: a page that was left
// out, scanned or downloaded again. UI goroutine.
func (s *documentsScreen) onAddPages() {
	id, kind, title := s.doc.ID, s.doc.Kind, s.doc.Title
	if id == "" {
		return
	}
	s.chooser = s.a.chooseFiles(func(paths []string) {
		if len(paths) > 0 {
			// The title names the document in what is said of left-out pages.
			s.addGroups([][]string{paths}, kind, id, map[string]records.Document{paths[0]: {Title: title}}, records.AddOptions{})
		}
	})
}

// joinProblems puts several refusals in one sentence list.
func joinProblems(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d files could not be added:", len(errs))
	for _, e := range errs {
		b.WriteString("\n- " + records.Explain(e))
	}
	return &records.Problem{Msg: b.String(), Err: errs[0]}
}
