package records

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"

	"secondopinion/records/media"
	"secondopinion/records/ocr"
	"secondopinion/records/sandbox"
)

// OCR states of a page (page_text.status).
const (
	OCRPending = "pending"
	OCRDone    = "done"
	OCRFailed  = "failed"
	OCRNone    = "none" // needs no OCR: the page has its own text layer
)

// ocrImageTypes are the pictures OCR reads (DICOM images are not letters).
var ocrImageTypes = map[string]bool{media.JPEG: true, media.PNG: true, media.TIFF: true, media.WebP: true, media.BMP: true, media.GIF: true}

// ocrDPI is the resolution a scanned PDF page is drawn at for OCR:
// Tesseract reads letter-sized text best at about 300 dpi.
const ocrDPI = 300

// minPageText is how many characters of its own text layer a PDF page
// needs to be taken as text rather than a scan.
const minPageText = 20

// waiting is the SQL condition on file f for a stored file OCR should
// read that has no page rows yet: a photo, or a PDF whose text layer is too
// thin for anything but a scan. Its rows are made when the queue reaches
// it, so an add writes nothing for OCR and files added before OCR existed
// are read too.
const waiting = `f.staged = '' AND NOT EXISTS (SELECT 1 FROM page_text p WHERE p.file_id = f.id) AND
	(f.media_type IN ('image/jpeg', 'image/png', 'image/tiff', 'image/webp', 'image/bmp', 'image/gif')
	 OR (f.media_type = 'application/pdf' AND so_thin_page(coalesce((SELECT t.text FROM file_text t WHERE t.file_id = f.id), ''), f.pages)))`

// so_thin_page(text, pages) is 1 when some page of a PDF has too little
// text of its own to be anything but a scan: text is its text layer as
// added (pages end in a form feed, media.extractText), so a typed cover
// letter does not hide the scanned pages behind it. Which pages are then
// read is decided page by page (readPage).
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("so_thin_page", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		var text string
		switch v := args[0].(type) {
		case string:
			text = v
		case []byte:
			text = string(v)
		}
		pages, _ := args[1].(int64)
		if hasThinPage(text, int(pages)) {
			return int64(1), nil
		}
		return int64(0), nil
	})
}

// hasThinPage reports whether a PDF of the given pages, whose text layer
// is text, has a page with fewer than minPageText characters, or pages the
// text does not reach (cut at its limit, or unreadable to the extractor).
func hasThinPage(text string, pages int) bool {
	parts := strings.Split(text, "\f")
	if len(parts) < max(pages, 1) {
		return true
	}
	for _, p := range parts[:max(pages, 1)] {
		if len(strings.TrimSpace(p)) < minPageText {
			return true
		}
	}
	return false
}

// maxOCRPages bounds how many pages of one PDF are read.
const maxOCRPages = 2000

// OCRCounts says how many pages wait for OCR, have been read, and could
// not be read.
type OCRCounts struct {
	Pending, Done, Failed int
}

// OCRCounts counts the pages of stored files by OCR state.
func (s *Store) OCRCounts(ctx context.Context) (OCRCounts, error) {
	var c OCRCounts
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM page_text WHERE status = 'pending') + (SELECT coalesce(sum(CASE WHEN f.media_type = 'application/pdf' THEN min(f.pages, ?) ELSE 1 END), 0) FROM file f WHERE `+waiting+`),
		(SELECT count(*) FROM page_text WHERE status = 'done'),
		(SELECT count(*) FROM page_text WHERE status = 'failed')`, maxOCRPages).Scan(&c.Pending, &c.Done, &c.Failed)
	return c, err
}

// OCROptions tune RunOCR.
type OCROptions struct {
	// Lang is the Tesseract language ("eng", "eng+deu"); an empty or
	// uninstalled one falls back to English.
	Lang string
	// Files, when set, limits the run to these stored files (what an add
	// just stored).
	Files []string
	// Progress, when set, is told before the first page and after each
	// how many pages are done in this run and how many there are in all
	// (more may be queued while it runs). It is called on RunOCR's
	// goroutine.
	Progress func(done, total int)
}

// OCRResult says what a RunOCR did.
type OCRResult struct {
	Done, Failed int
	// Own counts the pages found to have a text layer of their own (a
	// PDF page that is typed, not scanned): nothing to read.
	Own int
}

// RunOCR reads the text of pending pages one at a time until none is
// left or ctx is cancelled. Each page's text is saved, and the search
// index of every document using its file updated, in its own short
// transaction, so a stop or a crash loses at most the page being read and
// the next run resumes there. A page Tesseract cannot read is marked
// failed (with why) and the run goes on. Without Tesseract it returns a
// Problem saying how to install it, changing nothing.
func (s *Store) RunOCR(ctx context.Context, opt OCROptions) (OCRResult, error) {
	var res OCRResult
	lang := ""
	dir, err := PrivateTemp("secondopinion-ocr-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	only, args := "", []any{}
	if len(opt.Files) > 0 {
		only = " AND f.id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(opt.Files)), ",") + ")"
		for _, id := range opt.Files {
			args = append(args, id)
		}
	}
	var pdf pdfOnDisk
	defer pdf.remove()
	for {
		if err := ctx.Err(); err != nil {
			return res, &Problem{Msg: "Stopped reading text from photos; it carries on from here next time.", Err: err}
		}
		pending, err := s.queueNext(ctx, only, args)
		if err != nil {
			return res, s.wrapWrite(err)
		}
		if pending == 0 {
			return res, nil
		}
		if lang == "" {
			// Tesseract is asked for only when there is a page to read.
			if err := ocr.Available(); err != nil {
				return res, &Problem{Msg: ocr.InstallHint, Err: err}
			}
			installed, err := ocr.Languages(ctx)
			if err != nil {
				return res, &Problem{Msg: "Tesseract is installed but does not answer, so no text was read from photos. " + ocr.InstallHint, Err: err}
			}
			lang = ocr.PickLanguage(installed, opt.Lang)
		}
		if res.Done+res.Failed+res.Own == 0 && opt.Progress != nil {
			opt.Progress(0, pending) // before the first page, which takes seconds
		}
		var fileID, mt, name string
		var page, orientation int
		err = s.db.QueryRowContext(ctx, `SELECT p.file_id, p.page, f.media_type, f.orientation, f.name FROM page_text p JOIN file f ON f.id = p.file_id
			WHERE p.status = 'pending' AND f.staged = ''`+strings.ReplaceAll(only, "f.id", "p.file_id")+` ORDER BY f.created, p.file_id, p.page LIMIT 1`, args...).Scan(&fileID, &page, &mt, &orientation, &name)
		if err != nil {
			return res, s.wrapWrite(err)
		}
		pt, err := s.readPage(ctx, dir, &pdf, fileID, page, mt, orientation, lang)
		if ctx.Err() != nil {
			return res, &Problem{Msg: "Stopped reading text from photos; it carries on from here next time.", Err: ctx.Err()}
		}
		if errors.Is(err, ocr.ErrNoTesseract) || errors.Is(err, ocr.ErrNoPoppler) {
			msg := ocr.InstallHint
			if errors.Is(err, ocr.ErrNoPoppler) {
				msg = "Install poppler-utils (sudo apt install poppler-utils) to read text from scanned PDFs."
			}
			return res, &Problem{Msg: msg, Err: err}
		}
		if err != nil {
			pt = PageText{Page: page, Status: OCRFailed, Error: fmt.Sprintf("%s, page %d: %v", name, page, err)}
		}
		if err := s.savePageText(ctx, fileID, pt); err != nil {
			return res, err
		}
		if pt.Status == OCRFailed {
			res.Failed++
		} else if pt.Status == OCRNone {
			res.Own++
		} else {
			res.Done++
		}
		if n := res.Done + res.Failed + res.Own; opt.Progress != nil {
			opt.Progress(n, n+pending-1)
		}
	}
}

// queueNext makes sure a page is pending when any is left, making the
// page rows of the next waiting file (in one short transaction) when no
// page is, and returns how many pages are left in all.
func (s *Store) queueNext(ctx context.Context, only string, args []any) (int, error) {
	count := func() (int, error) {
		var n int
		err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM page_text p JOIN file f ON f.id = p.file_id WHERE p.status = 'pending' AND f.staged = ''`+only+`)
			+ (SELECT coalesce(sum(CASE WHEN f.media_type = 'application/pdf' THEN min(f.pages, ?) ELSE 1 END), 0) FROM file f WHERE `+waiting+only+`)`, append(append(append([]any{}, args...), maxOCRPages), args...)...).Scan(&n)
		return n, err
	}
	var queued int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM page_text p JOIN file f ON f.id = p.file_id WHERE p.status = 'pending' AND f.staged = ''`+only, args...).Scan(&queued); err != nil || queued > 0 {
		if err != nil {
			return 0, err
		}
		return count()
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var id, mt string
		var pages int
		err := tx.QueryRowContext(ctx, `SELECT f.id, f.media_type, f.pages FROM file f WHERE `+waiting+only+` ORDER BY f.created, f.id LIMIT 1`, args...).Scan(&id, &mt, &pages)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if mt != media.PDF {
			pages = 1 // a multi-page TIFF: its first page, as the packet shows
		}
		for p := 1; p <= min(max(pages, 1), maxOCRPages); p++ {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO page_text (file_id, page) VALUES (?, ?)`, id, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return count()
}

// pdfOnDisk keeps the last PDF written out for OCR, so the pages of one
// scan are drawn from one copy.
type pdfOnDisk struct{ fileID, path string }

func (p *pdfOnDisk) remove() {
	if p.path != "" {
		os.Remove(p.path)
	}
	p.fileID, p.path = "", ""
}

// readPage reads one page's words: a photo is turned upright first (in
// the sandbox, as print versions are), a PDF page is checked for its own
// text layer and otherwise drawn at 300 dpi.
func (s *Store) readPage(ctx context.Context, dir string, pdf *pdfOnDisk, fileID string, page int, mt string, orientation int, lang string) (PageText, error) {
	var img string
	switch {
	case mt == media.PDF:
		if pdf.fileID != fileID {
			pdf.remove()
			path := filepath.Join(dir, "scan.pdf")
			if err := s.copyOut(ctx, fileID, path); err != nil {
				return PageText{}, err
			}
			pdf.fileID, pdf.path = fileID, path
		}
		if text, err := ocr.PDFPageText(ctx, pdf.path, page); err == nil && len(text) >= minPageText {
			return PageText{Page: page, Status: OCRNone}, nil
		} else if errors.Is(err, ocr.ErrNoPoppler) {
			return PageText{}, err
		}
		out, err := ocr.RenderPDFPage(ctx, pdf.path, page, ocrDPI, dir)
		if err != nil {
			return PageText{}, err
		}
		img = out
	case ocrImageTypes[mt]:
		img = filepath.Join(dir, "photo")
		if (mt == media.JPEG || mt == media.PNG) && orientation <= 1 {
			if err := s.copyOut(ctx, fileID, img); err != nil {
				return PageText{}, err
			}
			break
		}
		// Turned (EXIF orientation), or a format tesseract may not read
		// as we do: an upright JPEG, made in the sandbox.
		r, err := s.OpenFile(ctx, fileID)
		if err != nil {
			return PageText{}, err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return PageText{}, err
		}
		jpg, _, _, err := sandbox.PrintImage(ctx, data, orientation, 10000, 10000, 92)
		if err != nil {
			return PageText{}, err
		}
		if err := os.WriteFile(img, jpg, 0o600); err != nil {
			return PageText{}, err
		}
	default:
		return PageText{Page: page, Status: OCRNone}, nil
	}
	defer os.Remove(img)
	p, err := ocr.Recognize(ctx, img, lang)
	if err != nil {
		return PageText{}, err
	}
	return PageText{Page: page, Status: OCRDone, Lang: p.Lang, Width: p.Width, Height: p.Height, Text: p.Text(), Words: p.Words}, nil
}

// copyOut writes a stored file's bytes to path (owner-only).
func (s *Store) copyOut(ctx context.Context, fileID, path string) error {
	r, err := s.OpenFile(ctx, fileID)
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// savePageText keeps one page's result and, when it read words, brings
// the search index of every document using the file up to date, in one
// short transaction. A page no longer pending (its file deleted
// meanwhile) is left alone.
func (s *Store) savePageText(ctx context.Context, fileID string, pt PageText) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE page_text SET status=?, lang=?, width=?, height=?, error=?, words=? WHERE file_id=? AND page=? AND status='pending'`,
			pt.Status, pt.Lang, pt.Width, pt.Height, pt.Error, packWords(pt.Words), fileID, pt.Page)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || pt.Status != OCRDone || len(pt.Words) == 0 {
			return nil
		}
		return reindexFile(ctx, tx, s, fileID)
	})
}

// reindexFile updates the search entries of the documents using a file.
func reindexFile(ctx context.Context, tx *sql.Tx, s *Store, fileID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT document_id FROM document_file WHERE file_id=?`, fileID)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		d, err := s.document(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := indexDocument(ctx, tx, &d); err != nil {
			return err
		}
	}
	return nil
}

// RetryFailedOCR puts pages whose OCR failed back in the queue (after
// Tesseract was installed or updated) and returns how many.
func (s *Store) RetryFailedOCR(ctx context.Context) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE page_text SET status='pending', error='' WHERE status='failed'`)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// PageText is what OCR read from one page of a stored file.
type PageText struct {
	Page   int
	Status string // OCRPending, OCRDone, OCRFailed or OCRNone
	Lang   string
	// Width and Height are the pixel size of the upright page image the
	// word boxes are measured in.
	Width, Height int
	Text          string
	Words         []ocr.Word
	Error         string // why OCR failed
}

// PageTexts returns the OCR results of a stored file's pages, in page
// order; none for a file OCR does not concern.
func (s *Store) PageTexts(ctx context.Context, fileID string) ([]PageText, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT page, status, lang, width, height, error, words FROM page_text WHERE file_id=? ORDER BY page`, fileID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PageText
	for rows.Next() {
		var pt PageText
		var words []byte
		if err := rows.Scan(&pt.Page, &pt.Status, &pt.Lang, &pt.Width, &pt.Height, &pt.Error, &words); err != nil {
			return nil, err
		}
		if pt.Words, err = unpackWords(words); err != nil {
			return nil, fmt.Errorf("page %d of file %s: %w", pt.Page, fileID, err)
		}
		pt.Text = ocr.Page{Words: pt.Words}.Text()
		out = append(out, pt)
	}
	return out, rows.Err()
}

// DocumentText is the text of a document's files, in page order: each
// file's PDF text layer, then what OCR read from its photos and scanned
// pages. Suggestions read it.
func (s *Store) DocumentText(ctx context.Context, documentID string) (string, error) {
	texts, err := shownTexts(ctx, s.db, documentID)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, t := range texts {
		for _, part := range []string{t.text, t.read} {
			if strings.TrimSpace(part) != "" {
				parts = append(parts, part)
			}
		}
	}
	return strings.Join(parts, "\n\n"), nil
}

// packWords packs words compactly, about 16 bytes a word: a version byte,
// then per word the uvarints x, y, w, h, line, the confidence as one byte
// and the text's length and bytes.
func packWords(words []ocr.Word) []byte {
	if len(words) == 0 {
		return nil
	}
	b := make([]byte, 0, 1+len(words)*16)
	b = append(b, 1)
	for _, w := range words {
		for _, v := range []int{w.X, w.Y, w.W, w.H, w.Line} {
			b = binary.AppendUvarint(b, uint64(max(v, 0)))
		}
		b = append(b, byte(min(max(w.Conf+0.5, 0), 100)))
		b = binary.AppendUvarint(b, uint64(len(w.Text)))
		b = append(b, w.Text...)
	}
	return b
}

var errPacked = errors.New("records: stored word boxes are damaged")

func unpackWords(b []byte) ([]ocr.Word, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if b[0] != 1 {
		return nil, errPacked
	}
	b = b[1:]
	var out []ocr.Word
	next := func() (int, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<30 {
			return 0, false
		}
		b = b[n:]
		return int(v), true
	}
	for len(b) > 0 {
		var w ocr.Word
		for _, dst := range []*int{&w.X, &w.Y, &w.W, &w.H, &w.Line} {
			v, ok := next()
			if !ok {
				return nil, errPacked
			}
			*dst = v
		}
		if len(b) == 0 {
			return nil, errPacked
		}
		w.Conf, b = float64(b[0]), b[1:]
		n, ok := next()
		if !ok || n > len(b) {
			return nil, errPacked
		}
		w.Text, b = string(b[:n]), b[n:]
		out = append(out, w)
	}
	return out, nil
}
