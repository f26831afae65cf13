package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"secondopinion/records"
)

// TestClinicalEntry: the question, body, a condition, a result, a
// recipient and a handover are entered on the case screen as a user would,
// saved in the library, and a removal can be undone.
func TestClinicalEntry(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secCase)
	s := a.caseScreen
	v := s.clinical

	test.Type(s.question, "Should I have surgery now or wait?")
	s.diagnosedOn.SetText("2026-09-21")
	s.detail.SetText("grade 2, ER positive")
	s.saver.flush()
	c, err := a.store.Case(a.ctx, a.kase.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Question != "Should I have surgery now or wait?" || c.DiagnosedOn.String() != "2026-09-21" || c.DiagnosisDetail != "grade 2, ER positive" {
		t.Errorf("Case() = %q %v %q, want what was typed", c.Question, c.DiagnosedOn, c.DiagnosisDetail)
	}

	test.Type(v.height, "163")
	v.weight.SetText("71,5")
	v.activity.SetSelected(records.Activities[1].Label)
	v.bodySaver.flush()
	p, _ := a.store.Person(a.ctx, a.person.ID)
	if p.Body.HeightCM != 163 || p.Body.WeightKG != 71.5 || p.Body.Activity.ECOG() != 1 {
		t.Errorf("Body = %+v, want 163 cm, 71.5 kg, ECOG 1", p.Body)
	}
	v.height.SetText("1.63")
	v.bodySaver.flush()
	if !v.bodyProblem.Visible() || !strings.Contains(v.bodyProblem.Text, "centimetres") {
		t.Errorf("height in metres: problem %q, want a sentence about centimetres", v.bodyProblem.Text)
	}
	v.height.SetText("163")
	v.bodySaver.flush()
	if v.bodyProblem.Visible() {
		t.Errorf("height put right as 163: problem %q still shown", v.bodyProblem.Text)
	}

	// A condition.
	test.Tap(v.addCondition)
	f := v.form
	if f == nil {
		t.Fatal("Add a condition opens no form")
	}
	f.entries["date"].SetText("2015")
	f.save()
	if !f.problem.Visible() || !strings.Contains(f.problem.Text, "name the condition") {
		t.Errorf("condition without a name: problem %q", f.problem.Text)
	}
	test.Type(f.entries["name"], "Type 2 diabetes")
	f.entries["name"].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	hs, _ := a.store.History(a.ctx, a.person.ID)
	if len(hs) != 1 || hs[0].Name != "Type 2 diabetes" || hs[0].Date.String() != "2015" || hs[0].Kind != records.HistoryCondition {
		t.Fatalf("History() = %+v, want the diabetes since 2015", hs)
	}
	if !strings.Contains(dialogText(t, v.conditions), "Type 2 diabetes (2015)") {
		t.Errorf("conditions list = %q", dialogText(t, v.conditions))
	}

	// A result.
	test.Tap(v.addResult)
	f = v.form
	test.Type(f.entries["test"], "Haemoglobin")
	f.save()
	if !strings.Contains(f.problem.Text, "result of Haemoglobin") {
		t.Errorf("result without a value: problem %q", f.problem.Text)
	}
	f.entries["value"].SetText("128")
	f.entries["unit"].SetText("g/L")
	f.entries["date"].SetText("2026-09-22")
	f.save()
	rs, _ := a.store.Results(a.ctx, a.person.ID)
	if len(rs) != 1 || rs[0].Value != "128" || rs[0].Unit != "g/L" || rs[0].Date.String() != "2026-09-22" {
		t.Fatalf("Results() = %+v", rs)
	}

	// A recipient: choosing "Patient" fills in the patient.
	test.Tap(v.addRecipient)
	f = v.form
	f.role.SetText("Patient")
	f.save()
	recips, _ := a.store.Recipients(a.ctx, a.kase.ID)
	if len(recips) != 1 || recips[0].Name != "Ann Example" || recips[0].Role != "Patient" {
		t.Errorf("Recipients() = %+v, want the patient", recips)
	}

	// A handover with dates out of order is refused with a sentence.
	test.Tap(v.addHandover)
	f = v.form
	f.entries["what"].SetText("Slides and block")
	f.entries["asked"].SetText("2026-10-05")
	f.entries["sent"].SetText("2026-10-01")
	f.save()
	if !strings.Contains(f.problem.Text, "before the date asked") {
		t.Errorf("handover out of order: problem %q", f.problem.Text)
	}
	f.entries["sent"].SetText("2026-10-07")
	f.save()
	if hs, _ := a.store.Handovers(a.ctx, a.kase.ID); len(hs) != 1 {
		t.Errorf("Handovers() = %+v", hs)
	}

	// Remove the condition; Undo brings it back.
	del := findButton(t, v.conditions, "")
	if del == nil {
		t.Fatal("no remove button on the condition")
	}
	test.Tap(del)
	if hs, _ := a.store.History(a.ctx, a.person.ID); len(hs) != 0 || !a.noticeBar.Visible() || a.noticeText.Text != "Type 2 diabetes removed" {
		t.Fatalf("after remove: %d left, notice %q", len(hs), a.noticeText.Text)
	}
	test.Tap(a.noticeUndo)
	if hs, _ := a.store.History(a.ctx, a.person.ID); len(hs) != 1 {
		t.Errorf("after Undo: %+v, want the condition back", hs)
	}
	if !strings.Contains(dialogText(t, v.conditions), "Type 2 diabetes") {
		t.Errorf("after Undo the list shows %q", dialogText(t, v.conditions))
	}
}

// TestPacketCheckWarnsUnprintableName: the packet check says, before an
// export, that a name in Chinese letters would print as empty boxes.
func TestPacketCheckWarnsUnprintableName(t *testing.T) {
	a := withPerson(t, "王小東")
	a.show(secPacket)
	s := a.packet
	test.Tap(s.check)
	if got := dialogText(t, s.issuesBox); !strings.Contains(got, "the patient's name (王小東)") || !strings.Contains(got, "Latin letters") {
		t.Errorf("after the check the packet screen says %q, want a warning about the name", got)
	}
	if strings.Contains(s.result.Text, "Every document can go in") {
		t.Errorf("check says %q despite the warning", s.result.Text)
	}
}

// TestMedicinePausedSince: a paused medicine records since when and why,
// and the list says so.
func TestMedicinePausedSince(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secMedications)
	s := a.medications
	test.Tap(s.add)
	f := s.form
	f.name.SetText("Aspirin")
	f.status.SetSelected(statusPaused)
	if f.pausedOn.Disabled() {
		t.Fatal("paused since is disabled for a paused medicine")
	}
	f.start.SetText("2026-10-10")
	f.pausedOn.SetText("2026-10-01")
	f.save()
	if note := f.said.notes["PausedOn"]; note == nil || !note.Visible() || !strings.Contains(note.Text, "before the date it was started") {
		t.Fatalf("paused before started: no note under Paused since (form problem %q)", f.problem.Text)
	}
	f.start.SetText("")
	f.pausedOn.SetText("2026-10-05")
	f.pauseWhy.SetText("before surgery")
	f.save()
	if len(s.meds) != 1 {
		t.Fatalf("after save: %d medicines, problem %q", len(s.meds), f.problem.Text)
	}
	m := s.meds[0]
	if m.Status != records.MedPaused || m.PausedOn.String() != "2026-10-05" || m.PauseReason != "before surgery" {
		t.Errorf("saved %+v, want paused since 2026-10-05 before surgery", m)
	}
	if got := medCell(m, 3); got != "Paused since 5 Oct 2026: before surgery" {
		t.Errorf("status column = %q", got)
	}
}

// TestResultFromDocument: a key result names the document it was copied
// from; changing the result without touching that choice keeps it, and
// choosing "(not given)" takes it away.
func TestResultFromDocument(t *testing.T) {
	a := withPerson(t, "Ann Example")
	d := addLetter(t, a)
	a.show(secCase)
	v := a.caseScreen.clinical
	test.Tap(v.addResult)
	f := v.form
	f.entries["test"].SetText("Haemoglobin")
	f.entries["value"].SetText("128")
	from := f.selects["from"]
	if len(from.Options) != 2 {
		t.Fatalf("From the document offers %q, want (not given) and the letter", from.Options)
	}
	from.SetSelectedIndex(1)
	f.save()
	rs, _ := a.store.Results(a.ctx, a.person.ID)
	if len(rs) != 1 || rs[0].DocumentID != d.ID {
		t.Fatalf("Results() = %+v, want one from document %s", rs, d.ID)
	}
	if text := dialogText(t, v.results); !strings.Contains(text, ", from ") {
		t.Errorf("results list = %q, want it to name the document", text)
	}
	v.editResult(rs[0])
	v.form.entries["value"].SetText("131")
	v.form.save()
	if rs, _ = a.store.Results(a.ctx, a.person.ID); rs[0].Value != "131" || rs[0].DocumentID != d.ID {
		t.Errorf("after changing the value: %+v, want 131 still from %s", rs[0], d.ID)
	}
	v.editResult(rs[0])
	v.form.selects["from"].SetSelected(noDocument)
	v.form.save()
	if rs, _ = a.store.Results(a.ctx, a.person.ID); rs[0].DocumentID != "" {
		t.Errorf("after choosing %s: document %q, want none", noDocument, rs[0].DocumentID)
	}
}
