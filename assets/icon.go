// Package assets holds the bytes Second Opinion embeds: its icon and other
// files that ship inside the binary. It imports only embed.
package assets

import _ "embed"

// IconSVG is the app's icon: two overlapping pages and a calm tick, as SVG.
//
//go:embed icon.svg
var IconSVG []byte
