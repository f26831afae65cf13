package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// readySection is the screen where a missing readiness item is fixed.
func readySection(key string) string {
	switch key {
	case records.ReadyMedications:
		return secMedications
	case records.ReadyPlan:
		return secCase
	}
	return secDocuments
}

// maxListed is how many documents a present readiness item names before
// saying "and N more".
const maxListed = 4

// readyDocs names an item's documents: "Core biopsy (12 Mar 2024), ...".
func readyDocs(docs []records.Document) string {
	var names []string
	for i, d := range docs {
		if i == maxListed {
			names = append(names, "and "+plural(len(docs)-maxListed, "more", "more"))
			break
		}
		names = append(names, orText(d.Title, "(no title)")+" ("+orText(d.Date.Short(), "no date")+")")
	}
	return strings.Join(names, ", ")
}

// readinessRows shows readiness items as the user reads them: each state
// in words and with its own icon (never colour alone). Missing items offer
// "Go to" and "Does not apply..."; present items list their documents;
// "not applicable" items show the reason and can be undone. withMissing
// false leaves the missing items out (the overview lists them with its
// other to-dos). changed runs after the user changed a mark. UI goroutine.
func (a *App) readinessRows(items []records.ReadyItem, withMissing bool, changed func()) []fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for _, it := range items {
		key := it.Key
		label := widget.NewLabelWithStyle(it.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		label.Wrapping = fyne.TextWrapWord
		var icon fyne.Resource
		var text string
		buttons := container.NewHBox()
		switch it.State {
		case records.ReadyPresent:
			icon = theme.ConfirmIcon()
			if len(it.Documents) > 0 {
				text = "In the library: " + readyDocs(it.Documents) + "."
			} else {
				// Met by what was typed in (the medicines, the case's plan).
				text = "Recorded under " + readySection(key) + "."
			}
			if it.Note != "" {
				text += " " + it.Note
			}
		case records.ReadyNotApplicable:
			icon = theme.ContentRemoveIcon()
			text = "Does not apply"
			if r := strings.TrimSpace(it.Note); r != "" {
				text += ": " + r
			}
			buttons.Add(widget.NewButton("It applies after all", func() {
				if err := a.store.ClearNotApplicable(a.ctx, a.kase.ID, key); err != nil {
					a.showError(err)
					return
				}
				a.reloadCase()
				changed()
			}))
		default:
			if !withMissing {
				continue
			}
			icon = theme.WarningIcon()
			text = "Missing. " + it.Note
			sec := readySection(key)
			buttons.Add(widget.NewButton("Go to "+sec, func() { a.show(sec) }))
			buttons.Add(widget.NewButton("Does not apply...", func() { a.askNotApplicable(key, changed) }))
		}
		// The buttons go under the words, not beside them: on the Packet
		// screen's narrow column beside them would squeeze the text to a
		// word per line.
		col := container.NewVBox(label, hint(text))
		if len(buttons.Objects) > 0 {
			col.Add(buttons)
		}
		rows = append(rows, container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, col))
	}
	return rows
}

// reloadCase reads the current case again after a change made elsewhere.
func (a *App) reloadCase() {
	if c, err := a.store.Case(a.ctx, a.kase.ID); err == nil {
		a.kase = c
	}
}

// askNotApplicable asks why a readiness item does not apply and records
// it; changed runs after it is saved.
func (a *App) askNotApplicable(key string, changed func()) {
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
		a.reloadCase()
		changed()
	}
	reason.OnSubmitted = func(string) { save() }
	body := container.NewVBox(hint("Say briefly why, so the second doctor knows it was not forgotten."), reason)
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(520, 150))
	d = a.formDialog(records.ReadyLabel(key)+": does not apply", "Save", scroll, problem, save)
	a.win.Canvas().Focus(reason)
}
