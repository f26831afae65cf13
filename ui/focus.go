package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Keyboard users (Tab) and everyone whose form is taller than the window
// must see the field they are typing in: Fyne does not scroll a focused
// field into view by itself. scrollIntoView finds the scroll containers
// around a field and moves each just enough to show it.

// scrollIntoView scrolls every scroll container that holds obj so that obj
// is visible. UI goroutine.
func (a *App) scrollIntoView(obj fyne.CanvasObject) {
	path := pathIn(a.win.Canvas(), obj)
	d := fyne.CurrentApp().Driver()
	for i := len(path) - 1; i >= 0; i-- {
		sc, ok := path[i].(*container.Scroll)
		if !ok {
			continue
		}
		top := d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(sc).Y
		h, view := obj.Size().Height, sc.Size().Height
		switch {
		case top < 0:
			sc.Offset.Y += top
		case top+h > view:
			sc.Offset.Y += min(top+h-view, top)
		default:
			continue
		}
		sc.Offset.Y = max(sc.Offset.Y, 0)
		sc.Refresh()
	}
}

// pathIn is the path to obj in canvas c (see pathTo), looked for in the
// overlays (dialogs, pop-ups) from the top one down, then in the content;
// nil when c does not show obj.
func pathIn(c fyne.Canvas, obj fyne.CanvasObject) []fyne.CanvasObject {
	var path []fyne.CanvasObject
	overlays := c.Overlays().List()
	for i := len(overlays) - 1; i >= 0; i-- {
		if pathTo(overlays[i], obj, &path) {
			return path
		}
	}
	if pathTo(c.Content(), obj, &path) {
		return path
	}
	return nil
}

// pathTo finds obj inside root, through the containers and container
// widgets the app uses, and appends the objects on the way (root first).
func pathTo(root, obj fyne.CanvasObject, path *[]fyne.CanvasObject) bool {
	if root == nil {
		return false
	}
	if root == obj {
		return true
	}
	*path = append(*path, root)
	var kids []fyne.CanvasObject
	switch r := root.(type) {
	case *fyne.Container:
		kids = r.Objects
	case *container.Scroll:
		kids = []fyne.CanvasObject{r.Content}
	case *container.AppTabs:
		if t := r.Selected(); t != nil {
			kids = []fyne.CanvasObject{t.Content}
		}
	case *container.Split:
		kids = []fyne.CanvasObject{r.Leading, r.Trailing}
	case *widget.Form:
		for _, it := range r.Items {
			kids = append(kids, it.Widget)
		}
	case *widget.PopUp:
		kids = []fyne.CanvasObject{r.Content}
	}
	for _, k := range kids {
		if pathTo(k, obj, path) {
			return true
		}
	}
	*path = (*path)[:len(*path)-1]
	return false
}
