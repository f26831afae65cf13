package ui

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/records"
	"secondopinion/records/ocr"
)

// prefOCRLang keeps the Tesseract language chosen in Settings.
const prefOCRLang = "ocr.lang"

// ocrQueue reads the text of photos and scans in the background: one
// goroutine at a time runs the library's queue (records.Store.RunOCR)
// after files are added and when the app starts, never on the UI
// goroutine. The Documents screen shows how far it has got, with Cancel;
// what was read is kept page by page, so a stop or a quit loses nothing and
// the next run carries on.
type ocrQueue struct {
	a *App
	// enabled is set by Run (the real app) and by tests that want the
	// queue; other tests add files without starting OCR.
	enabled bool

	// UI goroutine only.
	running bool
	again   bool // files were added during a run: run once more
	cancel  context.CancelFunc
	done    chan struct{} // closed when the running goroutine has finished

	box   *fyne.Container // on the Documents screen
	label *widget.Label
	bar   *widget.ProgressBar
	stop  *widget.Button
	note  *widget.Label // what the last run ended with, when worth saying

	// finished, when set (tests), is called on the UI goroutine after each
	// run with its outcome.
	finished func(records.OCRResult, error)
	// uiDo runs f on the UI goroutine; tests time it.
	uiDo func(f func())
	// langSelect is the language chosen in Settings (tests).
	langSelect *widget.Select
}

func newOCRQueue(a *App) *ocrQueue {
	q := &ocrQueue{a: a, uiDo: fyne.Do}
	q.label = widget.NewLabel("")
	q.label.Wrapping = fyne.TextWrapWord
	q.bar = widget.NewProgressBar()
	q.stop = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), q.onCancel)
	q.note = hint("")
	q.note.Hide()
	q.box = container.NewVBox(q.label, container.NewBorder(nil, nil, nil, q.stop, q.bar), q.note)
	q.label.Hide()
	q.bar.Hide()
	q.stop.Hide()
	return q
}

// lang is the chosen Tesseract language ("" for English).
func (q *ocrQueue) lang() string {
	return q.a.fyne.Preferences().StringWithFallback(prefOCRLang, ocr.DefaultLanguage)
}

// kick starts reading the queue in the background, or when a run is going
// on, has it look again when it finishes. UI goroutine.
func (q *ocrQueue) kick() {
	if !q.enabled {
		return
	}
	if q.running {
		q.again = true
		return
	}
	q.running, q.again = true, false
	ctx, cancel := context.WithCancel(q.a.ctx)
	q.cancel = cancel
	q.done = make(chan struct{})
	done, store, lang := q.done, q.a.store, q.lang()
	q.note.Hide()
	go func() {
		defer close(done)
		defer cancel()
		shown := false
		res, err := store.RunOCR(ctx, records.OCROptions{Lang: lang, Progress: func(n, total int) {
			q.uiDo(func() { q.progress(n, total) })
			shown = true
		}})
		if !shown && err == nil && res.Done == 0 && res.Failed == 0 {
			q.uiDo(func() { q.ended(res, nil) })
			return
		}
		q.uiDo(func() { q.ended(res, err) })
	}()
}

// progress shows "Reading text from photos: 3 of 12". UI goroutine.
func (q *ocrQueue) progress(n, total int) {
	q.label.SetText(fmt.Sprintf("Reading text from photos and scans, so search finds their words: %d of %d", n, total))
	q.bar.SetValue(float64(n) / float64(max(total, 1)))
	q.label.Show()
	q.bar.Show()
	q.stop.Show()
	// The words just read may suggest details for the document on show.
	if q.a.documents != nil && q.a.documents.sugg != nil {
		q.a.documents.sugg.reload()
	}
}

// ended hides the progress and says how the run ended. UI goroutine.
func (q *ocrQueue) ended(res records.OCRResult, err error) {
	q.running = false
	q.label.Hide()
	q.bar.Hide()
	q.stop.Hide()
	switch {
	case err != nil && q.a.ctx.Err() != nil:
		// The app is closing.
	case err != nil && errorsIsCanceled(err):
		q.note.SetText("Stopped reading text from photos. It carries on where it stopped the next time you add a file or open Second Opinion.")
		q.note.Show()
		q.again = false
	case err != nil:
		log.Printf("reading text from photos: %v", records.Detail(err))
		q.note.SetText(records.Explain(err))
		q.note.Show()
		q.again = false
	case res.Failed > 0:
		q.note.SetText(fmt.Sprintf("The text of %s could not be read (the picture may be too blurred); the rest can be searched.", plural(res.Failed, "page", "pages")))
		q.note.Show()
	}
	if res.Done > 0 && q.a.documents != nil {
		// Search may now find more: list again when a search is typed.
		if q.a.documents.search.Text != "" {
			q.a.documents.reload()
		}
		if q.a.documents.sugg != nil {
			q.a.documents.sugg.reload()
		}
	}
	if q.finished != nil {
		q.finished(res, err)
	}
	if q.again {
		q.kick()
	}
}

func errorsIsCanceled(err error) bool { return errors.Is(err, context.Canceled) }

// onCancel stops the run; what was read is kept. UI goroutine.
func (q *ocrQueue) onCancel() {
	q.again = false
	if q.cancel != nil {
		q.cancel()
	}
}

// shutdown stops a run and waits (a few seconds at most) for it to
// finish, so the library is not closed under it. UI goroutine, at quit.
func (q *ocrQueue) shutdown() {
	q.again = false
	if !q.running {
		return
	}
	q.cancel()
	select {
	case <-q.done:
	case <-time.After(5 * time.Second):
	}
}

// ocrLanguageSetting is the Settings section that picks the language
// photos are read in, from the installed Tesseract languages (read in the
// background: it asks the tesseract command).
func ocrLanguageSetting(a *App) fyne.CanvasObject {
	var codes []string // in the order of sel.Options
	sel := widget.NewSelect(nil, func(name string) {
		for _, c := range codes {
			if ocr.LanguageName(c) == name {
				a.fyne.Preferences().SetString(prefOCRLang, c)
			}
		}
	})
	sel.PlaceHolder = ocr.LanguageName(ocr.DefaultLanguage)
	if a.ocr != nil {
		a.ocr.langSelect = sel
	}
	note := hint("")
	note.Hide()
	a.async(func() {
		langs, err := ocr.Languages(a.ctx)
		fyne.Do(func() {
			if err != nil || len(langs) == 0 {
				note.SetText(ocr.InstallHint)
				note.Show()
				sel.Disable()
				return
			}
			codes = langs
			sel.Options = nil
			for _, c := range langs {
				sel.Options = append(sel.Options, ocr.LanguageName(c))
			}
			sel.Selected = ocr.LanguageName(ocr.PickLanguage(langs, a.fyne.Preferences().StringWithFallback(prefOCRLang, ocr.DefaultLanguage)))
			sel.Refresh()
		})
	})
	return container.NewVBox(
		widget.NewLabelWithStyle("Reading text from photos", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint("Photographed letters and scans are read in the background so search finds their words. Choose the language they are written in (Tesseract's languages installed on this computer)."),
		sel,
		note,
	)
}
