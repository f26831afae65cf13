package ui

import (
	"fmt"
	"testing"

	"secondopinion/records"
)

// TestDocumentsListPaged checks the Documents list reads only the pages
// it shows: the first page with the count, a far row's page when the list
// scrolls there (showing "Loading..." until it arrives), and afresh after a
// change. Pages of 10 rows over 45 documents stand in for pages of 200
// over 10,000 (BenchmarkScrollToRow5000 does that one).
func TestDocumentsListPaged(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	png := writePNG(t, dir, "page.png", 3)
	for i := range 45 {
		d := records.Document{PersonID: a.person.ID, Kind: records.KindResults, Title: fmt.Sprintf("Results %02d", i),
			Date: records.Date{Year: 2020 + i/12, Month: 1 + i%12, Day: 1}}
		if err := a.store.AddDocument(a.ctx, &d, []string{png}, records.AddOptions{Again: true}); err != nil {
			t.Fatal(err)
		}
	}
	s := a.documents
	s.pageSize = 10
	a.show(secDocuments)
	if s.total != 45 || s.count.Text != "45 documents" {
		t.Fatalf("list of %d, says %q; want 45", s.total, s.count.Text)
	}
	if _, ok := s.rowPages[3]; ok {
		t.Fatal("a page far down was read before the list scrolled there")
	}

	// Background work waits in a queue, as it would on a busy machine.
	var queue []func()
	a.async = func(f func()) { queue = append(queue, f) }
	const row = 37
	s.list.ScrollTo(row)
	if !showsText(s.list, "Loading...") {
		t.Errorf("before its page arrives, the row should say Loading...; rows show %q", labelTexts(s.list))
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		f()
	}
	want := fmt.Sprintf("Results %02d", row) // dates increase with i, so row i is "Results i"
	if !showsText(s.list, want) {
		t.Errorf("after scrolling to row %d the list shows %q, want %q among them", row, labelTexts(s.list), want)
	}
	if d, ok := s.docAt(row); !ok || d.Title != want {
		t.Errorf("docAt(%d) = %q, %v; want %q", row, d.Title, ok, want)
	}
	if _, ok := s.rowPages[1]; ok {
		t.Error("page 1 was read though the list never showed it")
	}

	// A change lists afresh: the old pages are dropped, and the rows on
	// screen are read again.
	a.async = inline
	d, _ := s.docAt(0)
	if err := a.store.TrashDocument(a.ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	s.reload()
	want = fmt.Sprintf("Results %02d", row+1)
	if d, ok := s.docAt(row); s.total != 44 || !ok || d.Title != want || !showsText(s.list, want) {
		t.Errorf("after trashing the first: %d rows, row %d = %q; want 44 rows and %q", s.total, row, d.Title, want)
	}
	if _, ok := s.rowPages[1]; ok {
		t.Error("page 1 was read after the change though the list does not show it")
	}
}
