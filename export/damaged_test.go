package export_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secondopinion/export"
	"secondopinion/records"
)

// pagesPDF writes an n-page PDF whose page i reads "page i of text"; each
// page's objects follow the one before, so cutting the file loses the last
// pages first.
func pagesPDF(text string, n int) []byte {
	var b bytes.Buffer
	offs := map[int]int{}
	obj := func(num int, body string) {
		offs[num] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", num, body)
	}
	b.WriteString("%PDF-1.4\n")
	var kids []string
	for i := 0; i < n; i++ {
		kids = append(kids, fmt.Sprintf("%d 0 R", 4+2*i))
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for i := 0; i < n; i++ {
		obj(4+2*i, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i))
		content := fmt.Sprintf("BT /F1 12 Tf 72 760 Td (page %d of %s) Tj ET %s", i+1, text, strings.Repeat(" ", 2000))
		obj(5+2*i, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", 4+2*n)
	for i := 1; i < 4+2*n; i++ {
		fmt.Fprintf(&b, "%010d 00000 n \n", offs[i])
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", 4+2*n, xref)
	return b.Bytes()
}

// TestPacketWithReadablePagesOfDamagedPDFs: PDFs cut short at several
// points are refused when added, or (with ReadablePagesOnly) go in with
// just their readable pages; the packet then passes qpdf --check with no
// warnings, holds exactly those pages (never a blank one in place of a
// lost one) and says on the divider which pages are missing.
func TestPacketWithReadablePagesOfDamagedPDFs(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo", "pdftotext")
	ctx := context.Background()
	lib := newLibrary(t, nil)
	whole := pagesPDF("the operation note", 6)
	dir := t.TempDir()
	kept := 0
	for _, cut := range []string{"6 0 obj", "10 0 obj", "14 0 obj", "xref"} {
		at := bytes.Index(whole, []byte(cut)) + 100
		path := filepath.Join(dir, fmt.Sprintf("cut-at-%d.pdf", at))
		os.WriteFile(path, whole[:at], 0o600)
		d := records.Document{PersonID: lib.person.ID, Kind: records.KindOperative, Title: "Operation note cut at " + cut}
		if err := lib.s.AddDocument(ctx, &d, []string{path}, records.AddOptions{}); err == nil {
			t.Errorf("AddDocument(PDF cut at %s) = nil error, want it refused", cut)
		}
		if err := lib.s.AddDocument(ctx, &d, []string{path}, records.AddOptions{ReadablePagesOnly: true}); err != nil {
			t.Logf("AddDocument(PDF cut at %s, readable pages only) = %v", cut, err)
			continue
		}
		if (d.Pages >= 6 && cut != "xref") || d.Missing == "" {
			t.Errorf("PDF cut at %s: %d pages, Missing %q; want the readable pages and the missing ones named", cut, d.Pages, d.Missing)
		}
		kept += d.Pages
	}
	if kept == 0 {
		t.Fatal("no readable pages were kept from any cut")
	}
	out := filepath.Join(t.TempDir(), "packet.pdf")
	res, err := export.WritePacket(ctx, lib.s, out, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID, Now: fixedNow})
	if err != nil {
		t.Fatalf("WritePacket = %v", err)
	}
	qpdfCheck(t, out)
	text := pdfText(t, out, 1, res.Pages)
	if n := strings.Count(text, "of the operation note"); n != kept {
		t.Errorf("the packet holds %d pages of the note, want the %d readable ones", n, kept)
	}
	if !strings.Contains(text, "could not be read and") || !strings.Contains(text, "was cut short") {
		t.Error("no divider says which pages are missing")
	}
}
