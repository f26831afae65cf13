package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
	"secondopinion/records/sample"
)

// welcomeScreen is the first run: what the app does, then who the packet is
// for; or a sample person to explore.
type welcomeScreen struct {
	a      *App
	form   *personForm
	start  *widget.Button
	sample *widget.Button
}

func newWelcomeScreen(a *App) *welcomeScreen {
	s := &welcomeScreen{a: a, form: newPersonForm(a)}
	s.start = widget.NewButton("Start", s.onStart)
	s.start.Importance = widget.HighImportance
	s.form.onSubmit = s.onStart
	s.sample = widget.NewButton("Explore with a sample person", s.onSample)
	return s
}

func (s *welcomeScreen) refresh() {}

func (s *welcomeScreen) content() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Welcome to Second Opinion", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	intro := hint("Second Opinion keeps medical reports, scans, results, letters and medicines together in one private file on this computer. " +
		"When you are ready, it makes one tidy PDF packet, with your questions, for the doctor giving the second opinion.")
	items := []fyne.CanvasObject{title, intro, widget.NewSeparator(), heading("Who are you preparing for?"), s.form.withProblem(),
		container.NewHBox(s.start)}
	if LoadSample != nil {
		items = append(items, widget.NewSeparator(),
			hint("Just looking? Try the app with made-up records first; you can add your own person later."),
			container.NewHBox(s.sample))
	}
	box := container.NewVBox(items...)
	return container.NewVScroll(container.NewCenter(container.New(narrow{width: 620}, box)))
}

func (s *welcomeScreen) onStart() {
	p, err := s.form.person()
	if err == nil {
		err = s.a.createPerson(&p)
	}
	if s.form.show(err) {
		return
	}
	s.a.enterMain(p.ID)
}

func (s *welcomeScreen) onSample() {
	if LoadSample == nil {
		return
	}
	a := s.a
	s.sample.Disable()
	s.start.Disable()
	wait := dialog.NewCustomWithoutButtons("Making the sample person", container.NewVBox(
		widget.NewLabel("Writing made-up letters, reports and photos. This takes a few seconds."),
		widget.NewProgressBarInfinite()), a.win)
	wait.Show()
	a.async(func() {
		p, err := LoadSample(a.ctx, a.store)
		fyne.Do(func() {
			wait.Hide()
			s.sample.Enable()
			s.start.Enable()
			if err != nil && !errors.Is(err, sample.ErrPresent) {
				a.showError(err)
				return
			}
			a.enterMain(p.ID) // the sample person, made now or already there
		})
	})
}

// personForm asks for a person: name, date of birth, and who prepares the
// packet (the person themself or a carer, with the carer's details).
type personForm struct {
	a        *App
	name     *formEntry
	born     *formEntry
	who      *widget.RadioGroup
	carer    *fyne.Container
	carerNm  *formEntry
	relation *formEntry
	phone    *formEntry
	email    *formEntry
	problem  *widget.Label
	said     *fieldNotes // problems under their fields
	onSubmit func()
	box      fyne.CanvasObject
}

const (
	whoSelf  = "Myself"
	whoCarer = "Someone I care for"
)

func newPersonForm(a *App) *personForm {
	f := &personForm{a: a}
	f.name = a.newEntry("Full name, as on their letters")
	f.born = a.newEntry("Year-month-day, for example 1961-04-23")
	f.carerNm = a.newEntry("Your name")
	f.relation = a.newEntry("For example: daughter, husband, friend")
	f.phone = a.newEntry("Your phone number (optional)")
	f.email = a.newEntry("Your email (optional)")
	f.problem = problemLabel()
	f.said = a.newFieldNotes(f.problem)
	for _, e := range []*formEntry{f.name, f.born, f.carerNm, f.relation, f.phone, f.email} {
		e.OnSubmitted = func(string) {
			if f.onSubmit != nil {
				f.onSubmit()
			}
		}
	}
	carerForm := widget.NewForm(
		widget.NewFormItem("Your name", f.said.under("PreparedBy", f.carerNm)),
		widget.NewFormItem("You are their", f.relation),
		widget.NewFormItem("Your phone", f.phone),
		widget.NewFormItem("Your email", f.email),
	)
	f.carer = container.NewVBox(hint("Your details go on the packet's cover, so the clinic knows whom to contact."), carerForm)
	f.carer.Hide()
	f.who = widget.NewRadioGroup([]string{whoSelf, whoCarer}, func(v string) {
		if v == whoCarer {
			f.carer.Show()
		} else {
			f.carer.Hide()
		}
	})
	f.who.Horizontal = true
	f.who.Required = true
	f.who.SetSelected(whoSelf)
	f.box = container.NewVBox(
		widget.NewForm(
			widget.NewFormItem("Name", f.said.under("FullName", f.name)),
			widget.NewFormItem("Date of birth", f.said.under("DateOfBirth", f.born)),
			widget.NewFormItem("This is for", f.who),
		),
		f.carer)
	return f
}

func (f *personForm) content() fyne.CanvasObject { return f.box }

// show says err next to its field (or under the form); it reports whether
// there was a problem. UI goroutine.
func (f *personForm) show(err error) bool {
	f.said.clear()
	return f.said.show("", err)
}

// withProblem is the form with its problem label below (the welcome screen;
// a dialog shows the label by its buttons instead).
func (f *personForm) withProblem() fyne.CanvasObject { return container.NewVBox(f.box, f.problem) }

// person reads the form; a mistake comes back as a records.Problem.
func (f *personForm) person() (records.Person, error) {
	p := records.Person{FullName: strings.TrimSpace(f.name.Text)}
	if p.FullName == "" {
		return p, &records.Problem{Msg: "Please write the name of the person the second opinion is for.", Field: "FullName"}
	}
	born, err := records.ParseDate(f.born.Text)
	if err != nil {
		return p, &records.Problem{Msg: records.Explain(err), Err: err, Field: "DateOfBirth"}
	}
	p.DateOfBirth = born
	if f.who.Selected == whoCarer {
		p.PreparedBy = records.Preparer{Name: strings.TrimSpace(f.carerNm.Text), Relationship: strings.TrimSpace(f.relation.Text),
			Phone: strings.TrimSpace(f.phone.Text), Email: strings.TrimSpace(f.email.Text)}
		if p.PreparedBy.Name == "" {
			return p, &records.Problem{Msg: "Please write your own name, so the clinic knows who is helping.", Field: "PreparedBy"}
		}
	} else {
		p.PreparedBy.Self = true
	}
	return p, nil
}
