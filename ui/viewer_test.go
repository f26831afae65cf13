package ui

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/jung-kurt/gofpdf"

	"secondopinion/records"
	"secondopinion/records/render"
)

func init() {
	// Tests keep wazero's compiled PDFium in the temporary folder (kept
	// between runs, as Go keeps its build cache), not the user's cache.
	dir := filepath.Join(os.TempDir(), "secondopinion-test-pdfium")
	pageRenderer = sync.OnceValue(func() *render.Renderer { return render.New(dir) })
}

// letterPDF writes a PDF of n A4 pages.
func letterPDF(t *testing.T, n int) string {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 24)
	for i := range n {
		pdf.AddPage()
		pdf.Text(20, 40, "Letter page "+string(rune('1'+i)))
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := pdf.OutputFileAndClose(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPageViewer(t *testing.T) {
	a := withPerson(t, "Ana Lima")
	letter := records.Document{PersonID: a.person.ID, Title: "Letter"}
	if err := a.store.AddDocument(a.ctx, &letter, []string{letterPDF(t, 3)}, records.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	other := addLetter(t, a)
	a.show(secDocuments)
	s := a.documents
	s.selectDoc(letter.ID)
	// The document's PDF shows its first page, not an icon.
	v := a.openViewer(letter.ID, 0)
	if v.where.Text != "Page 1 of 3" || len(v.tiles) != 3 {
		t.Fatalf("viewer shows %q with %d thumbnails, want page 1 of 3", v.where.Text, len(v.tiles))
	}
	for i, tile := range v.tiles {
		if !tile.loaded || tile.image.Image == nil {
			t.Errorf("thumbnail %d is not a drawn page", i+1)
		}
	}
	if m := v.image.Image; m == nil || m.Bounds().Dx() < 512 || m.Bounds().Dy() <= m.Bounds().Dx() {
		t.Fatalf("large page = %v, want an upright A4 page at least 512 pixels wide", v.image.Image)
	}
	// Next and previous, by button and by key.
	test.Tap(v.buttons["next"])
	v.keys.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	if v.where.Text != "Page 3 of 3" || !v.buttons["next"].Disabled() {
		t.Errorf("after Next and Right: %q, next disabled %v; want page 3 of 3", v.where.Text, v.buttons["next"].Disabled())
	}
	v.keys.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	test.Tap(v.tiles[2])
	if v.where.Text != "Page 3 of 3" {
		t.Errorf("after tapping the third thumbnail: %q", v.where.Text)
	}
	// Zoom.
	test.Tap(v.buttons["zoomIn"])
	if v.zoom != 1.25 {
		t.Errorf("zoom after Zoom in = %v, want 1.25", v.zoom)
	}
	v.keys.TypedRune('0')
	if v.zoom != 1 {
		t.Errorf("zoom after 0 = %v, want 1 (fit width)", v.zoom)
	}

	// Turn right: kept, shown landscape, undoable.
	test.Tap(v.buttons["right"])
	d, _ := a.store.Document(a.ctx, letter.ID)
	if got := d.PageList()[2].Turn; got != 90 {
		t.Errorf("after Turn right page 3 turn = %d, want 90", got)
	}
	if m := v.image.Image; m == nil || m.Bounds().Dx() <= m.Bounds().Dy() {
		t.Errorf("turned page is not drawn landscape")
	}
	if !a.noticeBar.Visible() || !strings.Contains(a.noticeText.Text, "Page 3 of 'Letter' turned") {
		t.Errorf("notice = %q (visible %v), want the turn with Undo", a.noticeText.Text, a.noticeBar.Visible())
	}
	if !v.notice.Visible() || v.noticeText.Text != "Page 3 of 'Letter' turned" {
		t.Errorf("the viewer's notice = %q (visible %v), want the turn with Undo", v.noticeText.Text, v.notice.Visible())
	}
	test.Tap(v.buttons["undo"])
	d, _ = a.store.Document(a.ctx, letter.ID)
	if got := d.PageList()[2].Turn; got != 0 {
		t.Errorf("after Undo page 3 turn = %d, want 0", got)
	}

	// Remove page 2, then Undo.
	v.show(1)
	test.Tap(v.buttons["remove"])
	if v.where.Text != "Page 2 of 2" || len(v.tiles) != 2 {
		t.Errorf("after removing page 2: %q with %d thumbnails, want page 2 of 2", v.where.Text, len(v.tiles))
	}
	test.Tap(a.noticeUndo)
	if len(v.pages) != 3 {
		t.Errorf("after Undo the viewer has %d pages, want 3", len(v.pages))
	}

	// Move page 1 to the other document.
	v.show(0)
	test.Tap(v.buttons["move"])
	if v.moveChoice == nil || len(v.moveChoice.Options) != 1 {
		t.Fatalf("Move offers %v, want the one other document", v.moveChoice)
	}
	v.moveSubmit()
	if len(v.pages) != 2 {
		t.Errorf("after moving a page the letter shows %d pages, want 2", len(v.pages))
	}
	o, _ := a.store.Document(a.ctx, other.ID)
	if pl := o.PageList(); len(pl) != 2 || pl[1].File.ID != letter.Files[0].ID || pl[1].Page != 1 {
		t.Errorf("the other document's pages = %+v, want its own and the letter's page 1", pl)
	} else if got := fileDescription(o.Files[1]); got != "Page 1 of a PDF of 3 pages" {
		t.Errorf("the moved page is described %q", got)
	}
	d, _ = a.store.Document(a.ctx, letter.ID)
	if got := fileDescription(d.Files[0]); !strings.HasPrefix(got, "PDF, 2 pages (1 left out)") {
		t.Errorf("the letter's PDF is described %q", got)
	}
	v.close()
}

// TestAddLockedPDFAsksPassword: adding a PDF locked with a password asks
// for it; a wrong one is said and asked again; the right one adds it.
func TestAddLockedPDFAsksPassword(t *testing.T) {
	locked := filepath.Join("..", "..", "shared", "corpus", "pdf", "enc-rc4-128-r3-userpw-openpassword.pdf")
	raw, err := os.ReadFile(locked)
	if err != nil {
		t.Skip("the shared test corpus is not on this machine")
	}
	a := withPerson(t, "Ana Lima")
	a.show(secDocuments)
	s := a.documents
	path := filepath.Join(t.TempDir(), "statement.pdf")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	s.addGroups([][]string{{path}}, records.KindResults, "", nil, records.AddOptions{})
	if s.passwordEntry == nil || !strings.Contains(s.passwordSay.Text, "statement.pdf is locked with a password") {
		t.Fatalf("no password asked for (%v)", s.passwordSay)
	}
	test.Type(s.passwordEntry, "01021950")
	s.passwordEntry.OnSubmitted(s.passwordEntry.Text)
	if want := "That password did not open statement.pdf. Portals often use the date of birth, e.g. 01021950."; s.passwordSay.Text != want {
		t.Errorf("after a wrong password the dialog says %q, want %q", s.passwordSay.Text, want)
	}
	test.Type(s.passwordEntry, "openpassword")
	s.passwordEntry.OnSubmitted(s.passwordEntry.Text)
	if n, _ := a.store.CountDocuments(a.ctx, records.DocumentFilter{PersonID: a.person.ID}); n != 1 {
		t.Errorf("after the right password %d documents, want 1", n)
	}
}
