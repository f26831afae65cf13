package records_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/records"
	"secondopinion/records/ocr"
	"secondopinion/records/ocr/ocrtest"
)

func needTesseract(t testing.TB) {
	t.Helper()
	if err := ocr.Available(); err != nil {
		t.Skip("tesseract is not installed:", err)
	}
}

// smallLetter is a letter photo small enough to read in a fraction of a
// second (about 3 MP), turned and noisy like a phone's.
func smallLetter(seed uint64, lines ...string) []byte {
	if len(lines) == 0 {
		lines = ocrtest.Letter
	}
	return ocrtest.JPEG(lines, ocrtest.Photo{Width: 1500, Height: 2000, Angle: 1, Blur: 1, Noise: 6, Seed: seed})
}

// scannedPDF is a one-page PDF holding only a picture of the letter, as
// a scanner makes.
func scannedPDF(t testing.TB, jpg []byte) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.RegisterImageOptionsReader("scan", gofpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(jpg))
	pdf.ImageOptions("scan", 0, 0, 210, 280, false, gofpdf.ImageOptions{ImageType: "JPG"}, 0, "")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestOCRSearch: a word that appears only in a photographed letter, or in
// a scanned PDF, is found by search once the queue has run; before, it is
// not. The queue says how far it got, and a second run has nothing to do.
func TestOCRSearch(t *testing.T) {
	needTesseract(t)
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Mary Example")
	photo := addDoc(t, s, p.ID, records.Document{Title: "Letter"}, writeFile(t, dir, "IMG_0001.jpg", smallLetter(1)))
	scanLines := []string{"Northfield Imaging Centre", "Date: 3 May 2023", "MRI of the lumbar spine shows spondylolisthesis."}
	scan := addDoc(t, s, p.ID, records.Document{Title: "Scan"}, writeFile(t, dir, "scan.pdf", scannedPDF(t, smallLetter(2, scanLines...))))
	text := addDoc(t, s, p.ID, records.Document{Title: "Typed"}, writeFile(t, dir, "typed.pdf", makePDF("A typed letter about a carcinoma of the colon, many words long enough.", 0, 0)))

	if docs, _ := s.Documents(ctx, records.DocumentFilter{Search: "lymphovascular"}); len(docs) != 0 {
		t.Fatalf("before OCR, search found %d documents", len(docs))
	}
	c, err := s.OCRCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Pending != 2 {
		t.Errorf("OCRCounts before = %+v, want 2 pending (the photo and the scan, not the typed PDF)", c)
	}
	var seen [][2]int
	res, err := s.RunOCR(ctx, records.OCROptions{Progress: func(done, total int) { seen = append(seen, [2]int{done, total}) }})
	if err != nil {
		t.Fatalf("RunOCR = %v", err)
	}
	if res.Done != 2 || res.Failed != 0 {
		t.Errorf("RunOCR = %+v, want 2 done", res)
	}
	if len(seen) != 3 || seen[0] != [2]int{0, 2} || seen[1] != [2]int{1, 2} || seen[2] != [2]int{2, 2} {
		t.Errorf("progress = %v, want [0 2] [1 2] [2 2]", seen)
	}
	for _, tt := range []struct {
		word string
		want string
	}{
		{"lymphovascular", photo.ID},
		{"spondylolisthesis", scan.ID},
		{"carcinoma", ""}, // both the photo and the typed PDF
	} {
		docs, err := s.Documents(ctx, records.DocumentFilter{Search: tt.word})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		switch {
		case tt.want != "" && (len(ids) != 1 || ids[0] != tt.want):
			t.Errorf("search %q found %v, want only %s", tt.word, ids, tt.want)
		case tt.want == "" && len(ids) != 2:
			t.Errorf("search %q found %v, want the photo and %s", tt.word, ids, text.ID)
		}
	}
	pts, err := s.PageTexts(ctx, photo.Files[0].ID)
	if err != nil || len(pts) != 1 {
		t.Fatalf("PageTexts = %v, %v", pts, err)
	}
	if pt := pts[0]; pt.Status != records.OCRDone || pt.Width != 1500 || pt.Height != 2000 || len(pt.Words) < 50 {
		t.Errorf("PageTexts = status %s, %d×%d, %d words; want done, 1500×2000, the letter's words", pt.Status, pt.Width, pt.Height, len(pt.Words))
	}
	// The photographed letter suggests its date and letterhead; the
	// document is not changed by it.
	sg, err := s.Suggestions(ctx, photo.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sg.Date != records.MustDate("2024-03-12") || sg.Source != "Riverside University Hospital NHS Trust" {
		t.Errorf("Suggestions(photo) = %+v, want 12 March 2024 from Riverside University Hospital NHS Trust", sg)
	}
	if d, _ := s.Document(ctx, photo.ID); !d.Date.IsZero() || d.Source != "" {
		t.Errorf("after Suggestions the document has date %v and source %q, want them untouched", d.Date, d.Source)
	}
	// What the user already wrote is not offered again: a source that
	// already names the letterhead, nor a title that is only the kind's
	// name in place of the user's own title.
	if sg.Kind == "" || sg.Title != "" {
		t.Errorf("Suggestions(photo titled Letter) title %q, kind %q; the letter has no heading, want the kind and no title", sg.Title, sg.Kind)
	}
	photo.Title = records.TitleFromName("IMG_0001.jpg")
	if err := s.UpdateDocument(ctx, &photo); err != nil {
		t.Fatal(err)
	}
	if sg, err := s.Suggestions(ctx, photo.ID); err != nil || sg.Kind == "" || sg.Title != sg.Kind.Label() {
		t.Errorf("Suggestions(photo titled by its file name) = %+v, %v; want the kind's name as its title", sg, err)
	}
	photo.Source = "Dr A Khan, riverside university hospital nhs trust"
	photo.Title = "Biopsy result from Dr Khan"
	if err := s.UpdateDocument(ctx, &photo); err != nil {
		t.Fatal(err)
	}
	if sg, err := s.Suggestions(ctx, photo.ID); err != nil || sg.Source != "" || sg.Title != "" || sg.Date.IsZero() {
		t.Errorf("Suggestions(photo with source and title) = %+v, %v; want only the date", sg, err)
	}
	if res, err := s.RunOCR(ctx, records.OCROptions{}); err != nil || res.Done != 0 {
		t.Errorf("second RunOCR = %+v, %v; want nothing to do", res, err)
	}
	// The same photo added again is stored once, and already read.
	again := addDoc(t, s, p.ID, records.Document{Title: "Letter again"}, writeFile(t, dir, "copy.jpg", smallLetter(1)))
	if docs, _ := s.Documents(ctx, records.DocumentFilter{Search: "lymphovascular"}); len(docs) != 2 {
		t.Errorf("after adding the same photo again, search found %d documents, want 2", len(docs))
	}
	if c, _ := s.OCRCounts(ctx); c.Pending != 0 || c.Done != 2 {
		t.Errorf("OCRCounts after = %+v, want 2 done, none pending", c)
	}
	_ = again
}

// TestOCRResumes: a run stopped part way keeps the pages it finished; the
// next run reads only the rest.
func TestOCRResumes(t *testing.T) {
	needTesseract(t)
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Mary Example")
	for i := range 3 {
		addDoc(t, s, p.ID, records.Document{}, writeFile(t, dir, "p"+string(rune('a'+i))+".jpg",
			smallLetter(uint64(i+10), "Page number", strings.Repeat("x", i+1)+" anticoagulation")))
	}
	cctx, cancel := context.WithCancel(ctx)
	_, err := s.RunOCR(cctx, records.OCROptions{Progress: func(done, total int) {
		if done == 1 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled RunOCR = %v, want context.Canceled", err)
	}
	if c, _ := s.OCRCounts(ctx); c.Done != 1 || c.Pending != 2 {
		t.Errorf("after a stop: %+v, want 1 done and 2 pending", c)
	}
	res, err := s.RunOCR(ctx, records.OCROptions{})
	if err != nil || res.Done != 2 {
		t.Errorf("resumed RunOCR = %+v, %v; want 2 done", res, err)
	}
	if docs, _ := s.Documents(ctx, records.DocumentFilter{Search: "anticoagulation"}); len(docs) != 3 {
		t.Errorf("search found %d documents, want 3", len(docs))
	}
}

// TestOCRWithoutTesseract: without tesseract on PATH, RunOCR says how to
// install it and leaves the queue as it was.
func TestOCRWithoutTesseract(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	addDoc(t, s, p.ID, records.Document{}, writeFile(t, t.TempDir(), "a.jpg", smallLetter(3)))
	t.Setenv("PATH", t.TempDir())
	_, err := s.RunOCR(ctx, records.OCROptions{})
	if err == nil || !strings.Contains(records.Explain(err), "sudo apt install tesseract-ocr") {
		t.Fatalf("RunOCR without tesseract = %v, want the sentence on how to install it", err)
	}
	if c, _ := s.OCRCounts(ctx); c.Pending != 1 {
		t.Errorf("OCRCounts = %+v, want the page still pending", c)
	}
}

// BenchmarkRunOCR12MP is the queue reading one stored 12 MP phone photo of
// a full page letter, taken upright (orientation 1: the stored bytes go to
// tesseract) or sideways (orientation 6: turned upright in the sandbox
// first): copying it out of the library, OCR, saving the words and
// updating the search index.
func BenchmarkRunOCR12MP(b *testing.B) {
	needTesseract(b)
	for _, bc := range []struct {
		name        string
		orientation int
	}{{"upright", 1}, {"sideways", 6}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			s, _ := newStore(b)
			p := addPerson(b, s, "Mary Example")
			dir := b.TempDir()
			photo := ocrtest.Photo{Angle: 1.5, Blur: 2, Noise: 8, Seed: 1}
			jpg := ocrtest.JPEG(ocrtest.FullLetter(), photo)
			if bc.orientation != 1 {
				jpg = ocrtest.JPEGSideways(ocrtest.FullLetter(), photo)
			}
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				// Distinct bytes each time (a comment), so each is a new file.
				addDoc(b, s, p.ID, records.Document{}, writeFile(b, dir, fmt.Sprintf("p%d.jpg", i), withComment(jpg, fmt.Sprint(i))))
				b.StartTimer()
				if res, err := s.RunOCR(ctx, records.OCROptions{}); err != nil || res.Done != 1 {
					b.Fatalf("RunOCR = %+v, %v", res, err)
				}
			}
		})
	}
}

// TestOCRMixedPDF: a PDF with one typed page and two scanned ones has its
// scanned pages read and its typed page left as it is; search finds the
// words of all three.
func TestOCRMixedPDF(t *testing.T) {
	needTesseract(t)
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 12)
	pdf.AddPage()
	pdf.Text(20, 30, "Covering note: results enclosed")
	for i, word := range []string{"thrombocytopenia", "neutropenia"} {
		pdf.AddPage()
		name := fmt.Sprintf("scan%d", i)
		pdf.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(smallLetter(uint64(20+i), "Haematology results", "The film shows "+word+".")))
		pdf.ImageOptions(name, 0, 0, 210, 280, false, gofpdf.ImageOptions{ImageType: "JPG"}, 0, "")
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	d := addDoc(t, s, p.ID, records.Document{Title: "Results"}, writeFile(t, t.TempDir(), "mixed.pdf", b.Bytes()))
	res, err := s.RunOCR(ctx, records.OCROptions{})
	if err != nil || res.Done != 2 || res.Own != 1 {
		t.Fatalf("RunOCR = %+v, %v; want 2 pages read and 1 with its own text", res, err)
	}
	for _, w := range []string{"thrombocytopenia", "neutropenia", "covering"} {
		if docs, _ := s.Documents(ctx, records.DocumentFilter{Search: w}); len(docs) != 1 || docs[0].ID != d.ID {
			t.Errorf("search %q found %d documents, want the mixed PDF", w, len(docs))
		}
	}
	pts, _ := s.PageTexts(ctx, d.Files[0].ID)
	if len(pts) != 3 || pts[0].Status != records.OCRNone || pts[1].Status != records.OCRDone || pts[2].Status != records.OCRDone {
		t.Errorf("page states = %+v, want none, done, done", pts)
	}
}

// TestOCRScanBehindTypedPages: a portal PDF whose typed pages carry plenty
// of text still has its one scanned page read: the queue looks at each
// page's text, not the average, so the scan's words become searchable.
func TestOCRScanBehindTypedPages(t *testing.T) {
	needTesseract(t)
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 11)
	for page := 0; page < 2; page++ {
		pdf.AddPage()
		for line := 0; line < 30; line++ {
			pdf.Text(20, float64(20+line*8), fmt.Sprintf("Typed summary line %d of page %d: results enclosed as discussed.", line+1, page+1))
		}
	}
	pdf.AddPage()
	pdf.RegisterImageOptionsReader("scan", gofpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(smallLetter(31, "Histopathology", "Sections show leiomyosarcoma.")))
	pdf.ImageOptions("scan", 0, 0, 210, 280, false, gofpdf.ImageOptions{ImageType: "JPG"}, 0, "")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	d := addDoc(t, s, p.ID, records.Document{Title: "Portal download"}, writeFile(t, t.TempDir(), "portal.pdf", b.Bytes()))
	if c, err := s.OCRCounts(ctx); err != nil || c.Pending != 3 {
		t.Fatalf("OCRCounts = %+v, %v; want the PDF's 3 pages waiting", c, err)
	}
	res, err := s.RunOCR(ctx, records.OCROptions{})
	if err != nil || res.Done != 1 || res.Own != 2 {
		t.Fatalf("RunOCR = %+v, %v; want the scanned page read and 2 with their own text", res, err)
	}
	if docs, _ := s.Documents(ctx, records.DocumentFilter{Search: "leiomyosarcoma"}); len(docs) != 1 || docs[0].ID != d.ID {
		t.Errorf("search for the scanned page's word found %d documents, want the portal PDF", len(docs))
	}
	// A PDF typed on every page waits for nothing.
	typed := gofpdf.New("P", "mm", "A4", "")
	typed.SetFont("Helvetica", "", 11)
	typed.AddPage()
	typed.Text(20, 20, "A typed letter of one page with enough words on it.")
	var tb bytes.Buffer
	if err := typed.Output(&tb); err != nil {
		t.Fatal(err)
	}
	addDoc(t, s, p.ID, records.Document{Title: "Typed"}, writeFile(t, t.TempDir(), "typed.pdf", tb.Bytes()))
	if c, err := s.OCRCounts(ctx); err != nil || c.Pending != 0 {
		t.Errorf("OCRCounts after a typed PDF = %+v, %v; want nothing waiting", c, err)
	}
}
