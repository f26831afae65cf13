package media

// Checking a PDF page by page. A PDF whose download stopped half-way often
// still has its page tree (many writers put it first), so a reader that only
// counts pages accepts it, and the missing pages come out blank in the
// packet. Here every page's content streams and the resources they draw
// with (fonts, images, form XObjects, patterns, soft masks; recursively) are
// resolved and decoded, counting the decoded bytes against a budget so that
// a decompression bomb is refused instead of read.

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Limits on decoding a PDF's streams.
const (
	// MaxPDFStreamBytes caps the decoded size of one stream that has to be
	// held in memory: a page's content, an object stream, a font program.
	// Real pages need a few megabytes at most. Image data is decoded as a
	// stream and not held, so it counts only against the total budget.
	MaxPDFStreamBytes = 128 << 20
	// MinPDFDecodeBudget is the total number of decoded bytes a PDF may
	// unpack to however small it is (about half a second of inflating).
	// Larger files may unpack to pdfDecodeRatio times their size: scans
	// stored with Flate compress a few times, not a thousand times as a
	// bomb does.
	MinPDFDecodeBudget = 1 << 30
	pdfDecodeRatio     = 32
	// maxResourceDepth bounds the nesting of forms, patterns and Type 3
	// fonts followed from a page.
	maxResourceDepth = 32
)

// ErrTooLarge (media.go) is wrapped, together with ErrUnreadable, by the
// error for a PDF whose streams unpack to more than we are willing to read:
// a decompression bomb, or something no viewer could show in reasonable
// time.

// TooLargeSentence says what happened and what to do when a PDF is refused
// with ErrTooLarge, for the patient.
const TooLargeSentence = "This PDF is too large to read safely: its contents unpack to more than Second Opinion can check. Ask for a new copy from where you got it, and add that instead."

// pdfDecodeBudget returns the total decoded bytes allowed for a PDF of size
// bytes.
func pdfDecodeBudget(size int64) int64 {
	if size > (1<<62)/pdfDecodeRatio {
		return 1 << 62
	}
	return max(MinPDFDecodeBudget, pdfDecodeRatio*size)
}

// tooLarge returns the error for a PDF over a decoding limit.
func tooLarge(what string, limit int64) error {
	return fmt.Errorf("%s unpacks to more than %d MB: %w (%w)", what, limit>>20, ErrTooLarge, ErrUnreadable)
}

// DamagedPDFError reports a PDF some or all of whose pages cannot be read:
// the file was cut short, or objects a page needs are missing or corrupt.
// It wraps ErrUnreadable. Inspect returns it with Info.Pages and
// Info.BadPages filled in; KeepPages can then write the sound pages alone.
type DamagedPDFError struct {
	Pages int   // the page count the PDF declares
	Bad   []int // 1-based, ascending; empty only when CutShort
	// CutShort is set when the file ends before its end-of-file marker: a
	// download or copy that stopped. Its pages may all read, but what was
	// lost may be a later revision of them.
	CutShort bool
	// Err is the first problem found, for the log.
	Err error
}

func (e *DamagedPDFError) Error() string {
	var s string
	switch {
	case len(e.Bad) == 0:
		s = fmt.Sprintf("PDF cut short: its %d pages read, its end is missing", e.Pages)
	case e.CutShort:
		s = fmt.Sprintf("PDF cut short: %s of %d cannot be read", PageRanges(e.Bad), e.Pages)
	default:
		s = fmt.Sprintf("PDF damaged: %s of %d cannot be read", PageRanges(e.Bad), e.Pages)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns ErrUnreadable, so errors.Is(err, ErrUnreadable) holds for
// callers that only know "this file cannot be used".
func (e *DamagedPDFError) Unwrap() error { return ErrUnreadable }

// Sound returns the pages that can be read, ascending; empty when none can.
func (e *DamagedPDFError) Sound() []int {
	var s []int
	for p := 1; p <= e.Pages; p++ {
		if _, bad := slices.BinarySearch(e.Bad, p); !bad {
			s = append(s, p)
		}
	}
	return s
}

// Sentence says what happened and what to do, for the patient, e.g.
// "This PDF looks cut short or damaged: pages 2 to 6 cannot be read.
// Download it again from where you got it, and add the new copy."
func (e *DamagedPDFError) Sentence() string {
	what := PageRanges(e.Bad) + " cannot be read"
	switch {
	case len(e.Bad) == 0:
		return "This PDF looks cut short: its end is missing, although its pages can be read. Download it again from where you got it, and add the new copy."
	case len(e.Bad) >= e.Pages && e.Pages == 1:
		what = "its page cannot be read"
	case len(e.Bad) >= e.Pages:
		what = fmt.Sprintf("none of its %d pages can be read", e.Pages)
	}
	return "This PDF looks cut short or damaged: " + what + ". Download it again from where you got it, and add the new copy."
}

// PageRanges names a set of 1-based page numbers for a sentence: "page 3",
// "pages 2 and 3", "pages 2 to 6", "pages 2, 4 and 7 to 9". Runs of three or
// more pages become ranges. The pages need not be sorted; duplicates are
// ignored. It returns "" for no pages.
func PageRanges(pages []int) string {
	p := slices.Clone(pages)
	slices.Sort(p)
	p = slices.Compact(p)
	var parts []string
	for i := 0; i < len(p); {
		j := i
		for j+1 < len(p) && p[j+1] == p[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, strconv.Itoa(p[i])+" to "+strconv.Itoa(p[j]))
		case j-i == 1:
			parts = append(parts, strconv.Itoa(p[i]), strconv.Itoa(p[j]))
		default:
			parts = append(parts, strconv.Itoa(p[i]))
		}
		i = j + 1
	}
	switch {
	case len(parts) == 0:
		return ""
	case len(p) == 1:
		return "page " + parts[0]
	case len(parts) == 1:
		return "pages " + parts[0]
	}
	return "pages " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// pageLeaf is one page of the page tree in document order.
type pageLeaf struct {
	ref  types.IndirectRef
	dict types.Dict // nil when the page object is missing or not a dictionary
	// Attributes a page inherits from its ancestors (PDF 32000 7.7.3.4).
	resources                types.Object
	mediaBox, cropBox, rotat types.Object
	err                      error // why dict is nil
}

// inherited holds the inheritable page attributes on the way down the tree.
type inherited struct {
	resources, mediaBox, cropBox, rotate types.Object
}

func (in inherited) with(d types.Dict) inherited {
	if o, ok := d.Find("Resources"); ok {
		in.resources = o
	}
	if o, ok := d.Find("MediaBox"); ok {
		in.mediaBox = o
	}
	if o, ok := d.Find("CropBox"); ok {
		in.cropBox = o
	}
	if o, ok := d.Find("Rotate"); ok {
		in.rotate = o
	}
	return in
}

// pageLeaves walks the page tree and returns its pages in order. A kid that
// is missing counts as one unreadable page (a whole missing subtree counts
// as one too); the list is padded with unreadable pages up to the count
// the root declares, so a page's number is the one a viewer would show.
func pageLeaves(xt *model.XRefTable, declared int) []pageLeaf {
	var leaves []pageLeaf
	root, err := xt.Pages()
	if err == nil && root != nil {
		seen := map[int]bool{}
		var walk func(ref types.IndirectRef, in inherited, depth int)
		walk = func(ref types.IndirectRef, in inherited, depth int) {
			nr := ref.ObjectNumber.Value()
			if depth > maxResourceDepth || seen[nr] {
				leaves = append(leaves, pageLeaf{ref: ref, err: fmt.Errorf("page tree loops at object %d", nr)})
				return
			}
			seen[nr] = true
			d, err := xt.DereferenceDict(ref)
			if err != nil || d == nil {
				if err == nil {
					err = fmt.Errorf("page object %d is missing", nr)
				}
				leaves = append(leaves, pageLeaf{ref: ref, err: err})
				return
			}
			kids, isNode := d.Find("Kids")
			if t := d.Type(); !isNode || (t != nil && *t == "Page") {
				in = in.with(d)
				leaves = append(leaves, pageLeaf{ref: ref, dict: d, resources: in.resources, mediaBox: in.mediaBox, cropBox: in.cropBox, rotat: in.rotate})
				return
			}
			a, err := xt.DereferenceArray(kids)
			if err != nil {
				leaves = append(leaves, pageLeaf{ref: ref, err: fmt.Errorf("page tree node %d: %v", nr, err)})
				return
			}
			in = in.with(d)
			for _, k := range a {
				kr, ok := k.(types.IndirectRef)
				if !ok {
					if k != nil {
						leaves = append(leaves, pageLeaf{err: fmt.Errorf("page tree node %d has a kid that is not a reference", nr)})
					}
					continue
				}
				walk(kr, in, depth+1)
			}
		}
		walk(*root, inherited{}, 0)
	}
	for len(leaves) < declared {
		leaves = append(leaves, pageLeaf{err: errors.New("page missing from the page tree")})
	}
	return leaves
}

// pageChecker decodes what pages use, remembering objects already checked
// (fonts and images are shared between pages) and the bytes decoded.
type pageChecker struct {
	ctx    context.Context
	xt     *model.XRefTable
	budget int64         // decoded bytes left
	done   map[int]error // object number → result of checking it
	// tooLarge is set once the budget or a per-stream limit is exceeded;
	// the whole file is then refused.
	tooLarge error
}

// checkPages returns the 1-based numbers of the pages that cannot be read,
// with the first problem found, and the page leaves. err is ErrTooLarge or
// the context's error; then bad is meaningless.
func checkPages(ctx context.Context, xt *model.XRefTable, budget int64) (leaves []pageLeaf, bad []int, first, err error) {
	c := &pageChecker{ctx: ctx, xt: xt, budget: budget, done: map[int]error{}}
	leaves = pageLeaves(xt, xt.PageCount)
	for i, lf := range leaves {
		if err := ctx.Err(); err != nil {
			return nil, nil, nil, err
		}
		perr := lf.err
		if perr == nil {
			perr = c.page(lf)
		}
		if c.tooLarge != nil {
			return nil, nil, nil, c.tooLarge
		}
		if perr != nil {
			bad = append(bad, i+1)
			if first == nil {
				first = fmt.Errorf("page %d: %w", i+1, perr)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	return leaves, bad, first, nil
}

// page checks one page: its content streams and its resources.
func (c *pageChecker) page(lf pageLeaf) error {
	if o, ok := lf.dict.Find("Contents"); ok && o != nil {
		if a, ok := c.deref(o).(types.Array); ok {
			for _, e := range a {
				if e == nil {
					continue
				}
				if err := c.stream(e, false, "content stream"); err != nil {
					return err
				}
			}
		} else if err := c.stream(o, false, "content stream"); err != nil {
			return err
		}
	}
	return c.resources(lf.resources, 0)
}

// resources checks everything a resource dictionary names.
func (c *pageChecker) resources(o types.Object, depth int) error {
	if o == nil {
		return nil
	}
	if depth > maxResourceDepth {
		return errors.New("resources nest too deeply")
	}
	d, err := c.xt.DereferenceDict(o)
	if err != nil {
		return fmt.Errorf("resources: %v", err)
	}
	if d == nil {
		return c.missing(o, "resource dictionary")
	}
	for _, kind := range []string{"Font", "XObject", "Pattern", "ExtGState"} {
		e, ok := d.Find(kind)
		if !ok {
			continue
		}
		sub, err := c.xt.DereferenceDict(e)
		if err != nil {
			return fmt.Errorf("%s resources: %v", kind, err)
		}
		if sub == nil {
			if err := c.missing(e, kind+" resources"); err != nil {
				return err
			}
			continue
		}
		for _, name := range sortedKeys(sub) {
			if err := c.resource(kind, name, sub[name], depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// resource checks one named resource, once per object.
func (c *pageChecker) resource(kind, name string, o types.Object, depth int) error {
	what := fmt.Sprintf("%s /%s", strings.ToLower(kind), name)
	if kind == "ExtGState" {
		what = "graphics state /" + name
	}
	check := func() error {
		switch kind {
		case "Font":
			return c.font(o, depth)
		case "XObject":
			return c.xobject(o, depth)
		case "Pattern":
			return c.pattern(o, depth)
		case "ExtGState":
			return c.extGState(o, depth)
		}
		return nil
	}
	if err := c.once(o, check); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// once runs check for the object o refers to, or returns the remembered
// result when that object was checked before. Direct objects are checked
// every time. Marking the object before checking stops reference loops.
func (c *pageChecker) once(o types.Object, check func() error) error {
	ir, ok := o.(types.IndirectRef)
	if !ok {
		return check()
	}
	nr := ir.ObjectNumber.Value()
	if err, ok := c.done[nr]; ok {
		return err
	}
	c.done[nr] = nil
	err := check()
	c.done[nr] = err
	return err
}

// missing returns an error when o is a reference to an object that is not
// there; a direct null is allowed.
func (c *pageChecker) missing(o types.Object, what string) error {
	if ir, ok := o.(types.IndirectRef); ok {
		return fmt.Errorf("%s (object %d) is missing", what, ir.ObjectNumber.Value())
	}
	return nil
}

func (c *pageChecker) font(o types.Object, depth int) error {
	d, err := c.xt.DereferenceDict(o)
	if err != nil {
		return err
	}
	if d == nil {
		return c.missing(o, "font")
	}
	for _, k := range []string{"FontDescriptor", "Encoding", "ToUnicode", "Widths"} {
		if e, ok := d.Find(k); ok {
			if err := c.present(e, k); err != nil {
				return err
			}
		}
	}
	if e, ok := d.Find("FontDescriptor"); ok {
		fd, err := c.xt.DereferenceDict(e)
		if err != nil {
			return fmt.Errorf("font descriptor: %v", err)
		}
		for _, k := range []string{"FontFile", "FontFile2", "FontFile3"} {
			if f, ok := fd.Find(k); ok {
				if err := c.stream(f, false, "embedded font"); err != nil {
					return err
				}
			}
		}
	}
	if e, ok := d.Find("ToUnicode"); ok {
		if _, isStream := c.deref(e).(types.StreamDict); isStream {
			if err := c.stream(e, false, "ToUnicode map"); err != nil {
				return err
			}
		}
	}
	if e, ok := d.Find("DescendantFonts"); ok {
		a, err := c.xt.DereferenceArray(e)
		if err != nil {
			return fmt.Errorf("descendant fonts: %v", err)
		}
		if a == nil {
			return c.missing(e, "descendant fonts")
		}
		for _, df := range a {
			if err := c.once(df, func() error { return c.font(df, depth+1) }); err != nil {
				return err
			}
		}
	}
	if st := d.Subtype(); st != nil && *st == "Type3" {
		if e, ok := d.Find("CharProcs"); ok {
			cp, err := c.xt.DereferenceDict(e)
			if err != nil {
				return fmt.Errorf("glyph procedures: %v", err)
			}
			if cp == nil {
				return c.missing(e, "glyph procedures")
			}
			for _, name := range sortedKeys(cp) {
				if err := c.stream(cp[name], false, "glyph /"+name); err != nil {
					return err
				}
			}
		}
		if e, ok := d.Find("Resources"); ok {
			return c.resources(e, depth+1)
		}
	}
	return nil
}

func (c *pageChecker) xobject(o types.Object, depth int) error {
	sd, err := c.streamDict(o, "XObject")
	if err != nil || sd == nil {
		return err
	}
	st := sd.Subtype()
	image := st != nil && *st == "Image"
	if err := c.decode(sd, image); err != nil {
		return err
	}
	if image {
		for _, k := range []string{"SMask", "Mask"} {
			if e, ok := sd.Find(k); ok {
				if _, isStream := c.deref(e).(types.StreamDict); isStream {
					if err := c.once(e, func() error { return c.xobject(e, depth+1) }); err != nil {
						return fmt.Errorf("image mask: %w", err)
					}
				} else if err := c.present(e, k); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if e, ok := sd.Find("Resources"); ok {
		return c.resources(e, depth+1)
	}
	return nil
}

func (c *pageChecker) pattern(o types.Object, depth int) error {
	switch c.deref(o).(type) {
	case types.StreamDict: // a tiling pattern draws with its own content
		sd, err := c.streamDict(o, "pattern")
		if err != nil || sd == nil {
			return err
		}
		if err := c.decode(sd, false); err != nil {
			return err
		}
		if e, ok := sd.Find("Resources"); ok {
			return c.resources(e, depth+1)
		}
		return nil
	default:
		return c.present(o, "pattern")
	}
}

func (c *pageChecker) extGState(o types.Object, depth int) error {
	d, err := c.xt.DereferenceDict(o)
	if err != nil {
		return err
	}
	if d == nil {
		return c.missing(o, "graphics state")
	}
	sm, ok := d.Find("SMask")
	if !ok {
		return nil
	}
	smd, err := c.xt.DereferenceDict(sm)
	if err != nil || smd == nil {
		return nil // usually the name /None
	}
	if g, ok := smd.Find("G"); ok {
		return c.once(g, func() error { return c.xobject(g, depth+1) })
	}
	return nil
}

// deref resolves o, nil when it cannot be resolved.
func (c *pageChecker) deref(o types.Object) types.Object {
	d, err := c.xt.Dereference(o)
	if err != nil {
		return nil
	}
	return d
}

// present checks that a reference resolves to an object.
func (c *pageChecker) present(o types.Object, what string) error {
	d, err := c.xt.Dereference(o)
	if err != nil {
		return fmt.Errorf("%s: %v", what, err)
	}
	if d == nil {
		return c.missing(o, what)
	}
	return nil
}

// streamDict resolves o to a stream; a missing object is an error.
func (c *pageChecker) streamDict(o types.Object, what string) (*types.StreamDict, error) {
	sd, _, err := c.xt.DereferenceStreamDict(o)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	if sd == nil {
		if ir, ok := o.(types.IndirectRef); ok {
			return nil, fmt.Errorf("%s (object %d) is missing", what, ir.ObjectNumber.Value())
		}
		return nil, nil
	}
	return sd, nil
}

// stream resolves and decodes a stream that is not an image.
func (c *pageChecker) stream(o types.Object, image bool, what string) error {
	return c.once(o, func() error {
		sd, err := c.streamDict(o, what)
		if err != nil || sd == nil {
			return err
		}
		if err := c.decode(sd, image); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// decode runs the stream's filters over its data and counts the result
// against the budget. Flate is inflated as a stream; the rarer filters
// (ASCII85, ASCIIHex, LZW, RunLength) decode in memory through pdfcpu, at
// most MaxPDFStreamBytes. Image codecs (DCT, JPX, JBIG2, CCITT) are left to
// the viewer, as pdfcpu leaves them: their data is merely present.
func (c *pageChecker) decode(sd *types.StreamDict, image bool) error {
	if sd.Raw == nil && sd.StreamLength != nil && *sd.StreamLength > 0 {
		return errors.New("stream data is missing")
	}
	limit := c.budget
	if !image {
		limit = min(limit, MaxPDFStreamBytes)
	}
	var rd io.Reader = ctxReader{c.ctx, bytes.NewReader(sd.Raw)}
	for _, f := range sd.FilterPipeline {
		switch f.Name {
		case filter.Flate:
			zr, err := zlib.NewReader(rd)
			if err != nil {
				return fmt.Errorf("Flate data: %v", err)
			}
			rd = zr
		case filter.ASCII85, filter.ASCIIHex, filter.LZW, filter.RunLength:
			fi, err := filter.NewFilter(f.Name, filterParms(f.DecodeParms), min(limit, MaxPDFStreamBytes))
			if err != nil {
				return fmt.Errorf("%s filter: %v", f.Name, err)
			}
			out, err := fi.Decode(rd)
			if err != nil {
				if errors.Is(err, filter.ErrDecodeLimitExceeded) {
					c.tooLarge = tooLarge("a stream", min(limit, MaxPDFStreamBytes))
				}
				return fmt.Errorf("%s data: %v", f.Name, err)
			}
			rd = out
		default:
			// Image codecs and filters we do not know: nothing to
			// unpack here. Stop at the first, as pdfcpu does.
			n := int64(len(sd.Raw))
			c.budget -= min(n, c.budget)
			return nil
		}
	}
	n, err := io.Copy(io.Discard, io.LimitReader(rd, limit+1))
	if n > limit {
		if limit == c.budget {
			c.tooLarge = tooLarge("this PDF", c.budget)
		} else {
			c.tooLarge = tooLarge("a stream", limit)
		}
		return c.tooLarge
	}
	if err := c.ctx.Err(); err != nil {
		return err
	}
	c.budget -= n
	// A missing end of a deflate stream (no final block or checksum) is
	// common in files viewers show fine; pdfcpu tolerates it as well.
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("stream data is corrupt: %v", err)
	}
	return nil
}

// filterParms converts a DecodeParms dictionary to what pdfcpu's filters
// take: integers, and booleans as 0 or 1.
func filterParms(d types.Dict) map[string]int {
	m := map[string]int{}
	for k, v := range d {
		switch v := v.(type) {
		case types.Integer:
			m[k] = v.Value()
		case types.Boolean:
			if v.Value() {
				m[k] = 1
			} else {
				m[k] = 0
			}
		}
	}
	return m
}

// sortedKeys returns d's keys in order, so that the first problem reported
// for a page does not depend on map order.
func sortedKeys(d types.Dict) []string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
