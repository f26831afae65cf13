package ui

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/export"
	"secondopinion/records"
)

// differsText marks a compared row where the opinions differ: a word and
// an icon and shading, never colour alone.
const differsText = "Differs"

// compareView sets a case's opinions side by side (on Case & referral,
// under the opinions), with the questions to take back when they differ
// and a PDF of the comparison.
type compareView struct {
	a        *App
	box      *fyne.Container
	differs  map[string]bool           // row key -> marked "Differs" (tests)
	agree    map[string]*widget.Check  // row key -> its "These agree" box
	addQ     map[string]*widget.Button // differ question -> its Add button (tests)
	save     *widget.Button
	result   *widget.Label
	open     *widget.Button
	lastPath string
	saving   bool
}

func newCompareView(a *App) *compareView {
	v := &compareView{a: a, box: container.NewVBox()}
	v.save = widget.NewButtonWithIcon("Save comparison as PDF...", theme.DocumentSaveIcon(), v.onSave)
	v.result = hint("")
	v.result.Hide()
	v.open = widget.NewButtonWithIcon("Open", theme.FileIcon(), func() { a.openPath(v.lastPath) })
	v.open.Hide()
	return v
}

func (v *compareView) content() fyne.CanvasObject { return v.box }

// show lays the opinions side by side. UI goroutine.
func (v *compareView) show(ops []records.Opinion) {
	v.box.Objects = nil
	v.differs = map[string]bool{}
	v.agree = map[string]*widget.Check{}
	v.addQ = map[string]*widget.Button{}
	if len(ops) < 2 {
		v.box.Add(hint("When two opinions are recorded, they are set side by side here, with what differs marked."))
		v.box.Refresh()
		return
	}
	cmp := records.CompareOpinions(ops).WithAgreed(v.a.kase.Agree)
	var differ []string
	for _, r := range cmp.Rows {
		if r.Differs {
			differ = append(differ, strings.ToLower(r.Label))
		}
	}
	if cmp.Differs() {
		v.box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.WarningIcon())), nil,
			wrapped(widget.NewLabelWithStyle("The opinions differ on the "+strings.Join(differ, " and the ")+".", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))))
	} else {
		v.box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.ConfirmIcon())), nil,
			hint("As recorded, the opinions agree on the diagnosis and the recommended treatment.")))
	}

	cols := len(ops) + 1
	head := container.NewGridWithColumns(cols, widget.NewLabel(""))
	for _, o := range ops {
		head.Add(widget.NewLabelWithStyle(tlOrdinalOpinion(o.Position), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	v.box.Add(head)
	v.box.Add(widget.NewSeparator())
	for _, r := range cmp.Rows {
		label := widget.NewLabelWithStyle(r.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		label.Wrapping = fyne.TextWrapWord
		first := container.NewVBox(label)
		if r.Differs {
			v.differs[r.Key] = true
			mark := widget.NewLabelWithStyle(differsText, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			mark.Importance = widget.WarningImportance
			first.Add(container.NewHBox(widget.NewIcon(theme.WarningIcon()), mark))
		}
		if r.AddsDetail && !r.MarkedAgree {
			first.Add(hint("One adds detail to the other"))
		}
		if r.Differs || r.MarkedAgree || r.AddsDetail {
			// The patient knows best whether two wordings mean the same.
			key := r.Key
			agree := widget.NewCheck("These agree", nil)
			agree.SetChecked(r.MarkedAgree)
			agree.OnChanged = func(on bool) { v.onAgree(key, on, ops) }
			v.agree[key] = agree
			first.Add(agree)
		}
		row := container.NewGridWithColumns(cols, first)
		for _, val := range r.Values {
			l := widget.NewLabel(orText(val, "Not recorded"))
			l.Wrapping = fyne.TextWrapWord
			if val == "" {
				l.TextStyle.Italic = true
				l.Importance = widget.LowImportance
			}
			row.Add(l)
		}
		if r.Differs {
			shade := canvas.NewRectangle(tint(theme.Color(theme.ColorNameWarning)))
			shade.CornerRadius = theme.InputRadiusSize()
			v.box.Add(container.NewStack(shade, row))
		} else {
			v.box.Add(row)
		}
	}
	v.box.Add(widget.NewSeparator())
	v.box.Add(widget.NewLabelWithStyle("When the opinions differ", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	v.box.Add(hint("It is normal for doctors to disagree. These questions help you ask each doctor about the other's view; add the ones you want to your questions."))
	v.box.Add(differQuestions(v.a, v.addQ, nil))
	v.box.Add(container.NewHBox(v.save, v.open))
	v.box.Add(v.result)
	v.box.Refresh()
}

// onAgree stores the patient's "these agree" mark for a row and lays the
// comparison out again. UI goroutine.
func (v *compareView) onAgree(key string, on bool, ops []records.Opinion) {
	a := v.a
	if err := a.store.SetRowsAgree(a.ctx, a.kase.ID, key, on); err != nil {
		a.showError(err)
		return
	}
	if c, err := a.store.Case(a.ctx, a.kase.ID); err == nil {
		a.kase.Agree, a.kase.Updated = c.Agree, c.Updated
	}
	v.show(ops)
}

// wrapped makes a label wrap at word boundaries, so a long sentence never
// widens the window.
func wrapped(l *widget.Label) *widget.Label {
	l.Wrapping = fyne.TextWrapWord
	return l
}

// tint is a colour made faint enough to shade a row behind text.
func tint(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x38}
}

// tlOrdinalOpinion is a column's heading: "First opinion", "Second opinion".
func tlOrdinalOpinion(n int) string {
	words := []string{"First", "Second", "Third", "Fourth", "Fifth"}
	if n >= 1 && n <= len(words) {
		return words[n-1] + " opinion"
	}
	return fmt.Sprintf("Opinion %d", n)
}

// onSave asks where to save the comparison, then writes it.
func (v *compareView) onSave() {
	a := v.a
	if v.saving {
		return
	}
	name := fmt.Sprintf("Comparing the opinions - %s - %s.pdf", safeName(a.person.FullName), a.store.Now().Format("2006-01-02"))
	_ = a.askSavePath(name, ".pdf", func(path string) error { return export.CheckTarget(a.store, path) }, v.saveTo)
}

// saveTo writes the comparison off the UI goroutine. UI goroutine.
func (v *compareView) saveTo(path string) {
	a := v.a
	v.saving = true
	v.save.Disable()
	v.open.Hide()
	v.result.SetText("Making the comparison...")
	v.result.Show()
	opt := export.Options{PersonID: a.person.ID, CaseID: a.kase.ID}
	store, ctx := a.store, a.ctx
	a.async(func() {
		res, err := export.WriteComparison(ctx, store, path, opt)
		fyne.Do(func() {
			v.saving = false
			v.save.Enable()
			if err != nil {
				v.result.Hide()
				a.showError(err)
				return
			}
			v.lastPath = res.Path
			v.result.SetText(fmt.Sprintf("Saved %s: %s. You can print it or take it to your next appointment.", filepath.Base(res.Path), plural(res.Pages, "page", "pages")))
			v.open.Show()
		})
	})
}
