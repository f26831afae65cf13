package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
	"secondopinion/records/guide"
	"secondopinion/records/sample"
)

// missingItem is one thing a complete packet still needs, with the section
// where the user can fix it. Key, when set, is a records readiness key the
// user may mark "does not apply".
type missingItem struct {
	Text    string
	Section string
	Key     string
}

// readinessGaps lists the readiness check's missing items, then the case's
// own blanks the packet's summary would show as empty. The rules live in
// records (Store.Readiness); this only words them for the overview.
func readinessGaps(items []records.ReadyItem, p records.Person, c records.Case, questions int) []missingItem {
	var out []missingItem
	for _, it := range items {
		if it.State != records.ReadyMissing {
			continue
		}
		out = append(out, missingItem{Text: it.Label + ". " + it.Note, Section: readySection(it.Key), Key: it.Key})
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
	if questions == 0 {
		out = append(out, missingItem{Text: "There are no questions for the second doctor yet.", Section: secQuestions})
	}
	return out
}

// overviewScreen is the case at a glance, and the case's timeline.
type overviewScreen struct {
	sample      *fyne.Container // shown for the sample person, with its one-click removal
	a           *App
	name        *widget.Label
	diagnosis   *widget.Label
	appointment *widget.Label
	steps       *fyne.Container
	nextTitle   *widget.Label
	nextTodo    *widget.Label
	reminders   *fyne.Container
	counts      *widget.Label
	missing     *fyne.Container
	inPlace     *fyne.Container
	seq         int // numbers background loads; only the latest is shown (UI goroutine)

	tabs     *container.AppTabs
	timeline *widget.List
	events   []records.Event
	tlNote   *widget.Label
	tlSeq    int

	box fyne.CanvasObject
}

func newOverviewScreen(a *App) *overviewScreen {
	s := &overviewScreen{a: a}
	s.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.name.SizeName = theme.SizeNameSubHeadingText
	s.name.Wrapping = fyne.TextWrapWord // a long case name must not widen the window
	s.diagnosis = hint("")
	s.appointment = hint("")
	s.steps = container.NewGridWithColumns(4)
	s.nextTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.nextTitle.Wrapping = fyne.TextWrapWord
	s.nextTodo = hint("")
	s.reminders = container.NewVBox()
	s.counts = widget.NewLabel("")
	s.counts.Wrapping = fyne.TextWrapWord
	s.missing = container.NewVBox()
	s.inPlace = container.NewVBox()
	removeSample := widget.NewButtonWithIcon("Remove the sample person", theme.DeleteIcon(), func() { a.trashPerson(a.person) })
	removeSample.Importance = widget.DangerImportance
	s.sample = container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil,
		hint("This is the sample person: made-up records to try the app with, not a real patient. Their packet says so on every page.")),
		container.NewHBox(removeSample))
	s.sample.Hide()
	glance := container.NewVScroll(container.NewPadded(container.NewVBox(
		s.sample,
		s.name,
		widget.NewForm(
			widget.NewFormItem("Diagnosis as told", s.diagnosis),
			widget.NewFormItem("Appointment", s.appointment),
			widget.NewFormItem("So far", s.counts),
		),
		widget.NewSeparator(),
		heading("Referral: where things stand"),
		s.steps,
		container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.NavigateNextIcon())), nil,
			container.NewVBox(s.nextTitle, s.nextTodo)),
		s.reminders,
		widget.NewSeparator(),
		heading("Still to do for a complete packet"),
		s.missing,
		widget.NewSeparator(),
		heading("Already in place"),
		s.inPlace,
	)))

	s.timeline = widget.NewList(func() int { return len(s.events) }, func() fyne.CanvasObject {
		// As wide as the longest date ("30 September 2026"), so the titles line up.
		date := widget.NewLabelWithStyle("30 September 2026", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		title := widget.NewLabelWithStyle("Title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Truncation = fyne.TextTruncateEllipsis
		detail := widget.NewLabel("Detail")
		detail.Truncation = fyne.TextTruncateEllipsis
		return container.NewBorder(nil, nil, container.New(minWidth{date.MinSize().Width}, date), nil, container.NewVBox(title, detail))
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i >= len(s.events) {
			return
		}
		e := s.events[i]
		c := o.(*fyne.Container)
		body := c.Objects[0].(*fyne.Container)
		date := c.Objects[1].(*fyne.Container).Objects[0].(*widget.Label)
		date.SetText(eventDate(e.Date))
		body.Objects[0].(*widget.Label).SetText(e.Title)
		body.Objects[1].(*widget.Label).SetText(e.Detail)
	})
	s.tlNote = hint("")
	timeline := container.NewBorder(container.NewVBox(
		hint("Everything with a date, oldest first: documents by their date of service, medicines started and stopped, records asked for and received, the opinions and the appointment."),
		s.tlNote), nil, nil, nil, s.timeline)

	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("At a glance", theme.HomeIcon(), glance),
		container.NewTabItemWithIcon("Timeline", theme.HistoryIcon(), container.NewPadded(timeline)),
	)
	s.tabs.OnSelected = func(*container.TabItem) { s.loadTimeline() }
	s.box = s.tabs
	return s
}

// eventDate is a timeline date as people read it.
func eventDate(d records.Date) string {
	if d.IsZero() {
		return "Date not known"
	}
	return d.Human()
}

func (s *overviewScreen) content() fyne.CanvasObject { return s.box }

func (s *overviewScreen) refresh() {
	a := s.a
	c := a.kase
	s.name.SetText(a.person.FullName + " - " + orText(c.Title, "Second opinion"))
	s.sample.Hidden = !sample.IsSample(a.person)
	s.sample.Refresh()
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
	next := guide.Next(c)
	s.nextTitle.SetText("What to do now: " + next.Title)
	s.nextTodo.SetText(next.Todo)
	s.reminders.Objects = nil
	for _, r := range guide.Reminders(c) {
		s.reminders.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.InfoIcon())), nil, hint(r)))
	}
	s.reminders.Refresh()

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
	s.loadTimeline()
}

// loadTimeline reads the case's timeline in the background when its tab
// is showing. UI goroutine.
func (s *overviewScreen) loadTimeline() {
	if s.tabs.SelectedIndex() != 1 || s.a.kase.ID == "" {
		return
	}
	s.tlSeq++
	seq, store, ctx, id := s.tlSeq, s.a.store, s.a.ctx, s.a.kase.ID
	if len(s.events) == 0 {
		s.tlNote.SetText("Putting the timeline together...")
	}
	s.a.async(func() {
		ev, err := store.Timeline(ctx, id)
		fyne.Do(func() {
			if seq != s.tlSeq {
				return
			}
			if err != nil {
				s.a.showError(err)
				return
			}
			s.events = ev
			if len(ev) == 0 {
				s.tlNote.SetText("Nothing dated yet. Documents, medicines and opinions appear here as you add them.")
			} else {
				s.tlNote.SetText(plural(len(ev), "event", "events") + ".")
			}
			s.timeline.Refresh()
		})
	})
}

// overviewData is what the overview reads in the background.
type overviewData struct {
	docs, meds, current, questions int
	items                          []records.ReadyItem
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
	if ov.items, err = store.Readiness(ctx, c.ID); err != nil {
		return err
	}
	ov.gaps = readinessGaps(ov.items, p, c, len(qs))
	return nil
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
	s.inPlace.Objects = a.readinessRows(ov.items, false, s.refresh)
	if len(s.inPlace.Objects) == 0 {
		s.inPlace.Add(hint("Nothing yet: add documents, or mark what does not apply to you."))
	}
	s.inPlace.Refresh()
}

func orText(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// onNotApplicable asks why a readiness item does not apply and records it.
func (s *overviewScreen) onNotApplicable(key string) { s.a.askNotApplicable(key, s.refresh) }
