package media

import (
	"context"
	"errors"
	"fmt"
	"github.com/ledongthuc/pdf"
	"io"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"
)

// textBudget bounds the time Inspect spends on a PDF's text layer; the
// 117-page corpus PDF needs about one second.
const textBudget = 15 * time.Second

// disableConfigDir keeps pdfcpu from creating and reading a configuration
// directory in the user's home: we pass our configuration explicitly.
var disableConfigDir sync.Once

// readPDF reads and validates a PDF with pdfcpu, relaxed as viewers are,
// opening an owner-password-only PDF with the empty user password. Errors
// wrap ErrPassword or ErrUnreadable.
func readPDF(ctx context.Context, r io.ReadSeeker) (*model.Context, error) {
	disableConfigDir.Do(api.DisableConfigDir)
	// A fresh configuration per call: pdfcpu mutates it while working.
	conf := model.NewDefaultConfiguration()
	conf.Cmd = model.VALIDATE
	conf.ValidationMode = model.ValidationRelaxed
	conf.UserPW, conf.OwnerPW = "", ""

	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	pc, err := pdfcpu.ReadWithContext(ctx, r, conf)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, pdfcpu.ErrWrongPassword) {
			return nil, fmt.Errorf("%v: %w", err, ErrPassword)
		}
		return nil, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	if err := validate.XRefTable(pc); err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	if err := pc.EnsurePageCount(); err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	if pc.PageCount < 1 {
		return nil, fmt.Errorf("PDF has no pages: %w", ErrUnreadable)
	}
	return pc, ctx.Err()
}

// LazyPDFSize is the size above which Inspect reads a PDF lazily: pdfcpu
// loads every object of a file into memory (a 500 MB scan would need over
// 500 MB), while the text reader reads only the objects it visits.
const LazyPDFSize = 64 << 20

// inspectPDFLazy reads a large PDF's page count and text layer through
// github.com/ledongthuc/pdf, which reads from an io.ReaderAt object by
// object. ok is false when that reader cannot open the file or it is
// encrypted; the caller then reads it with pdfcpu as any other PDF, so both
// roads accept the same files.
func inspectPDFLazy(ctx context.Context, r io.ReadSeeker, size int64) (info Info, ok bool) {
	defer func() {
		if recover() != nil {
			info, ok = Info{}, false
		}
	}()
	ra, isRA := r.(io.ReaderAt)
	if !isRA {
		ra = &seekReaderAt{r: r}
	}
	doc, err := pdf.NewReader(ra, size)
	if err != nil || !doc.Trailer().Key("Encrypt").IsNull() {
		return Info{}, false
	}
	n := doc.NumPage()
	if n < 1 {
		return Info{}, false
	}
	tctx, cancel := context.WithTimeout(ctx, textBudget)
	defer cancel()
	text, _ := extractText(tctx, r, size, MaxTextBytes)
	return Info{Pages: n, Text: text}, true
}

// inspectPDF reads the PDF's structure and page count with pdfcpu and its
// text layer with extractText.
func inspectPDF(ctx context.Context, r io.ReadSeeker, size int64) (Info, error) {
	if size > LazyPDFSize {
		if info, ok := inspectPDFLazy(ctx, r, size); ok {
			return info, ctx.Err()
		}
	}
	pc, err := readPDF(ctx, r)
	if err != nil {
		return Info{}, fmt.Errorf("inspect PDF: %w", err)
	}
	info := Info{Pages: pc.PageCount, Encrypted: pc.Encrypt != nil}
	// The text layer is a search aid: a PDF whose text cannot be extracted
	// is still a good PDF, so errors here are not returned.
	// A time budget keeps a pathological file from stalling the add; the
	// extractor checks it between pages.
	tctx, cancel := context.WithTimeout(ctx, textBudget)
	defer cancel()
	info.Text, _ = extractText(tctx, r, size, MaxTextBytes)
	return info, ctx.Err()
}

// PreparePDF makes a PDF ready to merge with pdfcpu: it removes the
// encryption of a PDF that opens with the empty user password, re-declares
// a PDF 2.0 file as 1.7 (pdfcpu's merge refuses 2.0 sources; the objects
// pdfcpu writes are the same), and repairs what pdfcpu can by reading the
// file and writing it anew. It writes the result to w and returns the page
// count. Errors wrap ErrPassword or ErrUnreadable; nothing useful is in w
// after an error.
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
