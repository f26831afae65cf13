package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records/guide"
)

// Texts of a library question's button, as the user reads them.
const (
	addedText   = "Added"
	alreadyText = "Already in your list"
)

// libraryDialog is the question library: suggestions grouped by the moment
// they are for, each with one-click Add; the referral group is words to say
// to the current doctor, with Copy.
type libraryDialog struct {
	a       *App
	add     map[string]*widget.Button // by question text (tests)
	copy    map[string]*widget.Button // by phrasing text (tests)
	tabs    *container.AppTabs
	dialog  dialog.Dialog
	onAdded func() // after a question was added (UI goroutine)
}

// onSuggested opens the question library over the Questions screen.
func (s *questionsScreen) onSuggested() {
	a := s.a
	l := &libraryDialog{a: a, add: map[string]*widget.Button{}, copy: map[string]*widget.Button{}, onAdded: s.refresh}
	s.library = l
	var tabs []*container.TabItem
	var phrasing *container.TabItem
	for _, g := range guide.Library() {
		rows := container.NewVBox(hint(g.Note))
		for _, q := range g.Questions {
			if g.Phrasing() {
				rows.Add(l.phrasingRow(q))
			} else {
				rows.Add(l.questionRow(q))
			}
		}
		item := container.NewTabItem(g.Title, container.NewVScroll(container.NewPadded(rows)))
		if g.Phrasing() {
			phrasing = item // shown last: it is not for the second doctor
			continue
		}
		tabs = append(tabs, item)
	}
	if phrasing != nil {
		phrasing.Text = "Words for asking for a referral"
		tabs = append(tabs, phrasing)
	}
	l.tabs = container.NewAppTabs(tabs...)
	var d dialog.Dialog
	done := widget.NewButton("Done", func() { a.closeDialog(d) })
	done.Importance = widget.HighImportance
	body := container.NewBorder(
		hint("Questions other patients found useful. Add the ones that fit; you can change their words afterwards in your list."),
		container.NewHBox(layout.NewSpacer(), done), nil, nil, l.tabs)
	d = dialog.NewCustomWithoutButtons("Suggested questions", body, a.win)
	l.dialog = d
	a.pushEscape(d, nil)
	d.Resize(fyne.NewSize(820, 580))
	d.Show()
}

// questionRow is one suggestion with its Add button.
func (l *libraryDialog) questionRow(q string) fyne.CanvasObject {
	text := widget.NewLabel(q)
	text.Wrapping = fyne.TextWrapWord
	b, control := libraryAdd(l.a, q, "Add", func() {
		if l.onAdded != nil {
			l.onAdded()
		}
	})
	l.add[q] = b
	return container.NewBorder(nil, nil, nil, control, text)
}

// libraryAdd is the button that adds one library question to the current
// case. Once tapped, it gives way to a plain sentence with a tick: "Added",
// or "Already in your list" when the list had it (a disabled button would
// be too faint to read). onAdded runs when the list changed. UI goroutine.
func libraryAdd(a *App, q, label string, onAdded func()) (*widget.Button, fyne.CanvasObject) {
	status := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	icon := widget.NewIcon(theme.ConfirmIcon())
	done := container.NewHBox(icon, status)
	done.Hide()
	var b *widget.Button
	b = widget.NewButtonWithIcon(label, theme.ContentAddIcon(), func() {
		n, err := guide.AddFromLibrary(a.ctx, a.store, a.kase.ID, []string{q})
		if err != nil {
			a.showError(err)
			return
		}
		b.SetText(addedText)
		if n == 0 {
			b.SetText(alreadyText)
		}
		status.SetText(b.Text)
		b.Disable()
		b.Hide()
		done.Show()
		if n > 0 && onAdded != nil {
			onAdded()
		}
	})
	return b, container.NewStack(b, done)
}

// phrasingRow is a suggested sentence to say to the current doctor.
func (l *libraryDialog) phrasingRow(q string) fyne.CanvasObject {
	text := widget.NewLabel("\u201c" + q + "\u201d")
	text.Wrapping = fyne.TextWrapWord
	var b *widget.Button
	b = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		l.a.fyne.Clipboard().SetContent(q)
		b.SetText("Copied")
	})
	l.copy[q] = b
	return container.NewBorder(nil, nil, nil, b, text)
}

// differQuestions lists the questions for when the opinions differ, each
// with an "Add to my questions" button. onAdded runs after one was added.
func differQuestions(a *App, buttons map[string]*widget.Button, onAdded func()) fyne.CanvasObject {
	box := container.NewVBox()
	for _, q := range guide.DifferQuestions() {
		text := widget.NewLabel(q)
		text.Wrapping = fyne.TextWrapWord
		b, control := libraryAdd(a, q, "Add to my questions", onAdded)
		if buttons != nil {
			buttons[q] = b
		}
		box.Add(container.NewBorder(nil, nil, nil, control, text))
	}
	return box
}
