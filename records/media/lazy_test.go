package media

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The lazy road for large PDFs must agree with pdfcpu's on every corpus
// PDF it opens: same page count, and it steps aside for encrypted files.
func TestInspectPDFLazyAgrees(t *testing.T) {
	dir := corpusDir(t, "pdf")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	opened := 0
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			lazy, ok, err := inspectPDFLazy(context.Background(), f, st.Size())
			if !ok {
				return // pdfcpu reads it instead
			}
			if err != nil || lazy.BadPages != nil {
				t.Errorf("inspectPDFLazy(%s) = bad pages %v, %v; want a sound PDF", filepath.Base(p), lazy.BadPages, err)
			}
			opened++
			pc, err := readPDF(context.Background(), f)
			if err != nil {
				t.Fatalf("lazy road opened %s, pdfcpu refuses it: %v", filepath.Base(p), err)
			}
			if pc.Encrypt != nil {
				t.Errorf("lazy road took an encrypted PDF; it must leave those to pdfcpu")
			}
			if lazy.Pages != pc.PageCount {
				t.Errorf("inspectPDFLazy pages = %d, want %d (pdfcpu)", lazy.Pages, pc.PageCount)
			}
		})
	}
	if opened < len(paths)/2 {
		t.Errorf("the lazy road opened %d of %d corpus PDFs; expected most", opened, len(paths))
	}
}

// A large scan is inspected without being loaded whole: allocation during
// Inspect stays far below the file's size.
func TestInspectLargePDFReadsLazily(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scan.pdf")
	size := bigPDF(t, path, LazyPDFSize+8<<20)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	info, err := Inspect(context.Background(), f, size, PDF)
	runtime.ReadMemStats(&after)
	if err != nil || info.Pages != 1 || !strings.Contains(info.Text, "Large scan") {
		t.Fatalf("Inspect(%d MB PDF) = %d pages, text %q, %v; want 1 page with its text", size>>20, info.Pages, info.Text, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(size)/4 {
		t.Errorf("Inspect allocated %d MB for a %d MB PDF; it must not load the file whole", alloc>>20, size>>20)
	}
}

// bigPDF writes a one-page PDF with a line of text and an image stream of
// about n bytes, and returns the file's size.
func bigPDF(t *testing.T, path string, n int) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var offs [7]int64
	var pos int64
	w := func(b []byte) {
		k, err := f.Write(b)
		if err != nil {
			t.Fatal(err)
		}
		pos += int64(k)
	}
	obj := func(i int, body string) {
		offs[i] = pos
		w([]byte(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", i, body)))
	}
	w([]byte("%PDF-1.4\n"))
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> /XObject << /Im1 5 0 R >> >> >>")
	content := "BT /F1 12 Tf 72 720 Td (Large scan) Tj ET q 400 0 0 300 72 300 cm /Im1 Do Q"
	obj(4, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	side := 1
	for (side+1)*(side+1)*3 <= n {
		side++
	}
	offs[5] = pos
	w([]byte(fmt.Sprintf("5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n", side, side, side*side*3)))
	row := bytes.Repeat([]byte{200, 180, 160}, side)
	for range side {
		w(row)
	}
	w([]byte("\nendstream\nendobj\n"))
	obj(6, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	xref := pos
	w([]byte("xref\n0 7\n0000000000 65535 f \n"))
	for i := 1; i <= 6; i++ {
		w([]byte(fmt.Sprintf("%010d 00000 n \n", offs[i])))
	}
	w([]byte(fmt.Sprintf("trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", xref)))
	return pos
}
