package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// readableTheme is Fyne's default theme (which follows the system's light
// or dark setting) with slightly larger text: many users are tired or
// unwell, and read the screen from further away than developers do. scale
// is the user's text size (Settings: 100% to 175%); 0 means 100%.
type readableTheme struct{ scale float32 }

// textScales are the text sizes offered in Settings.
var textScales = []struct {
	label string
	scale float32
}{{"100%", 1}, {"125%", 1.25}, {"150%", 1.5}, {"175%", 1.75}}

// prefTextScale remembers the chosen text size.
const prefTextScale = "text.scale"

func (readableTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	// In the light variant the default outlines of entries and unticked
	// boxes are too faint to find for tired eyes: darken them.
	if v == theme.VariantLight && n == theme.ColorNameInputBorder {
		return color.NRGBA{R: 0x8a, G: 0x8a, B: 0x8a, A: 0xff}
	}
	// The focused field must be easy to find: a strong outline, not the
	// faint default tint.
	if n == theme.ColorNameFocus {
		p := theme.DefaultTheme().Color(theme.ColorNamePrimary, v)
		r, g, b, _ := p.RGBA()
		return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0xcc}
	}
	return theme.DefaultTheme().Color(n, v)
}

func (readableTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (readableTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t readableTheme) Size(n fyne.ThemeSizeName) float32 {
	k := t.scale
	if k <= 0 {
		k = 1
	}
	switch n {
	case theme.SizeNameText:
		return 15 * k
	case theme.SizeNameSubHeadingText:
		return 20 * k
	case theme.SizeNameHeadingText:
		return 26 * k
	case theme.SizeNameCaptionText, theme.SizeNameInlineIcon:
		return theme.DefaultTheme().Size(n) * k
	}
	return theme.DefaultTheme().Size(n)
}
