package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// questionCategories are offered in the category box; any other text works.
var questionCategories = []string{"Diagnosis", "Treatment options", "Risks and side effects", "Tests and results", "Practical matters", "Other"}

// topQuestions is how many questions are marked as the ones to ask first.
const topQuestions = 3

// questionsScreen is the list of questions for the second doctor, in
// priority order, and the chosen question's details.
type questionsScreen struct {
	a         *App
	questions []records.Question
	selected  int // index in questions, -1 for none
	list      *widget.List
	newText   *formEntry
	addButton *widget.Button
	suggested *widget.Button
	library   *libraryDialog // the open question library (tests)
	note      *widget.Label
	said      *fieldNotes // the chosen question's problems, under its text

	detail   *fyne.Container
	empty    fyne.CanvasObject
	form     fyne.CanvasObject
	text     *formEntry
	category *formSelectEntry
	asked    *widget.Check
	answer   *formEntry
	links    *fyne.Container
	up, down *widget.Button
	top      *widget.Button
	remove   *widget.Button
	saver    *saver

	box fyne.CanvasObject
}

func newQuestionsScreen(a *App) *questionsScreen {
	s := &questionsScreen{a: a, selected: -1}
	s.newText = a.newEntry("Type a question for the second doctor, then press Enter")
	s.newText.OnSubmitted = func(string) { s.onAdd() }
	s.addButton = widget.NewButtonWithIcon("Add question", theme.ContentAddIcon(), s.onAdd)
	s.addButton.Importance = widget.HighImportance
	s.suggested = widget.NewButtonWithIcon("Suggested questions...", theme.HelpIcon(), s.onSuggested)
	s.note = hint("")
	s.note.Hide()

	s.list = widget.NewList(func() int { return len(s.questions) }, func() fyne.CanvasObject {
		num := widget.NewLabelWithStyle("10.", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		mark := widget.NewLabelWithStyle("Ask first", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		text := widget.NewLabel("Question")
		text.Truncation = fyne.TextTruncateEllipsis
		state := widget.NewLabelWithStyle("Answered", fyne.TextAlignTrailing, fyne.TextStyle{Italic: true})
		return container.NewBorder(nil, nil, container.NewHBox(num, mark), state, text)
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i >= len(s.questions) {
			return
		}
		q := s.questions[i]
		c := o.(*fyne.Container)
		var text *widget.Label
		var left *fyne.Container
		var state *widget.Label
		for _, obj := range c.Objects {
			switch v := obj.(type) {
			case *fyne.Container:
				left = v
			case *widget.Label:
				if text == nil {
					text = v
				} else {
					state = v
				}
			}
		}
		left.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%d.", i+1))
		mark := left.Objects[1].(*widget.Label)
		if i < topQuestions {
			mark.SetText("Ask first")
			mark.Importance = widget.HighImportance
		} else {
			mark.SetText("")
		}
		mark.Refresh()
		text.SetText(q.Text)
		st := ""
		if q.Asked {
			st = "Asked"
			if q.Answer != "" {
				st = "Answered"
			}
		}
		state.SetText(st)
	})
	s.list.OnSelected = func(i widget.ListItemID) { s.selectQuestion(i) }

	s.saver = a.newSaver(s.save)
	s.text = a.newTextArea("The question", 2)
	s.said = a.newFieldNotes(nil)
	s.said.scroll = nil // saved as typed
	s.category = a.newSelectEntry(questionCategories)
	s.category.PlaceHolder = "Category (optional)"
	s.asked = widget.NewCheck("I asked this at the appointment", func(bool) { s.saver.poke() })
	s.answer = a.newTextArea("The answer, in your own words", 4)
	s.text.OnChanged = func(string) { s.saver.poke() }
	s.category.OnChanged = func(string) { s.saver.poke() }
	s.answer.OnChanged = func(string) { s.saver.poke() }
	s.links = container.NewVBox()
	s.up = widget.NewButtonWithIcon("Move up (Alt+Up)", theme.MoveUpIcon(), func() { s.onMove(-1) })
	s.down = widget.NewButtonWithIcon("Move down (Alt+Down)", theme.MoveDownIcon(), func() { s.onMove(+1) })
	s.top = widget.NewButton("Move to the top", func() { s.moveTo(1) })
	s.remove = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), s.onDelete)
	s.remove.Importance = widget.DangerImportance
	link := widget.NewButtonWithIcon("Link to documents...", theme.ContentAddIcon(), s.onLink)

	s.form = container.NewVScroll(container.NewVBox(
		container.NewHBox(s.up, s.down, s.top),
		widget.NewForm(
			widget.NewFormItem("Question", s.said.under("Text", s.text)),
			widget.NewFormItem("Category", s.category),
		),
		s.asked,
		widget.NewForm(widget.NewFormItem("Answer", s.answer)),
		heading("About these documents"),
		s.links,
		container.NewHBox(link),
		widget.NewSeparator(),
		container.NewHBox(s.remove),
	))
	s.empty = container.NewVBox(hint("Choose a question to change it, move it, or write down the answer."))
	s.detail = container.NewStack(s.empty)

	top := container.NewVBox(heading("Questions"),
		hint(fmt.Sprintf("The most important first: appointments are short, so the top %d are marked \"Ask first\".", topQuestions)),
		container.NewBorder(nil, nil, nil, container.NewHBox(s.addButton, s.suggested), s.newText), s.note)
	split := container.NewHSplit(s.list, container.NewPadded(s.detail))
	split.Offset = 0.55
	s.box = container.NewBorder(top, nil, nil, nil, split)
	return s
}

func (s *questionsScreen) content() fyne.CanvasObject { return s.box }

func (s *questionsScreen) refresh() {
	s.saver.flush()
	var id string
	if s.selected >= 0 && s.selected < len(s.questions) {
		id = s.questions[s.selected].ID
	}
	qs, err := s.a.store.Questions(s.a.ctx, s.a.kase.ID)
	if err != nil {
		s.a.showError(err)
	}
	s.questions = qs
	s.list.UnselectAll()
	s.selected = -1
	s.detail.Objects = []fyne.CanvasObject{s.empty}
	for i, q := range qs {
		if q.ID == id {
			s.list.Select(i)
		}
	}
	s.list.Refresh()
	s.detail.Refresh()
}

func (s *questionsScreen) selectQuestion(i int) {
	s.saver.flush()
	if i < 0 || i >= len(s.questions) {
		return
	}
	s.selected = i
	s.said.clear()
	q := s.questions[i]
	setQuiet(s.text, q.Text)
	fn := s.category.OnChanged
	s.category.OnChanged = nil
	s.category.SetText(q.Category)
	s.category.OnChanged = fn
	setCheckQuiet(s.asked, q.Asked)
	setQuiet(s.answer, q.Answer)
	if i == 0 {
		s.up.Disable()
		s.top.Disable()
	} else {
		s.up.Enable()
		s.top.Enable()
	}
	if i == len(s.questions)-1 {
		s.down.Disable()
	} else {
		s.down.Enable()
	}
	s.showLinks(q)
	s.detail.Objects = []fyne.CanvasObject{s.form}
	s.detail.Refresh()
}

func (s *questionsScreen) showLinks(q records.Question) {
	s.links.Objects = nil
	if len(q.Documents) == 0 {
		s.links.Add(widget.NewLabel("No documents linked."))
	}
	for _, id := range q.Documents {
		d, err := s.a.store.Document(s.a.ctx, id)
		if err != nil {
			continue
		}
		s.links.Add(widget.NewLabel(d.Title + "  (" + orText(d.Date.Short(), "no date") + ")"))
	}
	s.links.Refresh()
}

func (s *questionsScreen) onAdd() {
	q := records.Question{CaseID: s.a.kase.ID, Text: s.newText.Text}
	added, err := s.a.store.AddQuestion(s.a.ctx, &q)
	if records.FieldOf(err) == "Text" { // said under the field it is about
		s.note.SetText(records.Explain(err))
		s.note.Show()
		return
	}
	if err != nil {
		s.a.showError(err)
		return
	}
	if !added {
		s.note.SetText("That question is already in the list.")
		s.note.Show()
		return
	}
	s.note.Hide()
	s.newText.SetText("")
	s.refresh()
	s.a.win.Canvas().Focus(s.newText)
}

// save keeps the chosen question's edits (debounced). UI goroutine.
func (s *questionsScreen) save() {
	if s.selected < 0 || s.selected >= len(s.questions) {
		return
	}
	q := s.questions[s.selected]
	q.Text, q.Category, q.Asked, q.Answer = s.text.Text, s.category.Text, s.asked.Checked, s.answer.Text
	s.said.clear()
	if err := s.a.store.UpdateQuestion(s.a.ctx, &q); records.FieldOf(err) != "" {
		s.said.show("", err) // kept in the field; said under it
		return
	} else if err != nil {
		s.a.showError(err)
		return
	}
	s.questions[s.selected] = q
	s.list.RefreshItem(s.selected)
}

// onMove moves the chosen question up (-1) or down (+1).
func (s *questionsScreen) onMove(by int) {
	if s.selected < 0 {
		return
	}
	s.moveTo(s.selected + 1 + by)
}

// moveTo puts the chosen question at position to (1 is the top).
func (s *questionsScreen) moveTo(to int) {
	if s.selected < 0 || s.selected >= len(s.questions) || to < 1 || to > len(s.questions) {
		return
	}
	s.saver.flush()
	id := s.questions[s.selected].ID
	if err := s.a.store.MoveQuestion(s.a.ctx, id, to); err != nil {
		s.a.showError(err)
		return
	}
	s.refresh()
	s.list.ScrollTo(to - 1)
}

func (s *questionsScreen) onDelete() {
	if s.selected < 0 || s.selected >= len(s.questions) {
		return
	}
	q := s.questions[s.selected]
	u, err := s.a.store.DeleteQuestion(s.a.ctx, q.ID)
	s.selected = -1
	s.a.removed(u, err, s.refresh)
}

// onLink chooses which documents a question is about.
func (s *questionsScreen) onLink() {
	if s.selected < 0 {
		return
	}
	q := s.questions[s.selected]
	chosen := map[string]bool{}
	for _, id := range q.Documents {
		chosen[id] = true
	}
	a := s.a
	search := a.newEntry("Find a document")
	box := container.NewVBox()
	seq := 0
	fill := func(docs []records.Document) {
		box.Objects = nil
		for i, d := range docs {
			if i == 200 {
				box.Add(hint("More documents match; type a few words to find the one you mean."))
				break
			}
			id := d.ID
			c := widget.NewCheck(d.Title+"  ("+orText(d.Date.Short(), "no date")+")", func(v bool) { chosen[id] = v })
			c.SetChecked(chosen[id])
			box.Add(c)
		}
		box.Refresh()
	}
	// The search runs off the UI goroutine, as on the Documents screen.
	show := func() {
		seq++
		mine, f := seq, records.DocumentFilter{PersonID: a.person.ID, Search: search.Text}
		a.async(func() {
			docs, err := a.store.Documents(a.ctx, f)
			fyne.Do(func() {
				if mine != seq {
					return
				}
				if err != nil {
					a.showError(err)
					return
				}
				fill(docs)
			})
		})
	}
	search.OnChanged = func(string) { show() }
	show()
	var d dialog.Dialog
	save := func() {
		q.Documents = nil
		for id, v := range chosen {
			if v {
				q.Documents = append(q.Documents, id)
			}
		}
		if err := a.store.UpdateQuestion(a.ctx, &q); err != nil {
			a.showError(err)
			return
		}
		a.closeDialog(d)
		s.refresh()
	}
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(560, 320))
	d = a.formDialog("Which documents is this question about?", "Save", container.NewBorder(search, nil, nil, nil, scroll), nil, save)
}
