package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// flow lays its objects out left to right and starts a new row when the
// next one does not fit, like words in a paragraph. The header uses it so
// that with large text in a small window the appointment moves to a second
// line instead of running off the edge of the window.
//
// Its minimum width is its widest object, never the whole row, so it never
// makes the window wider than the screen; its minimum height is that of
// the rows at the width it was last given.
type flow struct{ width float32 }

func newFlow(objs ...fyne.CanvasObject) *fyne.Container {
	return fyne.NewContainerWithLayout(&flow{}, objs...)
}

// rows places objs in rows no wider than width and returns each object's
// position and the size all of them take.
func (f *flow) rows(objs []fyne.CanvasObject, width float32) ([]fyne.Position, fyne.Size) {
	gap := theme.Padding()
	pos := make([]fyne.Position, len(objs))
	var x, y, rowH, maxW float32
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if x > 0 && width > 0 && x+m.Width > width {
			x, y, rowH = 0, y+rowH+gap, 0
		}
		pos[i] = fyne.NewPos(x, y)
		x += m.Width + gap
		rowH = max(rowH, m.Height)
		maxW = max(maxW, x-gap)
	}
	return pos, fyne.NewSize(maxW, y+rowH)
}

func (f *flow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	f.width = size.Width
	pos, _ := f.rows(objs, size.Width)
	// Objects in one row share its height, so a label lines up with the
	// button beside it.
	rowH := map[float32]float32{}
	for i, o := range objs {
		if o.Visible() {
			rowH[pos[i].Y] = max(rowH[pos[i].Y], o.MinSize().Height)
		}
	}
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		o.Move(pos[i])
		o.Resize(fyne.NewSize(o.MinSize().Width, rowH[pos[i].Y]))
	}
}

func (f *flow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var widest float32
	for _, o := range objs {
		if o.Visible() {
			widest = max(widest, o.MinSize().Width)
		}
	}
	// Before the first layout f.width is 0: one row, claiming only the
	// widest object's width.
	_, all := f.rows(objs, f.width)
	return fyne.NewSize(widest, all.Height)
}
