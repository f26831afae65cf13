package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// missingItem is one thing a complete packet still needs, with the section
// where the user can fix it. Key, when set, is a records readiness key the
// user may mark "does not apply".
type missingItem struct {
	Text    string
	Section string
	Key     string
}

// packetGaps says what is still missing for a complete packet. It is a
// variable so the rule set can be swapped without touching the screen; the
// rules themselves live in records (Store.Readiness).
var packetGaps = readinessGaps

// readinessGaps lists the readiness check's missing items, then the case's
// own blanks the packet's summary would show as empty.
func readinessGaps(ctx context.Context, s *records.Store, p records.Person, c records.Case) ([]missingItem, error) {
	items, err := s.Readiness(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var out []missingItem
	for _, it := range items {
		if it.State != records.ReadyMissing {
			continue
		}
		sec := secDocuments
		switch it.Key {
		case records.ReadyMedications:
			sec = secMedications
		case records.ReadyPlan:
			sec = secCase
		}
		out = append(out, missingItem{Text: it.Label + ". " + it.Note, Section: sec, Key: it.Key})
	}
	if c.Diagnosis == "" {
		out = append(out, missingItem{Text: "The diagnosis you were told is not written down yet.", Section: secCase})
	}
	if len(c.Reasons) == 0 && c.ReasonOther == "" {
		out = append(out, missingItem{Text: "Why you want a second opinion is not filled in.", Section: secCase})
	}
	if p.Allergies == records.AllergiesNotRecorded {
		out = append(out, missingItem{Text: "Allergies are not recorded (choose \"No known allergies\" if there are none).", Section: secMedications})
	}
	qs, err := s.Questions(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		out = append(out, missingItem{Text: "There are no questions for the second doctor yet.", Section: secQuestions})
	}
	return out, nil
}

// overviewScreen is the case at a glance.
type overviewScreen struct {
	a           *App
	name        *widget.Label
	diagnosis   *widget.Label
	appointment *widget.Label
	steps       *fyne.Container
	counts      *widget.Label
	missing     *fyne.Container
	seq         int // numbers background loads; only the latest is shown (UI goroutine)
	box         fyne.CanvasObject
}

func newOverviewScreen(a *App) *overviewScreen {
	s := &overviewScreen{a: a}
	s.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.name.SizeName = theme.SizeNameSubHeadingText
	s.diagnosis = hint("")
	s.appointment = hint("")
	s.steps = container.NewGridWithColumns(4)
	s.counts = widget.NewLabel("")
	s.missing = container.NewVBox()
	s.box = container.NewVScroll(container.NewPadded(container.NewVBox(
		s.name,
		widget.NewForm(
			widget.NewFormItem("Diagnosis as told", s.diagnosis),
			widget.NewFormItem("Appointment", s.appointment),
			widget.NewFormItem("So far", s.counts),
		),
		widget.NewSeparator(),
		heading("Referral: where things stand"),
		s.steps,
		widget.NewSeparator(),
		heading("Still to do for a complete packet"),
		s.missing,
	)))
	return s
}

func (s *overviewScreen) content() fyne.CanvasObject { return s.box }

func (s *overviewScreen) refresh() {
	a := s.a
	c := a.kase
	s.name.SetText(a.person.FullName + " - " + orText(c.Title, "Second opinion"))
	s.diagnosis.SetText(orText(c.Diagnosis, "Not written yet. Add it under Case & referral."))
	appt := c.AppointmentText()
	if appt == "" {
		appt = "Not booked yet."
	}
	if c.AppointmentAt != "" {
		appt += ", " + c.AppointmentAt
	}
	if !c.SecondDoctor.IsZero() {
		appt += " (with " + orText(c.SecondDoctor.Name, c.SecondDoctor.Hospital) + ")"
	}
	s.appointment.SetText(appt)

	s.steps.Objects = nil
	for _, st := range records.ReferralSteps[1:] {
		var icon fyne.Resource
		text := st.Label
		imp := widget.LowImportance
		bold := false
		switch {
		case st.Status <= c.Status:
			icon, text = theme.ConfirmIcon(), "Done: "+st.Label
			imp = widget.MediumImportance
		case st.Status == c.Status+1:
			icon, text, bold = theme.NavigateNextIcon(), "Next: "+st.Label, true
			imp = widget.HighImportance
		default:
			icon = theme.RadioButtonIcon()
		}
		l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
		l.Importance = imp
		l.Wrapping = fyne.TextWrapWord
		s.steps.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l))
	}
	s.steps.Refresh()

	// Counting and the readiness check read every document's row: with a
	// big library that is a noticeable moment, so it runs in the
	// background and the rest of the screen is usable at once.
	s.seq++
	seq, p, store, ctx := s.seq, a.person, a.store, a.ctx
	if s.counts.Text == "" {
		s.counts.SetText("Counting...")
	}
	a.async(func() {
		var ov overviewData
		ov.err = ov.load(ctx, store, p, c)
		fyne.Do(func() {
			if seq == s.seq {
				s.show(ov)
			}
		})
	})
}

// overviewData is what the overview reads in the background.
type overviewData struct {
	docs, meds, current, questions int
	gaps                           []missingItem
	err                            error
}

func (ov *overviewData) load(ctx context.Context, store *records.Store, p records.Person, c records.Case) error {
	docs, err := store.PacketDocuments(ctx, c)
	if err != nil {
		return err
	}
	meds, err := store.Medications(ctx, p.ID)
	if err != nil {
		return err
	}
	qs, err := store.Questions(ctx, c.ID)
	if err != nil {
		return err
	}
	ov.docs, ov.meds, ov.questions = len(docs), len(meds), len(qs)
	for _, m := range meds {
		if m.Current() {
			ov.current++
		}
	}
	ov.gaps, err = packetGaps(ctx, store, p, c)
	return err
}

// show fills the counts and the to-do list. UI goroutine.
func (s *overviewScreen) show(ov overviewData) {
	a := s.a
	if ov.err != nil {
		a.showError(ov.err)
		return
	}
	s.counts.SetText(fmt.Sprintf("%s in the packet, %s (%d taken now), %s",
		plural(ov.docs, "document", "documents"), plural(ov.meds, "medicine", "medicines"), ov.current,
		plural(ov.questions, "question", "questions")))
	s.missing.Objects = nil
	if len(ov.gaps) == 0 {
		s.missing.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.ConfirmIcon()), nil,
			widget.NewLabel("Nothing obvious is missing. Check the packet and export it when you are ready.")))
	}
	for _, g := range ov.gaps {
		sec := g.Section
		l := widget.NewLabel(g.Text)
		l.Wrapping = fyne.TextWrapWord
		buttons := container.NewHBox(widget.NewButton("Go to "+sec, func() { a.show(sec) }))
		if g.Key != "" {
			key := g.Key
			buttons.Add(widget.NewButton("Does not apply...", func() { s.onNotApplicable(key) }))
		}
		s.missing.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), buttons, l))
	}
	s.missing.Refresh()
}

func orText(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// onNotApplicable asks why a readiness item does not apply and records it.
func (s *overviewScreen) onNotApplicable(key string) {
	a := s.a
	reason := a.newEntry("For example: no operation, diagnosed by biopsy only")
	problem := problemLabel()
	var d dialog.Dialog
	save := func() {
		if err := a.store.SetNotApplicable(a.ctx, a.kase.ID, key, reason.Text); err != nil {
			problem.SetText(records.Explain(err))
			problem.Show()
			return
		}
		a.closeDialog(d)
		if c, err := a.store.Case(a.ctx, a.kase.ID); err == nil {
			a.kase = c
		}
		s.refresh()
	}
	reason.OnSubmitted = func(string) { save() }
	body := container.NewVBox(hint("Say briefly why, so the second doctor knows it was not forgotten."), reason)
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(520, 150))
	d = a.formDialog(records.ReadyLabel(key)+": does not apply", "Save", scroll, problem, save)
	a.win.Canvas().Focus(reason)
}
