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
	"regexp"
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
		n        int64
		forEmail bool
		want     string
	}{
		{5_000_000, false, "fits in one e-mail"},
		{export.EmailLimit, true, "fits in one e-mail"},
		{export.EmailLimit + 1, false, "too large for one e-mail"},
		{40_000_000, false, "Choose \"For e-mail\""},
		{40_000_000, true, "about 3 parts"},
	} {
		got := export.EmailFit(tt.n, tt.forEmail)
		if !strings.Contains(got, tt.want) || !strings.Contains(got, "18.0 MB") {
			t.Errorf("EmailFit(%d, %v) = %q, want it to say %q and name 18.0 MB", tt.n, tt.forEmail, got, tt.want)
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
	if raceDetector {
		// Sixty 12-megapixel photos take minutes under the race detector
		// and the size they make is all this test checks: make test runs it
		// once more without -race.
		t.Skip("a size test on sixty full-size photos: run without -race (make test does)")
	}
	needTools(t, "qpdf", "pdfinfo")
	paths := letterPhotos(t)
	s, opt := emailLibrary(t, records.KindClinicLetter, paths)
	// The estimate, before any export, says the compact packet is too
	// large for an e-mail and the one made for e-mail fits.
	_, size, err := export.Estimate(context.Background(), s, opt)
	if got := export.EmailFit(size, false); err != nil || !strings.Contains(got, "too large for one e-mail") {
		t.Errorf("Estimate(60 letter photos) = %s, %v: %q; want too large for one e-mail", records.HumanBytes(size), err, got)
	}
	eopt := opt
	eopt.ForEmail = true
	_, esize, err := export.Estimate(context.Background(), s, eopt)
	if got := export.EmailFit(esize, true); err != nil || !strings.Contains(got, "fits in one e-mail") {
		t.Errorf("Estimate(60 letter photos, ForEmail) = %s, %v: %q; want it to fit", records.HumanBytes(esize), err, got)
	}
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
	t.Logf("60 letter photos: compact %s (%d pages, estimated %s); for e-mail %s in %d file(s) (estimated %s)", records.HumanBytes(normal.Bytes), normal.Pages,
		records.HumanBytes(size), records.HumanBytes(res.Bytes), len(res.Files), records.HumanBytes(esize))
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
	keepFor(t, out)
	// The photographed letters went in grey: their images are DeviceGray.
	imgs, err := exec.Command("pdfimages", "-list", "-f", "8", "-l", "12", out).CombinedOutput()
	if err == nil && !bytes.Contains(imgs, []byte("gray")) {
		t.Errorf("pdfimages -list of the e-mail packet shows no grey images:\n%s", imgs)
	}
}

// bigPDF is a PDF of pages whose pictures are colour noise, which no JPEG
// setting compresses, with a line of text on each (so it is not a scan to
// re-compress): about mb megabytes that stay that size.
func bigPDF(t testing.TB, seed, mb int) string {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	r := rand.New(rand.NewPCG(uint64(seed), 3))
	total := 0
	for p := 0; total < mb*1_000_000; p++ {
		m := image.NewRGBA(image.Rect(0, 0, 1000, 1000))
		for i := range m.Pix {
			m.Pix[i] = uint8(r.IntN(256))
			if i%4 == 3 {
				m.Pix[i] = 255
			}
		}
		var buf bytes.Buffer
		jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95})
		total += buf.Len()
		name := fmt.Sprintf("noise%d", p)
		pdf.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: "JPG"}, &buf)
		pdf.AddPage()
		pdf.SetFont("Helvetica", "", 11)
		pdf.Text(10, 280, fmt.Sprintf("Colour photograph %d", p+1))
		pdf.ImageOptions(name, 10, 10, 190, 190, false, gofpdf.ImageOptions{}, 0, "")
	}
	return savePDF(t, pdf, fmt.Sprintf("noise-%d.pdf", seed))
}

// TestEmailParts: a packet larger than an e-mail even after compression is
// written in parts of at most 18 MB, the front sections in part 1 and the
// contents naming each document's part; a document too large on its own
// gets a part of its own and a sentence.
func TestEmailParts(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo", "pdftotext")
	paths := []string{bigPDF(t, 1, 7), bigPDF(t, 2, 7), bigPDF(t, 3, 7), bigPDF(t, 4, 21), bigPDF(t, 5, 2)}
	t.Run("first document too large", func(t *testing.T) {
		// The front sections never share a part with a document too
		// large for e-mail: part 1 is then the front sections alone.
		s, opt := emailLibrary(t, records.KindImagingReport, paths[3:4])
		opt.ForEmail = true
		res, err := export.WritePacket(context.Background(), s, filepath.Join(t.TempDir(), "packet.pdf"), opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Files) != 2 || res.Files[0].TooLarge || !res.Files[1].TooLarge || len(res.Notes) != 1 {
			t.Errorf("WritePacket(one 21 MB document) = %+v, notes %q; want part 1 (front) fitting and part 2 too large", res.Files, res.Notes)
		}
	})
	s, opt := emailLibrary(t, records.KindImagingReport, paths)
	opt.ForEmail = true
	dir := t.TempDir()
	out := filepath.Join(dir, "packet.pdf")
	// Parts 5 and 6 of an older packet of the same name; this one has 4.
	stale := []string{export.PartName(out, 5), export.PartName(out, 6)}
	for _, p := range stale {
		if err := os.WriteFile(p, []byte("%PDF-1.4\nold part\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res, err := export.WritePacket(context.Background(), s, out, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range stale {
		if _, err := os.Stat(p); err == nil && len(res.Files) < 5 {
			t.Errorf("%s of an older packet is still there beside the new %d parts", filepath.Base(p), len(res.Files))
		}
	}
	var names []string
	pages := 0
	for _, f := range res.Files {
		names = append(names, fmt.Sprintf("%s %s %d pages from %d", filepath.Base(f.Path), records.HumanBytes(f.Bytes), f.Pages, f.FirstPage))
		pages += f.Pages
	}
	t.Logf("parts: %s; notes %q", strings.Join(names, "; "), res.Notes)
	if len(res.Files) < 3 {
		t.Fatalf("WritePacket(45 MB of noise, ForEmail) wrote %d file(s), want at least 3 parts", len(res.Files))
	}
	if pages != res.Pages {
		t.Errorf("parts hold %d pages in all, packet has %d", pages, res.Pages)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written too; a split packet is only its parts", out)
	}
	tooLarge := 0
	for k, f := range res.Files {
		if want := export.PartName(out, k+1); f.Path != want {
			t.Errorf("part %d is %s, want %s", k+1, f.Path, want)
		}
		qpdfCheck(t, f.Path)
		keepFor(t, f.Path)
		if n := pdfPages(t, f.Path); n != f.Pages {
			t.Errorf("%s: pdfinfo says %d pages, Result %d", filepath.Base(f.Path), n, f.Pages)
		}
		st, err := os.Stat(f.Path)
		if err != nil || st.Size() != f.Bytes {
			t.Fatalf("stat %s = %v; want %d bytes", f.Path, err, f.Bytes)
		}
		if f.TooLarge {
			tooLarge++
			if f.Bytes <= export.EmailLimit {
				t.Errorf("%s is %d bytes and marked too large", f.Path, f.Bytes)
			}
		} else if f.Bytes > export.EmailLimit {
			t.Errorf("%s is %s, more than %s, and not marked too large", filepath.Base(f.Path), records.HumanBytes(f.Bytes), records.HumanBytes(export.EmailLimit))
		}
		// Every part carries the patient footer with the packet's page numbers.
		first := pdfText(t, f.Path, 1, 1)
		if !strings.Contains(first, "Παπαδοπούλου") || !strings.Contains(first, fmt.Sprintf("Page %d of %d", f.FirstPage, res.Pages)) {
			t.Errorf("%s page 1 footer: want the patient and Page %d of %d in\n%s", filepath.Base(f.Path), f.FirstPage, res.Pages, first)
		}
	}
	if tooLarge != 1 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "Document 04") || !strings.Contains(res.Notes[0], "too large for most e-mail") {
		t.Errorf("too large parts %d, notes %q; want one part and one sentence naming Document 04", tooLarge, res.Notes)
	}
	// Part 1 holds the front sections and its contents names each
	// document's part.
	front := pdfText(t, res.Files[0].Path, 0, 0)
	for _, sec := range []string{"Contents", "Summary", "Medications", "Questions for the second doctor"} {
		if !strings.Contains(front, sec) {
			t.Errorf("part 1 lacks the section %q", sec)
		}
	}
	if !strings.Contains(front, "packet-part2.pdf") {
		t.Errorf("part 1's contents do not name packet-part2.pdf:\n%s", front)
	}
	for _, f := range res.Files[1:] {
		if strings.Contains(pdfText(t, f.Path, 0, 0), "Questions for the second doctor") {
			t.Errorf("%s holds front sections; they belong in part 1", filepath.Base(f.Path))
		}
	}
	contents := regexpLines(front, `Document 0\d.*part \d`)
	if len(contents) != len(paths) {
		t.Errorf("contents lines naming a part: %q, want one per document (%d)", contents, len(paths))
	}
	for k, f := range res.Files {
		for _, line := range contents {
			if !strings.Contains(line, fmt.Sprintf("part %d", k+1)) {
				continue
			}
			title := regexp.MustCompile(`Document 0\d`).FindString(line) // the contents table's row for it
			if !strings.Contains(pdfText(t, f.Path, 0, 0), title) {
				t.Errorf("contents put %q in part %d, but %s does not hold it", title, k+1, filepath.Base(f.Path))
			}
		}
	}
}

func regexpLines(text, re string) []string {
	var out []string
	r := regexp.MustCompile(re)
	for _, l := range strings.Split(text, "\n") {
		if r.MatchString(l) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// keepFor copies a packet to $EXPORT_KEEP, when set, to look at it.
func keepFor(t testing.TB, path string) {
	if dir := os.Getenv("EXPORT_KEEP"); dir != "" {
		if data, err := os.ReadFile(path); err == nil {
			os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "-")+"-"+filepath.Base(path)), data, 0o600)
		}
	}
}

// TestEncryptedPacket: a packet with a password opens in qpdf and poppler
// with it and not without it, is AES-256 (revision 6) with printing and
// copying allowed, and leaves no plain copy in the output folder or the
// temporary folder.
func TestEncryptedPacket(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo", "pdftotext")
	for _, tt := range []struct {
		name     string
		forEmail bool
		docs     []string
	}{
		{"one file", false, []string{bigPDF(t, 7, 1)}},
		{"parts", true, []string{bigPDF(t, 8, 12), bigPDF(t, 9, 12)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, opt := emailLibrary(t, records.KindImagingReport, tt.docs)
			opt.ForEmail, opt.Password = tt.forEmail, "correct horse ü 42"
			dir := t.TempDir()
			// Whatever the export puts in the temporary folder lands here.
			tmp := filepath.Join(t.TempDir(), "tmp")
			if err := os.Mkdir(tmp, 0o700); err != nil {
				t.Fatal(err)
			}
			t.Setenv("TMPDIR", tmp)
			res, err := export.WritePacket(context.Background(), s, filepath.Join(dir, "packet.pdf"), opt)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Encrypted || (tt.forEmail && len(res.Files) < 2) {
				t.Fatalf("WritePacket = %d files, encrypted %v; want encrypted (and parts)", len(res.Files), res.Encrypted)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(res.Files) {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("output folder holds %q, want only the %d packet file(s)", names, len(res.Files))
			}
			for _, f := range res.Files {
				keepFor(t, f.Path)
				pw := "--password=" + opt.Password
				show, err := exec.Command("qpdf", "--show-encryption", pw, f.Path).CombinedOutput()
				if err != nil {
					t.Fatalf("qpdf --show-encryption: %v\n%s", err, show)
				}
				for _, want := range []string{"R = 6", "extract for any purpose: allowed", "print high resolution: allowed", "stream encryption method: AESv3", "User password = " + opt.Password} {
					if !strings.Contains(string(show), want) {
						t.Errorf("qpdf --show-encryption %s lacks %q:\n%s", filepath.Base(f.Path), want, show)
					}
				}
				if out, err := exec.Command("qpdf", "--check", pw, f.Path).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
					t.Errorf("qpdf --check with the password: %v\n%s", err, out)
				}
				if out, err := exec.Command("qpdf", "--check", f.Path).CombinedOutput(); err == nil || !bytes.Contains(out, []byte("invalid password")) {
					t.Errorf("qpdf --check without the password = %v, want invalid password:\n%s", err, out)
				}
				if out, err := exec.Command("pdftotext", "-upw", "wrong", f.Path, "-").CombinedOutput(); err == nil {
					t.Errorf("pdftotext with a wrong password succeeded:\n%s", out)
				}
				text, err := exec.Command("pdftotext", "-upw", opt.Password, f.Path, "-").CombinedOutput()
				if err != nil || !strings.Contains(string(text), "Παπαδοπούλου") {
					t.Errorf("pdftotext -upw: %v; want the patient's name in\n%.300s", err, text)
				}
				raw, _ := os.ReadFile(f.Path)
				if bytes.Contains(raw, []byte("Breast lump")) || bytes.Contains(raw, []byte("Second Opinion")) {
					t.Errorf("%s holds the case title or producer in plain bytes", filepath.Base(f.Path))
				}
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("the temporary folder holds %d entries after the export, want none", len(left))
			}
		})
	}
}

func TestPasswordFromFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name, path, want, problem string
	}{
		{"first line", write("pw.txt", "s3cret words\nsecond line\n"), "s3cret words", ""},
		{"windows line end", write("crlf.txt", "s3cret\r\n"), "s3cret", ""},
		{"no line end", write("bare.txt", "s3cret"), "s3cret", ""},
		{"empty file", write("empty.txt", ""), "", "is empty"},
		{"empty first line", write("blank.txt", "\nlater\n"), "", "is empty"},
		{"missing", filepath.Join(dir, "nope.txt"), "", "There is no password file"},
		{"folder", dir, "", "not an ordinary file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := export.PasswordFromFile(tt.path)
			if tt.problem == "" {
				if err != nil || got != tt.want {
					t.Errorf("PasswordFromFile = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			msg := records.Explain(err)
			if err == nil || !strings.Contains(msg, tt.problem) {
				t.Errorf("PasswordFromFile = %q, %v; want a sentence with %q", got, err, tt.problem)
			}
			if strings.Contains(msg, "later") {
				t.Errorf("PasswordFromFile's sentence repeats the file's contents: %q", msg)
			}
		})
	}
	if err := export.CheckPassword(""); err == nil {
		t.Error("CheckPassword(\"\") = nil, want a sentence")
	}
}

// scanPDF is a scanner's PDF: pages that are only pictures of a letter,
// at about 360 dpi in colour (JPEG), no text.
func scanPDF(t testing.TB, seed, pages int) string {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	for p := range pages {
		name := fmt.Sprintf("page%d", p)
		pdf.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(letterPhoto(seed*10+p)))
		pdf.AddPage()
		pdf.ImageOptions(name, 0, 0, 210, 297, false, gofpdf.ImageOptions{}, 0, "")
	}
	return savePDF(t, pdf, fmt.Sprintf("scanned-%d.pdf", seed))
}

// TestEmailScannedPDF: a scanned PDF of pictures only is re-compressed for
// e-mail to 150 dpi in grey; a PDF with text is left as it was.
func TestEmailScannedPDF(t *testing.T) {
	needTools(t, "qpdf", "pdfimages", "pdftotext")
	scan, text := scanPDF(t, 1, 3), bigPDF(t, 11, 1)
	s, opt := emailLibrary(t, records.KindClinicLetter, []string{scan, text})
	dir := t.TempDir()
	normal, err := export.WritePacket(context.Background(), s, filepath.Join(dir, "normal.pdf"), opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.ForEmail = true
	res, err := export.WritePacket(context.Background(), s, filepath.Join(dir, "email.pdf"), opt)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(scan)
	t.Logf("scanned PDF %s; packet %s, for e-mail %s", records.HumanBytes(st.Size()), records.HumanBytes(normal.Bytes), records.HumanBytes(res.Bytes))
	if res.Bytes*2 > normal.Bytes {
		t.Errorf("for e-mail %d bytes, ordinary %d; want the scan at most half as large", res.Bytes, normal.Bytes)
	}
	qpdfCheck(t, res.Path)
	keepFor(t, res.Path)
	list, err := exec.Command("pdfimages", "-list", res.Path).CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	grey, colour := 0, 0
	for _, line := range strings.Split(string(list), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[2] != "image" {
			continue
		}
		switch f[5] {
		case "gray":
			grey++
			if f[3] != "1240" {
				t.Errorf("scanned page re-made %s pixels wide, want 1240 (150 dpi across A4): %s", f[3], line)
			}
		case "rgb":
			colour++
		}
	}
	if grey != 3 || colour != 1 {
		t.Errorf("pdfimages -list: %d grey, %d colour images; want the 3 scanned pages in grey and the photograph left in colour:\n%s", grey, colour, list)
	}
	if !strings.Contains(pdfText(t, res.Path, 0, 0), "Colour photograph 1") {
		t.Errorf("the PDF with text lost its text")
	}
}
