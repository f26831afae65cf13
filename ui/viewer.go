package ui

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
	"secondopinion/records/render"
)

// The page viewer (issue #14): a document's pages large, over the main
// window, with a strip of thumbnails, zoom, next and previous (buttons and
// keys), and the fixes: turn a page, remove it, move it to another
// document of the same person, add a photo as a new page. Each fix is a
// setting of the document (records.TurnPage and friends), offered with
// Undo at the bottom of the window like every removal.
//
// Drawing pages never happens on the UI goroutine: each picture is made by
// the app's renderer in the background and put in place with fyne.Do; a
// picture that arrives after the user moved on is dropped.

// pageRenderer draws pages for every window of this process (one PDFium
// is enough), made on first use.
var pageRenderer = sync.OnceValue(func() *render.Renderer { return render.New(render.CacheDir()) })

// renderer is the app's page renderer.
func (a *App) renderer() *render.Renderer { return pageRenderer() }

// Zoom steps of the large page, as a share of the fitted width.
var zoomSteps = []float32{0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4}

type pageViewer struct {
	a      *App
	dialog dialog.Dialog
	doc    records.Document
	pages  []records.Page
	cur    int
	zoom   float32 // 1: the page fits the width
	gen    int     // which drawing of the large page is wanted (UI goroutine)
	aspect float32 // height / width of the page shown

	title *widget.Label
	// The viewer's own notice of the last fix, with Undo: the window's
	// notice bar is under the viewer, which is modal.
	notice     *fyne.Container
	noticeText *widget.Label
	where      *widget.Label
	status     *widget.Label
	image      *canvas.Image
	scroll     *container.Scroll
	strip      *fyne.Container
	tiles      []*pageTile
	keys       *viewerKeys
	buttons    map[string]*widget.Button
	// The open "Move page to" choice and its Move, for tests.
	moveChoice *widget.RadioGroup
	moveSubmit func()
}

// openViewer shows a document's pages large, starting at page start
// (0-based). UI goroutine.
func (a *App) openViewer(documentID string, start int) *pageViewer {
	v := &pageViewer{a: a, zoom: 1, aspect: 1.414, buttons: map[string]*widget.Button{}}
	v.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.title.SizeName = theme.SizeNameSubHeadingText
	v.title.Truncation = fyne.TextTruncateEllipsis
	v.where = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.status.Hide()
	v.image = canvas.NewImageFromImage(nil)
	v.image.FillMode = canvas.ImageFillStretch
	v.image.ScaleMode = canvas.ImageScaleSmooth
	page := container.New(&fitLayout{v: v}, v.image)
	v.scroll = container.NewScroll(page)
	v.strip = container.NewHBox()
	strip := container.NewHScroll(v.strip)
	strip.SetMinSize(fyne.NewSize(100, 150))

	button := func(key, label string, icon fyne.Resource, tap func()) *widget.Button {
		b := widget.NewButtonWithIcon(label, icon, tap)
		v.buttons[key] = b
		return b
	}
	nav := container.NewHBox(
		button("prev", "Previous", theme.NavigateBackIcon(), func() { v.show(v.cur - 1) }),
		v.where,
		button("next", "Next", theme.NavigateNextIcon(), func() { v.show(v.cur + 1) }),
		widget.NewSeparator(),
		button("zoomOut", "", theme.ZoomOutIcon(), func() { v.zoomBy(-1) }),
		button("fit", "Fit width", theme.ZoomFitIcon(), func() { v.setZoom(1) }),
		button("zoomIn", "", theme.ZoomInIcon(), func() { v.zoomBy(+1) }),
	)
	fix := container.NewHBox(
		button("left", "Turn left", theme.MediaReplayIcon(), func() { v.onTurn(-90) }),
		button("right", "Turn right", theme.ViewRefreshIcon(), func() { v.onTurn(90) }),
		button("remove", "Remove page", theme.DeleteIcon(), v.onRemove),
		button("move", "Move to document...", theme.MailForwardIcon(), v.onMove),
		button("add", "Add a photo...", theme.ContentAddIcon(), v.onAddPhoto),
	)
	closeButton := button("close", "Close", theme.CancelIcon(), v.close)
	v.noticeText = widget.NewLabel("")
	undo := button("undo", "Undo", theme.ContentUndoIcon(), func() {
		v.notice.Hide()
		v.a.onUndo()
	})
	undo.Importance = widget.HighImportance
	v.notice = container.NewHBox(widget.NewIcon(theme.InfoIcon()), v.noticeText, undo)
	v.notice.Hide()
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, closeButton, v.title),
		container.NewCenter(nav),
		container.NewCenter(fix),
		container.NewCenter(v.notice),
		v.status,
	)
	v.keys = newViewerKeys(v)
	body := container.NewBorder(top, strip, nil, nil, container.NewStack(v.keys, v.scroll))
	v.dialog = dialog.NewCustomWithoutButtons("", body, a.win)
	size := a.win.Canvas().Size()
	v.dialog.Resize(fyne.NewSize(max(size.Width*0.96, 640), max(size.Height*0.94, 480)))
	a.pushEscape(v.dialog, nil)
	v.dialog.Show()
	v.load(documentID, start)
	return v
}

// load reads the document's pages again (after a fix) and shows page i.
// UI goroutine.
func (v *pageViewer) load(documentID string, i int) {
	d, err := v.a.store.Document(v.a.ctx, documentID)
	if err != nil {
		v.showProblem(err)
		return
	}
	v.doc, v.pages = d, d.PageList()
	v.title.SetText("Pages of '" + orText(d.Title, "(no title)") + "'")
	v.strip.Objects = nil
	v.tiles = nil
	for k, p := range v.pages {
		t := newPageTile(k, func(k int) { v.show(k) })
		v.tiles = append(v.tiles, t)
		v.strip.Add(t)
		v.thumb(t, p)
	}
	v.strip.Refresh()
	v.show(min(max(i, 0), len(v.pages)-1))
}

// thumb fills a tile with its page's thumbnail in the background.
func (v *pageViewer) thumb(t *pageTile, p records.Page) {
	if p.File.IsDICOM() {
		t.image.Resource = theme.FileImageIcon()
		t.image.Refresh()
		return
	}
	r, ctx, store := v.a.renderer(), v.a.ctx, v.a.store
	v.a.async(func() {
		m, err := r.Thumbnail(ctx, store, p)
		fyne.Do(func() {
			if err != nil {
				t.setProblem()
				return
			}
			t.setImage(m)
		})
	})
}

// show makes page i the one shown large. UI goroutine.
func (v *pageViewer) show(i int) {
	if i < 0 || i >= len(v.pages) {
		return
	}
	v.cur = i
	n := len(v.pages)
	v.where.SetText(fmt.Sprintf("Page %d of %d", i+1, n))
	setEnabled(v.buttons["prev"], i > 0)
	setEnabled(v.buttons["next"], i < n-1)
	setEnabled(v.buttons["remove"], n > 1)
	for k, t := range v.tiles {
		t.setCurrent(k == i)
	}
	v.status.Hide()
	v.draw()
	v.scroll.ScrollToTop()
	// A click on a button takes the focus: the keys come back to the viewer.
	v.a.win.Canvas().Focus(v.keys)
}

// draw makes the large picture of the current page at the size the zoom
// asks for, in the background. UI goroutine.
func (v *pageViewer) draw() {
	if v.cur >= len(v.pages) {
		return
	}
	v.gen++
	gen := v.gen
	p := v.pages[v.cur]
	if p.File.IsDICOM() {
		v.image.Image = nil
		v.image.Refresh()
		v.status.SetText(p.File.Name + " is a scan image from a hospital system (DICOM). It is listed in the packet, not drawn here; the doctor's own viewer opens it.")
		v.status.Show()
		return
	}
	// Pixels: the fitted width times the zoom and the screen's scale,
	// rounded up to a step of 256 so that small changes reuse a drawing.
	scale := v.a.win.Canvas().Scale()
	w := int(math.Ceil(float64(v.fitWidth()*v.zoom*scale)/256)) * 256
	w = min(max(w, 512), 4096)
	r, ctx, store := v.a.renderer(), v.a.ctx, v.a.store
	v.a.async(func() {
		m, err := r.Page(ctx, store, p, w)
		fyne.Do(func() {
			if gen != v.gen {
				return // the user moved on
			}
			if err != nil {
				v.image.Image = nil
				v.image.Refresh()
				v.showProblem(fmt.Errorf("page %d could not be drawn: %w", v.cur+1, err))
				return
			}
			b := m.Bounds()
			v.aspect = float32(b.Dy()) / float32(max(b.Dx(), 1))
			v.image.Image = m
			v.image.Refresh()
			v.scroll.Content.Refresh()
			v.scroll.Refresh()
		})
	})
}

// fitWidth is the width a page takes at zoom 1: the viewing area's.
func (v *pageViewer) fitWidth() float32 {
	w := v.scroll.Size().Width
	if w < 50 {
		w = 800 // not laid out yet
	}
	return w - 2*theme.Padding()
}

func (v *pageViewer) zoomBy(step int) {
	i := 0
	for k, z := range zoomSteps {
		if z <= v.zoom+0.001 {
			i = k
		}
	}
	if step < 0 && zoomSteps[i] >= v.zoom-0.001 {
		i--
	} else if step > 0 {
		i++
	}
	v.setZoom(zoomSteps[min(max(i, 0), len(zoomSteps)-1)])
}

func (v *pageViewer) setZoom(z float32) {
	v.zoom = z
	setEnabled(v.buttons["zoomOut"], z > zoomSteps[0])
	setEnabled(v.buttons["zoomIn"], z < zoomSteps[len(zoomSteps)-1])
	v.scroll.Content.Refresh()
	v.draw()
}

// onTurn turns the current page a quarter; Undo turns it back. UI goroutine.
func (v *pageViewer) onTurn(degrees int) {
	p, ok := v.current()
	if !ok {
		return
	}
	u, err := v.a.store.TurnPage(v.a.ctx, v.doc.ID, p.File.ID, p.Page, degrees)
	v.fixed(u, err, v.cur)
}

// onRemove leaves the current page out of the document. UI goroutine.
func (v *pageViewer) onRemove() {
	p, ok := v.current()
	if !ok {
		return
	}
	u, err := v.a.store.RemovePageOf(v.a.ctx, v.doc.ID, p.File.ID, p.Page)
	v.fixed(u, err, v.cur)
}

// onMove asks which of the person's other documents to move the current
// page to, and moves it. UI goroutine.
func (v *pageViewer) onMove() {
	p, ok := v.current()
	if !ok {
		return
	}
	docs, err := v.a.store.Documents(v.a.ctx, records.DocumentFilter{PersonID: v.doc.PersonID})
	if err != nil {
		v.a.showError(err)
		return
	}
	var others []records.Document
	var labels []string
	for _, d := range docs {
		if d.ID == v.doc.ID || d.Trashed {
			continue
		}
		others = append(others, d)
		label := orText(d.Title, "(no title)")
		if !d.Date.IsZero() {
			label += ", " + d.Date.Short()
		}
		labels = append(labels, fmt.Sprintf("%d. %s", len(labels)+1, label))
	}
	if len(others) == 0 {
		v.a.showInfo("No other document", "This person has no other document to move the page to. Add one first.")
		return
	}
	choice := widget.NewRadioGroup(labels, nil)
	choice.SetSelected(labels[0])
	problem := problemLabel()
	var d dialog.Dialog
	v.moveChoice = choice
	v.moveSubmit = func() {
		to := -1
		for i, l := range labels {
			if l == choice.Selected {
				to = i
			}
		}
		if to < 0 {
			return
		}
		v.a.closeDialog(d)
		u, err := v.a.store.MovePage(v.a.ctx, v.doc.ID, p.File.ID, p.Page, others[to].ID)
		v.fixed(u, err, v.cur)
	}
	d = v.a.formDialog(fmt.Sprintf("Move page %d to", v.cur+1), "Move", container.NewVScroll(choice), problem, v.moveSubmit)
}

// onAddPhoto adds photos (or PDFs) as new pages at the end, with Undo.
// UI goroutine.
func (v *pageViewer) onAddPhoto() {
	id := v.doc.ID
	v.a.chooseFiles(func(paths []string) {
		if len(paths) == 0 {
			return
		}
		v.status.SetText("Adding...")
		v.status.Show()
		store, ctx := v.a.store, v.a.ctx
		v.a.async(func() {
			u, err := store.AddPagesUndo(ctx, id, paths, records.AddOptions{})
			fyne.Do(func() {
				v.status.Hide()
				v.fixed(u, err, len(v.pages))
			})
		})
	})
}

// fixed reports a fix: its notice with Undo, or the error; either way the
// pages are read again and page at is shown. UI goroutine.
func (v *pageViewer) fixed(u *records.Undo, err error, at int) {
	id := v.doc.ID
	after := func() {
		v.load(id, at)
		if v.a.documents != nil && v.a.documents.doc.ID != "" {
			v.a.documents.refresh()
		}
	}
	v.a.removed(u, err, after)
	if err == nil && u != nil {
		v.noticeText.SetText(u.What)
		v.notice.Show()
	}
}

func (v *pageViewer) current() (records.Page, bool) {
	if v.cur < 0 || v.cur >= len(v.pages) {
		return records.Page{}, false
	}
	return v.pages[v.cur], true
}

func (v *pageViewer) showProblem(err error) {
	msg := records.Explain(err)
	var p *records.Problem
	if !errors.As(err, &p) {
		msg = "This page cannot be shown (" + err.Error() + "). The file is kept as it is; open the original to see it in another program."
	}
	v.status.SetText(msg)
	v.status.Show()
}

func (v *pageViewer) close() {
	v.gen++
	v.a.closeDialog(v.dialog)
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// fitLayout sizes the large page: the viewing area's width times the zoom,
// and the height the page's shape gives; centred when narrower.
type fitLayout struct{ v *pageViewer }

func (l *fitLayout) size() fyne.Size {
	w := l.v.fitWidth() * l.v.zoom
	return fyne.NewSize(w, w*l.v.aspect)
}

func (l *fitLayout) MinSize([]fyne.CanvasObject) fyne.Size { return l.size() }

func (l *fitLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	s := l.size()
	for _, o := range objs {
		o.Resize(s)
		o.Move(fyne.NewPos(max((size.Width-s.Width)/2, 0), 0))
	}
}

// pageTile is one thumbnail in the strip: the page's picture and number,
// framed when it is the page shown; tapping it shows that page.
type pageTile struct {
	widget.BaseWidget
	index  int
	onTap  func(int)
	image  *canvas.Image
	label  *widget.Label
	frame  *canvas.Rectangle
	loaded bool
}

func newPageTile(i int, onTap func(int)) *pageTile {
	t := &pageTile{index: i, onTap: onTap}
	t.image = canvas.NewImageFromResource(theme.FileIcon())
	t.image.FillMode = canvas.ImageFillContain
	t.image.SetMinSize(fyne.NewSize(90, 110))
	t.label = widget.NewLabelWithStyle(fmt.Sprint(i+1), fyne.TextAlignCenter, fyne.TextStyle{})
	t.frame = canvas.NewRectangle(nil)
	t.frame.StrokeWidth = 3
	t.ExtendBaseWidget(t)
	return t
}

func (t *pageTile) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(t.frame,
		container.NewPadded(container.NewBorder(nil, t.label, nil, nil, t.image))))
}

// Tapped shows the tile's page.
func (t *pageTile) Tapped(*fyne.PointEvent) { t.onTap(t.index) }

func (t *pageTile) setImage(m image.Image) {
	t.image.Resource, t.image.Image, t.loaded = nil, m, true
	t.image.Refresh()
}

func (t *pageTile) setProblem() {
	t.image.Resource = theme.BrokenImageIcon()
	t.image.Refresh()
}

func (t *pageTile) setCurrent(on bool) {
	if on {
		t.frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
		t.label.TextStyle.Bold = true
	} else {
		t.frame.StrokeColor = nil
		t.label.TextStyle.Bold = false
	}
	t.frame.Refresh()
	t.label.Refresh()
}

// viewerKeys takes the viewer's keys while it has the focus: Left and
// Right (and Page Up, Page Down) for the previous and next page, + and -
// to zoom, 0 to fit the width, Escape to close.
type viewerKeys struct {
	widget.BaseWidget
	v *pageViewer
}

func newViewerKeys(v *pageViewer) *viewerKeys {
	k := &viewerKeys{v: v}
	k.ExtendBaseWidget(k)
	return k
}

func (k *viewerKeys) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(layout.NewSpacer())
}

func (k *viewerKeys) FocusGained()     {}
func (k *viewerKeys) FocusLost()       {}
func (k *viewerKeys) TypedRune(r rune) { k.typed(string(r)) }
func (k *viewerKeys) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyLeft, fyne.KeyPageUp, fyne.KeyUp:
		k.v.show(k.v.cur - 1)
	case fyne.KeyRight, fyne.KeyPageDown, fyne.KeyDown, fyne.KeySpace:
		k.v.show(k.v.cur + 1)
	case fyne.KeyHome:
		k.v.show(0)
	case fyne.KeyEnd:
		k.v.show(len(k.v.pages) - 1)
	case fyne.KeyEscape:
		k.v.a.escape()
	}
}

func (k *viewerKeys) typed(s string) {
	switch s {
	case "+", "=":
		k.v.zoomBy(+1)
	case "-":
		k.v.zoomBy(-1)
	case "0":
		k.v.setZoom(1)
	}
}

// viewerButton opens the shown document's pages in the viewer.
func (s *documentsScreen) viewerButton() *widget.Button {
	id := s.doc.ID
	b := widget.NewButtonWithIcon("See pages large", theme.VisibilityIcon(), func() { s.viewer = s.a.openViewer(id, 0) })
	b.Importance = widget.HighImportance
	return b
}

// pageThumb shows a file's first page as the document shows it (turned,
// without left-out pages) in img, drawn in the background.
func (s *documentsScreen) pageThumb(f records.File, img *canvas.Image) fyne.CanvasObject {
	img.Resource = theme.FileApplicationIcon()
	shown := f.Shown()
	if len(shown) == 0 {
		return img
	}
	p := records.Page{File: f, Page: shown[0], Turn: f.Turn(shown[0])}
	r, ctx, store := s.a.renderer(), s.a.ctx, s.a.store
	s.a.async(func() {
		m, err := r.Thumbnail(ctx, store, p)
		if err != nil {
			return // the icon stays; the pages can still be seen in the viewer
		}
		fyne.Do(func() {
			img.Resource, img.Image = nil, m
			img.Refresh()
		})
	})
	return img
}

// askPassword asks for the password of the first locked PDF of an add and
// adds it again with it; the others are asked for in turn. The password
// goes to the store for this add only. UI goroutine.
func (s *documentsScreen) askPassword(groups [][]string, errs []error, kind records.Kind, toDoc string, details map[string]records.Document, base records.AddOptions) {
	var pe *records.PasswordError
	if !errors.As(errs[0], &pe) {
		s.a.showError(errs[0])
		return
	}
	entry := widget.NewPasswordEntry()
	entry.SetPlaceHolder("Password")
	s.passwordEntry = entry
	problem := problemLabel()
	say := widget.NewLabel(records.Explain(errs[0]))
	s.passwordSay = say
	say.Wrapping = fyne.TextWrapWord
	if !pe.Wrong {
		say.SetText(pe.Name + " is locked with a password. Type it to add the PDF: Second Opinion keeps the file as it came and an unlocked copy for the packet, and does not keep the password. Portals often use the date of birth, e.g. 01021950.")
	}
	body := container.NewVBox(say, entry)
	var d dialog.Dialog
	submit := func() {
		if entry.Text == "" {
			problem.SetText("Type the password, or Cancel to leave the file out.")
			problem.Show()
			return
		}
		s.a.closeDialog(d)
		opt := base
		opt.Passwords = map[string]string{}
		for k, v := range base.Passwords {
			opt.Passwords[k] = v
		}
		opt.Passwords[pe.Path] = entry.Text
		s.addGroups(groups, kind, toDoc, details, opt)
	}
	entry.OnSubmitted = func(string) { submit() }
	d = s.a.formDialog("Locked PDF", "Unlock and add", body, problem, submit)
	// The sentence on a few lines, not a column: widen first, then take
	// the height the wider lines need.
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	s.a.win.Canvas().Focus(entry)
}
