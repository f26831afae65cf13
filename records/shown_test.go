package records_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/records"
)

// wordsPDF is a PDF whose page i has the text pages[i], with a text layer.
func wordsPDF(t testing.TB, pages ...string) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 14)
	for _, text := range pages {
		pdf.AddPage()
		pdf.Text(20, 30, text)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// scannedPages is a PDF of pictures only, one letter photo a page, as a
// scanner makes of several pages.
func scannedPages(t testing.TB, jpgs ...[]byte) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	for i, jpg := range jpgs {
		pdf.AddPage()
		name := fmt.Sprintf("scan%d", i)
		pdf.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(jpg))
		pdf.ImageOptions(name, 0, 0, 210, 280, false, gofpdf.ImageOptions{ImageType: "JPG"}, 0, "")
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// wantFound checks which documents (by title) a search finds.
func wantFound(t *testing.T, s *records.Store, word string, want ...string) {
	t.Helper()
	docs, err := s.Documents(context.Background(), records.DocumentFilter{Search: word})
	if err != nil {
		t.Fatalf("Documents(search %q) = %v", word, err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Title)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("search %q found %q, want %q", word, got, want)
	}
}

// TestSearchFollowsShownPages: a page of a PDF moved to another document
// brings only its own words to that document's search entry, a page left
// out takes its words out of search, and Undo puts the words back where
// the pages go back.
func TestSearchFollowsShownPages(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Ana Lima")
	letter := addDoc(t, s, p.ID, records.Document{Title: "Letter"},
		writeFile(t, dir, "letter.pdf", wordsPDF(t, "apricot ward round", "blueberry clinic note", "cherimoya discharge plan")))
	notes := addDoc(t, s, p.ID, records.Document{Title: "Notes"}, writeFile(t, dir, "notes.pdf", wordsPDF(t, "durian follow up")))
	pdfID := letter.Files[0].ID
	wantFound(t, s, "apricot", "Letter")
	wantFound(t, s, "cherimoya", "Letter")

	moved, err := s.MovePage(ctx, letter.ID, pdfID, 3, notes.ID)
	if err != nil {
		t.Fatalf("MovePage(letter p3 → notes) = %v", err)
	}
	wantFound(t, s, "cherimoya", "Notes")
	wantFound(t, s, "apricot", "Letter")
	wantFound(t, s, "blueberry", "Letter")
	wantFound(t, s, "durian", "Notes")
	wantFound(t, s, "letter", "Letter", "Notes") // the file's name: the page is of letter.pdf
	// Suggestions read the same text.
	if text, err := s.DocumentText(ctx, notes.ID); err != nil || !strings.Contains(text, "cherimoya") || strings.Contains(text, "apricot") || strings.Contains(text, "blueberry") {
		t.Errorf("DocumentText(notes) = %q, %v; want durian and cherimoya only", text, err)
	}

	removed, err := s.RemovePageOf(ctx, letter.ID, pdfID, 1)
	if err != nil {
		t.Fatalf("RemovePageOf(letter, 1) = %v", err)
	}
	wantFound(t, s, "apricot")
	wantFound(t, s, "blueberry", "Letter")
	if text, err := s.DocumentText(ctx, letter.ID); err != nil || strings.Contains(text, "apricot") || !strings.Contains(text, "blueberry") {
		t.Errorf("DocumentText(letter) = %q, %v; want blueberry only", text, err)
	}

	restore(t, s, removed)
	wantFound(t, s, "apricot", "Letter")
	// Moving the page back shows it, and its words, in the letter again.
	if _, err := s.MovePage(ctx, notes.ID, pdfID, 3, letter.ID); err != nil {
		t.Fatalf("MovePage(back) = %v", err)
	}
	wantFound(t, s, "cherimoya", "Letter")
	wantFound(t, s, "letter", "Letter")
	// Undo of the first move puts both documents, and their words, back
	// as they were before it.
	restore(t, s, moved)
	wantFound(t, s, "cherimoya", "Letter")
	wantFound(t, s, "letter", "Letter")
	wantFound(t, s, "durian", "Notes")
}

// TestOCRSearchFollowsShownPages: what OCR read from a scanned page goes
// with the page: moved to another document, its words find that document
// and no longer the scan's; left out, they find neither.
func TestOCRSearchFollowsShownPages(t *testing.T) {
	needTesseract(t)
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Mary Example")
	scan := addDoc(t, s, p.ID, records.Document{Title: "Scan"}, writeFile(t, dir, "scan.pdf", scannedPages(t,
		smallLetter(1, "Northfield Imaging Centre", "MRI of the lumbar spine shows spondylolisthesis."),
		smallLetter(2, "Riverside Breast Clinic", "The biopsy shows fibroadenoma, nothing more."),
		smallLetter(3, "Kingsway Surgery", "Please review the hypothyroidism medication."))))
	notes := addDoc(t, s, p.ID, records.Document{Title: "Notes"}, writeFile(t, dir, "notes.pdf", wordsPDF(t, "durian follow up")))
	if res, err := s.RunOCR(ctx, records.OCROptions{}); err != nil || res.Done < 3 || res.Failed > 0 {
		t.Fatalf("RunOCR = %+v, %v; want the scan's 3 pages done", res, err)
	}
	wantFound(t, s, "spondylolisthesis", "Scan")
	wantFound(t, s, "fibroadenoma", "Scan")
	wantFound(t, s, "hypothyroidism", "Scan")

	scanID := scan.Files[0].ID
	moved, err := s.MovePage(ctx, scan.ID, scanID, 2, notes.ID)
	if err != nil {
		t.Fatalf("MovePage(scan p2 → notes) = %v", err)
	}
	wantFound(t, s, "fibroadenoma", "Notes")
	wantFound(t, s, "spondylolisthesis", "Scan")
	wantFound(t, s, "hypothyroidism", "Scan")
	if _, err := s.RemovePageOf(ctx, scan.ID, scanID, 3); err != nil {
		t.Fatalf("RemovePageOf(scan, 3) = %v", err)
	}
	wantFound(t, s, "hypothyroidism")
	restore(t, s, moved)
	wantFound(t, s, "fibroadenoma", "Scan")
	wantFound(t, s, "spondylolisthesis", "Scan")
	wantFound(t, s, "hypothyroidism", "Scan")
}
