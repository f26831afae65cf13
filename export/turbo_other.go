//go:build !cgo || !linux || noturbo

package export

import "image"

// Built without libjpeg-turbo (tag noturbo, no cgo, or not for Linux, where
// the static library comes from Debian's libturbojpeg0-dev; the Windows
// build is cross-compiled without it): every photo takes the Go road
// (shrinkJPEG, then media.PrintImage).

// turboBuilt reports whether this binary has the libjpeg-turbo road.
const turboBuilt = false

func turboHeader([]byte) (jpegHeader, error) { return jpegHeader{}, errTurboUnavailable }

func turboDecode([]byte, jpegHeader, int, int) (image.Image, error) {
	return nil, errTurboUnavailable
}

func turboEncode(image.Image, int) ([]byte, error) { return nil, errTurboUnavailable }
