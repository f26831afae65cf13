package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"
)

// textBudget bounds the time Inspect spends on a PDF's text layer; the
// 117-page corpus PDF needs about one second.
const textBudget = 15 * time.Second

// disableConfigDir keeps pdfcpu from creating and reading a configuration
// directory in the user's home: we pass our configuration explicitly.
var disableConfigDir sync.Once

// pdfConfig returns a fresh pdfcpu configuration for reading: relaxed as
// viewers are, opening an owner-password-only PDF with the empty user
// password, and decoding no stream to more than MaxPDFStreamBytes.
func pdfConfig() *model.Configuration {
	disableConfigDir.Do(api.DisableConfigDir)
	// A fresh configuration per call: pdfcpu mutates it while working.
	conf := model.NewDefaultConfiguration()
	conf.Cmd = model.VALIDATE
	conf.ValidationMode = model.ValidationRelaxed
	conf.UserPW, conf.OwnerPW = "", ""
	conf.Limits.MaxDecodeBytes = MaxPDFStreamBytes
	return conf
}

// openPDF reads r (size bytes) with pdfcpu. A download that stopped ends
// inside an object, and pdfcpu gives up on an unfinished stream; so when
// the file cannot be read as it is, openPDF tries once more with everything
// after the last complete object cut off, and lets pdfcpu rebuild the
// cross-reference table from the objects it finds. Whether that rebuilt
// file is sound is for the page check to say. Errors wrap ErrPassword or
// ErrUnreadable.
func openPDF(ctx context.Context, r io.ReadSeeker, size int64) (*model.Context, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	pc, err := pdfcpu.ReadWithContext(ctx, r, pdfConfig())
	if err == nil || ctx.Err() != nil || errors.Is(err, pdfcpu.ErrWrongPassword) || errors.Is(err, filter.ErrDecodeLimitExceeded) {
		return pc, readError(ctx, err)
	}
	ra, ok := r.(io.ReaderAt)
	if !ok {
		ra = &seekReaderAt{r: r}
	}
	end := lastObjectEnd(ra, size)
	if end <= 0 || end >= size {
		return nil, readError(ctx, err)
	}
	pc, err2 := pdfcpu.ReadWithContext(ctx, io.NewSectionReader(ra, 0, end), pdfConfig())
	if err2 != nil {
		return nil, readError(ctx, err) // the first error says more
	}
	return pc, nil
}

// readError maps a pdfcpu read error to ours.
func readError(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, pdfcpu.ErrWrongPassword):
		return fmt.Errorf("%v: %w", err, ErrPassword)
	case errors.Is(err, filter.ErrDecodeLimitExceeded):
		// An object stream over MaxPDFStreamBytes that guardPDF could
		// not measure (an encrypted one).
		return fmt.Errorf("%v: %w (%w)", err, ErrTooLarge, ErrUnreadable)
	}
	return fmt.Errorf("%v: %w", err, ErrUnreadable)
}

// lastObjectEnd returns the offset just after the last "endobj" keyword in
// the file, or -1.
func lastObjectEnd(ra io.ReaderAt, size int64) int64 {
	i := lastIndex(ra, size, []byte("endobj"))
	if i < 0 {
		return -1
	}
	return i + int64(len("endobj"))
}

// lastIndex returns the offset of the last kw in the file, or -1. It reads
// backwards, so it is quick when kw is near the end.
func lastIndex(ra io.ReaderAt, size int64, kw []byte) int64 {
	const chunk = 64 << 10
	buf := make([]byte, chunk+len(kw))
	for end := size; end > 0; end -= chunk {
		from := max(0, end-chunk)
		n, _ := ra.ReadAt(buf[:min(int64(len(buf)), size-from)], from)
		if i := bytes.LastIndex(buf[:n], kw); i >= 0 {
			return from + int64(i)
		}
	}
	return -1
}

// cutShort reports whether the PDF ends without an end-of-file marker
// after its last object: the download or copy stopped before the end. Such
// a file is damaged even when every page reads: what was lost may be a
// later revision of the document (an incremental update), and what
// remains is the earlier one.
func cutShort(r io.ReadSeeker, size int64) bool {
	ra, ok := r.(io.ReaderAt)
	if !ok {
		ra = &seekReaderAt{r: r}
	}
	return lastIndex(ra, size, []byte("%%EOF")) < lastObjectEnd(ra, size)
}

// loadPDF reads the PDF in r and checks it page by page. It returns the
// pdfcpu context and the pages of its page tree; the error is a
// *DamagedPDFError when pages cannot be read or the file is cut short (pc
// and leaves are still returned, so the sound pages can be kept), or wraps
// ErrTooLarge, ErrPassword or ErrUnreadable (pc is nil).
func loadPDF(ctx context.Context, r io.ReadSeeker) (pc *model.Context, leaves []pageLeaf, err error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, nil, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	if err := guardPDF(ctx, r, size, pdfDecodeBudget(size)); err != nil {
		return nil, nil, err
	}
	return loadGuardedPDF(ctx, r, size)
}

// loadGuardedPDF is loadPDF for a file guardPDF has passed.
func loadGuardedPDF(ctx context.Context, r io.ReadSeeker, size int64) (pc *model.Context, leaves []pageLeaf, err error) {
	pc, err = openPDF(ctx, r, size)
	if err != nil {
		return nil, nil, err
	}
	if err := pc.EnsurePageCount(); err != nil {
		return nil, nil, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	if pc.PageCount < 1 {
		return nil, nil, fmt.Errorf("PDF has no pages: %w", ErrUnreadable)
	}
	// Check the pages before validating: pdfcpu's relaxed validation
	// repairs a missing page by putting a blank one in its place.
	leaves, bad, first, err := checkPages(ctx, pc.XRefTable, pdfDecodeBudget(size))
	if err != nil {
		return nil, nil, err
	}
	verr := validate.XRefTable(pc)
	cut := cutShort(r, size)
	if len(bad) > 0 || cut {
		if first == nil {
			first = errors.New("the file ends inside its last object or before its end-of-file marker")
		}
		return pc, leaves, &DamagedPDFError{Pages: len(leaves), Bad: bad, CutShort: cut, Err: first}
	}
	if verr != nil {
		return nil, nil, fmt.Errorf("%v: %w", verr, ErrUnreadable)
	}
	return pc, leaves, ctx.Err()
}

// readPDF reads a PDF with pdfcpu and checks every page. Errors wrap
// ErrTooLarge, ErrPassword or ErrUnreadable; a PDF with unreadable pages
// is a *DamagedPDFError.
func readPDF(ctx context.Context, r io.ReadSeeker) (*model.Context, error) {
	pc, _, err := loadPDF(ctx, r)
	if err != nil {
		return nil, err
	}
	return pc, nil
}

// LazyPDFSize is the size above which Inspect reads a PDF lazily: pdfcpu
// loads every object of a file into memory (a 500 MB scan would need over
// 500 MB), while the text reader reads only the objects it visits.
const LazyPDFSize = 64 << 20

// inspectPDFLazy reads a large PDF's page count and text layer through
// github.com/ledongthuc/pdf, which reads from an io.ReaderAt object by
// object, and checks its pages (checkPagesLazy). ok is false when that
// reader cannot open the file or it is encrypted; the caller then reads it
// with pdfcpu as any other PDF, so both roads accept the same files; it is
// false too when a page cannot be read, so that pdfcpu's road judges every
// damaged PDF. When ok, err is nil, an ErrTooLarge error or the context's
// error.
func inspectPDFLazy(ctx context.Context, r io.ReadSeeker, size int64) (info Info, ok bool, err error) {
	defer func() {
		if recover() != nil {
			info, ok, err = Info{}, false, nil
		}
	}()
	ra, isRA := r.(io.ReaderAt)
	if !isRA {
		ra = &seekReaderAt{r: r}
	}
	doc, err := pdf.NewReader(ra, size)
	if err != nil || !doc.Trailer().Key("Encrypt").IsNull() {
		return Info{}, false, nil
	}
	if doc.NumPage() < 1 {
		return Info{}, false, nil
	}
	pages, bad, _, err := checkPagesLazy(ctx, doc, pdfDecodeBudget(size))
	if err != nil {
		return Info{}, true, err
	}
	if len(bad) > 0 {
		// pdfcpu may rebuild what this reader cannot follow (a wrong
		// cross-reference table), and its verdict is the one PreparePDF
		// and KeepPages act on.
		return Info{}, false, nil
	}
	return Info{Pages: pages, Text: inspectText(ctx, r, size)}, true, nil
}

// inspectPDF reads the PDF's structure and page count with pdfcpu and its
// text layer with extractText.
func inspectPDF(ctx context.Context, r io.ReadSeeker, size int64) (Info, error) {
	// Guard before either reader sees the file: both inflate streams into
	// memory.
	if err := guardPDF(ctx, r, size, pdfDecodeBudget(size)); err != nil {
		return Info{}, fmt.Errorf("inspect PDF: %w", err)
	}
	if size > LazyPDFSize && !cutShort(r, size) {
		if info, ok, err := inspectPDFLazy(ctx, r, size); ok {
			if err != nil {
				return info, fmt.Errorf("inspect PDF: %w", err)
			}
			return info, ctx.Err()
		}
	}
	pc, _, err := loadGuardedPDF(ctx, r, size)
	var damaged *DamagedPDFError
	if errors.As(err, &damaged) {
		// The caller may keep the sound pages: say which they are, and
		// what text they hold if the text reader can open the file (it
		// cannot open one cut short; the kept copy will have its text).
		info := Info{Pages: damaged.Pages, BadPages: damaged.Bad, Encrypted: pc.Encrypt != nil}
		if len(damaged.Bad) < damaged.Pages {
			info.Text = inspectText(ctx, r, size)
		}
		return info, fmt.Errorf("inspect PDF: %w", err)
	}
	if err != nil {
		return Info{}, fmt.Errorf("inspect PDF: %w", err)
	}
	info := Info{Pages: pc.PageCount, Encrypted: pc.Encrypt != nil}
	info.Text = inspectText(ctx, r, size)
	return info, ctx.Err()
}

// inspectText returns the PDF's text layer, "" when it cannot be read. The
// text layer is a search aid: a PDF whose text cannot be extracted is still
// a good PDF. A time budget keeps a pathological file from stalling the
// add; the extractor checks it between pages.
func inspectText(ctx context.Context, r io.ReadSeeker, size int64) string {
	tctx, cancel := context.WithTimeout(ctx, textBudget)
	defer cancel()
	text, _ := extractText(tctx, r, size, MaxTextBytes)
	return text
}

// PreparePDF makes a PDF ready to merge with pdfcpu: it removes the
// encryption of a PDF that opens with the empty user password, re-declares
// a PDF 2.0 file as 1.7 (pdfcpu's merge refuses 2.0 sources; the objects
// pdfcpu writes are the same), and repairs what pdfcpu can by reading the
// file and writing it anew. It writes the result to w and returns the page
// count. A PDF with a page that cannot be read is refused with a
// *DamagedPDFError rather than written with a blank page in its place.
// Errors wrap ErrPassword or ErrUnreadable (and ErrTooLarge for a stream
// bomb); nothing useful is in w after an error.
func PreparePDF(ctx context.Context, r io.ReadSeeker, w io.Writer) (pages int, err error) {
	defer func() {
		if p := recover(); p != nil {
			pages, err = 0, panicError("prepare PDF", p)
		}
	}()
	if r == nil {
		return 0, fmt.Errorf("prepare PDF: no input: %w", ErrUnreadable)
	}
	pc, err := readPDF(ctx, r)
	if err != nil {
		return 0, fmt.Errorf("prepare PDF: %w", err)
	}
	if pc.Encrypt != nil {
		// Write in the clear. The objects were decrypted while reading;
		// pdfcpu's DECRYPT command does the same, but refuses to start on
		// a file that is not encrypted, so we decide here.
		pc.Cmd = model.DECRYPT
		pc.EncKey = nil
	}

	if pc.Info != nil {
		// Some writers point the trailer's /Info at a structural object
		// (corpus cmyk-image.pdf names its /Pages node). pdfcpu then stamps
		// Producer and dates into that node, and its merge later loses the
		// page tree. A real document information dictionary has no /Type.
		if d, err := pc.DereferenceDict(*pc.Info); err != nil || d.Type() != nil {
			pc.Info = nil
		}
	}
	if pc.PDF20() {
		v := model.V17
		pc.HeaderVersion = &v
		pc.RootVersion = nil
		if pc.RootDict != nil {
			pc.RootDict.Delete("Version")
		}
	}
	if err := api.WriteContext(pc, w); err != nil {
		return 0, fmt.Errorf("prepare PDF: write: %v: %w", err, ErrUnreadable)
	}
	return pc.PageCount, nil
}

// KeepPages writes to w a new PDF holding only the given pages of the PDF
// in r, in document order, so that a PDF cut short can be added with the
// pages it still has. Pages are numbered from 1 as Inspect and
// DamagedPDFError number them; every page asked for must be readable. The
// new file is written by pdfcpu: not encrypted, with a sound
// cross-reference table, without the outline and forms of the original.
// Errors wrap ErrUnreadable, ErrPassword or ErrTooLarge; nothing useful is
// in w after an error.
func KeepPages(ctx context.Context, r io.ReadSeeker, w io.Writer, pages []int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicError("keep pages", p)
		}
	}()
	if r == nil {
		return fmt.Errorf("keep pages: no input: %w", ErrUnreadable)
	}
	pc, leaves, err := loadPDF(ctx, r)
	var damaged *DamagedPDFError
	if err != nil && !errors.As(err, &damaged) {
		return fmt.Errorf("keep pages: %w", err)
	}
	keep := slices.Clone(pages)
	slices.Sort(keep)
	keep = slices.Compact(keep)
	if len(keep) == 0 {
		return fmt.Errorf("keep pages: no pages asked for: %w", ErrUnreadable)
	}
	for _, p := range keep {
		if p < 1 || p > len(leaves) {
			return fmt.Errorf("keep pages: page %d outside 1 to %d: %w", p, len(leaves), ErrUnreadable)
		}
		if damaged != nil && slices.Contains(damaged.Bad, p) {
			return fmt.Errorf("keep pages: page %d cannot be read: %w", p, ErrUnreadable)
		}
	}

	// Hang the kept pages straight under the root of the page tree, each
	// carrying the attributes it inherited, so that pdfcpu numbers them
	// 1..n whatever the rest of the tree looks like.
	root, err := pc.Pages()
	if err != nil {
		return fmt.Errorf("keep pages: %v: %w", err, ErrUnreadable)
	}
	rootDict, err := pc.DereferenceDict(*root)
	if err != nil || rootDict == nil {
		return fmt.Errorf("keep pages: page tree root: %v: %w", err, ErrUnreadable)
	}
	kids := make(types.Array, 0, len(keep))
	for _, p := range keep {
		lf := leaves[p-1]
		for k, v := range map[string]types.Object{"Resources": lf.resources, "MediaBox": lf.mediaBox, "CropBox": lf.cropBox, "Rotate": lf.rotat} {
			if _, ok := lf.dict.Find(k); !ok && v != nil {
				lf.dict[k] = v
			}
		}
		lf.dict["Parent"] = *root
		kids = append(kids, lf.ref)
	}
	rootDict["Kids"] = kids
	rootDict["Count"] = types.Integer(len(kids))
	pc.PageCount = len(kids)

	nrs := make([]int, len(kids))
	for i := range nrs {
		nrs[i] = i + 1
	}
	out, err := pdfcpu.ExtractPages(pc, nrs, false)
	if err != nil {
		return fmt.Errorf("keep pages: %v: %w", err, ErrUnreadable)
	}
	if err := api.WriteContext(out, w); err != nil {
		return fmt.Errorf("keep pages: write: %v: %w", err, ErrUnreadable)
	}
	return ctx.Err()
}
