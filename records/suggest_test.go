package records_test

import (
	"strings"
	"testing"
	"time"

	"secondopinion/records"
)

// TestSuggest reads realistic letters and reports, as OCR gives them,
// for their date, source, kind and title.
func TestSuggest(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		text       string
		date       string
		source     string
		kind       records.Kind
		title      string
		dayFirstUS bool
	}{
		{
			name: "histopathology report, UK, date of birth first",
			text: `Riverside University Hospital NHS Trust
Department of Histopathology
Level 2, Pathology Block, London SE1 7EH
HISTOPATHOLOGY REPORT
Patient: Mary EXAMPLE  DOB: 04/07/1961  NHS No: 943 476 5919
Date: 12/03/2024
Specimen: Left breast core biopsy x3
Macroscopic: Three cores of pale tissue, 12 to 15 mm.
Microscopic: Sections show an invasive ductal carcinoma, grade 2.
Oestrogen receptor positive (Allred 8/8). HER2 negative.
Reported by Dr A Smith, Consultant Histopathologist
Dictated 14/03/2024 Typed 15/03/2024`,
			date: "2024-03-12", source: "Riverside University Hospital NHS Trust", kind: records.KindPathology, title: "Histopathology report",
		},
		{
			name: "clinic letter, date alone under the letterhead",
			text: `St Mary's Breast Unit
Northfield General Hospital
Oak Lane, Northfield NF2 4QP
Tel 01234 567890

3rd April 2024

Dr J Patel
Northfield Medical Practice

Dear Dr Patel,
Re: Mary Example, born 4 July 1961
I saw Mrs Example in clinic today with her husband. We discussed the
results of her biopsy and the plan for surgery. I have listed her for a
wide local excision. Follow-up on 24 April 2024.
Yours sincerely,
Mr K Brown, Consultant Breast Surgeon`,
			date: "2024-04-03", source: "Northfield General Hospital", kind: records.KindClinicLetter,
		},
		{
			name: "operation note, US dates month first",
			text: `Mercy Medical Center
OPERATIVE REPORT
Date of procedure: 03/15/2024
Surgeon: Dr. Lee   Assistant: Dr. Ortiz
Anesthesia: general
Procedure: laparoscopic right hemicolectomy
Findings: tumour in the ascending colon, no liver lesions
Closure: sutures to the skin, drain placed. Estimated blood loss 50 ml.`,
			date: "2024-03-15", source: "Mercy Medical Center", kind: records.KindOperative, title: "Operative report", dayFirstUS: true,
		},
		{
			name: "discharge summary with admission and discharge dates",
			text: `Royal Victoria Infirmary
The Newcastle upon Tyne Hospitals NHS Foundation Trust
DISCHARGE SUMMARY
Date of admission: 2 February 2024
Date of discharge: 9 February 2024
Ward 21
Presenting complaint: fever during chemotherapy.
Medications on discharge: co-amoxiclav 625 mg three times daily.`,
			date: "2024-02-09", source: "Royal Victoria Infirmary", kind: records.KindDischarge, title: "Discharge summary",
		},
		{
			name: "radiology report, ISO date",
			text: `Northfield Imaging Centre
MRI LUMBAR SPINE
Exam date: 2023-05-03
Technique: sagittal and axial T1 and T2.
Comparison: none.
Findings: grade 1 spondylolisthesis at L4/5.
Impression: no cord compression.`,
			date: "2023-05-03", source: "Northfield Imaging Centre", kind: records.KindImagingReport, title: "MRI lumbar spine",
		},
		{
			name: "blood results, March 5, 2024",
			text: `Eastside Laboratories
Blood results
Collected: March 5, 2024
Test          Result   Units    Reference range
Haemoglobin   118      g/L      115-165
Platelets     250      10^9/L   150-400
Creatinine    72       umol/L   45-84
eGFR          >90`,
			date: "2024-03-05", source: "Eastside Laboratories", kind: records.KindResults, title: "Blood results",
		},
		{
			name: "letterhead in capitals, a dash read as a control character",
			text: "NORTHGATE GENERAL HOSPITAL NHS TRUST\nHospital Road, Northgate NG1 2AB · Tel 01632 960 000\nBlood Sciences \x14 Cumulative Report\n" +
				"Collected: 24/10/2023 09:14 Reported: 24/10/2023 16:40\nTest Result Units Reference range\nHaemoglobin 121 g/L 115-165\nPlatelets 260 10^9/L 150-400",
			date: "2023-10-24", source: "Northgate General Hospital NHS Trust", kind: records.KindResults, title: "Blood Sciences Cumulative Report",
		},
		{
			name: "GP referral photographed, OCR's | for I",
			text: `Larkspur Medical Practice
Dear Breast Clinic,
Re: Helen Marsh, born 12/04/1961
Thank you for seeing this 65-year-old lady who found a lump
in her left breast three weeks ago. On examination there
is a firm 2 cm mobile lump in the upper outer quadrant.
Past history: hypertension (amlodipine).
| would be grateful for your urgent assessment.
Yours sincerely,
Dr Priya Nair
General Practitioner`,
			source: "Larkspur Medical Practice", kind: records.KindReferral,
		},
		{
			name: "nothing to go on",
			text: `shopping list
milk, eggs, bread`,
		},
		{
			name: "a future date and a birth date are not the letter's",
			text: `Date of birth: 01/02/1970
Next appointment: 12 December 2030`,
		},
	}
	defer func(v bool) { records.DayFirst = v }(records.DayFirst)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records.DayFirst = !tt.dayFirstUS
			got := records.Suggest(tt.text, now)
			if got.Date.String() != tt.date {
				t.Errorf("Suggest().Date = %q (from %q), want %q", got.Date.String(), got.DateFrom, tt.date)
			}
			if got.Source != tt.source {
				t.Errorf("Suggest().Source = %q, want %q", got.Source, tt.source)
			}
			if got.Kind != tt.kind {
				t.Errorf("Suggest().Kind = %q, want %q", got.Kind, tt.kind)
			}
			if tt.title != "" && got.Title != tt.title {
				t.Errorf("Suggest().Title = %q, want %q", got.Title, tt.title)
			}
		})
	}
}

// BenchmarkSuggest reads a full page letter's text for suggestions.
func BenchmarkSuggest(b *testing.B) {
	text := strings.Repeat("Thank you for referring this patient. The biopsy of the left breast shows an invasive ductal carcinoma.\n", 40)
	text = "Riverside University Hospital NHS Trust\nDepartment of Histopathology\nDate: 12 March 2024\n" + text
	now := time.Now()
	for b.Loop() {
		records.Suggest(text, now)
	}
}
