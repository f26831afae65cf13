package ui

import (
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

var medColumns = []struct {
	title string
	width float32
}{{"Medicine", 150}, {"Strength and dose", 150}, {"How often", 170}, {"Status", 160}, {"When", 150}, {"What it is for", 140}}

// medicationsScreen shows current and past medicines in one table, and the
// person's allergies below.
type medicationsScreen struct {
	buttons  *fyne.Container // the row (two rows with large text) of medicine buttons
	a        *App
	meds     []records.Medication
	table    *widget.Table
	selected int // row in meds, -1 for none
	add      *widget.Button
	edit     *widget.Button
	stop     *widget.Button
	remove   *widget.Button
	empty    *widget.Label

	allergyStatus *widget.RadioGroup
	allergies     []records.Allergy
	allergyBox    *fyne.Container
	addAllergy    *widget.Button

	// The open forms, for tests.
	form     *medForm
	stopping *stopForm

	box fyne.CanvasObject
}

const (
	allergyUnknown = "Not recorded yet"
	allergyNone    = "No known allergies"
	allergySome    = "Has allergies (listed below)"
)

func newMedicationsScreen(a *App) *medicationsScreen {
	s := &medicationsScreen{a: a, selected: -1}
	s.table = widget.NewTableWithHeaders(func() (int, int) { return len(s.meds), len(medColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(s.meds) {
				return
			}
			o.(*widget.Label).SetText(medCell(s.meds[id.Row], id.Col))
		})
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(medColumns) {
			o.(*widget.Label).SetText(medColumns[id.Col].title)
		}
	}
	s.sizeColumns()
	s.table.OnSelected = func(id widget.TableCellID) {
		s.selected = id.Row
		s.updateButtons()
	}
	s.add = widget.NewButtonWithIcon("Add a medicine", theme.ContentAddIcon(), s.onAdd)
	s.add.Importance = widget.HighImportance
	s.edit = widget.NewButtonWithIcon("Change...", theme.DocumentCreateIcon(), s.onEdit)
	s.stop = widget.NewButtonWithIcon("Stop taking...", theme.MediaStopIcon(), s.onStop)
	s.remove = widget.NewButtonWithIcon("Delete (added by mistake)", theme.DeleteIcon(), s.onDelete)
	s.remove.Importance = widget.DangerImportance
	s.empty = hint("No medicines yet. Add each medicine taken now, and the ones tried before: the second doctor will ask what was tried and why it stopped.")

	s.allergyStatus = widget.NewRadioGroup([]string{allergyUnknown, allergyNone, allergySome}, s.onAllergyStatus)
	s.allergyStatus.Horizontal = true
	s.allergyBox = container.NewVBox()
	s.addAllergy = widget.NewButtonWithIcon("Add an allergy", theme.ContentAddIcon(), s.onAddAllergy)

	s.buttons = container.NewVBox(container.NewHBox(s.add, s.edit, s.stop, s.remove))
	buttons := s.buttons
	top := container.NewVBox(heading("Medications"),
		hint("Current and past medicines. Choose a row, then \"Change...\" or \"Stop taking...\". Stopped medicines stay in the list with the reason."),
		buttons, s.empty)
	allergies := container.NewVBox(widget.NewSeparator(), heading("Allergies"), s.allergyStatus, s.allergyBox, container.NewHBox(s.addAllergy))
	// The table and the allergies share the height (the divider moves):
	// with allergies fixed at the bottom, large text in a small window left
	// the table one row high.
	split := container.NewVSplit(s.table, container.NewVScroll(allergies))
	split.Offset = 0.6
	s.box = container.NewBorder(top, nil, nil, nil, split)
	return s
}

func medCell(m records.Medication, col int) string {
	switch col {
	case 0:
		return m.Name
	case 1:
		return strings.TrimSpace(strings.Join(nonEmpty(m.Strength, m.Dose), ", "))
	case 2:
		f := m.Frequency
		var slots []string
		for _, sl := range records.Slots {
			if m.Slots&sl.Slot != 0 {
				slots = append(slots, sl.Label)
			}
		}
		if len(slots) > 0 {
			f = strings.TrimSpace(f + " (" + strings.Join(slots, ", ") + ")")
		}
		return f
	case 3:
		switch m.Status {
		case records.MedStopped:
			if m.StopReason != "" {
				return "Stopped: " + m.StopReason
			}
			return "Stopped"
		case records.MedPaused:
			s := "Paused"
			if !m.PausedOn.IsZero() {
				s += " since " + m.PausedOn.Short()
			}
			if m.PauseReason != "" {
				s += ": " + m.PauseReason
			}
			return s
		}
		return "Taking now"
	case 4:
		switch {
		case !m.Stop.IsZero() && !m.Start.IsZero():
			return m.Start.Short() + " to " + m.Stop.Short()
		case !m.Stop.IsZero():
			return "until " + m.Stop.Short()
		case !m.Start.IsZero():
			return "since " + m.Start.Short()
		}
		return ""
	case 5:
		return m.Reason
	}
	return ""
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

func (s *medicationsScreen) content() fyne.CanvasObject { return s.box }

// sizeColumns sets the table's column widths for the current text size:
// the widths are for 100%, and words must never run into the next column.
func (s *medicationsScreen) sizeColumns() {
	k := s.a.fyne.Settings().Theme().Size(theme.SizeNameText) / readableTheme{}.Size(theme.SizeNameText)
	for i, c := range medColumns {
		s.table.SetColumnWidth(i, c.width*max(k, 1))
	}
}

func (s *medicationsScreen) refresh() {
	s.sizeColumns()
	// Side by side at normal text sizes; one under the other when large,
	// so the screen fits a small window.
	normal := readableTheme{}.Size(theme.SizeNameText)
	big := s.a.fyne.Settings().Theme().Size(theme.SizeNameText) > normal*1.2
	if s.allergyStatus.Horizontal == big {
		s.allergyStatus.Horizontal = !big
		s.allergyStatus.Refresh()
		if big {
			s.buttons.Objects = []fyne.CanvasObject{container.NewHBox(s.add, s.edit), container.NewHBox(s.stop, s.remove)}
		} else {
			s.buttons.Objects = []fyne.CanvasObject{container.NewHBox(s.add, s.edit, s.stop, s.remove)}
		}
		s.buttons.Refresh()
	}
	meds, err := s.a.store.Medications(s.a.ctx, s.a.person.ID)
	if err != nil {
		s.a.showError(err)
	}
	// Current first, then past; each group as the library orders it.
	sort.SliceStable(meds, func(i, j int) bool { return meds[i].Current() && !meds[j].Current() })
	s.meds = meds
	s.selected = -1
	s.table.UnselectAll()
	s.table.Refresh()
	if len(meds) == 0 {
		s.empty.Show()
	} else {
		s.empty.Hide()
	}
	s.updateButtons()
	s.refreshAllergies()
}

func (s *medicationsScreen) updateButtons() {
	if s.selected < 0 || s.selected >= len(s.meds) {
		s.edit.Disable()
		s.stop.Disable()
		s.remove.Disable()
		return
	}
	s.edit.Enable()
	s.remove.Enable()
	if s.meds[s.selected].Current() {
		s.stop.Enable()
	} else {
		s.stop.Disable()
	}
}

func (s *medicationsScreen) onAdd() {
	s.openForm(records.Medication{PersonID: s.a.person.ID})
}

func (s *medicationsScreen) onEdit() {
	if s.selected >= 0 && s.selected < len(s.meds) {
		s.openForm(s.meds[s.selected])
	}
}

// medForm is the add/edit form for one medicine.
type medForm struct {
	m                          records.Medication
	name, strength, dose, form *formEntry
	frequency, reason, doctor  *formEntry
	start, stop                *formEntry
	pausedOn, pauseWhy         *formEntry // only while paused
	notes                      *formEntry
	slots                      *widget.CheckGroup
	status                     *widget.Select
	problem                    *widget.Label
	said                       *fieldNotes // problems under their fields
	dialog                     dialog.Dialog
	save                       func()
}

const (
	statusTaking = "Taking now"
	statusPaused = "Paused"
	statusPast   = "Stopped"
)

func (s *medicationsScreen) openForm(m records.Medication) {
	a := s.a
	f := &medForm{m: m}
	f.name = a.newEntry("Name, as on the box (for example Metformin)")
	f.strength = a.newEntry("For example 500 mg")
	f.dose = a.newEntry("For example 1 tablet")
	f.form = a.newEntry("For example tablet, by mouth")
	f.frequency = a.newEntry("For example twice a day with food")
	f.reason = a.newEntry("What it is for")
	f.doctor = a.newEntry("Who prescribed it")
	f.start = a.newEntry("Started: 2024-03 or 2024-03-15")
	f.stop = a.newEntry("Stopped (leave empty if still taking)")
	f.pausedOn = a.newEntry("Paused since: 2026-10 or 2026-10-05")
	f.pauseWhy = a.newEntry("Why it is paused, for example \"before surgery\"")
	f.notes = a.newTextArea("Side effects, anything the doctor should know", 2)
	slotLabels := make([]string, len(records.Slots))
	for i, sl := range records.Slots {
		slotLabels[i] = sl.Label
	}
	f.slots = widget.NewCheckGroup(slotLabels, nil)
	f.slots.Horizontal = true
	pausedSince := widget.NewFormItem("Paused since", f.pausedOn) // its note is added below, once f.said exists
	pausedWhy := widget.NewFormItem("Why paused", f.pauseWhy)
	f.status = widget.NewSelect([]string{statusTaking, statusPaused, statusPast}, func(st string) {
		if st == statusPaused {
			f.pausedOn.Enable()
			f.pauseWhy.Enable()
		} else {
			f.pausedOn.Disable()
			f.pauseWhy.Disable()
		}
	})
	f.problem = problemLabel()
	f.said = a.newFieldNotes(f.problem)
	pausedSince.Widget = f.said.under("PausedOn", f.pausedOn)

	setQuiet(f.name, m.Name)
	setQuiet(f.strength, m.Strength)
	setQuiet(f.dose, m.Dose)
	setQuiet(f.form, m.Form)
	setQuiet(f.frequency, m.Frequency)
	setQuiet(f.reason, m.Reason)
	setQuiet(f.doctor, m.Prescriber)
	setQuiet(f.start, m.Start.String())
	setQuiet(f.stop, m.Stop.String())
	setQuiet(f.notes, m.Notes)
	setQuiet(f.pausedOn, m.PausedOn.String())
	setQuiet(f.pauseWhy, m.PauseReason)
	var chosen []string
	for _, sl := range records.Slots {
		if m.Slots&sl.Slot != 0 {
			chosen = append(chosen, sl.Label)
		}
	}
	f.slots.SetSelected(chosen)
	switch m.Status {
	case records.MedStopped:
		f.status.SetSelected(statusPast)
	case records.MedPaused:
		f.status.SetSelected(statusPaused)
	default:
		f.status.SetSelected(statusTaking)
	}

	f.save = func() { s.saveForm(f) }
	for _, e := range []*formEntry{f.name, f.strength, f.dose, f.form, f.frequency, f.reason, f.doctor, f.start, f.stop, f.pausedOn, f.pauseWhy} {
		e.OnSubmitted = func(string) { f.save() }
	}
	formW := widget.NewForm(
		widget.NewFormItem("Medicine", f.said.under("Name", f.name)),
		widget.NewFormItem("Strength", f.strength),
		widget.NewFormItem("Dose", f.dose),
		widget.NewFormItem("Form", f.form),
		widget.NewFormItem("How often", f.frequency),
		widget.NewFormItem("Times of day", f.slots),
		widget.NewFormItem("For", f.reason),
		widget.NewFormItem("Prescribed by", f.doctor),
		widget.NewFormItem("Started", f.said.under("Start", f.start)),
		widget.NewFormItem("Status", f.status),
		pausedSince, pausedWhy,
		widget.NewFormItem("Stopped", f.said.under("Stop", f.stop)),
		widget.NewFormItem("Notes", f.notes),
	)
	scroll := container.NewVScroll(formW)
	scroll.SetMinSize(fyne.NewSize(640, 520))
	title := "Add a medicine"
	if m.ID != "" {
		title = "Change " + m.Name
	}
	s.form = f
	f.dialog = a.formDialog(title, "Save", scroll, f.problem, f.save)
	a.win.Canvas().Focus(f.name)
}

// saveForm checks and saves the form; records says what is wrong, and the
// form stays open with that sentence until it is right.
func (s *medicationsScreen) saveForm(f *medForm) {
	m := f.m
	m.Name, m.Strength, m.Dose, m.Form = f.name.Text, f.strength.Text, f.dose.Text, f.form.Text
	m.Frequency, m.Reason, m.Prescriber, m.Notes = f.frequency.Text, f.reason.Text, f.doctor.Text, f.notes.Text
	m.Slots = 0
	for _, sl := range records.Slots {
		for _, c := range f.slots.Selected {
			if c == sl.Label {
				m.Slots |= sl.Slot
			}
		}
	}
	var err error
	f.said.clear()
	if m.Start, err = records.ParseDate(f.start.Text); err != nil {
		f.said.show("Start", err)
		return
	}
	if m.Stop, err = records.ParseDate(f.stop.Text); err != nil {
		f.said.show("Stop", err)
		return
	}
	switch f.status.Selected {
	case statusPast:
		m.Status = records.MedStopped
	case statusPaused:
		m.Status = records.MedPaused
	default:
		m.Status = records.MedTaking
	}
	if m.Status != records.MedStopped && !m.Stop.IsZero() {
		m.Status = records.MedStopped // a stop date means it was stopped
	}
	if m.Status == records.MedPaused {
		if m.PausedOn, err = records.ParseDate(f.pausedOn.Text); err != nil {
			f.said.show("PausedOn", err)
			return
		}
		m.PauseReason = strings.TrimSpace(f.pauseWhy.Text)
	}
	if err := s.a.store.SaveMedication(s.a.ctx, &m); err != nil {
		f.said.show("", err)
		return
	}
	s.a.closeDialog(f.dialog)
	s.form = nil
	s.refresh()
}

// stopForm asks when and why a medicine was stopped.
type stopForm struct {
	date, reason *formEntry
	problem      *widget.Label
	said         *fieldNotes
	dialog       dialog.Dialog
	save         func()
}

func (s *medicationsScreen) onStop() {
	if s.selected < 0 || s.selected >= len(s.meds) {
		return
	}
	m := s.meds[s.selected]
	a := s.a
	f := &stopForm{}
	f.date = a.newEntry("When: 2026-03-15, or just 2026-03")
	f.reason = a.newEntry("Why: side effects, did not help, finished the course...")
	f.problem = problemLabel()
	said := a.newFieldNotes(f.problem)
	f.said = said
	dateField := said.under("Stop", f.date)
	f.save = func() {
		said.clear()
		on, err := records.ParseDate(f.date.Text)
		if err != nil {
			said.show("Stop", err)
			return
		}
		if said.show("", a.store.StopMedication(a.ctx, m.ID, on, f.reason.Text)) {
			return
		}
		a.closeDialog(f.dialog)
		s.refresh()
		before := m
		a.notifyUndo(m.Name+" marked as stopped", func() error { return a.store.SaveMedication(a.ctx, &before) }, s.refresh)
	}
	f.date.OnSubmitted = func(string) { f.save() }
	f.reason.OnSubmitted = func(string) { f.save() }
	body := container.NewVBox(
		hint("The medicine stays in the list as a past medicine: the second doctor will want to know it was tried."),
		widget.NewForm(widget.NewFormItem("Stopped on", dateField), widget.NewFormItem("Reason", f.reason)))
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(560, 200))
	f.dialog = a.formDialog("Stop taking "+m.Name, "Stop taking", scroll, f.problem, f.save)
	s.stopping = f
	a.win.Canvas().Focus(f.date)
}

func (s *medicationsScreen) onDelete() {
	if s.selected < 0 || s.selected >= len(s.meds) {
		return
	}
	m := s.meds[s.selected]
	u, err := s.a.store.DeleteMedication(s.a.ctx, m.ID)
	if err == nil {
		u.What += ". (A medicine that was taken and then stopped should be stopped, not deleted, so the second doctor sees it was tried.)"
	}
	s.a.removed(u, err, s.refresh)
}

func (s *medicationsScreen) refreshAllergies() {
	all, err := s.a.store.Allergies(s.a.ctx, s.a.person.ID)
	if err != nil {
		s.a.showError(err)
	}
	s.allergies = all
	st := s.a.person.Allergies
	opt := allergyUnknown
	switch st {
	case records.AllergiesNoneKnown:
		opt = allergyNone
	case records.AllergiesRecorded:
		opt = allergySome
	}
	setRadioQuiet(s.allergyStatus, opt)
	s.allergyBox.Objects = nil
	for _, al := range all {
		id := al.ID
		text := al.Substance
		if d := strings.Join(nonEmpty(al.Reaction, al.Severity), ", "); d != "" {
			text += " - " + d
		}
		rm := widget.NewButtonWithIcon("Remove", theme.ContentRemoveIcon(), func() {
			u, err := s.a.store.DeleteAllergy(s.a.ctx, id)
			s.a.removed(u, err, s.reloadPerson)
		})
		rm.Importance = widget.DangerImportance
		s.allergyBox.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), rm, widget.NewLabel(text)))
	}
	s.allergyBox.Refresh()
}

// reloadPerson reads the person again (allergy status changes with allergies).
func (s *medicationsScreen) reloadPerson() {
	if p, err := s.a.store.Person(s.a.ctx, s.a.person.ID); err == nil {
		s.a.person = p
	}
	s.refreshAllergies()
}

func (s *medicationsScreen) onAllergyStatus(opt string) {
	st := records.AllergiesNotRecorded
	switch opt {
	case allergyNone:
		st = records.AllergiesNoneKnown
	case allergySome:
		st = records.AllergiesRecorded
	}
	if err := s.a.store.SetAllergyStatus(s.a.ctx, s.a.person.ID, st); err != nil {
		s.a.showError(err)
	}
	s.reloadPerson()
	if st == records.AllergiesRecorded && len(s.allergies) == 0 {
		s.onAddAllergy()
	}
}

func (s *medicationsScreen) onAddAllergy() {
	a := s.a
	substance := a.newEntry("What: a medicine, food or material (for example penicillin)")
	reaction := a.newEntry("What happens (for example rash, swelling)")
	severity := a.newSelectEntry([]string{"mild", "moderate", "severe"})
	severity.PlaceHolder = "How bad"
	problem := problemLabel()
	said := a.newFieldNotes(problem)
	var d dialog.Dialog
	save := func() {
		said.clear()
		al := records.Allergy{PersonID: a.person.ID, Substance: substance.Text, Reaction: reaction.Text, Severity: severity.Text}
		if said.show("", a.store.SaveAllergy(a.ctx, &al)) {
			return
		}
		a.closeDialog(d)
		s.reloadPerson()
	}
	substance.OnSubmitted = func(string) { save() }
	reaction.OnSubmitted = func(string) { save() }
	body := container.NewVBox(widget.NewForm(
		widget.NewFormItem("Allergic to", said.under("Substance", substance)),
		widget.NewFormItem("Reaction", reaction),
		widget.NewFormItem("Severity", severity)))
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(560, 200))
	d = a.formDialog("Add an allergy", "Add", scroll, problem, save)
	a.win.Canvas().Focus(substance)
}
