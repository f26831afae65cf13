package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/export"
	"secondopinion/records"
)

// packetScreen chooses what goes into the packet and in what order, checks
// it, and exports it with visible progress.
type packetScreen struct {
	a *App

	docs     []records.Document // every document of the person: included ones first, in packet order
	included map[string]bool
	list     *widget.List
	summary  *widget.Label
	allBtn   *widget.Button
	dateBtn  *widget.Button

	paper    *widget.RadioGroup
	quality  *widget.RadioGroup
	duplex   *widget.Check // for this session only: the case has no place to keep it yet
	estimate *widget.Label

	// Sending by e-mail (see emailBox).
	forEmail     *widget.Check
	password     *widget.Entry
	passwordNote *widget.Label

	check        *widget.Button
	checkNote    *widget.Label
	issues       []export.Issue
	warnings     []string // export.TextWarnings from the last check
	issuesBox    *fyne.Container
	exportBtn    *widget.Button
	originalsBtn *widget.Button     // Export packet with originals... (an enclosure)
	originalsAs  *widget.RadioGroup // zip or folder, in the dialog it opens (tests)
	originalsDlg dialog.Dialog      // that dialog (tests)
	progress     *widget.ProgressBar
	progressAt   *widget.Label
	cancel       *widget.Button
	cancelFn     context.CancelFunc
	running      *fyne.Container
	result       *widget.Label
	openBtn      *widget.Button
	folderBtn    *widget.Button
	done         *fyne.Container
	lastPath     string
	log          *fyne.Container
	ready        *fyne.Container // the readiness check, as on the Overview
	readySummary *widget.Label   // what it finds missing, in one sentence above Export
	estSeq       int
	listSeq      int
	// onProgress, when set, sees each progress report on the UI goroutine
	// after the bar (tests).
	onProgress func(done, total int)

	box fyne.CanvasObject
}

const (
	paperOptA4      = "A4"
	paperOptLetter  = "Letter"
	qualityCompact  = "Compact (small enough to e-mail)"
	qualityOriginal = "Original photos (larger file)"
)

func newPacketScreen(a *App) *packetScreen {
	s := &packetScreen{a: a, included: map[string]bool{}}
	s.list = widget.NewList(func() int { return len(s.docs) }, func() fyne.CanvasObject {
		check := widget.NewCheck("", nil)
		title := widget.NewLabel("Title")
		title.Truncation = fyne.TextTruncateEllipsis
		up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), nil)
		down := widget.NewButtonWithIcon("", theme.MoveDownIcon(), nil)
		return container.NewBorder(nil, nil, check, container.NewHBox(up, down), title)
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i >= len(s.docs) {
			return
		}
		d := s.docs[i]
		c := o.(*fyne.Container)
		title := c.Objects[0].(*widget.Label)
		check := c.Objects[1].(*widget.Check)
		btns := c.Objects[2].(*fyne.Container)
		up, down := btns.Objects[0].(*widget.Button), btns.Objects[1].(*widget.Button)
		check.OnChanged = nil
		check.SetChecked(s.included[d.ID])
		id := d.ID
		check.OnChanged = func(v bool) { s.onInclude(id, v) }
		text := d.Title + "  -  " + orText(d.Date.Short(), "no date") + ", " + docExtent(d)
		if !s.included[d.ID] {
			text += "  (left out)"
		}
		title.SetText(text)
		up.OnTapped = func() { s.onMove(id, -1) }
		down.OnTapped = func() { s.onMove(id, +1) }
		if s.included[d.ID] {
			up.Show()
			down.Show()
		} else {
			up.Hide()
			down.Hide()
		}
	})
	s.summary = widget.NewLabel("")
	s.allBtn = widget.NewButton("Include all", s.onIncludeAll)
	s.dateBtn = widget.NewButton("Put in date order", s.onDateOrder)

	s.paper = widget.NewRadioGroup([]string{paperOptA4, paperOptLetter}, func(string) { s.onSettings() })
	s.paper.Horizontal = true
	s.paper.Required = true
	s.quality = widget.NewRadioGroup([]string{qualityCompact, qualityOriginal}, func(string) { s.onSettings() })
	s.quality.Required = true
	s.duplex = widget.NewCheck("On both sides of the paper", func(bool) { s.refreshEstimate() })
	s.estimate = widget.NewLabel("")
	s.estimate.Wrapping = fyne.TextWrapWord

	s.check = widget.NewButtonWithIcon("Check the packet", theme.SearchIcon(), s.onCheck)
	s.checkNote = hint("The check opens every document to make sure it can go in. It does not change anything.")
	s.issuesBox = container.NewVBox()
	s.exportBtn = widget.NewButtonWithIcon("Export packet... (Ctrl+E)", theme.DocumentSaveIcon(), s.onExport)
	s.exportBtn.Importance = widget.HighImportance
	s.originalsBtn = widget.NewButtonWithIcon("Export packet with originals...", theme.FolderNewIcon(), s.onExportOriginals)
	s.progress = widget.NewProgressBar()
	s.progressAt = widget.NewLabel("")
	s.progressAt.Wrapping = fyne.TextWrapWord
	s.cancel = widget.NewButton("Cancel", func() {
		if s.cancelFn != nil {
			s.cancelFn()
		}
	})
	s.running = container.NewVBox(s.progressAt, s.progress, container.NewHBox(s.cancel))
	s.running.Hide()
	s.result = widget.NewLabel("")
	s.result.Wrapping = fyne.TextWrapWord
	s.openBtn = widget.NewButtonWithIcon("Open packet", theme.FileIcon(), func() { a.openPath(s.lastPath) })
	s.openBtn.Importance = widget.HighImportance
	s.folderBtn = widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), func() { a.openPath(filepath.Dir(s.lastPath)) })
	s.done = container.NewVBox(s.result, container.NewHBox(s.openBtn, s.folderBtn))
	s.done.Hide()
	s.log = container.NewVBox()
	s.ready = container.NewVBox()
	s.readySummary = widget.NewLabel("")
	s.readySummary.Wrapping = fyne.TextWrapWord

	left := container.NewBorder(container.NewVBox(
		widget.NewLabelWithStyle("1. What goes in", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("Tick the documents to send and move them into the order the doctor should read them. The cover, contents, summary, medicines and questions always come first."),
		s.summary, newFlow(s.allBtn, s.dateBtn), // side by side, or one above the other when large text needs it
	), nil, nil, nil, s.list)
	right := container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle("2. How it is printed", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		// Each choice under its name, not beside it: the column stays narrow
		// enough for large text on a 1024-pixel screen.
		widget.NewLabelWithStyle("Paper", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.paper,
		widget.NewLabelWithStyle("Photos", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.quality,
		widget.NewLabelWithStyle("Printing", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.duplex,
		hint("Each document then starts on a right-hand page, so the sheets can be separated after double-sided printing; the backs left empty say so."),
		s.estimate,
		s.emailBox(),
		widget.NewSeparator(),
		widget.NewLabelWithStyle("3. Check and export", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.readySummary,
		s.checkNote,
		container.NewHBox(s.exportBtn), container.NewHBox(s.check), // stacked: the right column stays narrow enough for a 1024-pixel screen
		container.NewHBox(s.originalsBtn),
		hint("With originals: the packet, the scans of imaging discs in DICOM (as a hospital disc has them) and the original PDFs and photos, in a folder or a .zip, for a clinic's image archive, a new disc or an upload."),
		s.issuesBox,
		s.running,
		s.done,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("What the second doctor will expect", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.ready,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Packets made so far", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.log,
	))
	split := container.NewHSplit(left, container.NewPadded(right))
	split.Offset = 0.55
	s.box = container.NewBorder(heading("Packet"), nil, nil, nil, split)
	return s
}

func (s *packetScreen) content() fyne.CanvasObject { return s.box }

func (s *packetScreen) refresh() {
	a := s.a
	c := a.kase
	paper := paperOptA4
	if c.Packet.Paper == records.PaperLetter {
		paper = paperOptLetter
	}
	quality := qualityCompact
	if c.Packet.Quality == records.QualityOriginal {
		quality = qualityOriginal
	}
	setRadioQuiet(s.paper, paper)
	setRadioQuiet(s.quality, quality)
	s.refreshLog()

	// The lists read every document's row: in the background.
	s.listSeq++
	seq, store, ctx := s.listSeq, a.store, a.ctx
	a.async(func() {
		packet, err := store.PacketDocuments(ctx, c)
		var all []records.Document
		if err == nil {
			all, err = store.Documents(ctx, records.DocumentFilter{PersonID: c.PersonID})
		}
		var items []records.ReadyItem
		if err == nil {
			items, err = store.Readiness(ctx, c.ID)
		}
		fyne.Do(func() {
			if seq != s.listSeq {
				return
			}
			if err != nil {
				a.showError(err)
				return
			}
			s.ready.Objects = a.readinessRows(items, true, s.refresh)
			s.ready.Refresh()
			var missing []string
			for _, it := range items {
				if it.State == records.ReadyMissing {
					missing = append(missing, it.Label)
				}
			}
			if len(missing) == 0 {
				s.readySummary.SetText("Everything the second doctor will expect is in the library (see the list below).")
			} else {
				s.readySummary.SetText("Still missing: " + strings.Join(missing, "; ") + ". You can export now and send these later; see the list below.")
			}
			s.setDocs(packet, all)
			s.refreshEstimate()
		})
	})
}

// setDocs shows the packet's documents first, in order, then the others.
func (s *packetScreen) setDocs(packet, all []records.Document) {
	s.included = map[string]bool{}
	s.docs = make([]records.Document, 0, len(all))
	for _, d := range packet {
		s.included[d.ID] = true
		s.docs = append(s.docs, d)
	}
	for _, d := range all {
		if !s.included[d.ID] {
			s.docs = append(s.docs, d)
		}
	}
	s.list.Refresh()
	s.summary.SetText(fmt.Sprintf("%d of %d documents included", len(packet), len(all)))
}

func (s *packetScreen) options() export.Options {
	var exclude []string
	for _, is := range s.issues {
		exclude = append(exclude, is.DocumentID)
	}
	return export.Options{PersonID: s.a.person.ID, CaseID: s.a.kase.ID, Paper: s.a.kase.Packet.Paper,
		Quality: s.a.kase.Packet.Quality, Exclude: exclude, ForEmail: s.forEmail.Checked, Password: s.password.Text, Duplex: s.duplex.Checked}
}

// refreshEstimate guesses pages and size in the background.
func (s *packetScreen) refreshEstimate() {
	s.estSeq++
	seq := s.estSeq
	opt := s.options()
	store, ctx := s.a.store, s.a.ctx
	s.a.async(func() {
		pages, size, err := export.Estimate(ctx, store, opt)
		fyne.Do(func() {
			if seq != s.estSeq {
				return
			}
			if err != nil {
				s.estimate.SetText("The size could not be estimated: " + records.Explain(err))
				return
			}
			s.estimate.SetText(fmt.Sprintf("About %s, %s. %s", plural(pages, "page", "pages"), records.HumanBytes(size), export.EmailFit(size, opt.ForEmail)))
		})
	})
}

func (s *packetScreen) refreshLog() {
	exports, err := s.a.store.Exports(s.a.ctx, s.a.kase.ID)
	if err != nil {
		s.a.showError(err)
		return
	}
	s.log.Objects = nil
	if len(exports) == 0 {
		s.log.Add(widget.NewLabel("None yet."))
	}
	for _, e := range exports {
		kind := e.Kind
		if kind == "packet" {
			kind = "Packet"
		}
		l := widget.NewLabel(fmt.Sprintf("%s  -  %s: %s, %s, %s", e.At.Local().Format("2 Jan 2006 15:04"), kind, e.FileName,
			plural(e.Pages, "page", "pages"), records.HumanBytes(e.Bytes)))
		l.Wrapping = fyne.TextWrapWord
		s.log.Add(l)
	}
	s.log.Refresh()
}

// includedIDs is the packet's documents in order.
func (s *packetScreen) includedIDs() []string {
	ids := []string{}
	for _, d := range s.docs {
		if s.included[d.ID] {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

func (s *packetScreen) savePacketDocs(ids []string) {
	a := s.a
	if err := a.store.SetPacketDocuments(a.ctx, a.kase.ID, ids); err != nil {
		a.showError(err)
	}
	if c, err := a.store.Case(a.ctx, a.kase.ID); err == nil {
		a.kase = c
	}
	s.issues, s.warnings = nil, nil
	s.issuesBox.Objects = nil
	s.issuesBox.Refresh()
	s.refresh()
}

func (s *packetScreen) onInclude(id string, v bool) {
	s.included[id] = v
	ids := s.includedIDs()
	if v {
		// A newly ticked document goes to the end of the packet.
		ids = append(removeID(ids, id), id)
	}
	s.savePacketDocs(ids)
}

func removeID(ids []string, id string) []string {
	out := ids[:0:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

func (s *packetScreen) onMove(id string, by int) {
	ids := s.includedIDs()
	for i, x := range ids {
		if x == id {
			j := i + by
			if j < 0 || j >= len(ids) {
				return
			}
			ids[i], ids[j] = ids[j], ids[i]
			s.savePacketDocs(ids)
			return
		}
	}
}

func (s *packetScreen) onIncludeAll() {
	ids := s.includedIDs()
	for _, d := range s.docs {
		if !s.included[d.ID] {
			ids = append(ids, d.ID)
		}
	}
	s.savePacketDocs(ids)
}

// onDateOrder goes back to the default: every document, by date of service.
func (s *packetScreen) onDateOrder() { s.savePacketDocs(nil) }

func (s *packetScreen) onSettings() {
	a := s.a
	a.kase.Packet.Paper = records.PaperA4
	if s.paper.Selected == paperOptLetter {
		a.kase.Packet.Paper = records.PaperLetter
	}
	a.kase.Packet.Quality = records.QualityCompact
	if s.quality.Selected == qualityOriginal {
		a.kase.Packet.Quality = records.QualityOriginal
	}
	if err := a.saveCase(); err != nil {
		a.showError(err)
	}
	s.refreshEstimate()
}

// onCheck runs the readiness check in the background with progress.
func (s *packetScreen) onCheck() {
	opt := s.options()
	opt.Exclude = nil
	s.lastPath = ""
	s.run("Checking every document...", func(ctx context.Context, o export.Options) (string, error) {
		issues, err := export.Readiness(ctx, s.a.store, o)
		var warnings []string
		if err == nil {
			warnings, err = export.TextWarnings(ctx, s.a.store, o)
		}
		fyne.Do(func() {
			if err != nil {
				return
			}
			s.issues, s.warnings = issues, warnings
			s.showIssues()
		})
		if err != nil {
			return "", err
		}
		if len(issues) == 0 && len(warnings) == 0 {
			return "Every document can go in.", nil
		}
		return "", nil
	}, opt)
}

func (s *packetScreen) showIssues() {
	s.issuesBox.Objects = nil
	warn := func(text string) {
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		s.issuesBox.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, l))
	}
	if len(s.issues) > 0 {
		s.issuesBox.Add(widget.NewLabelWithStyle(fmt.Sprintf("%s cannot go in and will be left out:", plural(len(s.issues), "document", "documents")),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	for _, is := range s.issues {
		warn(is.Title + ": " + is.Problem)
	}
	// Letters the packet font cannot draw: the packet can still go, but
	// the user should add a Latin spelling first.
	for _, w := range s.warnings {
		warn(w)
	}
	s.issuesBox.Refresh()
}

// onExport asks where to save the packet, then writes it.
func (s *packetScreen) onExport() {
	if s.cancelFn != nil {
		return // one export at a time
	}
	if pw := s.password.Text; pw != "" {
		if err := export.CheckPassword(pw); err != nil {
			s.a.showError(err)
			return
		}
	}
	name := fmt.Sprintf("Second opinion packet - %s - %s.pdf", safeName(s.a.person.FullName), s.a.store.Now().Format("2006-01-02"))
	_ = s.a.askSavePath(name, ".pdf", func(path string) error { return export.CheckTarget(s.a.store, path) }, s.exportTo)
}

const (
	originalsZip    = "A .zip file, to upload or send"
	originalsFolder = "A folder, to copy to a USB stick or burn to a disc"
)

// onExportOriginals asks whether to make a .zip or a folder, then where,
// then writes the packet with its originals (export.WriteEnclosure).
func (s *packetScreen) onExportOriginals() {
	if s.cancelFn != nil {
		return // one export at a time
	}
	s.originalsAs = widget.NewRadioGroup([]string{originalsZip, originalsFolder}, nil)
	s.originalsAs.Required = true
	s.originalsAs.SetSelected(originalsZip)
	intro := widget.NewLabel("The packet PDF, the DICOM files of the imaging discs byte for byte with a DICOMDIR, the original PDFs and photos, and a README saying what is where. No password: the originals cannot be locked.")
	intro.Wrapping = fyne.TextWrapWord
	body := container.New(minWidth{480}, container.NewVBox(intro, s.originalsAs))
	s.originalsDlg = s.a.formDialog("Export packet with originals", "Choose where...", body, nil, func() {
		s.a.closeDialog(s.originalsDlg)
		name := fmt.Sprintf("Second opinion packet with originals - %s - %s", safeName(s.a.person.FullName), s.a.store.Now().Format("2006-01-02"))
		ext := ""
		if s.originalsAs.Selected == originalsZip {
			ext = ".zip"
		}
		_ = s.a.askSavePath(name+ext, ext, func(path string) error { return export.CheckEnclosureTarget(s.a.store, path) }, s.originalsTo)
	})
}

// originalsTo writes the packet with its originals in the background.
func (s *packetScreen) originalsTo(path string) {
	opt := s.options()
	opt.ForEmail, opt.Password = false, ""
	s.run("Making the packet with its originals...", func(ctx context.Context, o export.Options) (string, error) {
		res, err := export.WriteEnclosure(ctx, s.a.store, path, o)
		if err != nil {
			return "", err
		}
		fyne.Do(func() {
			s.lastPath = filepath.Join(res.Path, export.PacketName)
			if res.Zip {
				s.lastPath = res.Path
			}
			s.done.Show()
			s.refreshLog()
		})
		return enclosureText(res), nil
	}, opt)
}

// enclosureText says what an enclosure holds.
func enclosureText(res export.EnclosureResult) string {
	t := fmt.Sprintf("Saved %s: the packet (%s)", filepath.Base(res.Path), plural(res.Packet.Pages, "page", "pages"))
	if res.Studies > 0 {
		t += fmt.Sprintf(", %s of %s in DICOM with a DICOMDIR", plural(res.DICOMFiles, "imaging file", "imaging files"), plural(res.Studies, "study", "studies"))
	}
	t += fmt.Sprintf(", %s and README.txt; %s in all.", plural(res.Originals, "original file", "original files"), records.HumanBytes(res.Bytes))
	return t
}

// safeName keeps a name usable in a file name on every system.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 32 {
			return '-'
		}
		return r
	}, s)
}

// exportTo writes the packet in the background with a progress bar and
// Cancel; at the end it offers to open it or show it in its folder.
func (s *packetScreen) exportTo(path string) {
	s.run("Making the packet...", func(ctx context.Context, o export.Options) (string, error) {
		res, err := export.WritePacket(ctx, s.a.store, path, o)
		if err != nil {
			return "", err
		}
		msg := savedText(res)
		if len(res.Skipped) > 0 {
			var titles []string
			for _, is := range res.Skipped {
				titles = append(titles, is.Title)
			}
			msg += " Left out because they could not be read: " + strings.Join(titles, ", ") + "."
		}
		fyne.Do(func() {
			s.lastPath = res.Path
			s.done.Show()
			s.refreshLog()
		})
		return msg, nil
	}, s.options())
}

// run does long work off the UI goroutine with the progress bar and Cancel
// shown; work returns the sentence to show at the end.
func (s *packetScreen) run(what string, work func(context.Context, export.Options) (string, error), opt export.Options) {
	if s.cancelFn != nil {
		return
	}
	ctx, cancel := context.WithCancel(s.a.ctx)
	s.cancelFn = cancel
	s.done.Hide()
	s.progress.SetValue(0)
	s.progressAt.SetText(what)
	s.running.Show()
	s.check.Disable()
	s.exportBtn.Disable()
	s.originalsBtn.Disable()
	bar := s.progress
	opt.Progress = func(done, total int) {
		if total > 0 {
			v := float64(done) / float64(total)
			fyne.Do(func() {
				bar.SetValue(v)
				if s.onProgress != nil {
					s.onProgress(done, total)
				}
			})
		}
	}
	s.a.async(func() {
		msg, err := work(ctx, opt)
		cancelled := ctx.Err() != nil
		cancel()
		fyne.Do(func() {
			s.cancelFn = nil
			s.running.Hide()
			s.check.Enable()
			s.exportBtn.Enable()
			s.originalsBtn.Enable()
			switch {
			case err != nil && cancelled:
				s.result.SetText("Stopped. Nothing was saved.")
				s.done.Show()
				s.openBtn.Hide()
				s.folderBtn.Hide()
			case err != nil:
				s.a.showError(err)
			default:
				if msg != "" {
					s.result.SetText(msg)
					s.done.Show()
				}
				if s.lastPath != "" {
					s.openBtn.Show()
					s.folderBtn.Show()
				} else {
					s.openBtn.Hide()
					s.folderBtn.Hide()
				}
			}
		})
	})
}

// emailBox holds the choices for sending the packet by e-mail: making it
// fit (export.Options.ForEmail) and a password that locks it. The password
// lives only in the entry, for this window: it is never saved.
func (s *packetScreen) emailBox() fyne.CanvasObject {
	s.forEmail = widget.NewCheck("For e-mail (25 MB)", func(bool) { s.refreshEstimate() })
	emailNote := hint("Photos at 150 dpi and photographed letters in grey, so the packet fits an e-mail; if it is still too large it is saved in parts, one per e-mail.")
	s.password = widget.NewPasswordEntry()
	s.password.SetPlaceHolder("Optional")
	s.passwordNote = hint("With a password the packet opens only after typing it. Give the password to the doctor another way, for example by telephone, never in the same e-mail.")
	return container.NewVBox(s.forEmail, emailNote, widget.NewForm(widget.NewFormItem("Password", s.password)), s.passwordNote)
}

// savedText says what an export wrote: each file with its size (parts of a
// packet split for e-mail, one per line), what is too large for e-mail,
// and, for a locked packet, how to send the password.
func savedText(res export.Result) string {
	var b strings.Builder
	if len(res.Files) > 1 {
		fmt.Fprintf(&b, "Saved in %d parts, one per e-mail (%s in all):", len(res.Files), plural(res.Pages, "page", "pages"))
		for _, f := range res.Files {
			fmt.Fprintf(&b, "\n%s: pages %d to %d, %s", filepath.Base(f.Path), f.FirstPage, f.FirstPage+f.Pages-1, records.HumanBytes(f.Bytes))
		}
	} else {
		fmt.Fprintf(&b, "Saved %s: %s, %s.", filepath.Base(res.Path), plural(res.Pages, "page", "pages"), records.HumanBytes(res.Bytes))
		if res.Bytes <= export.EmailLimit {
			b.WriteString(" It fits in one e-mail.")
		}
	}
	for _, n := range res.Notes {
		b.WriteString("\n" + n)
	}
	if res.Encrypted {
		b.WriteString("\nThe packet is locked with your password. Give the password to the doctor another way, for example by telephone, never in the same e-mail.")
	}
	return b.String()
}
