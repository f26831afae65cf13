package export_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/export"
	"secondopinion/records"
)

// TestPacketUsesPageFixes: the packet draws a page the user turned
// turned, leaves out a page the user removed, draws a page moved into
// another document there, and turns a photo the user turned; the stored
// files are unchanged.
func TestPacketUsesPageFixes(t *testing.T) {
	needTools(t, "pdftotext", "pdfimages")
	ctx := context.Background()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 28)
	for _, w := range []string{"PAGEONE", "PAGETWO", "PAGETHREE", "PAGEFOUR"} {
		pdf.AddPage()
		pdf.Text(20, 60, w+" of the discharge letter")
	}
	letter := savePDF(t, pdf, "discharge.pdf")
	// A wide photo (a receipt photographed sideways).
	m := image.NewRGBA(image.Rect(0, 0, 600, 200))
	for i := range m.Pix {
		m.Pix[i] = 200
	}
	m.Set(0, 0, color.Black)
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, m, nil); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "receipt.jpg")
	if err := os.WriteFile(photo, jb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s, p, c := onePerson(t, "Ada Lovelace", letter, photo)
	docs, err := s.PacketDocuments(ctx, mustCase(t, s, c.ID))
	if err != nil || len(docs) != 2 {
		t.Fatalf("PacketDocuments = %d, %v", len(docs), err)
	}
	let, err := s.Document(ctx, docs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Document(ctx, docs[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Files[0].IsPDF() {
		let, rec = rec, let
	}
	fid := let.Files[0].ID
	if _, err := s.TurnPage(ctx, let.ID, fid, 1, 90); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemovePageOf(ctx, let.ID, fid, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MovePage(ctx, let.ID, fid, 4, rec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TurnPage(ctx, rec.ID, rec.Files[0].ID, 1, -90); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "packet.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, out)
	var pages []string
	for pg := 1; pg <= res.Pages; pg++ {
		pages = append(pages, pdfText(t, out, pg, pg))
	}
	if n := pageWith(pages, "PAGETWO"); n >= 0 {
		t.Errorf("the removed page is on packet page %d", n+1)
	}
	// Packet page numbers, from 1.
	one, three, four := pageWith(pages, "PAGEONE")+1, pageWith(pages, "PAGETHREE")+1, pageWith(pages, "PAGEFOUR")+1
	if one == 0 || three == 0 || four == 0 {
		t.Fatalf("pages of the letter on packet pages %d, %d, %d; want all three", one, three, four)
	}
	if !(one < three && three < four) {
		t.Errorf("packet pages: first %d, third %d, moved fourth %d; want the moved page after the rest of the letter", one, three, four)
	}
	// The turned page's line of text now runs down the page.
	tall := func(pg int, w string) bool {
		words, _ := pageWords(t, out, pg)
		for _, wd := range words {
			if wd.text == w {
				return wd.yMax-wd.yMin > wd.xMax-wd.xMin
			}
		}
		t.Fatalf("no word %s on packet page %d", w, pg)
		return false
	}
	if !tall(one, "PAGEONE") {
		t.Errorf("the turned page's words run across the page, want down it")
	}
	if tall(three, "PAGETHREE") {
		t.Errorf("an unturned page's words run down the page")
	}
	// The photo, 600×200 as taken, turned a quarter: drawn 200 wide, 600 high.
	list, err := exec.Command("pdfimages", "-list", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, line := range strings.Split(string(list), "\n")[2:] {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		w, _ := strconv.Atoi(f[3])
		h, _ := strconv.Atoi(f[4])
		if w > 0 && h > 0 && w*3 == h {
			found = true
		}
		if w > 0 && h > 0 && w == h*3 {
			t.Errorf("the turned photo is drawn %d×%d, as taken", w, h)
		}
	}
	if !found {
		t.Errorf("no photo drawn three times as high as wide:\n%s", list)
	}
}

func mustCase(t *testing.T, s *records.Store, id string) records.Case {
	t.Helper()
	c, err := s.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
