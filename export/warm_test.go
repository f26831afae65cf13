package export_test

import (
	"context"
	"path/filepath"
	"testing"

	"secondopinion/export"
	"secondopinion/records"
)

// After PreparePrint, the photo's print version is in the library, so the
// export does not decode the photo again.
func TestPreparePrintKeepsPrintVersions(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	photo := filepath.Join(corpusDir(t), "images", "exif-orientation-6.jpg")
	p := records.Person{FullName: "Νίκος Παπαδόπουλος"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	d := addDoc(t, s, p.ID, records.Document{Kind: records.KindClinicLetter, Title: "Letter"}, photo)
	if err := export.PreparePrint(ctx, s, []string{d.ID}, records.PaperA4, records.QualityCompact); err != nil {
		t.Fatal(err)
	}
	full, err := s.Document(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	data, w, h, ok, err := s.Derived(ctx, full.Files[0].ID, "print-a4-200dpi-q85")
	if err != nil || !ok || len(data) == 0 {
		t.Fatalf("Derived(print-a4-200dpi-q85) = %d bytes, ok %v, %v; want the kept print version", len(data), ok, err)
	}
	if w >= h {
		t.Errorf("print version is %dx%d; an orientation-6 photo of an upright F must come out taller than wide", w, h)
	}
}
