package export_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"secondopinion/records/sandbox"
	"sync"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/export"
	"secondopinion/records"
)

// The benchmark packet: 60 phone photos of 12 megapixels and 40 PDFs with
// 400 pages in all, 100 documents. export/bench/compare.sh runs it side by
// side with ImageMagick and qpdf doing the same work.
var (
	benchPhotos   = 60
	benchPDFs     = 40
	benchPDFPages = envInt("BENCH_PDF_PAGES", 400) // compare.sh sets 940 for the 1,000-page memory check
)

func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err == nil && n > 0 {
		return n
	}
	return def
}

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// benchFixtures writes the photos and PDFs once per process, into
// $BENCH_DIR when set (compare.sh reads them from there), else into a
// temporary folder removed by TestMain.
func benchFixtures(tb testing.TB) string {
	tb.Helper()
	fixtureOnce.Do(func() {
		fixtureDir = os.Getenv("BENCH_DIR")
		if fixtureDir == "" {
			fixtureDir, fixtureErr = os.MkdirTemp("", "export-bench-")
		}
		if fixtureErr == nil {
			fixtureErr = makeFixtures(fixtureDir)
		}
	})
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	return fixtureDir
}

func TestMain(m *testing.M) {
	sandbox.Serve() // the test binary is also the child that reads files
	code := m.Run()
	if letterDir != "" {
		os.RemoveAll(letterDir)
	}
	if fixtureDir != "" && os.Getenv("BENCH_DIR") == "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func makeFixtures(dir string) error {
	photos, pdfs := filepath.Join(dir, "photos"), filepath.Join(dir, "pdfs")
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		return nil
	}
	for _, d := range []string{photos, pdfs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, benchPhotos)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range benchPhotos {
		path := filepath.Join(photos, fmt.Sprintf("photo-%02d.jpg", i+1))
		if _, err := os.Stat(path); err == nil {
			continue // made by an earlier run (compare.sh shares them)
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = os.WriteFile(path, cameraPhoto(i), 0o644)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for i := range benchPDFs {
		if err := os.WriteFile(filepath.Join(pdfs, fmt.Sprintf("letter-%02d.pdf", i+1)), letterPDF(i, benchPDFPages/benchPDFs), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
}

// cameraPhoto is a 4000×3000 JPEG at quality 90 that compresses like a
// photo (a lit page on a textured table, sensor noise), not like flat
// colour. Every other photo is stored sideways with EXIF orientation 6, as
// phones store portrait shots.
func cameraPhoto(seed int) []byte {
	const w, h = 4000, 3000
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	px, py := 500+r.IntN(300), 300+r.IntN(200) // the page
	for y := range h {
		for x := range w {
			var v int
			if x > px && x < w-px && y > py && y < h-py {
				v = 215 - (x-px)/60
				if (y-py)%90 < 14 && (x-px)%700 < 560 { // lines of text
					v = 60
				}
			} else {
				v = 90 + int(40*((x/37+y/23)%7)/7) // wood grain
			}
			v += r.IntN(24) - 12
			m.Y[y*m.YStride+x] = uint8(min(max(v, 0), 255))
		}
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = uint8(120+r.IntN(6)), uint8(134+r.IntN(6))
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90})
	if seed%2 == 1 {
		return withOrientation(buf.Bytes(), 6)
	}
	return buf.Bytes()
}

// withOrientation inserts a minimal EXIF segment holding the orientation.
func withOrientation(jpg []byte, o uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("II*\x00")
	binary.Write(&tiff, binary.LittleEndian, uint32(8))
	binary.Write(&tiff, binary.LittleEndian, uint16(1))
	binary.Write(&tiff, binary.LittleEndian, []uint16{0x0112, 3})
	binary.Write(&tiff, binary.LittleEndian, uint32(1))
	binary.Write(&tiff, binary.LittleEndian, []uint16{o, 0})
	binary.Write(&tiff, binary.LittleEndian, uint32(0))
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// letterPDF is a typed clinic letter of n pages.
func letterPDF(seed, n int) []byte {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 11)
	for p := range n {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "B", 14)
		pdf.Cell(0, 10, fmt.Sprintf("Clinic letter %d, page %d of %d", seed+1, p+1, n))
		pdf.Ln(14)
		pdf.SetFont("Helvetica", "", 11)
		for range 6 {
			pdf.MultiCell(0, 5.5, "Thank you for referring this patient, whom I saw today in the breast clinic. "+
				"Examination showed a 2 cm mobile lump in the upper outer quadrant. Ultrasound and biopsy were arranged; "+
				"we will discuss the results and the options for treatment at the next appointment.", "", "L", false)
			pdf.Ln(3)
		}
	}
	var buf bytes.Buffer
	pdf.Output(&buf)
	return buf.Bytes()
}

// benchLibrary catalogues the fixtures as 100 documents of one person.
func benchLibrary(tb testing.TB, dir string) (*records.Store, export.Options) {
	tb.Helper()
	ctx := context.Background()
	s, _ := newStore(tb)
	p := records.Person{FullName: "Ελένη Παπαδοπούλου", DateOfBirth: records.MustDate("1950-05-03")}
	if err := s.SavePerson(ctx, &p); err != nil {
		tb.Fatal(err)
	}
	c := records.Case{PersonID: p.ID, Title: "Benchmark"}
	if err := s.SaveCase(ctx, &c); err != nil {
		tb.Fatal(err)
	}
	for i := range benchPDFs {
		addDoc(tb, s, p.ID, records.Document{Kind: records.KindClinicLetter, Date: records.MustDate(fmt.Sprintf("2025-%02d", i%12+1))},
			filepath.Join(dir, "pdfs", fmt.Sprintf("letter-%02d.pdf", i+1)))
	}
	for i := range benchPhotos {
		addDoc(tb, s, p.ID, records.Document{Kind: records.KindResults, Date: records.MustDate(fmt.Sprintf("2026-%02d", i%12+1))},
			filepath.Join(dir, "photos", fmt.Sprintf("photo-%02d.jpg", i+1)))
	}
	return s, export.Options{PersonID: p.ID, CaseID: c.ID}
}

// BenchmarkWritePacket exports the 100-document packet. "first" is the
// first export of a library (every photo is shrunk); "again" is a later
// export, when the photos' print versions are kept in the library.
func BenchmarkWritePacket(b *testing.B) {
	dir := benchFixtures(b)
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s, opt := benchLibrary(b, dir)
			out := filepath.Join(b.TempDir(), "packet.pdf")
			b.StartTimer()
			start, cpu := time.Now(), cpuTime()
			res, err := export.WritePacket(context.Background(), s, out, opt)
			if err != nil {
				b.Fatal(err)
			}
			cpu = cpuTime() - cpu
			b.ReportMetric(float64(res.Bytes)/(1<<20), "MB")
			b.ReportMetric(float64(res.Pages), "pages")
			b.ReportMetric(cpu.Seconds(), "cpu-s")
			b.Logf("first export: %d documents, %d pages, %.1f MB in %v (CPU %v)", res.Documents, res.Pages, float64(res.Bytes)/(1<<20),
				time.Since(start).Round(time.Millisecond), cpu.Round(time.Millisecond))
		}
	})
	b.Run("again", func(b *testing.B) {
		s, opt := benchLibrary(b, dir)
		out := filepath.Join(b.TempDir(), "packet.pdf")
		if _, err := export.WritePacket(context.Background(), s, out, opt); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := export.WritePacket(context.Background(), s, out, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestBenchFixtures writes the benchmark's inputs to $BENCH_DIR for
// compare.sh; without BENCH_DIR it only checks that a photo looks like one.
func TestBenchFixtures(t *testing.T) {
	if os.Getenv("BENCH_DIR") != "" {
		benchFixtures(t)
		return
	}
	jpg := cameraPhoto(1)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg))
	if err != nil || cfg.Width != 4000 || cfg.Height != 3000 || cfg.ColorModel != color.YCbCrModel {
		t.Fatalf("cameraPhoto = %v, %+v; want a 4000×3000 colour JPEG", err, cfg)
	}
	if len(jpg) < 1<<20 {
		t.Errorf("cameraPhoto is %d bytes; a 12 MP phone photo is 2-5 MB, so the benchmark would flatter us", len(jpg))
	}
}
