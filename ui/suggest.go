package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
)

// suggestions shows, on a document's details, what its text (a PDF's text
// layer, or what OCR read from a photo) suggests for the date, source,
// kind and title, each with a Use button. Nothing changes by itself: Use
// fills the field, which is then saved as if typed.
type suggestions struct {
	s   *documentsScreen
	box *fyne.Container
	// Shown rows' Use buttons by field ("date", "source", "kind", "title"),
	// for tests. UI goroutine.
	use map[string]*widget.Button
	seq int    // numbers loads, so a slow old answer never shows (UI goroutine)
	doc string // the document the shown suggestions are for
	// ignored are the fields the user dismissed, per document, for this
	// session.
	ignored map[string]bool
}

func newSuggestions(s *documentsScreen) *suggestions {
	g := &suggestions{s: s, box: container.NewVBox(), use: map[string]*widget.Button{}, ignored: map[string]bool{}}
	g.box.Hide()
	return g
}

// load reads the suggestions for document id in the background. UI
// goroutine.
func (g *suggestions) load(id string) {
	g.seq++
	seq := g.seq
	if id != g.doc {
		g.show(records.Suggestion{})
	}
	g.doc = id
	if id == "" {
		return
	}
	store, ctx := g.s.a.store, g.s.a.ctx
	g.s.a.async(func() {
		sg, err := store.Suggestions(ctx, id)
		fyne.Do(func() {
			if seq != g.seq || err != nil {
				return
			}
			g.show(sg)
		})
	})
}

// reload reads the suggestions of the document on show again (after OCR
// read more of it). UI goroutine.
func (g *suggestions) reload() {
	if g.s.doc.ID != "" && !g.s.doc.Trashed {
		g.load(g.s.doc.ID)
	}
}

// show lays out one row per suggested field. UI goroutine.
func (g *suggestions) show(sg records.Suggestion) {
	g.box.Objects = nil
	g.use = map[string]*widget.Button{}
	add := func(field, label, value string, apply func()) {
		if value == "" || g.ignored[g.doc+"/"+field] {
			return
		}
		text := widget.NewLabel(fmt.Sprintf("%s: %s", label, value))
		text.Wrapping = fyne.TextWrapWord
		use := widget.NewButtonWithIcon("Use", theme.ConfirmIcon(), nil)
		var row *fyne.Container
		use.OnTapped = func() {
			apply()
			g.ignored[g.doc+"/"+field] = true // used: not offered again
			g.box.Remove(row)
			delete(g.use, field)
			g.hideIfEmpty()
		}
		ignore := widget.NewButton("Ignore", func() {
			g.ignored[g.doc+"/"+field] = true
			g.box.Remove(row)
			delete(g.use, field)
			g.hideIfEmpty()
		})
		row = container.NewBorder(nil, nil, nil, container.NewHBox(use, ignore), text)
		g.box.Add(row)
		g.use[field] = use
	}
	s := g.s
	if !sg.Date.IsZero() {
		add("date", "Date", sg.Date.Human(), func() { s.date.SetText(sg.Date.Human()) })
	}
	add("source", "From", sg.Source, func() { s.source.SetText(sg.Source) })
	if sg.Kind != "" {
		add("kind", "Kind", sg.Kind.Label(), func() { s.docKind.SetSelected(sg.Kind.Label()) })
	}
	add("title", "Title", sg.Title, func() { s.title.SetText(sg.Title) })
	if len(g.box.Objects) > 0 {
		head := widget.NewLabelWithStyle("Suggested from the document's text", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		g.box.Objects = append(append([]fyne.CanvasObject{head}, g.box.Objects...), widget.NewSeparator())
		g.box.Show()
	} else {
		g.box.Hide()
	}
	g.box.Refresh()
}

func (g *suggestions) hideIfEmpty() {
	if len(g.use) == 0 {
		g.box.Objects = nil
		g.box.Hide()
	}
	g.box.Refresh()
}
