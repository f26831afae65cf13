package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
	"secondopinion/records/guide"
)

// labelTexts is every label's text under o, in layout order.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	for _, x := range test.LaidOutObjects(o) {
		if l, ok := x.(*widget.Label); ok && l.Visible() && l.Text != "" {
			out = append(out, l.Text)
		}
	}
	return out
}

// showsText reports whether a label under o contains text.
func showsText(o fyne.CanvasObject, text string) bool {
	for _, t := range labelTexts(o) {
		if strings.Contains(t, text) {
			return true
		}
	}
	return false
}

func TestQuestionLibraryAddsOnce(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secQuestions)
	s := a.questions
	visit, _ := guide.ForMoment(guide.MomentVisit)
	referral, _ := guide.ForMoment(guide.MomentReferral)
	q := visit.Questions[0]

	tests := []struct {
		name     string
		wantText string
	}{
		{"first click adds", addedText},
		{"second time it is already there", alreadyText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.Tap(s.suggested)
			l := s.library
			if _, ok := l.add[referral.Questions[0]]; ok {
				t.Errorf("the referral phrasing %q is offered as a question for the second doctor", referral.Questions[0])
			}
			if _, ok := l.copy[referral.Questions[0]]; !ok {
				t.Errorf("the referral phrasing %q has no Copy button", referral.Questions[0])
			}
			b := l.add[q]
			if b == nil {
				t.Fatalf("no Add button for %q", q)
			}
			test.Tap(b)
			test.Tap(b) // a double click lands once too
			if b.Visible() || !showsText(l.tabs, tt.wantText) {
				t.Errorf("after Add the row should say %q instead of the button; it shows %q", tt.wantText, labelTexts(l.tabs))
			}
			a.escape()
			qs, err := a.store.Questions(a.ctx, a.kase.ID)
			if err != nil || len(qs) != 1 || qs[0].Text != q {
				t.Fatalf("Questions() = %v, %v; want just %q", qs, err, q)
			}
			if len(s.questions) != 1 || !showsText(s.list, q) {
				t.Errorf("the Questions list does not show %q", q)
			}
		})
	}

	// Added from the library, it edits like any other question.
	s.list.Select(0)
	test.Type(s.text, "Please: ")
	s.saver.flush()
	qs, _ := a.store.Questions(a.ctx, a.kase.ID)
	if len(qs) != 1 || qs[0].Text != "Please: "+q {
		t.Errorf("after editing, Questions() = %+v", qs)
	}
}

func TestOverviewGuideAndReadiness(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.kase.Status, a.kase.Urgent, a.kase.ViaReferral = records.RefNotStarted, true, true
	if err := a.saveCase(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	d := records.Document{PersonID: a.person.ID, Kind: records.KindDischarge, Title: "Ward 7 discharge", Date: records.MustDate("2025-05-02")}
	if err := a.store.AddDocument(a.ctx, &d, []string{writePNG(t, dir, "d.png", 9)}, records.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	m := records.Medication{PersonID: a.person.ID, Name: "Aspirin", Strength: "75 mg", Dose: "1 tablet", Frequency: "once a day",
		Start: records.MustDate("2025-01-01"), Status: records.MedTaking}
	if err := a.store.SaveMedication(a.ctx, &m); err != nil {
		t.Fatal(err)
	}
	a.show(secOverview)
	o := a.overview
	next := guide.Next(a.kase)
	if !strings.Contains(o.nextTitle.Text, next.Title) || o.nextTodo.Text != next.Todo {
		t.Errorf("next step shows %q / %q, want %q / %q", o.nextTitle.Text, o.nextTodo.Text, next.Title, next.Todo)
	}
	for _, r := range guide.Reminders(a.kase) {
		if !showsText(o.reminders, r) {
			t.Errorf("the reminder %q is not shown", r)
		}
	}
	if len(guide.Reminders(a.kase)) != 2 {
		t.Errorf("an urgent case through a referral should have two reminders, got %d", len(guide.Reminders(a.kase)))
	}
	if showsText(o.inPlace, "In the library: .") || !showsText(o.inPlace, "Recorded under Medications") {
		t.Errorf("an item met without documents reads as an empty list: %q", labelTexts(o.inPlace))
	}
	if !showsText(o.inPlace, "Ward 7 discharge") {
		t.Errorf("the discharge summary in the library is not listed under \"Already in place\": %q", labelTexts(o.inPlace))
	}

	// Does not apply, with its reason, and undone again.
	label := records.ReadyLabel(records.ReadyOperative)
	o.onNotApplicable(records.ReadyOperative)
	for _, x := range test.LaidOutObjects(a.win.Canvas().Overlays().Top()) {
		if e, ok := x.(*formEntry); ok {
			test.Type(e, "No operation")
			e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			break
		}
	}
	if !showsText(o.inPlace, "Does not apply: No operation") {
		t.Fatalf("the reason is not shown: %q", labelTexts(o.inPlace))
	}
	var undo *widget.Button
	for _, x := range test.LaidOutObjects(o.inPlace) {
		if b, ok := x.(*widget.Button); ok && b.Text == "It applies after all" {
			undo = b
		}
	}
	if undo == nil {
		t.Fatal("no way to undo \"does not apply\"")
	}
	test.Tap(undo)
	if showsText(o.inPlace, "No operation") || !showsText(o.missing, label) {
		t.Errorf("after undoing, %q should be missing again", label)
	}

	// The Packet screen shows the same check.
	a.show(secPacket)
	if !showsText(a.packet.ready, "Ward 7 discharge") || !showsText(a.packet.ready, label) {
		t.Errorf("the Packet screen's check shows %q", labelTexts(a.packet.ready))
	}
	if !strings.Contains(a.packet.readySummary.Text, label) || strings.Contains(a.packet.readySummary.Text, "Discharge") {
		t.Errorf("above Export the Packet screen says %q; want %q missing and the discharge summary not", a.packet.readySummary.Text, label)
	}
}

func TestTimelineInDateOrder(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	// Added newest first; the timeline shows oldest first.
	for i, d := range []records.Document{
		{Kind: records.KindClinicLetter, Title: "Newest letter", Date: records.MustDate("2026-02-01")},
		{Kind: records.KindResults, Title: "Middle results", Date: records.MustDate("2025-06")},
		{Kind: records.KindPathology, Title: "Oldest biopsy", Date: records.MustDate("2024-03-15")},
	} {
		d.PersonID = a.person.ID
		if err := a.store.AddDocument(a.ctx, &d, []string{writePNG(t, dir, itoa(i)+".png", uint8(i))}, records.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	a.show(secOverview)
	a.overview.tabs.SelectIndex(1)
	a.overview.timeline.Resize(fyne.NewSize(800, 600))
	texts := strings.Join(labelTexts(a.overview.timeline), "\n")
	old, mid, newest := strings.Index(texts, "Oldest biopsy"), strings.Index(texts, "Middle results"), strings.Index(texts, "Newest letter")
	if old < 0 || mid < 0 || newest < 0 || !(old < mid && mid < newest) {
		t.Errorf("timeline rows read:\n%s\nwant the biopsy, then the results, then the letter", texts)
	}
	if !strings.Contains(texts, "15 March 2024") && !strings.Contains(texts, records.MustDate("2024-03-15").Human()) {
		t.Errorf("the biopsy's date is not shown: %s", texts)
	}
}

func TestCompareOpinionsOnSample(t *testing.T) {
	a, _ := withSample(t)
	a.show(secCase)
	v := a.caseScreen.compare
	cmp := records.CompareOpinions(a.kase.Opinions)
	if !cmp.Differs() {
		t.Fatal("the sample's opinions should differ")
	}
	for _, r := range cmp.Rows {
		if v.differs[r.Key] != r.Differs {
			t.Errorf("row %q marked differs = %v, want %v", r.Label, v.differs[r.Key], r.Differs)
		}
	}
	if !showsText(v.box, differsText) {
		t.Error("no row says \"Differs\"")
	}

	// A "when the opinions differ" question goes into the list once.
	q := guide.DifferQuestions()[0]
	test.Tap(v.addQ[q])
	if v.addQ[q].Text != addedText && v.addQ[q].Text != alreadyText {
		t.Errorf("after Add the button says %q", v.addQ[q].Text)
	}
	qs, _ := a.store.Questions(a.ctx, a.kase.ID)
	n := 0
	for _, x := range qs {
		if x.Text == q {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%q is %d times in the questions, want once", q, n)
	}

	out := filepath.Join(t.TempDir(), "comparison.pdf")
	v.saveTo(out)
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("no comparison PDF written: %v", err)
	}
	if !strings.Contains(v.result.Text, "Saved comparison.pdf") || !v.open.Visible() {
		t.Errorf("after saving the view says %q (Open shown %v)", v.result.Text, v.open.Visible())
	}
}
