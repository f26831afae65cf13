// Package sample fills a library with one realistic sample person and case,
// so a newcomer can try every part of Second Opinion without typing in
// their own records first. The documents are made here: PDFs drawn with
// gofpdf and photos of letters drawn as images, nothing copied from
// anywhere. The sample deliberately lacks the pathology report, so the
// readiness check has something to say.
package sample

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"secondopinion/records"
)

// Name is the sample person's full name.
const Name = "Helen Marsh"

// birthDate is the sample person's date of birth; with Name it tells the
// sample person apart from a real person of the same name.
const birthDate = "1961-04-12"

// ErrPresent is returned (in a Problem) by Load when the sample person is
// already in the library.
var ErrPresent = errors.New("sample: the sample person is already in the library")

// IsSample reports whether p is the sample person (not a real patient).
func IsSample(p records.Person) bool {
	return p.FullName == Name && p.DateOfBirth.String() == birthDate
}

// Present finds the sample person in the library.
func Present(ctx context.Context, s *records.Store) (records.Person, bool, error) {
	people, err := s.People(ctx)
	if err != nil {
		return records.Person{}, false, err
	}
	for _, p := range people {
		if IsSample(p) {
			return p, true, nil
		}
	}
	return records.Person{}, false, nil
}

// Load adds the sample person, their documents, medications, allergy, case,
// questions and opinions. If anything fails, the partly made sample is
// removed again, so the library is as it was.
//
// Load is all or nothing even when the process is killed part way: the
// person is begun as a draft that no list shows, and only listed at the
// end; a draft whose process died is removed when the library next opens.
// A second Load says the sample person is there already.
func Load(ctx context.Context, s *records.Store) (records.Person, error) {
	records.RemoveStaleTemp("secondopinion-sample-") // left by a killed demo
	if p, ok, err := Present(ctx, s); err != nil || ok {
		if ok {
			err = &records.Problem{Msg: fmt.Sprintf("The sample person %s is already in this library. Choose %s in the app, or use --person %q on the command line.", p.FullName, p.FullName, p.FullName), Err: ErrPresent}
		}
		return p, err
	}
	dir, err := records.PrivateTemp("secondopinion-sample-")
	if err != nil {
		return records.Person{}, err
	}
	defer os.RemoveAll(dir)
	p := records.Person{
		FullName:    Name,
		DateOfBirth: records.MustDate(birthDate),
		Identifiers: []records.Identifier{{Label: "NHS number", Value: "943 476 5919"}, {Label: "Hospital number", Value: "RX1-448210"}},
		Phone:       "01632 960 418",
		Email:       "helen.marsh@example.org",
		Address:     "14 Larkspur Close, Northgate NG4 7QT",
		PreparedBy:  records.Preparer{Name: "David Marsh", Relationship: "son", Phone: "07700 900 213", Email: "david.marsh@example.org"},
	}
	if err := s.BeginPerson(ctx, &p); err != nil {
		return p, err
	}
	err = fill(ctx, s, &p, dir)
	if err == nil {
		err = s.FinishPerson(ctx, p.ID)
	}
	if err != nil {
		if derr := s.DeletePerson(context.WithoutCancel(ctx), p.ID); derr != nil {
			return p, fmt.Errorf("sample: %w (and removing the partial sample failed: %v)", err, derr)
		}
		return p, err
	}
	return s.Person(ctx, p.ID)
}

// appointmentWeeks is how far ahead of the day the sample is made its
// second-opinion appointment lies: a demo made any day shows an upcoming
// appointment, and every other date of the story moves with it.
const appointmentWeeks = 3

// storyAppointment is the appointment's date in the story as written; the
// dates written in fill are moved by the same number of days.
var storyAppointment = time.Date(2026, 11, 18, 10, 30, 0, 0, time.UTC)

// calendar moves the story's dates so the appointment falls
// appointmentWeeks after now.
type calendar struct{ days int }

func newCalendar(now time.Time) calendar {
	appt := time.Date(now.Year(), now.Month(), now.Day(), 10, 30, 0, 0, time.UTC).AddDate(0, 0, 7*appointmentWeeks)
	return calendar{days: int(appt.Sub(storyAppointment).Hours() / 24)}
}

// on is a story date ("2026-09-14", "2026-08", "2019") moved, keeping how
// precise it is.
func (c calendar) on(s string) records.Date {
	d := records.MustDate(s)
	day, month := d.Day, d.Month
	if month == 0 {
		month = 7
	}
	if day == 0 {
		day = 15
	}
	t := time.Date(d.Year, time.Month(month), day, 12, 0, 0, 0, time.UTC).AddDate(0, 0, c.days)
	out := records.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
	if d.Day == 0 {
		out.Day = 0
	}
	if d.Month == 0 {
		out.Month = 0
	}
	return out
}

func (c calendar) time(s string) time.Time { return c.on(s).Time() }

// long is "14 September 2026"; slash "14/09/2026"; compact "20260914".
func (c calendar) long(s string) string  { return c.on(s).Human() }
func (c calendar) slash(s string) string { return c.time(s).Format("02/01/2006") }
func (c calendar) compact(s string) string {
	return c.time(s).Format("20060102")
}

func fill(ctx context.Context, s *records.Store, p *records.Person, dir string) error {
	cal := newCalendar(s.Now())
	type doc struct {
		kind   records.Kind
		title  string
		date   records.Date
		source string
		notes  string
		tags   []string
		files  func() ([]string, error)
	}
	docs := []doc{
		{records.KindReferral, "GP referral to breast clinic (two-week wait)", cal.on("2026-08-28"), "Dr Priya Nair, Larkspur Medical Practice",
			"Photographed on my phone: two pages.", []string{"referral"}, func() ([]string, error) {
				return photoLetter(dir, "IMG_"+cal.compact("2026-08-28")+"_referral", []string{"Larkspur Medical Practice", "", "Dear Breast Clinic,", "",
					"Re: Helen Marsh, born 12/04/1961", "NHS number 943 476 5919", "",
					"Thank you for seeing this 65-year-old lady who found a lump", "in her left breast three weeks ago. On examination there",
					"is a firm 2 cm mobile lump in the upper outer quadrant.", "No skin changes. No palpable axillary nodes.",
					"", "Past history: hypertension (amlodipine). Penicillin allergy (rash)."},
					[]string{"She stopped ibuprofen in " + time.Month(cal.on("2026-08-18").Month).String() + " because of indigestion.", "", "I would be grateful for your urgent assessment.", "",
						"Yours sincerely,", "", "Dr Priya Nair", "General Practitioner"})
			}},
		{records.KindImagingReport, "Mammogram and ultrasound report", cal.on("2026-09-14"), "Northgate General Hospital, Breast Imaging",
			"", []string{"imaging", "left breast"}, func() ([]string, error) {
				return pdfDoc(dir, "mammogram-report.pdf", "Breast Imaging Report", []string{
					"Patient: Helen MARSH   DOB: 12/04/1961   Hospital no: RX1-448210",
					"Examination: Bilateral mammogram and left breast ultrasound, " + cal.long("2026-09-14"),
					"Findings: In the left breast upper outer quadrant there is an irregular spiculated mass measuring 22 mm with associated microcalcification. Ultrasound confirms a 21 x 18 mm hypoechoic irregular mass at 2 o'clock, 6 cm from the nipple. The axilla appears normal on ultrasound.",
					"The right breast is normal.",
					"Conclusion: Left breast mass, BI-RADS 5 (highly suggestive of malignancy). Ultrasound-guided core biopsy performed today (3 cores).",
					"Reported by: Dr Samuel Osei, Consultant Radiologist",
				})
			}},
		{records.KindImaging, "Left breast ultrasound pictures", cal.on("2026-09-14"), "Northgate General Hospital, Breast Imaging",
			"Screenshots printed at the appointment; the full images are on the CD.", []string{"imaging"}, func() ([]string, error) {
				return scanImages(dir, cal.slash("2026-09-14"))
			}},
		{records.KindResults, "Blood tests before surgery", cal.on("2026-09-22"), "Northgate General Hospital, Pathology (blood sciences)",
			"", []string{"bloods"}, func() ([]string, error) {
				return pdfTable(dir, "bloods.pdf", "Blood Sciences — Cumulative Report", cal.slash("2026-09-22"), [][]string{
					{"Test", "Result", "Units", "Reference range"},
					{"Haemoglobin", "128", "g/L", "115 - 165"},
					{"White cells", "6.2", "x10^9/L", "4.0 - 11.0"},
					{"Platelets", "271", "x10^9/L", "150 - 400"},
					{"Sodium", "139", "mmol/L", "133 - 146"},
					{"Potassium", "4.4", "mmol/L", "3.5 - 5.3"},
					{"Creatinine", "71", "umol/L", "45 - 84"},
					{"eGFR", ">90", "mL/min/1.73m2", ">90"},
					{"ALT", "22", "U/L", "0 - 33"},
					{"Alkaline phosphatase", "84", "U/L", "30 - 130"},
					{"Calcium (adjusted)", "2.38", "mmol/L", "2.20 - 2.60"},
				})
			}},
		{records.KindImagingReport, "MRI of both breasts", cal.on("2026-09-29"), "Northgate General Hospital, Radiology",
			"", []string{"imaging", "MRI"}, func() ([]string, error) {
				return pdfDoc(dir, "mri.pdf", "MRI Breasts with Contrast", []string{
					"Patient: Helen MARSH   DOB: 12/04/1961",
					"Indication: Newly diagnosed left breast cancer; assess extent before surgery.",
					"Findings: A 24 mm enhancing irregular mass in the left upper outer quadrant corresponds to the known cancer. There is a separate 6 mm enhancing focus 3 cm medial to it, of uncertain significance. No abnormality in the right breast. No enlarged axillary lymph nodes.",
					"Conclusion: Known left breast cancer, 24 mm. Additional 6 mm focus in the left breast: second-look ultrasound and biopsy advised if this would change surgical management.",
					"Reported by: Dr Helena Brandt, Consultant Radiologist",
				})
			}},
		{records.KindClinicLetter, "Clinic letter: results and treatment plan", cal.on("2026-10-02"), "Mr Alan Reid, Consultant Breast Surgeon, Northgate General Hospital",
			"The letter that says the plan is a mastectomy.", []string{"plan"}, func() ([]string, error) {
				return pdfDoc(dir, "clinic-letter.pdf", "Breast Surgery Clinic — Letter", []string{
					"Dear Dr Nair,",
					"Diagnosis: Left breast invasive ductal carcinoma (no special type), grade 2, 24 mm on MRI, ER positive, HER2 negative. Clinically node negative.",
					"I saw Mrs Marsh with her son today to discuss her results. The MRI shows a second small area in the same breast. Given this, I have recommended a left mastectomy with sentinel lymph node biopsy, followed by endocrine therapy. We discussed reconstruction, which she does not want at present.",
					"She has started anastrozole 1 mg daily while awaiting surgery, having not tolerated letrozole (joint pains). She would like time to consider her options, and has asked about a second opinion, which I am happy to support.",
					"Plan: 1. Left mastectomy and sentinel node biopsy (listed). 2. Adjuvant endocrine therapy. 3. Review at MDT after surgery.",
					"Yours sincerely, Mr Alan Reid FRCS, Consultant Breast Surgeon",
				})
			}},
	}
	docID := map[string]string{} // title -> ID
	for _, d := range docs {
		paths, err := d.files()
		if err != nil {
			return fmt.Errorf("make sample %s: %w", d.title, err)
		}
		doc := records.Document{PersonID: p.ID, Kind: d.kind, Title: d.title, Date: d.date, Source: d.source, Notes: d.notes, Tags: d.tags}
		if err := s.AddDocument(ctx, &doc, paths, records.AddOptions{}); err != nil {
			return err
		}
		docID[d.title] = doc.ID
	}
	meds := []records.Medication{
		{Name: "Anastrozole", Strength: "1 mg", Dose: "1 tablet", Form: "by mouth", Frequency: "once a day", Slots: records.SlotMorning,
			Start: cal.on("2026-10-05"), Status: records.MedTaking, Reason: "breast cancer (hormone therapy before surgery)", Prescriber: "Mr Alan Reid"},
		{Name: "Amlodipine", Strength: "5 mg", Dose: "1 tablet", Form: "by mouth", Frequency: "once a day", Slots: records.SlotMorning,
			Start: cal.on("2019-03"), Status: records.MedTaking, Reason: "high blood pressure", Prescriber: "Dr Priya Nair (GP)"},
		{Name: "Omeprazole", Strength: "20 mg", Dose: "1 capsule", Form: "by mouth", Frequency: "once a day before breakfast", Slots: records.SlotMorning,
			Start: cal.on("2026-08-20"), Status: records.MedTaking, Reason: "indigestion", Prescriber: "Dr Priya Nair (GP)"},
		{Name: "Paracetamol", Strength: "500 mg", Dose: "2 tablets", Form: "by mouth", Frequency: "up to four times a day when needed", Slots: records.SlotAsNeeded,
			Start: cal.on("2026-08"), Status: records.MedTaking, Reason: "pain", Prescriber: "bought from the pharmacy"},
		{Name: "Letrozole", Strength: "2.5 mg", Dose: "1 tablet", Form: "by mouth", Frequency: "once a day", Slots: records.SlotMorning,
			Start: cal.on("2026-09-24"), Stop: cal.on("2026-10-04"), Status: records.MedStopped, Reason: "breast cancer (hormone therapy)",
			Prescriber: "Mr Alan Reid", StopReason: "joint pains in hands and knees; changed to anastrozole"},
		{Name: "Ibuprofen", Strength: "400 mg", Dose: "1 tablet", Form: "by mouth", Frequency: "three times a day with food", Slots: records.SlotAsNeeded,
			Start: cal.on("2024"), Stop: cal.on("2026-08-18"), Status: records.MedStopped, Reason: "back pain",
			Prescriber: "Dr Priya Nair (GP)", StopReason: "indigestion and stomach pain"},
		{Name: "Calcium and vitamin D (Adcal-D3)", Strength: "1.5 g / 400 units", Dose: "1 chewable tablet", Form: "by mouth", Frequency: "twice a day",
			Slots: records.SlotMorning | records.SlotEvening, Start: cal.on("2025-02"), Status: records.MedPaused, PausedOn: cal.on("2026-08-20"),
			PauseReason: "made the indigestion worse; the GP said to stop until the stomach settles", Reason: "bone protection", Prescriber: "Dr Priya Nair (GP)"},
	}
	for i := range meds {
		meds[i].PersonID = p.ID
		if err := s.SaveMedication(ctx, &meds[i]); err != nil {
			return err
		}
	}
	if err := s.SaveAllergy(ctx, &records.Allergy{PersonID: p.ID, Substance: "Penicillin", Reaction: "itchy rash all over", Severity: "moderate"}); err != nil {
		return err
	}
	c := records.Case{
		PersonID:      p.ID,
		Title:         "Left breast cancer: mastectomy or not?",
		Diagnosis:     "Left breast cancer (invasive ductal carcinoma), grade 2, 24 mm, ER positive, HER2 negative, no spread to lymph nodes seen.",
		FirstDoctor:   records.Doctor{Name: "Mr Alan Reid", Specialty: "Consultant Breast Surgeon", Hospital: "Northgate General Hospital"},
		TreatmentPlan: "Left mastectomy with sentinel lymph node biopsy, then hormone tablets (anastrozole) for at least five years.",
		Reasons:       []string{"unhappy-treatment", "all-options", "major-treatment"},
		ReasonOther:   "The MRI found a second small spot. I want to know whether it really means I need a mastectomy.",
		Decision:      "Whether to have a mastectomy, or breast-conserving surgery (lumpectomy) with radiotherapy.",
		SecondDoctor:  records.Doctor{Name: "Professor Ruth Okafor", Specialty: "Consultant Oncoplastic Breast Surgeon", Hospital: "Riverside Cancer Centre"},
		Appointment:   cal.time("2026-11-18").Add(10*time.Hour + 30*time.Minute),
		AppointmentAt: "Riverside Cancer Centre, Outpatients B, 2nd floor",
		Status:        records.RefRecordsReceived,
		ViaReferral:   true,
		NotApplicable: map[string]string{
			records.ReadyOperative: "No operation yet: surgery is what the second opinion is about.",
			records.ReadyDischarge: "No hospital stays so far.",
		},
		Packet:   records.PacketSettings{Timeline: true},
		Coverage: "NHS referral from Dr Nair, agreed by Mr Reid. No cost. Travel: hospital transport not needed.",
		Question: "Do I really need to lose my whole breast because of the second small spot on the MRI, or could I safely keep it " +
			"with a lumpectomy and radiotherapy? I would like your help to decide before the operation date.",
		DiagnosedOn:     cal.on("2026-09-21"),
		DiagnosisDetail: "Invasive ductal carcinoma (no special type), grade 2, 24 mm on MRI; clinically node negative (cT2 N0). ER positive, HER2 negative. Second 6 mm focus on MRI not biopsied.",
		TreatmentSoFar: "Ultrasound-guided core biopsy of the left breast (" + cal.long("2026-09-14") + "). Letrozole from " + cal.long("2026-09-24") +
			", stopped after 10 days for joint pains; anastrozole since " + cal.long("2026-10-05") + " while waiting for surgery. No operation yet.",
	}
	if err := s.SaveCase(ctx, &c); err != nil {
		return err
	}
	if err := clinical(ctx, s, cal, p, c, docID); err != nil {
		return err
	}
	questions := []struct{ text, cat string }{
		{"Does the second small spot on the MRI mean I need a mastectomy, or could it be biopsied first?", "Treatment"},
		{"Could I have breast-conserving surgery with radiotherapy instead, and would my chance of cure be the same?", "Treatment"},
		{"What are the side effects of radiotherapy for someone my age with high blood pressure?", "Side effects"},
		{"Is anastrozole the right hormone tablet for me after letrozole gave me joint pains?", "Medicines"},
		{"How many operations like mine do you do each year?", "Experience"},
		{"Are there clinical trials I could join?", "Options"},
	}
	for _, q := range questions {
		if _, err := s.AddQuestion(ctx, &records.Question{CaseID: c.ID, Text: q.text, Category: q.cat}); err != nil {
			return err
		}
	}
	if err := s.SaveRecordsRequest(ctx, &records.RecordsRequest{CaseID: c.ID, From: "Northgate General Hospital, Medical Records",
		What: "Pathology report of the core biopsy, MRI and mammogram images on CD, clinic letters", RequestedOn: cal.on("2026-10-06"),
		ReceivedOn: cal.on("2026-10-20")}); err != nil {
		return err
	}
	if err := s.SaveRecordsRequest(ctx, &records.RecordsRequest{CaseID: c.ID, From: "Northgate General Hospital, Cellular Pathology",
		What: "Core biopsy histopathology report (not in the first batch)", RequestedOn: cal.on("2026-10-21")}); err != nil {
		return err
	}
	opinions := []records.Opinion{
		{CaseID: c.ID, Clinician: c.FirstDoctor, Date: cal.on("2026-10-02"),
			Diagnosis: "Left breast invasive ductal carcinoma, grade 2, 24 mm, ER positive, HER2 negative, with a second 6 mm focus on MRI.",
			Treatment: "Left mastectomy with sentinel lymph node biopsy, then endocrine therapy.",
			Notes:     "Recommended mastectomy because of the second focus on MRI."},
		{CaseID: c.ID, Clinician: c.SecondDoctor, Date: cal.on("2026-10-24"),
			Diagnosis: "Left breast invasive ductal carcinoma, grade 2, 24 mm, ER positive, HER2 negative. The 6 mm MRI focus is unproven.",
			Treatment: "Second-look ultrasound and biopsy of the 6 mm focus. If benign: wide local excision and sentinel node biopsy, then radiotherapy and endocrine therapy.",
			Notes:     "Written opinion after reviewing the records and images, before we meet. Said mastectomy is not needed unless the second spot is cancer. Offered to discuss with Mr Reid."},
	}
	for i := range opinions {
		if err := s.SaveOpinion(ctx, &opinions[i]); err != nil {
			return err
		}
	}
	return nil
}

// pdfDoc draws a simple hospital-style report.
func pdfDoc(dir, name, heading string, paras []string) ([]string, error) {
	pdf := newPDF()
	pdf.AddPage()
	letterhead(pdf, heading)
	pdf.SetFont("DejaVu", "", 11)
	for _, p := range paras {
		pdf.MultiCell(0, 6, p, "", "L", false)
		pdf.Ln(3)
	}
	return writePDF(pdf, filepath.Join(dir, name))
}

// pdfTable draws a results table.
func pdfTable(dir, name, heading, date string, rows [][]string) ([]string, error) {
	pdf := newPDF()
	pdf.AddPage()
	letterhead(pdf, heading)
	pdf.SetFont("DejaVu", "", 10)
	pdf.MultiCell(0, 5, "Patient: Helen MARSH   DOB: 12/04/1961   NHS: 943 476 5919\nCollected: "+date+" 09:14   Reported: "+date+" 16:40", "", "L", false)
	pdf.Ln(4)
	widths := []float64{60, 30, 35, 45}
	for i, r := range rows {
		style := ""
		if i == 0 {
			style = "B"
		}
		pdf.SetFont("DejaVu", style, 10)
		for j, c := range r {
			pdf.CellFormat(widths[j], 7, c, "B", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(6)
	pdf.SetFont("DejaVu", "", 9)
	pdf.MultiCell(0, 5, "All results within reference ranges. Authorised by: J. Patel, Clinical Scientist.", "", "L", false)
	return writePDF(pdf, filepath.Join(dir, name))
}

func newPDF() *gofpdf.Fpdf {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("DejaVu", "", dejavusans.TTF)
	pdf.AddUTF8FontFromBytes("DejaVu", "B", dejavusansbold.TTF)
	pdf.SetMargins(20, 20, 20)
	pdf.SetCreator("Second Opinion sample", true)
	return pdf
}

func letterhead(pdf *gofpdf.Fpdf, heading string) {
	pdf.SetFont("DejaVu", "B", 9)
	pdf.SetTextColor(60, 60, 60)
	pdf.CellFormat(0, 5, "NORTHGATE GENERAL HOSPITAL NHS TRUST", "", 1, "R", false, 0, "")
	pdf.SetFont("DejaVu", "", 8)
	pdf.CellFormat(0, 4, "Hospital Road, Northgate NG1 2AB · Tel 01632 960 000", "", 1, "R", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(6)
	pdf.SetFont("DejaVu", "B", 15)
	pdf.CellFormat(0, 9, heading, "B", 1, "L", false, 0, "")
	pdf.Ln(5)
}

func writePDF(pdf *gofpdf.Fpdf, path string) ([]string, error) {
	if err := pdf.OutputFileAndClose(path); err != nil {
		return nil, err
	}
	return []string{path}, nil
}

// photoLetter draws each page of a letter as a phone photo: a sheet of
// paper, slightly lit unevenly, on a table.
func photoLetter(dir, name string, pages ...[]string) ([]string, error) {
	face, err := fontFace(30)
	if err != nil {
		return nil, err
	}
	var paths []string
	rng := rand.New(rand.NewSource(7))
	for i, lines := range pages {
		const w, h = 1500, 2000
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{92, 74, 58, 255}}, image.Point{}, draw.Src)
		paper := image.Rect(90, 80, w-90, h-70)
		for y := paper.Min.Y; y < paper.Max.Y; y++ {
			for x := paper.Min.X; x < paper.Max.X; x++ {
				shade := 246 - uint8((x+y)/160) + uint8(rng.Intn(4))
				img.SetRGBA(x, y, color.RGBA{shade, shade, shade - 6, 255})
			}
		}
		d := &font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{25, 25, 35, 255}), Face: face}
		y := 230
		for _, line := range lines {
			d.Dot = fixed.P(190, y)
			d.DrawString(line)
			y += 52
		}
		d.Dot = fixed.P(w/2-40, h-140)
		d.DrawString(fmt.Sprintf("Page %d of %d", i+1, len(pages)))
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88}); err != nil {
			return nil, err
		}
		p := filepath.Join(dir, fmt.Sprintf("%s_%d.jpg", name, i+1))
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// scanImages draws two ultrasound-like grayscale pictures with captions.
func scanImages(dir, date string) ([]string, error) {
	face, err := fontFace(18)
	if err != nil {
		return nil, err
	}
	var paths []string
	for i, caption := range []string{"L BREAST 2:00 6CFN  RADIAL", "L BREAST 2:00 6CFN  ANTIRADIAL"} {
		const w, h = 800, 600
		img := image.NewGray(image.Rect(0, 0, w, h))
		rng := rand.New(rand.NewSource(int64(i + 1)))
		cx, cy := 400.0, 300.0+float64(i*10)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				// A fan-shaped speckle field with a dark irregular mass.
				dx, dy := float64(x)-400, float64(y)+200
				inFan := dy > 220 && dx*dx < dy*dy*0.45 && dy < 760
				v := 0
				if inFan {
					v = 60 + rng.Intn(90) - int(dy-220)/8
					mx, my := (float64(x)-cx)/(110+float64(i*12)), (float64(y)-cy)/70
					if mx*mx+my*my < 1+0.15*float64(rng.Intn(3)) {
						v = 18 + rng.Intn(25)
					}
				}
				img.SetGray(x, y, color.Gray{uint8(max(0, min(255, v)))})
			}
		}
		rgba := image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Bounds(), img, image.Point{}, draw.Src)
		d := &font.Drawer{Dst: rgba, Src: image.White, Face: face}
		d.Dot = fixed.P(20, 30)
		d.DrawString("NORTHGATE GH  US BREAST  " + date)
		d.Dot = fixed.P(20, h-20)
		d.DrawString(caption)
		var buf bytes.Buffer
		if err := png.Encode(&buf, rgba); err != nil {
			return nil, err
		}
		p := filepath.Join(dir, fmt.Sprintf("ultrasound-%d.png", i+1))
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func fontFace(size float64) (font.Face, error) {
	f, err := opentype.Parse(dejavusans.TTF)
	if err != nil {
		return nil, err
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
}

// clinical fills what the clinical front sheet, the cover and the summary
// show: body, other conditions and devices, key results, recipients of
// the opinion and what goes by hand (slides, discs).
func clinical(ctx context.Context, s *records.Store, cal calendar, p *records.Person, c records.Case, docID map[string]string) error {
	if err := s.SaveBody(ctx, p.ID, records.Body{HeightCM: 163, WeightKG: 71.5, MeasuredOn: cal.on("2026-09-22"), Activity: records.ActivityFull}); err != nil {
		return err
	}
	history := []records.HistoryItem{
		{Kind: records.HistoryCondition, Name: "High blood pressure", Date: cal.on("2019-03"), Notes: "well controlled on amlodipine"},
		{Kind: records.HistoryCondition, Name: "Osteoarthritis of both knees", Date: cal.on("2018"), Notes: "no treatment apart from paracetamol"},
		{Kind: records.HistoryCondition, Name: "Indigestion (gastritis) after ibuprofen", Date: cal.on("2026-08")},
		{Kind: records.HistoryDevice, Name: "Right hip replacement (metal)", Date: cal.on("2021-06"), Notes: "MRI was done safely at Northgate"},
	}
	for i := range history {
		history[i].PersonID = p.ID
		if err := s.SaveHistoryItem(ctx, &history[i]); err != nil {
			return err
		}
	}
	bloods := docID["Blood tests before surgery"]
	results := []records.Result{
		{Test: "Haemoglobin", Value: "128", Unit: "g/L", Date: cal.on("2026-09-22"), Range: "115 - 165", DocumentID: bloods},
		{Test: "eGFR", Value: ">90", Unit: "mL/min/1.73m2", Date: cal.on("2026-09-22"), Range: ">90", DocumentID: bloods},
		{Test: "Creatinine", Value: "71", Unit: "umol/L", Date: cal.on("2026-09-22"), Range: "45 - 84", DocumentID: bloods},
		{Test: "ALT", Value: "22", Unit: "U/L", Date: cal.on("2026-09-22"), Range: "0 - 33", DocumentID: bloods},
		{Test: "Oestrogen receptor (ER)", Value: "positive", Date: cal.on("2026-09-21"), DocumentID: docID["Clinic letter: results and treatment plan"]},
		{Test: "HER2", Value: "negative", Date: cal.on("2026-09-21"), DocumentID: docID["Clinic letter: results and treatment plan"]},
	}
	for i := range results {
		results[i].PersonID = p.ID
		if err := s.SaveResult(ctx, &results[i]); err != nil {
			return err
		}
	}
	recipients := []records.Recipient{
		{Role: "Patient", Name: p.FullName, Address: p.Address, Phone: p.Phone, Email: p.Email},
		{Role: "GP", Name: "Dr Priya Nair, Larkspur Medical Practice", Address: "2 Larkspur Road, Northgate NG4 7AA", Phone: "01632 960 100", CopyTo: true},
		{Role: "First consultant", Name: "Mr Alan Reid, Breast Unit, Northgate General Hospital", Address: "Hospital Road, Northgate NG1 2AB", Phone: "01632 960 000", CopyTo: true},
	}
	for i := range recipients {
		recipients[i].CaseID = c.ID
		if err := s.SaveRecipient(ctx, &recipients[i]); err != nil {
			return err
		}
	}
	handovers := []records.Handover{
		{What: "MRI and mammogram images on disc", HeldBy: "Northgate General Hospital, Radiology", SentTo: "Riverside Cancer Centre, Imaging",
			AskedOn: cal.on("2026-10-06"), SentOn: cal.on("2026-10-20"), ReceivedOn: cal.on("2026-10-22")},
		{What: "Core biopsy slides and paraffin block (left breast)", HeldBy: "Northgate General Hospital, Cellular Pathology", SentTo: "Riverside Cancer Centre, Pathology",
			AskedOn: cal.on("2026-10-21"), SentOn: cal.on("2026-10-23"), Notes: "for review of the grade and receptors"},
	}
	for i := range handovers {
		handovers[i].CaseID = c.ID
		if err := s.SaveHandover(ctx, &handovers[i]); err != nil {
			return err
		}
	}
	return nil
}
