package export_test

import (
	"context"
	"fmt"
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

// PreparePrint makes every picture's print version, however many there are
// (they are made one per core).
func TestPreparePrintKeepsEvery(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: "Νίκος Παπαδόπουλος"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for o := 1; o <= 8; o++ {
		photo := filepath.Join(corpusDir(t), "images", fmt.Sprintf("exif-orientation-%d.jpg", o))
		ids = append(ids, addDoc(t, s, p.ID, records.Document{Kind: records.KindResults, Title: fmt.Sprintf("F %d", o)}, photo).ID)
	}
	if err := export.PreparePrint(ctx, s, ids, records.PaperA4, records.QualityCompact); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		d, err := s.Document(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, w, h, ok, err := s.Derived(ctx, d.Files[0].ID, "print-a4-200dpi-q85"); err != nil || !ok || w >= h {
			t.Errorf("F %d: Derived = %d×%d, ok %v, %v; want a kept, upright (taller than wide) print version", i+1, w, h, ok, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := export.PreparePrint(cancelled, s, ids, records.PaperA4, records.QualityCompact); err == nil {
		t.Errorf("PreparePrint(cancelled) = nil, want the cancellation")
	}
}
