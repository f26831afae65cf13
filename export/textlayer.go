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
// which fills the box x, y, w × h (mm, from the top left of the page) and
// is upright, as the words' boxes are.
func drawTextLayer(d *doc, pt records.PageText, x, y, w, h float64) {
	if len(pt.Words) == 0 || pt.Width <= 0 || pt.Height <= 0 || w <= 0 || h <= 0 {
		return
	}
	sx, sy := w/float64(pt.Width), h/float64(pt.Height)
	pdf := d.pdf
	pdf.SetTextRenderingMode(3)
	defer pdf.SetTextRenderingMode(0)
	for _, wd := range pt.Words {
		if wd.W <= 0 || wd.H <= 0 || wd.Text == "" {
			continue
		}
		bw, bh := float64(wd.W)*sx, float64(wd.H)*sy
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
		// The baseline: at about the bottom of the box, above descenders.
		pdf.Text(x+float64(wd.X)*sx, y+float64(wd.Y)*sy+bh*0.8, wd.Text)
	}
}
