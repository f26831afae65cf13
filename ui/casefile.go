package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// caseScreen is the second-opinion case: what was said, why a second
// opinion, the doctors, the appointment and referral, records requests and
// the opinions received. Every field is saved as it is edited.
type caseScreen struct {
	loaded records.Case   // the case as the form was last filled or saved
	trash  *widget.Button // moves the case to the Trash (documents stay)
	a      *App

	title, diagnosis, plan, reasonOther, decision *formEntry
	question, diagnosedOn, detail, soFar          *formEntry
	reasons                                       *widget.CheckGroup
	firstName, firstSpec, firstHosp               *formEntry
	secondName, secondSpec, secondHosp            *formEntry
	apptDate, apptTime, apptPlace                 *formEntry
	status                                        *widget.Select
	urgent, viaReferral                           *widget.Check
	coverage                                      *formEntry
	problem                                       *widget.Label
	requests                                      *fyne.Container
	opinions                                      *fyne.Container
	compare                                       *compareView
	clinical                                      *clinicalView
	saver                                         *saver

	box fyne.CanvasObject
}

func reasonLabels() []string {
	out := make([]string, len(records.Reasons))
	for i, r := range records.Reasons {
		out[i] = r.Label
	}
	return out
}

func statusLabels() []string {
	out := make([]string, len(records.ReferralSteps))
	for i, r := range records.ReferralSteps {
		out[i] = r.Label
	}
	return out
}

func newCaseScreen(a *App) *caseScreen {
	s := &caseScreen{a: a}
	s.saver = a.newSaver(s.save)
	poke := func(string) { s.saver.poke() }
	entry := func(ph string) *formEntry {
		e := a.newEntry(ph)
		e.OnChanged = poke
		return e
	}
	area := func(ph string, lines int) *formEntry {
		e := a.newTextArea(ph, lines)
		e.OnChanged = poke
		return e
	}
	s.title = entry("A short name, for example \"Breast lump, 2026\"")
	s.diagnosis = area("What the first doctor said it is, in their words if you have them", 2)
	s.plan = area("The treatment the first doctor recommended", 2)
	s.reasons = widget.NewCheckGroup(reasonLabels(), func([]string) { s.saver.poke() })
	s.reasonOther = entry("Any other reason, in your own words")
	s.decision = area("The decision you face, for example \"surgery now or watch and wait\"", 2)
	s.question = area("In your own words, for example: \"Is surgery now the right choice, or can I wait?\" "+
		"\"Is there a treatment with fewer side effects?\" \"Is the diagnosis certain?\"", 3)
	s.diagnosedOn = entry("When you were told: 2026-09 or 2026-09-21")
	s.detail = area("Stage, grade, markers, as in the letters: for example \"grade 2, ER positive, HER2 negative\"", 2)
	s.soFar = area("What has been done already: operations, chemotherapy, tablets tried", 3)
	s.firstName = entry("Name")
	s.firstSpec = entry("Specialty")
	s.firstHosp = entry("Hospital or clinic")
	s.secondName = entry("Name, if known")
	s.secondSpec = entry("Specialty")
	s.secondHosp = entry("Hospital or clinic")
	s.apptDate = entry("Date: 15 March 2026")
	s.apptTime = entry("Time: 14:30 or 2.30pm")
	apptDate := withReading(s.apptDate)
	s.apptPlace = entry("Where: address, building, room")
	s.status = widget.NewSelect(statusLabels(), func(string) { s.saver.poke() })
	s.urgent = widget.NewCheck("This is urgent", func(bool) { s.saver.poke() })
	s.viaReferral = widget.NewCheck("The second opinion needs a referral", func(bool) { s.saver.poke() })
	s.coverage = area("Insurance or health service notes: what is covered, reference numbers", 2)
	s.problem = problemLabel()
	s.requests = container.NewVBox()
	s.opinions = container.NewVBox()
	s.compare = newCompareView(a)
	s.clinical = newClinicalView(a)

	addRequest := widget.NewButtonWithIcon("Add a records request", theme.ContentAddIcon(), func() { s.editRequest(records.RecordsRequest{CaseID: a.kase.ID}) })
	addOpinion := widget.NewButtonWithIcon("Add an opinion", theme.ContentAddIcon(), func() { s.editOpinion(records.Opinion{CaseID: a.kase.ID}) })

	s.trash = widget.NewButtonWithIcon("Move this case to the Trash", theme.DeleteIcon(), a.trashCase)
	s.trash.Importance = widget.DangerImportance
	s.box = container.NewVScroll(container.NewPadded(container.NewVBox(
		heading("Case & referral"),
		hint("Everything here is saved as you type."),
		widget.NewForm(
			widget.NewFormItem("Name of this case", s.title),
			widget.NewFormItem("Your question", s.question),
			widget.NewFormItem("Diagnosis as told", s.diagnosis),
			widget.NewFormItem("Diagnosed on", withReading(s.diagnosedOn)),
			widget.NewFormItem("Stage, grade, markers", s.detail),
			widget.NewFormItem("Treatment so far", s.soFar),
			widget.NewFormItem("Treatment plan", s.plan),
			widget.NewFormItem("Decision you face", s.decision),
		),
		hint("\"Your question\" opens the packet's clinical front sheet: what you would like the second doctor to help you decide."),
		heading("Why a second opinion?"),
		s.reasons,
		widget.NewForm(widget.NewFormItem("Other reason", s.reasonOther)),
		heading("Doctors"),
		widget.NewForm(
			widget.NewFormItem("First doctor", container.NewGridWithColumns(3, s.firstName, s.firstSpec, s.firstHosp)),
			widget.NewFormItem("Second-opinion doctor", container.NewGridWithColumns(3, s.secondName, s.secondSpec, s.secondHosp)),
		),
		heading("Appointment and referral"),
		widget.NewForm(
			widget.NewFormItem("Appointment", container.NewGridWithColumns(2, apptDate, s.apptTime)),
			widget.NewFormItem("Where", s.apptPlace),
			widget.NewFormItem("Where things stand", s.status),
			widget.NewFormItem("", container.NewVBox(s.urgent, s.viaReferral)),
			widget.NewFormItem("Coverage", s.coverage),
		),
		s.problem,
		widget.NewSeparator(),
		s.clinical.content(),
		widget.NewSeparator(),
		heading("Requests for copies of records"),
		hint("Whom you asked for copies of scans, reports or notes, when, and when they arrived."),
		s.requests,
		container.NewHBox(addRequest),
		widget.NewSeparator(),
		heading("Opinions"),
		hint("The first opinion, the second, and any more: who said what and what they recommend."),
		s.opinions,
		container.NewHBox(addOpinion),
		widget.NewSeparator(),
		heading("Comparing the opinions"),
		s.compare.content(),
		widget.NewSeparator(),
		container.NewHBox(s.trash),
	)))
	return s
}

func (s *caseScreen) content() fyne.CanvasObject { return s.box }

func (s *caseScreen) refresh() {
	s.saver.flush()
	c, err := s.a.store.Case(s.a.ctx, s.a.kase.ID)
	if err != nil {
		s.a.showError(err)
		return
	}
	s.a.kase = c
	s.loaded = c
	setQuiet(s.title, c.Title)
	setQuiet(s.diagnosis, c.Diagnosis)
	setQuiet(s.plan, c.TreatmentPlan)
	setQuiet(s.reasonOther, c.ReasonOther)
	setQuiet(s.decision, c.Decision)
	setQuiet(s.question, c.Question)
	setQuiet(s.diagnosedOn, c.DiagnosedOn.String())
	setQuiet(s.detail, c.DiagnosisDetail)
	setQuiet(s.soFar, c.TreatmentSoFar)
	var chosen []string
	for _, code := range c.Reasons {
		chosen = append(chosen, records.ReasonLabel(code))
	}
	fn := s.reasons.OnChanged
	s.reasons.OnChanged = nil
	s.reasons.SetSelected(chosen)
	s.reasons.OnChanged = fn
	setQuiet(s.firstName, c.FirstDoctor.Name)
	setQuiet(s.firstSpec, c.FirstDoctor.Specialty)
	setQuiet(s.firstHosp, c.FirstDoctor.Hospital)
	setQuiet(s.secondName, c.SecondDoctor.Name)
	setQuiet(s.secondSpec, c.SecondDoctor.Specialty)
	setQuiet(s.secondHosp, c.SecondDoctor.Hospital)
	date, clock := "", ""
	if !c.Appointment.IsZero() {
		t := c.Appointment.In(time.Local)
		date = t.Format("2006-01-02")
		if t.Hour() != 0 || t.Minute() != 0 {
			clock = t.Format("15:04")
		}
	}
	setQuiet(s.apptDate, date)
	setQuiet(s.apptTime, clock)
	setQuiet(s.apptPlace, c.AppointmentAt)
	setSelectQuiet(s.status, c.Status.Label())
	setCheckQuiet(s.urgent, c.Urgent)
	setCheckQuiet(s.viaReferral, c.ViaReferral)
	setQuiet(s.coverage, c.Coverage)
	s.problem.Hide()
	s.showRequests(c.Requests)
	s.showOpinions(c.Opinions)
	s.clinical.refresh()
}

// appointment reads the appointment date and time as local time.
func appointment(date, clock string) (time.Time, error) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if date == "" {
		if clock != "" {
			return time.Time{}, &records.Problem{Msg: "Please give the appointment's date as well as its time."}
		}
		return time.Time{}, nil
	}
	d, err := records.ParseDate(date)
	if err != nil {
		return time.Time{}, err
	}
	if d.Day == 0 {
		return time.Time{}, &records.Problem{Msg: fmt.Sprintf("Please give the appointment's full date, with the day: for example %d-%02d-15.", d.Year, max(d.Month, 1))}
	}
	h, m := 0, 0
	if strings.TrimSpace(clock) != "" {
		var err error
		if h, m, err = records.ParseClock(clock); err != nil {
			return time.Time{}, err
		}
	}
	return time.Date(d.Year, time.Month(d.Month), d.Day, h, m, 0, 0, time.Local).UTC(), nil
}

// save keeps the case's facts (debounced). A date that cannot be read is
// said in words under the form; everything else is saved.
func (s *caseScreen) save() {
	c := s.a.kase
	if c.ID == "" {
		return
	}
	c.Title, c.Diagnosis, c.TreatmentPlan = s.title.Text, s.diagnosis.Text, s.plan.Text
	c.ReasonOther, c.Decision, c.Coverage = s.reasonOther.Text, s.decision.Text, s.coverage.Text
	c.Question, c.DiagnosisDetail, c.TreatmentSoFar = s.question.Text, s.detail.Text, s.soFar.Text
	c.Reasons = nil
	for _, r := range records.Reasons {
		for _, l := range s.reasons.Selected {
			if l == r.Label {
				c.Reasons = append(c.Reasons, r.Code)
			}
		}
	}
	c.FirstDoctor = records.Doctor{Name: s.firstName.Text, Specialty: s.firstSpec.Text, Hospital: s.firstHosp.Text}
	c.SecondDoctor = records.Doctor{Name: s.secondName.Text, Specialty: s.secondSpec.Text, Hospital: s.secondHosp.Text}
	c.AppointmentAt = s.apptPlace.Text
	for _, st := range records.ReferralSteps {
		if st.Label == s.status.Selected {
			c.Status = st.Status
		}
	}
	c.Urgent, c.ViaReferral = s.urgent.Checked, s.viaReferral.Checked
	s.problem.Hide()
	if t, err := appointment(s.apptDate.Text, s.apptTime.Text); err != nil {
		s.problem.SetText(records.Explain(err) + " The rest is saved.")
		s.problem.Show()
	} else {
		c.Appointment = t
	}
	typedDate, dateErr := records.ParseDate(s.diagnosedOn.Text)
	if dateErr != nil {
		s.problem.SetText("Date of diagnosis: " + records.Explain(dateErr) + " The rest is saved.")
		s.problem.Show()
	} else {
		c.DiagnosedOn = typedDate
	}
	// Save what changed here without writing over what changed elsewhere
	// since the form was filled (records.SaveCaseEdits).
	conflicts, err := s.a.store.SaveCaseEdits(s.a.ctx, s.loaded, &c)
	if err != nil {
		s.a.showError(err)
		return
	}
	s.a.kase, s.loaded = c, c
	s.a.updateCaseLabel()
	// Fields changed only elsewhere now show the newer stored text.
	for e, v := range map[*formEntry]string{s.title: c.Title, s.diagnosis: c.Diagnosis, s.plan: c.TreatmentPlan,
		s.reasonOther: c.ReasonOther, s.decision: c.Decision, s.coverage: c.Coverage, s.apptPlace: c.AppointmentAt,
		s.firstName: c.FirstDoctor.Name, s.firstSpec: c.FirstDoctor.Specialty, s.firstHosp: c.FirstDoctor.Hospital,
		s.secondName: c.SecondDoctor.Name, s.secondSpec: c.SecondDoctor.Specialty, s.secondHosp: c.SecondDoctor.Hospital,
		s.question: c.Question, s.detail: c.DiagnosisDetail, s.soFar: c.TreatmentSoFar} {
		if e.Text != v {
			setQuiet(e, v)
		}
	}
	// So does the date of diagnosis, or the next save would write the
	// form's older date back over it.
	if dateErr == nil && typedDate != c.DiagnosedOn {
		setQuiet(s.diagnosedOn, c.DiagnosedOn.String())
	}
	if len(conflicts) > 0 {
		s.showConflicts(conflicts)
	}
}

// showConflicts says which fields were changed elsewhere while the user
// typed them: their own version is kept, and the other is shown with a
// button to use it instead. Nothing anyone typed is lost. UI goroutine.
func (s *caseScreen) showConflicts(conflicts []records.FieldConflict) {
	a := s.a
	box := container.NewVBox(hint("While you were typing, these were also changed elsewhere (in another window or command). What you typed is kept; the other version is below if you want it instead."))
	fields := map[string]*formEntry{"Name of this case": s.title, "Diagnosis as told": s.diagnosis, "Treatment plan": s.plan,
		"Decision you face": s.decision, "Other reason": s.reasonOther, "Coverage": s.coverage, "Where the appointment is": s.apptPlace,
		"First doctor": s.firstName, "First doctor's specialty": s.firstSpec, "First doctor's hospital": s.firstHosp,
		"Second-opinion doctor": s.secondName, "Second-opinion doctor's specialty": s.secondSpec, "Second-opinion doctor's hospital": s.secondHosp,
		"Your question for the second doctor": s.question, "Stage, grade and markers": s.detail, "Treatment so far": s.soFar,
		"Date of diagnosis": s.diagnosedOn}
	var d dialog.Dialog
	for _, fc := range conflicts {
		fc := fc
		l := widget.NewLabel(fc.Label + ": \"" + fc.Theirs + "\"")
		l.Wrapping = fyne.TextWrapWord
		var use *widget.Button
		use = widget.NewButton("Use this one instead", func() {
			if e := fields[fc.Label]; e != nil {
				e.SetText(fc.Theirs) // saved like any typing
				s.saver.flush()
			}
			use.SetText("Used")
			use.Disable()
		})
		box.Add(container.NewBorder(nil, nil, nil, use, l))
	}
	ok := widget.NewButton("Keep what I typed", func() { a.closeDialog(d) })
	ok.Importance = widget.HighImportance
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(520, 200))
	d = dialog.NewCustomWithoutButtons("Changed in two places", container.NewBorder(nil, container.NewCenter(ok), nil, nil, scroll), a.win)
	a.pushEscape(d, nil)
	d.Show()
}

func (s *caseScreen) showRequests(rs []records.RecordsRequest) {
	s.requests.Objects = nil
	if len(rs) == 0 {
		s.requests.Add(widget.NewLabel("None yet."))
	}
	for _, r := range rs {
		r := r
		text := r.From
		if r.What != "" {
			text += ": " + r.What
		}
		var when []string
		if !r.RequestedOn.IsZero() {
			when = append(when, "asked "+r.RequestedOn.Human())
		}
		if r.ReceivedOn.IsZero() {
			when = append(when, "not received yet")
		} else {
			when = append(when, "received "+r.ReceivedOn.Human())
		}
		icon := theme.HistoryIcon()
		if !r.ReceivedOn.IsZero() {
			icon = theme.ConfirmIcon()
		}
		l := widget.NewLabel(text + " (" + strings.Join(when, ", ") + ")")
		l.Wrapping = fyne.TextWrapWord
		edit := widget.NewButton("Change...", func() { s.editRequest(r) })
		del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			u, err := s.a.store.DeleteRecordsRequest(s.a.ctx, r.ID)
			s.a.removed(u, err, s.refresh)
		})
		del.Importance = widget.DangerImportance
		s.requests.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), container.NewHBox(edit, del), l))
	}
	s.requests.Refresh()
}

func (s *caseScreen) editRequest(r records.RecordsRequest) {
	a := s.a
	from := a.newEntry("Hospital, clinic or doctor")
	what := a.newEntry("For example: MRI images on CD, pathology report")
	asked := a.newEntry("2026-02-10")
	got := a.newEntry("Leave empty until they arrive")
	from.SetText(r.From)
	what.SetText(r.What)
	asked.SetText(r.RequestedOn.String())
	got.SetText(r.ReceivedOn.String())
	problem := problemLabel()
	said := a.newFieldNotes(problem)
	var d dialog.Dialog
	save := func() {
		var err error
		said.clear()
		r.From, r.What = from.Text, what.Text
		if r.RequestedOn, err = records.ParseDate(asked.Text); err != nil {
			said.show("RequestedOn", err)
			return
		}
		if r.ReceivedOn, err = records.ParseDate(got.Text); err != nil {
			said.show("ReceivedOn", err)
			return
		}
		if said.show("", a.store.SaveRecordsRequest(a.ctx, &r)) {
			return
		}
		a.closeDialog(d)
		s.refresh()
	}
	for _, e := range []*formEntry{from, what, asked, got} {
		e.OnSubmitted = func(string) { save() }
	}
	body := container.NewVBox(widget.NewForm(
		widget.NewFormItem("Asked", said.under("From", from)),
		widget.NewFormItem("For", what),
		widget.NewFormItem("Asked on", said.under("RequestedOn", asked)),
		widget.NewFormItem("Received on", said.under("ReceivedOn", got))))
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(560, 240))
	d = a.formDialog("Request for records", "Save", scroll, problem, save)
	a.win.Canvas().Focus(from)
}

func (s *caseScreen) showOpinions(os []records.Opinion) {
	s.opinions.Objects = nil
	if len(os) == 0 {
		s.opinions.Add(widget.NewLabel("None recorded yet."))
	}
	for _, o := range os {
		o := o
		who := strings.Join(nonEmpty(o.Clinician.Name, o.Clinician.Specialty, o.Clinician.Hospital), ", ")
		text := fmt.Sprintf("Opinion %d: %s", o.Position, orText(who, "doctor not named"))
		if !o.Date.IsZero() {
			text += " (" + o.Date.Human() + ")"
		}
		if o.Diagnosis != "" {
			text += "\nDiagnosis: " + o.Diagnosis
		}
		if o.Treatment != "" {
			text += "\nRecommends: " + o.Treatment
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		edit := widget.NewButton("Change...", func() { s.editOpinion(o) })
		del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			u, err := s.a.store.DeleteOpinion(s.a.ctx, o.ID)
			s.a.removed(u, err, s.refresh)
		})
		del.Importance = widget.DangerImportance
		s.opinions.Add(container.NewBorder(nil, nil, nil, container.NewHBox(edit, del), l))
	}
	s.opinions.Refresh()
	s.compare.show(os)
}

func (s *caseScreen) editOpinion(o records.Opinion) {
	a := s.a
	name := a.newEntry("Doctor's name")
	spec := a.newEntry("Specialty")
	hosp := a.newEntry("Hospital or clinic")
	date := a.newEntry("Date: 2026-03-15")
	diag := a.newTextArea("What they think it is", 2)
	treat := a.newTextArea("What they recommend", 2)
	notes := a.newTextArea("Anything else they said", 2)
	name.SetText(o.Clinician.Name)
	spec.SetText(o.Clinician.Specialty)
	hosp.SetText(o.Clinician.Hospital)
	date.SetText(o.Date.String())
	diag.SetText(o.Diagnosis)
	treat.SetText(o.Treatment)
	notes.SetText(o.Notes)
	problem := problemLabel()
	said := a.newFieldNotes(problem)
	var d dialog.Dialog
	save := func() {
		var err error
		said.clear()
		o.Clinician = records.Doctor{Name: name.Text, Specialty: spec.Text, Hospital: hosp.Text}
		o.Diagnosis, o.Treatment, o.Notes = diag.Text, treat.Text, notes.Text
		if o.Date, err = records.ParseDate(date.Text); err != nil {
			said.show("Date", err)
			return
		}
		if said.show("", a.store.SaveOpinion(a.ctx, &o)) {
			return
		}
		a.closeDialog(d)
		s.refresh()
	}
	for _, e := range []*formEntry{name, spec, hosp, date} {
		e.OnSubmitted = func(string) { save() }
	}
	body := container.NewVBox(widget.NewForm(
		widget.NewFormItem("Doctor", name),
		widget.NewFormItem("Specialty", spec),
		widget.NewFormItem("Where", hosp),
		widget.NewFormItem("Date", said.under("Date", date)),
		widget.NewFormItem("Diagnosis", diag),
		widget.NewFormItem("Recommends", treat),
		widget.NewFormItem("Notes", notes)))
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(600, 440))
	title := "Add an opinion"
	if o.ID != "" {
		title = fmt.Sprintf("Opinion %d", o.Position)
	}
	d = a.formDialog(title, "Save", scroll, problem, save)
	a.win.Canvas().Focus(name)
}
