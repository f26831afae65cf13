package records_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/records"
)

// TestDefaultPathPermissions: a new library in the user's data folder is
// readable by its owner only.
func TestDefaultPathPermissions(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_DATA_HOME", base)
	path, err := records.DefaultPath()
	if err != nil {
		t.Fatalf("DefaultPath() = %v", err)
	}
	if want := filepath.Join(base, "secondopinion", "library.sqlite"); path != want {
		t.Errorf("DefaultPath() = %s, want %s", path, want)
	}
	s, err := records.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(DefaultPath()) = %v", err)
	}
	addPerson(t, s, "Mary Example")
	s.Close()
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{path, 0o600}, {filepath.Dir(path), 0o700 | os.ModeDir}} {
		st, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != c.want {
			t.Errorf("mode of %s = %v, want %v", c.path, st.Mode(), c.want)
		}
	}
	// Nothing else is left beside the library once it is closed.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %q after Close, want only library.sqlite", names)
	}
}

// gofpdfReport writes a real PDF (made by the same writer the packet uses)
// whose text layer holds text.
func gofpdfReport(t *testing.T, dir, name, text string) string {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.MultiCell(0, 6, text, "", "L", false)
	path := filepath.Join(dir, name)
	if err := pdf.OutputFileAndClose(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSearch: full-text search finds documents by title, notes, source,
// tags and words only inside a PDF, and medications by name; trashed
// documents are not found.
func TestSearch(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Mary Example")
	other := addPerson(t, s, "John Other")
	histology := addDoc(t, s, p.ID, records.Document{Kind: records.KindPathology, Title: "Histology of the left breast",
		Source: "St Elsewhere Hospital", Notes: "Ask about margins", Tags: []string{"biopsy", "urgent"}},
		gofpdfReport(t, dir, "path.pdf", "Microscopy shows invasive ductal carcinoma, grade 2. Zanzibarite marker negative."))
	letter := addDoc(t, s, p.ID, records.Document{Kind: records.KindClinicLetter, Title: "Letter from Dr Müller",
		Source: "Müller Klinik"}, writeFile(t, dir, "letter.pdf", makePDF("Dear colleague", 0, 1)))
	johns := addDoc(t, s, other.ID, records.Document{Title: "John's histology"}, writeFile(t, dir, "john.pdf", makePDF("john", 0, 2)))

	tests := []struct {
		name   string
		filter records.DocumentFilter
		want   []string
	}{
		{"title word", records.DocumentFilter{Search: "histology"}, []string{histology.ID, johns.ID}},
		{"title word, one person", records.DocumentFilter{PersonID: p.ID, Search: "Histology"}, []string{histology.ID}},
		{"prefix", records.DocumentFilter{Search: "histo"}, []string{histology.ID, johns.ID}},
		{"notes", records.DocumentFilter{Search: "margins"}, []string{histology.ID}},
		{"source", records.DocumentFilter{Search: "elsewhere"}, []string{histology.ID}},
		{"tag", records.DocumentFilter{Search: "biopsy"}, []string{histology.ID}},
		{"word only in the PDF's text", records.DocumentFilter{Search: "zanzibarite"}, []string{histology.ID}},
		{"two words, both needed", records.DocumentFilter{Search: "ductal carcinoma"}, []string{histology.ID}},
		{"two words, one missing", records.DocumentFilter{Search: "ductal lymphoma"}, nil},
		{"accents do not matter", records.DocumentFilter{Search: "muller"}, []string{letter.ID}},
		{"kind label", records.DocumentFilter{Search: "clinic letter"}, []string{letter.ID}},
		{"only punctuation", records.DocumentFilter{Search: `"*()`}, nil},
		{"FTS syntax is just text", records.DocumentFilter{Search: `margins OR NOT "x`}, nil},
		{"nothing", records.DocumentFilter{Search: "appendix"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := s.Documents(ctx, tt.filter)
			if err != nil {
				t.Fatalf("Documents(%+v) = %v", tt.filter, err)
			}
			var got []string
			for _, d := range docs {
				got = append(got, d.ID)
			}
			if !sameSet(got, tt.want) {
				t.Errorf("Documents(Search %q) = %d documents %v, want %v", tt.filter.Search, len(got), got, tt.want)
			}
		})
	}

	if err := s.TrashDocument(ctx, histology.ID); err != nil {
		t.Fatal(err)
	}
	if docs, _ := s.Documents(ctx, records.DocumentFilter{Search: "zanzibarite"}); len(docs) != 0 {
		t.Errorf("Documents(Search) found %d trashed documents, want none", len(docs))
	}
	if err := s.RestoreDocument(ctx, histology.ID); err != nil {
		t.Fatal(err)
	}
	if docs, _ := s.Documents(ctx, records.DocumentFilter{Search: "zanzibarite"}); len(docs) != 1 {
		t.Errorf("Documents(Search) after restore = %d documents, want 1", len(docs))
	}

	// Edited details are searchable at once; the old words are not.
	histology.Notes = "Ask about hormone receptors"
	if err := s.UpdateDocument(ctx, &histology); err != nil {
		t.Fatal(err)
	}
	if docs, _ := s.Documents(ctx, records.DocumentFilter{Search: "receptors"}); len(docs) != 1 {
		t.Errorf("Documents(Search new note) = %d, want 1", len(docs))
	}
	if docs, _ := s.Documents(ctx, records.DocumentFilter{Search: "margins"}); len(docs) != 0 {
		t.Errorf("Documents(Search old note) = %d, want 0", len(docs))
	}

	for _, m := range []records.Medication{
		{PersonID: p.ID, Name: "Tamoxifen", Strength: "20 mg", Reason: "breast cancer"},
		{PersonID: p.ID, Name: "Paracetamol", Reason: "pain", Prescriber: "Dr Jones"},
		{PersonID: other.ID, Name: "Tamoxifen"},
	} {
		if err := s.SaveMedication(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	medTests := []struct {
		person, text string
		want         []string
	}{
		{p.ID, "tamox", []string{"Tamoxifen"}},
		{"", "tamoxifen", []string{"Tamoxifen", "Tamoxifen"}},
		{p.ID, "pain", []string{"Paracetamol"}},
		{p.ID, "jones", []string{"Paracetamol"}},
		{p.ID, "insulin", nil},
	}
	for _, tt := range medTests {
		meds, err := s.SearchMedications(ctx, tt.person, tt.text)
		var got []string
		for _, m := range meds {
			got = append(got, m.Name)
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SearchMedications(%q) = %v, %v, want %v", tt.text, got, err, tt.want)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, v := range a {
		m[v]++
	}
	for _, v := range b {
		m[v]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestDedup: the same bytes added twice (even under another name, even as
// a page of another document) are stored once, and stay until the last
// document using them is deleted.
func TestDedup(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Mary Example")
	data := makePDF("scan", 2*records.ChunkSize+100, 9)
	a := addDoc(t, s, p.ID, records.Document{}, writeFile(t, dir, "scan.pdf", data))
	first, _ := s.Stats(ctx)
	b := addDoc(t, s, p.ID, records.Document{}, writeFile(t, dir, "scan copy.pdf", data))
	second, _ := s.Stats(ctx)
	if second.Files != first.Files || second.FileBytes != first.FileBytes {
		t.Errorf("Stats after adding the same bytes again = %d files, %d bytes, want %d, %d", second.Files, second.FileBytes, first.Files, first.FileBytes)
	}
	if second.Documents != 2 {
		t.Errorf("Stats().Documents = %d, want 2", second.Documents)
	}
	if a.Files[0].ID != b.Files[0].ID {
		t.Error("the two documents hold different file IDs for the same bytes")
	}
	// Deleting one keeps the bytes for the other.
	if err := s.TrashDocument(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.EmptyTrash(ctx, ""); err != nil || n != 1 {
		t.Fatalf("EmptyTrash() = %d, %v, want 1", n, err)
	}
	if st, _ := s.Stats(ctx); st.Files != 1 {
		t.Errorf("Stats().Files after deleting one of two users = %d, want 1", st.Files)
	}
	got := readAll(t, s, b.Files[0].ID)
	if !bytes.Equal(got, data) {
		t.Error("the remaining document's bytes differ from the original")
	}
	if probs, _ := s.Check(ctx); len(probs) != 0 {
		t.Errorf("Check() = %q", probs)
	}
}

func readAll(t *testing.T, s *records.Store, fileID string) []byte {
	t.Helper()
	r, err := s.OpenFile(context.Background(), fileID)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("ReadAll(OpenFile) = %v", err)
	}
	return b
}

// TestFileReader: reading a 2.5-chunk file at any offset, across chunk
// boundaries, gives the original bytes.
func TestFileReader(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Mary Example")
	data := makePDF("big scan", 5*records.ChunkSize/2, 4)
	d := addDoc(t, s, p.ID, records.Document{}, writeFile(t, dir, "big.pdf", data))
	if got := readAll(t, s, d.Files[0].ID); !bytes.Equal(got, data) {
		t.Fatalf("ReadAll = %d bytes, want the original %d bytes", len(got), len(data))
	}
	r, err := s.OpenFile(ctx, d.Files[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Size() != int64(len(data)) {
		t.Errorf("Size() = %d, want %d", r.Size(), len(data))
	}
	C := int64(records.ChunkSize)
	n := int64(len(data))
	tests := []struct {
		name     string
		off, len int64
	}{
		{"start", 0, 10},
		{"across the first boundary", C - 5, 10},
		{"exactly one chunk", C, C},
		{"across two boundaries", C - 1, C + 2},
		{"the whole file", 0, n},
		{"last byte", n - 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := make([]byte, tt.len)
			got, err := r.ReadAt(buf, tt.off)
			if err != nil && !(err == io.EOF && tt.off+tt.len == n) {
				t.Fatalf("ReadAt(%d, %d) = %d, %v", tt.len, tt.off, got, err)
			}
			if int64(got) != tt.len || !bytes.Equal(buf, data[tt.off:tt.off+tt.len]) {
				t.Errorf("ReadAt(%d bytes at %d) = %d bytes, not the original", tt.len, tt.off, got)
			}
			// The same through Seek and Read.
			if _, err := r.Seek(tt.off, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			buf2 := make([]byte, tt.len)
			if _, err := io.ReadFull(r, buf2); err != nil || !bytes.Equal(buf2, data[tt.off:tt.off+tt.len]) {
				t.Errorf("Seek(%d)+ReadFull(%d) = %v, not the original bytes", tt.off, tt.len, err)
			}
		})
	}
	past := make([]byte, 10)
	if got, err := r.ReadAt(past, n+5); got != 0 || err != io.EOF {
		t.Errorf("ReadAt past the end = %d, %v, want 0, EOF", got, err)
	}
	if pos, err := r.Seek(-10, io.SeekEnd); err != nil || pos != n-10 {
		t.Errorf("Seek(-10, end) = %d, %v, want %d", pos, err, n-10)
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek(-1) = nil error, want an error")
	}
	if _, err := s.OpenFile(ctx, "no-such-file"); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("OpenFile(unknown) = %v, want ErrNotFound", err)
	}
}

// TestDateOrder: a numbers-only date follows the locale's order, says when
// it could be read two ways, and takes the only reading that works.
func TestDateOrder(t *testing.T) {
	defer func(v bool) { records.DayFirst = v }(records.DayFirst)
	tests := []struct {
		in        string
		dayFirst  bool
		want      string
		ambiguous bool
	}{
		{"03/04/2024", true, "3 April 2024", true},
		{"03/04/2024", false, "4 March 2024", true},
		{"23/04/1941", false, "23 April 1941", false},
		{"04/23/1941", true, "23 April 1941", false},
		{"05/05/2024", true, "5 May 2024", false},
		{"15 March 2024", false, "15 March 2024", false},
	}
	for _, tt := range tests {
		records.DayFirst = tt.dayFirst
		d, amb, err := records.ReadDate(tt.in)
		if err != nil || d.Human() != tt.want || amb != tt.ambiguous {
			t.Errorf("ReadDate(%q, day first %v) = %q, ambiguous %v, %v; want %q, %v", tt.in, tt.dayFirst, d.Human(), amb, err, tt.want, tt.ambiguous)
		}
	}
}

// TestParseClock: times as people write them.
func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		h, m int
		bad  bool
	}{
		{"14:30", 14, 30, false}, {"14.30", 14, 30, false}, {"2.30pm", 14, 30, false}, {"2:30 pm", 14, 30, false},
		{"2pm", 14, 0, false}, {"12am", 0, 0, false}, {"12.15 PM", 12, 15, false}, {"9", 9, 0, false}, {"noon", 12, 0, false},
		{"25:00", 0, 0, true}, {"13pm", 0, 0, true}, {"half past two", 0, 0, true}, {"2:3", 0, 0, true},
	}
	for _, tt := range tests {
		h, m, err := records.ParseClock(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && (h != tt.h || m != tt.m)) {
			t.Errorf("ParseClock(%q) = %d:%02d, %v; want %d:%02d (refused %v)", tt.in, h, m, err, tt.h, tt.m, tt.bad)
		}
	}
}

// TestDates: partial dates parse, print and sort the way people write them.
func TestDates(t *testing.T) {
	parse := []struct {
		in    string
		want  records.Date
		human string
		bad   bool
	}{
		{"2024-03-15", records.Date{Year: 2024, Month: 3, Day: 15}, "15 March 2024", false},
		{" 2024-3-5 ", records.Date{Year: 2024, Month: 3, Day: 5}, "5 March 2024", false},
		{"2024-03", records.Date{Year: 2024, Month: 3}, "March 2024", false},
		{"2024", records.Date{Year: 2024}, "2024", false},
		{"", records.Date{}, "date not known", false},
		{"2024-02-29", records.Date{Year: 2024, Month: 2, Day: 29}, "29 February 2024", false},
		{"2023-02-29", records.Date{}, "", true},
		{"2024-13", records.Date{}, "", true},
		{"2024-00-10", records.Date{}, "", true},
		{"24-03-15", records.Date{}, "", true},
		{"15/03/2024", records.Date{Year: 2024, Month: 3, Day: 15}, "15 March 2024", false},
		{"March 2024", records.Date{Year: 2024, Month: 3}, "March 2024", false},
		{"Mar 2024", records.Date{Year: 2024, Month: 3}, "March 2024", false},
		{"03/2024", records.Date{Year: 2024, Month: 3}, "March 2024", false},
		{"23/04/1941", records.Date{Year: 1941, Month: 4, Day: 23}, "23 April 1941", false},
		{"23 April 1941", records.Date{Year: 1941, Month: 4, Day: 23}, "23 April 1941", false},
		{"April 23, 1941", records.Date{Year: 1941, Month: 4, Day: 23}, "23 April 1941", false},
		{"23rd Apr 1941", records.Date{Year: 1941, Month: 4, Day: 23}, "23 April 1941", false},
		{"23.04.1941", records.Date{Year: 1941, Month: 4, Day: 23}, "23 April 1941", false},
		{"1941-04-23", records.Date{Year: 1941, Month: 4, Day: 23}, "23 April 1941", false},
		{"31/02/2024", records.Date{}, "", true},
		{"Smarch 2024", records.Date{}, "", true},
		{"2024-03-15-01", records.Date{}, "", true},
		{"1066", records.Date{}, "", true},
	}
	defer func(v bool) { records.DayFirst = v }(records.DayFirst)
	records.DayFirst = true
	for _, tt := range parse {
		got, err := records.ParseDate(tt.in)
		if tt.bad {
			var p *records.Problem
			if !errors.As(err, &p) || !strings.Contains(p.Msg, "2024-03-15") {
				t.Errorf("ParseDate(%q) = %v, %v, want a sentence showing how to write a date", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want || got.Human() != tt.human {
			t.Errorf("ParseDate(%q) = %+v (%q), %v, want %+v (%q)", tt.in, got, got.Human(), err, tt.want, tt.human)
		}
		if back, _ := records.ParseDate(got.String()); back != got {
			t.Errorf("ParseDate(%q.String()) = %+v, want %+v", got.String(), back, got)
		}
	}

	before := []struct {
		a, b string
		want bool
	}{
		{"2023", "2024-01-01", true},
		{"2024-02", "2024-03-01", true},
		{"2024-03", "2024-03-15", false}, // might be the same day
		{"2024-03-15", "2024-03", false},
		{"2024", "2024-06", false},
		{"2024-03-14", "2024-03-15", true},
		{"2024-03-15", "2024-03-15", false},
		{"2024-03-16", "2024-03-15", false},
		{"", "2024", false},
		{"2024", "", false},
	}
	for _, tt := range before {
		if got := records.MustDate(tt.a).Before(records.MustDate(tt.b)); got != tt.want {
			t.Errorf("Date(%q).Before(%q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}

	// Documents list by date of service, undated first, a month before the
	// days in it; a date range includes partial dates inside it.
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Mary Example")
	for i, d := range []string{"2024-03-15", "", "2023", "2024-03", "2024-01-02", "2025-01"} {
		addDoc(t, s, p.ID, records.Document{Title: "dated " + d, Date: records.MustDate(d)},
			writeFile(t, dir, "d.pdf", makePDF("doc "+d, 0, uint64(i))))
	}
	docs, err := s.Documents(ctx, records.DocumentFilter{PersonID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, d := range docs {
		order = append(order, d.Date.String())
	}
	if want := []string{"", "2023", "2024-01-02", "2024-03", "2024-03-15", "2025-01"}; !reflect.DeepEqual(order, want) {
		t.Errorf("Documents() dates in order %q, want %q", order, want)
	}
	docs, err = s.Documents(ctx, records.DocumentFilter{PersonID: p.ID, From: records.MustDate("2024-01"), To: records.MustDate("2024-03")})
	order = nil
	for _, d := range docs {
		order = append(order, d.Date.String())
	}
	if want := []string{"2024-01-02", "2024-03", "2024-03-15"}; err != nil || !reflect.DeepEqual(order, want) {
		t.Errorf("Documents(2024-01 to 2024-03) dates = %q, %v, want %q", order, err, want)
	}
}

// TestMedicationValidation: a medicine without a name, or stopped before it
// started, is refused with a sentence; nothing is saved.
func TestMedicationValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	tests := []struct {
		name string
		med  records.Medication
		says string // "" means it is saved
	}{
		{"empty name", records.Medication{Name: "  "}, "name"},
		{"stop before start", records.Medication{Name: "Letrozole", Start: records.MustDate("2024-05"), Stop: records.MustDate("2024-04-30")}, "before the start date"},
		{"stop date but still taking", records.Medication{Name: "Letrozole", Status: records.MedTaking, Start: records.MustDate("2024-05"), Stop: records.MustDate("2024-06")}, "stopped"},
		{"unknown status", records.Medication{Name: "Letrozole", Status: "forgotten"}, "status"},
		{"stop in the start month", records.Medication{Name: "Anastrozole", Start: records.MustDate("2024-05"), Stop: records.MustDate("2024-05-20")}, ""},
		{"current", records.Medication{Name: "Tamoxifen", Start: records.MustDate("2023")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := s.Stats(ctx)
			m := tt.med
			m.PersonID = p.ID
			err := s.SaveMedication(ctx, &m)
			after, _ := s.Stats(ctx)
			if tt.says == "" {
				if err != nil || after.Medications != before.Medications+1 {
					t.Fatalf("SaveMedication(%s) = %v, want it saved", tt.name, err)
				}
				if tt.med.Stop.IsZero() != (m.Status != records.MedStopped) {
					t.Errorf("SaveMedication(%s).Status = %q, want stopped exactly when it has a stop date", tt.name, m.Status)
				}
				return
			}
			if !errors.Is(err, records.ErrInvalid) || !strings.Contains(records.Explain(err), tt.says) {
				t.Errorf("SaveMedication(%s) = %v, want a sentence about %q", tt.name, err, tt.says)
			}
			if after != before {
				t.Errorf("Stats() after a refused medication = %+v, want %+v", after, before)
			}
		})
	}
	meds, _ := s.Medications(ctx, p.ID)
	if len(meds) != 2 || meds[0].Name != "Tamoxifen" || meds[1].Name != "Anastrozole" {
		t.Errorf("Medications() = %v, want current Tamoxifen first, then stopped Anastrozole", meds)
	}
}

// TestQuestions: the same question typed twice is kept once; moving and
// deleting keep positions 1..n in the order the user chose.
func TestQuestions(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	c := records.Case{PersonID: p.ID, Title: "Breast lump, 2026"}
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	adds := []struct {
		text  string
		added bool
	}{
		{"Is surgery my only option?", true},
		{"What are the side effects?", true},
		{"is surgery my ONLY option", false},
		{"  Is   surgery, my only option?!  ", false},
		{"Should I join a clinical trial?", true},
		{"Can I wait three months?", true},
		{"", false},
	}
	for _, a := range adds {
		q := records.Question{CaseID: c.ID, Text: a.text}
		added, err := s.AddQuestion(ctx, &q)
		if added != a.added || (a.text != "" && err != nil) {
			t.Errorf("AddQuestion(%q) = %v, %v, want %v", a.text, added, err, a.added)
		}
	}
	if q := (records.Question{CaseID: "no-such-case", Text: "Why?"}); true {
		if _, err := s.AddQuestion(ctx, &q); !errors.Is(err, records.ErrNotFound) {
			t.Errorf("AddQuestion(unknown case) = %v, want ErrNotFound", err)
		}
	}
	texts := func() []string {
		qs, err := s.Questions(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i, q := range qs {
			if q.Position != i+1 {
				t.Errorf("Questions()[%d].Position = %d, want %d", i, q.Position, i+1)
			}
			out = append(out, q.Text[:4])
		}
		return out
	}
	ids := map[string]string{}
	qs, _ := s.Questions(ctx, c.ID)
	for _, q := range qs {
		ids[q.Text[:4]] = q.ID
	}
	if got, want := texts(), []string{"Is s", "What", "Shou", "Can "}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Questions() = %q, want %q", got, want)
	}
	moves := []struct {
		q    string
		to   int
		want []string
	}{
		{"Can ", 1, []string{"Can ", "Is s", "What", "Shou"}},
		{"Can ", 4, []string{"Is s", "What", "Shou", "Can "}},
		{"What", 3, []string{"Is s", "Shou", "What", "Can "}},
		{"Is s", 99, []string{"Shou", "What", "Can ", "Is s"}},
		{"Is s", -3, []string{"Is s", "Shou", "What", "Can "}},
		{"Shou", 2, []string{"Is s", "Shou", "What", "Can "}},
	}
	for _, m := range moves {
		if err := s.MoveQuestion(ctx, ids[m.q], m.to); err != nil {
			t.Fatalf("MoveQuestion(%q, %d) = %v", m.q, m.to, err)
		}
		if got := texts(); !reflect.DeepEqual(got, m.want) {
			t.Errorf("after MoveQuestion(%q, %d): %q, want %q", m.q, m.to, got, m.want)
		}
	}
	if _, err := s.DeleteQuestion(ctx, ids["Shou"]); err != nil {
		t.Fatal(err)
	}
	if got, want := texts(), []string{"Is s", "What", "Can "}; !reflect.DeepEqual(got, want) {
		t.Errorf("after DeleteQuestion: %q, want %q", got, want)
	}
	// A deleted question may be asked again.
	if added, err := s.AddQuestion(ctx, &records.Question{CaseID: c.ID, Text: "Should I join a clinical trial?"}); !added || err != nil {
		t.Errorf("AddQuestion(deleted text again) = %v, %v, want added", added, err)
	}
	if err := s.MoveQuestion(ctx, "no-such-question", 1); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("MoveQuestion(unknown) = %v, want ErrNotFound", err)
	}
}

// TestTrash: a trashed document leaves the lists but keeps its bytes until
// the Trash is emptied; restore brings it back whole.
func TestTrash(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Mary Example")
	other := addPerson(t, s, "John Other")
	keep := addDoc(t, s, p.ID, records.Document{Title: "keep"}, writeFile(t, dir, "keep.pdf", makePDF("keep", 0, 0)))
	gone := addDoc(t, s, p.ID, records.Document{Title: "gone"}, writeFile(t, dir, "gone.pdf", makePDF("gone", 0, 0)))
	johns := addDoc(t, s, other.ID, records.Document{Title: "johns"}, writeFile(t, dir, "johns.pdf", makePDF("johns", 0, 0)))

	titles := func(f records.DocumentFilter) []string {
		docs, err := s.Documents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range docs {
			out = append(out, d.Title)
		}
		return out
	}
	for _, id := range []string{gone.ID, johns.ID} {
		if err := s.TrashDocument(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if got := titles(records.DocumentFilter{PersonID: p.ID}); !reflect.DeepEqual(got, []string{"keep"}) {
		t.Errorf("Documents() after trashing = %q, want [keep]", got)
	}
	if got := titles(records.DocumentFilter{PersonID: p.ID, Trashed: true}); !reflect.DeepEqual(got, []string{"gone"}) {
		t.Errorf("Documents(Trashed) = %q, want [gone]", got)
	}
	if st, _ := s.Stats(ctx); st.Documents != 1 || st.Trashed != 2 || st.Files != 3 {
		t.Errorf("Stats() = %+v, want 1 document, 2 trashed, 3 files", st)
	}
	if err := s.RestoreDocument(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	back, err := s.Document(ctx, gone.ID)
	if err != nil || back.Trashed || len(back.Files) != 1 {
		t.Errorf("Document(restored) = %+v, %v, want it back with its file", back, err)
	}
	if err := s.TrashDocument(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	// Emptying one person's Trash leaves the other's.
	if n, err := s.EmptyTrash(ctx, p.ID); err != nil || n != 1 {
		t.Errorf("EmptyTrash(Mary) = %d, %v, want 1", n, err)
	}
	if st, _ := s.Stats(ctx); st.Documents != 1 || st.Trashed != 1 || st.Files != 2 {
		t.Errorf("Stats() after EmptyTrash(Mary) = %+v, want 1 document, 1 trashed, 2 files", st)
	}
	if _, err := s.Document(ctx, gone.ID); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("Document(emptied) = %v, want ErrNotFound", err)
	}
	if err := s.RestoreDocument(ctx, gone.ID); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("RestoreDocument(emptied) = %v, want ErrNotFound", err)
	}
	if n, err := s.EmptyTrash(ctx, ""); err != nil || n != 1 {
		t.Errorf("EmptyTrash(all) = %d, %v, want 1", n, err)
	}
	if _, err := s.Document(ctx, keep.ID); err != nil {
		t.Errorf("Document(kept) = %v", err)
	}
	if probs, _ := s.Check(ctx); len(probs) != 0 {
		t.Errorf("Check() = %q", probs)
	}
}

// TestBackup: a backup opens as a library with the same contents, and
// never overwrites a file.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	s, path := newStore(t)
	dir := t.TempDir()
	p := addPerson(t, s, "Mary Example")
	addDoc(t, s, p.ID, records.Document{}, writeFile(t, dir, "scan.pdf", makePDF("scan", 3*records.ChunkSize/2, 5)))
	if err := s.SaveMedication(ctx, &records.Medication{PersonID: p.ID, Name: "Tamoxifen"}); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, s)

	out := filepath.Join(dir, "backup.sqlite")
	if err := s.Backup(ctx, out); err != nil {
		t.Fatalf("Backup() = %v", err)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode = %v, %v, want 0600", st.Mode(), err)
	}
	b, err := records.Open(ctx, out)
	if err != nil {
		t.Fatalf("Open(backup) = %v", err)
	}
	got := snapshot(t, b)
	b.Close()
	if !reflect.DeepEqual(got.Stats, want.Stats) || len(got.Problems) != 0 {
		t.Errorf("backup Stats/Check = %+v, want %+v", got, want)
	}

	sum := fileSum(t, out)
	for _, target := range []string{out, path} {
		if err := s.Backup(ctx, target); err == nil {
			t.Errorf("Backup(%s) over an existing file = nil error, want a refusal", filepath.Base(target))
		} else if msg := records.Explain(err); !strings.Contains(msg, "another file") && !strings.Contains(msg, "already exists") {
			t.Errorf("Explain(Backup(existing)) = %q, want it to ask for a new name", msg)
		}
	}
	if fileSum(t, out) != sum {
		t.Error("a refused Backup changed the existing file")
	}
	if err := s.Backup(ctx, filepath.Join(dir, "missing", "b.sqlite")); err == nil || !strings.Contains(records.Explain(err), "does not exist") {
		t.Errorf("Backup(missing folder) = %v, want a sentence saying the folder does not exist", err)
	}
	assertUnchanged(t, s, want)
}

// TestAddDocumentValidation: an add without a person or files is refused
// before anything is written; a new person made with a failing add is not
// left behind.
func TestAddDocumentValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	good := writeFile(t, dir, "good.pdf", makePDF("good", 0, 0))
	empty := writeFile(t, dir, "empty.pdf", nil)
	before := snapshot(t, s)
	tests := []struct {
		name  string
		doc   records.Document
		paths []string
		opt   records.AddOptions
		says  string
	}{
		{"no files", records.Document{PersonID: "x"}, nil, records.AddOptions{}, "at least one file"},
		{"no person", records.Document{}, []string{good}, records.AddOptions{}, "who this document is for"},
		{"unknown person", records.Document{PersonID: "no-such-person"}, []string{good}, records.AddOptions{}, "no longer in the library"},
		{"unknown kind", records.Document{PersonID: "x", Kind: "horoscope"}, []string{good}, records.AddOptions{}, "not a kind of document"},
		{"new person, bad file", records.Document{}, []string{empty}, records.AddOptions{NewPerson: &records.Person{FullName: "New Person"}}, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.doc
			err := s.AddDocument(ctx, &d, tt.paths, tt.opt)
			if err == nil || !strings.Contains(records.Explain(err), tt.says) {
				t.Errorf("AddDocument(%s) = %v, want a sentence with %q", tt.name, err, tt.says)
			}
			assertUnchanged(t, s, before)
		})
	}
	// And with a good file the new person is made with the document.
	d := records.Document{}
	if err := s.AddDocument(ctx, &d, []string{good}, records.AddOptions{NewPerson: &records.Person{FullName: "New Person"}}); err != nil {
		t.Fatalf("AddDocument(new person) = %v", err)
	}
	if st, _ := s.Stats(ctx); st.People != 1 || st.Documents != 1 {
		t.Errorf("Stats() = %+v, want 1 person and 1 document", st)
	}
}
