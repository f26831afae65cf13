package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/jung-kurt/gofpdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"secondopinion/records/media"
)

var pdfcpuSetup sync.Once

// setupPDFCPU tells pdfcpu, once and before any goroutine uses it, not to
// read or create a configuration folder. api.DisableConfigDir writes a
// package variable every pdfcpu call reads, and records/media calls it
// lazily behind its own sync.Once on first use; running that first use
// here, on the exporting goroutine, keeps the write from racing with our
// worker goroutines' reads.
func setupPDFCPU() {
	pdfcpuSetup.Do(func() {
		api.DisableConfigDir()
		media.PreparePDF(context.Background(), bytes.NewReader(scratch()), io.Discard)
	})
}

// mergeConf is a fresh pdfcpu configuration for merging (pdfcpu changes
// the configuration it is given, so each use gets its own).
func mergeConf() *model.Configuration {
	conf := model.NewDefaultConfiguration()
	conf.Cmd = model.MERGECREATE
	conf.ValidationMode = model.ValidationRelaxed
	conf.CreateBookmarks = false
	return conf
}

// readPDF reads PDF bytes into a pdfcpu context, turning pdfcpu's panics
// on hostile input into errors.
func readPDF(data []byte) (ctx *model.Context, err error) {
	defer func() {
		if p := recover(); p != nil {
			ctx, err = nil, fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	return api.ReadAndValidate(bytes.NewReader(data), mergeConf())
}

func merge(src, dest *model.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	if src.XRefTable.Version() == model.V20 {
		return errors.New("PDF 2.0 source")
	}
	return pdfcpu.MergeXRefTables("", src, dest, false, false)
}

var (
	scratchOnce sync.Once
	scratchPDF  []byte
)

// scratch is a one-page blank PDF.
func scratch() []byte {
	scratchOnce.Do(func() {
		pdf := gofpdf.New("P", "mm", "A4", "")
		pdf.AddPage()
		var buf bytes.Buffer
		if err := pdf.Output(&buf); err == nil {
			scratchPDF = buf.Bytes()
		}
	})
	return scratchPDF
}

// trialMerge merges a prepared PDF into a one-page scratch document, the
// same operation the packet does, so a PDF that reads well but cannot be
// merged is found by the readiness check and not half-way through export.
// It returns the size of each page as seen (its visible box after its
// /Rotate), in points, for placing the pages on the packet's paper.
func trialMerge(ctx context.Context, data []byte) ([][2]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dest, err := readPDF(scratch())
	if err != nil {
		return nil, err
	}
	src, err := readPDF(data)
	if err != nil {
		return nil, err
	}
	sizes, err := pageSizes(src)
	if err != nil {
		return nil, err
	}
	if err := checkContents(src); err != nil {
		return nil, err
	}
	return sizes, merge(src, dest)
}

// checkContents reads the content of every page made of several content
// streams, as placing it in the packet will (pageForm joins them), so a
// page that cannot be read is found by the readiness check.
func checkContents(ctx *model.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	pages, err := flatPages(ctx)
	if err != nil {
		return err
	}
	for i, ref := range pages {
		d, err := ctx.DereferenceDict(ref)
		if err != nil || d == nil {
			return fmt.Errorf("page %d: %v", i+1, err)
		}
		o, ok := d.Find("Contents")
		if !ok || o == nil {
			continue
		}
		if _, err := ctx.DereferenceArray(o); err != nil {
			continue // one stream: placed as it is, never decoded
		}
		if _, err := ctx.PageContent(d, i+1); err != nil && !errors.Is(err, model.ErrNoContent) {
			return fmt.Errorf("page %d content: %w", i+1, err)
		}
	}
	return nil
}

// pageSizes is the seen size of every page of ctx, in points.
func pageSizes(ctx *model.Context) (sizes [][2]float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			sizes, err = nil, fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	pbs, err := ctx.PageBoundaries(nil)
	if err != nil {
		return nil, err
	}
	sizes = make([][2]float64, len(pbs))
	for i, pb := range pbs {
		r := pb.CropBox()
		if r == nil {
			return nil, fmt.Errorf("page %d has no size", i+1)
		}
		w, h := r.Width(), r.Height()
		if w < 0 {
			w = -w
		}
		if h < 0 {
			h = -h
		}
		if pb.Rot%180 != 0 {
			w, h = h, w
		}
		sizes[i] = [2]float64{w, h}
	}
	return sizes, nil
}

// assemble merges the prepared PDFs into our pages and returns the packet,
// ready to be written. Our PDF has every page of the packet; for a merged page it is the
// sheet (footer, and band on a document's first page) that the sender's
// page is scaled onto. Each merged page keeps its own page object (so its
// links, form fields and bookmarks still point at it) and takes the
// sheet's size, drawing and resources; the sheets' own page objects go.
func assemble(ctx context.Context, ours []byte, p *packet, pl *plan, prog *progress) (*model.Context, error) {
	dest, err := readPDF(ours)
	if err != nil {
		return nil, fmt.Errorf("read our pages: %w", err)
	}
	dest.EnsureVersionForWriting()
	if dest.PageCount != pl.total {
		return nil, fmt.Errorf("our pages: %d, planned %d", dest.PageCount, pl.total)
	}
	// Each document's own bookmarks, by packet page.
	own := make([][]pdfcpu.Bookmark, len(pl.docs))
	m := 0
	for _, pt := range pl.pdfParts {
		if err := ctx.Err(); err != nil {
			return nil, stopped(err)
		}
		src, err := readPDF(pt.pdf)
		var bms []pdfcpu.Bookmark
		if err == nil {
			bms = sourceBookmarks(src, pl.merged[m:m+pt.pages])
			err = merge(src, dest)
		}
		if err != nil {
			// The readiness check merged this very file; failing here
			// means something changed under us. Name the document.
			return nil, damagedPDF(pt.file, err)
		}
		doc := pl.place[m].doc
		own[doc] = append(own[doc], bms...)
		m += pt.pages
		pt.pdf = nil // the merged context holds it now
		prog.step(1)
	}
	if want := pl.total + len(pl.merged); dest.PageCount != want {
		return nil, fmt.Errorf("packet has %d pages, planned %d", dest.PageCount, want)
	}
	if err := ctx.Err(); err != nil {
		return nil, stopped(err)
	}
	if err := placePages(dest, pl); err != nil {
		return nil, fmt.Errorf("place pages: %w", err)
	}
	// Each source was cleaned when it was prepared; cleaning the packet
	// as a whole catches whatever the merge carried over from a source's
	// catalog (its name trees, its form dictionary). Our own open action
	// and bookmarks are added after this.
	if _, _, err := sanitize(dest); err != nil {
		return nil, fmt.Errorf("clean packet: %w", err)
	}
	pl.own = own
	if err := pdfcpu.AddBookmarks(dest, bookmarks(pl), true); err != nil {
		return nil, fmt.Errorf("bookmarks: %w", err)
	}
	if err := openAtCover(dest); err != nil {
		return nil, fmt.Errorf("open action: %w", err)
	}
	prog.step(1)
	if err := ctx.Err(); err != nil {
		return nil, stopped(err)
	}
	return dest, nil
}

// sourceBookmarks are a merged PDF's own bookmarks, their pages turned
// into packet pages (pages[k] is the packet page of its page k+1). A
// bookmark that goes nowhere (real files have them) is left out and its
// own bookmarks take its place; an outline that cannot be read at all is
// left out, never the document.
func sourceBookmarks(src *model.Context, pages []int) (bms []pdfcpu.Bookmark) {
	defer func() {
		if p := recover(); p != nil {
			bms = nil
		}
	}()
	root, err := src.Catalog()
	if err != nil {
		return nil
	}
	outlines, err := src.DereferenceDict(root["Outlines"])
	if err != nil || outlines == nil {
		return nil
	}
	seen := map[int]bool{}
	return renumber(outlineItems(src, outlines["First"], seen, 0), pages, 0, 0)
}

// outlineItems reads a chain of outline items (First, then Next...).
func outlineItems(ctx *model.Context, first types.Object, seen map[int]bool, depth int) []pdfcpu.Bookmark {
	if depth > 16 {
		return nil
	}
	var out []pdfcpu.Bookmark
	for o := first; o != nil; {
		ref, ok := o.(types.IndirectRef)
		if !ok || seen[ref.ObjectNumber.Value()] || len(seen) > 10000 {
			break
		}
		seen[ref.ObjectNumber.Value()] = true
		d, err := ctx.DereferenceDict(ref)
		if err != nil || d == nil {
			break
		}
		kids := outlineItems(ctx, d["First"], seen, depth+1)
		title := ""
		if t, err := ctx.Dereference(d["Title"]); err == nil && t != nil {
			title, _ = model.Text(t)
		}
		title = strings.TrimSpace(title)
		page := outlinePage(ctx, d)
		if title == "" || page < 1 {
			out = append(out, kids...)
		} else {
			out = append(out, pdfcpu.Bookmark{Title: title, PageFrom: page, Kids: kids})
		}
		o = d["Next"]
	}
	return out
}

// outlinePage is the page an outline item goes to, 0 when none.
func outlinePage(ctx *model.Context, d types.Dict) int {
	dest := d["Dest"]
	if dest == nil {
		a, err := ctx.DereferenceDict(d["A"])
		if err != nil || a == nil {
			return 0
		}
		if s := a.NameEntry("S"); s == nil || *s != "GoTo" {
			return 0
		}
		dest = a["D"]
	}
	obj, err := ctx.Dereference(dest)
	if err != nil || obj == nil {
		return 0
	}
	n, err := pdfcpu.PageNrFromDestination(ctx, obj)
	if err != nil {
		return 0
	}
	return n
}

// renumber maps bookmarks to packet pages, dropping those whose page is
// not known and keeping each level in page order, as pdfcpu requires.
func renumber(bms []pdfcpu.Bookmark, pages []int, parent, depth int) []pdfcpu.Bookmark {
	if depth > 16 {
		return nil
	}
	var out []pdfcpu.Bookmark
	last := parent
	for _, bm := range bms {
		if bm.PageFrom < 1 || bm.PageFrom > len(pages) {
			continue
		}
		pg := pages[bm.PageFrom-1]
		if pg < last {
			continue
		}
		last = pg
		out = append(out, pdfcpu.Bookmark{Title: bm.Title, PageFrom: pg, Bold: bm.Bold, Italic: bm.Italic,
			Kids: renumber(bm.Kids, pages, pg, depth+1)})
	}
	return out
}

// inheritable are the page attributes a page may take from the page tree
// above it (PDF 32000-1, 7.7.3.4).
var inheritable = []string{"Resources", "MediaBox", "CropBox", "Rotate"}

// flatPages lists every page of ctx in order, first giving each page the
// attributes it inherited from the tree above it, so that it keeps its
// size, rotation and fonts when the tree is replaced.
func flatPages(ctx *model.Context) ([]types.IndirectRef, error) {
	rootRef, err := ctx.Pages()
	if err != nil {
		return nil, err
	}
	var pages []types.IndirectRef
	var walk func(ref types.IndirectRef, inh map[string]types.Object, depth int) error
	walk = func(ref types.IndirectRef, inh map[string]types.Object, depth int) error {
		if depth > 64 {
			return errors.New("page tree too deep")
		}
		d, err := ctx.DereferenceDict(ref)
		if err != nil || d == nil {
			return fmt.Errorf("page tree node %v: %v", ref, err)
		}
		here := make(map[string]types.Object, len(inheritable))
		for k, v := range inh {
			here[k] = v
		}
		for _, k := range inheritable {
			if v, ok := d.Find(k); ok && v != nil {
				here[k] = v
			}
		}
		kids, hasKids := d.Find("Kids")
		if !hasKids {
			for k, v := range here {
				if _, ok := d.Find(k); !ok {
					d[k] = v
				}
			}
			pages = append(pages, ref)
			return nil
		}
		arr, err := ctx.DereferenceArray(kids)
		if err != nil {
			return err
		}
		for _, kid := range arr {
			kr, ok := kid.(types.IndirectRef)
			if !ok {
				return errors.New("page tree kid is not a reference")
			}
			if err := walk(kr, here, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(*rootRef, nil, 0); err != nil {
		return nil, err
	}
	return pages, nil
}

// placePages puts every merged page on its sheet and makes the page tree
// the packet's pages in order: our pages, and in place of each sheet the
// merged page now drawn on it.
func placePages(ctx *model.Context, pl *plan) error {
	rootRef, err := ctx.Pages()
	if err != nil {
		return err
	}
	all, err := flatPages(ctx)
	if err != nil {
		return err
	}
	if len(all) != pl.total+len(pl.merged) {
		return fmt.Errorf("found %d pages, planned %d", len(all), pl.total+len(pl.merged))
	}
	final := append([]types.IndirectRef(nil), all[:pl.total]...)
	moved := make(map[int]types.IndirectRef, len(pl.merged)) // sheet object -> merged page
	for j, pg := range pl.merged {
		sheet, page := all[pg-1], all[pl.total+j]
		if err := placePage(ctx, sheet, page, j, pl.place[j]); err != nil {
			return fmt.Errorf("page %d: %w", pg, err)
		}
		final[pg-1] = page
		moved[sheet.ObjectNumber.Value()] = page
	}
	// Our links (the contents) point at the sheets; point them at the
	// pages that replace them.
	for _, ref := range final {
		if err := retarget(ctx, ref, moved); err != nil {
			return err
		}
	}
	root, err := ctx.DereferenceDict(*rootRef)
	if err != nil {
		return err
	}
	kids := make(types.Array, 0, len(final))
	for _, ref := range final {
		d, err := ctx.DereferenceDict(ref)
		if err != nil {
			return err
		}
		d["Parent"] = *rootRef
		kids = append(kids, ref)
	}
	for _, k := range inheritable {
		delete(root, k)
	}
	root["Kids"] = kids
	root["Count"] = types.Integer(len(kids))
	for obj := range moved {
		if err := ctx.FreeObject(obj); err != nil {
			return err
		}
	}
	return nil
}

// placePage draws merged page pageRef, scaled and turned upright, into
// the white part of sheetRef, and gives it the sheet's paper, drawing and
// resources. The sender's page becomes a form XObject (its own resources
// stay its own, so no name can clash with ours, and any graphics state it
// leaves behind ends with it) drawn under our footer and band. Its
// annotations move and shrink with it; the boxes that no longer mean
// anything (CropBox, TrimBox...) and its /Rotate go.
func placePage(ctx *model.Context, sheetRef, pageRef types.IndirectRef, j int, pc placement) error {
	sheet, err := ctx.DereferenceDict(sheetRef)
	if err != nil || sheet == nil {
		return fmt.Errorf("sheet: %v", err)
	}
	page, err := ctx.DereferenceDict(pageRef)
	if err != nil || page == nil {
		return fmt.Errorf("merged page: %v", err)
	}
	box, err := visibleBox(ctx, page)
	if err != nil {
		return err
	}
	rot := 0
	if o, ok := page.Find("Rotate"); ok {
		if n, err := ctx.DereferenceInteger(o); err == nil && n != nil {
			rot = ((n.Value() % 360) + 360) % 360
		}
	}
	paper, err := visibleBox(ctx, sheet)
	if err != nil {
		return err
	}
	// The placement is in mm from the sheet's top left; PDF space is in
	// points from its bottom left.
	top := paper[3]
	target := [4]float64{paper[0] + pc.x*ptPerMM, top - (pc.y+pc.h)*ptPerMM, paper[0] + (pc.x+pc.w)*ptPerMM, top - pc.y*ptPerMM}
	mtx := fitMatrix(box, rot, target)

	form, err := pageForm(ctx, page, j+1)
	if err != nil {
		return err
	}
	form.Dict["Type"] = types.Name("XObject")
	form.Dict["Subtype"] = types.Name("Form")
	form.Dict["BBox"] = types.NewNumberArray(box[0], box[1], box[2], box[3])
	if o, ok := page.Find("Resources"); ok && o != nil {
		form.Dict["Resources"] = o
	} else {
		form.Dict["Resources"] = types.Dict{}
	}
	if o, ok := page.Find("Group"); ok && o != nil {
		form.Dict["Group"] = o // transparency group: blending as the sender meant
	}
	formRef, err := ctx.IndRefForNewObject(*form)
	if err != nil {
		return err
	}
	draw, err := newStream(ctx, fmt.Appendf(nil, "q %.5f %.5f %.5f %.5f %.4f %.4f cm /%s Do Q\n",
		mtx[0], mtx[1], mtx[2], mtx[3], mtx[4], mtx[5], pageFormID))
	if err != nil {
		return err
	}

	// The sheet's resources, copied (gofpdf shares one dictionary between
	// all its pages), with the sender's page added as a form.
	res := types.Dict{}
	if o, ok := sheet.Find("Resources"); ok && o != nil {
		old, err := ctx.DereferenceDict(o)
		if err != nil {
			return err
		}
		for k, v := range old {
			res[k] = v
		}
	}
	xobj := types.Dict{}
	if o, ok := res.Find("XObject"); ok && o != nil {
		old, err := ctx.DereferenceDict(o)
		if err != nil {
			return err
		}
		for k, v := range old {
			xobj[k] = v
		}
	}
	xobj[pageFormID] = *formRef
	res["XObject"] = xobj

	contents := types.Array{*draw}
	if o, ok := sheet.Find("Contents"); ok && o != nil {
		if arr, err := ctx.DereferenceArray(o); err == nil && arr != nil {
			contents = append(contents, arr...)
		} else {
			contents = append(contents, o)
		}
	}
	if err := moveAnnots(ctx, page, pageRef, mtx, rot); err != nil {
		return err
	}
	for _, k := range []string{"CropBox", "BleedBox", "TrimBox", "ArtBox", "Rotate", "Group", "UserUnit", "VP", "Thumb", "PieceInfo", "SeparationInfo", "B"} {
		delete(page, k)
	}
	page["MediaBox"] = types.NewNumberArray(paper[0], paper[1], paper[2], paper[3])
	page["Resources"] = res
	page["Contents"] = contents
	return nil
}

// pageForm is a stream holding page's content, to become the form
// XObject the page is drawn through. A page with one content stream (most)
// lends its encoded bytes as they are; several streams are decoded (within
// pdfcpu's limit) and joined.
func pageForm(ctx *model.Context, page types.Dict, nr int) (*types.StreamDict, error) {
	o, ok := page.Find("Contents")
	if !ok || o == nil {
		return ctx.NewStreamDictForBuf(nil)
	}
	if sd, _, err := ctx.DereferenceStreamDict(o); err == nil && sd != nil && sd.Raw != nil {
		form := *sd
		form.Dict = types.Dict{}
		for _, k := range []string{"Filter", "DecodeParms"} {
			if v, ok := sd.Dict.Find(k); ok {
				form.Dict[k] = v
			}
		}
		n := int64(len(sd.Raw))
		form.StreamLength = &n
		form.Dict["Length"] = types.Integer(n)
		return &form, nil
	}
	content, err := ctx.PageContent(page, nr)
	if err != nil && !errors.Is(err, model.ErrNoContent) {
		return nil, fmt.Errorf("content: %w", err)
	}
	form, err := ctx.NewStreamDictForBuf(content)
	if err != nil {
		return nil, err
	}
	if err := form.Encode(); err != nil {
		return nil, err
	}
	return form, nil
}

// pageFormID names the sender's page in a placed page's resources.
const pageFormID = "SOPage"

// fitMatrix maps a page's user space so that its visible box, turned
// upright by its /Rotate (clockwise, in degrees), fills target exactly.
// Matrix order is PDF's [a b c d e f]: x' = a·x + c·y + e, y' = b·x + d·y + f.
func fitMatrix(box [4]float64, rot int, target [4]float64) [6]float64 {
	llx, lly, urx, ury := box[0], box[1], box[2], box[3]
	bw, bh := urx-llx, ury-lly
	sw, sh := bw, bh // size as seen
	if rot == 90 || rot == 270 {
		sw, sh = bh, bw
	}
	s := 1.0
	if sw > 0 && sh > 0 {
		s = min((target[2]-target[0])/sw, (target[3]-target[1])/sh)
	}
	tx, ty := target[0], target[1]
	switch rot {
	case 90: // the left edge is seen at the top
		return [6]float64{0, -s, s, 0, tx - s*lly, ty + s*urx}
	case 180:
		return [6]float64{-s, 0, 0, -s, tx + s*urx, ty + s*ury}
	case 270: // the left edge is seen at the bottom
		return [6]float64{0, s, -s, 0, tx + s*ury, ty - s*llx}
	}
	return [6]float64{s, 0, 0, s, tx - s*llx, ty - s*lly}
}

// visited reports whether o is a reference to an object already in seen,
// and adds it otherwise: walks through a PDF's objects use it to take each
// shared object once and not to loop on a cycle. A direct object is never
// visited (it cannot be shared).
func visited(seen map[int]bool, o types.Object) bool {
	ref, ok := o.(types.IndirectRef)
	if !ok {
		return false
	}
	n := ref.ObjectNumber.Value()
	if seen[n] {
		return true
	}
	seen[n] = true
	return false
}

// apply maps point (x, y) by m.
func apply(m [6]float64, x, y float64) (float64, float64) {
	return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]
}

// moveAnnots moves a placed page's annotations with its content: each
// rectangle (and the quadrilaterals of links and highlights) is mapped by
// m, so a link is still over its words and a form field over its box. On
// a page that was turned (/Rotate rot), viewers turned its annotations
// with it; now the content itself is turned, so each appearance is turned
// by its /Matrix, and a form field's /MK /R tells viewers that redraw it.
func moveAnnots(ctx *model.Context, page types.Dict, pageRef types.IndirectRef, m [6]float64, rot int) error {
	arr, err := ctx.DereferenceArray(page["Annots"])
	if err != nil {
		return err
	}
	seen := map[int]bool{}
	turned := map[int]bool{}
	for _, a := range arr {
		if visited(seen, a) {
			continue
		}
		d, err := ctx.DereferenceDict(a)
		if err != nil || d == nil {
			continue
		}
		if r, ok := numbers(ctx, d["Rect"]); ok && len(r) == 4 {
			x0, y0 := apply(m, r[0], r[1])
			x1, y1 := apply(m, r[2], r[3])
			d["Rect"] = types.NewNumberArray(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
		}
		if q, ok := numbers(ctx, d["QuadPoints"]); ok && len(q)%2 == 0 {
			for i := 0; i < len(q); i += 2 {
				q[i], q[i+1] = apply(m, q[i], q[i+1])
			}
			d["QuadPoints"] = types.NewNumberArray(q...)
		}
		if _, ok := d.Find("P"); ok {
			d["P"] = pageRef
		}
		if rot != 0 && !noRotate(ctx, d) {
			turnAppearance(ctx, d, m, rot, turned)
		}
	}
	return nil
}

// noRotate reports an annotation that keeps upright whatever the page's
// rotation (flag bit 5, NoRotate).
func noRotate(ctx *model.Context, d types.Dict) bool {
	f, err := ctx.DereferenceInteger(d["F"])
	return err == nil && f != nil && f.Value()&16 != 0
}

// turnAppearance turns annotation d's appearance streams by the rotation
// part of m (the page was turned rot degrees), once per stream.
func turnAppearance(ctx *model.Context, d types.Dict, m [6]float64, rot int, turned map[int]bool) {
	s := math.Hypot(m[0], m[1])
	if s == 0 {
		return
	}
	r := [6]float64{m[0] / s, m[1] / s, m[2] / s, m[3] / s, 0, 0}
	ap, err := ctx.DereferenceDict(d["AP"])
	if err == nil && ap != nil {
		for _, k := range []string{"N", "R", "D"} {
			o, ok := ap[k]
			if !ok {
				continue
			}
			var streams []types.Object
			if sub, err := ctx.DereferenceDict(o); err == nil && sub != nil {
				for _, v := range sub {
					streams = append(streams, v)
				}
			} else {
				streams = append(streams, o)
			}
			for _, so := range streams {
				ref, ok := so.(types.IndirectRef)
				if !ok || turned[ref.ObjectNumber.Value()] {
					continue
				}
				sd, _, err := ctx.DereferenceStreamDict(ref)
				if err != nil || sd == nil {
					continue
				}
				turned[ref.ObjectNumber.Value()] = true
				m0 := [6]float64{1, 0, 0, 1, 0, 0}
				if a, ok := numbers(ctx, sd.Dict["Matrix"]); ok && len(a) == 6 {
					copy(m0[:], a)
				}
				t := multiply(m0, r)
				sd.Dict["Matrix"] = types.NewNumberArray(t[:]...)
			}
		}
	}
	if st := d.NameEntry("Subtype"); st != nil && *st == "Widget" {
		mk, err := ctx.DereferenceDict(d["MK"])
		if err != nil || mk == nil {
			mk = types.Dict{}
		}
		old := 0
		if n, err := ctx.DereferenceInteger(mk["R"]); err == nil && n != nil {
			old = n.Value()
		}
		// /R turns counterclockwise; /Rotate turned the page clockwise.
		mk["R"] = types.Integer(((old-rot)%360 + 360) % 360)
		d["MK"] = mk
	}
}

// multiply is the matrix product a × b (a applied first).
func multiply(a, b [6]float64) [6]float64 {
	return [6]float64{
		a[0]*b[0] + a[1]*b[2], a[0]*b[1] + a[1]*b[3],
		a[2]*b[0] + a[3]*b[2], a[2]*b[1] + a[3]*b[3],
		a[4]*b[0] + a[5]*b[2] + b[4], a[4]*b[1] + a[5]*b[3] + b[5],
	}
}

// numbers reads an array of numbers.
func numbers(ctx *model.Context, o types.Object) ([]float64, bool) {
	if o == nil {
		return nil, false
	}
	arr, err := ctx.DereferenceArray(o)
	if err != nil || arr == nil {
		return nil, false
	}
	out := make([]float64, len(arr))
	for i, v := range arr {
		n, err := ctx.DereferenceNumber(v)
		if err != nil {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

// retarget points our page's links (gofpdf writes /Dest [page ...]) at
// the merged pages that replaced the sheets they named.
func retarget(ctx *model.Context, ref types.IndirectRef, moved map[int]types.IndirectRef) error {
	d, err := ctx.DereferenceDict(ref)
	if err != nil || d == nil {
		return err
	}
	arr, err := ctx.DereferenceArray(d["Annots"])
	if err != nil {
		return nil
	}
	for _, a := range arr {
		ad, err := ctx.DereferenceDict(a)
		if err != nil || ad == nil {
			continue
		}
		dest, ok := ad["Dest"].(types.Array)
		if !ok || len(dest) == 0 {
			continue
		}
		if r, ok := dest[0].(types.IndirectRef); ok {
			if to, ok := moved[r.ObjectNumber.Value()]; ok {
				dest[0] = to
			}
		}
	}
	return nil
}

func newStream(ctx *model.Context, content []byte) (*types.IndirectRef, error) {
	sd, err := ctx.NewStreamDictForBuf(content)
	if err != nil {
		return nil, err
	}
	if err := sd.Encode(); err != nil {
		return nil, err
	}
	return ctx.IndRefForNewObject(*sd)
}

// visibleBox is the page's crop box, or its media box.
func visibleBox(ctx *model.Context, d types.Dict) ([4]float64, error) {
	var box [4]float64
	o, ok := d.Find("CropBox")
	if !ok || o == nil {
		o, ok = d.Find("MediaBox")
	}
	if !ok || o == nil {
		return box, errors.New("page has no size")
	}
	arr, err := ctx.DereferenceArray(o)
	if err != nil || len(arr) != 4 {
		return box, fmt.Errorf("page size: %v", err)
	}
	for i, v := range arr {
		n, err := ctx.DereferenceNumber(v)
		if err != nil {
			return box, err
		}
		box[i] = n
	}
	if box[0] > box[2] {
		box[0], box[2] = box[2], box[0]
	}
	if box[1] > box[3] {
		box[1], box[3] = box[3], box[1]
	}
	return box, nil
}

// bookmarks are the packet's outline: the sections, then the documents,
// each with the bookmarks its own PDFs had (pl.own, by packet page). A
// document of imaging studies only is marked under Imaging, at its
// study's block: an outline runs in page order, so it cannot sit among the
// documents that follow.
func bookmarks(pl *plan) []pdfcpu.Bookmark {
	title := func(i int) string {
		doc := pl.docs[i].doc
		t := fmt.Sprintf("%d. %s", i+1, docTitle(doc))
		if !doc.Date.IsZero() {
			t += " (" + doc.Date.Short() + ")"
		}
		return t
	}
	var bms []pdfcpu.Bookmark
	for i, sec := range pl.names {
		bm := pdfcpu.Bookmark{Title: sec, PageFrom: pl.sections[i]}
		if sec == secImaging {
			for k, pr := range pl.docs {
				if at := pl.at(k); pr.inImaging() && at.page >= bm.PageFrom {
					bm.Kids = append(bm.Kids, pdfcpu.Bookmark{Title: title(k), PageFrom: at.page})
				}
			}
			slices.SortStableFunc(bm.Kids, func(a, b pdfcpu.Bookmark) int { return a.PageFrom - b.PageFrom })
		}
		bms = append(bms, bm)
	}
	if first := pl.firstPage(); first > 0 {
		docs := pdfcpu.Bookmark{Title: secDocuments, PageFrom: first}
		for i, pr := range pl.docs {
			if pr.inImaging() {
				continue
			}
			bm := pdfcpu.Bookmark{Title: title(i), PageFrom: pl.start[i]}
			if i < len(pl.own) {
				bm.Kids = renumber(pl.own[i], identity(pl.total), pl.start[i], 0)
			}
			docs.Kids = append(docs.Kids, bm)
		}
		bms = append(bms, docs)
	}
	return bms
}

// identity is 1, 2, ... n: page numbers that stay as they are.
func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// openAtCover makes viewers open the first page, whole, with the
// bookmarks shown.
func openAtCover(ctx *model.Context) error {
	root, err := ctx.Catalog()
	if err != nil {
		return err
	}
	_, ref, _, err := ctx.PageDict(1, false)
	if err != nil {
		return err
	}
	root["OpenAction"] = types.Array{*ref, types.Name("Fit")}
	root["PageMode"] = types.Name("UseOutlines")
	return nil
}
