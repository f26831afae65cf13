package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"io"
	"regexp"
)

// guardPDF refuses a PDF whose streams unpack to more than we read safely,
// before any PDF library sees it: pdfcpu inflates every object stream when
// it opens a file, and the text reader inflates each page's content, both
// into memory. It reads the file once, and inflates every stream that
// starts with a zlib header into a counter, nothing kept. A stream that is
// not an image may unpack to MaxPDFStreamBytes, all streams together to
// budget bytes (pdfDecodeBudget(size)). The error wraps ErrTooLarge and
// ErrUnreadable.
//
// The scan looks for the keyword "stream" and does not parse objects, so
// binary data may yield false starts; those fail the zlib header check or
// inflate a few bytes. Encrypted streams cannot be inflated before
// decryption and are not counted here: pdfcpu's own per-stream limit
// (MaxPDFStreamBytes, set in readPDF) bounds them.
func guardPDF(ctx context.Context, r io.ReadSeeker, size, budget int64) error {
	ra, ok := r.(io.ReaderAt)
	if !ok {
		ra = &seekReaderAt{r: r}
	}
	total := budget
	const chunk = 1 << 20
	buf := make([]byte, chunk)
	keyword := []byte("stream")
	var zr io.ReadCloser
	for pos := int64(0); pos < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := ra.ReadAt(buf, pos)
		if n == 0 {
			if err == nil || err == io.EOF {
				break
			}
			return nil // unreadable files are refused by the reader
		}
		b := buf[:n]
		last := pos+int64(n) >= size
		for j := 0; ; {
			k := bytes.Index(b[j:], keyword)
			if k < 0 {
				break
			}
			at := j + k
			j = at + len(keyword)
			if !last && at > n-len(keyword)-2 {
				break // let the next chunk see the end of line
			}
			if at >= 3 && string(b[at-3:at]) == "end" {
				continue
			}
			data := at + len(keyword)
			switch {
			case data+1 < n && b[data] == '\r' && b[data+1] == '\n':
				data += 2
			case data < n && (b[data] == '\n' || b[data] == '\r'):
				data++
			default:
				continue
			}
			start := pos + int64(data)
			sr := ctxReader{ctx, io.NewSectionReader(ra, start, size-start)}
			if zr == nil {
				if zr, err = zlib.NewReader(sr); err != nil {
					zr = nil
					continue
				}
			} else if zr.(zlib.Resetter).Reset(sr, nil) != nil {
				continue
			}
			got, _ := io.Copy(io.Discard, io.LimitReader(zr, min(budget, MaxPDFStreamBytes)+1))
			if got > MaxPDFStreamBytes && got <= budget {
				if !isImageStream(ra, pos+int64(at)) {
					return tooLarge("a stream", MaxPDFStreamBytes)
				}
				more, _ := io.Copy(io.Discard, io.LimitReader(zr, budget-got+1))
				got += more
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if got > budget {
				return tooLarge("this PDF", total)
			}
			budget -= got
		}
		if last {
			break
		}
		pos += int64(n - len(keyword) - 2)
	}
	return ctx.Err()
}

// imageSubtype matches the entry that makes a stream an image XObject.
var imageSubtype = regexp.MustCompile(`/Subtype\s*/Image\b`)

// isImageStream reports whether the dictionary before the keyword "stream"
// at off declares an image. It looks back at most 16 KB, to the end of the
// previous object.
func isImageStream(ra io.ReaderAt, off int64) bool {
	from := max(0, off-16<<10)
	b := make([]byte, off-from)
	n, _ := ra.ReadAt(b, from)
	b = b[:n]
	if i := bytes.LastIndex(b, []byte("endobj")); i >= 0 {
		b = b[i:]
	}
	return imageSubtype.Match(b)
}

// ctxReader ends a long read when the context ends. The inflater reads its
// input a few kilobytes at a time, so the check is cheap and prompt.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
