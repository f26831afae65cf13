package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/export"
	"secondopinion/records"
)

// corpusDir is the shared test corpus, or a skip (corpus_internal_test.go).
var corpusDir = export.CorpusDir

// savePDF writes a PDF made with gofpdf to a new temporary folder under
// name and returns its path.
func savePDF(t testing.TB, pdf *gofpdf.Fpdf, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := pdf.OutputFileAndClose(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func needTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
}

func newStore(t testing.TB) (*records.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "library.sqlite")
	s, err := records.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func addDoc(t testing.TB, s *records.Store, personID string, d records.Document, paths ...string) records.Document {
	t.Helper()
	d.PersonID = personID
	// Again: some tests put the same file in two documents on purpose.
	if err := s.AddDocument(context.Background(), &d, paths, records.AddOptions{Again: true}); err != nil {
		t.Fatalf("AddDocument(%v) = %v", paths, err)
	}
	return d
}

// fixedNow is the export time tests inject.
func fixedNow() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) }

// library is a test library: a Greek-named patient with a Cyrillic-named
// carer, a case, medications, allergies, questions and documents.
type library struct {
	s      *records.Store
	path   string
	person records.Person
	kase   records.Case
	docs   []records.Document
	// srcPages is each document's pages as its source files have them
	// (pdfinfo for PDFs, one per picture, one list page per DICOM run).
	srcPages []int
}

var questionsText = []string{
	"Is the diagnosis certain, or could it be something else?",
	"What are all my treatment options, including doing nothing for now?",
	"Are there clinical trials I could join?",
}

func newLibrary(t testing.TB, docs []docSpec) *library {
	t.Helper()
	ctx := context.Background()
	var err error
	s, path := newStore(t)
	lib := &library{s: s, path: path}
	lib.person = records.Person{
		FullName:    "Ελένη Παπαδοπούλου",
		DateOfBirth: records.MustDate("1950-05-03"),
		Identifiers: []records.Identifier{{Label: "NHS number", Value: "943 476 5919"}, {Label: "Hospital number", Value: "RX1-778812"}},
		PreparedBy:  records.Preparer{Name: "Анна Иванова", Relationship: "daughter", Phone: "07700 900123", Email: "anna@example.org"},
	}
	if err := s.SavePerson(ctx, &lib.person); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAllergy(ctx, &records.Allergy{PersonID: lib.person.ID, Substance: "Penicillin", Reaction: "rash", Severity: "moderate"}); err != nil {
		t.Fatal(err)
	}
	meds := []records.Medication{
		{Name: "Letrozole", Strength: "2.5 mg", Dose: "1 tablet", Frequency: "once a day", Start: records.MustDate("2026-02"), Reason: "breast cancer", Prescriber: "Dr Jones"},
		{Name: "Metformin", Strength: "500 mg", Dose: "1 tablet", Slots: records.SlotMorning | records.SlotEvening, Start: records.MustDate("2019"), Reason: "type 2 diabetes", Prescriber: "GP", Status: records.MedPaused},
		{Name: "Tamoxifen", Strength: "20 mg", Frequency: "once a day", Start: records.MustDate("2025-06-01"), Stop: records.MustDate("2026-01-15"), StopReason: "hot flushes and leg cramps", Reason: "breast cancer"},
	}
	for i := range meds {
		meds[i].PersonID = lib.person.ID
		if err := s.SaveMedication(ctx, &meds[i]); err != nil {
			t.Fatal(err)
		}
	}
	lib.kase = records.Case{
		PersonID: lib.person.ID, Title: "Breast lump, 2026",
		Diagnosis:     "Invasive ductal carcinoma of the left breast, grade 2, 18 mm.",
		FirstDoctor:   records.Doctor{Name: "Dr Alan Jones", Specialty: "Breast surgery", Hospital: "St Elsewhere Hospital"},
		TreatmentPlan: "Mastectomy in January, then hormone therapy for five years.",
		Reasons:       []string{"major-treatment", "all-options"},
		Decision:      "Whether to have a mastectomy or breast-conserving surgery with radiotherapy.",
		SecondDoctor:  records.Doctor{Name: "Prof. Maria Rossi", Specialty: "Breast oncology", Hospital: "Royal Marsden"},
		Appointment:   time.Date(2026, 12, 3, 14, 30, 0, 0, time.Local),
		AppointmentAt: "Fulham Road, London",
		Packet:        records.PacketSettings{Paper: records.PaperA4},
	}
	if err := s.SaveCase(ctx, &lib.kase); err != nil {
		t.Fatal(err)
	}
	for _, q := range questionsText {
		if _, err := s.AddQuestion(ctx, &records.Question{CaseID: lib.kase.ID, Text: q}); err != nil {
			t.Fatal(err)
		}
	}
	corpus := corpusDir(t)
	for _, spec := range docs {
		var paths []string
		pages := 0
		dicom := false
		for _, f := range spec.files {
			p := filepath.Join(corpus, f)
			paths = append(paths, p)
			switch {
			case strings.HasSuffix(f, ".pdf"):
				pages += pdfPages(t, p)
			case strings.HasSuffix(f, ".dcm"):
				if !dicom {
					pages++
				}
				dicom = true
				continue
			default:
				pages++
			}
			dicom = false
		}
		d := addDoc(t, s, lib.person.ID, records.Document{Kind: spec.kind, Title: spec.title, Date: records.MustDate(spec.date), Source: spec.source}, paths...)
		lib.docs = append(lib.docs, d)
		lib.srcPages = append(lib.srcPages, pages)
	}
	// The packet keeps the order chosen here, not the date order.
	var ids []string
	for _, d := range lib.docs {
		ids = append(ids, d.ID)
	}
	if err := s.SetPacketDocuments(ctx, lib.kase.ID, ids); err != nil {
		t.Fatal(err)
	}
	if lib.kase, err = s.Case(ctx, lib.kase.ID); err != nil {
		t.Fatal(err)
	}
	return lib
}

type docSpec struct {
	kind   records.Kind
	title  string
	date   string
	source string
	files  []string
}

// corpusDocs covers the inputs the packet must cope with.
var corpusDocs = []docSpec{
	{records.KindClinicLetter, "Letter from the breast clinic", "2026-01-10", "St Elsewhere Hospital", []string{"ccda/unstructured-reference/UD_sample.pdf"}},
	{records.KindResults, "Blood results (locked PDF)", "2026-01-12", "Pathology lab", []string{"pdf/enc-aes128-r4-owner-only.pdf"}},
	{records.KindPathology, "Biopsy report", "2026-01-14", "Histopathology", []string{"pdf/pdf20-utf8.pdf"}},
	{records.KindImagingReport, "Mammogram report (rotated pages)", "2025-12-20", "Imaging department", []string{"pdf/arabic-rotated-pages.pdf"}},
	{records.KindReferral, "Referral form", "2026-02-01", "GP surgery", []string{"pdf/form-libreoffice.pdf"}},
	{records.KindClinicLetter, "Photographed letter", "2026-02-03", "Oncology clinic", []string{
		"images/exif-orientation-1.jpg", "images/exif-orientation-2.jpg", "images/exif-orientation-3.jpg", "images/exif-orientation-4.jpg",
		"images/exif-orientation-5.jpg", "images/exif-orientation-6.jpg", "images/exif-orientation-7.jpg", "images/exif-orientation-8.jpg"}},
	{records.KindOther, "Phone photo with location", "2026-02-05", "", []string{"images/exif-iphone4s-orient6-gps.jpg"}},
	{records.KindResults, "Scans in other formats", "2026-02-06", "Various", []string{
		"images/go-cmyk-adobe.jpeg", "images/pngsuite-rgba-16bit.png", "images/pngsuite-palette-4bit-interlaced.png",
		"images/tiff-lzw.tiff", "images/webp-lossy-alpha.webp"}},
	{records.KindImaging, "CT and MR images", "2026-01-20", "Radiology", []string{"dicom/pydicom-CT_small.dcm", "dicom/tcia-mr-prostate.dcm"}},
	{records.KindOperative, "Operation note (PDF then photo)", "2026-01-25", "Theatre", []string{"pdf/pdf20-simple.pdf", "images/exif-nikon-d2h-gps.jpg"}},
}

func pdfPages(t testing.TB, path string) int {
	t.Helper()
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", path, err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo %s: no page count in\n%s", path, out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func pdfInfo(t testing.TB, path string) map[string]string {
	t.Helper()
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", path, err, out)
	}
	info := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return info
}

func pdfText(t testing.TB, path string, first, last int) string {
	t.Helper()
	args := []string{"-layout"}
	if first > 0 {
		args = append(args, "-f", strconv.Itoa(first), "-l", strconv.Itoa(last))
	}
	out, err := exec.Command("pdftotext", append(args, path, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v\n%s", path, err, out)
	}
	return string(out)
}

// qpdfCheck fails the test unless qpdf finds the file sound with no
// warnings at all.
func qpdfCheck(t testing.TB, path string) {
	t.Helper()
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if err != nil || bytes.Contains(bytes.ToLower(out), []byte("warning")) || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Errorf("qpdf --check %s: %v\n%s", filepath.Base(path), err, out)
	}
}

// qpdfJSON reads the part key of qpdf's JSON description of a PDF into v.
func qpdfJSON(t testing.TB, path, key string, v any) {
	t.Helper()
	out, err := exec.Command("qpdf", "--json", "--json-key="+key, path).Output()
	if err != nil {
		t.Fatalf("qpdf --json %s: %v", path, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("qpdf --json %s: %v", path, err)
	}
}

// outline is a bookmark as qpdf's JSON shows it; Page is 0 when it goes
// to no page.
type outline struct {
	Title string    `json:"title"`
	Page  int       `json:"destpageposfrom1"`
	Kids  []outline `json:"kids"`
}

// outlineTitles lists the bookmarks, depth first, as qpdf reads them.
func outlineTitles(t testing.TB, path string) []string {
	t.Helper()
	var j struct {
		Outlines []outline `json:"outlines"`
	}
	qpdfJSON(t, path, "outlines", &j)
	var titles []string
	for _, o := range flatten(j.Outlines) {
		titles = append(titles, o.Title)
	}
	return titles
}

// pageRotations lists each page's /Rotate as pdfinfo reads it.
func pageRotations(t testing.TB, path string) []int {
	t.Helper()
	n := pdfPages(t, path)
	out, err := exec.Command("pdfinfo", "-f", "1", "-l", strconv.Itoa(n), path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v", path, err)
	}
	var rots []int
	for _, m := range regexp.MustCompile(`(?m)^Page\s+\d+ rot:\s+(\d+)`).FindAllSubmatch(out, -1) {
		r, _ := strconv.Atoi(string(m[1]))
		rots = append(rots, r)
	}
	if len(rots) != n {
		t.Fatalf("pdfinfo gave %d rotations for %d pages", len(rots), n)
	}
	return rots
}

// formFields counts the interactive form fields qpdf finds.
func formFields(t testing.TB, path string) int {
	t.Helper()
	var j struct {
		Acroform struct {
			HasAcroform bool  `json:"hasacroform"`
			Fields      []any `json:"fields"`
		} `json:"acroform"`
	}
	qpdfJSON(t, path, "acroform", &j)
	if !j.Acroform.HasAcroform {
		return 0
	}
	return len(j.Acroform.Fields)
}

// openAction returns the object the catalog's /OpenAction goes to ("3 0 R").
func openAction(t testing.TB, path string) string {
	t.Helper()
	trailer, err := exec.Command("qpdf", "--show-object=trailer", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/Root (\d+) 0 R`).FindSubmatch(trailer)
	if m == nil {
		t.Fatalf("no /Root in trailer %s", trailer)
	}
	root, err := exec.Command("qpdf", "--show-object="+string(m[1]), path).Output()
	if err != nil {
		t.Fatal(err)
	}
	o := regexp.MustCompile(`/OpenAction \[ (\d+ \d+ R) /Fit \]`).FindSubmatch(root)
	if o == nil || !bytes.Contains(root, []byte("/PageMode /UseOutlines")) {
		t.Errorf("catalog %s lacks /OpenAction [page /Fit] or /PageMode /UseOutlines", root)
		return ""
	}
	return string(o[1])
}

func firstPageObject(t testing.TB, path string) string {
	t.Helper()
	var j struct {
		Pages []struct {
			Object string `json:"object"`
		} `json:"pages"`
	}
	if qpdfJSON(t, path, "pages", &j); len(j.Pages) == 0 {
		t.Fatalf("qpdf --json %s: no pages", path)
	}
	return j.Pages[0].Object
}

// mediaBoxes lists each page's MediaBox (llx lly urx ury) as pdfinfo reads it.
func mediaBoxes(t testing.TB, path string) [][4]float64 {
	t.Helper()
	n := pdfPages(t, path)
	out, err := exec.Command("pdfinfo", "-box", "-f", "1", "-l", strconv.Itoa(n), path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo -box %s: %v", path, err)
	}
	var boxes [][4]float64
	for _, m := range regexp.MustCompile(`(?m)^Page\s+\d+ MediaBox:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)`).FindAllSubmatch(out, -1) {
		var b [4]float64
		for i := range b {
			b[i], _ = strconv.ParseFloat(string(m[i+1]), 64)
		}
		boxes = append(boxes, b)
	}
	if len(boxes) != n {
		t.Fatalf("pdfinfo gave %d media boxes for %d pages", len(boxes), n)
	}
	return boxes
}

// paperPoints is the paper's portrait size in points ("" is A4, the
// tests' case setting).
func paperPoints(p records.Paper) (float64, float64) {
	if p == records.PaperLetter {
		return 612, 792
	}
	return 595.28, 841.89
}

// sameSize reports whether box b is w x h points, to a hundredth of a
// millimetre or so.
func sameSize(b [4]float64, w, h float64) bool {
	near := func(a, b float64) bool { return a-b < 0.05 && b-a < 0.05 }
	return near(b[2]-b[0], w) && near(b[3]-b[1], h)
}

// pageWith is the index of the first page (pdftotext's pages split at
// form feeds) holding s, or -1.
func pageWith(pages []string, s string) int {
	for i, pg := range pages {
		if strings.Contains(pg, s) {
			return i
		}
	}
	return -1
}
