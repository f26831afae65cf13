package records

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/records/dicom"
)

// reportPDF lays out a structured report's text as a PDF, so it becomes a
// readable document like any letter: title, patient and study, then the
// content tree with headings in bold, indented by depth. gofpdf's core
// fonts are Latin-1: other characters are shown as "?" (the original DICOM
// file is kept with the study).
func reportPDF(r dicom.Report, st *dicom.Study, h dicom.Header) ([]byte, error) {
	pdf := gofpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetCreator("Second Opinion", true)
	pdf.SetTitle(r.Title, true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 15)
	pdf.MultiCell(0, 7, tr(r.Title), "", "L", false)
	pdf.SetFont("Helvetica", "", 9.5)
	var facts []string
	if n := readablePN(h.PatientName); n != "" {
		facts = append(facts, "Patient: "+n)
	}
	if d := dicomDate(r.Date); !d.IsZero() {
		facts = append(facts, "Date: "+d.Human())
	}
	if st.Institution != "" {
		facts = append(facts, "From: "+st.Institution)
	}
	if st.Accession != "" {
		facts = append(facts, "Accession: "+st.Accession)
	}
	if len(facts) > 0 {
		pdf.MultiCell(0, 5, tr(strings.Join(facts, "   ")), "", "L", false)
	}
	pdf.SetFont("Helvetica", "I", 8.5)
	pdf.MultiCell(0, 4.5, "A structured report (DICOM SR) from the imaging disc, written out as text by Second Opinion.", "", "L", false)
	pdf.Ln(3)
	for _, l := range r.Lines {
		indent := float64(min(l.Depth, 8)) * 5
		pdf.SetX(20 + indent)
		if l.Heading {
			pdf.Ln(1.5)
			pdf.SetX(20 + indent)
			pdf.SetFont("Helvetica", "B", 11)
		} else {
			pdf.SetFont("Helvetica", "", 10.5)
		}
		pdf.MultiCell(170-indent, 5.2, tr(l.Text), "", "L", false)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("write report page: %w", err)
	}
	return b.Bytes(), nil
}
