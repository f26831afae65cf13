package export

import (
	"errors"
	"image"
	"image/color"
)

// The libjpeg-turbo road for phone photos.
//
// Most of a first export's time is spent on photos, and most of that in
// decoding 12-megapixel JPEGs. Go's image/jpeg decodes one in about 240 ms
// of CPU; libjpeg-turbo, asked for a picture scaled by M/8 straight into
// its Y/Cb/Cr planes, needs a third of that and hands back a picture
// already near the print box, with no colour conversion. The small planes
// are turned upright plane by plane (the chroma planes stay subsampled)
// and encoded from planes again. See turbo_cgo.go.
//
// Anything this road does not take falls back to shrinkJPEG (Go's decoder)
// and then media.PrintImage, exactly as before: CMYK and RGB JPEGs,
// unusual chroma subsampling (4:4:0, 4:1:1), a JPEG on which libjpeg-turbo
// reports even a warning (truncated, bad Huffman data), pictures already at
// or under the print box, and builds without the library (tag noturbo, or
// no cgo: turbo_other.go).

// Reasons the turbo road declines a photo; the caller then takes the Go
// road. None of them reaches the user.
var (
	errTurboUnavailable = errors.New("export: built without libjpeg-turbo")
	errTurboKind        = errors.New("export: JPEG colour space or subsampling not taken by the turbo road")
	errTurboSmall       = errors.New("export: picture already fits the print box")
	errTurboScale       = errors.New("export: no M/8 scale lands near the print box")
	errTurboDecode      = errors.New("export: libjpeg-turbo could not decode the JPEG cleanly")
	errTurboEncode      = errors.New("export: libjpeg-turbo could not encode the picture")
)

// jpegHeader is what libjpeg-turbo reads from a JPEG's frame header.
type jpegHeader struct {
	w, h int
	// ratio is the chroma subsampling; gray is true for one-component
	// JPEGs (ratio is then meaningless).
	ratio image.YCbCrSubsampleRatio
	gray  bool
}

// turboShrink makes the compact print version of a JPEG on the turbo road:
// upright, at most a quarter over (and at least 0.8 of) the maxW×maxH box,
// at the given quality, in grey for e-mail when colourless (see forEmail).
// A non-nil error means "take the Go road", never "the photo is bad".
func turboShrink(src []byte, orientation, maxW, maxH int, email bool) ([]byte, int, int, error) {
	hd, err := turboHeader(src)
	if err != nil {
		return nil, 0, 0, err
	}
	if tooLarge(hd) {
		return nil, 0, 0, errTurboScale // the Go road says "too large"
	}
	uw, uh := hd.w, hd.h
	if orientation >= 5 && orientation <= 8 {
		uw, uh = uh, uw
	}
	n, k, err := turboScale(uw, uh, maxW, maxH, email)
	if err != nil {
		return nil, 0, 0, err
	}
	sw, sh := scaled(hd.w, n), scaled(hd.h, n)
	m, err := turboDecode(src, hd, sw, sh)
	if err != nil {
		return nil, 0, 0, err
	}
	if k > 1 {
		switch p := m.(type) {
		case *image.YCbCr:
			m = shrinkYCbCr(p, k)
		case *image.Gray:
			m = shrinkGray(p, k)
		}
	}
	m = turnPlanes(m, orientation)
	if c, ok := m.(*image.YCbCr); ok && c.SubsampleRatio == image.YCbCrSubsampleRatio444 {
		m = halveChroma(c)
	}
	quality := compactQuality
	if email {
		m, quality = forEmail(m), emailQuality
	}
	jpg, err := turboEncode(m, quality)
	if err != nil {
		return nil, 0, 0, err
	}
	b := m.Bounds()
	return jpg, b.Dx(), b.Dy(), nil
}

// turboOriginal makes the "original" print version of a JPEG that cannot
// pass through as it is (it must be turned): every pixel, decoded, turned
// upright plane by plane and encoded at originalQual. It takes what
// turboShrink takes, up to media.MaxDecodedBytes for the picture and its
// turned copy; anything else goes to media.PrintImage as before.
func turboOriginal(src []byte, orientation int) ([]byte, int, int, error) {
	hd, err := turboHeader(src)
	if err != nil {
		return nil, 0, 0, err
	}
	if tooLarge(hd) {
		return nil, 0, 0, errTurboScale // PrintImage says "too large"
	}
	m, err := turboDecode(src, hd, hd.w, hd.h)
	if err != nil {
		return nil, 0, 0, err
	}
	m = turnPlanes(m, orientation)
	jpg, err := turboEncode(m, originalQual)
	if err != nil {
		return nil, 0, 0, err
	}
	b := m.Bounds()
	return jpg, b.Dx(), b.Dy(), nil
}

// halveChroma returns a 4:4:4 picture as 4:2:0, each chroma sample the
// average of four: what Go's encoder, and so the Go road, writes. At print
// size the eye cannot tell, and the print version is about a third smaller.
func halveChroma(m *image.YCbCr) *image.YCbCr {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	d := newPlanes(w, h, image.YCbCrSubsampleRatio420)
	for y := range h {
		copy(d.Y[y*d.YStride:y*d.YStride+w], m.Y[m.YOffset(b.Min.X, b.Min.Y+y):])
	}
	cw, ch := chromaSize(image.YCbCrSubsampleRatio420, w, h)
	co := m.COffset(b.Min.X, b.Min.Y)
	boxPlane(d.Cb, d.CStride, cw, ch, m.Cb[co:], m.CStride, w, h, 2)
	boxPlane(d.Cr, d.CStride, cw, ch, m.Cr[co:], m.CStride, w, h, 2)
	return d
}

// tooLarge applies media's bounds to the JPEG as a whole: libjpeg-turbo
// holds a progressive JPEG's coefficients at full size even when it
// decodes scaled, so a picture the Go road would refuse is left to it (and
// its sentence for the user).
func tooLarge(hd jpegHeader) bool {
	cfg := image.Config{ColorModel: color.YCbCrModel, Width: hd.w, Height: hd.h}
	if hd.gray {
		cfg.ColorModel = color.GrayModel
	}
	return !decodeFits(cfg)
}

// scaled is libjpeg-turbo's TJSCALED for the factor n/8: the size a
// dimension of d pixels is decoded at.
func scaled(d, n int) int { return (d*n + 7) / 8 }

// turboScale chooses how to bring an upright uw×uh picture to the maxW×maxH
// box: decode at n/8 (n from 1 to 8), then, only when no n/8 alone lands
// near the box (photos of more than about 20 megapixels), average k×k
// blocks. For each k in turn it takes the smallest result that still
// covers the box if that is at most a quarter over it, else the largest
// that is at least 0.8 of the box (still 160 dpi on paper; shrinkJPEG
// allows as much). Decoding at a small scale is what saves the time, so a
// slightly small picture at 2/8 beats a covering one at 5/8 then halved.
//
// With atMost (the e-mail packet, where bytes count more than dots) it
// takes the largest result of at most the box and at least 0.8 of it, over
// every k (the smallest n among equals), as shrinkJPEG's whole factors
// mostly do; only when there is none does it cover the box as above.
func turboScale(uw, uh, maxW, maxH int, atMost bool) (n, k int, err error) {
	fit := min(float64(maxW)/float64(uw), float64(maxH)/float64(uh))
	if fit >= 1 {
		return 0, 0, errTurboSmall
	}
	if atMost {
		best := 0.0
		for kk := 1; kk <= 8; kk++ {
			for nn := 1; nn <= 8; nn++ {
				if s := float64(nn) / float64(8*kk); s <= fit && s >= 0.8*fit && s > best+1e-9 {
					best, n, k = s, nn, kk
				}
			}
		}
		if best > 0 {
			return n, k, nil
		}
	}
	for k := 1; k <= 8; k++ {
		over, under := 0, 0
		for n := 1; n <= 8; n++ {
			s := float64(n) / float64(8*k)
			switch {
			case s >= fit && s <= 1.25*fit && over == 0:
				over = n
			case s < fit && s >= 0.8*fit:
				under = n
			}
		}
		switch {
		case over > 0:
			return over, k, nil
		case under > 0:
			return under, k, nil
		}
	}
	return 0, 0, errTurboScale
}

// newPlanes returns a w×h Y/Cb/Cr picture whose planes are padded the way
// libjpeg-turbo reads and writes them: the luma plane to whole chroma
// blocks (an even width for 4:2:0 and 4:2:2, an even height for 4:2:0 and
// 4:4:0). The padding lies outside the picture's bounds.
func newPlanes(w, h int, r image.YCbCrSubsampleRatio) *image.YCbCr {
	pw, ph := paddedSize(w, h, r)
	m := image.NewYCbCr(image.Rect(0, 0, pw, ph), r)
	if pw == w && ph == h {
		return m
	}
	return m.SubImage(image.Rect(0, 0, w, h)).(*image.YCbCr)
}

// padded returns m with libjpeg-turbo's plane padding (see newPlanes),
// copying it when its planes lack it, and filling the padding by repeating
// the last column and row so the edge blocks encode cleanly.
func padded(m *image.YCbCr) *image.YCbCr {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	d := m
	if b.Min != (image.Point{}) || !hasPadding(m) {
		d = newPlanes(w, h, m.SubsampleRatio)
		for y := range h {
			copy(d.Y[y*d.YStride:y*d.YStride+w], m.Y[m.YOffset(b.Min.X, b.Min.Y+y):])
		}
		cw, ch := chromaSize(m.SubsampleRatio, w, h)
		co := m.COffset(b.Min.X, b.Min.Y)
		for y := range ch {
			copy(d.Cb[y*d.CStride:y*d.CStride+cw], m.Cb[co+y*m.CStride:])
			copy(d.Cr[y*d.CStride:y*d.CStride+cw], m.Cr[co+y*m.CStride:])
		}
	}
	// Repeat the edge into the padding column and row, if any.
	if d.YStride > w {
		for y := range h {
			d.Y[y*d.YStride+w] = d.Y[y*d.YStride+w-1]
		}
	}
	if len(d.Y) >= (h+1)*d.YStride {
		copy(d.Y[h*d.YStride:(h+1)*d.YStride], d.Y[(h-1)*d.YStride:h*d.YStride])
	}
	return d
}

// hasPadding reports whether m's planes, starting at the origin, are as
// large as libjpeg-turbo expects (see newPlanes).
func hasPadding(m *image.YCbCr) bool {
	b := m.Bounds()
	pw, ph := paddedSize(b.Dx(), b.Dy(), m.SubsampleRatio)
	return m.YStride >= pw && len(m.Y) >= m.YStride*ph
}

// paddedSize is the size of the luma plane libjpeg-turbo reads and writes
// for a w×h picture: whole chroma blocks (see newPlanes).
func paddedSize(w, h int, r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio420:
		return w + w%2, h + h%2
	case image.YCbCrSubsampleRatio422:
		return w + w%2, h
	case image.YCbCrSubsampleRatio440:
		return w, h + h%2
	}
	return w, h
}

// turnPlanes turns m the way EXIF orientation o says, like upright, but
// plane by plane: the chroma planes stay subsampled (4:2:0 stays 4:2:0;
// 4:2:2 turned a quarter becomes 4:4:0), so there is a quarter as much
// chroma to move and nothing to convert.
func turnPlanes(m image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return m
	}
	switch m := m.(type) {
	case *image.Gray:
		b := m.Bounds()
		w, h := b.Dx(), b.Dy()
		dw, dh := w, h
		if o >= 5 {
			dw, dh = h, w
		}
		d := image.NewGray(image.Rect(0, 0, dw, dh))
		turnPlane(d.Pix, d.Stride, m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, w, h, o)
		return d
	case *image.YCbCr:
		b := m.Bounds()
		w, h := b.Dx(), b.Dy()
		r := m.SubsampleRatio
		dw, dh := w, h
		if o >= 5 {
			dw, dh = h, w
			switch r {
			case image.YCbCrSubsampleRatio422:
				r = image.YCbCrSubsampleRatio440
			case image.YCbCrSubsampleRatio440:
				r = image.YCbCrSubsampleRatio422
			case image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio420:
			default: // 4:1:1 and 4:1:0 have no turned form
				return upright(m, o)
			}
		}
		d := newPlanes(dw, dh, r)
		turnPlane(d.Y, d.YStride, m.Y[m.YOffset(b.Min.X, b.Min.Y):], m.YStride, w, h, o)
		cw, ch := chromaSize(m.SubsampleRatio, w, h)
		co := m.COffset(b.Min.X, b.Min.Y)
		turnPlane(d.Cb, d.CStride, m.Cb[co:], m.CStride, cw, ch, o)
		turnPlane(d.Cr, d.CStride, m.Cr[co:], m.CStride, cw, ch, o)
		return d
	}
	return upright(m, o)
}

// turnPlane writes the w×h sample plane src, turned by EXIF orientation o,
// into dst (w×h, or h×w for o ≥ 5).
func turnPlane(dst []byte, dstStride int, src []byte, srcStride, w, h, o int) {
	if o < 5 {
		for y := range h {
			sy := y
			if o == 3 || o == 4 {
				sy = h - 1 - y
			}
			row, from := dst[y*dstStride:y*dstStride+w], src[sy*srcStride:sy*srcStride+w]
			if o == 4 {
				copy(row, from)
				continue
			}
			for x := range row { // 2 and 3 mirror the row
				row[x] = from[w-1-x]
			}
		}
		return
	}
	// Transposing orientations: upright (x, y) comes from stored (sx, sy)
	// with sy running along the upright row.
	dw, dh := h, w
	for y := range dh {
		row := dst[y*dstStride : y*dstStride+dw]
		sx := y // 5 and 6
		if o == 7 || o == 8 {
			sx = w - 1 - y
		}
		switch o {
		case 5, 8: // sy = x
			for x := range row {
				row[x] = src[x*srcStride+sx]
			}
		default: // 6, 7: sy = h-1-x
			for x := range row {
				row[x] = src[(h-1-x)*srcStride+sx]
			}
		}
	}
}
