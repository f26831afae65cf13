package ui

import (
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"secondopinion/records"
)

func TestCaseSwitcher(t *testing.T) {
	a := withPerson(t, "Ann Example")
	first := a.kase
	q := records.Question{CaseID: first.ID, Text: "Is surgery needed?"}
	if _, err := a.store.AddQuestion(a.ctx, &q); err != nil {
		t.Fatal(err)
	}
	a.show(secQuestions)

	// "New case..." asks for a name; an empty one is refused with a sentence.
	a.caseSelect.SetSelected(newCaseOption)
	if len(a.escapes) != 1 {
		t.Fatal("\"New case...\" should ask for the case's name")
	}
	if a.caseSelect.Selected == newCaseOption {
		t.Error("the switcher should go back to the current case while the name is asked")
	}
	var name *formEntry
	for _, o := range test.LaidOutObjects(a.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*formEntry); ok {
			name = e
		}
	}
	name.TypedKey(&fyneReturn)
	if len(a.escapes) != 1 {
		t.Fatal("a case without a name was accepted")
	}
	test.Type(name, "Knee pain")
	name.TypedKey(&fyneReturn)
	if len(a.escapes) != 0 || a.kase.Title != "Knee pain" || a.kase.ID == first.ID {
		t.Fatalf("after Create: %d dialogs, case %q", len(a.escapes), a.kase.Title)
	}
	if a.current != secCase || a.caseSelect.Selected != "Knee pain" {
		t.Errorf("new case opens on %q with the switcher showing %q", a.current, a.caseSelect.Selected)
	}
	if cases, _ := a.store.Cases(a.ctx, a.person.ID); len(cases) != 2 {
		t.Errorf("Cases() = %d, want 2", len(cases))
	}
	a.show(secQuestions)
	if len(a.questions.questions) != 0 {
		t.Errorf("the new case shows %d questions of the other case", len(a.questions.questions))
	}

	// Back to the first case: its questions come back.
	a.caseSelect.SetSelected(caseTitle(first))
	if a.kase.ID != first.ID || len(a.questions.questions) != 1 {
		t.Fatalf("switched to %q with %d questions, want %q with 1", a.kase.Title, len(a.questions.questions), first.Title)
	}

	// The case is remembered per person: another person, then back.
	b := records.Person{FullName: "Bob Example"}
	if err := a.createPerson(&b); err != nil {
		t.Fatal(err)
	}
	a.openPerson(b.ID)
	if a.kase.PersonID != b.ID || len(a.caseSelect.Options) != 2 {
		t.Fatalf("Bob's switcher offers %q", a.caseSelect.Options)
	}
	a.openPerson(first.PersonID)
	if a.kase.ID != first.ID {
		t.Errorf("reopening Ann opened %q, want the case she was on, %q", a.kase.Title, first.Title)
	}
}

func TestPersonDetailsSaved(t *testing.T) {
	a := withPerson(t, "Ann Example")
	test.Tap(a.detailsButton)
	d := a.details
	if len(a.escapes) != 1 || d.name.Text != "Ann Example" {
		t.Fatalf("Details: %d dialogs, name %q", len(a.escapes), d.name.Text)
	}
	test.Type(d.born, "1950-02-03")
	d.ids[0].value.SetText("485 777 3456")
	test.Tap(d.addID)
	d.ids[1].label.SetText("Private clinic number")
	d.ids[1].value.SetText("PC-99")
	test.Type(d.phone, "01632 960 000")
	test.Type(d.address, "1 High Street")
	d.who.SetSelected(whoCarer)
	if !d.carer.Visible() {
		t.Fatal("choosing \"Someone I care for\" should ask for the carer")
	}
	test.Type(d.carerNm, "Cara Example")
	test.Type(d.relation, "daughter")
	d.name.SetText("")
	if got := saidUnder(d.said, "FullName"); !strings.Contains(got, "name") {
		t.Errorf("under the name: %q, want an empty name said there", got)
	}
	d.name.SetText("Ann B. Example")
	a.escape()

	p, err := a.store.Person(a.ctx, a.person.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []records.Identifier{{Label: "NHS number", Value: "485 777 3456"}, {Label: "Private clinic number", Value: "PC-99"}}
	if p.FullName != "Ann B. Example" || p.DateOfBirth.String() != "1950-02-03" || p.Phone != "01632 960 000" ||
		p.Address != "1 High Street" || !reflect.DeepEqual(p.Identifiers, wantIDs) {
		t.Errorf("saved person = %+v", p)
	}
	if p.PreparedBy.Self || p.PreparedBy.Name != "Cara Example" || p.PreparedBy.Relationship != "daughter" {
		t.Errorf("PreparedBy = %+v, want the carer Cara Example, daughter", p.PreparedBy)
	}
	if a.personSelect.Selected != "Ann B. Example" {
		t.Errorf("the switcher shows %q after renaming", a.personSelect.Selected)
	}

	// A bad date is said and the rest still saved.
	test.Tap(a.detailsButton)
	d.born.SetText("3/2/50")
	if got := saidUnder(d.said, "DateOfBirth"); !strings.Contains(got, "not a date") {
		t.Errorf("under the date of birth: %q, want the date that cannot be read said there", got)
	}
	d.email.SetText("ann@example.org")
	a.escape()
	p, _ = a.store.Person(a.ctx, a.person.ID)
	if p.Email != "ann@example.org" || p.DateOfBirth.String() != "1950-02-03" {
		t.Errorf("after a bad date: email %q, born %q; want the email saved and the old date kept", p.Email, p.DateOfBirth)
	}
}

var fyneReturn = fyne.KeyEvent{Name: fyne.KeyReturn}
