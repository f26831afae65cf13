package records_test

import (
	"context"
	"testing"

	"secondopinion/records"
)

// The list's page counts are kept on the document row (migration 3); they
// must agree with the document's files after every change to its pages.
func TestListCountsFollowPages(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	pdf := writeFile(t, dir, "letter.pdf", makePDF("a letter", 0, 1))
	photo1 := writeFile(t, dir, "page1.jpg", makeJPEG(64, 48, 1, 90))
	photo2 := writeFile(t, dir, "page2.jpg", makeJPEG(64, 48, 2, 90))
	p := &records.Person{FullName: "Ana Lima"}
	d := records.Document{Kind: records.KindClinicLetter}
	if err := s.AddDocument(ctx, &d, []string{pdf, photo1}, records.AddOptions{NewPerson: p}); err != nil {
		t.Fatal(err)
	}
	// The same bytes again, in another document: stored once, counted in both.
	d2 := records.Document{PersonID: p.ID, Kind: records.KindOther}
	if err := s.AddDocument(ctx, &d2, []string{photo1}, records.AddOptions{Again: true}); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		list, err := s.Documents(ctx, records.DocumentFilter{PersonID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			full, err := s.Document(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if l.FileCount != full.FileCount || l.Pages != full.Pages || l.Bytes != full.Bytes {
				t.Errorf("%s: list says %d files, %d pages, %d bytes; the document has %d, %d, %d",
					step, l.FileCount, l.Pages, l.Bytes, full.FileCount, full.Pages, full.Bytes)
			}
		}
		n, err := s.CountDocuments(ctx, records.DocumentFilter{PersonID: p.ID})
		if err != nil || n != len(list) {
			t.Errorf("%s: CountDocuments = %d, %v, want %d", step, n, err, len(list))
		}
	}
	check("after adding")
	if err := s.AddPages(ctx, d.ID, []string{photo2}, nil); err != nil {
		t.Fatal(err)
	}
	check("after adding a page")
	full, _ := s.Document(ctx, d.ID)
	if full.FileCount != 3 {
		t.Fatalf("after AddPages the document has %d files, want 3", full.FileCount)
	}
	if err := s.RemovePage(ctx, d.ID, full.Files[1].ID); err != nil {
		t.Fatal(err)
	}
	check("after removing a page")
	if err := s.ReorderPages(ctx, d.ID, []string{full.Files[2].ID, full.Files[0].ID}); err != nil {
		t.Fatal(err)
	}
	check("after reordering")
	page, err := s.Documents(ctx, records.DocumentFilter{PersonID: p.ID, Limit: 1, Offset: 1})
	if err != nil || len(page) != 1 {
		t.Fatalf("Documents(Limit 1, Offset 1) = %d rows, %v, want 1", len(page), err)
	}
}
