package dicom

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secondopinion/records/dicom/dicomtest"
)

func TestReadReport(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpus(t, "dicom"), "pydicom-test-SR.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReadReport(context.Background(), bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	text := r.Text()
	for _, want := range []string{"Diagnosis\n", "  Diameter: 3 cm\n", "  Date: 2000-12-06\n", "  Time: 12:00\n", "  DateTime: 2000-12-06 12:00\n", "Text Code: A mass of\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("report text lacks %q:\n%s", want, text)
		}
	}
	if r.Title != "Diagnosis" || r.Date != "20010213" {
		t.Errorf("report title %q, date %q", r.Title, r.Date)
	}
	// An image is not a report.
	im := dicomtest.CT(4, 4, 1, 1)
	ct := im.Bytes()
	if _, err := ReadReport(context.Background(), bytes.NewReader(ct), int64(len(ct))); !errors.Is(err, ErrUnreadable) {
		t.Errorf("ReadReport(CT) = %v, want ErrUnreadable", err)
	}
}

func TestExtractPDF(t *testing.T) {
	pdf := []byte("%PDF-1.4\n% a tiny odd-length PDF\n%%EOF\n")
	file := dicomtest.EncapsulatedPDF(dicomtest.Image{PatientName: "DOE^JANE"}, pdf)
	h, err := ReadHeader(context.Background(), bytes.NewReader(file), int64(len(file)))
	if err != nil || h.Document != "pdf" || h.IsImage() {
		t.Fatalf("ReadHeader(encapsulated PDF) = %+v, %v", h, err)
	}
	got, err := ExtractPDF(context.Background(), bytes.NewReader(file), int64(len(file)))
	if err != nil || !bytes.Equal(got, pdf) {
		t.Errorf("ExtractPDF = %q, %v; want the PDF byte for byte", got, err)
	}
}
