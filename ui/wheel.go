package ui

import (
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The mouse wheel must move a long form wherever the pointer is. Fyne gives
// a wheel event to the innermost scrollable thing under the pointer and to
// nothing else, and every Fyne entry holds a scroller of its own (for text
// wider or taller than the field). So when a field passed under the pointer
// the page stopped, although the field had nothing to scroll. Each of our
// fields therefore carries a transparent wheel catcher over itself: it
// scrolls the field's own text only when a multi-line field holds more than
// it shows, and otherwise hands the wheel to the nearest scroll container
// around the field that can still move that way.

// wheelCatcher lies over a field and takes its wheel events. It is not
// tappable, focusable or hoverable, so clicks, selection and the text cursor
// still reach the field under it.
type wheelCatcher struct {
	widget.BaseWidget
	field     fyne.CanvasObject // the field as the window's tree holds it
	multiLine func() bool
	inner     func() *container.Scroll // the field's own scroller, or nil
}

func newWheelCatcher(field fyne.CanvasObject, multiLine func() bool) *wheelCatcher {
	c := &wheelCatcher{field: field, multiLine: multiLine}
	c.ExtendBaseWidget(c)
	return c
}

func (c *wheelCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// Scrolled runs on the UI goroutine.
func (c *wheelCatcher) Scrolled(ev *fyne.ScrollEvent) {
	if c.multiLine() && c.inner != nil {
		if sc := c.inner(); sc != nil && canScroll(sc, 0, ev.Scrolled.DY) && ev.Scrolled.DY != 0 {
			sc.Scrolled(ev)
			return
		}
	}
	passWheel(c.field, ev)
}

// passWheel gives ev to the innermost scroll container around obj, in the
// window or dialog that shows it, that can move in the wheel's direction.
// UI goroutine.
func passWheel(obj fyne.CanvasObject, ev *fyne.ScrollEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(obj)
	if c == nil {
		return
	}
	path := pathIn(c, obj)
	for i := len(path) - 1; i >= 0; i-- {
		if sc, ok := path[i].(*container.Scroll); ok && canScroll(sc, ev.Scrolled.DX, ev.Scrolled.DY) {
			sc.Scrolled(ev)
			return
		}
	}
}

// canScroll says whether sc would move for a wheel turn of (dx, dy),
// following Fyne's rule that a vertical turn moves a scroller that can only
// move sideways.
func canScroll(sc *container.Scroll, dx, dy float32) bool {
	if sc.Content == nil || sc.Direction == container.ScrollNone {
		return false
	}
	content, view := sc.Content.MinSize().Max(sc.Content.Size()), sc.Size()
	if view.Width < content.Width && view.Height >= content.Height && dx == 0 {
		dx, dy = dy, dx
	}
	vertical := sc.Direction == container.ScrollBoth || sc.Direction == container.ScrollVerticalOnly
	horizontal := sc.Direction == container.ScrollBoth || sc.Direction == container.ScrollHorizontalOnly
	// A wheel turn up (dy > 0) lowers the offset.
	if vertical && dy > 0 && sc.Offset.Y > 0 {
		return true
	}
	if vertical && dy < 0 && sc.Offset.Y < content.Height-view.Height {
		return true
	}
	if horizontal && dx > 0 && sc.Offset.X > 0 {
		return true
	}
	return horizontal && dx < 0 && sc.Offset.X < content.Width-view.Width
}

// wheelRenderer is a field's own renderer with the wheel catcher on top.
// A field that grows (a text area) also gets taller with its text.
type wheelRenderer struct {
	fyne.WidgetRenderer
	catcher  *wheelCatcher
	grow     func(width float32) float32 // extra height the text needs at width; nil for fields that do not grow
	refresh  func()                      // refreshes the field (and so its size)
	width    float32                     // the width last laid out
	extra    float32                     // the extra height last given
	inLayout bool
}

// MinSize is the field's own minimum, taller by what its text needs.
func (r *wheelRenderer) MinSize() fyne.Size {
	m := r.WidgetRenderer.MinSize()
	if r.grow != nil && r.width > 0 {
		r.extra = r.grow(r.width)
		m.Height += r.extra
	}
	return m
}

// withWheel wraps a field's renderer so the wheel passes over the field.
func withWheel(field fyne.CanvasObject, r fyne.WidgetRenderer, multiLine func() bool) *wheelRenderer {
	w := &wheelRenderer{WidgetRenderer: r, catcher: newWheelCatcher(field, multiLine)}
	w.catcher.inner = w.innerScroll
	return w
}

func (r *wheelRenderer) Layout(size fyne.Size) {
	r.WidgetRenderer.Layout(size)
	r.catcher.Move(fyne.NewPos(0, 0))
	r.catcher.Resize(size)
	if r.grow != nil && size.Width != r.width && !r.inLayout {
		r.width = size.Width
		if r.grow(size.Width) != r.extra {
			// The text wraps into another number of lines at this width:
			// the field's minimum height changes, so its form lays out again.
			r.inLayout = true
			r.refresh()
			r.inLayout = false
		}
	}
}

// Objects lists the field's own objects, then the catcher, which is drawn
// and found last, so it is the one the wheel finds.
func (r *wheelRenderer) Objects() []fyne.CanvasObject {
	objs := r.WidgetRenderer.Objects()
	out := make([]fyne.CanvasObject, 0, len(objs)+1)
	return append(append(out, objs...), r.catcher)
}

// innerScroll is the field's own scroller, found among its renderer's
// objects (Fyne's Entry keeps one for long text).
func (r *wheelRenderer) innerScroll() *container.Scroll {
	for _, o := range r.WidgetRenderer.Objects() {
		if sc, ok := o.(*container.Scroll); ok && sc.Visible() {
			return sc
		}
	}
	return nil
}

// CreateRenderer gives the field its wheel catcher (see withWheel); a text
// area also grows with its text, up to maxGrowRows lines, so what was typed
// is read without scrolling inside the field.
func (e *formEntry) CreateRenderer() fyne.WidgetRenderer {
	r := withWheel(e, e.Entry.CreateRenderer(), func() bool { return e.MultiLine })
	r.grow, r.refresh = e.extraHeight, e.Refresh
	return r
}

// maxGrowRows is the most lines a text area grows to; longer text scrolls
// inside it.
const maxGrowRows = 12

// extraHeight is how much taller than its set rows the text area must be
// to show its text at width (up to maxGrowRows lines).
func (e *formEntry) extraHeight(width float32) float32 {
	if e.rows == 0 || !e.MultiLine || e.Wrapping == fyne.TextWrapOff || e.Text == "" {
		return 0
	}
	th := e.Theme()
	size := th.Size(theme.SizeNameText)
	inner := width - 2*th.Size(theme.SizeNameInnerPadding) - 2*th.Size(theme.SizeNameInputBorder) - th.Size(theme.SizeNameScrollBarSmall)
	lines := wrappedLines(e.Text, inner, func(s string) float32 { return fyne.MeasureText(s, size, e.TextStyle).Width })
	rows := min(lines, maxGrowRows)
	if rows <= e.rows {
		return 0
	}
	return float32(rows-e.rows) * fyne.MeasureText("M", size, e.TextStyle).Height
}

// wrappedLines counts the lines text takes when its words are wrapped to
// width, as measured by measure.
func wrappedLines(text string, width float32, measure func(string) float32) int {
	if width <= 0 {
		return 1
	}
	lines := 0
	for _, para := range strings.Split(text, "\n") {
		lines++
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if line != "" && measure(try) > width {
				lines++
				line = word
			} else {
				line = try
			}
			if measure(word) > width { // a word longer than the line is broken across lines
				lines += int(math.Ceil(float64(measure(word)/width))) - 1
				line = word // its last piece: counted as a full line, so the next word starts a new one
			}
		}
	}
	return lines
}

// CreateRenderer gives the field its wheel catcher (see withWheel).
func (e *formSelectEntry) CreateRenderer() fyne.WidgetRenderer {
	return withWheel(e, e.SelectEntry.CreateRenderer(), func() bool { return false })
}
