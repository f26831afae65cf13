package export_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/ocr"
	"secondopinion/records/ocr/ocrtest"
)

// wordBoxes reads pdftotext -bbox's words on page n: their top-left
// corners in points, by word.
func wordBoxes(t *testing.T, path string, n int) map[string][2]float64 {
	t.Helper()
	out, err := exec.Command("pdftotext", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), "-bbox", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>`)
	boxes := map[string][2]float64{}
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		boxes[strings.Trim(m[3], ".,:;")] = [2]float64{x, y}
	}
	return boxes
}

// render draws page n of the PDF at 50 dpi as PPM bytes.
func render(t *testing.T, path string, n int) []byte {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), "-r", "50", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	b, err := os.ReadFile(prefix + ".ppm")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPacketTextLayer: once OCR has read a photographed letter (taken
// sideways) and a scanned PDF, the packet's pages carry their words as
// invisible text: pdftotext finds them, in the places the picture shows
// them, and the pages look exactly as they did before.
func TestPacketTextLayer(t *testing.T) {
	needTools(t, "pdftotext", "pdftoppm", "qpdf")
	if err := ocr.Available(); err != nil {
		t.Skip("tesseract is not installed:", err)
	}
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: "Mary Example"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	photo := filepath.Join(dir, "IMG_0007.jpg")
	if err := os.WriteFile(photo, ocrtest.JPEGSideways(ocrtest.Letter, ocrtest.Photo{Width: 1500, Height: 2000, Angle: 1, Blur: 1, Noise: 6, Seed: 5}), 0o600); err != nil {
		t.Fatal(err)
	}
	addDoc(t, s, p.ID, records.Document{Kind: records.KindPathology, Title: "Biopsy letter", Date: records.MustDate("2024-03-12")}, photo)
	scanLines := []string{"Northfield Imaging Centre", "Date: 3 May 2023", "MRI shows spondylolisthesis at L4/5."}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	opt := gofpdf.ImageOptions{ImageType: "JPG"}
	pdf.RegisterImageOptionsReader("scan", opt, bytes.NewReader(ocrtest.JPEG(scanLines, ocrtest.Photo{Width: 1240, Height: 1754, Noise: 4, Seed: 6})))
	pdf.ImageOptions("scan", 0, 0, 210, 297, false, opt, 0, "")
	scan := savePDF(t, pdf, "scan.pdf")
	addDoc(t, s, p.ID, records.Document{Kind: records.KindImagingReport, Title: "MRI report", Date: records.MustDate("2023-05-03")}, scan)

	// A scan whose page was turned with /Rotate 90: its picture is stored
	// sideways and shows upright.
	turned := gofpdf.New("L", "mm", "A4", "")
	turned.AddPage()
	turned.RegisterImageOptionsReader("side", opt, bytes.NewReader(ocrtest.JPEGSideways(ocrtest.Letter, ocrtest.Photo{Width: 1240, Height: 1754, Noise: 4, Seed: 7})))
	turned.ImageOptions("side", 0, 0, 297, 210, false, opt, 0, "")
	side := savePDF(t, turned, "side.pdf")
	rotated := filepath.Join(dir, "rotated.pdf")
	if err := api.RotateFile(side, rotated, 90, nil, nil); err != nil {
		t.Fatal(err)
	}
	addDoc(t, s, p.ID, records.Document{Kind: records.KindPathology, Title: "Turned scan", Date: records.MustDate("2024-03-13")}, rotated)

	before := filepath.Join(t.TempDir(), "before.pdf")
	if _, err := export.WritePacket(ctx, s, before, export.Options{PersonID: p.ID, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	if res, err := s.RunOCR(ctx, records.OCROptions{}); err != nil || res.Done != 3 {
		t.Fatalf("RunOCR = %+v, %v; want 3 pages read", res, err)
	}
	after := filepath.Join(t.TempDir(), "after.pdf")
	if _, err := export.WritePacket(ctx, s, after, export.Options{PersonID: p.ID, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	keep(t, after)
	qpdfCheck(t, after)
	textBefore, textAfter := pdfText(t, before, 0, 0), pdfText(t, after, 0, 0)
	for _, w := range []string{"lymphovascular", "spondylolisthesis"} {
		if strings.Contains(textBefore, w) {
			t.Fatalf("before OCR the packet already has %q", w)
		}
		if !strings.Contains(textAfter, w) {
			t.Errorf("after OCR pdftotext does not find %q in the packet", w)
		}
	}
	pages := strings.Split(textAfter, "\f")
	for i, pg := range pages {
		if strings.Contains(pg, "lymphovascular") || strings.Contains(pg, "spondylolisthesis") {
			if !bytes.Equal(render(t, before, i+1), render(t, after, i+1)) {
				t.Errorf("page %d looks different with its text layer; want it unchanged", i+1)
			}
		}
	}
	// The words lie where the upright letter has them: the letterhead
	// above the body above the signature, the lines starting at the same
	// left margin; on the photo taken sideways and on the turned scan.
	checked := 0
	for i, pg := range pages {
		if !strings.Contains(pg, "lymphovascular") {
			continue
		}
		checked++
		n := i + 1
		boxes := wordBoxes(t, after, n)
		head, body, sign, dear := boxes["Riverside"], boxes["carcinoma"], boxes["sincerely"], boxes["Dear"]
		if !(head[1] > 0 && head[1] < body[1] && body[1] < sign[1]) {
			t.Errorf("page %d: word tops Riverside %.0f, carcinoma %.0f, sincerely %.0f; want them in reading order down the page", n, head[1], body[1], sign[1])
		}
		if d := head[0] - dear[0]; d < -15 || d > 15 {
			t.Errorf("page %d: Riverside starts at x %.0f, Dear at %.0f; want the same left margin", n, head[0], dear[0])
		}
	}
	if checked != 2 {
		t.Errorf("%d pages carry the letter's words, want 2 (the sideways photo and the turned scan)", checked)
	}
}

// TestTextLayerFollowsTurnsAndHiddenPages: a photographed letter the user
// turned a quarter to the right in the app carries its words turned with
// it (reading down the page, the letterhead's line rightmost), and a
// scanned PDF with its first page hidden gives the second page's words to
// the sheet that page is drawn on, not the hidden page's.
func TestTextLayerFollowsTurnsAndHiddenPages(t *testing.T) {
	needTools(t, "pdftotext", "qpdf")
	if err := ocr.Available(); err != nil {
		t.Skip("tesseract is not installed:", err)
	}
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: "Mary Example"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	photo := filepath.Join(dir, "IMG_0008.jpg")
	if err := os.WriteFile(photo, ocrtest.JPEG(ocrtest.Letter, ocrtest.Photo{Width: 1500, Height: 2000, Noise: 4, Seed: 8}), 0o600); err != nil {
		t.Fatal(err)
	}
	letter := addDoc(t, s, p.ID, records.Document{Kind: records.KindPathology, Title: "Biopsy letter", Date: records.MustDate("2024-03-12")}, photo)
	pdf := gofpdf.New("P", "mm", "A4", "")
	opt := gofpdf.ImageOptions{ImageType: "JPG"}
	for i, lines := range [][]string{{"Hidden page", "Cholecystectomy uncomplicated."}, {"Northfield Imaging Centre", "MRI shows spondylolisthesis at L4/5."}} {
		pdf.AddPage()
		name := "scan" + strconv.Itoa(i)
		pdf.RegisterImageOptionsReader(name, opt, bytes.NewReader(ocrtest.JPEG(lines, ocrtest.Photo{Width: 1240, Height: 1754, Noise: 4, Seed: uint64(9 + i)})))
		pdf.ImageOptions(name, 0, 0, 210, 297, false, opt, 0, "")
	}
	scan := addDoc(t, s, p.ID, records.Document{Kind: records.KindImagingReport, Title: "MRI report", Date: records.MustDate("2023-05-03")}, savePDF(t, pdf, "scan.pdf"))
	if res, err := s.RunOCR(ctx, records.OCROptions{}); err != nil || res.Done != 3 {
		t.Fatalf("RunOCR = %+v, %v; want 3 pages read", res, err)
	}
	if _, err := s.TurnPage(ctx, letter.ID, letter.Files[0].ID, 1, 90); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemovePageOf(ctx, scan.ID, scan.Files[0].ID, 1); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "packet.pdf")
	if _, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	keep(t, out)
	qpdfCheck(t, out)
	text := pdfText(t, out, 0, 0)
	if strings.Contains(text, "Cholecystectomy") {
		t.Errorf("the hidden page's words are in the packet")
	}
	pages := strings.Split(text, "\f")
	found := map[string]bool{}
	for i, pg := range pages {
		switch {
		case strings.Contains(pg, "spondylolisthesis"):
			found["scan"] = true
			if !strings.Contains(pg, "Northfield") {
				t.Errorf("page %d has the scan's words but not its letterhead", i+1)
			}
		case strings.Contains(pg, "lymphovascular"):
			found["photo"] = true
			boxes := wordBoxes(t, out, i+1)
			head, body, sign, dear := boxes["Riverside"], boxes["carcinoma"], boxes["sincerely"], boxes["Dear"]
			// Turned a quarter to the right, the letter's top is at the
			// right of the sheet and its lines run down it.
			if !(head[0] > body[0] && body[0] > sign[0]) {
				t.Errorf("page %d: word lefts Riverside %.0f, carcinoma %.0f, sincerely %.0f; want the lines stacked right to left", i+1, head[0], body[0], sign[0])
			}
			if d := head[1] - dear[1]; d < -15 || d > 15 {
				t.Errorf("page %d: Riverside starts at y %.0f, Dear at %.0f; want the same margin at the top", i+1, head[1], dear[1])
			}
		}
	}
	if !found["scan"] || !found["photo"] {
		t.Errorf("pdftotext found the words of %v; want the turned photo and the scan's shown page", found)
	}
}
