package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// packetScreen is a placeholder until package export compiles.
type packetScreen struct {
	a   *App
	box fyne.CanvasObject
}

func newPacketScreen(a *App) *packetScreen {
	return &packetScreen{a: a, box: widget.NewLabel("Packet")}
}

func (s *packetScreen) content() fyne.CanvasObject { return s.box }
func (s *packetScreen) refresh()                   {}
func (s *packetScreen) onExport()                  {}
