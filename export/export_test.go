package export_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"secondopinion/export"
	"secondopinion/records"
)

// keep copies a test's output to $EXPORT_KEEP, to look at by eye.
func keep(t testing.TB, path string) {
	if dir := os.Getenv("EXPORT_KEEP"); dir != "" {
		data, err := os.ReadFile(path)
		if err == nil {
			os.WriteFile(filepath.Join(dir, filepath.Base(path)), data, 0o644)
		}
	}
}

func TestWritePacketCorpus(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo", "pdftotext")
	tests := []struct {
		name     string
		paper    records.Paper
		quality  records.Quality
		pageSize string
	}{
		{"A4 compact", "", "", "595.28 x 841.89"}, // the case's setting
		{"Letter original", records.PaperLetter, records.QualityOriginal, "612 x 792"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCorpusPacket(t, tt.paper, tt.quality, tt.pageSize)
		})
	}
}

func checkCorpusPacket(t *testing.T, paper records.Paper, quality records.Quality, pageSize string) {
	lib := newLibrary(t, corpusDocs)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "packet-"+string(quality)+".pdf")
	var calls, lastDone, lastTotal int
	res, err := export.WritePacket(ctx, lib.s, out, export.Options{
		PersonID: lib.person.ID, CaseID: lib.kase.ID, Now: fixedNow, Paper: paper, Quality: quality,
		Progress: func(done, total int) { calls++; lastDone, lastTotal = done, total },
	})
	if err != nil {
		t.Fatalf("WritePacket = %v", err)
	}
	keep(t, out)
	if len(res.Skipped) != 0 {
		t.Errorf("WritePacket skipped %v, want nothing skipped", res.Skipped)
	}
	if res.Documents != len(corpusDocs) {
		t.Errorf("Result.Documents = %d, want %d", res.Documents, len(corpusDocs))
	}
	if calls == 0 || lastDone != lastTotal {
		t.Errorf("progress: %d calls, last %d/%d; want calls ending done == total", calls, lastDone, lastTotal)
	}
	if st, err := os.Stat(out); err != nil || st.Size() != res.Bytes {
		t.Errorf("file size %v (err %v), Result.Bytes %d", st, err, res.Bytes)
	}

	qpdfCheck(t, out)
	info := pdfInfo(t, out)
	if info["Pages"] != fmt.Sprint(res.Pages) {
		t.Errorf("pdfinfo Pages = %s, Result.Pages = %d", info["Pages"], res.Pages)
	}
	if got := info["Title"]; !strings.Contains(got, "Second opinion packet") || !strings.Contains(got, lib.person.FullName) {
		t.Errorf("Title = %q, want the packet and the patient's name", got)
	}
	if got := info["Author"]; got != "Анна Иванова" {
		t.Errorf("Author = %q, want the carer who prepared it", got)
	}
	if !strings.Contains(info["Page size"], pageSize) {
		t.Errorf("Page size = %q, want %s", info["Page size"], pageSize)
	}

	// Bookmarks: every section and every document.
	titles := outlineTitles(t, out)
	for _, want := range []string{"Cover", "Contents", "Summary", "Medications", "Questions for the second doctor", "Documents"} {
		if !slices.Contains(titles, want) {
			t.Errorf("bookmarks %q lack section %q", titles, want)
		}
	}
	for i, d := range lib.docs {
		prefix := fmt.Sprintf("%d. %s", i+1, d.Title)
		if !slices.ContainsFunc(titles, func(s string) bool { return strings.HasPrefix(s, prefix) }) {
			t.Errorf("bookmarks %q lack document %q", titles, prefix)
		}
	}

	// Page count: our front matter, plus every page of every document,
	// plus a divider only before a document whose PDFs lost something
	// (it says what); every other document's band sits on its first page.
	text := pdfText(t, out, 0, 0)
	pages := strings.Split(text, "\f")
	front := -1
	dividers := 0
	for i, pg := range pages {
		if front < 0 && strings.Contains(pg, "Document 1 of ") {
			front = i
		}
		if strings.Contains(pg, "The document follows as it was received") {
			dividers++
		}
	}
	if dividers != len(res.Cleaned) {
		t.Errorf("packet has %d divider pages, want one for each of the %d documents that lost something (%v)", dividers, len(res.Cleaned), res.Cleaned)
	}
	want := front + dividers
	for _, n := range lib.srcPages {
		want += n
	}
	if res.Pages != want {
		t.Errorf("packet has %d pages, want %d front + %d dividers + %v document pages = %d", res.Pages, front, dividers, lib.srcPages, want)
	}

	for _, s := range []string{"Second opinion packet", lib.person.FullName, "NHS number", "943 476 5919", "Prof. Maria Rossi",
		"Анна Иванова", "Contents", "Summary", "Why a second opinion is wanted", "Penicillin", "Letrozole", "Tamoxifen",
		"hot flushes", "Questions for the second doctor", questionsText[0], "Imaging files (DICOM)",
		"pydicom-CT_small.dcm", "CT", "Document 10 of 10",
		// The DICOM list: study date, institution and description as the files say.
		"19 Jan", "JFK IMAGING", "MRI Prostate"} {
		if !strings.Contains(text, s) {
			t.Errorf("packet text lacks %q", s)
		}
	}
	first, last := pages[0], pages[res.Pages-1]
	if w := fmt.Sprintf("Page 1 of %d", res.Pages); !strings.Contains(first, w) || !strings.Contains(first, lib.person.FullName) {
		t.Errorf("first page lacks footer %q with the patient's name:\n%s", w, first)
	}
	if w := fmt.Sprintf("Page %d of %d", res.Pages, res.Pages); !strings.Contains(last, w) {
		t.Errorf("last page lacks footer %q:\n%s", w, last)
	}
	// Every page, merged ones included, carries its own footer.
	for i, pg := range pages[:res.Pages] {
		if w := fmt.Sprintf("Page %d of %d", i+1, res.Pages); !strings.Contains(pg, w) {
			t.Errorf("page %d lacks footer %q", i+1, w)
		}
	}

	// Viewers open the packet at the cover, with the bookmarks showing.
	if open := openAction(t, out); open != firstPageObject(t, out) {
		t.Errorf("OpenAction goes to %q, want the cover %q", open, firstPageObject(t, out))
	}

	// Merged PDFs stay PDFs: their text can be searched, their forms keep
	// their fields. Every page is on the chosen paper, turned (landscape)
	// where the page is seen wider than tall: the rotated pages (/Rotate
	// 90, 180, 270, 0 on portrait A4) are turned upright onto sheets seen
	// as they were.
	if !strings.Contains(text, "Community Health Hospital") || !strings.Contains(text, "Example for a Form") {
		t.Errorf("packet text lacks the merged letters' own text")
	}
	boxes := mediaBoxes(t, out)
	pw, ph := paperPoints(paper)
	for i, b := range boxes {
		if !sameSize(b, pw, ph) && !sameSize(b, ph, pw) {
			t.Errorf("page %d MediaBox = %v, want %gx%g points (the chosen paper)", i+1, b, pw, ph)
		}
	}
	if rots := pageRotations(t, out); slices.ContainsFunc(rots, func(r int) bool { return r != 0 }) {
		t.Errorf("page rotations %v, want every page upright as stored", rots)
	}
	if start := pageWith(pages, "Document 4 of 10"); start < 0 || start+4 > len(boxes) {
		t.Errorf("no page starts document 4 (the rotated pages)")
	} else {
		var got []bool
		for _, b := range boxes[start : start+4] {
			got = append(got, b[2]-b[0] > b[3]-b[1])
		}
		if want := []bool{true, false, true, false}; !slices.Equal(got, want) {
			t.Errorf("rotated pages' sheets landscape = %v, want %v (seen as /Rotate 90, 180, 270, 0 show them)", got, want)
		}
	}
	if n := formFields(t, out); n < 9 {
		t.Errorf("packet has %d form fields, want the referral form's 9", n)
	}

	// Camera location never reaches the packet: no EXIF segment at all.
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("Exif\x00\x00")) {
		t.Errorf("packet contains an EXIF segment (camera data, possibly GPS)")
	}

	// The export is in the case's packet log.
	log, err := lib.s.Exports(ctx, lib.kase.ID)
	if err != nil || len(log) != 1 || log[0].Pages != res.Pages || log[0].FileName != filepath.Base(out) || log[0].Kind != "packet" {
		t.Errorf("Exports = %+v, %v; want one packet line for %s with %d pages", log, err, filepath.Base(out), res.Pages)
	}

	// The estimate for the Packet screen counts the same pages.
	estPages, estSize, err := export.Estimate(ctx, lib.s, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID, Paper: paper, Quality: quality})
	if err != nil || estPages != res.Pages || estSize < res.Bytes/3 || estSize > res.Bytes*3 {
		t.Errorf("Estimate = %d pages, %d bytes, %v; the packet has %d pages, %d bytes", estPages, estSize, err, res.Pages, res.Bytes)
	}
}

func TestWritePacketCancelLeavesNoFile(t *testing.T) {
	lib := newLibrary(t, corpusDocs[:6])
	dir := t.TempDir()
	out := filepath.Join(dir, "packet.pdf")
	for _, at := range []int{1, 5, 9, 16, 20} { // 13 files are prepared, then 5 PDFs merged
		t.Run(fmt.Sprint("cancel after ", at), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := export.WritePacket(ctx, lib.s, out, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID,
				Progress: func(done, total int) {
					if done >= at {
						cancel()
					}
				}})
			if err == nil {
				t.Fatalf("WritePacket after cancel = nil error, want an error")
			}
			if !errors.Is(err, context.Canceled) || !strings.Contains(records.Explain(err), "stopped") {
				t.Errorf("WritePacket error = %q (%v), want a sentence saying it stopped", records.Explain(err), err)
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 0 {
				t.Errorf("after cancel the folder holds %v, want nothing", left)
			}
		})
	}
}

func TestWritePacketWithoutCase(t *testing.T) {
	needTools(t, "qpdf", "pdftotext")
	tests := []struct {
		name      string
		allergies records.AllergyStatus
		want      string
	}{
		{"allergies not recorded", records.AllergiesNotRecorded, "Not recorded (nobody has said"},
		{"no known allergies", records.AllergiesNoneKnown, "No known allergies"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newStore(t)
			p := records.Person{FullName: "Дмитрий Соколов"}
			if err := s.SavePerson(ctx, &p); err != nil {
				t.Fatal(err)
			}
			if err := s.SetAllergyStatus(ctx, p.ID, tt.allergies); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "all.pdf")
			res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, Now: fixedNow})
			if err != nil {
				t.Fatalf("WritePacket without a case = %v", err)
			}
			qpdfCheck(t, out)
			text := pdfText(t, out, 0, 0)
			if res.Pages != 6 || res.Documents != 0 {
				t.Errorf("WritePacket = %d pages, %d documents; want the 6 front pages (cover, clinical front sheet...), no documents", res.Pages, res.Documents)
			}
			for _, want := range []string{tt.want, "No second-opinion request has been set up", "Not recorded yet", "date of birth not recorded",
				"No documents are included in this packet", "No questions were written down", "Page 6 of 6", "Дмитрий Соколов"} {
				if !strings.Contains(text, want) {
					t.Errorf("packet without a case lacks %q", want)
				}
			}
		})
	}
}

func TestWriteSheets(t *testing.T) {
	needTools(t, "qpdf", "pdftotext")
	lib := newLibrary(t, nil)
	ctx := context.Background()
	tests := []struct {
		name  string
		write func(context.Context, *records.Store, string, export.Options) (export.Result, error)
		kind  string
		want  []string
	}{
		{"questions", export.WriteQuestions, "questions", append([]string{"Questions for the second doctor", "Prof. Maria Rossi", "Page 1 of 1"}, questionsText...)},
		{"medications", export.WriteMedications, "medications", []string{"Medication list", "Letrozole", "2.5 mg, 1 tablet", "Metformin", "(paused)",
			"Tamoxifen", "hot flushes", "Allergies: Penicillin (rash, moderate)", "Page 1 of 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tt.name+".pdf")
			res, err := tt.write(ctx, lib.s, out, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID, Now: fixedNow})
			if err != nil {
				t.Fatalf("Write %s = %v", tt.name, err)
			}
			keep(t, out)
			qpdfCheck(t, out)
			if res.Pages != 1 {
				t.Errorf("%s sheet has %d pages, want 1", tt.name, res.Pages)
			}
			text := pdfText(t, out, 0, 0)
			for _, w := range append(tt.want, lib.person.FullName) {
				if !strings.Contains(text, w) {
					t.Errorf("%s sheet lacks %q", tt.name, w)
				}
			}
			log, err := lib.s.Exports(ctx, lib.kase.ID)
			if err != nil || !slices.ContainsFunc(log, func(e records.PacketExport) bool { return e.Kind == tt.kind && e.FileName == tt.name+".pdf" }) {
				t.Errorf("Exports = %+v, %v; want a %s line", log, err, tt.kind)
			}
		})
	}
}

func TestWritePacketRefusals(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		out  string
		opt  export.Options
		want string
	}{
		{"no person", filepath.Join(dir, "a.pdf"), export.Options{}, "Choose whose packet"},
		{"missing folder", filepath.Join(dir, "nowhere", "a.pdf"), export.Options{PersonID: "x"}, "no longer in the library"},
		{"bad paper", filepath.Join(dir, "a.pdf"), export.Options{Paper: "a3"}, "paper size"},
	}
	p := records.Person{FullName: "Test Person"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			if opt.Paper != "" {
				opt.PersonID = p.ID
			}
			_, err := export.WritePacket(ctx, s, tt.out, opt)
			if err == nil || !strings.Contains(records.Explain(err), tt.want) {
				t.Errorf("WritePacket(%s) = %v, want a sentence containing %q", tt.name, err, tt.want)
			}
			if _, err := os.Stat(tt.out); err == nil {
				t.Errorf("WritePacket(%s) left a file at %s", tt.name, tt.out)
			}
		})
	}
	t.Run("folder does not exist", func(t *testing.T) {
		out := filepath.Join(dir, "missing", "a.pdf")
		_, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID})
		if err == nil || !strings.Contains(records.Explain(err), "does not exist") {
			t.Errorf("WritePacket into a missing folder = %v, want a sentence saying the folder does not exist", err)
		}
	})
}

func TestWritePacketUnusualText(t *testing.T) {
	needTools(t, "qpdf", "pdftotext")
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: "Zoë Ångström-Żółć 😀 王小東", PreparedBy: records.Preparer{Self: true},
		Identifiers: []records.Identifier{{Label: "Номер", Value: "Ω-42\tx"}}}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	c := records.Case{PersonID: p.ID, Title: "Σύνοψη 🩺", Diagnosis: strings.Repeat("Averyveryverylongwordwithoutanyspaces", 8), Decision: "line one\nline two"}
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddQuestion(ctx, &records.Question{CaseID: c.ID, Text: "Что это значит? 🤔"}); err != nil {
		t.Fatal(err)
	}
	addDoc(t, s, p.ID, records.Document{Title: "Письмо 📄 " + strings.Repeat("очень длинное название ", 12)}, filepath.Join(corpusDir(t), "images/go-grayscale.jpeg"))
	out := filepath.Join(t.TempDir(), "odd.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow})
	if err != nil {
		t.Fatalf("WritePacket with unusual text = %v", err)
	}
	qpdfCheck(t, out)
	text := pdfText(t, out, 0, 0)
	for _, want := range []string{"Zoë Ångström-Żółć", "Что это значит?", "line two", fmt.Sprintf("Page %d of %d", res.Pages, res.Pages)} {
		if !strings.Contains(text, want) {
			t.Errorf("packet lacks %q", want)
		}
	}
	if info := pdfInfo(t, out); !strings.Contains(info["Author"], "Zoë Ångström-Żółć") {
		t.Errorf("Author = %q, want the patient (who prepared it)", info["Author"])
	}
}

// TestWritePacketWholeCorpus puts every corpus PDF and picture the library
// accepts into one packet: each must go in (or be refused by the readiness
// check with a reason), and the packet must stay sound.
func TestWritePacketWholeCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	needTools(t, "qpdf", "pdfinfo")
	ctx := context.Background()
	corpus := corpusDir(t)
	s, _ := newStore(t)
	p := records.Person{FullName: "Corpus Patient"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	added := 0
	for _, sub := range []string{"pdf", "images", "ccda/unstructured-reference"} {
		entries, err := os.ReadDir(filepath.Join(corpus, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || strings.HasSuffix(e.Name(), ".xml") {
				continue
			}
			d := records.Document{PersonID: p.ID, Title: e.Name()}
			if err := s.AddDocument(ctx, &d, []string{filepath.Join(corpus, sub, e.Name())}, records.AddOptions{}); err != nil {
				continue // refused at the door, with its own sentence: not the packet's business
			}
			added++
		}
	}
	opt := export.Options{PersonID: p.ID, Now: fixedNow}
	issues, err := export.Readiness(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range issues {
		if is.Title != "tiff-multipage-2.tif" {
			t.Errorf("Readiness refused %s: %s", is.Title, is.Problem)
		}
		opt.Exclude = append(opt.Exclude, is.DocumentID)
	}
	out := filepath.Join(t.TempDir(), "corpus.pdf")
	res, err := export.WritePacket(ctx, s, out, opt)
	if err != nil {
		t.Fatalf("WritePacket(whole corpus) = %v", err)
	}
	keep(t, out)
	if res.Documents != added-len(issues) || len(res.Skipped) != 0 {
		t.Errorf("WritePacket = %d documents, skipped %v; want all %d accepted but the refused %d", res.Documents, res.Skipped, added, len(issues))
	}
	qpdfCheck(t, out)
	if n := pdfPages(t, out); n != res.Pages {
		t.Errorf("pdfinfo says %d pages, Result.Pages %d", n, res.Pages)
	}
}
