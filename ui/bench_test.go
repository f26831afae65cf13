package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"secondopinion/records/sandbox"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// benchDocs is how many documents the speed benchmarks work on: the issue's
// "usable in under 1 s with 10,000 documents".
const benchDocs = 10000

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

var benchWords = []string{"blood", "biopsy", "scan", "letter", "clinic", "results", "report", "ultrasound", "discharge", "referral"}

// benchLibrary makes, once per test process, a library with one person and
// benchDocs documents (all sharing one small picture, stored once).
func benchLibrary(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "secondopinion-bench-")
		if err != nil {
			benchErr = err
			return
		}
		ctx := context.Background()
		benchPath = filepath.Join(dir, "library.sqlite")
		s, err := records.Open(ctx, benchPath)
		if err != nil {
			benchErr = err
			return
		}
		defer s.Close()
		p := records.Person{FullName: "Bench Person"}
		if benchErr = s.SavePerson(ctx, &p); benchErr != nil {
			return
		}
		c := records.Case{PersonID: p.ID, Title: "Bench"}
		if benchErr = s.SaveCase(ctx, &c); benchErr != nil {
			return
		}
		png := writePNG(&testing.T{}, dir, "page.png", 7)
		for i := range benchDocs {
			d := records.Document{PersonID: p.ID, Kind: records.Kinds[i%len(records.Kinds)],
				Title:  fmt.Sprintf("%s %d", benchWords[i%len(benchWords)], i),
				Source: fmt.Sprintf("Hospital %c", 'A'+i%26),
				Date:   records.Date{Year: 2000 + i%25, Month: 1 + i%12, Day: 1 + i%28}}
			if benchErr = s.AddDocument(ctx, &d, []string{png}, records.AddOptions{Again: true}); benchErr != nil {
				return
			}
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// benchApp opens the big library in the test driver. async says how
// background work runs.
func benchApp(b *testing.B, async func(func())) *App {
	path := benchLibrary(b)
	fa := test.NewTempApp(b)
	s, err := records.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	a := &App{fyne: fa, store: s, ctx: context.Background(), async: async}
	a.win = fa.NewWindow("Second Opinion")
	a.build()
	return a
}

func inline(f func()) { f() }

// BenchmarkOpenWindow is the time the UI goroutine is busy from opening the
// library to showing the Documents screen: after it the window answers,
// while the list of 10,000 loads in the background (measured apart below).
func BenchmarkOpenWindow(b *testing.B) {
	benchLibrary(b)
	for b.Loop() {
		a := benchApp(b, func(func()) {}) // background work is not this benchmark's
		a.show(secDocuments)
		a.win.Close()
	}
}

// BenchmarkOpenWindowListed is start-up until the Documents list of
// 10,000 shows its first screenful: everything, background work included
// (the count and the first page of rows; the other pages are read as the
// list scrolls to them).
func BenchmarkOpenWindowListed(b *testing.B) {
	benchLibrary(b)
	for b.Loop() {
		a := benchApp(b, inline)
		a.show(secDocuments)
		if a.documents.total != benchDocs || len(a.documents.rowPages[0]) != docPageSize {
			b.Fatalf("listed %d with a first page of %d, want %d and %d", a.documents.total, len(a.documents.rowPages[0]), benchDocs, docPageSize)
		}
		a.win.Close()
	}
}

// BenchmarkDocumentsReload is the Documents screen's own background work
// on a list of 10,000, from asking to the first screenful shown: the count,
// the first page and the list laid out again. (Before paging it read all
// 10,000 rows: see BenchmarkDocumentsList.)
func BenchmarkDocumentsReload(b *testing.B) {
	a := benchApp(b, func(func()) {}) // the other screens' background work is not this benchmark's
	a.win.Resize(fyne.NewSize(1200, 800))
	a.show(secDocuments)
	a.async = inline
	s := a.documents
	for b.Loop() {
		s.reload()
		if s.total != benchDocs || !strings.HasPrefix(s.count.Text, "10,000") && !strings.HasPrefix(s.count.Text, "10000") {
			b.Fatalf("listed %d, says %q", s.total, s.count.Text)
		}
	}
}

// BenchmarkDocumentsFirstPage is what the list reads before it shows:
// the count and one page of rows.
func BenchmarkDocumentsFirstPage(b *testing.B) {
	a := benchApp(b, inline)
	f := records.DocumentFilter{PersonID: a.person.ID}
	page := f
	page.Limit = docPageSize
	for b.Loop() {
		n, err := a.store.CountDocuments(a.ctx, f)
		if err != nil || n != benchDocs {
			b.Fatalf("CountDocuments() = %d, %v", n, err)
		}
		docs, err := a.store.Documents(a.ctx, page)
		if err != nil || len(docs) != docPageSize {
			b.Fatalf("Documents(first page) = %d, %v", len(docs), err)
		}
	}
}

// BenchmarkScrollToRow5000 jumps the list of 10,000 to row 5,000 with its
// page not read yet, until the row shows its title (checked against the
// store).
func BenchmarkScrollToRow5000(b *testing.B) {
	a := benchApp(b, inline)
	a.win.Resize(fyne.NewSize(1200, 800))
	a.show(secDocuments)
	s := a.documents
	const row = 5000
	want, err := a.store.Documents(a.ctx, records.DocumentFilter{PersonID: a.person.ID, Offset: row, Limit: 1})
	if err != nil || len(want) != 1 {
		b.Fatalf("Documents(row %d) = %v, %v", row, want, err)
	}
	for b.Loop() {
		s.list.ScrollToTop()
		for p := range s.rowPages {
			if p != 0 {
				delete(s.rowPages, p)
			}
		}
		s.list.ScrollTo(row)
		if d, ok := s.docAt(row); !ok || d.Title != want[0].Title {
			b.Fatalf("row %d = %q (%v), want %q", row, d.Title, ok, want[0].Title)
		}
		found := false
		for _, o := range test.LaidOutObjects(s.list) {
			if l, ok := o.(*widget.Label); ok && l.Text == want[0].Title {
				found = true
			}
		}
		if !found {
			b.Fatalf("the list does not show row %d's title %q", row, want[0].Title)
		}
	}
}

// BenchmarkDocumentsList is the list query alone (records) for 10,000.
func BenchmarkDocumentsList(b *testing.B) {
	a := benchApp(b, inline)
	f := records.DocumentFilter{PersonID: a.person.ID}
	for b.Loop() {
		docs, err := a.store.Documents(a.ctx, f)
		if err != nil || len(docs) != benchDocs {
			b.Fatalf("Documents() = %d, %v", len(docs), err)
		}
	}
}

// BenchmarkSearchAsYouType types "blood" one letter at a time into the
// search box (no debounce), each letter answering with a new list: the
// worst case for what typing costs.
func BenchmarkSearchAsYouType(b *testing.B) {
	a := benchApp(b, inline)
	a.show(secDocuments)
	s := a.documents
	for b.Loop() {
		s.search.SetText("")
		for _, r := range "blood" {
			s.search.SetText(s.search.Text + string(r))
		}
		if s.total != benchDocs/len(benchWords) {
			b.Fatalf("search listed %d, want %d", s.total, benchDocs/len(benchWords))
		}
	}
}

// TestSearchKeepsUIFree checks that search queries run off the UI
// goroutine: a keystroke returns before the list changes, and the answer
// arrives later through fyne.Do.
func TestSearchKeepsUIFree(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secDocuments)
	s := a.documents
	gate := make(chan struct{})
	a.async = func(f func()) {
		go func() {
			<-gate
			f()
		}()
	}
	before := s.count.Text
	s.search.SetText("anything")
	if s.count.Text != before {
		t.Fatalf("the search answered on the UI goroutine: %q", s.count.Text)
	}
	loaded := s.loaded
	close(gate)
	<-loaded // the answer arrives through fyne.Do
	if !strings.Contains(s.count.Text, "Nothing matches") {
		t.Errorf("after the search answered the list says %q", s.count.Text)
	}
}

// TestMain removes the benchmarks' big library when the run ends.
func TestMain(m *testing.M) {
	sandbox.Serve() // the test binary is also the child that reads files
	code := m.Run()
	if benchPath != "" {
		os.RemoveAll(filepath.Dir(benchPath))
	}
	os.Exit(code)
}
