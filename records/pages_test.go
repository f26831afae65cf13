package records_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"secondopinion/records"
)

// shown describes a document's pages as a user sees them: "file:page" or
// "file:page@turn", in order.
func shown(t *testing.T, s *records.Store, id string) []string {
	t.Helper()
	d, err := s.Document(context.Background(), id)
	if err != nil {
		t.Fatalf("Document(%s) = %v", id, err)
	}
	var out []string
	for _, p := range d.PageList() {
		v := fmt.Sprintf("%s:%d", p.File.Name, p.Page)
		if p.Turn != 0 {
			v += fmt.Sprintf("@%d", p.Turn)
		}
		out = append(out, v)
	}
	// The list's page count, kept by triggers, agrees with the pages shown.
	list, err := s.Documents(context.Background(), records.DocumentFilter{PersonID: d.PersonID})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		if l.ID == id && l.Pages != len(out) {
			t.Errorf("Documents() says %q has %d pages, it shows %d (%v)", d.Title, l.Pages, len(out), out)
		}
	}
	if d.Pages != len(out) {
		t.Errorf("Document(%q).Pages = %d, it shows %d", d.Title, d.Pages, len(out))
	}
	return out
}

func wantPages(t *testing.T, s *records.Store, id string, want ...string) {
	t.Helper()
	if got := shown(t, s, id); !reflect.DeepEqual(got, want) {
		t.Errorf("pages = %v, want %v", got, want)
	}
}

func restore(t *testing.T, s *records.Store, u *records.Undo) {
	t.Helper()
	if u == nil {
		t.Fatal("no Undo returned")
	}
	if err := s.Restore(context.Background(), u); err != nil {
		t.Fatalf("Restore(%q) = %v", u.What, err)
	}
}

type pagesFixture struct {
	s              *records.Store
	letter, photos records.Document
	pdfID          string
	photoIDs       []string
}

// newPagesFixture makes a person with a three-page PDF letter and a
// document of two photos.
func newPagesFixture(t *testing.T) pagesFixture {
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Ana Lima")
	letter := addDoc(t, s, p.ID, records.Document{Title: "Letter"}, writeFile(t, dir, "letter.pdf", makePagesPDF("letter", 3)))
	photos := addDoc(t, s, p.ID, records.Document{Title: "Photos"},
		writeFile(t, dir, "a.jpg", makeJPEG(64, 48, 1, 90)), writeFile(t, dir, "b.jpg", makeJPEG(64, 48, 2, 90)))
	return pagesFixture{s: s, letter: letter, photos: photos, pdfID: letter.Files[0].ID,
		photoIDs: []string{photos.Files[0].ID, photos.Files[1].ID}}
}

func TestTurnPage(t *testing.T) {
	ctx := context.Background()
	fx := newPagesFixture(t)
	s := fx.s
	u1, err := s.TurnPage(ctx, fx.letter.ID, fx.pdfID, 2, 90)
	if err != nil {
		t.Fatalf("TurnPage(right) = %v", err)
	}
	if u1.What != "Page 2 of 'Letter' turned" {
		t.Errorf("Undo.What = %q", u1.What)
	}
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2@90", "letter.pdf:3")
	u2, err := s.TurnPage(ctx, fx.letter.ID, fx.pdfID, 2, 90)
	if err != nil {
		t.Fatal(err)
	}
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2@180", "letter.pdf:3")
	if _, err := s.TurnPage(ctx, fx.photos.ID, fx.photoIDs[0], 1, -90); err != nil {
		t.Fatalf("TurnPage(photo, left) = %v", err)
	}
	wantPages(t, s, fx.photos.ID, "a.jpg:1@270", "b.jpg:1")
	// Four quarters bring a page back upright.
	for range 2 {
		if _, err := s.TurnPage(ctx, fx.letter.ID, fx.pdfID, 2, 90); err != nil {
			t.Fatal(err)
		}
	}
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2", "letter.pdf:3")
	if _, err := s.TurnPage(ctx, fx.letter.ID, fx.pdfID, 2, 45); !strings.Contains(records.Explain(err), "quarter") {
		t.Errorf("TurnPage(45) = %v, want a quarter turn refused", err)
	}
	if _, err := s.TurnPage(ctx, fx.letter.ID, fx.pdfID, 4, 90); err == nil {
		t.Error("TurnPage(page 4 of 3) = nil, want an error")
	}
	// Undo goes back one step at a time.
	restore(t, s, u2)
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2@90", "letter.pdf:3")
	restore(t, s, u1)
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2", "letter.pdf:3")
	// The stored bytes never change.
	f, err := s.File(ctx, fx.pdfID)
	if err != nil || f.SHA256 != fx.letter.Files[0].SHA256 {
		t.Errorf("File after turning = %v, %v; want the same bytes", f.SHA256, err)
	}
}

func TestRemovePageOf(t *testing.T) {
	ctx := context.Background()
	fx := newPagesFixture(t)
	s := fx.s
	u, err := s.RemovePageOf(ctx, fx.letter.ID, fx.pdfID, 2)
	if err != nil {
		t.Fatalf("RemovePageOf(letter, 2) = %v", err)
	}
	if u.What != "Page 2 removed from 'Letter'" {
		t.Errorf("Undo.What = %q", u.What)
	}
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:3")
	if _, err := s.RemovePageOf(ctx, fx.letter.ID, fx.pdfID, 2); err == nil {
		t.Error("removing a removed page again = nil, want an error")
	}
	if _, err := s.RemovePageOf(ctx, fx.letter.ID, fx.pdfID, 1); err != nil {
		t.Fatal(err)
	}
	wantPages(t, s, fx.letter.ID, "letter.pdf:3")
	_, err = s.RemovePageOf(ctx, fx.letter.ID, fx.pdfID, 3)
	if !strings.Contains(records.Explain(err), "at least one page") {
		t.Errorf("removing the last page = %v, want it refused", err)
	}
	// A photo is unlinked; Undo links it again in its place.
	up, err := s.RemovePageOf(ctx, fx.photos.ID, fx.photoIDs[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	wantPages(t, s, fx.photos.ID, "b.jpg:1")
	restore(t, s, up)
	wantPages(t, s, fx.photos.ID, "a.jpg:1", "b.jpg:1")
	// Undo puts the document back as it was before that removal.
	restore(t, s, u)
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2", "letter.pdf:3")
	if probs, err := s.Check(ctx); err != nil || len(probs) > 0 {
		t.Errorf("Check() = %v, %v", probs, err)
	}
}

func TestMovePage(t *testing.T) {
	ctx := context.Background()
	fx := newPagesFixture(t)
	s := fx.s
	if _, err := s.TurnPage(ctx, fx.letter.ID, fx.pdfID, 3, 90); err != nil {
		t.Fatal(err)
	}
	u, err := s.MovePage(ctx, fx.letter.ID, fx.pdfID, 3, fx.photos.ID)
	if err != nil {
		t.Fatalf("MovePage(letter p3 → photos) = %v", err)
	}
	if u.What != "Page 3 moved from 'Letter' to 'Photos'" {
		t.Errorf("Undo.What = %q", u.What)
	}
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2")
	wantPages(t, s, fx.photos.ID, "a.jpg:1", "b.jpg:1", "letter.pdf:3@90")
	// The moved page is a reference to (file, page): one stored copy.
	d, _ := s.Document(ctx, fx.photos.ID)
	if last := d.Files[2]; last.ID != fx.pdfID || last.Only != 3 {
		t.Errorf("moved page links file %s page %d, want %s page 3", last.ID, last.Only, fx.pdfID)
	}
	// A photo moves whole, and turning the moved page turns it only there.
	if _, err := s.MovePage(ctx, fx.photos.ID, fx.photoIDs[1], 1, fx.letter.ID); err != nil {
		t.Fatal(err)
	}
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2", "b.jpg:1")
	wantPages(t, s, fx.photos.ID, "a.jpg:1", "letter.pdf:3@90")
	// Moving the page back shows it again in its place in the letter.
	if _, err := s.MovePage(ctx, fx.photos.ID, fx.pdfID, 3, fx.letter.ID); err != nil {
		t.Fatal(err)
	}
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2", "letter.pdf:3@90", "b.jpg:1")
	wantPages(t, s, fx.photos.ID, "a.jpg:1")
	// Rules: not to itself, not another person's document, not the last page.
	other := addPerson(t, s, "Ben Okafor")
	theirs := addDoc(t, s, other.ID, records.Document{Title: "Theirs"}, writeFile(t, t.TempDir(), "x.pdf", makePagesPDF("x", 1)))
	// The same letter added again: the same stored file, all its pages.
	again := addDoc(t, s, fx.letter.PersonID, records.Document{Title: "Again"}, writeFile(t, t.TempDir(), "letter.pdf", makePagesPDF("letter", 3)))
	for _, tt := range []struct {
		name, from, file string
		page             int
		to, want         string
	}{
		{"same document", fx.letter.ID, fx.pdfID, 1, fx.letter.ID, "another document"},
		{"another person", fx.letter.ID, fx.pdfID, 1, theirs.ID, "same person"},
		{"only page", fx.photos.ID, fx.photoIDs[0], 1, fx.letter.ID, "only page"},
		{"page already there", again.ID, fx.pdfID, 1, fx.letter.ID, "already has this page"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, s)
			_, err := s.MovePage(ctx, tt.from, tt.file, tt.page, tt.to)
			if !strings.Contains(records.Explain(err), tt.want) {
				t.Errorf("MovePage = %v, want a sentence with %q", err, tt.want)
			}
			assertUnchanged(t, s, before)
		})
	}
	// Undo of the first move puts both documents back as they were then.
	restore(t, s, u)
	wantPages(t, s, fx.letter.ID, "letter.pdf:1", "letter.pdf:2", "letter.pdf:3@90")
	wantPages(t, s, fx.photos.ID, "a.jpg:1", "b.jpg:1")
	if probs, err := s.Check(ctx); err != nil || len(probs) > 0 {
		t.Errorf("Check() = %v, %v", probs, err)
	}
}

func TestAddPagesUndo(t *testing.T) {
	ctx := context.Background()
	fx := newPagesFixture(t)
	s := fx.s
	u, err := s.AddPagesUndo(ctx, fx.photos.ID, []string{writeFile(t, t.TempDir(), "c.jpg", makeJPEG(64, 48, 3, 90))}, records.AddOptions{})
	if err != nil {
		t.Fatalf("AddPagesUndo = %v", err)
	}
	wantPages(t, s, fx.photos.ID, "a.jpg:1", "b.jpg:1", "c.jpg:1")
	restore(t, s, u)
	wantPages(t, s, fx.photos.ID, "a.jpg:1", "b.jpg:1")
	// The photo left no document: emptying the Trash deletes its bytes.
	if _, err := s.EmptyTrash(ctx, ""); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats(ctx)
	if st.Files != 3 {
		t.Errorf("after emptying the Trash the library holds %d files, want 3", st.Files)
	}
}
