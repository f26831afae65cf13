package records_test

import (
	"context"
	"errors"
	"image"
	"image/color"
	"os/exec"
	"testing"

	"secondopinion/records"
)

// TestImportDiscCorpus reads the corpus's DICOM folder as a disc (no
// DICOMDIR at its root: found by walking, 15 patients) and adds three of
// its patients, checking what a viewer would show of their key images.
func TestImportDiscCorpus(t *testing.T) {
	disc := corpusFile(t, "dicom")
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Helen Marsh")
	_, err := s.ImportDisc(ctx, p.ID, disc, records.ImportDiscOptions{})
	var several *records.SeveralPatientsError
	if !errors.As(err, &several) || len(several.Patients) < 10 {
		t.Fatalf("ImportDisc(corpus) = %v, want several patients", err)
	}
	keys := map[string]bool{}
	for _, dp := range several.Patients {
		keys[dp.Key] = true
	}
	for _, k := range []string{"COVID-19-AR-16406488", "4MR1", "8NM1", "77654033"} {
		if !keys[k] {
			t.Errorf("patients lack %s: %+v", k, several.Patients)
		}
	}
	tools := func(names ...string) bool {
		for _, n := range names {
			if _, err := exec.LookPath(n); err == nil {
				return true
			}
		}
		return false
	}

	// The chest X-ray: MONOCHROME1, shown with the lungs dark.
	rep := importDisc(t, s, p.ID, disc, records.ImportDiscOptions{Patient: "COVID-19-AR-16406488", DifferentPatientOK: true})
	if rep.Studies != 1 || rep.Images != 1 {
		t.Errorf("ImportDisc(CR) = %+v", rep)
	}
	// The MR in four encodings, one of them RLE.
	rep = importDisc(t, s, p.ID, disc, records.ImportDiscOptions{Patient: "4MR1", DifferentPatientOK: true})
	if rep.Images != 4 {
		t.Errorf("ImportDisc(MR) = %+v, want 4 images", rep)
	}
	// NM in JPEG 2000 and 12-bit JPEG.
	importDisc(t, s, p.ID, disc, records.ImportDiscOptions{Patient: "8NM1", DifferentPatientOK: true})
	studies, err := s.Studies(ctx, p.ID)
	if err != nil || len(studies) != 3 {
		t.Fatalf("Studies = %d, %v; want 3", len(studies), err)
	}
	for _, st := range studies {
		se := st.Series[0]
		img, info, err := s.KeyImage(ctx, se.ID, 256)
		switch st.Modality {
		case "CR":
			if err != nil {
				t.Fatalf("KeyImage(CR) = %v", err)
			}
			b := img.Bounds()
			if b.Dy() != 256 || b.Dx() != 1760*256/2140 || info.Window != "W 1023 L 511" || info.Slice != 1 || info.Of != 1 {
				t.Errorf("KeyImage(CR, 256) = %v %+v", b, info)
			}
			if lung, middle := mean(img, image.Rect(60, 80, 75, 95)), mean(img, image.Rect(104, 80, 108, 95)); lung >= middle {
				t.Errorf("CR key image: lung %d not darker than the mediastinum %d", lung, middle)
			}
		case "MR":
			if err != nil || info.Window != "W 1600 L 600" || info.Of != 4 || se.NoPreview != "" {
				t.Errorf("KeyImage(MR) = %+v, %v (no preview %q)", info, err, se.NoPreview)
			}
		case "NM":
			if tools("gdcmconv", "dcmdjpeg") && (err != nil || se.NoPreview != "") {
				t.Errorf("KeyImage(NM) = %v (no preview %q)", err, se.NoPreview)
			}
		}
	}
	if probs, _ := s.Check(ctx); len(probs) != 0 {
		t.Errorf("Check() = %q", probs)
	}
}

func mean(img image.Image, r image.Rectangle) int {
	sum, n := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			sum += int(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
			n++
		}
	}
	return sum / max(n, 1)
}
