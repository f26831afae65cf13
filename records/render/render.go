// Package render draws the pages of stored documents as pictures for the
// app: thumbnails and a page large enough to read, each turned the way the
// user turned it (records.Page.Turn).
//
// PDF pages are drawn by PDFium, Google's PDF renderer (the one in
// Chrome), compiled to WebAssembly and run by wazero inside this process
// through github.com/klippa-app/go-pdfium: no cgo, and a file that crashes
// PDFium traps inside the WebAssembly sandbox, which has its own memory of
// at most MemoryLimit, instead of taking the window down; a page that
// takes longer than Timeout to draw has its instance killed. Photos are
// scaled and stood upright (EXIF orientation) by records/sandbox in a child
// process with limits, as for the packet.
//
// Thumbnails are kept in the library (records.Store.SaveDerived, a cache
// table that is safe to delete), so a document opens at once the second
// time. They are kept upright as the file is; the user's turn is applied
// when drawn, so turning a page needs no new thumbnail.
//
// The package imports records and never Fyne; records does not import it.
package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"secondopinion/records"
	"secondopinion/records/sandbox"
)

// Limits of one renderer.
var (
	// MemoryLimit is the most memory PDFium's WebAssembly instance may
	// have. A page of a scan at 300 dpi drawn 2,000 pixels wide needs
	// about 40 MB besides the file.
	MemoryLimit int64 = 1 << 30
	// Timeout is the longest one page may take to draw (a hostile or
	// broken file can make PDFium loop).
	Timeout = 20 * time.Second
	// MaxPDFSize is the largest PDF drawn: the whole file is copied into
	// PDFium's memory.
	MaxPDFSize int64 = 256 << 20
)

// ThumbSize is the box, in pixels, a thumbnail fits in: twice what the app
// shows, so it stays sharp on a screen scaled 200%.
const ThumbSize = 240

// thumbKind names a thumbnail of a file's page in the library's cache.
func thumbKind(page int) string { return fmt.Sprintf("thumb-%d-p%d", ThumbSize, page) }

// viewKind names the large version of a photo in the library's cache.
const viewKind = "view-2000"

// ErrTooLarge is returned for a PDF larger than MaxPDFSize.
var ErrTooLarge = errors.New("render: PDF too large to draw")

// Renderer draws pages of stored files. It is safe for concurrent use;
// PDF pages are drawn one at a time. One is enough for a process.
type Renderer struct {
	cacheDir string

	start sync.Once
	ready chan struct{} // closed when the pool is made (or failed)
	pool  pdfium.Pool
	err   error

	mu   sync.Mutex // one PDFium call at a time; guards inst and open
	inst pdfium.Pdfium
	open struct {
		store  *records.Store // the library of the open file
		fileID string
		doc    references.FPDF_DOCUMENT
	}
}

// New returns a renderer. cacheDir, when not empty, keeps wazero's
// compiled PDFium between runs (about 2 s of work on the first start, 55 ms
// after); the app passes a folder in the user's cache folder.
func New(cacheDir string) *Renderer {
	return &Renderer{cacheDir: cacheDir, ready: make(chan struct{})}
}

// Start makes PDFium ready in the background (it takes about 2 s the first
// time); calls that need it wait for it. Calling it is optional.
func (r *Renderer) Start() {
	r.start.Do(func() { go r.init() })
}

func (r *Renderer) init() {
	defer close(r.ready)
	features := api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling
	rc := wazero.NewRuntimeConfig().WithCoreFeatures(features).
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(uint32(MemoryLimit / 65536))
	if r.cacheDir != "" {
		if err := os.MkdirAll(r.cacheDir, 0o700); err == nil {
			if cache, err := wazero.NewCompilationCacheWithDir(r.cacheDir); err == nil {
				rc = rc.WithCompilationCache(cache)
			}
		}
	}
	r.pool, r.err = webassembly.Init(webassembly.Config{
		MinIdle: 1, MaxIdle: 1, MaxTotal: 1,
		RuntimeConfig: rc,
		// No file system: PDFium gets the bytes, never a path.
		FSConfig: wazero.NewFSConfig(),
		Stdout:   io.Discard, Stderr: io.Discard,
	})
	if r.err != nil {
		r.err = fmt.Errorf("render: start PDFium: %w", r.err)
	}
}

// Close stops PDFium.
func (r *Renderer) Close() error {
	r.Start()
	<-r.ready
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inst != nil {
		r.inst.Close()
		r.inst = nil
	}
	if r.pool != nil {
		return r.pool.Close()
	}
	return nil
}

// Thumbnail returns page p as a small picture (within ThumbSize pixels
// each way), turned as the user turned it.
func (r *Renderer) Thumbnail(ctx context.Context, s *records.Store, p records.Page) (image.Image, error) {
	kind := thumbKind(p.Page)
	if data, _, _, ok, err := s.Derived(ctx, p.File.ID, kind); err == nil && ok {
		if m, err := jpeg.Decode(bytes.NewReader(data)); err == nil {
			return Turn(m, p.Turn), nil
		}
	}
	var m image.Image
	var err error
	switch {
	case p.File.IsPDF():
		m, err = r.pdfPage(ctx, s, p.File, p.Page, ThumbSize, ThumbSize)
	case p.File.IsImage():
		m, err = photo(ctx, s, p.File, ThumbSize)
	default:
		return nil, fmt.Errorf("render: %s is neither a PDF nor a picture", p.File.Name)
	}
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 85}); err == nil {
		// A cache: a library that cannot take it (disk full) still shows
		// the thumbnail.
		_ = s.SaveDerived(ctx, p.File.ID, kind, buf.Bytes(), m.Bounds().Dx(), m.Bounds().Dy())
	}
	return Turn(m, p.Turn), nil
}

// Page returns page p fitted to width pixels (as wide as the page turned
// allows, never taller than 4 widths), turned as the user turned it.
func (r *Renderer) Page(ctx context.Context, s *records.Store, p records.Page, width int) (image.Image, error) {
	width = max(width, 16)
	var m image.Image
	var err error
	switch {
	case p.File.IsPDF():
		w, h := width, 4*width
		if p.Turn == 90 || p.Turn == 270 {
			// Drawn upright then turned: its height becomes the width.
			w, h = 4*width, width
		}
		m, err = r.pdfPage(ctx, s, p.File, p.Page, w, h)
	case p.File.IsImage():
		m, err = photoView(ctx, s, p.File)
	default:
		return nil, fmt.Errorf("render: %s is neither a PDF nor a picture", p.File.Name)
	}
	if err != nil {
		return nil, err
	}
	return Turn(m, p.Turn), nil
}

// photo returns a stored photo upright, within size pixels each way.
func photo(ctx context.Context, s *records.Store, f records.File, size int) (image.Image, error) {
	data, err := readAll(ctx, s, f)
	if err != nil {
		return nil, err
	}
	jpg, _, _, err := sandbox.PrintImage(ctx, data, f.Orientation, size, size, 85)
	if err != nil {
		return nil, err
	}
	return jpeg.Decode(bytes.NewReader(jpg))
}

// photoView is a photo large enough to read on any screen, kept in the
// library's cache: decoding a 12 MP photo takes a few tenths of a second.
func photoView(ctx context.Context, s *records.Store, f records.File) (image.Image, error) {
	if data, _, _, ok, err := s.Derived(ctx, f.ID, viewKind); err == nil && ok {
		if m, err := jpeg.Decode(bytes.NewReader(data)); err == nil {
			return m, nil
		}
	}
	src, err := readAll(ctx, s, f)
	if err != nil {
		return nil, err
	}
	jpg, w, h, err := sandbox.PrintImage(ctx, src, f.Orientation, 2000, 2000, 85)
	if err != nil {
		return nil, err
	}
	_ = s.SaveDerived(ctx, f.ID, viewKind, jpg, w, h)
	return jpeg.Decode(bytes.NewReader(jpg))
}

// pdfPage draws page (1-based) of a stored PDF within w×h pixels.
func (r *Renderer) pdfPage(ctx context.Context, s *records.Store, f records.File, page, w, h int) (image.Image, error) {
	if f.Size > MaxPDFSize {
		return nil, fmt.Errorf("%w: %s is %d bytes", ErrTooLarge, f.Name, f.Size)
	}
	r.Start()
	select {
	case <-r.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if r.err != nil {
		return nil, r.err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		m   image.Image
		err error
	}
	done := make(chan result, 1)
	inst, err := r.instance()
	if err != nil {
		return nil, err
	}
	var data []byte
	if r.open.fileID != f.ID || r.open.store != s {
		if data, err = readAll(ctx, s, f); err != nil {
			return nil, err
		}
	}
	go func() {
		m, err := r.draw(inst, s, f.ID, data, page, w, h)
		done <- result{m, err}
	}()
	timer := time.NewTimer(Timeout)
	defer timer.Stop()
	select {
	case res := <-done:
		return res.m, res.err
	case <-timer.C:
	case <-ctx.Done():
	}
	// PDFium is stuck on this file or no longer wanted: kill the instance
	// (wazero stops the running call) and start afresh next time.
	inst.Kill()
	<-done
	r.inst, r.open.fileID = nil, ""
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("render: page %d of %s took longer than %v", page, f.Name, Timeout)
}

// instance returns the PDFium instance, making one if need be. r.mu is held.
func (r *Renderer) instance() (pdfium.Pdfium, error) {
	if r.inst != nil {
		return r.inst, nil
	}
	inst, err := r.pool.GetInstance(30 * time.Second)
	if err != nil {
		return nil, fmt.Errorf("render: PDFium: %w", err)
	}
	r.inst, r.open.fileID = inst, ""
	return inst, nil
}

// draw opens the file in PDFium (unless it is the one open, when data is
// nil) and draws page. It runs on its own goroutine while pdfPage holds
// r.mu; a panic in the bindings becomes an error.
func (r *Renderer) draw(inst pdfium.Pdfium, s *records.Store, fileID string, data []byte, page, w, h int) (m image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("render: PDFium: %v", p)
		}
	}()
	if data != nil {
		if r.open.fileID != "" {
			inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: r.open.doc})
			r.open.fileID = ""
		}
		doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
		if err != nil {
			return nil, fmt.Errorf("render: open: %w", err)
		}
		r.open.store, r.open.fileID, r.open.doc = s, fileID, doc.Document
	}
	res, err := inst.RenderPageInPixels(&requests.RenderPageInPixels{
		Page:  requests.Page{ByIndex: &requests.PageByIndex{Document: r.open.doc, Index: page - 1}},
		Width: w, Height: h,
	})
	if err != nil {
		return nil, fmt.Errorf("render: page %d: %w", page, err)
	}
	defer res.Cleanup()
	// The pixels live in PDFium's memory until Cleanup: copy them out.
	src := res.Result.Image
	if src == nil {
		return nil, fmt.Errorf("render: page %d: no picture", page)
	}
	out := image.NewRGBA(src.Bounds())
	draw.Draw(out, out.Bounds(), src, src.Bounds().Min, draw.Src)
	return out, nil
}

// readAll reads a stored file whole.
func readAll(ctx context.Context, s *records.Store, f records.File) ([]byte, error) {
	rd, err := s.OpenFile(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	data := make([]byte, rd.Size())
	if _, err := io.ReadFull(rd, data); err != nil {
		return nil, err
	}
	return data, nil
}

// Turn returns m turned clockwise by degrees (0, 90, 180 or 270).
func Turn(m image.Image, degrees int) image.Image {
	degrees = ((degrees % 360) + 360) % 360
	if degrees == 0 {
		return m
	}
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if degrees != 180 {
		dw, dh = h, w
	}
	src := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(src, src.Bounds(), m, b.Min, draw.Src)
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		row := src.Pix[y*src.Stride:]
		for x := range w {
			var dx, dy int
			switch degrees {
			case 90:
				dx, dy = h-1-y, x
			case 180:
				dx, dy = w-1-x, h-1-y
			case 270:
				dx, dy = y, w-1-x
			}
			copy(out.Pix[dy*out.Stride+4*dx:dy*out.Stride+4*dx+4], row[4*x:4*x+4])
		}
	}
	return out
}

// CacheDir is where the app keeps wazero's compiled PDFium: a folder in
// the user's cache folder, or "" when there is none.
func CacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "secondopinion", "pdfium")
}
