package export_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"secondopinion/export"
	"secondopinion/records"
)

// letterPhoto is a phone photo of a typed letter: 3000×4000 (portrait, as
// phones store a page held upright), black text on slightly warm white
// paper lit a little unevenly, with sensor noise, JPEG quality 90. Text
// lines are about 28 pixels high, as 11-point type is at 12 megapixels.
func letterPhoto(seed int) []byte {
	const w, h = 3000, 4000
	r := rand.New(rand.NewPCG(uint64(seed), 11))
	// The text, drawn once small and scaled up by 2: basicfont's 13-pixel
	// glyphs become 26 pixels, about 11-point type at this resolution.
	tw, th := (w-500)/2, (h-600)/2
	txt := image.NewGray(image.Rect(0, 0, tw, th))
	draw.Draw(txt, txt.Bounds(), image.White, image.Point{}, draw.Src)
	fd := font.Drawer{Dst: txt, Src: image.Black, Face: basicfont.Face7x13}
	words := strings.Fields("Thank you for referring this patient whom I saw today in the breast clinic examination showed a mobile lump in the upper outer quadrant ultrasound and biopsy were arranged we will discuss the results and the options for treatment at the next appointment letrozole tamoxifen mastectomy radiotherapy")
	y := 30
	fd.Dot = fixed.P(10, y)
	fd.DrawString(fmt.Sprintf("St Elsewhere Hospital - Clinic letter %d", seed+1))
	for y = 70; y < th-20; y += 19 {
		x := 10
		fd.Dot = fixed.P(x, y)
		for x < tw-80 {
			word := words[r.IntN(len(words))] + " "
			fd.DrawString(word)
			x += 7 * len(word)
		}
		if r.IntN(6) == 0 {
			y += 19 // paragraph break
		}
	}
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for yy := range h {
		for xx := range w {
			v := 232 - (xx+yy)/250 // light falls off towards a corner
			tx, ty := (xx-250)/2, (yy-300)/2
			if tx >= 0 && ty >= 0 && tx < tw && ty < th && txt.Pix[ty*txt.Stride+tx] < 128 {
				v = 45
			}
			v += r.IntN(13) - 6
			m.Y[yy*m.YStride+xx] = uint8(min(max(v, 0), 255))
		}
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = uint8(124+r.IntN(3)), uint8(131+r.IntN(3)) // warm indoor light
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90})
	return buf.Bytes()
}

var (
	letterOnce  sync.Once
	letterDir   string
	letterPaths []string
)

// letterPhotos writes 60 letter photos once per test process (TestMain
// removes them).
func letterPhotos(t testing.TB) []string {
	t.Helper()
	letterOnce.Do(func() {
		dir, err := os.MkdirTemp("", "export-letters-")
		if err != nil {
			return
		}
		letterDir = dir
		paths := make([]string, 60)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 2)
		for i := range paths {
			paths[i] = filepath.Join(dir, fmt.Sprintf("letter-%02d.jpg", i+1))
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				os.WriteFile(paths[i], letterPhoto(i), 0o600)
			}()
		}
		wg.Wait()
		letterPaths = paths
	})
	if letterPaths == nil {
		t.Fatal("could not write the letter photos")
	}
	return letterPaths
}

// emailLibrary is a person and case with the given documents, one file each.
func emailLibrary(t testing.TB, kind records.Kind, paths []string) (*records.Store, export.Options) {
	t.Helper()
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: "Ελένη Παπαδοπούλου", DateOfBirth: records.MustDate("1950-05-03")}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	c := records.Case{PersonID: p.ID, Title: "Breast lump, 2026", Packet: records.PacketSettings{Paper: records.PaperA4}}
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	for i, path := range paths {
		addDoc(t, s, p.ID, records.Document{Kind: kind, Title: fmt.Sprintf("Document %02d", i+1), Date: records.MustDate(fmt.Sprintf("2026-%02d", i%12+1))}, path)
	}
	return s, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow}
}

func TestEmailFit(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{5_000_000, "fits in one e-mail"},
		{export.EmailLimit, "fits in one e-mail"},
		{export.EmailLimit + 1, "too large for one e-mail"},
		{40_000_000, "too large for one e-mail"},
	} {
		got := export.EmailFit(tt.n)
		if !strings.Contains(got, tt.want) || !strings.Contains(got, "18.0 MB") {
			t.Errorf("EmailFit(%d) = %q, want it to say %q and name 18.0 MB", tt.n, got, tt.want)
		}
	}
	if got := records.HumanBytes(18_000_000); got != "18.0 MB" {
		t.Errorf("HumanBytes(18,000,000) = %q, want 18.0 MB (decimal, as mail systems count)", got)
	}
}

func TestPartName(t *testing.T) {
	for _, tt := range []struct{ out, want string }{
		{"/a/packet.pdf", "/a/packet-part2.pdf"},
		{"/a/Packet.PDF", "/a/Packet-part2.PDF"},
		{"/a/packet", "/a/packet-part2.pdf"},
	} {
		if got := export.PartName(tt.out, 2); got != tt.want {
			t.Errorf("PartName(%q, 2) = %q, want %q", tt.out, got, tt.want)
		}
	}
}

// TestEmailSixtyLetterPhotos: sixty phone photos of letters make one
// packet that fits an e-mail, where the ordinary compact packet does not.
func TestEmailSixtyLetterPhotos(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo")
	paths := letterPhotos(t)
	s, opt := emailLibrary(t, records.KindClinicLetter, paths)
	dir := t.TempDir()
	normal, err := export.WritePacket(context.Background(), s, filepath.Join(dir, "normal.pdf"), opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.ForEmail = true
	out := filepath.Join(dir, "packet.pdf")
	res, err := export.WritePacket(context.Background(), s, out, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("60 letter photos: compact %s (%d pages); for e-mail %s in %d file(s)", records.HumanBytes(normal.Bytes), normal.Pages,
		records.HumanBytes(res.Bytes), len(res.Files))
	if len(res.Files) != 1 || res.Files[0].Path != out {
		t.Fatalf("WritePacket(60 letter photos, ForEmail) wrote %+v, want one file %s", res.Files, out)
	}
	if res.Bytes > export.EmailLimit || res.Files[0].TooLarge || len(res.Notes) > 0 {
		t.Errorf("WritePacket(60 letter photos, ForEmail) = %s, notes %q; want at most %s", records.HumanBytes(res.Bytes), res.Notes, records.HumanBytes(export.EmailLimit))
	}
	if st, err := os.Stat(out); err != nil || st.Size() != res.Bytes {
		t.Errorf("stat %s = %v, %v; want %d bytes", out, st, err, res.Bytes)
	}
	if res.Pages != normal.Pages || pdfPages(t, out) != res.Pages {
		t.Errorf("for e-mail: %d pages (pdfinfo %d), compact %d; want the same pages", res.Pages, pdfPages(t, out), normal.Pages)
	}
	qpdfCheck(t, out)
	// The photographed letters went in grey: their images are DeviceGray.
	imgs, err := exec.Command("pdfimages", "-list", "-f", "8", "-l", "12", out).CombinedOutput()
	if err == nil && !bytes.Contains(imgs, []byte("gray")) {
		t.Errorf("pdfimages -list of the e-mail packet shows no grey images:\n%s", imgs)
	}
}

// bigPDF is a PDF of pages whose pictures are colour noise, which no JPEG
// setting compresses: about mb megabytes that stay that size.
func bigPDF(t testing.TB, seed, mb int) string {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	r := rand.New(rand.NewPCG(uint64(seed), 3))
	for p := 0; p*3 < mb; p++ {
		m := image.NewRGBA(image.Rect(0, 0, 1000, 1000))
		for i := range m.Pix {
			m.Pix[i] = uint8(r.IntN(256))
			if i%4 == 3 {
				m.Pix[i] = 255
			}
		}
		var buf bytes.Buffer
		jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95})
		name := fmt.Sprintf("noise%d", p)
		pdf.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: "JPG"}, &buf)
		pdf.AddPage()
		pdf.ImageOptions(name, 10, 10, 190, 190, false, gofpdf.ImageOptions{}, 0, "")
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("scan-%d.pdf", seed))
	if err := pdf.OutputFileAndClose(path); err != nil {
		t.Fatal(err)
	}
	return path
}
