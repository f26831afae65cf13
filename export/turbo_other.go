//go:build !cgo || noturbo

package export

import "image"

// Built without libjpeg-turbo (tag noturbo, or no cgo): every photo takes
// the Go road (shrinkJPEG, then media.PrintImage).

// turboBuilt reports whether this binary has the libjpeg-turbo road.
const turboBuilt = false

func turboHeader([]byte) (jpegHeader, error) { return jpegHeader{}, errTurboUnavailable }

func turboDecode([]byte, jpegHeader, int, int) (image.Image, error) {
	return nil, errTurboUnavailable
}

func turboEncode(image.Image, int) ([]byte, error) { return nil, errTurboUnavailable }
