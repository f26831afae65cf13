package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("org.secondopinion.app")
	w := a.NewWindow("Second Opinion")
	w.SetContent(widget.NewLabel("Second Opinion"))
	w.ShowAndRun()
}
