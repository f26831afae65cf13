package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
func trialMerge(ctx context.Context, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dest, err := readPDF(scratch())
	if err != nil {
		return err
	}
	src, err := readPDF(data)
	if err != nil {
		return err
	}
	return merge(src, dest)
}

// assemble merges the prepared PDFs after our pages, puts every page in
// packet order, stamps the footer on the merged pages, adds the bookmarks
// and writes the packet to w.
func assemble(ctx context.Context, ours []byte, p *packet, pl *plan, w io.Writer, prog *progress) error {
	dest, err := readPDF(ours)
	if err != nil {
		return fmt.Errorf("read our pages: %w", err)
	}
	dest.EnsureVersionForWriting()
	for _, pt := range pl.pdfParts {
		if err := ctx.Err(); err != nil {
			return stopped(err)
		}
		src, err := readPDF(pt.pdf)
		if err == nil {
			err = merge(src, dest)
		}
		if err != nil {
			// The readiness check merged this very file; failing here
			// means something changed under us. Name the document.
			return damagedPDF(pt.file, err)
		}
		pt.pdf = nil // the merged context holds it now
		prog.step(1)
	}
	if dest.PageCount != pl.total {
		return fmt.Errorf("packet has %d pages, planned %d", dest.PageCount, pl.total)
	}
	pages, err := reorder(dest, pl.order)
	if err != nil {
		return fmt.Errorf("order pages: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return stopped(err)
	}
	if err := stampFooters(dest, p, pl, pages, footerWidth(p)); err != nil {
		return fmt.Errorf("footers: %w", err)
	}
	// Each source was cleaned when it was prepared; cleaning the packet
	// as a whole catches whatever the merge carried over from a source's
	// catalog (its name trees, its form dictionary). Our own open action
	// and bookmarks are added after this.
	if _, _, err := sanitize(dest); err != nil {
		return fmt.Errorf("clean packet: %w", err)
	}
	if err := pdfcpu.AddBookmarks(dest, bookmarks(pl), true); err != nil {
		return fmt.Errorf("bookmarks: %w", err)
	}
	if err := openAtCover(dest); err != nil {
		return fmt.Errorf("open action: %w", err)
	}
	prog.step(1)
	if err := ctx.Err(); err != nil {
		return stopped(err)
	}
	return api.WriteContext(dest, w)
}

// inheritable are the page attributes a page may take from the page tree
// above it (PDF 32000-1, 7.7.3.4).
var inheritable = []string{"Resources", "MediaBox", "CropBox", "Rotate"}

// reorder replaces the page tree by one flat list in packet order. Each
// page first receives the attributes it inherited from the tree it leaves,
// so a merged page keeps its size, rotation and fonts.
func reorder(ctx *model.Context, order []int) ([]types.IndirectRef, error) {
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
	if len(pages) != len(order) {
		return nil, fmt.Errorf("found %d pages, planned %d", len(pages), len(order))
	}
	root, err := ctx.DereferenceDict(*rootRef)
	if err != nil {
		return nil, err
	}
	kids := make(types.Array, 0, len(order))
	final := make([]types.IndirectRef, 0, len(order))
	for _, pos := range order {
		ref := pages[pos-1]
		d, err := ctx.DereferenceDict(ref)
		if err != nil {
			return nil, err
		}
		d["Parent"] = *rootRef
		kids = append(kids, ref)
		final = append(final, ref)
	}
	for _, k := range inheritable {
		delete(root, k)
	}
	root["Kids"] = kids
	root["Count"] = types.Integer(len(kids))
	return final, nil
}

// stampFooters puts the footer on every merged page: the same words, font
// (the DejaVu Sans our own pages embed) and grey as our pages, small, at the
// bottom centre of the page as it is seen, 8 mm above the edge, where
// letters leave a margin. It adds content; the sender's own content streams
// are never rewritten (several pages may share one), and the page keeps its
// /Rotate: the text is turned to read upright on the turned page.
func stampFooters(ctx *model.Context, p *packet, pl *plan, pages []types.IndirectRef, measure func(string) float64) error {
	if len(pl.merged) == 0 {
		return nil
	}
	fontRef, err := ourFont(ctx, pages[0])
	if err != nil {
		return err
	}
	// Wrap the sender's content in q ... Q so that whatever state it leaves
	// behind does not move or colour our footer.
	open, err := newStream(ctx, []byte("q\n"))
	if err != nil {
		return err
	}
	foot := footerText(p)
	for _, pg := range pl.merged {
		ref := pages[pg-1]
		d, err := ctx.DereferenceDict(ref)
		if err != nil || d == nil {
			return fmt.Errorf("page %d: %v", pg, err)
		}
		if err := addFooterFont(ctx, d, fontRef); err != nil {
			return fmt.Errorf("page %d: %w", pg, err)
		}
		box, err := visibleBox(ctx, d)
		if err != nil {
			return fmt.Errorf("page %d: %w", pg, err)
		}
		rot := 0
		if o, ok := d.Find("Rotate"); ok {
			if n, err := ctx.DereferenceInteger(o); err == nil && n != nil {
				rot = ((n.Value() % 360) + 360) % 360
			}
		}
		text := fmt.Sprintf("%s  ·  Page %d of %d", foot, pg, pl.total)
		content := footerContent(text, measure(text), box, rot)
		closeRef, err := newStream(ctx, content)
		if err != nil {
			return err
		}
		contents := types.Array{*open}
		if o, ok := d.Find("Contents"); ok && o != nil {
			if arr, err := ctx.DereferenceArray(o); err == nil && arr != nil {
				contents = append(contents, arr...)
			} else {
				contents = append(contents, o)
			}
		}
		d["Contents"] = append(contents, *closeRef)
	}
	return nil
}

const (
	footerPt     = 7.0
	footerLift   = 22.7 // points from the bottom edge to the baseline (8 mm)
	footerFontID = "SOFooter"
)

// footerContent is the content stream drawing text centred at the foot of
// box as seen after turning the page by rot degrees clockwise.
func footerContent(text string, width float64, box [4]float64, rot int) []byte {
	llx, lly, urx, ury := box[0], box[1], box[2], box[3]
	cx, cy := (llx+urx)/2, (lly+ury)/2
	// Text matrix: the direction text runs in and where it starts, in the
	// page's unturned coordinates.
	var a, b, c, d, e, f float64
	switch rot {
	case 90: // seen bottom edge is the page's right edge; text runs up
		a, b, c, d = 0, 1, -1, 0
		e, f = urx-footerLift, cy-width/2
	case 180:
		a, b, c, d = -1, 0, 0, -1
		e, f = cx+width/2, ury-footerLift
	case 270:
		a, b, c, d = 0, -1, 1, 0
		e, f = llx+footerLift, cy+width/2
	default:
		a, b, c, d = 1, 0, 0, 1
		e, f = cx-width/2, lly+footerLift
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "Q\nq BT /%s %.1f Tf 0.2 g %.4f %.4f %.4f %.4f %.2f %.2f Tm <", footerFontID, footerPt, a, b, c, d, e, f)
	for _, r := range text {
		if r > 0xFFFF {
			r = '?'
		}
		fmt.Fprintf(&buf, "%04X", r)
	}
	buf.WriteString("> Tj ET Q\n")
	return buf.Bytes()
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

// ourFont finds the regular DejaVu Sans that gofpdf embedded for our pages
// (gofpdf names it utf8dejavu; its text is UTF-16 code points as CIDs).
func ourFont(ctx *model.Context, cover types.IndirectRef) (types.IndirectRef, error) {
	d, err := ctx.DereferenceDict(cover)
	if err != nil {
		return types.IndirectRef{}, err
	}
	res, err := ctx.DereferenceDict(d["Resources"])
	if err != nil || res == nil {
		return types.IndirectRef{}, fmt.Errorf("cover resources: %v", err)
	}
	fonts, err := ctx.DereferenceDict(res["Font"])
	if err != nil || fonts == nil {
		return types.IndirectRef{}, fmt.Errorf("cover fonts: %v", err)
	}
	for _, o := range fonts {
		ref, ok := o.(types.IndirectRef)
		if !ok {
			continue
		}
		fd, err := ctx.DereferenceDict(ref)
		if err != nil || fd == nil {
			continue
		}
		if name := fd.NameEntry("BaseFont"); name != nil && *name == "utf8"+font {
			return ref, nil
		}
	}
	return types.IndirectRef{}, errors.New("our font is not on the cover")
}

// addFooterFont gives the page its own resource dictionary (a copy: pages
// often share one) naming our font.
func addFooterFont(ctx *model.Context, d types.Dict, fontRef types.IndirectRef) error {
	res := types.Dict{}
	if o, ok := d.Find("Resources"); ok && o != nil {
		old, err := ctx.DereferenceDict(o)
		if err != nil {
			return err
		}
		for k, v := range old {
			res[k] = v
		}
	}
	fonts := types.Dict{}
	if o, ok := res.Find("Font"); ok && o != nil {
		old, err := ctx.DereferenceDict(o)
		if err != nil {
			return err
		}
		for k, v := range old {
			fonts[k] = v
		}
	}
	fonts[footerFontID] = fontRef
	res["Font"] = fonts
	d["Resources"] = res
	return nil
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

func bookmarks(pl *plan) []pdfcpu.Bookmark {
	var bms []pdfcpu.Bookmark
	for i, sec := range pl.names {
		bms = append(bms, pdfcpu.Bookmark{Title: sec, PageFrom: pl.sections[i]})
	}
	if len(pl.docs) > 0 {
		docs := pdfcpu.Bookmark{Title: secDocuments, PageFrom: pl.start[0]}
		for i, pr := range pl.docs {
			title := fmt.Sprintf("%d. %s", i+1, docTitle(pr.doc))
			if !pr.doc.Date.IsZero() {
				title += " (" + pr.doc.Date.Short() + ")"
			}
			docs.Kids = append(docs.Kids, pdfcpu.Bookmark{Title: title, PageFrom: pl.start[i]})
		}
		bms = append(bms, docs)
	}
	return bms
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
