package export

// The Imaging section (issue #13): the packet's imaging studies, one table
// each, then one key image per series, a few to a page, each labelled with
// its series, slice and window. The DICOM files themselves are never
// printed: a study's document has no pages of its own (its row in the
// contents and its bookmark lead to its block here), and the files go out
// byte for byte in an enclosure (WriteEnclosure).

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"slices"
	"strconv"
	"strings"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/records"
)

const secImaging = "Imaging"

// keyImage is a series' key image made ready for the page before any page
// is drawn (drawing is repeated while the page numbers settle).
type keyImage struct {
	jpg     []byte // grey or colour JPEG, at most keySide pixels on its longer side
	w, h    int
	info    records.KeyImageInfo
	problem string // why it could not be drawn; the page says so instead
}

// keySide is the longer side of a key image in pixels: a cell of the 2 x 3
// grid is about 84 mm wide, so 768 pixels print at about 230 dpi. For
// e-mail, 512.
const keySide, keySideEmail = 768, 512

// loadStudies reads the studies of the packet's documents and which stored
// files they hold. Only a packet with a document of kind imaging or a
// DICOM file asks the store; the section follows the front sections when
// there is a study.
func loadStudies(ctx context.Context, s *records.Store, p *packet) error {
	in := make(map[string]bool, len(p.docs))
	any := false
	for _, d := range p.docs {
		in[d.ID] = true
		if d.Kind == records.KindImaging {
			any = true
		}
		for _, f := range d.Files {
			if f.IsDICOM() {
				any = true
			}
		}
	}
	if !any {
		return nil
	}
	all, err := s.Studies(ctx, p.person.ID)
	if err != nil {
		return err
	}
	for _, st := range all {
		if !in[st.DocumentID] {
			continue
		}
		p.studies = append(p.studies, st)
		insts, err := s.Instances(ctx, st.ID)
		if err != nil {
			return err
		}
		if p.studyFiles == nil {
			p.studyFiles = map[string]bool{}
		}
		for _, inst := range insts {
			p.studyFiles[inst.FileID] = true
		}
	}
	if len(p.studies) > 0 {
		p.sections = append(p.sections, secImaging)
	}
	sortStudies(p.studies, p.docs)
	return nil
}

// sortStudies puts studies in the packet's document order (the records
// index's order, a patient's own when they chose one), so that the index's
// "Imaging section, page N" rise down the list as the documents' pages do;
// the studies of one document run oldest first, undated last. The store
// gives them newest first.
func sortStudies(studies []records.Study, docs []records.Document) {
	at := make(map[string]int, len(docs))
	for i, d := range docs {
		at[d.ID] = i
	}
	slices.SortStableFunc(studies, func(a, b records.Study) int {
		if c := cmp.Compare(at[a.DocumentID], at[b.DocumentID]); c != 0 {
			return c
		}
		if az, bz := a.Date.IsZero(), b.Date.IsZero(); az != bz {
			if az {
				return 1
			}
			return -1
		}
		return a.Date.Time().Compare(b.Date.Time()) // zero for two undated
	})
}

// loadKeyImages draws every previewable series' key image, one after the
// other (each is quick: the middle slice only), for the packet's pages. A
// series whose image cannot be drawn keeps a sentence instead; only
// cancellation stops the export.
func loadKeyImages(ctx context.Context, s *records.Store, p *packet, prog *progress) error {
	n := 0
	for _, st := range p.studies {
		for _, se := range st.Series {
			if se.NoPreview == "" {
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	prog.total += n
	side := keySide
	if p.quality == qualityEmail {
		side = keySideEmail
	}
	p.keys = make(map[string]*keyImage, n)
	for _, st := range p.studies {
		for _, se := range st.Series {
			if se.NoPreview != "" {
				continue
			}
			if err := ctx.Err(); err != nil {
				return stopped(err)
			}
			k := &keyImage{}
			img, info, err := s.KeyImage(ctx, se.ID, side)
			if err == nil {
				k.info = info
				k.jpg, k.w, k.h, err = encodeKey(img)
			}
			if err != nil {
				if ctx.Err() != nil {
					return stopped(ctx.Err())
				}
				k.problem = "The key image could not be drawn: " + strings.TrimSuffix(records.Explain(err), ".") + "."
			}
			p.keys[se.ID] = k
			prog.step(1)
		}
	}
	return nil
}

// encodeKey makes a key image a JPEG gofpdf takes as it is (grey images
// stay one channel).
func encodeKey(img image.Image) ([]byte, int, int, error) {
	if img == nil {
		return nil, 0, 0, fmt.Errorf("no image")
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, 0, 0, fmt.Errorf("empty image")
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88}); err != nil {
		return nil, 0, 0, err
	}
	return buf.Bytes(), b.Dx(), b.Dy(), nil
}

// studyTitle is "14 January 2026 · CT · CHEST W CONTRAST".
func studyTitle(st records.Study) string {
	date := "Date not known"
	if !st.Date.IsZero() {
		date = st.Date.Human()
	}
	return joinNonEmpty("  ·  ", date, st.Modality, st.Description)
}

// seriesName is "Series 3: AX T2" (or "Series 3" without a description).
func seriesName(se records.Series) string {
	name := "Series " + strconv.Itoa(se.Number)
	if se.Number == 0 {
		name = "Series"
	}
	if d := strings.Join(strings.Fields(se.Description), " "); d != "" {
		name += ": " + d // runs of spaces, as some scanners pad, closed up
	}
	return name
}

// keyLabel says which image of the series is shown and how: "slice 12 of
// 24 · window W 400 L 40"; for a multi-frame image "frame 20 shown · ..."
// (after "40 frames"), or "image 2 of 3, frame 20 shown · ..."
// when the series has several; only the window for a series of one
// single-frame image.
func keyLabel(se records.Series, info records.KeyImageInfo) string {
	var pos string
	switch {
	case info.Frame > 0 && se.Frames > 1:
		if se.Images > 1 {
			pos = fmt.Sprintf("image %d of %d, frame %d shown", info.Slice, info.Of, info.Frame)
		} else {
			pos = fmt.Sprintf("frame %d shown", info.Frame) // after "40 frames"
		}
	case info.Of > 1:
		pos = fmt.Sprintf("slice %d of %d", info.Slice, info.Of)
	}
	win := ""
	if w := strings.TrimSpace(info.Window); w != "" {
		win = "window " + w
	}
	return joinNonEmpty("  ·  ", pos, win)
}

// discTotals counts the studies, series and images of studies.
func discTotals(studies []records.Study) (series, images int) {
	for _, st := range studies {
		series += len(st.Series)
		images += st.Images()
	}
	return series, images
}

// whereImages says where the full images are, for the section's intro.
func whereImages(p *packet) string {
	if p.enclosed {
		return "The full images, in DICOM, are in the DICOM folder that comes with this packet (README.txt there says what is where)."
	}
	return "The full images, in DICOM, are on the disc they came on and kept with the patient's records; ask the patient for them."
}

// drawImaging is the Imaging section: per study a table, a plain line of
// what it holds, its key images two across and three down on A4, and the
// series without a preview listed with the reason. While measuring (and
// for Estimate) the key images are not loaded and the same boxes are
// drawn empty, so the page count is the same.
func drawImaging(d *doc, p *packet, pl *plan) {
	d.heading(secImaging)
	series, images := discTotals(p.studies)
	intro := fmt.Sprintf("This packet's imaging: %s, %s in %s. One key image per series is printed here: the middle slice, windowed as a viewer first shows it. %s",
		plural(len(p.studies), "study", "studies"), plural(images, "image", "images"), plural(series, "series", "series"), whereImages(p))
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.text(intro, 10, 5, "", 0)
	d.pdf.SetTextColor(inkText, inkText, inkText)
	number := make(map[string]int, len(pl.docs))
	for i, pr := range pl.docs {
		number[pr.doc.ID] = i + 1
	}
	for _, st := range p.studies {
		drawStudy(d, p, st, number[st.DocumentID], len(pl.docs))
	}
}

// drawStudy draws one study's block; doc is the number of its document in
// the contents (of docs), 0 when it has none there.
func drawStudy(d *doc, p *packet, st records.Study, doc, docs int) {
	var shown, notShown []records.Series
	for _, se := range st.Series {
		if se.NoPreview == "" {
			shown = append(shown, se)
		} else {
			notShown = append(notShown, se)
		}
	}
	h := studyHeadOf(d, st, len(shown), doc, docs)
	// The study's title, table and lines stay with its first row of key
	// images: never a table alone at the foot of a page.
	need := h.height(d) + 0.5 // and half a mm for rounding
	if len(shown) > 0 {
		_, rowH := keyRow(d.g)
		need += rowH
	}
	d.room(need, nil)
	d.pdf.Ln(2)
	if d.spots != nil {
		d.spots[st.ID] = spot{page: d.pdf.PageNo(), y: d.y()}
	}
	y := d.y()
	d.subheading(h.title)
	if h.beside != "" {
		after := d.y()
		d.pdf.SetFont(font, "", 9.5)
		d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
		d.pdf.SetXY(d.g.left, y+2+0.8) // below the subheading's Ln(2), on its 7 mm line
		d.cell(d.g.contentW(), 6, h.beside, "", 0, "R", false, 0, "")
		d.pdf.SetTextColor(inkText, inkText, inkText)
		d.pdf.SetXY(d.g.left, after)
	}
	d.table(h.cols, [][]string{h.row})
	d.pdf.Ln(1)
	if h.about != "" {
		d.text(h.about, 9.5, 4.8, "", 0)
	}
	d.text(h.line, 10, 5, "", 0)
	d.pdf.Ln(1)
	keyGrid(d, p, st, shown)
	if len(notShown) > 0 {
		d.pdf.SetFont(font, "B", 10)
		d.room(12, nil)
		d.text("Not shown as pictures:", 10, 5, "B", 0)
		var items []string
		for _, se := range notShown {
			items = append(items, fmt.Sprintf("%s (%s): %s", seriesName(se), joinNonEmpty(", ", se.Modality,
				plural(se.Images, "image", "images")), se.NoPreview))
		}
		bullets(d, items, "")
	}
}

// studyHead is what a study's block says above its key images.
type studyHead struct {
	title  string
	beside string // "Document 3 of 12", at the right of the title
	cols   []col
	row    []string
	about  string // body part, the disc's patient (and the document number when not beside)
	line   string // what the study holds and what is printed
}

// studyHeadOf makes the head of study st with shown previewable series,
// whose document is number doc of docs in the contents (0: none).
func studyHeadOf(d *doc, st records.Study, shown, doc, docs int) studyHead {
	h := studyHead{title: studyTitle(st)}
	// Which document of the contents it is: at the right of its title
	// when there is room, else with the facts below it.
	number := ""
	if doc > 0 {
		number = fmt.Sprintf("Document %d of %d", doc, docs)
		d.pdf.SetFont(font, "B", 12.5)
		tw := d.pdf.GetStringWidth(h.title)
		d.pdf.SetFont(font, "", 9.5)
		if tw+d.pdf.GetStringWidth(number)+6 <= d.g.contentW() {
			h.beside, number = number, ""
		}
	}
	// The title says the date, the type and the description; the table
	// says the rest, so that nothing is printed twice.
	h.cols = []col{{"Series", 15, "R"}, {"Images", 16, "R"}, {"Accession no.", 31, "L"},
		{"Institution", 54, "L"}, {"Referring doctor", 54, "L"}}
	h.row = []string{strconv.Itoa(len(st.Series)), strconv.Itoa(st.Images()), st.Accession, st.Institution,
		strings.TrimSpace(st.ReferringPhysician)}
	h.about = joinNonEmpty("  ·  ", number, labelled("Body part", st.BodyPart),
		labelled("Patient on the disc", joinNonEmpty(", born ", st.PatientName, birthText(st.PatientBirth))))
	h.line = fmt.Sprintf("This study holds %s in %s; ", plural(st.Images(), "image", "images"), plural(len(st.Series), "series", "series"))
	switch {
	case shown == 0:
		h.line += "none can be shown as a picture here."
	case shown == len(st.Series):
		h.line += "one key image per series is printed below."
	default:
		h.line += fmt.Sprintf("a key image of %s is printed below.", plural(shown, "series", "series"))
	}
	return h
}

// height is the room the head takes as drawStudy draws it, in mm,
// measured from its wrapped lines (the constants are the heights
// subheading, table and text give them).
func (h studyHead) height(d *doc) float64 {
	lines := func(s string, size float64, style string, w float64) float64 {
		if s == "" {
			return 0
		}
		d.pdf.SetFont(font, style, size)
		return float64(len(d.wrap(s, w)))
	}
	total := 0.0
	for _, c := range h.cols {
		total += c.w
	}
	cells := 1.0
	for i, c := range h.cols {
		cells = max(cells, lines(h.row[i], 9.5, "", c.w/total*d.g.contentW()-2*1.2))
	}
	w := d.g.contentW()
	return 2 + 3 + 7*lines(h.title, 12.5, "B", w) + // Ln, subheading
		13.2 + 4.6*cells + // table header, its row, and the gap after it
		4.8*lines(h.about, 9.5, "", w) + 5*lines(h.line, 10, "", w) + 1
}

func labelled(label, v string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	return label + ": " + strings.TrimSpace(v)
}

func birthText(b records.Date) string {
	if b.IsZero() {
		return ""
	}
	return b.Human()
}

// keyGrid draws key images two to a row, each in a black box (as a viewer
// shows them) with its label below; a row never splits across pages.
func keyGrid(d *doc, p *packet, st records.Study, shown []records.Series) {
	const gap = 6.0
	g := d.g
	cellW := (g.contentW() - gap) / 2
	boxH, rowH := keyRow(g)
	cont := func() {
		d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
		d.text(secImaging+", continued: "+studyTitle(st), 9.5, 6, "B", 0)
		d.pdf.SetTextColor(inkText, inkText, inkText)
		d.pdf.Ln(1)
	}
	for i := 0; i < len(shown); i += 2 {
		d.room(rowH, cont)
		y := d.y()
		for j := i; j < min(i+2, len(shown)); j++ {
			x := g.left + float64(j-i)*(cellW+gap)
			keyCell(d, p, shown[j], x, y, cellW, boxH)
		}
		d.pdf.SetXY(g.left, y+rowH)
	}
}

// keyRow is the height of a key image's box and of a row of the grid:
// three rows fill a continuation page (its body, less a line saying which
// study continues).
func keyRow(g geometry) (boxH, rowH float64) {
	const capH = 9.6
	body := g.h - g.top - g.bottom - 8
	boxH = min(66, body/3-capH-4)
	return boxH, boxH + capH + 4
}

func keyCell(d *doc, p *packet, se records.Series, x, y, w, h float64) {
	pdf := d.pdf
	pdf.SetFillColor(0, 0, 0)
	pdf.Rect(x, y, w, h, "F")
	k := p.keys[se.ID]
	var info records.KeyImageInfo
	switch {
	case k != nil && k.problem != "":
		pdf.SetTextColor(255, 255, 255)
		pdf.SetFont(font, "", 9)
		lines := d.wrap(k.problem, w-8)
		ty := y + h/2 - float64(len(lines))*4.4/2
		for n, l := range lines {
			pdf.SetXY(x+4, ty+float64(n)*4.4)
			d.cell(w-8, 4.4, l, "", 0, "C", false, 0, "")
		}
		pdf.SetTextColor(inkText, inkText, inkText)
	case k != nil && len(k.jpg) > 0:
		info = k.info
		if d.measuring {
			break
		}
		iw, ih := float64(k.w), float64(k.h)
		scale := min(w/iw, h/ih)
		iw, ih = iw*scale, ih*scale
		name := "key-" + se.ID
		opt := gofpdf.ImageOptions{ImageType: "JPG"}
		if pdf.GetImageInfo(name) == nil {
			pdf.RegisterImageOptionsReader(name, opt, bytes.NewReader(k.jpg))
		}
		pdf.ImageOptions(name, x+(w-iw)/2, y+(h-ih)/2, iw, ih, false, opt, 0, "")
	}
	pdf.SetFont(font, "B", 9.5)
	pdf.SetXY(x, y+h+0.6)
	d.cell(w, 4.6, d.fit(joinNonEmpty("  ·  ", seriesName(se), se.Modality), w), "", 0, "L", false, 0, "")
	pdf.SetFont(font, "", 9)
	pdf.SetXY(x, y+h+5.2)
	count := plural(se.Images, "image", "images")
	if se.Frames > se.Images && se.Images == 1 {
		count = fmt.Sprintf("%d frames", se.Frames) // of one image
	}
	label := joinNonEmpty("  ·  ", count, keyLabel(se, info))
	d.cell(w, 4.4, d.fit(label, w), "", 0, "L", false, 0, "")
}

// studiesOf are the studies whose files document docID holds.
func studiesOf(p *packet, docID string) []records.Study {
	var out []records.Study
	for _, st := range p.studies {
		if st.DocumentID == docID {
			out = append(out, st)
		}
	}
	return out
}
