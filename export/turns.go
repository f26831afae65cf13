package export

import (
	"bytes"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"secondopinion/records"
)

// The user's fixes to a document's pages (issue #14) are settings of the
// document, never changes to the stored file: a page turned, a page left
// out, one page of a PDF moved into another document. The packet applies
// them to its own prepared copy of the file: pages are turned by adding to
// their /Rotate (clockwise, as the user's turn), so placePage stands them
// upright the new way, and a PDF keeps only the pages the document shows,
// in their order. Photos are turned with their EXIF orientation (see
// turnedOrientation).

// applySettings turns and selects the pages of a prepared PDF as its
// document shows them (f.Turns, f.Shown), returning the new PDF and its
// page count.
func applySettings(data []byte, f records.File) (out []byte, pages int, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, pages, err = nil, 0, fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	ctx, err := readPDF(data)
	if err != nil {
		return nil, 0, err
	}
	for page, turn := range f.Turns {
		if page < 1 || page > ctx.PageCount || turn%360 == 0 {
			continue
		}
		if err := pdfcpu.RotatePages(ctx, types.IntSet{page: true}, turn); err != nil {
			return nil, 0, fmt.Errorf("turn page %d: %w", page, err)
		}
	}
	shown := f.Shown()
	for _, p := range shown {
		if p < 1 || p > ctx.PageCount {
			return nil, 0, fmt.Errorf("page %d of %d pages", p, ctx.PageCount)
		}
	}
	if len(shown) != ctx.PageCount {
		if ctx, err = pdfcpu.ExtractPages(ctx, shown, false); err != nil {
			return nil, 0, fmt.Errorf("keep pages %v: %w", shown, err)
		}
	}
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), len(shown), nil
}

// turnedOrientation is the EXIF orientation (1-8) of a photo stored with
// orientation o (0 or 1: upright) and then turned clockwise by the user.
func turnedOrientation(o, turn int) int {
	turn = ((turn % 360) + 360) % 360
	if o < 1 || o > 8 {
		o = 1
	}
	// Each EXIF orientation as (quarter turns clockwise, mirrored) applied
	// to the stored picture to stand it upright: 1 none, 2 mirror,
	// 3 half turn, 4 mirror + half turn, 5 mirror + quarter left... The
	// user's turn adds quarter turns after that.
	type op struct{ cw, mirror int }
	ops := map[int]op{1: {0, 0}, 2: {0, 1}, 3: {2, 0}, 4: {2, 1}, 5: {3, 1}, 6: {1, 0}, 7: {1, 1}, 8: {3, 0}}
	cur := ops[o]
	want := op{(cur.cw + turn/90) % 4, cur.mirror}
	for k, v := range ops {
		if v == want {
			return k
		}
	}
	return o
}
