package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// fieldNotes shows a form's problems next to the fields they are about: a
// date that cannot be read is said under that date, not at the bottom of a
// long form where a tired user does not look. A problem about no one field
// goes to the form's general label.
type fieldNotes struct {
	notes   map[string]*widget.Label
	fields  map[string]fyne.CanvasObject
	general *widget.Label
	scroll  func(fyne.CanvasObject) // shows a field's note (scrolls it into view)
}

func (a *App) newFieldNotes(general *widget.Label) *fieldNotes {
	return &fieldNotes{notes: map[string]*widget.Label{}, fields: map[string]fyne.CanvasObject{},
		general: general, scroll: a.scrollIntoView}
}

// under returns obj with room under it for the problems of field (named as
// records names it, see records.Problem.Field).
func (n *fieldNotes) under(field string, obj fyne.CanvasObject) fyne.CanvasObject {
	l := problemLabel()
	n.notes[field] = l
	box := container.NewVBox(obj, l)
	n.fields[field] = box
	return box
}

// show says err under field, or under the field records named in err, or
// in the general label; it reports whether there was a problem. UI
// goroutine.
func (n *fieldNotes) show(field string, err error) bool {
	if err == nil {
		return false
	}
	if field == "" {
		field = records.FieldOf(err)
	}
	if l, ok := n.notes[field]; ok {
		l.SetText(records.Explain(err))
		l.Show()
		if n.scroll != nil {
			n.scroll(n.fields[field])
		}
		return true
	}
	if n.general == nil {
		return true
	}
	return showProblem(n.general, err)
}

// clear hides every problem, before the form is checked again.
func (n *fieldNotes) clear() {
	for _, l := range n.notes {
		l.Hide()
	}
	if n.general != nil {
		n.general.Hide()
	}
}
