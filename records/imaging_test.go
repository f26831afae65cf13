package records_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"secondopinion/records"
	"secondopinion/records/dicom"
)

// importDisc imports a disc for person, failing the test on error.
func importDisc(t testing.TB, s *records.Store, personID, path string, opt records.ImportDiscOptions) records.DiscReport {
	t.Helper()
	rep, err := s.ImportDisc(context.Background(), personID, path, opt)
	if err != nil {
		t.Fatalf("ImportDisc(%s) = %v", path, err)
	}
	return rep
}

// imagingRows counts the rows of the imaging tables, read straight from
// the library file.
func imagingRows(t testing.TB, libPath string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+libPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	for _, table := range []string{"imaging_study", "imaging_series", "imaging_instance", "document", "file", "file_chunk", "file_derived"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(out, " ")
}

func TestImportDiscSeveralPatients(t *testing.T) {
	disc := corpusFile(t, "dicom/dicomdir-pcir")
	s, lib := newStore(t)
	ctx := context.Background()
	p := addPerson(t, s, "Archibald Doe")
	before, rows := snapshot(t, s), imagingRows(t, lib)

	_, err := s.ImportDisc(ctx, p.ID, disc, records.ImportDiscOptions{})
	var several *records.SeveralPatientsError
	if !errors.As(err, &several) || !errors.Is(err, records.ErrSeveralPatients) {
		t.Fatalf("ImportDisc(3-patient disc) = %v, want *SeveralPatientsError", err)
	}
	var keys []string
	for _, dp := range several.Patients {
		keys = append(keys, dp.Key+"="+dp.Name)
	}
	if got := strings.Join(keys, ", "); got != "77654033=Doe, Archibald, 98890234=Doe, Peter" {
		t.Errorf("SeveralPatientsError patients = %s", got)
	}
	assertUnchanged(t, s, before)
	if got := imagingRows(t, lib); got != rows {
		t.Errorf("rows after refusal = %s, want %s", got, rows)
	}

	// Peter's studies, for Archibald: refused before anything is stored.
	_, err = s.ImportDisc(ctx, p.ID, disc, records.ImportDiscOptions{Patient: "98890234"})
	var diff *records.DifferentPatientError
	if !errors.As(err, &diff) || !strings.Contains(err.Error(), "This disc is for Doe, Peter") || !strings.Contains(err.Error(), "Archibald Doe") {
		t.Fatalf("ImportDisc(Peter's studies for Archibald) = %v, want *DifferentPatientError", err)
	}
	if got := imagingRows(t, lib); got != rows {
		t.Errorf("rows after refusal = %s, want %s", got, rows)
	}

	var progress []int64
	rep := importDisc(t, s, p.ID, disc, records.ImportDiscOptions{Patient: "77654033", Progress: func(done, total int64) { progress = append(progress, done) }})
	if rep.Studies != 2 || rep.Series != 4 || rep.Images != 7 || len(rep.DocumentIDs) != 2 {
		t.Errorf("ImportDisc report = %+v, want 2 studies, 4 series, 7 images", rep)
	}
	if len(progress) == 0 {
		t.Errorf("ImportDisc reported no progress")
	}
	studies, err := s.Studies(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(studies) != 2 {
		t.Fatalf("Studies() = %d studies, want 2", len(studies))
	}
	cr, ct := studies[0], studies[1]
	if cr.Modality != "CR" || cr.Date.String() != "2001-01-01" || cr.Description != "XR C Spine Comp Min 4 Views" || len(cr.Series) != 3 || cr.Images() != 3 {
		t.Errorf("Studies()[0] = %+v, want the CR of 1 January 2001 with 3 series", cr)
	}
	if ct.Modality != "CT" || ct.Date.String() != "1995-09-03" || len(ct.Series) != 1 || ct.Series[0].Images != 4 || ct.PatientName != "Doe, Archibald" {
		t.Errorf("Studies()[1] = %+v, want the CT of 3 September 1995 with 4 images", ct)
	}
	doc, err := s.Document(ctx, ct.DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Kind != records.KindImaging || doc.Title != "CT, HEAD/BRAIN WO CONTRAST" || len(doc.Files) != 4 {
		t.Errorf("study document = %q %s with %d files", doc.Title, doc.Kind, len(doc.Files))
	}
	// Byte for byte.
	inst, err := s.Instances(ctx, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(inst) != 4 {
		t.Fatalf("Instances(CT) = %d, want 4", len(inst))
	}
	for i, in := range inst {
		if in.Number != i+1 && i > 0 && inst[i-1].Number > in.Number {
			t.Errorf("Instances out of order: %+v", inst)
		}
	}
	want, _ := os.ReadFile(filepath.Join(disc, "77654033/CT2/17106"))
	r, err := s.OpenFile(ctx, inst[0].FileID)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, r.Size())
	if _, err := r.Read(got); err != nil && r.Size() > 0 {
		t.Fatal(err)
	}
	r.Close()
	if string(got) != string(want) {
		t.Errorf("stored instance 1 differs from 77654033/CT2/17106")
	}
	img, info, err := s.KeyImage(ctx, ct.Series[0].ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 16, 16) || info.Slice != 2 || info.Of != 4 || info.Window != "W 100 L 30" {
		t.Errorf("KeyImage(CT) = %v %+v, want 16×16, slice 2 of 4, W 100 L 30", img.Bounds(), info)
	}
	if probs, _ := s.Check(ctx); len(probs) != 0 {
		t.Errorf("Check() = %q", probs)
	}

	// Again: the studies are already there.
	_, err = s.ImportDisc(ctx, p.ID, disc, records.ImportDiscOptions{Patient: "77654033"})
	if !errors.Is(err, records.ErrDuplicate) {
		t.Errorf("ImportDisc again = %v, want ErrDuplicate", err)
	}

	// Trash hides the study; emptying the Trash removes its rows.
	if err := s.TrashDocument(ctx, ct.DocumentID); err != nil {
		t.Fatal(err)
	}
	if studies, _ := s.Studies(ctx, p.ID); len(studies) != 1 {
		t.Errorf("Studies() after trashing = %d, want 1", len(studies))
	}
	if _, err := s.EmptyTrash(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got := imagingRows(t, lib); !strings.HasPrefix(got, "imaging_study=1 imaging_series=3 imaging_instance=3 ") {
		t.Errorf("rows after emptying the Trash = %s", got)
	}
	if probs, _ := s.Check(ctx); len(probs) != 0 {
		t.Errorf("Check() = %q", probs)
	}
}

// TestCheckImaging: Check finds an image row whose file is not its study's.
func TestCheckImaging(t *testing.T) {
	ctx := context.Background()
	s, lib := newStore(t)
	p := addPerson(t, s, "Helen Marsh")
	importDisc(t, s, p.ID, ctDisc(t, 2, 8), records.ImportDiscOptions{})
	if probs, _ := s.Check(ctx); len(probs) != 0 {
		t.Fatalf("Check() = %q", probs)
	}
	db, err := sql.Open("sqlite", "file:"+lib)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE imaging_instance SET file_id = 'gone' WHERE position = 1`); err != nil {
		t.Fatal(err)
	}
	if probs, _ := s.Check(ctx); len(probs) != 1 || probs[0] != "An image of an imaging study is missing from its study's files." {
		t.Errorf("Check() = %q, want the loose image", probs)
	}
}

// TestKeyImageRedrawn: a key image whose kept drawing was removed (it is
// derived data) is drawn again from the stored file, the same, and kept.
func TestKeyImageRedrawn(t *testing.T) {
	ctx := context.Background()
	s, lib := newStore(t)
	p := addPerson(t, s, "Helen Marsh")
	importDisc(t, s, p.ID, ctDisc(t, 3, 32), records.ImportDiscOptions{})
	studies, err := s.Studies(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := studies[0].Series[0].ID
	first, info, err := s.KeyImage(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+lib)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM file_derived WHERE kind = 'dicom-key'`); err != nil {
		t.Fatal(err)
	}
	again, info2, err := s.KeyImage(ctx, id, 0)
	if err != nil {
		t.Fatalf("KeyImage without its kept drawing = %v", err)
	}
	if info2 != info || !reflect.DeepEqual(again.(*image.Gray).Pix, first.(*image.Gray).Pix) {
		t.Errorf("redrawn key image %+v differs from the first %+v", info2, info)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM file_derived WHERE kind = 'dicom-key'`).Scan(&n)
	if n != 1 {
		t.Errorf("kept drawings after redrawing = %d, want 1", n)
	}
}

// TestEnclosure: the stored files laid out for an enclosure, with the
// DICOMDIR naming them, read back as the disc they came from.
func TestEnclosure(t *testing.T) {
	disc := corpusFile(t, "dicom/dicomdir-pcir")
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Archibald Doe")
	importDisc(t, s, p.ID, disc, records.ImportDiscOptions{Patient: "77654033"})
	studies, err := s.Studies(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if studies[0].PatientPN != "Doe^Archibald" || studies[0].PatientID != "77654033" {
		t.Errorf("study patient = %q %q", studies[0].PatientPN, studies[0].PatientID)
	}
	files, recs, err := s.Enclosure(ctx, studies)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 7 || len(recs) != 1 || len(recs[0].Studies) != 2 {
		t.Fatalf("Enclosure = %d files, %d patients", len(files), len(recs))
	}
	dir := t.TempDir()
	for _, f := range files {
		r, err := s.OpenFile(ctx, f.FileID)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := os.Create(filepath.Join(dir, "DICOMDIR"))
	if err != nil {
		t.Fatal(err)
	}
	if err := dicom.WriteDICOMDIR(out, recs); err != nil {
		t.Fatalf("WriteDICOMDIR = %v", err)
	}
	out.Close()
	back, err := dicom.Read(ctx, dir)
	if err != nil || !back.DICOMDIR || len(back.Files) != 7 {
		t.Fatalf("enclosure read back = %v; want 7 files through its DICOMDIR", err)
	}
	ps := back.Patients()
	if len(ps) != 1 || ps[0].ID != "77654033" || len(ps[0].Studies) != 2 {
		t.Errorf("enclosure read back as %+v", ps)
	}
	if _, err := exec.LookPath("dcmftest"); err == nil {
		if msg, err := exec.Command("dcmftest", filepath.Join(dir, "DICOMDIR")).CombinedOutput(); err != nil || !strings.HasPrefix(string(msg), "yes:") {
			t.Errorf("dcmftest = %s %v", msg, err)
		}
	}
}
