package records_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"secondopinion/records"
	"secondopinion/records/sample"
)

// TestClinicalRoundTrip: every new clinical fact (case question and
// diagnosis details, body, conditions, devices, results, recipients,
// handovers, a paused medicine) comes back as saved, from a reopened
// library.
func TestClinicalRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, path := newStore(t)
	p, c := personWithCase(t, s)
	doc := addDoc(t, s, p.ID, records.Document{Title: "Bloods"}, writeFile(t, t.TempDir(), "bloods.pdf", makePDF("bloods", 1000, 3)))

	c.Question = "Should I have surgery now or wait?"
	c.DiagnosedOn = records.MustDate("2026-09-21")
	c.DiagnosisDetail = "Stage IIA, grade 2, ER+ HER2-"
	c.TreatmentSoFar = "Core biopsy; letrozole for 10 days"
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	body := records.Body{HeightCM: 163, WeightKG: 71.5, MeasuredOn: records.MustDate("2026-09"), Activity: records.ActivityLight}
	if err := s.SaveBody(ctx, p.ID, body); err != nil {
		t.Fatal(err)
	}
	// Saving the person from a form loaded before does not undo the body.
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	items := []records.HistoryItem{
		{PersonID: p.ID, Kind: records.HistoryCondition, Name: "Diabetes", Date: records.MustDate("2015"), Notes: "tablets"},
		{PersonID: p.ID, Kind: records.HistoryDevice, Name: "Pacemaker", Date: records.MustDate("2020-05-02"), Notes: "MRI conditional"},
	}
	for i := range items {
		if err := s.SaveHistoryItem(ctx, &items[i]); err != nil {
			t.Fatal(err)
		}
	}
	results := []records.Result{
		{PersonID: p.ID, Test: "Haemoglobin", Value: "128", Unit: "g/L", Date: records.MustDate("2026-09-22"), Range: "115 - 165", DocumentID: doc.ID},
		{PersonID: p.ID, Test: "CA 15-3", Value: "19", Unit: "kU/L", Date: records.MustDate("2026-10"), Range: "< 30"},
		{PersonID: p.ID, Test: "eGFR", Value: ">90", Date: records.MustDate("2026-10-05")},
		{PersonID: p.ID, Test: "Old", Value: "1"},
	}
	for i := range results {
		if err := s.SaveResult(ctx, &results[i]); err != nil {
			t.Fatal(err)
		}
	}
	recips := []records.Recipient{
		{CaseID: c.ID, Role: "GP", Name: "Dr Nair", Address: "2 Road", Phone: "0163", Email: "gp@example.org", CopyTo: true},
		{CaseID: c.ID, Role: "Patient", Name: "Mary Example", Address: "1 Lane"},
	}
	for i := range recips {
		if err := s.SaveRecipient(ctx, &recips[i]); err != nil {
			t.Fatal(err)
		}
	}
	hand := records.Handover{CaseID: c.ID, What: "Slides and block", HeldBy: "Northgate pathology", SentTo: "Riverside",
		AskedOn: records.MustDate("2026-10-01"), SentOn: records.MustDate("2026-10-03"), ReceivedOn: records.MustDate("2026-10-05"), Notes: "courier"}
	if err := s.SaveHandover(ctx, &hand); err != nil {
		t.Fatal(err)
	}
	med := records.Medication{PersonID: p.ID, Name: "Adcal", Status: records.MedPaused, PausedOn: records.MustDate("2026-08-20"), PauseReason: "indigestion"}
	if err := s.SaveMedication(ctx, &med); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := records.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	gotCase, err := s.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotCase.Question != c.Question || gotCase.DiagnosedOn != c.DiagnosedOn || gotCase.DiagnosisDetail != c.DiagnosisDetail || gotCase.TreatmentSoFar != c.TreatmentSoFar {
		t.Errorf("Case() = %q %v %q %q, want %q %v %q %q", gotCase.Question, gotCase.DiagnosedOn, gotCase.DiagnosisDetail, gotCase.TreatmentSoFar,
			c.Question, c.DiagnosedOn, c.DiagnosisDetail, c.TreatmentSoFar)
	}
	gotP, err := s.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotP.Body != body {
		t.Errorf("Person().Body = %+v, want %+v", gotP.Body, body)
	}
	if got, _ := s.History(ctx, p.ID); !reflect.DeepEqual(got, items) {
		t.Errorf("History() = %+v, want %+v", got, items)
	}
	gotR, _ := s.Results(ctx, p.ID)
	var order []string
	for _, r := range gotR {
		order = append(order, r.Test)
	}
	if want := "eGFR,CA 15-3,Haemoglobin,Old"; strings.Join(order, ",") != want {
		t.Errorf("Results() order = %s, want newest first %s", strings.Join(order, ","), want)
	}
	if len(gotR) == 4 && !reflect.DeepEqual(gotR[2], results[0]) {
		t.Errorf("Results()[2] = %+v, want %+v", gotR[2], results[0])
	}
	gotRc, _ := s.Recipients(ctx, c.ID)
	if len(gotRc) != 2 || gotRc[0].Name != "Mary Example" || !reflect.DeepEqual(gotRc[1], recips[0]) {
		t.Errorf("Recipients() = %+v, want the patient first, then the GP as copy %+v", gotRc, recips[0])
	}
	if got, _ := s.Handovers(ctx, c.ID); len(got) != 1 || !reflect.DeepEqual(got[0], hand) {
		t.Errorf("Handovers() = %+v, want %+v", got, hand)
	}
	if got, _ := s.Medication(ctx, med.ID); got.PausedOn != med.PausedOn || got.PauseReason != "indigestion" {
		t.Errorf("Medication() paused = %v %q, want %v indigestion", got.PausedOn, got.PauseReason, med.PausedOn)
	}
	if hand.State() != "Received 5 October 2026" {
		t.Errorf("Handover.State() = %q", hand.State())
	}
	// A result's document going away leaves the result, without its source.
	if err := s.TrashDocument(ctx, doc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EmptyTrash(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Results(ctx, p.ID); len(got) != 4 || got[2].DocumentID != "" {
		t.Errorf("Results() after deleting the source = %+v, want 4 with no document", got)
	}
}

// TestClinicalDeleteUndo: removing a condition, result, recipient or
// handover can be undone exactly.
func TestClinicalDeleteUndo(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p, c := personWithCase(t, s)
	h := records.HistoryItem{PersonID: p.ID, Kind: records.HistoryDevice, Name: "Port"}
	r := records.Result{PersonID: p.ID, Test: "Hb", Value: "100"}
	rc := records.Recipient{CaseID: c.ID, Name: "Dr Nair"}
	ho := records.Handover{CaseID: c.ID, What: "Disc"}
	for _, err := range []error{s.SaveHistoryItem(ctx, &h), s.SaveResult(ctx, &r), s.SaveRecipient(ctx, &rc), s.SaveHandover(ctx, &ho)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		a, _ := s.History(ctx, p.ID)
		b, _ := s.Results(ctx, p.ID)
		cc, _ := s.Recipients(ctx, c.ID)
		d, _ := s.Handovers(ctx, c.ID)
		return len(a) + len(b) + len(cc) + len(d)
	}
	for _, del := range []struct {
		name string
		fn   func() (*records.Undo, error)
		what string
	}{
		{"device", func() (*records.Undo, error) { return s.DeleteHistoryItem(ctx, h.ID) }, "Port removed"},
		{"result", func() (*records.Undo, error) { return s.DeleteResult(ctx, r.ID) }, "Result of Hb removed"},
		{"recipient", func() (*records.Undo, error) { return s.DeleteRecipient(ctx, rc.ID) }, "Dr Nair removed from the recipients"},
		{"handover", func() (*records.Undo, error) { return s.DeleteHandover(ctx, ho.ID) }, "Disc removed"},
	} {
		t.Run(del.name, func(t *testing.T) {
			u, err := del.fn()
			if err != nil || u.What != del.what {
				t.Fatalf("delete = %v, %v, want notice %q", u, err, del.what)
			}
			if n := count(); n != 3 {
				t.Errorf("after delete %d items, want 3", n)
			}
			if err := s.Restore(ctx, u); err != nil {
				t.Fatal(err)
			}
			if n := count(); n != 4 {
				t.Errorf("after undo %d items, want 4", n)
			}
			if _, err := del.fn(); err != nil {
				t.Fatal(err)
			}
			if _, err := del.fn(); !errors.Is(err, records.ErrNotFound) {
				t.Errorf("second delete = %v, want not found", err)
			}
			s.Restore(ctx, u)
		})
	}
}

// TestClinicalBadInput: each bad value gets a sentence, and nothing is saved.
func TestClinicalBadInput(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p, c := personWithCase(t, s)
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"height in metres", s.SaveBody(ctx, p.ID, records.Body{HeightCM: 1.63}), "centimetres"},
		{"weight", s.SaveBody(ctx, p.ID, records.Body{WeightKG: 900}), "kilograms"},
		{"activity", s.SaveBody(ctx, p.ID, records.Body{Activity: 9}), "from the list"},
		{"unnamed condition", s.SaveHistoryItem(ctx, &records.HistoryItem{PersonID: p.ID, Kind: records.HistoryCondition}), "name the condition"},
		{"result without value", s.SaveResult(ctx, &records.Result{PersonID: p.ID, Test: "Hb"}), "result of Hb"},
		{"result of unknown document", s.SaveResult(ctx, &records.Result{PersonID: p.ID, Test: "Hb", Value: "1", DocumentID: "nope"}), "no longer in the library"},
		{"recipient without name", s.SaveRecipient(ctx, &records.Recipient{CaseID: c.ID}), "name of the person"},
		{"handover sent before asked", s.SaveHandover(ctx, &records.Handover{CaseID: c.ID, What: "Disc",
			AskedOn: records.MustDate("2026-10-05"), SentOn: records.MustDate("2026-10-01")}), "before the date asked"},
		{"paused before started", s.SaveMedication(ctx, &records.Medication{PersonID: p.ID, Name: "X", Status: records.MedPaused,
			Start: records.MustDate("2026-10-05"), PausedOn: records.MustDate("2026-10-01")}), "before the date it was started"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.Contains(records.Explain(tt.err), tt.want) {
				t.Errorf("error = %v, want a sentence with %q", tt.err, tt.want)
			}
		})
	}
	h, _ := s.History(ctx, p.ID)
	r, _ := s.Results(ctx, p.ID)
	hs, _ := s.Handovers(ctx, c.ID)
	if len(h)+len(r)+len(hs) != 0 {
		t.Errorf("bad input saved something: %v %v %v", h, r, hs)
	}
}

// TestNFC: a name typed with decomposed accents (as macOS and some
// keyboards send Vietnamese) is stored composed, so it matches the same
// name typed composed.
func TestNFC(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	composed := "Nguyễn Thị Ánh"
	decomposed := "Nguye\u0302\u0303n Thi\u0323 A\u0301nh"
	if composed == decomposed {
		t.Fatal("test strings are equal")
	}
	p := records.Person{FullName: decomposed, Address: "Phường Bến Nghé"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PersonByName(ctx, composed); err != nil || got.FullName != composed {
		t.Errorf("PersonByName(composed) = %q, %v, want the person saved decomposed, stored as %q", got.FullName, err, composed)
	}
	c := records.Case{PersonID: p.ID, Question: "Bệnh gì?" + "\u0065\u0301"}
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Case(ctx, c.ID)
	if got.Question != "Bệnh gì?é" {
		t.Errorf("Case().Question = %q, want composed", got.Question)
	}
	h := records.HistoryItem{PersonID: p.ID, Kind: records.HistoryCondition, Name: decomposed}
	if err := s.SaveHistoryItem(ctx, &h); err != nil || h.Name != composed {
		t.Errorf("SaveHistoryItem name = %q, %v, want %q", h.Name, err, composed)
	}
}

// TestMigrateFromVersion4: a library written by version 4 opens in this
// one with its person, case and medication as they were, and the new
// facts empty (activity not recorded, not "fully active").
func TestMigrateFromVersion4(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.sqlite")
	func() {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, n := range []string{"0001_init.sql", "0002_chunks_rowid.sql", "0003_document_counts.sql", "0004_staging.sql"} {
			b, err := os.ReadFile(filepath.Join("migrations", n))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(string(b)); err != nil {
				t.Fatalf("%s: %v", n, err)
			}
		}
		for _, q := range []string{"PRAGMA user_version = 4", fmt.Sprintf("PRAGMA application_id = %d", records.ApplicationID),
			`INSERT INTO person (id, full_name, address, phone, allergy_status, created, updated) VALUES ('p1', 'Mary Example', '1 Lane', '0163', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
			`INSERT INTO "case" (id, person_id, diagnosis, coverage, created, updated) VALUES ('c1', 'p1', 'Lump', 'NHS', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
			`INSERT INTO medication (id, person_id, name, status, created, updated) VALUES ('m1', 'p1', 'Aspirin', 'paused', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%.60s: %v", q, err)
			}
		}
	}()
	s, err := records.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open(version 4 library) = %v", err)
	}
	defer s.Close()
	p, err := s.Person(ctx, "p1")
	if err != nil || p.FullName != "Mary Example" || p.Address != "1 Lane" || p.Phone != "0163" || p.Allergies != records.AllergiesNoneKnown {
		t.Errorf("Person() after migrating = %+v, %v", p, err)
	}
	if p.Body != (records.Body{}) || p.Body.Activity.ECOG() != -1 {
		t.Errorf("Body after migrating = %+v, want not recorded", p.Body)
	}
	c, err := s.Case(ctx, "c1")
	if err != nil || c.Diagnosis != "Lump" || c.Coverage != "NHS" || c.Question != "" || !c.DiagnosedOn.IsZero() {
		t.Errorf("Case() after migrating = %+v, %v", c, err)
	}
	m, err := s.Medication(ctx, "m1")
	if err != nil || m.Name != "Aspirin" || m.Status != records.MedPaused || !m.PausedOn.IsZero() {
		t.Errorf("Medication() after migrating = %+v, %v", m, err)
	}
	if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
		t.Errorf("Check() after migrating = %q, %v", probs, err)
	}
	r := records.Result{PersonID: "p1", Test: "Hb", Value: "120"}
	if err := s.SaveResult(ctx, &r); err != nil {
		t.Errorf("SaveResult after migrating = %v", err)
	}
}

// TestSampleDatesFollowToday: the sample's appointment is three weeks after
// the day it is made, and every other date of its story is before that day.
func TestSampleDatesFollowToday(t *testing.T) {
	ctx := context.Background()
	for _, today := range []time.Time{time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), time.Date(2031, 2, 3, 9, 0, 0, 0, time.UTC)} {
		t.Run(today.Format("2006-01-02"), func(t *testing.T) {
			s, _ := newStore(t)
			s.Now = func() time.Time { return today }
			p, err := sample.Load(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			cs, _ := s.Cases(ctx, p.ID)
			if len(cs) != 1 {
				t.Fatalf("sample cases = %d", len(cs))
			}
			c := cs[0]
			if want := today.AddDate(0, 0, 21).Format("2006-01-02"); c.Appointment.Format("2006-01-02") != want {
				t.Errorf("appointment = %v, want %s", c.Appointment, want)
			}
			past := records.DateOf(today)
			check := func(what string, d records.Date) {
				if past.Before(d) {
					t.Errorf("%s = %s, after the day the sample was made (%s)", what, d, past)
				}
			}
			docs, _ := s.Documents(ctx, records.DocumentFilter{PersonID: p.ID})
			for _, d := range docs {
				check(d.Title, d.Date)
			}
			for _, o := range c.Opinions {
				check("opinion", o.Date)
			}
			meds, _ := s.Medications(ctx, p.ID)
			for _, m := range meds {
				check(m.Name, m.Start)
				check(m.Name+" stop", m.Stop)
				check(m.Name+" paused", m.PausedOn)
			}
			hs, _ := s.Handovers(ctx, c.ID)
			for _, h := range hs {
				check(h.What, h.SentOn)
			}
			if c.Question == "" || c.DiagnosedOn.IsZero() || len(hs) == 0 || p.Body.Activity == records.ActivityNotRecorded {
				t.Errorf("sample lacks clinical facts: %+v %+v", c, p.Body)
			}
		})
	}
}

// TestSaveCaseEditsClinical: the question, details, treatment so far and
// diagnosis date follow the no-stale-overwrite rule: changed elsewhere
// only, the newer stored value stays; changed in both places, the form's
// is kept and the other returned.
func TestSaveCaseEditsClinical(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	_, c := personWithCase(t, s)
	c.Question, c.TreatmentSoFar = "Old question", "Biopsy"
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	loaded, _ := s.Case(ctx, c.ID)
	other := loaded
	other.Question, other.DiagnosedOn, other.TreatmentSoFar = "Question from elsewhere", records.MustDate("2026-09"), "Biopsy and letrozole"
	if err := s.SaveCase(ctx, &other); err != nil {
		t.Fatal(err)
	}
	form := loaded
	form.DiagnosisDetail = "grade 2"
	form.TreatmentSoFar = "Biopsy, then surgery"
	conflicts, err := s.SaveCaseEdits(ctx, loaded, &form)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Case(ctx, c.ID)
	if got.Question != "Question from elsewhere" || got.DiagnosedOn.String() != "2026-09" || got.DiagnosisDetail != "grade 2" || got.TreatmentSoFar != "Biopsy, then surgery" {
		t.Errorf("after SaveCaseEdits: %q %v %q %q", got.Question, got.DiagnosedOn, got.DiagnosisDetail, got.TreatmentSoFar)
	}
	if len(conflicts) != 1 || conflicts[0].Label != "Treatment so far" || conflicts[0].Theirs != "Biopsy and letrozole" {
		t.Errorf("conflicts = %+v, want the treatment so far, with the other version", conflicts)
	}
}

// TestFailedAddSavesAgain: an add whose transaction fails (here: its case
// or person is not there) leaves the ID empty, so saving the same value
// again adds it. Before, the ID of the row never kept stayed filled in, and
// saving again updated nothing: an opinion or records request was then
// lost without a word.
func TestFailedAddSavesAgain(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p, c := personWithCase(t, s)

	o := records.Opinion{CaseID: "no such case", Diagnosis: "Ductal carcinoma"}
	if err := s.SaveOpinion(ctx, &o); !errors.Is(err, records.ErrNotFound) || o.ID != "" {
		t.Fatalf("SaveOpinion(missing case) = %v with ID %q, want ErrNotFound and no ID", err, o.ID)
	}
	o.CaseID = c.ID
	if err := s.SaveOpinion(ctx, &o); err != nil {
		t.Fatalf("SaveOpinion() again = %v", err)
	}
	if ops, err := s.Opinions(ctx, c.ID); err != nil || len(ops) != 1 || ops[0].Diagnosis != o.Diagnosis {
		t.Errorf("Opinions() after saving again = %+v, %v, want the one opinion", ops, err)
	}

	h := records.HistoryItem{PersonID: "no such person", Kind: records.HistoryCondition, Name: "High blood pressure"}
	if err := s.SaveHistoryItem(ctx, &h); !errors.Is(err, records.ErrNotFound) || h.ID != "" {
		t.Fatalf("SaveHistoryItem(missing person) = %v with ID %q, want ErrNotFound and no ID", err, h.ID)
	}
	h.PersonID = p.ID
	if err := s.SaveHistoryItem(ctx, &h); err != nil {
		t.Fatalf("SaveHistoryItem() again = %v", err)
	}
	if hs, err := s.History(ctx, p.ID); err != nil || len(hs) != 1 {
		t.Errorf("History() after saving again = %+v, %v, want the one condition", hs, err)
	}
}
