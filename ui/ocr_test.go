package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
	"secondopinion/records/ocr"
	"secondopinion/records/ocr/ocrtest"
)

// ocrPump stands in for the UI goroutine while the OCR queue runs: the
// queue's callbacks are sent here and run by the test's goroutine (the
// test driver would otherwise run them on the queue's own goroutine), each
// timed. It returns when a run has finished, with the longest callback.
type ocrPump struct {
	calls    chan func()
	finished chan error
	longest  time.Duration
	n        int
}

func pumpOCR(a *App) *ocrPump {
	// Unbuffered: the queue waits at each callback until the test runs
	// it, as it would wait its turn on the UI goroutine, so a test's step
	// between two callbacks (a tap on Cancel) comes before the next page.
	p := &ocrPump{calls: make(chan func()), finished: make(chan error, 4)}
	a.ocr.enabled = true
	a.ocr.uiDo = func(f func()) { p.calls <- f }
	a.ocr.finished = func(_ records.OCRResult, err error) { p.finished <- err }
	return p
}

// wait runs the queue's callbacks until a run ends.
func (p *ocrPump) wait(t *testing.T) error {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case f := <-p.calls:
			start := time.Now()
			f()
			p.longest = max(p.longest, time.Since(start))
			p.n++
		case err := <-p.finished:
			return err
		case <-deadline:
			t.Fatal("the OCR queue did not finish in two minutes")
		}
	}
}

func needTesseract(t testing.TB) {
	t.Helper()
	if err := ocr.Available(); err != nil {
		t.Skip("tesseract is not installed:", err)
	}
}

// TestOCRAfterAdding: adding a photographed letter starts reading its text
// in the background, the Documents screen shows how far it got, search then
// finds a word that is only in the photo, and the details offer the
// letter's date and letterhead; Use fills the field and saves it, nothing
// changes without it.
func TestOCRAfterAdding(t *testing.T) {
	needTesseract(t)
	a := withPerson(t, "Mary Example")
	p := pumpOCR(a)
	a.show(secDocuments)
	s := a.documents
	path := filepath.Join(t.TempDir(), "IMG_0042.jpg")
	if err := os.WriteFile(path, ocrtest.JPEG(ocrtest.Letter, ocrtest.Photo{Width: 1500, Height: 2000, Angle: 1, Blur: 1, Noise: 6, Seed: 9}), 0o600); err != nil {
		t.Fatal(err)
	}
	s.addGroups([][]string{{path}}, records.KindOther, "", nil, records.AddOptions{})
	if !a.ocr.running {
		t.Fatal("adding a photo did not start reading its text")
	}
	// The first callback is the progress line, before the page is read.
	f := <-p.calls
	f()
	if !a.ocr.label.Visible() || !strings.Contains(a.ocr.label.Text, "0 of 1") || !a.ocr.stop.Visible() {
		t.Errorf("while reading: label %q (shown %v), Cancel shown %v; want \"… 0 of 1\" and Cancel", a.ocr.label.Text, a.ocr.label.Visible(), a.ocr.stop.Visible())
	}
	if err := p.wait(t); err != nil {
		t.Fatalf("the queue ended with %v", err)
	}
	if a.ocr.label.Visible() || a.ocr.stop.Visible() {
		t.Error("after reading, the progress is still shown")
	}

	test.Type(s.search, "lymphovascular")
	s.searchSaver.flush()
	if s.total != 1 {
		t.Fatalf("search for a word only in the photo lists %d documents, want 1", s.total)
	}
	s.list.Select(0)
	g := s.sugg
	if !g.box.Visible() || g.use["date"] == nil || g.use["source"] == nil {
		t.Fatalf("suggestions shown %v with %v, want the date and the source", g.box.Visible(), keys(g.use))
	}
	if d, _ := a.store.Document(a.ctx, s.doc.ID); !d.Date.IsZero() || d.Source != "" {
		t.Fatalf("before Use the document has date %v and source %q; want nothing changed", d.Date, d.Source)
	}
	test.Tap(g.use["date"])
	s.detailSaver.flush()
	d, _ := a.store.Document(a.ctx, s.doc.ID)
	if s.date.Text != "12 March 2024" || d.Date != records.MustDate("2024-03-12") {
		t.Errorf("after Use: date field %q, saved %v; want 12 March 2024", s.date.Text, d.Date)
	}
	if d.Source != "" {
		t.Errorf("Use on the date also set the source to %q", d.Source)
	}
	if g.use["date"] != nil || g.use["source"] == nil {
		t.Errorf("after Use on the date, suggestions offer %v; want the source still, the date no more", keys(g.use))
	}
}

func keys(m map[string]*widget.Button) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ocrWhileWatching adds n 12 MP letter photos through the add dialog's
// road and runs the OCR queue over them, the test's goroutine acting as
// the UI goroutine. It returns the longest time one of the queue's
// callbacks kept the UI goroutine busy, how many there were and how long
// the reading took.
func ocrWhileWatching(t testing.TB, a *App, n int) (longest time.Duration, calls int, took time.Duration) {
	p := &ocrPump{calls: make(chan func(), 64), finished: make(chan error, 4)}
	a.ocr.enabled = true
	a.ocr.uiDo = func(f func()) { p.calls <- f }
	a.ocr.finished = func(_ records.OCRResult, err error) { p.finished <- err }
	a.show(secDocuments)
	dir := t.TempDir()
	var paths [][]string
	for i := range n {
		path := filepath.Join(dir, "IMG_"+strconv.Itoa(i)+".jpg")
		if err := os.WriteFile(path, ocrtest.JPEG(ocrtest.Letter, ocrtest.Photo{Angle: 1.5, Blur: 2, Noise: 8, Seed: uint64(i + 1)}), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, []string{path})
	}
	start := time.Now()
	a.documents.addGroups(paths, records.KindOther, "", nil, records.AddOptions{})
	deadline := time.After(5 * time.Minute)
	for {
		select {
		case f := <-p.calls:
			s := time.Now()
			f()
			took := time.Since(s)
			p.longest = max(p.longest, took)
			p.n++
			if testing.Verbose() {
				t.Logf("callback %d: %v", p.n, took)
			}
		case err := <-p.finished:
			if err != nil {
				t.Fatalf("the queue ended with %v", err)
			}
			return p.longest, p.n, time.Since(start)
		case <-deadline:
			t.Fatal("the OCR queue did not finish in five minutes")
		}
	}
}

// TestOCRWindowStaysResponsive: while three 12 MP photos are read, no
// callback of the queue keeps the UI goroutine busy for long: the window
// answers throughout. (Suggestions are read inline here, as test apps run
// background work inline, so the figure is an upper bound.)
func TestOCRWindowStaysResponsive(t *testing.T) {
	needTesseract(t)
	if testing.Short() {
		t.Skip("reads three 12 MP photos")
	}
	a := withPerson(t, "Mary Example")
	longest, calls, took := ocrWhileWatching(t, a, 3)
	t.Logf("3 photos of 12 MP: added and read in %v; %d callbacks on the UI goroutine, the longest %v", took.Round(time.Millisecond), calls, longest)
	if calls < 5 {
		t.Errorf("%d callbacks, want progress before and after each of 3 pages, and the end", calls)
	}
	if longest > 100*time.Millisecond && !raceDetector {
		t.Errorf("a callback kept the UI goroutine busy %v, want under 100 ms", longest)
	}
}

// TestOCRLanguageSetting: Settings offers the installed Tesseract
// languages by name, English first chosen, and the choice is what the
// queue reads photos in.
func TestOCRLanguageSetting(t *testing.T) {
	needTesseract(t)
	a := withPerson(t, "Mary Example")
	sel := a.ocr.langSelect
	if sel == nil || sel.Selected != "English (eng)" {
		t.Fatalf("the language setting shows %v, want English (eng)", sel)
	}
	langs, _ := ocr.Languages(a.ctx)
	if len(sel.Options) != len(langs) {
		t.Errorf("the setting offers %q, want the %d installed languages %q", sel.Options, len(langs), langs)
	}
	a.fyne.Preferences().SetString(prefOCRLang, "deu")
	if got := a.ocr.lang(); got != "deu" {
		t.Errorf("queue language = %q after choosing deu, want deu", got)
	}
	sel.SetSelected("English (eng)")
	if got := a.ocr.lang(); got != "eng" {
		t.Errorf("queue language = %q after choosing English, want eng", got)
	}
}

// TestOCRCancel: Cancel stops reading; what was read is kept, the rest
// waits, and the screen says it carries on next time.
func TestOCRCancel(t *testing.T) {
	needTesseract(t)
	a := withPerson(t, "Mary Example")
	p := pumpOCR(a)
	a.show(secDocuments)
	dir := t.TempDir()
	var groups [][]string
	for i := range 2 {
		path := filepath.Join(dir, "IMG_"+strconv.Itoa(i)+".jpg")
		if err := os.WriteFile(path, ocrtest.JPEG([]string{"Page " + strconv.Itoa(i)}, ocrtest.Photo{Width: 600, Height: 800, Seed: uint64(i)}), 0o600); err != nil {
			t.Fatal(err)
		}
		groups = append(groups, []string{path})
	}
	a.documents.addGroups(groups, records.KindOther, "", nil, records.AddOptions{})
	(<-p.calls)() // 0 of 2
	test.Tap(a.ocr.stop)
	err := p.wait(t)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("after Cancel the queue ended with %v, want it cancelled", err)
	}
	if !a.ocr.note.Visible() || !strings.Contains(a.ocr.note.Text, "carries on") || a.ocr.bar.Visible() {
		t.Errorf("after Cancel: note %q (shown %v), bar shown %v; want the carry-on sentence and no bar", a.ocr.note.Text, a.ocr.note.Visible(), a.ocr.bar.Visible())
	}
	if c, _ := a.store.OCRCounts(a.ctx); c.Pending == 0 {
		t.Errorf("after Cancel nothing waits (%+v); want the unread page still waiting", c)
	}
}

// TestOCRWithoutTesseractSays: without tesseract the Documents screen says
// how to install it; the photo is added all the same.
func TestOCRWithoutTesseractSays(t *testing.T) {
	a := withPerson(t, "Mary Example")
	p := pumpOCR(a)
	a.show(secDocuments)
	path := filepath.Join(t.TempDir(), "IMG_1.jpg")
	if err := os.WriteFile(path, ocrtest.JPEG([]string{"Dear Dr Patel"}, ocrtest.Photo{Width: 600, Height: 800}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	a.documents.addGroups([][]string{{path}}, records.KindOther, "", nil, records.AddOptions{})
	if err := p.wait(t); err == nil {
		t.Fatal("without tesseract the queue ended without an error")
	}
	if !a.ocr.note.Visible() || !strings.Contains(a.ocr.note.Text, "sudo apt install tesseract-ocr") {
		t.Errorf("without tesseract the screen says %q (shown %v), want how to install it", a.ocr.note.Text, a.ocr.note.Visible())
	}
	if a.documents.total != 1 {
		t.Errorf("the list holds %d documents, want the photo added", a.documents.total)
	}
}
