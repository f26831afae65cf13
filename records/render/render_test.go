package render_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/records"
	"secondopinion/records/render"
	"secondopinion/records/sandbox"
)

// cacheDir keeps wazero's compiled PDFium for the tests, as the app's user
// cache folder does between runs: in the temporary folder, kept between
// runs as Go keeps its build cache (compiling PDFium takes about 3 s, 47 s
// under -race). The ui tests share it.
var cacheDir = filepath.Join(os.TempDir(), "secondopinion-test-pdfium")

func TestMain(m *testing.M) {
	sandbox.Serve()
	os.Exit(m.Run())
}

type fixture struct {
	s   *records.Store
	r   *render.Renderer
	doc records.Document
}

// newFixture adds a two-page A4 PDF whose second page has a black square
// in its top-left corner, and a 300×200 photo stored turned (EXIF 6)
// with a black top-left corner as taken.
func newFixture(t testing.TB) fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := records.Open(ctx, filepath.Join(dir, "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 20)
	pdf.AddPage()
	pdf.Text(20, 40, "First page")
	pdf.AddPage()
	pdf.SetFillColor(0, 0, 0)
	pdf.Rect(0, 0, 80, 80, "F")
	path := filepath.Join(dir, "letter.pdf")
	if err := pdf.OutputFileAndClose(path); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(dir, "photo.jpg")
	if err := os.WriteFile(photo, exifJPEG(t, 300, 200, 6), 0o600); err != nil {
		t.Fatal(err)
	}
	p := records.Person{FullName: "Ana Lima"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	d := records.Document{PersonID: p.ID, Title: "Letter"}
	if err := s.AddDocument(ctx, &d, []string{path, photo}, records.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err = s.Document(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := render.New(cacheDir)
	t.Cleanup(func() { r.Close() })
	return fixture{s, r, d}
}

// exifJPEG is a w×h grey JPEG, black in its top-left quarter as stored,
// with an EXIF orientation.
func exifJPEG(t testing.TB, w, h, orientation int) []byte {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(230)
			if x < w/2 && y < h/2 {
				v = 0
			}
			m.SetGray(x, y, color.Gray{v})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// APP1 Exif: a little-endian TIFF header and one IFD entry,
	// Orientation (0x0112), SHORT, 1 value.
	tiff := []byte{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, byte(orientation), 0, 0, 0, 0, 0, 0, 0}
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	out := append([]byte{0xFF, 0xD8}, seg...)
	out = append(out, app1...)
	return append(out, b.Bytes()[2:]...)
}

// dark reports whether the region (fractions of the picture) is mostly dark.
func dark(m image.Image, x0, y0, x1, y1 float64) bool {
	b := m.Bounds()
	var sum, n int
	for y := b.Min.Y + int(y0*float64(b.Dy())); y < b.Min.Y+int(y1*float64(b.Dy())); y++ {
		for x := b.Min.X + int(x0*float64(b.Dx())); x < b.Min.X+int(x1*float64(b.Dx())); x++ {
			g := color.GrayModel.Convert(m.At(x, y)).(color.Gray)
			sum += int(g.Y)
			n++
		}
	}
	return n > 0 && sum/n < 80
}

func TestThumbnailPDF(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	pages := fx.doc.PageList()
	if len(pages) != 3 {
		t.Fatalf("PageList() = %d pages, want 3", len(pages))
	}
	m, err := fx.r.Thumbnail(ctx, fx.s, pages[1])
	if err != nil {
		t.Fatalf("Thumbnail(page 2) = %v", err)
	}
	b := m.Bounds()
	// A4 within 240×240: 170×240.
	if b.Dy() != render.ThumbSize || b.Dx() < 165 || b.Dx() > 175 {
		t.Errorf("thumbnail is %v, want about 170×240 (A4 upright)", b.Size())
	}
	if !dark(m, 0.05, 0.05, 0.35, 0.2) || dark(m, 0.6, 0.6, 0.95, 0.95) {
		t.Errorf("thumbnail of page 2: want its black square at the top left and white elsewhere")
	}
	if _, _, _, ok, _ := fx.s.Derived(ctx, pages[1].File.ID, "thumb-240-p2"); !ok {
		t.Error("the thumbnail was not kept in the library")
	}
	// Turned right: landscape, the square now top right.
	pages[1].Turn = 90
	m, err = fx.r.Thumbnail(ctx, fx.s, pages[1])
	if err != nil {
		t.Fatal(err)
	}
	if b := m.Bounds(); b.Dx() != render.ThumbSize || !dark(m, 0.8, 0.05, 0.95, 0.35) || dark(m, 0.05, 0.6, 0.4, 0.95) {
		t.Errorf("thumbnail turned right is %v, want 240 wide with the square at the top right", b.Size())
	}
	// A large page fits the width asked for.
	big, err := fx.r.Page(ctx, fx.s, pages[0], 900)
	if err != nil {
		t.Fatal(err)
	}
	if big.Bounds().Dx() != 900 {
		t.Errorf("Page(900) is %v wide, want 900", big.Bounds().Dx())
	}
}

func TestThumbnailPhotoUpright(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	p := fx.doc.PageList()[2]
	m, err := fx.r.Thumbnail(ctx, fx.s, p)
	if err != nil {
		t.Fatalf("Thumbnail(photo) = %v", err)
	}
	// Stored 300×200 with EXIF 6 (turn right to view): 160×240 upright,
	// the stored top-left corner now at the top right.
	if b := m.Bounds(); b.Dx() != 160 || b.Dy() != 240 || !dark(m, 0.6, 0.05, 0.95, 0.4) || dark(m, 0.05, 0.6, 0.4, 0.95) {
		t.Errorf("photo thumbnail is %v, want 160×240 stood upright by its EXIF orientation", b.Size())
	}
	p.Turn = 270
	m, err = fx.r.Page(ctx, fx.s, p, 500)
	if err != nil {
		t.Fatal(err)
	}
	// Upright then turned left: landscape again, the corner at the top left.
	if b := m.Bounds(); b.Dx() <= b.Dy() || !dark(m, 0.05, 0.05, 0.4, 0.4) {
		t.Errorf("photo turned left is %v, want landscape with the dark corner at the top left", b.Size())
	}
}

func TestRenderDamagedPDF(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	p := fx.doc.PageList()[0]
	p.Page = 7 // no such page
	if _, err := fx.r.Thumbnail(ctx, fx.s, p); err == nil {
		t.Error("Thumbnail(page 7 of 2) = nil error")
	}
	// The renderer still works afterwards.
	if _, err := fx.r.Thumbnail(ctx, fx.s, fx.doc.PageList()[0]); err != nil {
		t.Errorf("Thumbnail after an error = %v", err)
	}
}

// BenchmarkThumbnail measures a thumbnail drawn by PDFium (the library's
// cache emptied each time) and one read back from the cache.
func BenchmarkThumbnail(b *testing.B) {
	ctx := context.Background()
	fx := newFixture(b)
	p := fx.doc.PageList()[1]
	if _, err := fx.r.Thumbnail(ctx, fx.s, p); err != nil { // PDFium started
		b.Fatal(err)
	}
	b.Run("drawn", func(b *testing.B) {
		for b.Loop() {
			fx.s.SaveDerived(ctx, p.File.ID, "thumb-240-p2", []byte("x"), 0, 0) // not a JPEG: drawn again
			if _, err := fx.r.Thumbnail(ctx, fx.s, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A real letter (Word, text-heavy) from the shared corpus, and a
	// 12-megapixel phone photo (drawn in the sandbox's child process).
	if raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "corpus", "ccda", "unstructured-reference", "UD_sample.pdf")); err == nil {
		path := filepath.Join(b.TempDir(), "letter.pdf")
		os.WriteFile(path, raw, 0o600)
		d := records.Document{PersonID: fx.doc.PersonID}
		if err := fx.s.AddDocument(ctx, &d, []string{path}, records.AddOptions{}); err != nil {
			b.Fatal(err)
		}
		lp := d.PageList()[0]
		b.Run("drawn-letter", func(b *testing.B) {
			for b.Loop() {
				fx.s.SaveDerived(ctx, lp.File.ID, "thumb-240-p1", []byte("x"), 0, 0)
				if _, err := fx.r.Thumbnail(ctx, fx.s, lp); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("page-1600-letter", func(b *testing.B) {
			for b.Loop() {
				if _, err := fx.r.Page(ctx, fx.s, lp, 1600); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	photo := filepath.Join(b.TempDir(), "photo.jpg")
	os.WriteFile(photo, exifJPEG(b, 4000, 3000, 6), 0o600)
	pd := records.Document{PersonID: fx.doc.PersonID}
	if err := fx.s.AddDocument(ctx, &pd, []string{photo}, records.AddOptions{}); err != nil {
		b.Fatal(err)
	}
	pp := pd.PageList()[0]
	b.Run("drawn-photo-12MP", func(b *testing.B) {
		for b.Loop() {
			fx.s.SaveDerived(ctx, pp.File.ID, "thumb-240-p1", []byte("x"), 0, 0)
			if _, err := fx.r.Thumbnail(ctx, fx.s, pp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := fx.r.Thumbnail(ctx, fx.s, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStart measures making PDFium ready and drawing a first page,
// with wazero's compilation cache empty (the app's first start) and
// filled (every start after).
func BenchmarkStart(b *testing.B) {
	ctx := context.Background()
	fx := newFixture(b)
	p := fx.doc.PageList()[0]
	for _, tt := range []struct {
		name   string
		cached bool
	}{{"first", false}, {"cached", true}} {
		b.Run(tt.name, func(b *testing.B) {
			dir := b.TempDir()
			for b.Loop() {
				if !tt.cached {
					os.RemoveAll(dir)
				}
				r := render.New(dir)
				if _, err := r.Page(ctx, fx.s, p, 400); err != nil {
					b.Fatal(err)
				}
				r.Close()
			}
		})
	}
}

// TestRenderTimeoutRecovers: a page that takes longer than Timeout has its
// PDFium instance killed and is refused with an error; the next page is
// drawn by a fresh instance.
func TestRenderTimeoutRecovers(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	p := fx.doc.PageList()[1]
	if _, err := fx.r.Page(ctx, fx.s, p, 300); err != nil { // PDFium started
		t.Fatal(err)
	}
	was := render.Timeout
	render.Timeout = time.Nanosecond
	_, err := fx.r.Page(ctx, fx.s, p, 3000)
	render.Timeout = was
	if err == nil || !strings.Contains(err.Error(), "took longer than") {
		t.Fatalf("Page with a 1 ns limit = %v, want it stopped", err)
	}
	m, err := fx.r.Page(ctx, fx.s, p, 300)
	if err != nil || m.Bounds().Dx() != 300 {
		t.Fatalf("Page after a stopped one = %v, %v; want a fresh instance to draw it", m, err)
	}
	// A cancelled request stops too.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := fx.r.Page(cctx, fx.s, fx.doc.PageList()[0], 300); err == nil {
		t.Error("Page with a cancelled context = nil error")
	}
}
