package media

// The PDF text layer is read with github.com/ledongthuc/pdf, a maintained
// fork of rsc.io/pdf (the reader Russ Cox wrote for Go's own tooling). It is
// pure Go, reads from an io.ReaderAt (so a large file is not loaded whole),
// decodes font encodings and ToUnicode maps, and opens RC4/AES-128 files
// encrypted with the empty user password. pdfcpu, which we use for
// everything else, has no text extraction: it would hand us raw content
// streams, and turning Tj/TJ operands into text needs the font machinery
// this library already has. Its weakness is that it reports malformed input
// by panicking, so every call is fenced with recover, and we stop between
// pages when the context ends or the text cap is reached.

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// extractText returns up to limit bytes of the text layer of the PDF in r.
// Pages whose text cannot be extracted are skipped.
func extractText(ctx context.Context, r io.ReadSeeker, size int64, limit int) (text string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicError("extract text", p)
		}
	}()
	ra, ok := r.(io.ReaderAt)
	if !ok {
		ra = &seekReaderAt{r: r}
	}
	doc, err := pdf.NewReader(ra, size)
	if err != nil {
		return "", fmt.Errorf("extract text: %w", err)
	}
	var b strings.Builder
	n := doc.NumPage()
	for i := 1; i <= n && b.Len() < limit; i++ {
		if err := ctx.Err(); err != nil {
			return clip(b.String(), limit), err
		}
		b.WriteString(pageText(doc, i))
		b.WriteString("\n\f")
	}
	return clip(strings.TrimSpace(b.String()), limit), nil
}

// pageText returns the text of page i, "" when it cannot be read.
// Fonts are looked up per page: resource names such as /F1 name different
// fonts on different pages.
func pageText(doc *pdf.Reader, i int) (s string) {
	defer func() {
		if recover() != nil {
			s = ""
		}
	}()
	p := doc.Page(i)
	if p.V.IsNull() {
		return ""
	}
	s, err := p.GetPlainText(nil)
	if err != nil {
		return ""
	}
	return strings.ToValidUTF8(s, "")
}

// clip cuts s to at most limit bytes without splitting a UTF-8 sequence.
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	for limit > 0 && !utf8.RuneStart(s[limit]) {
		limit--
	}
	return s[:limit]
}

// seekReaderAt adapts an io.ReadSeeker to io.ReaderAt for a single
// goroutine (the text extractor reads sequentially from one goroutine).
type seekReaderAt struct{ r io.ReadSeeker }

func (s *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := s.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(s.r, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}
