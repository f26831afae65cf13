package records_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"secondopinion/records"
	"secondopinion/records/dicom"
	"secondopinion/records/dicom/dicomtest"
)

// ctDisc writes a disc folder of n CT slices of Helen Marsh (born 14
// February 1960) and returns its path.
func ctDisc(t testing.TB, n, side int) string {
	t.Helper()
	dir := t.TempDir()
	for i := 1; i <= n; i++ {
		im := dicomtest.CT(side, side, i, i)
		writeFile(t, mkdir(t, filepath.Join(dir, "DICOM", "S1")), "IM"+itoa(i), im.Bytes())
	}
	return dir
}

func mkdir(t testing.TB, p string) string {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func itoa(i int) string { return fmt.Sprintf("%04d", i) }

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func writeZip(t *testing.T, path string, entries map[string][]byte) string {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, data := range entries {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	z.Close()
	return writeFile(t, filepath.Dir(path), filepath.Base(path), b.Bytes())
}

// TestImportDiscBadInput: each bad disc is refused with a sentence and
// the library is exactly as it was.
func TestImportDiscBadInput(t *testing.T) {
	ctx := context.Background()
	s, lib := newStore(t)
	p := addPerson(t, s, "Helen Marsh")
	addDoc(t, s, p.ID, records.Document{Kind: records.KindClinicLetter, Title: "Letter"}, writeFile(t, t.TempDir(), "letter.jpg", makeJPEG(64, 48, 1, 80)))
	ct := dicomtest.CT(16, 16, 1, 1)
	good := ct.Bytes()
	bomb := append(append([]byte{}, good...), make([]byte, 30<<20)...) // 30 MB of zeros pack to 30 KB
	unknown := dicomtest.CT(16, 16, 2, 2)
	unknown.Syntax = "1.2.3.999"
	for _, tt := range []struct {
		name string
		path func(t *testing.T, dir string) string
		want string
		is   error
	}{
		{"a truncated file only", func(t *testing.T, dir string) string {
			writeFile(t, dir, "IM1", good[:len(good)-300])
			return dir
		}, "None of the 1 DICOM files on the disc could be read", records.ErrNoDICOM},
		{"an unknown transfer syntax only", func(t *testing.T, dir string) string {
			writeFile(t, dir, "IM1", unknown.Bytes())
			return dir
		}, "compression DICOM does not define (1.2.3.999)", records.ErrNoDICOM},
		{"a DICOMDIR whose files are all missing", func(t *testing.T, dir string) string {
			data, err := os.ReadFile(corpusFile(t, "dicom/dicomdir-pcir/DICOMDIR"))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "DICOMDIR", data)
			return dir
		}, "none of them is on the disc", records.ErrNoDICOM},
		{"a folder with no DICOM", func(t *testing.T, dir string) string {
			writeFile(t, dir, "photo.jpg", makeJPEG(20, 20, 2, 80))
			writeFile(t, dir, "setup.exe", []byte("MZ\x90\x00"))
			return dir
		}, "There are no DICOM images on this disc", records.ErrNoDICOM},
		{"a zip with a climbing path", func(t *testing.T, dir string) string {
			return writeZip(t, filepath.Join(dir, "disc.zip"), map[string][]byte{"DICOM/IM1": good, "../../outside/IM2": good})
		}, "leads out of its folder", records.ErrUnreadableFile},
		{"a zip bomb", func(t *testing.T, dir string) string {
			return writeZip(t, filepath.Join(dir, "disc.zip"), map[string][]byte{"DICOM/IM1": bomb})
		}, "unpacks to far more than it holds", records.ErrUnreadableFile},
		{"an empty zip", func(t *testing.T, dir string) string {
			return writeZip(t, filepath.Join(dir, "disc.zip"), nil)
		}, "is an empty zip", records.ErrNoDICOM},
		{"a text file named .zip", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "disc.zip", []byte("Not a zip: the download failed.\n"))
		}, "is not a zip file we can open", records.ErrUnreadableFile},
		{"no such folder", func(t *testing.T, dir string) string {
			return filepath.Join(dir, "nowhere")
		}, "There is no disc, folder or file", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t, t.TempDir())
			before, rows := snapshot(t, s), imagingRows(t, lib)
			_, err := s.ImportDisc(ctx, p.ID, path, records.ImportDiscOptions{})
			var prob *records.Problem
			if !errors.As(err, &prob) || !strings.Contains(prob.Msg, tt.want) {
				t.Fatalf("ImportDisc = %v, want a sentence with %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("ImportDisc = %v, want it to match %v", err, tt.is)
			}
			assertUnchanged(t, s, before)
			if got := imagingRows(t, lib); got != rows {
				t.Errorf("rows after refusal = %s, want %s", got, rows)
			}
		})
	}
}

// TestImportDiscLeftOut: a disc with a truncated file and a file of an
// unknown compression adds the rest and says what it left out.
func TestImportDiscLeftOut(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: "Helen Marsh", DateOfBirth: records.Date{Year: 1960, Month: 2, Day: 14}}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	dir := ctDisc(t, 3, 16)
	good, _ := os.ReadFile(filepath.Join(dir, "DICOM", "S1", "IM0001"))
	writeFile(t, filepath.Join(dir, "DICOM", "S1"), "IM0009", good[:len(good)/2])
	unknown := dicomtest.CT(16, 16, 8, 8)
	unknown.Syntax = "1.2.3.999"
	writeFile(t, filepath.Join(dir, "DICOM", "S1"), "IM0008", unknown.Bytes())
	rep := importDisc(t, s, p.ID, dir, records.ImportDiscOptions{})
	if rep.Studies != 1 || rep.Images != 3 || len(rep.LeftOut) != 2 {
		t.Fatalf("ImportDisc = %+v, want 1 study, 3 images, 2 left out", rep)
	}
	msgs := records.Explain(rep.LeftOut[0].Err) + " | " + records.Explain(rep.LeftOut[1].Err)
	if !strings.Contains(msgs, "IM0008: Its images are stored with a compression DICOM does not define") || !strings.Contains(msgs, "IM0009: It is cut short") {
		t.Errorf("left out = %s", msgs)
	}
	studies, err := s.Studies(ctx, p.ID)
	if err != nil || len(studies) != 1 {
		t.Fatalf("Studies = %v, %v", studies, err)
	}
	st := studies[0]
	if st.Modality != "CT" || st.Description != "CT CHEST" || st.Date.String() != "2024-03-01" || st.PatientName != "MARSH, HELEN" || st.PatientBirth.String() != "1960-02-14" {
		t.Errorf("study = %+v", st)
	}
	img, info, err := s.KeyImage(ctx, st.Series[0].ID, 8)
	if err != nil || info.Slice != 2 || info.Of != 3 || info.Window != "W 400 L 40" || img.Bounds().Dx() != 8 {
		t.Errorf("KeyImage(…, 8) = %v, %+v, %v; want 8 px, slice 2 of 3, W 400 L 40", img.Bounds(), info, err)
	}
}

// TestImportDiscPatientCheck: names compare in any order, without case or
// accents; a different birth date is a different patient.
func TestImportDiscPatientCheck(t *testing.T) {
	ctx := context.Background()
	s, lib := newStore(t)
	dir := ctDisc(t, 1, 8) // MARSH^HELEN, born 1960-02-14
	for _, tt := range []struct {
		name  string
		birth records.Date
		same  bool
	}{
		{"Helen Marsh", records.Date{}, true},
		{"marsh helen", records.Date{Year: 1960, Month: 2, Day: 14}, true},
		{"Hélen Marsh", records.Date{}, true},
		{"Hélène Marsh", records.Date{}, false}, // Helene is not Helen
		{"Helen Jane Marsh", records.Date{Year: 1960, Month: 2, Day: 14}, true},
		{"Helen Marsh", records.Date{Year: 1961, Month: 2, Day: 14}, false},
		{"Helen Smith", records.Date{}, false},
	} {
		p := records.Person{FullName: tt.name, DateOfBirth: tt.birth}
		if err := s.SavePerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
		rows := imagingRows(t, lib)
		rep, err := s.ImportDisc(ctx, p.ID, dir, records.ImportDiscOptions{})
		var diff *records.DifferentPatientError
		switch {
		case tt.same && err != nil:
			t.Errorf("ImportDisc(MARSH^HELEN for %s, %s) = %v, want added", tt.name, tt.birth, err)
		case !tt.same && !errors.As(err, &diff):
			t.Errorf("ImportDisc(MARSH^HELEN for %s, %s) = %+v, %v; want *DifferentPatientError", tt.name, tt.birth, rep, err)
		case !tt.same:
			if want := "This disc is for MARSH, HELEN, born 14 February 1960; you are adding it for " + tt.name + ". Add it anyway?"; err.Error() != want {
				t.Errorf("DifferentPatientError = %q, want %q", err, want)
			}
			if got := imagingRows(t, lib); got != rows {
				t.Errorf("rows after refusal = %s, want %s", got, rows)
			}
			if _, err := s.ImportDisc(ctx, p.ID, dir, records.ImportDiscOptions{DifferentPatientOK: true}); err != nil {
				t.Errorf("ImportDisc(DifferentPatientOK) = %v", err)
			}
		}
	}
}

// TestImportDiscReports: an encapsulated PDF becomes an imaging report
// dated by its study; a structured report a readable report page.
func TestImportDiscReports(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Helen Marsh")
	dir := ctDisc(t, 2, 8)
	pdf, err := os.ReadFile(gofpdfReport(t, t.TempDir(), "r.pdf", "FINDINGS: a 12 mm nodule in the right upper lobe. Zanzibarite."))
	if err != nil {
		t.Fatal(err)
	}
	ct := dicomtest.CT(8, 8, 1, 1)
	writeFile(t, filepath.Join(dir, "DICOM", "S1"), "REPORT", dicomtest.EncapsulatedPDF(ct, pdf))
	rep := importDisc(t, s, p.ID, dir, records.ImportDiscOptions{})
	if rep.Studies != 1 || rep.Images != 2 || rep.Reports != 1 || len(rep.DocumentIDs) != 2 {
		t.Fatalf("ImportDisc = %+v, want 1 study, 2 images, 1 report", rep)
	}
	d, err := s.Document(ctx, rep.DocumentIDs[1])
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != records.KindImagingReport || d.Date.String() != "2024-03-01" || d.Title != "Imaging report: CT CHEST" || d.Files[0].MediaType != "application/pdf" || d.Files[0].SHA256 != sha(pdf) {
		t.Errorf("report document = %+v (file %+v), want the PDF itself, kind imaging-report, 1 March 2024", d, d.Files[0])
	}
	// The report's DICOM file is kept as it came, as the original of its
	// PDF, and not among the study's images.
	if orig, why, ok, err := s.Original(ctx, d.Files[0].ID); err != nil || !ok || why != "report" || orig.SHA256 != sha(dicomtest.EncapsulatedPDF(ct, pdf)) {
		t.Errorf("Original(report PDF) = %+v, %q, %v, %v; want the REPORT file as it came", orig, why, ok, err)
	}
	if img, _ := s.Document(ctx, rep.DocumentIDs[0]); img.Kind != records.KindImaging || len(img.Files) != 2 {
		t.Errorf("imaging document = %s with %d files, want imaging with the 2 images only", img.Kind, len(img.Files))
	}
	// Lists count the studies a document holds (its files are images).
	listed, _ := s.Documents(ctx, records.DocumentFilter{PersonID: p.ID})
	for _, ld := range listed {
		if want := map[string]int{rep.DocumentIDs[0]: 1}[ld.ID]; ld.Studies != want || (want == 1 && ld.FileCount != 2) {
			t.Errorf("Documents: %q holds %d studies, %d files; want %d studies", ld.Title, ld.Studies, ld.FileCount, want)
		}
	}
	if found, _ := s.Documents(ctx, records.DocumentFilter{Search: "zanzibarite"}); len(found) != 1 {
		t.Errorf("search for a word of the report found %d documents, want 1", len(found))
	}

	// The corpus's structured report, on a disc of its own.
	sr := corpusFile(t, "dicom/pydicom-test-SR.dcm")
	srDir := t.TempDir()
	data, _ := os.ReadFile(sr)
	writeFile(t, srDir, "SR1", data)
	rep = importDisc(t, s, p.ID, srDir, records.ImportDiscOptions{DifferentPatientOK: true})
	// A study of reports only makes no imaging document and no study:
	// its report document is what the user has.
	if rep.Reports != 1 || rep.Studies != 0 || rep.Series != 0 || rep.Images != 0 || len(rep.DocumentIDs) != 1 {
		t.Fatalf("ImportDisc(SR) = %+v, want 1 report and nothing else", rep)
	}
	d, err = s.Document(ctx, rep.DocumentIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	// Its study has no date: the report's own (its content date) dates it.
	if d.Kind != records.KindImagingReport || d.Title != "Imaging report: OFFIS Structured Reporting Test Document" || d.Date.String() != "2001-02-13" {
		t.Errorf("SR document = %q %s of %s, want an imaging report of 2001-02-13", d.Title, d.Kind, d.Date)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		r, _ := s.OpenFile(ctx, d.Files[0].ID)
		var b bytes.Buffer
		b.ReadFrom(r)
		r.Close()
		out := filepath.Join(t.TempDir(), "sr.pdf")
		os.WriteFile(out, b.Bytes(), 0o600)
		text, err := exec.Command("pdftotext", "-layout", out, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Diagnosis", "Diameter: 3 cm", "Patient: Test, S R", "Date: 13 February 2001"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("SR page lacks %q:\n%s", want, text)
			}
		}
	}
	if orig, why, ok, _ := s.Original(ctx, d.Files[0].ID); !ok || why != "report" || orig.SHA256 != sha(data) {
		t.Errorf("Original(SR page) = %+v, %q, %v; want the SR file as it came", orig, why, ok)
	}
	studies, _ := s.Studies(ctx, p.ID)
	if len(studies) != 1 || studies[0].Images() != 2 || len(studies[0].Series) != 1 {
		t.Errorf("Studies = %+v, want the CT study alone, its report series left out", studies)
	}
	// The same SR disc again: its report is already there.
	before := snapshot(t, s)
	_, err = s.ImportDisc(ctx, p.ID, srDir, records.ImportDiscOptions{DifferentPatientOK: true})
	if !errors.Is(err, records.ErrDuplicate) || !strings.Contains(records.Explain(err), "already in the library") {
		t.Errorf("ImportDisc(SR again) = %v, want already in the library", err)
	}
	assertUnchanged(t, s, before)
	if probs, _ := s.Check(ctx); len(probs) != 0 {
		t.Errorf("Check() = %q", probs)
	}
}

// TestImportDiscCancel: a cancel while files are stored adds nothing.
func TestImportDiscCancel(t *testing.T) {
	s, lib := newStore(t)
	p := addPerson(t, s, "Helen Marsh")
	dir := ctDisc(t, 20, 64)
	before, rows := snapshot(t, s), imagingRows(t, lib)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := s.ImportDisc(ctx, p.ID, dir, records.ImportDiscOptions{Progress: func(done, total int64) {
		if done > total/2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || records.Explain(err) != "Stopped. Nothing was added." {
		t.Fatalf("ImportDisc cancelled = %v, want Stopped", err)
	}
	assertUnchanged(t, s, before)
	if got := imagingRows(t, lib); got != rows {
		t.Errorf("rows after cancel = %s, want %s", got, rows)
	}
}

// TestDICOMUnpacksInPrivateTemp: the folder a compressed key image is
// unpacked in is owner-only and carries this process's tag, so a copy of
// the app killed while drawing leaves nothing that the next start does not
// remove.
func TestDICOMUnpacksInPrivateTemp(t *testing.T) {
	dir, err := dicom.MakeTemp("secondopinion-dcm-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 || !strings.Contains(filepath.Base(dir), "-"+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("dicom.MakeTemp made %s (%v); want an owner-only folder tagged with this process, as records.PrivateTemp makes", dir, st.Mode().Perm())
	}
}
