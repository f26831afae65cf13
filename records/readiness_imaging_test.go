package records_test

import (
	"context"
	"testing"

	"secondopinion/records"
)

// TestReadinessCountsStudies: a disc's study counts as the imaging in the
// readiness check after the user changes its document's kind, and the
// document list still counts its studies; a photo document of kind
// imaging counts as well.
func TestReadinessCountsStudies(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p, c := personWithCase(t, s)
	importDisc(t, s, p.ID, ctDisc(t, 2, 8), records.ImportDiscOptions{DifferentPatientOK: true})
	studies, err := s.Studies(ctx, p.ID)
	if err != nil || len(studies) != 1 {
		t.Fatalf("Studies = %v, %v; want the disc's one study", studies, err)
	}
	docID := studies[0].DocumentID
	imaging := func() (records.ReadyItem, records.ReadyItem) {
		t.Helper()
		items, err := s.Readiness(ctx, c.ID)
		if err != nil {
			t.Fatalf("Readiness = %v", err)
		}
		var img, rep records.ReadyItem
		for _, it := range items {
			switch it.Key {
			case records.ReadyImaging:
				img = it
			case records.ReadyImagingReport:
				rep = it
			}
		}
		return img, rep
	}
	has := func(it records.ReadyItem, ids ...string) bool {
		if it.State != records.ReadyPresent || len(it.Documents) != len(ids) {
			return false
		}
		for i, d := range it.Documents {
			if d.ID != ids[i] {
				return false
			}
		}
		return true
	}
	if img, _ := imaging(); !has(img, docID) {
		t.Fatalf("imaging after the disc = %v with %d documents, want present with the study's document", img.State, len(img.Documents))
	}
	for _, kind := range []records.Kind{records.KindOther, records.KindImagingReport} {
		d, err := s.Document(ctx, docID)
		if err != nil {
			t.Fatal(err)
		}
		d.Kind = kind
		if err := s.UpdateDocument(ctx, &d); err != nil {
			t.Fatal(err)
		}
		img, rep := imaging()
		if !has(img, docID) {
			t.Errorf("kind %s: imaging = %v with %d documents, want present with the study's document", kind, img.State, len(img.Documents))
		}
		if wantRep := kind == records.KindImagingReport; has(rep, docID) != wantRep {
			t.Errorf("kind %s: imaging report = %v, want present %v", kind, rep.State, wantRep)
		}
		list, err := s.Documents(ctx, records.DocumentFilter{PersonID: p.ID, Kind: kind})
		if err != nil || len(list) != 1 || list[0].Studies != 1 {
			t.Errorf("Documents(kind %s) = %+v, %v; want the study's document with 1 study", kind, list, err)
		}
	}
	photos := addDoc(t, s, p.ID, records.Document{Title: "Ultrasound pictures", Kind: records.KindImaging},
		writeFile(t, t.TempDir(), "us.jpg", makeJPEG(64, 48, 1, 90)))
	if err := s.TrashDocument(ctx, docID); err != nil {
		t.Fatal(err)
	}
	if img, _ := imaging(); !has(img, photos.ID) {
		t.Errorf("imaging with the disc in the Trash = %v with %d documents, want present with the photos", img.State, len(img.Documents))
	}
}
