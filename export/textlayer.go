package export

import (
	"context"

	"secondopinion/records"
)

// The invisible text layer: photo pages and scanned PDF pages carry the
// words OCR read from them (records.Store.RunOCR), drawn in text rendering
// mode 3 (neither filled nor stroked) over the words in the picture. The
// page looks exactly as before; a reader searches, selects and copies the
// words, and pdftotext extracts them.

// ocrPages returns the read pages of a stored file, by page number
// (1-based); nil when none was read. An error reading them leaves the
// packet without the text layer, never without the page.
func ocrPages(ctx context.Context, s *records.Store, f records.File) map[int]records.PageText {
	pts, err := s.PageTexts(ctx, f.ID)
	if err != nil {
		return nil
	}
	var out map[int]records.PageText
	for _, pt := range pts {
		if pt.Status == records.OCRDone && len(pt.Words) > 0 && pt.Width > 0 && pt.Height > 0 {
			if out == nil {
				out = map[int]records.PageText{}
			}
			out[pt.Page] = pt
		}
	}
	return out
}

// drawTextLayer draws pt's words invisibly over the picture of the page,
// which fills the box x, y, w × h (mm, from the top left of the page). The
// words' boxes were measured on the upright page as OCR saw it; turn is
// the user's turn of the page since (clockwise degrees, 0, 90, 180 or
// 270), so each word is moved and drawn turned with the picture, reading
// down the page after a quarter turn as the picture's words do.
func drawTextLayer(d *doc, pt records.PageText, turn int, x, y, w, h float64) {
	if len(pt.Words) == 0 || pt.Width <= 0 || pt.Height <= 0 || w <= 0 || h <= 0 {
		return
	}
	q := ((turn/90)%4 + 4) % 4
	pw, ph := float64(pt.Width), float64(pt.Height)
	tw, th := pw, ph // the page's pixel size as drawn
	if q%2 == 1 {
		tw, th = ph, pw
	}
	sx, sy := w/tw, h/th
	along, across := sx, sy // mm per pixel along a word's line and across it
	if q%2 == 1 {
		along, across = sy, sx
	}
	pdf := d.pdf
	pdf.SetTextRenderingMode(3)
	defer pdf.SetTextRenderingMode(0)
	for _, wd := range pt.Words {
		if wd.W <= 0 || wd.H <= 0 || wd.Text == "" {
			continue
		}
		bw, bh := float64(wd.W)*along, float64(wd.H)*across
		// The font size that makes the word as wide as its box; kept near
		// what its height says, so a short word ("I", "1") does not get a
		// giant invisible glyph that selection would show.
		byHeight := bh / 0.7 * 72 / 25.4
		size := byHeight
		pdf.SetFont(font, "", 10)
		if sw := pdf.GetStringWidth(wd.Text); sw > 0 {
			size = min(max(10*bw/sw, byHeight/2), byHeight*2)
		}
		pdf.SetFont(font, "", size)
		// The baseline starts at about the bottom left of the box, above
		// descenders, on the upright page; then it turns with the page.
		ox, oy := float64(wd.X), float64(wd.Y)+float64(wd.H)*0.8
		switch q {
		case 1:
			ox, oy = ph-oy, ox
		case 2:
			ox, oy = pw-ox, ph-oy
		case 3:
			ox, oy = oy, pw-ox
		}
		tx, ty := x+ox*sx, y+oy*sy
		if q == 0 {
			pdf.Text(tx, ty, wd.Text)
			continue
		}
		pdf.TransformBegin()
		pdf.TransformRotate(float64(-90*q), tx, ty)
		pdf.Text(tx, ty, wd.Text)
		pdf.TransformEnd()
	}
}
