package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// clinicalView is the part of the case screen that fills the packet's
// clinical front sheet, cover and summary: health background (height,
// weight, day to day, other conditions, implants), key results, whom the
// opinion goes to, and slides or discs on their way. Each list has add,
// change and remove (with Undo); the body fields save as they are typed.
type clinicalView struct {
	a *App

	height, weight, measured *formEntry
	activity                 *widget.Select
	bodyProblem              *widget.Label
	bodySaver                *saver

	conditions, devices, results, recipients, handovers *fyne.Container
	addCondition, addDevice, addResult                  *widget.Button
	addRecipient, addHandover                           *widget.Button

	docs []records.Document // the person's documents, for "From" of a result

	form *itemForm // the open add/change form, for tests

	box fyne.CanvasObject
}

// itemForm is an open add/change dialog: its entries by label, and save.
type itemForm struct {
	entries map[string]*formEntry
	selects map[string]*widget.Select
	check   *widget.Check
	role    *formSelectEntry // who a recipient is
	problem *widget.Label
	dialog  dialog.Dialog
	save    func()
}

const activityUnknown = "Not recorded yet"

func activityLabels() []string {
	out := []string{activityUnknown}
	for _, x := range records.Activities {
		out = append(out, x.Label)
	}
	return out
}

func newClinicalView(a *App) *clinicalView {
	v := &clinicalView{a: a}
	v.bodySaver = a.newSaver(v.saveBody)
	poke := func(string) { v.bodySaver.poke() }
	v.height = a.newEntry("Height in cm, for example 165")
	v.weight = a.newEntry("Weight in kg, for example 68.5")
	v.measured = a.newEntry("When measured: 2026-10 or 2026-10-05")
	for _, e := range []*formEntry{v.height, v.weight, v.measured} {
		e.OnChanged = poke
	}
	v.activity = widget.NewSelect(activityLabels(), poke)
	v.bodyProblem = problemLabel()
	v.conditions, v.devices = container.NewVBox(), container.NewVBox()
	v.results, v.recipients, v.handovers = container.NewVBox(), container.NewVBox(), container.NewVBox()
	v.addCondition = widget.NewButtonWithIcon("Add a condition", theme.ContentAddIcon(), func() {
		v.editHistory(records.HistoryItem{PersonID: a.person.ID, Kind: records.HistoryCondition})
	})
	v.addDevice = widget.NewButtonWithIcon("Add an implant or device", theme.ContentAddIcon(), func() {
		v.editHistory(records.HistoryItem{PersonID: a.person.ID, Kind: records.HistoryDevice})
	})
	v.addResult = widget.NewButtonWithIcon("Add a result", theme.ContentAddIcon(), func() { v.editResult(records.Result{PersonID: a.person.ID}) })
	v.addRecipient = widget.NewButtonWithIcon("Add someone", theme.ContentAddIcon(), func() { v.editRecipient(records.Recipient{CaseID: a.kase.ID}) })
	v.addHandover = widget.NewButtonWithIcon("Add slides, blocks or a disc", theme.ContentAddIcon(), func() { v.editHandover(records.Handover{CaseID: a.kase.ID}) })

	v.box = container.NewVBox(
		heading("Health background"),
		hint("For the packet's clinical front sheet: what a referral letter gives the second doctor."),
		widget.NewForm(
			widget.NewFormItem("Height (cm), weight (kg), when", container.NewGridWithColumns(3, v.height, v.weight, withReading(v.measured))),
			widget.NewFormItem("Day to day", v.activity),
		),
		v.bodyProblem,
		widget.NewLabelWithStyle("Other conditions", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.conditions,
		container.NewHBox(v.addCondition),
		widget.NewLabelWithStyle("Implants and devices", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("A pacemaker, a port, a joint replacement, any metal: they matter for MRI scans and radiotherapy."),
		v.devices,
		container.NewHBox(v.addDevice),
		widget.NewSeparator(),
		heading("Key results"),
		hint("Copy the results that matter from your reports (tumour markers, haemoglobin, eGFR...). They are printed in the summary, newest first."),
		v.results,
		container.NewHBox(v.addResult),
		widget.NewSeparator(),
		heading("Who gets the opinion"),
		hint("Printed on the cover: whom the second doctor should send their opinion to, and who gets a copy."),
		v.recipients,
		container.NewHBox(v.addRecipient),
		widget.NewSeparator(),
		heading("Slides, blocks and imaging discs"),
		hint("What cannot go in a PDF: whom you asked, where it was sent, and when it arrived."),
		v.handovers,
		container.NewHBox(v.addHandover),
	)
	return v
}

func (v *clinicalView) content() fyne.CanvasObject { return v.box }

// refresh fills everything from the library. UI goroutine.
func (v *clinicalView) refresh() {
	a := v.a
	v.bodySaver.flush()
	p, err := a.store.Person(a.ctx, a.person.ID)
	if err != nil {
		a.showError(err)
		return
	}
	b := p.Body
	setQuiet(v.height, numText(b.HeightCM))
	setQuiet(v.weight, numText(b.WeightKG))
	setQuiet(v.measured, b.MeasuredOn.String())
	act := activityUnknown
	if b.Activity != records.ActivityNotRecorded {
		act = b.Activity.Label()
	}
	setSelectQuiet(v.activity, act)
	v.bodyProblem.Hide()
	v.showHistory()
	v.showResults()
	v.showRecipients()
	v.showHandovers()
	v.loadDocs()
}

// loadDocs reads the person's documents (the "From" of a result) off the
// UI goroutine: a library can hold thousands. The results are shown again
// with their documents' names when it is done. UI goroutine.
func (v *clinicalView) loadDocs() {
	a := v.a
	store, ctx, person := a.store, a.ctx, a.person.ID
	a.async(func() {
		docs, err := store.Documents(ctx, records.DocumentFilter{PersonID: person})
		fyne.Do(func() {
			if a.person.ID != person {
				return // another person was opened meanwhile
			}
			if err != nil {
				a.showError(err)
				return
			}
			v.docs = docs
			v.showResults()
		})
	})
}

func numText(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// readNumber reads "165", "68,5" or "" (0).
func readNumber(s, what string) (float64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "cm"), "kg"))
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil {
		return 0, &records.Problem{Msg: fmt.Sprintf("%q is not a number we can read for the %s. Write digits only, for example 165 or 68.5.", s, what)}
	}
	return f, nil
}

// saveBody keeps height, weight and day to day (debounced). UI goroutine.
func (v *clinicalView) saveBody() {
	a := v.a
	if a.person.ID == "" {
		return
	}
	var b records.Body
	var err error
	if b.HeightCM, err = readNumber(v.height.Text, "height"); err == nil {
		if b.WeightKG, err = readNumber(v.weight.Text, "weight"); err == nil {
			b.MeasuredOn, err = records.ParseDate(v.measured.Text)
		}
	}
	for _, x := range records.Activities {
		if x.Label == v.activity.Selected {
			b.Activity = x.Level
		}
	}
	if err == nil {
		err = a.store.SaveBody(a.ctx, a.person.ID, b)
	}
	if a.retryIfBusy(err) || showProblem(v.bodyProblem, err) {
		return
	}
	v.bodyProblem.Hide() // a problem shown before is put right
}

// listRow is one line of a list with its Change... and remove buttons.
func (v *clinicalView) listRow(text string, edit func(), del func() (*records.Undo, error)) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	change := widget.NewButton("Change...", edit)
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		u, err := del()
		v.a.removed(u, err, v.refresh)
	})
	remove.Importance = widget.DangerImportance
	return container.NewBorder(nil, nil, nil, container.NewHBox(change, remove), l)
}

// fillList shows one row per item in box, or empty when there are none;
// err, from loading the items, is shown first. UI goroutine.
func fillList[T any](a *App, box *fyne.Container, items []T, err error, empty string, row func(T) fyne.CanvasObject) {
	if err != nil {
		a.showError(err)
	}
	box.Objects = nil
	for _, it := range items {
		box.Add(row(it))
	}
	if len(items) == 0 {
		box.Add(widget.NewLabel(empty))
	}
	box.Refresh()
}

func (v *clinicalView) showHistory() {
	a := v.a
	items, err := a.store.History(a.ctx, a.person.ID)
	var conditions, devices []records.HistoryItem
	for _, h := range items {
		if h.Kind == records.HistoryDevice {
			devices = append(devices, h)
		} else {
			conditions = append(conditions, h)
		}
	}
	row := func(h records.HistoryItem) fyne.CanvasObject {
		text := h.Name
		if !h.Date.IsZero() {
			text += " (" + h.Date.Human() + ")"
		}
		if h.Notes != "" {
			text += ": " + h.Notes
		}
		return v.listRow(text, func() { v.editHistory(h) }, func() (*records.Undo, error) { return a.store.DeleteHistoryItem(a.ctx, h.ID) })
	}
	fillList(a, v.conditions, conditions, err, "None recorded.", row)
	fillList(a, v.devices, devices, nil, "None recorded.", row)
}

// openForm shows an add/change dialog of labelled entries (in order),
// saving with save, which returns what records says. UI goroutine.
func (v *clinicalView) openForm(title string, items []*widget.FormItem, f *itemForm, save func() error) {
	a := v.a
	f.problem = problemLabel()
	f.save = func() {
		if showProblem(f.problem, save()) {
			return
		}
		a.closeDialog(f.dialog)
		v.form = nil
		v.refresh()
	}
	for _, e := range f.entries {
		if !e.MultiLine {
			e.OnSubmitted = func(string) { f.save() }
		}
	}
	scroll := container.NewVScroll(widget.NewForm(items...))
	scroll.SetMinSize(fyne.NewSize(600, 60*float32(len(items))))
	v.form = f
	f.dialog = a.formDialog(title, "Save", scroll, f.problem, f.save)
}

func (v *clinicalView) editHistory(h records.HistoryItem) {
	a := v.a
	name, date, notes := a.newEntry("For example: high blood pressure"), a.newEntry("Since when: 2019 or 2019-03"), a.newEntry("For example: well controlled")
	title := "Other condition"
	if h.Kind == records.HistoryDevice {
		name.SetPlaceHolder("For example: pacemaker, port, hip replacement")
		date.SetPlaceHolder("When fitted: 2021 or 2021-06")
		notes.SetPlaceHolder("For example: MRI conditional, make and model")
		title = "Implant or device"
	}
	name.SetText(h.Name)
	date.SetText(h.Date.String())
	notes.SetText(h.Notes)
	f := &itemForm{entries: map[string]*formEntry{"name": name, "date": date, "notes": notes}}
	v.openForm(title, []*widget.FormItem{widget.NewFormItem("What", name), widget.NewFormItem("Date", withReading(date)), widget.NewFormItem("Notes", notes)}, f,
		func() error {
			var err error
			h.Name, h.Notes = name.Text, notes.Text
			if h.Date, err = records.ParseDate(date.Text); err != nil {
				return err
			}
			return a.store.SaveHistoryItem(a.ctx, &h)
		})
	a.win.Canvas().Focus(name)
}

func (v *clinicalView) showResults() {
	a := v.a
	rs, err := a.store.Results(a.ctx, a.person.ID)
	fillList(a, v.results, rs, err, "None entered yet.", func(r records.Result) fyne.CanvasObject {
		text := strings.Join(nonEmpty(r.Date.Human(), r.Test+": "+strings.Join(nonEmpty(r.Value, r.Unit), " ")), "  ")
		if r.Date.IsZero() {
			text = r.Test + ": " + strings.Join(nonEmpty(r.Value, r.Unit), " ")
		}
		if r.Range != "" {
			text += " (range " + r.Range + ")"
		}
		if t := v.docTitle(r.DocumentID); t != "" {
			text += ", from " + t
		}
		return v.listRow(text, func() { v.editResult(r) }, func() (*records.Undo, error) { return a.store.DeleteResult(a.ctx, r.ID) })
	})
}

const noDocument = "(not given)"

func (v *clinicalView) docTitle(id string) string {
	for _, d := range v.docs {
		if d.ID == id {
			return docLabel(d)
		}
	}
	return ""
}

// docLabel names a document in the "From" list: date and title.
func docLabel(d records.Document) string {
	t := orText(strings.TrimSpace(d.Title), d.Kind.Label())
	if !d.Date.IsZero() {
		t = d.Date.Short() + ": " + t
	}
	return t
}

func (v *clinicalView) editResult(r records.Result) {
	a := v.a
	test, value, unit := a.newEntry("For example: haemoglobin, eGFR, CA 15-3"), a.newEntry("As printed: 128, >90, positive"), a.newEntry("For example g/L")
	date, rng := a.newEntry("Date of the test: 2026-09-22"), a.newEntry("For example 115 - 165")
	test.SetText(r.Test)
	value.SetText(r.Value)
	unit.SetText(r.Unit)
	date.SetText(r.Date.String())
	rng.SetText(r.Range)
	docs := v.docs // the choices below, in this order
	opts := []string{noDocument}
	for _, d := range docs {
		opts = append(opts, docLabel(d))
	}
	from := widget.NewSelect(opts, nil)
	from.SetSelected(orText(v.docTitle(r.DocumentID), noDocument))
	chosen := from.SelectedIndex()
	f := &itemForm{entries: map[string]*formEntry{"test": test, "value": value, "unit": unit, "date": date, "range": rng},
		selects: map[string]*widget.Select{"from": from}}
	v.openForm("Key result", []*widget.FormItem{widget.NewFormItem("Test", test), widget.NewFormItem("Result", value),
		widget.NewFormItem("Unit", unit), widget.NewFormItem("Date", withReading(date)), widget.NewFormItem("Reference range", rng),
		widget.NewFormItem("From the document", from)}, f,
		func() error {
			var err error
			r.Test, r.Value, r.Unit, r.Range = test.Text, value.Text, unit.Text, rng.Text
			if r.Date, err = records.ParseDate(date.Text); err != nil {
				return err
			}
			// Unless the choice was changed, the result keeps its document
			// (one the list does not hold yet, too).
			if i := from.SelectedIndex(); i != chosen {
				r.DocumentID = ""
				if i > 0 {
					r.DocumentID = docs[i-1].ID
				}
			}
			return a.store.SaveResult(a.ctx, &r)
		})
	a.win.Canvas().Focus(test)
}

func (v *clinicalView) showRecipients() {
	a := v.a
	rs, err := a.store.Recipients(a.ctx, a.kase.ID)
	fillList(a, v.recipients, rs, err, "Nobody yet: the cover asks for the opinion to be sent to the patient.", func(r records.Recipient) fyne.CanvasObject {
		text := "Send to: "
		if r.CopyTo {
			text = "Copy to: "
		}
		text += strings.Join(nonEmpty(r.Name, r.Role), ", ")
		if c := strings.Join(nonEmpty(strings.ReplaceAll(r.Address, "\n", ", "), r.Phone, r.Email), " · "); c != "" {
			text += "\n" + c
		}
		return v.listRow(text, func() { v.editRecipient(r) }, func() (*records.Undo, error) { return a.store.DeleteRecipient(a.ctx, r.ID) })
	})
}

var recipientRoles = []string{"Patient", "GP", "First consultant", "Carer"}

func (v *clinicalView) editRecipient(r records.Recipient) {
	a := v.a
	role := a.newSelectEntry(recipientRoles)
	role.PlaceHolder = "Patient, GP, first consultant..."
	name, addr := a.newEntry("Name, and practice or hospital"), a.newTextArea("Postal address", 2)
	phone, email := a.newEntry("Phone"), a.newEntry("Email")
	role.SetText(r.Role)
	name.SetText(r.Name)
	addr.SetText(r.Address)
	phone.SetText(r.Phone)
	email.SetText(r.Email)
	copyTo := widget.NewCheck("Send a copy (not the main addressee)", nil)
	copyTo.SetChecked(r.CopyTo)
	// Choosing "Patient" fills in the patient's own details.
	role.OnChanged = func(s string) {
		if s == "Patient" && strings.TrimSpace(name.Text) == "" {
			p := a.person
			name.SetText(p.FullName)
			addr.SetText(p.Address)
			phone.SetText(p.Phone)
			email.SetText(p.Email)
		}
	}
	f := &itemForm{entries: map[string]*formEntry{"name": name, "address": addr, "phone": phone, "email": email}, check: copyTo, role: role}
	v.openForm("Who gets the opinion", []*widget.FormItem{widget.NewFormItem("Who they are", role), widget.NewFormItem("Name", name),
		widget.NewFormItem("Address", addr), widget.NewFormItem("Phone", phone), widget.NewFormItem("Email", email),
		widget.NewFormItem("", copyTo)}, f,
		func() error {
			r.Role, r.Name, r.Address, r.Phone, r.Email, r.CopyTo = role.Text, name.Text, addr.Text, phone.Text, email.Text, copyTo.Checked
			return a.store.SaveRecipient(a.ctx, &r)
		})
	a.win.Canvas().Focus(role)
}

func (v *clinicalView) showHandovers() {
	a := v.a
	hs, err := a.store.Handovers(a.ctx, a.kase.ID)
	fillList(a, v.handovers, hs, err, "None yet.", func(h records.Handover) fyne.CanvasObject {
		text := h.What
		if route := strings.Join(nonEmpty(h.HeldBy, h.SentTo), " to "); route != "" {
			text += " (" + route + ")"
		}
		text += "\n" + h.State()
		return v.listRow(text, func() { v.editHandover(h) }, func() (*records.Undo, error) { return a.store.DeleteHandover(a.ctx, h.ID) })
	})
}

func (v *clinicalView) editHandover(h records.Handover) {
	a := v.a
	what := a.newEntry("For example: biopsy slides and block, MRI images on disc")
	held, sent := a.newEntry("Whom you asked (pathology or radiology department)"), a.newEntry("Where it goes (the second doctor's department)")
	asked, sentOn, got := a.newEntry("Asked on: 2026-10-06"), a.newEntry("Sent on"), a.newEntry("Received on (leave empty until confirmed)")
	notes := a.newEntry("Anything else: courier, reference number")
	what.SetText(h.What)
	held.SetText(h.HeldBy)
	sent.SetText(h.SentTo)
	asked.SetText(h.AskedOn.String())
	sentOn.SetText(h.SentOn.String())
	got.SetText(h.ReceivedOn.String())
	notes.SetText(h.Notes)
	f := &itemForm{entries: map[string]*formEntry{"what": what, "held": held, "sent to": sent, "asked": asked, "sent": sentOn, "received": got, "notes": notes}}
	v.openForm("Slides, blocks or a disc", []*widget.FormItem{widget.NewFormItem("What", what), widget.NewFormItem("Asked of", held),
		widget.NewFormItem("Sent to", sent), widget.NewFormItem("Asked on", asked), widget.NewFormItem("Sent on", sentOn),
		widget.NewFormItem("Received on", got), widget.NewFormItem("Notes", notes)}, f,
		func() error {
			var err error
			h.What, h.HeldBy, h.SentTo, h.Notes = what.Text, held.Text, sent.Text, notes.Text
			for _, d := range []struct {
				e  *formEntry
				to *records.Date
			}{{asked, &h.AskedOn}, {sentOn, &h.SentOn}, {got, &h.ReceivedOn}} {
				if *d.to, err = records.ParseDate(d.e.Text); err != nil {
					return err
				}
			}
			return a.store.SaveHandover(a.ctx, &h)
		})
	a.win.Canvas().Focus(what)
}
