package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

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

// queueOCR queues the pages of a newly stored file that OCR should read:
// a photo's one page, or each page of a PDF whose text layer is too thin
// to be anything but a scan. It runs inside the add's transaction.
func queueOCR(ctx context.Context, tx *sql.Tx, fileID string, info media.Info) error {
	pages := 0
	switch {
	case ocrImageTypes[info.MediaType]:
		pages = 1
	case info.MediaType == media.PDF && len(strings.TrimSpace(info.Text)) < minPageText*max(info.Pages, 1):
		pages = max(info.Pages, 1)
	}
	for p := 1; p <= pages; p++ {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO page_text (file_id, page) VALUES (?, ?)`, fileID, p); err != nil {
			return err
		}
	}
	return nil
}

// OCRCounts says how many pages wait for OCR, have been read, and could
// not be read.
type OCRCounts struct {
	Pending, Done, Failed int
}

// OCRCounts counts the pages of stored files by OCR state.
func (s *Store) OCRCounts(ctx context.Context) (OCRCounts, error) {
	var c OCRCounts
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM page_text p JOIN file f ON f.id = p.file_id WHERE f.staged = '' GROUP BY status`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return c, err
		}
		switch st {
		case OCRPending:
			c.Pending = n
		case OCRDone:
			c.Done = n
		case OCRFailed:
			c.Failed = n
		}
	}
	return c, rows.Err()
}

// OCROptions tune RunOCR.
type OCROptions struct {
	// Lang is the Tesseract language ("eng", "eng+deu"); an empty or
	// uninstalled one falls back to English.
	Lang string
	// Files, when set, limits the run to these stored files (what an add
	// just stored).
	Files []string
	// Progress, when set, is told after each page how many pages are done
	// in this run and how many there are in all (more may be queued while
	// it runs). It is called on RunOCR's goroutine.
	Progress func(done, total int)
}

// OCRResult says what a RunOCR did.
type OCRResult struct {
	Done, Failed int
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
	if err := ocr.Available(); err != nil {
		return res, &Problem{Msg: ocr.InstallHint, Err: err}
	}
	installed, err := ocr.Languages(ctx)
	if err != nil {
		return res, &Problem{Msg: "Tesseract is installed but does not answer, so no text was read from photos. " + ocr.InstallHint, Err: err}
	}
	lang := ocr.PickLanguage(installed, opt.Lang)
	dir, err := PrivateTemp("secondopinion-ocr-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	only, args := "", []any{}
	if len(opt.Files) > 0 {
		only = " AND p.file_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(opt.Files)), ",") + ")"
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
		var pending int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM page_text p JOIN file f ON f.id = p.file_id
			WHERE p.status = 'pending' AND f.staged = ''`+only, args...).Scan(&pending); err != nil {
			return res, s.wrapWrite(err)
		}
		if pending == 0 {
			return res, nil
		}
		var fileID, mt, name string
		var page, orientation int
		err := s.db.QueryRowContext(ctx, `SELECT p.file_id, p.page, f.media_type, f.orientation, f.name FROM page_text p JOIN file f ON f.id = p.file_id
			WHERE p.status = 'pending' AND f.staged = ''`+only+` ORDER BY p.rowid LIMIT 1`, args...).Scan(&fileID, &page, &mt, &orientation, &name)
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
		} else {
			res.Done++
		}
		if opt.Progress != nil {
			opt.Progress(res.Done+res.Failed, res.Done+res.Failed+pending-1)
		}
	}
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

// savePageText keeps one page's result and brings the search index of
// every document using the file up to date, in one short transaction. A
// page no longer pending (its file deleted meanwhile) is left alone.
func (s *Store) savePageText(ctx context.Context, fileID string, pt PageText) error {
	words, err := encodeWords(pt.Words)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE page_text SET status=?, lang=?, width=?, height=?, error=?, text=?, words=? WHERE file_id=? AND page=? AND status='pending'`,
			pt.Status, pt.Lang, pt.Width, pt.Height, pt.Error, pt.Text, words, fileID, pt.Page)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || pt.Status != OCRDone {
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
	rows, err := s.db.QueryContext(ctx, `SELECT page, status, lang, width, height, error, text, words FROM page_text WHERE file_id=? ORDER BY page`, fileID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PageText
	for rows.Next() {
		var pt PageText
		var words string
		if err := rows.Scan(&pt.Page, &pt.Status, &pt.Lang, &pt.Width, &pt.Height, &pt.Error, &pt.Text, &words); err != nil {
			return nil, err
		}
		if pt.Words, err = decodeWords(words); err != nil {
			return nil, fmt.Errorf("page %d of file %s: %w", pt.Page, fileID, err)
		}
		out = append(out, pt)
	}
	return out, rows.Err()
}

// DocumentText is the OCR text of a document's pages, in page order.
func (s *Store) DocumentText(ctx context.Context, documentID string) (string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.text FROM document_file df JOIN page_text p ON p.file_id = df.file_id
		WHERE df.document_id=? AND p.status='done' ORDER BY df.position, p.page`, documentID)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return "", err
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, "\n\n"), rows.Err()
}

// encodeWords packs words as [[x,y,w,h,conf,line,"text"],...].
func encodeWords(words []ocr.Word) (string, error) {
	if len(words) == 0 {
		return "", nil
	}
	rows := make([][]any, len(words))
	for i, w := range words {
		rows[i] = []any{w.X, w.Y, w.W, w.H, int(w.Conf + 0.5), w.Line, w.Text}
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

func decodeWords(s string) ([]ocr.Word, error) {
	if s == "" {
		return nil, nil
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		return nil, err
	}
	out := make([]ocr.Word, 0, len(rows))
	for _, r := range rows {
		if len(r) != 7 {
			return nil, errors.New("word box is not 7 values")
		}
		var w ocr.Word
		var conf int
		for i, dst := range []any{&w.X, &w.Y, &w.W, &w.H, &conf, &w.Line, &w.Text} {
			if err := json.Unmarshal(r[i], dst); err != nil {
				return nil, err
			}
		}
		w.Conf = float64(conf)
		out = append(out, w)
	}
	return out, nil
}
