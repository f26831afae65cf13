package export

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/jung-kurt/gofpdf"

	"secondopinion/records"
	"secondopinion/records/sample"
)

// geometry is a page size with margins, in millimetres. The margins are
// wider than any home printer's unprintable edge (about 5 mm), and the
// footer sits 12 mm from the bottom edge, clear of it too.
type geometry struct {
	size          string // gofpdf's name
	w, h          float64
	left, right   float64
	top, bottom   float64
	bandH, footer float64
}

func geometryFor(p records.Paper) geometry {
	g := geometry{size: "A4", w: 210, h: 297, left: 18, right: 18, top: 16, bottom: 22, bandH: 13, footer: 12}
	if p == records.PaperLetter {
		g.size, g.w, g.h = "Letter", 215.9, 279.4
	}
	return g
}

func (g geometry) contentW() float64 { return g.w - g.left - g.right }

// footerBand is the strip at the foot of every sheet kept for the footer:
// nothing of a merged page is placed in it.
func (g geometry) footerBand() float64 { return g.footer + 5 }

// turned is the geometry of the same paper turned to landscape.
func (g geometry) turned() geometry {
	g.w, g.h = g.h, g.w
	return g
}

// imageArea is the room for a picture below a document's header band.
func (g geometry) imageArea() (float64, float64) {
	return g.contentW(), g.h - g.top - g.bandH - 3 - g.bottom
}

const (
	font = "dejavu"
	// Greys that survive a grayscale printer and a photocopy.
	inkText  = 0
	inkMuted = 70
	fillBand = 228
	fillHead = 215
	ruleGrey = 150
)

// doc wraps gofpdf with the packet's fonts, footer and text helpers. In a
// packet its pages are the packet's pages, one for one, out of total.
type doc struct {
	pdf    *gofpdf.Fpdf
	g      geometry
	footer string
	name   string // the patient's name in footer, shortened first when the footer is too long
	total  int
	// measuring: the pages are drawn only to count them (measureFront), so
	// pictures need not be embedded.
	measuring bool
	// spots are where each imaging study's block begins in the Imaging
	// section, by study ID, as drawFront draws it.
	spots map[string]spot
}

// spot is a place on a page of the packet: the page, and mm from its top.
type spot struct {
	page int
	y    float64
}

func newDoc(p *packet, footerName string) *doc {
	g := geometryFor(p.paper)
	pdf := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: g.size})
	pdf.SetMargins(g.left, g.top, g.right)
	pdf.SetAutoPageBreak(false, g.bottom)
	pdf.AddUTF8FontFromBytes(font, "", dejavusans.TTF)
	pdf.AddUTF8FontFromBytes(font, "B", dejavusansbold.TTF)
	pdf.SetCreator("Second Opinion", true)
	pdf.SetProducer("Second Opinion", true)
	pdf.SetCreationDate(p.prepared)
	pdf.SetModificationDate(p.prepared)
	pdf.SetCompression(true)
	d := &doc{pdf: pdf, g: g, footer: footerName, name: clean(p.person.FullName), spots: map[string]spot{}}
	pdf.SetFooterFunc(d.drawFooter)
	return d
}

// footerText is the line at the foot of every page of the packet.
func footerText(p *packet) string {
	dob := "date of birth not recorded"
	if !p.person.DateOfBirth.IsZero() {
		dob = "born " + p.person.DateOfBirth.Human()
	}
	text := p.person.FullName + "  ·  " + dob
	// Clinics match a patient on three identifiers: name, date of birth
	// and a number (NHS or hospital number), the first one recorded.
	for _, id := range p.person.Identifiers {
		if v := strings.TrimSpace(id.Value); v != "" {
			text += "  ·  " + joinNonEmpty(" ", strings.TrimSpace(id.Label), v)
			break
		}
	}
	if sample.IsSample(p.person) {
		// Every page of the sample person's packet says it is made up, so a
		// printed page is never taken for a real patient's.
		text = "SAMPLE - not a real patient  ·  " + text
	}
	return clean(text)
}

// clean makes text safe for gofpdf: it encodes only the Basic Multilingual
// Plane (an emoji would come out as garbage, or worse), so such characters
// become U+FFFD; control characters other than line breaks become spaces.
// Text is composed first (NFC): a Vietnamese "ễ" typed as "e" plus two
// combining accents would otherwise print as a letter with marks piled
// beside it, and wrap between them.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r > 0xFFFF:
			return '\uFFFD'
		case r == '\n':
			return r
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, records.NFC(s))
}

func (d *doc) pageLabel(n int) string {
	if d.total == 0 {
		return fmt.Sprintf("Page %d", n)
	}
	return fmt.Sprintf("Page %d of %d", n, d.total)
}

func (d *doc) drawFooter() {
	d.footerAt(d.pageLabel(d.pdf.PageNo()))
}

// sheet is the geometry of the page being drawn: the paper, turned when
// the page is landscape (a merged landscape page).
func (d *doc) sheet() geometry {
	if w, h := d.pdf.GetPageSize(); w > h {
		return d.g.turned()
	}
	return d.g
}

// footerAt draws the footer on a white strip across the foot of the page,
// so that it reads on a dark scan too: who the page is about on the left,
// label on the right. A footer too long for its room loses the end of the
// patient's name first (date of birth and number stay whole), then is cut.
func (d *doc) footerAt(label string) {
	pdf, g := d.pdf, d.sheet()
	y := g.h - g.footer
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(0, g.h-g.footerBand(), g.w, g.footerBand(), "F")
	pdf.SetDrawColor(ruleGrey, ruleGrey, ruleGrey)
	pdf.SetLineWidth(0.2)
	pdf.Line(g.left, y-4, g.w-g.right, y-4)
	pdf.SetFont(font, "", 8)
	pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	lw := pdf.GetStringWidth(label)
	room := g.contentW() - lw - 4
	pdf.SetXY(g.left, y-3)
	d.cell(room, 5, d.footerFit(room), "", 0, "L", false, 0, "")
	pdf.SetXY(g.w-g.right-lw, y-3)
	d.cell(lw, 5, label, "", 0, "R", false, 0, "")
	pdf.SetTextColor(inkText, inkText, inkText)
}

// footerFit is the footer text shortened to w mm at the current font.
func (d *doc) footerFit(w float64) string {
	text := clean(d.footer)
	if d.pdf.GetStringWidth(text) <= w {
		return text
	}
	if d.name != "" {
		if i := strings.Index(text, d.name); i >= 0 {
			rest := d.pdf.GetStringWidth(text) - d.pdf.GetStringWidth(d.name)
			if nw := w - rest; nw >= 15 {
				return text[:i] + d.fit(d.name, nw) + text[i+len(d.name):]
			}
		}
	}
	return d.fit(text, w)
}

// cell is gofpdf's CellFormat with the text made safe (see clean). Every
// piece of text we draw goes through it.
func (d *doc) cell(w, h float64, txt, border string, ln int, align string, fill bool, link int, linkStr string) {
	d.pdf.CellFormat(w, h, clean(txt), border, ln, align, fill, link, linkStr)
}

// newPage starts a page and puts the cursor at the top margin.
func (d *doc) newPage() {
	d.pdf.AddPage()
	d.pdf.SetXY(d.g.left, d.g.top)
}

func (d *doc) y() float64 { return d.pdf.GetY() }

// bottom is the lowest y text may reach.
func (d *doc) bottom() float64 { return d.g.h - d.g.bottom }

// room makes sure h millimetres fit below the cursor, starting a new page
// (with the optional continuation heading) when they do not.
func (d *doc) room(h float64, cont func()) bool {
	if d.y()+h <= d.bottom() {
		return false
	}
	d.newPage()
	if cont != nil {
		cont()
	}
	return true
}

// wrap breaks text into lines no wider than w at the current font,
// breaking at spaces, and inside a word only when it alone is too wide.
func (d *doc) wrap(text string, w float64) []string {
	text = clean(text)
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		line := ""
		for _, word := range words {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if d.pdf.GetStringWidth(try) <= w {
				line = try
				continue
			}
			if line != "" {
				out = append(out, line)
			}
			// A word wider than the column is cut where it must be.
			for d.pdf.GetStringWidth(word) > w {
				r := []rune(word)
				n := len(r)
				for n > 1 && d.pdf.GetStringWidth(string(r[:n])) > w {
					n--
				}
				out = append(out, string(r[:n]))
				word = string(r[n:])
			}
			line = word
		}
		out = append(out, line)
	}
	return out
}

// text writes wrapped text at the cursor across width w (0 = the whole
// content width), continuing on a new page when needed.
func (d *doc) text(s string, size, lh float64, style string, w float64) {
	if w == 0 {
		w = d.g.contentW()
	}
	x := d.pdf.GetX()
	d.pdf.SetFont(font, style, size)
	for _, line := range d.wrap(s, w) {
		if d.room(lh, nil) {
			d.pdf.SetFont(font, style, size)
		}
		d.pdf.SetX(x)
		d.cell(w, lh, line, "", 2, "L", false, 0, "")
	}
	d.pdf.SetX(x)
}

// heading starts a section title.
func (d *doc) heading(s string) {
	d.pdf.SetFont(font, "B", 18)
	d.pdf.SetX(d.g.left)
	d.cell(d.g.contentW(), 10, s, "", 2, "L", false, 0, "")
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetLineWidth(0.5)
	d.pdf.Line(d.g.left, d.y()+1, d.g.w-d.g.right, d.y()+1)
	d.pdf.Ln(5)
}

// subheading is a title inside a section, kept with at least two lines
// of what follows. A long title (one with a long name in it) wraps.
func (d *doc) subheading(s string) {
	d.pdf.SetFont(font, "B", 12.5)
	lines := d.wrap(s, d.g.contentW())
	d.room(7*float64(len(lines))+12, nil)
	d.pdf.Ln(2)
	d.pdf.SetFont(font, "B", 12.5)
	for _, l := range lines {
		d.pdf.SetX(d.g.left)
		d.cell(d.g.contentW(), 7, l, "", 2, "L", false, 0, "")
	}
	d.pdf.Ln(1)
}

// field writes "Label   value" with the value wrapped beside the label.
func (d *doc) field(label, value string, labelW float64) {
	if strings.TrimSpace(value) == "" {
		return
	}
	d.pdf.SetFont(font, "", 11)
	lines := d.wrap(value, d.g.contentW()-labelW)
	d.room(float64(len(lines))*5.6, nil)
	y := d.y()
	d.pdf.SetXY(d.g.left, y)
	d.pdf.SetFont(font, "B", 10)
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.cell(labelW, 5.6, label, "", 0, "L", false, 0, "")
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.SetFont(font, "", 11)
	for i, line := range lines {
		d.pdf.SetXY(d.g.left+labelW, y+float64(i)*5.6)
		d.cell(d.g.contentW()-labelW, 5.6, line, "", 0, "L", false, 0, "")
	}
	d.pdf.SetXY(d.g.left, y+float64(len(lines))*5.6+0.8)
}

// col is one column of a table; w is a share of the content width.
type col struct {
	title string
	w     float64
	align string
}

// table draws rows with a grey header row, wrapping each cell, repeating
// the header on every page the table spans and never splitting a row.
func (d *doc) table(cols []col, rows [][]string) { d.linkedTable(cols, rows, nil) }

// linkedTable is table with row i a link to links[i] (a gofpdf link; 0 or
// missing: none), so a reader on screen can go to what the row names.
func (d *doc) linkedTable(cols []col, rows [][]string, links []int) {
	total := 0.0
	for _, c := range cols {
		total += c.w
	}
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = c.w / total * d.g.contentW()
	}
	const size, lh, pad = 9.5, 4.6, 1.2
	header := func() {
		d.pdf.SetFont(font, "B", 9)
		d.pdf.SetFillColor(fillHead, fillHead, fillHead)
		d.pdf.SetDrawColor(ruleGrey, ruleGrey, ruleGrey)
		d.pdf.SetLineWidth(0.2)
		hl := 0
		cells := make([][]string, len(cols))
		for i, c := range cols {
			cells[i] = d.wrap(c.title, widths[i]-2*pad)
			hl = max(hl, len(cells[i]))
		}
		h := float64(hl)*4.4 + 2*pad
		x, y := d.g.left, d.y()
		for i := range cols {
			d.pdf.Rect(x, y, widths[i], h, "FD")
			for j, line := range cells[i] {
				d.pdf.SetXY(x+pad, y+pad+float64(j)*4.4)
				d.cell(widths[i]-2*pad, 4.4, line, "", 0, "L", false, 0, "")
			}
			x += widths[i]
		}
		d.pdf.SetXY(d.g.left, y+h)
	}
	d.room(20, nil)
	header()
	for r, row := range rows {
		d.pdf.SetFont(font, "", size)
		cells := make([][]string, len(cols))
		n := 1
		for i := range cols {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			cells[i] = d.wrap(v, widths[i]-2*pad)
			n = max(n, len(cells[i]))
		}
		h := float64(n)*lh + 2*pad
		if d.room(h, header) {
			d.pdf.SetFont(font, "", size)
		}
		x, y := d.g.left, d.y()
		d.pdf.SetDrawColor(ruleGrey, ruleGrey, ruleGrey)
		for i, c := range cols {
			d.pdf.Rect(x, y, widths[i], h, "D")
			for j, line := range cells[i] {
				d.pdf.SetXY(x+pad, y+pad+float64(j)*lh)
				d.cell(widths[i]-2*pad, lh, line, "", 0, c.align, false, 0, "")
			}
			x += widths[i]
		}
		if r < len(links) && links[r] != 0 {
			d.pdf.Link(d.g.left, y, d.g.contentW(), h, links[r])
		}
		d.pdf.SetXY(d.g.left, y+h)
	}
	d.pdf.Ln(3)
}

// linkTo is a link to the top of packet page n (our pages are numbered as
// the packet's), or 0 while page numbers are not known yet.
func (d *doc) linkTo(n int) int {
	if n <= 0 || d.total == 0 {
		return 0
	}
	id := d.pdf.AddLink()
	d.pdf.SetLink(id, 0, n)
	return id
}

// linkToSpot is linkTo a place on a page rather than the page's top.
func (d *doc) linkToSpot(sp spot) int {
	if sp.page <= 0 || d.total == 0 {
		return 0
	}
	id := d.pdf.AddLink()
	d.pdf.SetLink(id, sp.y, sp.page)
	return id
}

// ruled draws n lines to write on by hand.
func (d *doc) ruled(n int, gap float64) {
	d.pdf.SetDrawColor(ruleGrey, ruleGrey, ruleGrey)
	d.pdf.SetLineWidth(0.25)
	for range n {
		d.pdf.Ln(gap)
		y := d.y()
		d.pdf.Line(d.g.left+8, y, d.g.w-d.g.right, y)
	}
	d.pdf.Ln(3)
}

// band draws a document's header band at the top of a page: bold first
// line, smaller second line.
func (d *doc) band(first, second string) {
	g := d.sheet()
	d.pdf.SetFillColor(fillBand, fillBand, fillBand)
	d.pdf.Rect(g.left, g.top, g.contentW(), g.bandH, "F")
	d.pdf.SetFillColor(0, 0, 0)
	d.pdf.Rect(g.left, g.top, 1.5, g.bandH, "F")
	d.pdf.SetFont(font, "B", 10.5)
	d.pdf.SetXY(g.left+4, g.top+1.5)
	d.cell(g.contentW()-6, 5, d.fit(first, g.contentW()-6), "", 0, "L", false, 0, "")
	d.pdf.SetFont(font, "", 9)
	d.pdf.SetXY(g.left+4, g.top+6.8)
	d.cell(g.contentW()-6, 4.5, d.fit(second, g.contentW()-6), "", 0, "L", false, 0, "")
	d.pdf.SetXY(g.left, g.top+g.bandH+3)
}

// fit shortens s with an ellipsis to fit w at the current font.
func (d *doc) fit(s string, w float64) string {
	s = clean(s)
	if d.pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && d.pdf.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + "…"
}

// output finishes the document into bytes, turning gofpdf's sticky error
// into an error.
func (d *doc) output() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}
