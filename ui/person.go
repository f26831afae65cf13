package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// identifierLabels are offered for a person's identifiers; any other label
// can be typed.
var identifierLabels = []string{"NHS number", "Hospital number", "Insurance member number"}

// personDialog shows and edits the current person's details: name, date of
// birth, identifiers, contact details and who prepares the packet. Every
// change is saved as it is made (debounced); a mistake is said under the
// form and the rest is still saved.
type personDialog struct {
	a        *App
	name     *formEntry
	born     *formEntry
	phone    *formEntry
	email    *formEntry
	address  *formEntry
	ids      []idRow
	idBox    *fyne.Container
	addID    *widget.Button
	who      *widget.RadioGroup
	carer    *fyne.Container
	carerNm  *formEntry
	relation *formEntry
	cPhone   *formEntry
	cEmail   *formEntry
	problem  *widget.Label
	said     *fieldNotes // the name's and birth date's problems, under them
	saved    *widget.Label
	saver    *saver
	// bornField is the date of birth with its reading under it.
	bornField fyne.CanvasObject
	nameField fyne.CanvasObject
	dialog    dialog.Dialog
	filling   bool // true while the form is filled from the library (not an edit)
}

// idRow is one identifier's label and value.
type idRow struct {
	label *formSelectEntry
	value *formEntry
}

func newPersonDialog(a *App) *personDialog {
	d := &personDialog{a: a}
	d.saver = a.newSaver(d.save)
	poke := func(string) {
		if !d.filling {
			d.saver.poke()
		}
	}
	entry := func(ph string) *formEntry {
		e := a.newEntry(ph)
		e.OnChanged = poke
		return e
	}
	d.name = entry("Full name, as on their letters")
	d.born = entry("For example 23 April 1961")
	d.bornField = withReading(d.born)
	d.phone = entry("Phone number")
	d.email = entry("Email")
	d.address = a.newTextArea("Postal address", 2)
	d.address.OnChanged = poke
	d.idBox = container.NewVBox()
	d.addID = widget.NewButtonWithIcon("Add a number", theme.ContentAddIcon(), func() {
		d.addRow(records.Identifier{})
		d.idBox.Refresh()
	})
	d.carerNm = entry("Your name")
	d.relation = entry("For example: daughter, husband, friend")
	d.cPhone = entry("Your phone number")
	d.cEmail = entry("Your email")
	d.carer = container.NewVBox(
		hint("Your details go on the packet's cover, so the clinic knows whom to contact."),
		widget.NewForm(
			widget.NewFormItem("Your name", d.carerNm),
			widget.NewFormItem("You are their", d.relation),
			widget.NewFormItem("Your phone", d.cPhone),
			widget.NewFormItem("Your email", d.cEmail),
		))
	d.who = widget.NewRadioGroup([]string{whoSelf, whoCarer}, func(v string) {
		if v == whoCarer {
			d.carer.Show()
		} else {
			d.carer.Hide()
		}
		poke(v)
	})
	d.who.Horizontal = true
	d.who.Required = true
	d.problem = problemLabel()
	d.said = a.newFieldNotes(d.problem)
	d.said.scroll = nil // saved as typed: never pull the view away from the field being typed in
	d.nameField = d.said.under("FullName", d.name)
	d.bornField = d.said.under("DateOfBirth", d.bornField)
	d.saved = hint("Changes are saved as you type.")
	return d
}

// addRow adds one identifier row. UI goroutine.
func (d *personDialog) addRow(id records.Identifier) {
	r := idRow{label: d.a.newSelectEntry(identifierLabels), value: d.a.newEntry("Number")}
	r.label.PlaceHolder = "Which number"
	r.label.SetText(id.Label)
	r.value.SetText(id.Value)
	r.label.OnChanged = func(string) { d.saver.poke() }
	r.value.OnChanged = func(string) { d.saver.poke() }
	var row *fyne.Container
	remove := widget.NewButtonWithIcon("Remove", theme.ContentRemoveIcon(), func() {
		for i, x := range d.ids {
			if x.value == r.value {
				d.ids = append(d.ids[:i], d.ids[i+1:]...)
			}
		}
		d.idBox.Remove(row)
		d.saver.poke()
	})
	row = container.NewBorder(nil, nil, nil, remove, container.NewGridWithColumns(2, r.label, r.value))
	d.ids = append(d.ids, r)
	d.idBox.Add(row)
}

// open fills the form from the current person and shows it.
func (d *personDialog) open() {
	a := d.a
	p := a.person
	d.filling = true
	d.name.SetText(p.FullName)
	d.born.SetText(dateText(p.DateOfBirth))
	d.phone.SetText(p.Phone)
	d.email.SetText(p.Email)
	d.address.SetText(p.Address)
	d.ids = nil
	d.idBox.Objects = nil
	for _, id := range p.Identifiers {
		d.addRow(id)
	}
	if len(p.Identifiers) == 0 {
		d.addRow(records.Identifier{Label: identifierLabels[0]})
	}
	if p.PreparedBy.Self || p.PreparedBy.Name == "" {
		d.who.SetSelected(whoSelf)
	} else {
		d.who.SetSelected(whoCarer)
	}
	d.carerNm.SetText(p.PreparedBy.Name)
	d.relation.SetText(p.PreparedBy.Relationship)
	d.cPhone.SetText(p.PreparedBy.Phone)
	d.cEmail.SetText(p.PreparedBy.Email)
	d.filling = false
	d.said.clear()

	body := container.NewVBox(
		d.saved,
		widget.NewForm(
			widget.NewFormItem("Name", d.nameField),
			widget.NewFormItem("Date of birth", d.bornField),
		),
		widget.NewLabelWithStyle("Hospital and insurance numbers", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("They go on the packet's cover, so the clinic can find the right records."),
		d.idBox,
		container.NewHBox(d.addID),
		widget.NewLabelWithStyle("Contact", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewForm(
			widget.NewFormItem("Phone", d.phone),
			widget.NewFormItem("Email", d.email),
			widget.NewFormItem("Address", d.address),
		),
		widget.NewLabelWithStyle("Who prepares the packet", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		d.who,
		d.carer,
	)
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(640, 460))
	var dlg dialog.Dialog
	done := widget.NewButton("Done", func() { a.closeDialog(dlg) })
	done.Importance = widget.HighImportance
	trash := widget.NewButtonWithIcon("Move "+p.FullName+" to the Trash", theme.DeleteIcon(), func() {
		a.closeDialog(dlg)
		a.trashPerson(p)
	})
	trash.Importance = widget.DangerImportance
	dlg = dialog.NewCustomWithoutButtons(p.FullName, container.NewBorder(nil,
		container.NewVBox(d.problem, container.NewHBox(trash, layout.NewSpacer(), done)), nil, nil, scroll), a.win)
	dlg.SetOnClosed(func() { d.saver.flush() })
	d.dialog = dlg
	a.pushEscape(dlg, nil)
	dlg.Show()
}

// save keeps the edits (debounced). A missing name or a date that cannot
// be read is said under the form and left as it was; the rest is saved.
// UI goroutine.
func (d *personDialog) save() {
	a := d.a
	if a.person.ID == "" {
		return
	}
	p := a.person
	d.said.clear()
	const rest = " Everything else is saved."
	if name := strings.TrimSpace(d.name.Text); name != "" {
		p.FullName = name
	} else {
		d.said.show("FullName", &records.Problem{Msg: "Please write the person's name." + rest})
	}
	if born, err := records.ParseDate(d.born.Text); err != nil {
		d.said.show("DateOfBirth", &records.Problem{Msg: records.Explain(err) + rest, Err: err})
	} else {
		p.DateOfBirth = born
	}
	p.Phone, p.Email, p.Address = strings.TrimSpace(d.phone.Text), strings.TrimSpace(d.email.Text), strings.TrimSpace(d.address.Text)
	p.Identifiers = nil
	for _, r := range d.ids {
		p.Identifiers = append(p.Identifiers, records.Identifier{Label: strings.TrimSpace(r.label.Text), Value: strings.TrimSpace(r.value.Text)})
	}
	if d.who.Selected == whoCarer {
		p.PreparedBy = records.Preparer{Name: strings.TrimSpace(d.carerNm.Text), Relationship: strings.TrimSpace(d.relation.Text),
			Phone: strings.TrimSpace(d.cPhone.Text), Email: strings.TrimSpace(d.cEmail.Text)}
	} else {
		p.PreparedBy = records.Preparer{Self: true}
	}
	if err := a.store.SavePerson(a.ctx, &p); a.retryIfBusy(err) {
		// kept and saved again shortly ("Saving…")
	} else if err != nil {
		d.said.show("", err)
	} else {
		a.person = p
		a.reloadPeople()
		a.win.SetTitle("Second Opinion - " + p.FullName)
	}
}
