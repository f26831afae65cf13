package media

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// testPDF describes a PDF written by writeTestPDF: pages pages, each with
// a line of text in a shared font and an incompressible 48×48 image, the
// page tree first (as pypdf and many web exporters write it, so that a
// file cut short still declares all its pages).
type testPDF struct {
	pages          int
	corruptContent int   // page whose content stream has corrupt Flate data
	missingFont    int   // page whose font reference points at no object
	missingImage   int   // page whose image reference points at no object
	shiftXref      int64 // added to every offset in the xref table
}

// write returns the file and, for each page, the offset where its last
// object ends: a cut before that offset damages the page.
func (tp testPDF) write(t testing.TB) (data []byte, pageEnds []int) {
	t.Helper()
	var b bytes.Buffer
	offs := map[int]int{}
	obj := func(nr int, body string, stream []byte) {
		offs[nr] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\n", nr, body)
		if stream != nil {
			b.WriteString("stream\n")
			b.Write(stream)
			b.WriteString("\nendstream\n")
		}
		b.WriteString("endobj\n")
	}
	deflate := func(p []byte) []byte {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(p)
		w.Close()
		return z.Bytes()
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	kids := make([]string, tp.pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 4+3*i)
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 595 842] >>", strings.Join(kids, " "), tp.pages), nil)
	obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", nil)
	r := rand.New(rand.NewPCG(9, uint64(tp.pages)))
	for i := range tp.pages {
		p := i + 1
		page, content, img := 4+3*i, 5+3*i, 6+3*i
		font, image := "3 0 R", fmt.Sprintf("%d 0 R", img)
		if p == tp.missingFont {
			font = "999 0 R"
		}
		if p == tp.missingImage {
			image = "998 0 R"
		}
		obj(page, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Contents %d 0 R /Resources << /Font << /F1 %s >> /XObject << /Im1 %s >> >> >>", content, font, image), nil)
		text := fmt.Sprintf("BT /F1 24 Tf 72 760 Td (Page %d of %d) Tj ET q 300 0 0 300 72 400 cm /Im1 Do Q\n", p, tp.pages)
		text += strings.Repeat("% padding so that the stream is worth compressing\n", 20)
		z := deflate([]byte(text))
		if p == tp.corruptContent {
			for j := 10; j < len(z)-8; j += 3 {
				z[j] ^= 0x5a
			}
		}
		obj(content, fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>", len(z)), z)
		pix := make([]byte, 48*48*3)
		for j := range pix {
			pix[j] = byte(r.UintN(256))
		}
		z = deflate(pix)
		obj(img, fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width 48 /Height 48 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d /Filter /FlateDecode >>", len(z)), z)
		pageEnds = append(pageEnds, b.Len())
	}
	n := 4 + 3*tp.pages
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", n)
	for nr := 1; nr < n; nr++ {
		fmt.Fprintf(&b, "%010d 00000 n \n", int64(offs[nr])+tp.shiftXref)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", n, xref)
	return b.Bytes(), pageEnds
}

// inspectBytes runs Inspect on a PDF held in memory.
func inspectBytes(data []byte) (Info, error) {
	return Inspect(context.Background(), bytes.NewReader(data), int64(len(data)), PDF)
}

// qpdfCheck runs qpdf --check and qpdf --show-npages on a PDF; it returns
// false when qpdf is not installed.
func qpdfCheck(t *testing.T, data []byte) (npages int, ok bool) {
	t.Helper()
	qpdf, err := exec.LookPath("qpdf")
	if err != nil {
		return 0, false
	}
	path := filepath.Join(t.TempDir(), "check.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check = %v, want success:\n%s", err, msg)
	}
	out, err := exec.Command(qpdf, "--show-npages", path).Output()
	if err != nil {
		t.Errorf("qpdf --show-npages = %v", err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n, true
}

func TestPageRanges(t *testing.T) {
	tests := []struct {
		pages []int
		want  string
	}{
		{nil, ""},
		{[]int{3}, "page 3"},
		{[]int{2, 3}, "pages 2 and 3"},
		{[]int{2, 3, 4, 5, 6}, "pages 2 to 6"},
		{[]int{2, 4, 7, 8, 9}, "pages 2, 4 and 7 to 9"},
		{[]int{9, 7, 2, 8, 4, 4}, "pages 2, 4 and 7 to 9"},
		{[]int{1, 3}, "pages 1 and 3"},
		{[]int{1, 2, 3, 5, 6, 8}, "pages 1 to 3, 5, 6 and 8"},
	}
	for _, tt := range tests {
		if got := PageRanges(tt.pages); got != tt.want {
			t.Errorf("PageRanges(%v) = %q, want %q", tt.pages, got, tt.want)
		}
	}
}

func TestDamagedPDFErrorSentence(t *testing.T) {
	tests := []struct {
		err  DamagedPDFError
		want string
	}{
		{DamagedPDFError{Pages: 6, Bad: []int{2, 3, 4, 5, 6}}, "This PDF looks cut short or damaged: pages 2 to 6 cannot be read. Download it again from where you got it, and add the new copy."},
		{DamagedPDFError{Pages: 6, Bad: []int{3}}, "This PDF looks cut short or damaged: page 3 cannot be read. Download it again from where you got it, and add the new copy."},
		{DamagedPDFError{Pages: 6, Bad: []int{1, 2, 3, 4, 5, 6}}, "This PDF looks cut short or damaged: none of its 6 pages can be read. Download it again from where you got it, and add the new copy."},
		{DamagedPDFError{Pages: 1, Bad: []int{1}}, "This PDF looks cut short or damaged: its page cannot be read. Download it again from where you got it, and add the new copy."},
		{DamagedPDFError{Pages: 6, CutShort: true}, "This PDF looks cut short: its end is missing, although its pages can be read. Download it again from where you got it, and add the new copy."},
	}
	for _, tt := range tests {
		if got := tt.err.Sentence(); got != tt.want {
			t.Errorf("Sentence(%v) = %q, want %q", tt.err.Bad, got, tt.want)
		}
		if !errors.Is(&tt.err, ErrUnreadable) {
			t.Errorf("DamagedPDFError does not wrap ErrUnreadable")
		}
	}
	e := DamagedPDFError{Pages: 6, Bad: []int{2, 4, 5}}
	if got, want := e.Sound(), []int{1, 3, 6}; !slices.Equal(got, want) {
		t.Errorf("Sound() = %v, want %v", got, want)
	}
}

// damagedPages asserts that err is a *DamagedPDFError listing bad out of
// pages, consistent with info.
func damagedPages(t *testing.T, info Info, err error, pages int, bad []int) *DamagedPDFError {
	t.Helper()
	var d *DamagedPDFError
	if !errors.As(err, &d) {
		t.Fatalf("Inspect = %d pages, %v; want a *DamagedPDFError", info.Pages, err)
	}
	if !errors.Is(err, ErrUnreadable) {
		t.Errorf("Inspect error %v does not wrap ErrUnreadable", err)
	}
	if d.Pages != pages || !slices.Equal(d.Bad, bad) {
		t.Errorf("Inspect = %s of %d bad, want %s of %d", PageRanges(d.Bad), d.Pages, PageRanges(bad), pages)
	}
	if info.Pages != d.Pages || !slices.Equal(info.BadPages, d.Bad) || info.MediaType != PDF {
		t.Errorf("Inspect info = %s, %d pages, bad %v; want %s, %d, %v", info.MediaType, info.Pages, info.BadPages, PDF, d.Pages, d.Bad)
	}
	return d
}

// A download that stopped: the page tree declares every page, but the
// later pages' objects are missing. Inspect names the missing pages, and
// KeepPages writes a sound PDF of the others.
func TestInspectCutShortPDF(t *testing.T) {
	data, ends := testPDF{pages: 6}.write(t)
	if info, err := inspectBytes(data); err != nil || info.Pages != 6 || len(info.BadPages) != 0 {
		t.Fatalf("Inspect(whole) = %d pages, bad %v, %v; want 6, none, nil", info.Pages, info.BadPages, err)
	}
	for _, cut := range []int{20 << 10, len(data) / 2, len(data) - 1024} {
		t.Run(strconv.Itoa(cut), func(t *testing.T) {
			var bad []int
			for i, end := range ends {
				if end > cut {
					bad = append(bad, i+1)
				}
			}
			if len(bad) == 0 {
				t.Fatalf("cut %d of %d damages no page; the test PDF is too small", cut, len(data))
			}
			info, err := inspectBytes(data[:cut])
			d := damagedPages(t, info, err, 6, bad)
			if want := "pages cannot be read"; len(bad) == 1 {
				want = "page " + strconv.Itoa(bad[0]) + " cannot be read"
				if !strings.Contains(d.Sentence(), want) {
					t.Errorf("Sentence() = %q, want it to contain %q", d.Sentence(), want)
				}
			}
			// The text reader cannot open a file without its end, so
			// info.Text is empty; the kept copy has the text.
			sound := d.Sound()

			var out bytes.Buffer
			if err := KeepPages(context.Background(), bytes.NewReader(data[:cut]), &out, sound); err != nil {
				t.Fatalf("KeepPages(%v) = %v", sound, err)
			}
			kept, err := inspectBytes(out.Bytes())
			if err != nil || kept.Pages != len(sound) {
				t.Errorf("Inspect(KeepPages(%v)) = %d pages, %v; want %d, nil", sound, kept.Pages, err, len(sound))
			}
			for i, p := range sound {
				if !strings.Contains(kept.Text, fmt.Sprintf("Page %d of 6", p)) {
					t.Errorf("KeepPages page %d lacks the text of page %d: %.80q", i+1, p, kept.Text)
				}
			}
			if n, ok := qpdfCheck(t, out.Bytes()); ok && n != len(sound) {
				t.Errorf("qpdf --show-npages KeepPages(%v) = %d, want %d", sound, n, len(sound))
			}
			// The packet must not get blank pages either.
			_, err = PreparePDF(context.Background(), bytes.NewReader(data[:cut]), io.Discard)
			damagedPages(t, Info{Pages: 6, BadPages: bad, MediaType: PDF}, err, 6, bad)
			if err := KeepPages(context.Background(), bytes.NewReader(data[:cut]), io.Discard, bad[:1]); !errors.Is(err, ErrUnreadable) {
				t.Errorf("KeepPages(bad page %d) = %v, want ErrUnreadable", bad[0], err)
			}
		})
	}
}

func TestInspectDamagedPDF(t *testing.T) {
	tests := []struct {
		name string
		pdf  testPDF
		bad  []int
	}{
		{"corrupt content stream", testPDF{pages: 4, corruptContent: 2}, []int{2}},
		{"missing font", testPDF{pages: 4, missingFont: 3}, []int{3}},
		{"missing image", testPDF{pages: 4, missingImage: 4}, []int{4}},
		{"font and image", testPDF{pages: 5, missingFont: 1, missingImage: 5}, []int{1, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, _ := tt.pdf.write(t)
			info, err := inspectBytes(data)
			damagedPages(t, info, err, tt.pdf.pages, tt.bad)
			if _, err := PreparePDF(context.Background(), bytes.NewReader(data), io.Discard); !errors.Is(err, ErrUnreadable) {
				t.Errorf("PreparePDF = %v, want ErrUnreadable", err)
			}
			var d *DamagedPDFError
			errors.As(err, &d)
			var out bytes.Buffer
			if err := KeepPages(context.Background(), bytes.NewReader(data), &out, d.Sound()); err != nil {
				t.Fatalf("KeepPages(%v) = %v", d.Sound(), err)
			}
			if kept, err := inspectBytes(out.Bytes()); err != nil || kept.Pages != len(d.Sound()) {
				t.Errorf("Inspect(KeepPages) = %d pages, %v; want %d", kept.Pages, err, len(d.Sound()))
			}
			qpdfCheck(t, out.Bytes())
		})
	}
}

// A file that stops after its last page, before its cross-reference
// table and end-of-file marker, reads page by page; it is still refused as
// cut short (what was lost may be a later revision), with no bad pages, so
// the caller can keep all of them.
func TestInspectCutAfterLastPage(t *testing.T) {
	data, ends := testPDF{pages: 3}.write(t)
	for _, cut := range []int{ends[2], ends[2] + 30, len(data) - 8} {
		info, err := inspectBytes(data[:cut])
		d := damagedPages(t, info, err, 3, nil)
		if !d.CutShort || !strings.Contains(d.Sentence(), "its end is missing") {
			t.Errorf("Inspect(cut at %d of %d) = cut short %t, %q; want cut short", cut, len(data), d.CutShort, d.Sentence())
		}
		if _, err := PreparePDF(context.Background(), bytes.NewReader(data[:cut]), io.Discard); !errors.As(err, &d) {
			t.Errorf("PreparePDF(cut at %d) = %v, want a *DamagedPDFError", cut, err)
		}
		var out bytes.Buffer
		if err := KeepPages(context.Background(), bytes.NewReader(data[:cut]), &out, d.Sound()); err != nil {
			t.Fatalf("KeepPages(%v) = %v", d.Sound(), err)
		}
		if kept, err := inspectBytes(out.Bytes()); err != nil || kept.Pages != 3 {
			t.Errorf("Inspect(KeepPages(cut at %d)) = %d pages, %v; want 3, nil", cut, kept.Pages, err)
		}
	}
}

// A cross-reference table whose offsets are all wrong is rebuilt; when
// every page then reads, the PDF is accepted, and the prepared copy is
// sound.
func TestInspectShiftedXref(t *testing.T) {
	data, _ := testPDF{pages: 3, shiftXref: 7}.write(t)
	if qpdf, err := exec.LookPath("qpdf"); err == nil {
		// qpdf too rebuilds the table and finds nothing else wrong:
		// exit status 3 is "succeeded with warnings".
		path := filepath.Join(t.TempDir(), "shifted.pdf")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		msg, err := exec.Command(qpdf, "--check", path).CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 || !strings.Contains(string(msg), "reconstruct") {
			t.Errorf("qpdf --check(shifted xref) = %v, want a rebuilt table and warnings only:\n%s", err, msg)
		}
	}
	info, err := inspectBytes(data)
	if err != nil || info.Pages != 3 || len(info.BadPages) != 0 {
		t.Fatalf("Inspect(shifted xref) = %d pages, bad %v, %v; want 3, none, nil", info.Pages, info.BadPages, err)
	}
	var out bytes.Buffer
	if pages, err := PreparePDF(context.Background(), bytes.NewReader(data), &out); err != nil || pages != 3 {
		t.Fatalf("PreparePDF(shifted xref) = %d, %v; want 3, nil", pages, err)
	}
	if n, ok := qpdfCheck(t, out.Bytes()); ok && n != 3 {
		t.Errorf("qpdf --show-npages PreparePDF(shifted xref) = %d, want 3", n)
	}
}

// zeroBomb returns zlib data that inflates to n zero bytes (rounded up to
// MiB) in about n/1000 bytes, without compressing n bytes: one flushed
// deflate block of a MiB of zeros refers only to itself, so it can be
// repeated.
func zeroBomb(t testing.TB, n int64) []byte {
	t.Helper()
	var blk bytes.Buffer
	fw, _ := flate.NewWriter(&blk, flate.BestCompression)
	fw.Write(make([]byte, 1<<20))
	fw.Flush()
	reps := (n + 1<<20 - 1) >> 20
	out := []byte{0x78, 0xda}
	for range reps {
		out = append(out, blk.Bytes()...)
	}
	out = append(out, 0x03, 0x00) // final, empty block
	// Adler-32 of zeros: a stays 1, b grows by 1 per byte.
	return binary.BigEndian.AppendUint32(out, uint32((reps<<20)%65521)<<16|1)
}

// bombPDF writes a one-page PDF that also holds streams that inflate to
// the given sizes, of the kind "objstm" (object streams), "image" or
// "form" (XObjects the page draws).
func bombPDF(t testing.TB, sizes []int64, kind string) []byte {
	t.Helper()
	var b bytes.Buffer
	offs := map[int]int{}
	obj := func(nr int, dict string, stream []byte) {
		offs[nr] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\n", nr, dict)
		if stream != nil {
			b.WriteString("stream\n")
			b.Write(stream)
			b.WriteString("\nendstream\n")
		}
		b.WriteString("endobj\n")
	}
	b.WriteString("%PDF-1.5\n")
	var xobjects, draw strings.Builder
	for i := range sizes {
		fmt.Fprintf(&xobjects, "/Im%d %d 0 R ", i, 5+i)
		fmt.Fprintf(&draw, "q 100 0 0 100 0 0 cm /Im%d Do Q ", i)
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj(3, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << %s>> >> >>", xobjects.String()), nil)
	obj(4, fmt.Sprintf("<< /Length %d >>", draw.Len()), []byte(draw.String()))
	for i, n := range sizes {
		z := zeroBomb(t, n)
		switch kind {
		case "image":
			side := 1 << 15
			obj(5+i, fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>", side, n/int64(side), len(z)), z)
		case "form":
			obj(5+i, fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Filter /FlateDecode /Length %d >>", len(z)), z)
		default:
			obj(5+i, fmt.Sprintf("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>", len(z)), z)
		}
	}
	n := 5 + len(sizes)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", n)
	for nr := 1; nr < n; nr++ {
		fmt.Fprintf(&b, "%010d 00000 n \n", offs[nr])
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", n, xref)
	return b.Bytes()
}

func TestZeroBomb(t *testing.T) {
	z := zeroBomb(t, 3<<20)
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	if n != 3<<20 || err != nil {
		t.Errorf("inflate(zeroBomb(3 MiB)) = %d bytes, %v; want %d, nil", n, err, 3<<20)
	}
}

// A small PDF whose streams inflate to gigabytes is refused as too large,
// without being inflated into memory. The bounds are loose on purpose: read
// whole, the file would need over a gigabyte and many seconds.
func TestInspectPDFBomb(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int64
		kind  string
	}{
		// One object stream of 1.5 GB: pdfcpu would inflate it on opening.
		{"object stream", []int64{1536 << 20}, "objstm"},
		// A form the page draws, of 200 MB.
		{"form", []int64{200 << 20}, "form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bombPDF(t, tt.sizes, tt.kind)
			calls := map[string]func() error{
				"Inspect": func() error { _, err := inspectBytes(data); return err },
				"PreparePDF": func() error {
					_, err := PreparePDF(context.Background(), bytes.NewReader(data), io.Discard)
					return err
				},
				"KeepPages": func() error {
					return KeepPages(context.Background(), bytes.NewReader(data), io.Discard, []int{1})
				},
			}
			for _, name := range []string{"Inspect", "PreparePDF", "KeepPages"} {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				start := time.Now()
				err := calls[name]()
				took := time.Since(start)
				runtime.ReadMemStats(&after)
				alloc := after.TotalAlloc - before.TotalAlloc
				t.Logf("%s(%d KB bomb) took %v, allocated %d MB", name, len(data)>>10, took.Round(time.Millisecond), alloc>>20)
				if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrUnreadable) {
					t.Errorf("%s(bomb) = %v, want ErrTooLarge and ErrUnreadable", name, err)
				}
				if alloc > 256<<20 {
					t.Errorf("%s(bomb) allocated %d MB, want it bounded far below the inflated size", name, alloc>>20)
				}
				// The race detector slows inflating about twentyfold.
				if limit := 10 * time.Second * time.Duration(raceSlowdown); took > limit {
					t.Errorf("%s(bomb) took %v, want well under %v", name, took, limit)
				}
			}
		})
	}
}

// Images may unpack to more than MaxPDFStreamBytes each (they are decoded
// as a stream), but all streams together stay within the budget: in the
// guard and in the page check. A small budget keeps the test quick; with
// the real one, twelve 100 MB images in a 1.2 MB file are refused in
// under a second.
func TestPDFDecodeBudget(t *testing.T) {
	const budget = 64 << 20
	small := bombPDF(t, slices.Repeat([]int64{10 << 20}, 4), "image")
	large := bombPDF(t, slices.Repeat([]int64{10 << 20}, 8), "image")
	huge := bombPDF(t, []int64{MaxPDFStreamBytes + 1<<20}, "image")
	if err := guardPDF(context.Background(), bytes.NewReader(small), int64(len(small)), budget); err != nil {
		t.Errorf("guardPDF(40 MB of images, budget 64 MB) = %v, want nil", err)
	}
	if err := guardPDF(context.Background(), bytes.NewReader(large), int64(len(large)), budget); !errors.Is(err, ErrTooLarge) {
		t.Errorf("guardPDF(80 MB of images, budget 64 MB) = %v, want ErrTooLarge", err)
	}
	if err := guardPDF(context.Background(), bytes.NewReader(huge), int64(len(huge)), 2*MaxPDFStreamBytes); err != nil {
		t.Errorf("guardPDF(one image over MaxPDFStreamBytes) = %v, want nil", err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		want error
	}{{"40 MB", small, nil}, {"80 MB", large, ErrTooLarge}} {
		pc, err := pdfcpu.ReadWithContext(context.Background(), bytes.NewReader(tt.data), pdfConfig())
		if err == nil {
			err = pc.EnsurePageCount()
		}
		if err != nil {
			t.Fatal(err)
		}
		_, bad, _, err := checkPages(context.Background(), pc.XRefTable, budget)
		if !errors.Is(err, tt.want) || bad != nil {
			t.Errorf("checkPages(%s of images, budget 64 MB) = bad %v, %v; want none, %v", tt.name, bad, err, tt.want)
		}
	}
}

// Every corpus PDF that opens is sound page by page: no bad pages, the
// same page count, and the password-protected ones refused as before.
func TestInspectPDFCorpusSound(t *testing.T) {
	root := corpusDir(t, "")
	for _, tt := range pdfPages {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			info, err := inspectFile(t, filepath.Join(root, tt.file))
			var d *DamagedPDFError
			if errors.As(err, &d) {
				t.Fatalf("Inspect(%s) = %v; the corpus PDFs are sound", tt.file, err)
			}
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Errorf("Inspect(%s) = %v, want %v", tt.file, err, tt.err)
				}
				return
			}
			if err != nil || info.Pages != tt.pages || info.BadPages != nil {
				t.Errorf("Inspect(%s) = %d pages, bad %v, %v; want %d, none, nil", tt.file, info.Pages, info.BadPages, err, tt.pages)
			}
		})
	}
}

// KeepPages keeps what a page inherits from the page tree: the corpus PDF
// with pages rotated by 90, 180, 270 and 360 degrees keeps the rotation of
// the pages it keeps.
func TestKeepPagesCorpus(t *testing.T) {
	root := corpusDir(t, "pdf")
	data, err := os.ReadFile(filepath.Join(root, "arabic-rotated-pages.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := KeepPages(context.Background(), bytes.NewReader(data), &out, []int{4, 2}); err != nil {
		t.Fatalf("KeepPages(2, 4) = %v", err)
	}
	if n, ok := qpdfCheck(t, out.Bytes()); ok && n != 2 {
		t.Errorf("qpdf --show-npages KeepPages(2, 4) = %d, want 2", n)
	}
	pdfinfo, err := exec.LookPath("pdfinfo")
	if err != nil {
		return
	}
	path := filepath.Join(t.TempDir(), "kept.pdf")
	os.WriteFile(path, out.Bytes(), 0o600)
	msg, err := exec.Command(pdfinfo, "-f", "1", "-l", "2", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo = %v", err)
	}
	got := strings.Join(strings.Fields(string(msg)), " ")
	for _, want := range []string{"Page 1 rot: 180", "Page 2 rot: 0"} {
		if !strings.Contains(got, want) {
			t.Errorf("pdfinfo(KeepPages(2, 4)) lacks %q:\n%s", want, msg)
		}
	}
}

func TestKeepPagesRefuses(t *testing.T) {
	data, _ := testPDF{pages: 2}.write(t)
	for _, pages := range [][]int{nil, {0}, {3}} {
		if err := KeepPages(context.Background(), bytes.NewReader(data), io.Discard, pages); !errors.Is(err, ErrUnreadable) {
			t.Errorf("KeepPages(%v) = %v, want ErrUnreadable", pages, err)
		}
	}
	if err := KeepPages(context.Background(), strings.NewReader("%PDF-1.4\n"), io.Discard, []int{1}); !errors.Is(err, ErrUnreadable) {
		t.Errorf("KeepPages(junk) = %v, want ErrUnreadable", err)
	}
}

// The lazy road for large PDFs checks pages too: it finds the damage the
// pdfcpu road finds, and then steps aside so that pdfcpu's verdict (the
// one PreparePDF and KeepPages act on) is the one Inspect returns.
func TestCheckPagesLazy(t *testing.T) {
	tests := []struct {
		name string
		pdf  testPDF
		bad  []int
	}{
		{"sound", testPDF{pages: 3}, nil},
		{"corrupt content stream", testPDF{pages: 4, corruptContent: 2}, []int{2}},
		{"missing font", testPDF{pages: 4, missingFont: 3}, []int{3}},
		{"missing image", testPDF{pages: 4, missingImage: 4}, []int{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, _ := tt.pdf.write(t)
			doc, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			pages, bad, _, err := checkPagesLazy(context.Background(), doc, MinPDFDecodeBudget)
			if err != nil || pages != tt.pdf.pages || !slices.Equal(bad, tt.bad) {
				t.Errorf("checkPagesLazy = %d pages, bad %v, %v; want %d, %v, nil", pages, bad, err, tt.pdf.pages, tt.bad)
			}
			_, ok, err := inspectPDFLazy(context.Background(), bytes.NewReader(data), int64(len(data)))
			if ok != (tt.bad == nil) || err != nil {
				t.Errorf("inspectPDFLazy = ok %t, %v; want ok %t, nil", ok, err, tt.bad == nil)
			}
		})
	}
	data := bombPDF(t, []int64{200 << 20}, "form")
	if _, ok, err := inspectPDFLazy(context.Background(), bytes.NewReader(data), int64(len(data))); !ok || !errors.Is(err, ErrTooLarge) {
		t.Errorf("inspectPDFLazy(form bomb) = ok %t, %v; want ok, ErrTooLarge", ok, err)
	}
}

// PreparePDF, through which every PDF enters the packet, never turns a
// PDF cut short into blank pages: cut anywhere, a corpus PDF whose page
// tree comes first is either refused or prepared with every page drawing
// something. (Before the page check, pdfcpu's repair put a blank page
// where each missing page was.)
func TestPreparePDFNoBlankPages(t *testing.T) {
	root := corpusDir(t, "pdf")
	generated, _ := testPDF{pages: 6}.write(t)
	for _, name := range []string{"arabic-rotated-pages.pdf", "generated"} {
		data := generated
		if name != "generated" {
			var err error
			if data, err = os.ReadFile(filepath.Join(root, name)); err != nil {
				t.Fatal(err)
			}
		}
		refused := 0
		for i := 1; i < 40; i++ {
			cut := data[:len(data)*i/40]
			var out bytes.Buffer
			pages, err := PreparePDF(context.Background(), bytes.NewReader(cut), &out)
			if err != nil {
				if !errors.Is(err, ErrUnreadable) {
					t.Errorf("PreparePDF(%s[:%d]) = %v, want ErrUnreadable", name, len(cut), err)
				}
				refused++
				continue
			}
			pc, err := pdfcpu.ReadWithContext(context.Background(), bytes.NewReader(out.Bytes()), pdfConfig())
			if err == nil {
				err = pc.EnsurePageCount()
			}
			if err != nil || pc.PageCount != pages {
				t.Fatalf("reading PreparePDF(%s[:%d]) = %v; want %d pages", name, len(cut), err, pages)
			}
			for p := 1; p <= pages; p++ {
				d, _, _, err := pc.PageDict(p, false)
				if err != nil {
					t.Fatalf("PreparePDF(%s[:%d]) page %d: %v", name, len(cut), p, err)
				}
				if content, err := pc.PageContent(d, p); err != nil || len(bytes.TrimSpace(content)) == 0 {
					t.Errorf("PreparePDF(%s[:%d]) page %d is blank (%v)", name, len(cut), p, err)
				}
			}
		}
		if refused < 30 {
			t.Errorf("PreparePDF refused %d of 39 cuts of %s; want most", refused, name)
		}
	}
}

// guardPDF cannot inflate encrypted streams; the page check then finds a
// bomb in what a page draws, with the same limits.
func TestInspectEncryptedPDFBomb(t *testing.T) {
	data := bombPDF(t, []int64{200 << 20}, "form")
	conf := model.NewDefaultConfiguration()
	conf.OwnerPW = "owner"
	conf.EncryptUsingAES = true
	var enc bytes.Buffer
	if err := api.Encrypt(bytes.NewReader(data), &enc, conf); err != nil {
		t.Fatalf("Encrypt = %v", err)
	}
	if bytes.Contains(enc.Bytes(), data[len(data)/2:len(data)/2+64]) {
		t.Fatal("the encrypted copy holds the bomb in the clear")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	info, err := inspectBytes(enc.Bytes())
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("Inspect(encrypted bomb) = %d pages, %v; want ErrTooLarge", info.Pages, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
		t.Errorf("Inspect(encrypted bomb) allocated %d MB", alloc>>20)
	}
}

// A cancelled context stops the guard, the page check and Inspect with
// the context's error. (Within a stream, both check the context on every
// read of compressed input.)
func TestPDFCheckCancelled(t *testing.T) {
	data := bombPDF(t, []int64{100 << 20}, "form")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := guardPDF(ctx, bytes.NewReader(data), int64(len(data)), MinPDFDecodeBudget); !errors.Is(err, context.Canceled) {
		t.Errorf("guardPDF(cancelled) = %v, want context.Canceled", err)
	}
	pc, err := pdfcpu.ReadWithContext(context.Background(), bytes.NewReader(data), pdfConfig())
	if err == nil {
		err = pc.EnsurePageCount()
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := checkPages(ctx, pc.XRefTable, MinPDFDecodeBudget); !errors.Is(err, context.Canceled) {
		t.Errorf("checkPages(cancelled) = %v, want context.Canceled", err)
	}
	if _, err := Inspect(ctx, bytes.NewReader(data), int64(len(data)), PDF); !errors.Is(err, context.Canceled) {
		t.Errorf("Inspect(cancelled) = %v, want context.Canceled", err)
	}
}
