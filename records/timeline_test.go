package records

import (
	"context"
	"strings"
	"testing"
	"time"
)

func tlTitles(ev []Event) []string {
	var out []string
	for _, e := range ev {
		out = append(out, e.Date.String()+" "+e.Title)
	}
	return out
}

func TestBuildTimelineOrder(t *testing.T) {
	c := Case{
		SecondDoctor: Doctor{Name: "Prof. Lee"},
		Appointment:  time.Date(2026, 3, 2, 14, 30, 0, 0, time.Local),
		Requests: []RecordsRequest{
			{ID: "r1", From: "St Mary's records office", What: "pathology slides", RequestedOn: MustDate("2026-02-10"), ReceivedOn: MustDate("2026-02-20")},
			{ID: "r2", From: "Imaging department", RequestedOn: MustDate("2026-02-10")},
		},
		Opinions: []Opinion{
			{ID: "o1", Position: 1, Clinician: Doctor{Name: "Dr Okafor"}, Date: MustDate("2026-01-20"), Diagnosis: "Ductal carcinoma", Treatment: "Mastectomy"},
			{ID: "o2", Position: 2, Clinician: Doctor{Name: "Prof. Lee"}},
		},
	}
	docs := []Document{
		{ID: "d1", Kind: KindPathology, Title: "Core biopsy", Date: MustDate("2026-01-12")},
		{ID: "d2", Kind: KindImaging, Title: "Imaging (pictures or DICOM)", Date: MustDate("2026-01")},
		{ID: "d3", Kind: KindOther, Title: "Old letter"},
		{ID: "d4", Kind: KindResults, Title: "Bloods", Date: MustDate("2026-01-20")},
		{ID: "d6", Kind: KindClinicLetter, Title: "Clinic letter: results and plan", Date: MustDate("2026-01-21")},
		{ID: "d5", Kind: KindResults, Title: "Binned", Date: MustDate("2026-01-01"), Trashed: true},
	}
	meds := []Medication{
		{ID: "m1", Name: "Ibuprofen", Strength: "400 mg", Status: MedStopped, Start: MustDate("2025"), Stop: MustDate("2026-01-15"), StopReason: "Stomach pain"},
		{ID: "m2", Name: "Letrozole", Dose: "1 tablet", Frequency: "once a day", Status: MedTaking, Start: MustDate("2026-01-25")},
		{ID: "m3", Name: "Vitamin D", Status: MedTaking},
	}
	got := tlTitles(BuildTimeline(c, docs, meds))
	want := []string{
		"2025 Started Ibuprofen 400 mg",
		"2026-01 Imaging (pictures or DICOM)",
		"2026-01-12 Pathology / histopathology report: Core biopsy",
		"2026-01-15 Stopped Ibuprofen 400 mg",
		"2026-01-20 Test results: Bloods",
		"2026-01-20 First opinion: Dr Okafor",
		"2026-01-21 Clinic letter: results and plan",
		"2026-01-25 Started Letrozole",
		"2026-02-10 Asked St Mary's records office for pathology slides",
		"2026-02-10 Asked Imaging department for records",
		"2026-02-20 Received pathology slides from St Mary's records office",
		"2026-03-02 Second-opinion appointment with Prof. Lee",
		" Other: Old letter",
		" Taking Vitamin D (start date not recorded)",
		" Second opinion: Prof. Lee",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("BuildTimeline =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBuildTimelineDetails(t *testing.T) {
	ev := BuildTimeline(Case{}, nil, []Medication{{ID: "m", Name: "Letrozole", Strength: "2.5 mg", Dose: "1 tablet",
		Frequency: "once a day", Reason: "breast cancer", Status: MedTaking, Start: MustDate("2026-01-25")}})
	if len(ev) != 1 || ev[0].Detail != "1 tablet, once a day, for breast cancer" || ev[0].Ref != "m" || ev[0].Kind != EventMedicationStart {
		t.Errorf("BuildTimeline(one medicine) = %+v, want one start event with dose, frequency and reason", ev)
	}
	ev = BuildTimeline(Case{Opinions: []Opinion{{Position: 2, Diagnosis: "Ductal carcinoma in situ.", Treatment: "Lumpectomy"}}}, nil, nil)
	if len(ev) != 1 || ev[0].Title != "Second opinion" || ev[0].Detail != "Ductal carcinoma in situ. Recommended: Lumpectomy." {
		t.Errorf("BuildTimeline(one opinion) = %+v, want the diagnosis and the recommended treatment as sentences", ev)
	}
	if ev := BuildTimeline(Case{}, nil, nil); len(ev) != 0 {
		t.Errorf("BuildTimeline(nothing) = %v, want no events", ev)
	}
}

func TestStoreTimeline(t *testing.T) {
	ctx := context.Background()
	s, p, c := rdyStore(t)
	rdyAddDoc(t, s, p.ID, KindPathology, "2026-01-12")
	rdyAddDoc(t, s, p.ID, KindImagingReport, "2025-12-01")
	o := Opinion{CaseID: c.ID, Clinician: Doctor{Name: "Dr Okafor"}, Date: MustDate("2026-01-20")}
	if err := s.SaveOpinion(ctx, &o); err != nil {
		t.Fatal(err)
	}
	m := Medication{PersonID: p.ID, Name: "Letrozole", Start: MustDate("2026-01-25")}
	if err := s.SaveMedication(ctx, &m); err != nil {
		t.Fatal(err)
	}
	r := RecordsRequest{CaseID: c.ID, From: "St Mary's", What: "scans on disc", RequestedOn: MustDate("2026-02-01")}
	if err := s.SaveRecordsRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	ev, err := s.Timeline(ctx, c.ID)
	if err != nil {
		t.Fatalf("Timeline: %v", err)
	}
	got := strings.Join(tlTitles(ev), "\n")
	want := strings.Join([]string{
		"2025-12-01 Imaging report",
		"2026-01-12 Pathology / histopathology report",
		"2026-01-20 First opinion: Dr Okafor",
		"2026-01-25 Started Letrozole",
		"2026-02-01 Asked St Mary's for scans on disc",
	}, "\n")
	if got != want {
		t.Errorf("Timeline =\n%s\nwant\n%s", got, want)
	}
	if _, err := s.Timeline(ctx, "no-such-case"); err == nil {
		t.Errorf("Timeline(unknown case) = nil error, want one")
	}
}
