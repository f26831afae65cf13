package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// readableTheme is Fyne's default theme (which follows the system's light
// or dark setting) with slightly larger text: many users are tired or
// unwell, and read the screen from further away than developers do.
type readableTheme struct{}

func (readableTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	// In the light variant the default outlines of entries and unticked
	// boxes are too faint to find for tired eyes: darken them.
	if v == theme.VariantLight && n == theme.ColorNameInputBorder {
		return color.NRGBA{R: 0x8a, G: 0x8a, B: 0x8a, A: 0xff}
	}
	return theme.DefaultTheme().Color(n, v)
}

func (readableTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (readableTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (readableTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 15
	case theme.SizeNameSubHeadingText:
		return 20
	case theme.SizeNameHeadingText:
		return 26
	}
	return theme.DefaultTheme().Size(n)
}
