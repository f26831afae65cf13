package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// Key image sizes: the thumbnails of the Imaging list and the larger view.
const (
	thumbSide = 160
	viewSide  = 800
)

// imagingScreen is the Imaging tab of the Documents screen: "Add imaging
// disc..." and the person's studies, each with its series as thumbnails
// (drawn in the background), a larger view on a tap.
type imagingScreen struct {
	a *App

	add   *widget.Button
	count *widget.Label
	list  *fyne.Container // one card per study
	box   fyne.CanvasObject

	studies []records.Study
	thumbs  map[string]fyne.Resource // series ID -> key image at thumbSide (UI goroutine)
	tiles   map[string]*widget.Button
	seq     int           // numbers loads so a slow old answer never replaces a newer one (UI goroutine)
	loaded  chan struct{} // closed and replaced after each load (tests)

	// The import under way or last done (tests look at them).
	progress *widget.ProgressBar
	status   *widget.Label
	asked    dialog.Dialog // the question a disc raised: another patient, or which one
	choose   *widget.RadioGroup
	report   *records.DiscReport
	onStatus func(text string) // sees each status line of an import (tests; UI goroutine)
	// The larger view of a key image.
	viewer      dialog.Dialog
	viewerLabel *widget.Label
	viewerImage *canvas.Image
}

func newImagingScreen(a *App) *imagingScreen {
	s := &imagingScreen{a: a, thumbs: map[string]fyne.Resource{}, tiles: map[string]*widget.Button{}, loaded: make(chan struct{})}
	s.add = widget.NewButtonWithIcon("Add imaging disc...", theme.ContentAddIcon(), s.onAddDisc)
	s.add.Importance = widget.HighImportance
	s.count = widget.NewLabel("")
	s.count.Wrapping = fyne.TextWrapWord
	s.list = container.NewVBox()
	s.list.Add(s.intro())
	// The hint scrolls away with the studies: at large text in a small
	// window the studies need the room.
	s.box = container.NewBorder(container.NewBorder(nil, nil, nil, s.add, s.count), nil, nil, nil, container.NewVScroll(s.list))
	return s
}

func (s *imagingScreen) content() fyne.CanvasObject { return s.box }

func (s *imagingScreen) intro() fyne.CanvasObject {
	return hint("A CD, DVD or USB stick of scans from a hospital, a folder copied from one, or its .zip. Each file is kept as it is; each series gets a picture here and in the packet.")
}

// reload reads the person's studies off the UI goroutine. UI goroutine.
func (s *imagingScreen) reload() {
	if s.a.person.ID == "" {
		return
	}
	s.seq++
	seq := s.seq
	ctx, store, personID := s.a.ctx, s.a.store, s.a.person.ID
	s.a.async(func() {
		studies, err := store.Studies(ctx, personID)
		fyne.Do(func() {
			if seq != s.seq {
				return
			}
			if err != nil {
				s.count.SetText(records.Explain(err))
			} else {
				s.show(studies)
			}
			close(s.loaded)
			s.loaded = make(chan struct{})
		})
	})
}

// show lays out the studies. UI goroutine.
func (s *imagingScreen) show(studies []records.Study) {
	s.studies = studies
	s.tiles = map[string]*widget.Button{}
	s.list.Objects = []fyne.CanvasObject{s.intro()}
	if len(studies) == 0 {
		s.count.SetText("No imaging discs yet.")
	} else {
		series, images := 0, 0
		for _, st := range studies {
			series += len(st.Series)
			images += st.Images()
		}
		s.count.SetText(fmt.Sprintf("%s: %s in %s.", plural(len(studies), "imaging study", "imaging studies"),
			plural(images, "image", "images"), plural(series, "series", "series")))
	}
	for _, st := range studies {
		s.list.Add(s.studyCard(st))
	}
	s.list.Refresh()
}

// holds reports whether a document holds the files of a study shown.
func (s *imagingScreen) holds(docID string) bool {
	for _, st := range s.studies {
		if st.DocumentID == docID {
			return true
		}
	}
	return false
}

// studyTitle is "14 Jan 2026 · CT · CHEST W CONTRAST".
func studyTitle(st records.Study) string {
	parts := []string{orText(st.Date.Short(), "No date")}
	for _, p := range []string{st.Modality, st.Description} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "  ·  ")
}

// studyFacts is the line under a study's title.
func studyFacts(st records.Study) string {
	parts := []string{plural(len(st.Series), "series", "series") + ", " + plural(st.Images(), "image", "images")}
	for _, p := range []string{st.Institution, prefixed("Accession ", st.Accession), prefixed("Body part ", st.BodyPart), prefixed("Referred by ", st.ReferringPhysician)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "  ·  ")
}

func prefixed(p, v string) string {
	if v = strings.TrimSpace(v); v == "" {
		return ""
	}
	return p + v
}

// seriesTitle is "Series 3: AX T2".
func seriesTitle(se records.Series) string {
	t := fmt.Sprintf("Series %d", se.Number)
	if d := strings.TrimSpace(se.Description); d != "" {
		t += ": " + d
	}
	return t
}

func (s *imagingScreen) studyCard(st records.Study) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(studyTitle(st), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	facts := widget.NewLabel(studyFacts(st))
	facts.Wrapping = fyne.TextWrapWord
	// Room under the picture for two lines of text at the text size set.
	line := widget.NewLabel("Series").MinSize().Height
	grid := container.NewGridWrap(fyne.NewSize(thumbSide+64, thumbSide+2*line+theme.Padding()))
	for _, se := range st.Series {
		grid.Add(s.seriesTile(st, se))
	}
	return container.NewVBox(widget.NewSeparator(), title, facts, grid)
}

// seriesTile is a series' thumbnail (or the sentence saying why there is
// none) with its name and count; tapping it opens the larger view.
func (s *imagingScreen) seriesTile(st records.Study, se records.Series) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(seriesTitle(se), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	count := widget.NewLabel(joinNonEmptyUI("  ·  ", se.Modality, plural(se.Images, "image", "images")))
	count.Truncation = fyne.TextTruncateEllipsis
	var pic fyne.CanvasObject
	if se.NoPreview != "" {
		l := widget.NewLabel(se.NoPreview)
		l.Wrapping = fyne.TextWrapWord
		pic = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)), l)
	} else {
		img := canvas.NewImageFromResource(theme.FileImageIcon())
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(thumbSide, thumbSide))
		bg := canvas.NewRectangle(colorBlack)
		pic = container.NewStack(bg, img)
		if r, ok := s.thumbs[se.ID]; ok {
			img.Resource = r
		} else {
			s.loadThumb(se.ID, img)
		}
	}
	tile := widget.NewButton("", func() { s.openViewer(st, se) })
	tile.Importance = widget.LowImportance
	if se.NoPreview != "" {
		tile.Disable()
	}
	s.tiles[se.ID] = tile
	return container.NewStack(tile, container.NewBorder(nil, container.NewVBox(name, count), nil, nil, pic))
}

// loadThumb draws a series' key image at thumbSide in the background and
// shows it when done; a failure leaves the picture icon.
func (s *imagingScreen) loadThumb(seriesID string, img *canvas.Image) {
	ctx, store := s.a.ctx, s.a.store
	s.a.async(func() {
		data, _, err := keyJPEG(ctx, store, seriesID, thumbSide)
		if err != nil {
			return
		}
		res := fyne.NewStaticResource("key-"+seriesID+".jpg", data)
		fyne.Do(func() {
			s.thumbs[seriesID] = res
			img.Resource = res
			img.Refresh()
		})
	})
}

// keyJPEG draws a key image and encodes it for a canvas.Image. Off the UI
// goroutine.
func keyJPEG(ctx context.Context, store *records.Store, seriesID string, side int) ([]byte, records.KeyImageInfo, error) {
	img, info, err := store.KeyImage(ctx, seriesID, side)
	if err != nil {
		return nil, info, err
	}
	if img == nil || img.Bounds().Empty() {
		return nil, info, errors.New("empty key image")
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		return nil, info, err
	}
	return buf.Bytes(), info, nil
}

// keyLabel is "Series 3: AX T2 · slice 12 of 24 · window W 400 L 40".
func keyLabel(se records.Series, info records.KeyImageInfo) string {
	parts := []string{seriesTitle(se)}
	if info.Of > 0 {
		parts = append(parts, fmt.Sprintf("slice %d of %d", info.Slice, info.Of))
	}
	if info.Frame > 0 {
		parts = append(parts, fmt.Sprintf("frame %d of %d", info.Frame, se.Frames))
	}
	if w := strings.TrimSpace(info.Window); w != "" {
		parts = append(parts, "window "+w)
	}
	return strings.Join(parts, "  ·  ")
}

// openViewer shows a series' key image larger, drawn in the background,
// with its label. UI goroutine.
func (s *imagingScreen) openViewer(st records.Study, se records.Series) {
	s.viewerLabel = widget.NewLabel(seriesTitle(se) + "  ·  drawing the picture...")
	s.viewerLabel.Wrapping = fyne.TextWrapWord
	s.viewerImage = canvas.NewImageFromResource(nil)
	s.viewerImage.FillMode = canvas.ImageFillContain
	s.viewerImage.SetMinSize(fyne.NewSize(240, 240))
	bg := canvas.NewRectangle(colorBlack)
	studyLine := widget.NewLabelWithStyle(studyTitle(st), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	studyLine.Truncation = fyne.TextTruncateEllipsis
	body := container.NewBorder(studyLine, s.viewerLabel, nil, nil, container.NewStack(bg, s.viewerImage))
	var d dialog.Dialog
	closeBtn := widget.NewButton("Close", func() { s.a.closeDialog(d) })
	closeBtn.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons("Key image", container.NewBorder(nil, container.NewCenter(closeBtn), nil, nil, body), s.a.win)
	s.a.pushEscape(d, nil)
	// As large as the window allows, never larger: the picture shrinks
	// to fit (at 150% text in a 1024 x 700 window too).
	win := s.a.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(win.Width*0.92, viewSide+40), min(win.Height*0.92, viewSide+140)))
	s.viewer = d
	d.Show()
	label, img := s.viewerLabel, s.viewerImage
	ctx, store := s.a.ctx, s.a.store
	s.a.async(func() {
		data, info, err := keyJPEG(ctx, store, se.ID, viewSide)
		fyne.Do(func() {
			if err != nil {
				label.SetText(seriesTitle(se) + ": " + records.Explain(err))
				return
			}
			img.Resource = fyne.NewStaticResource("view-"+se.ID+".jpg", data)
			img.Refresh()
			label.SetText(keyLabel(se, info))
		})
	})
}

// isDiscPath reports whether a dropped path is an imaging disc: a folder
// or a .zip.
func isDiscPath(p string) bool {
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		return true
	}
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// onAddDisc asks for the disc, then imports it. UI goroutine.
func (s *imagingScreen) onAddDisc() {
	if s.a.person.ID == "" {
		return
	}
	s.a.chooseDisc(func(path string) { s.importDisc(path, records.ImportDiscOptions{}) })
}

// importDisc imports the disc at path in the background, with progress
// and Cancel; a disc of another patient, or of several, asks first and
// then imports again with the answer. UI goroutine.
func (s *imagingScreen) importDisc(path string, opt records.ImportDiscOptions) {
	ctx, cancel := context.WithCancel(s.a.ctx)
	s.progress = widget.NewProgressBar()
	s.status = widget.NewLabel("Reading the disc…")
	s.status.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabel("A full CD takes a few minutes. Nothing is added until the end, so Cancel leaves the library as it was.")
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	stop := widget.NewButton("Cancel", cancel)
	pd := dialog.NewCustomWithoutButtons("Adding an imaging disc", container.NewVBox(s.status, s.progress, hint, container.NewCenter(stop)), s.a.win)
	pd.Resize(fyne.NewSize(480, 220))
	s.a.pushEscape(pd, cancel)
	pd.Show()
	// Two phases, each told on the status line with the bar filling
	// afresh: reading the disc's files (counted), then storing them (in
	// bytes). The line changes at most once a percent.
	bar, status, onStatus := s.progress, s.status, s.onStatus
	show := func(text string, v float64) {
		fyne.Do(func() {
			status.SetText(text)
			bar.SetValue(v)
			if onStatus != nil {
				onStatus(text)
			}
		})
	}
	lastRead := -1 // reading goroutine: Reading is called one call at a time
	opt.Reading = func(done, total int) {
		if pct := done * 100 / total; pct != lastRead {
			lastRead = pct
			show(records.DiscReading(done, total), float64(done)/float64(total))
		}
	}
	lastStored := -1 // ImportDisc's goroutine
	opt.Progress = func(done, total int64) {
		if total <= 0 {
			return
		}
		if pct := int(done * 100 / total); pct != lastStored {
			lastStored = pct
			show("Storing: "+records.HumanBytes(done)+" of "+records.HumanBytes(total), float64(done)/float64(total))
		}
	}
	personID, store := s.a.person.ID, s.a.store
	s.a.async(func() {
		defer cancel()
		rep, err := store.ImportDisc(ctx, personID, path, opt)
		cancelled := ctx.Err() != nil
		fyne.Do(func() {
			s.a.closeDialog(pd)
			s.imported(path, opt, rep, err, cancelled)
		})
	})
}

// imported says what an import did, or asks what the disc needs. UI
// goroutine.
func (s *imagingScreen) imported(path string, opt records.ImportDiscOptions, rep records.DiscReport, err error, cancelled bool) {
	opt.Reading, opt.Progress = nil, nil
	var other *records.DifferentPatientError
	var several *records.SeveralPatientsError
	switch {
	case err != nil && cancelled:
		s.a.showInfo("Adding stopped", "The disc was not added; nothing was changed.")
	case errors.As(err, &other):
		s.asked = s.a.confirm("Another patient's disc?", other.Error(), "Add it anyway", func() {
			opt.DifferentPatientOK = true
			s.importDisc(path, opt)
		})
	case errors.As(err, &several):
		s.askPatient(path, opt, several.Patients)
	case err != nil:
		s.a.showError(err)
	default:
		s.report = &rep
		s.a.showInfo("Imaging disc added", discSummary(rep))
		s.reload()
		s.a.documents.reload()
	}
}

// askPatient lets the user choose whose images of a disc to add.
func (s *imagingScreen) askPatient(path string, opt records.ImportDiscOptions, patients []records.DiscPatient) {
	var labels []string
	keys := map[string]string{}
	for _, p := range patients {
		l := p.Name
		if !p.Birth.IsZero() {
			l += ", born " + p.Birth.Human()
		}
		if p.ID != "" {
			l += " (patient ID " + p.ID + ")"
		}
		l += ": " + plural(p.Images, "image", "images")
		labels = append(labels, l)
		keys[l] = p.Key
	}
	problem := problemLabel()
	s.choose = widget.NewRadioGroup(labels, nil)
	intro := widget.NewLabel(fmt.Sprintf("This disc holds images of %d patients. Choose whose to add for %s; the others are left on the disc.", len(patients), s.a.person.FullName))
	intro.Wrapping = fyne.TextWrapWord
	body := container.NewVScroll(container.NewVBox(intro, s.choose))
	line := widget.NewLabel("X").MinSize().Height
	body.SetMinSize(fyne.NewSize(480, min(float32(3+len(patients))*line, s.a.win.Canvas().Size().Height*0.6)))
	var d dialog.Dialog
	d = s.a.formDialog("Whose images?", "Add these images", body, problem, func() {
		key, ok := keys[s.choose.Selected]
		if !ok {
			problem.SetText("Choose one patient first.")
			problem.Show()
			return
		}
		s.a.closeDialog(d)
		opt.Patient = key
		s.importDisc(path, opt)
	})
	s.asked = d
}

// discSummary says what a disc import added, and what it left out.
func discSummary(rep records.DiscReport) string {
	t := fmt.Sprintf("Added %s with %s in %s.", plural(rep.Studies, "imaging study", "imaging studies"),
		plural(rep.Images, "image", "images"), plural(rep.Series, "series", "series"))
	if rep.Studies == 0 {
		// A disc of reports only: no study, the reports are documents.
		as := "documents of their own"
		if rep.Reports == 1 {
			as = "a document of its own"
		}
		t = fmt.Sprintf("Added %s as %s (the disc held no images).", plural(rep.Reports, "report", "reports"), as)
	} else if rep.Reports > 0 {
		t += fmt.Sprintf(" %s on the disc became %s of their own.", plural(rep.Reports, "report", "reports"), plural(rep.Reports, "document", "documents"))
	}
	if rep.AlreadyHad > 0 {
		t += fmt.Sprintf(" %s were already in the library and are kept once.", plural(rep.AlreadyHad, "file", "files"))
	}
	for i, lo := range rep.LeftOut {
		if i == 5 {
			t += fmt.Sprintf("\n... and %d more files left out.", len(rep.LeftOut)-i)
			break
		}
		t += "\n" + leftOutSentence(lo)
	}
	return t
}

func leftOutSentence(lo records.LeftOut) string {
	msg := records.Explain(lo.Err)
	if lo.Name != "" && !strings.Contains(msg, lo.Name) {
		msg = lo.Name + ": " + msg
	}
	return msg
}

func joinNonEmptyUI(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

var colorBlack = color.Black
