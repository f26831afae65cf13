package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"

	"secondopinion/records"
	"secondopinion/records/media"
	"secondopinion/records/sandbox"
)

// Photos in the packet.
//
// Compact (the default): about 200 dpi at the size the photo is printed,
// JPEG quality 85. A 12-megapixel phone photo becomes about 0.4 MB, so 60
// of them stay well under 25 MB. The print version depends only on the file
// and the paper, so it is kept in the library (Store.SaveDerived) and a
// second export does no image work at all.
//
// Original: the photo's own pixels. A plain JPEG that needs no turning is
// passed through with its metadata segments cut out; anything else is
// decoded and re-encoded at full size, quality 92.
//
// For e-mail (Options.ForEmail): about 150 dpi, JPEG quality emailQuality,
// and a photo with next to no colour in it (a letter, a printout, a film)
// in grey: one plane instead of three, and the paper's colour cast gone.
// Text photographed at 12 megapixels stays sharp at 150 dpi on paper.
//
// Either way no EXIF, and so no camera location (GPS), reaches the packet.
const (
	printDPI       = 200
	compactQuality = 85
	originalQual   = 92
	emailDPI       = 150
	emailQuality   = 75
)

// qualityEmail is the photo quality of a packet made for e-mail; it is set
// by Options.ForEmail, never stored in a case.
const qualityEmail records.Quality = "email"

func derivedKind(paper records.Paper, q records.Quality) string {
	switch q {
	case records.QualityOriginal:
		return fmt.Sprintf("print-original-q%d", originalQual)
	case qualityEmail:
		return fmt.Sprintf("email-%s-%ddpi-q%d-grey", paper, emailDPI, emailQuality)
	}
	return fmt.Sprintf("print-%s-%ddpi-q%d", paper, printDPI, compactQuality)
}

// printBox is the largest picture, in pixels at printDPI, that an image
// page of this paper holds.
func printBox(paper records.Paper) (int, int) { return boxAt(paper, printDPI) }

// boxAt is the largest picture, in pixels at dpi, that an image page of
// this paper holds.
func boxAt(paper records.Paper, dpi int) (int, int) {
	g := geometryFor(paper)
	w, h := g.imageArea()
	return int(w/25.4*float64(dpi) + 0.5), int(h/25.4*float64(dpi) + 0.5)
}

// printVersion returns the photo as it goes into the packet: upright,
// fitted, metadata-free JPEG bytes and their pixel size.
func printVersion(ctx context.Context, s *records.Store, f records.File, paper records.Paper, q records.Quality) ([]byte, int, int, error) {
	kind := derivedKind(paper, q)
	if t := f.Turn(1); t != 0 {
		kind += fmt.Sprintf("-turn%d", t) // f.Orientation has the turn in it
	}
	if data, w, h, ok, err := s.Derived(ctx, f.ID, kind); err == nil && ok && len(data) > 0 {
		return data, w, h, nil
	}
	src, err := readAll(ctx, s, f)
	if err != nil {
		return nil, 0, 0, err
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, 0, err
	}
	var jpg []byte
	var w, h int
	if q == records.QualityOriginal {
		if clean, ok := passThrough(src, f); ok {
			// Cheap to redo, so not kept: the library would only hold a
			// second copy of the photo.
			return clean, f.Width, f.Height, nil
		}
		if f.MediaType == media.JPEG {
			jpg, w, h, err = turboOriginal(src, f.Orientation)
		}
		if f.MediaType != media.JPEG || err != nil {
			jpg, w, h, err = sandbox.PrintImage(ctx, src, f.Orientation, 1<<20, 1<<20, originalQual)
		}
	} else {
		maxW, maxH := printBox(paper)
		if q == qualityEmail {
			maxW, maxH = boxAt(paper, emailDPI)
		}
		jpg, w, h, err = compact(ctx, src, f, maxW, maxH, q == qualityEmail)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, 0, 0, ctx.Err()
	case errors.Is(err, media.ErrTooLarge):
		return nil, 0, 0, &records.Problem{Msg: fmt.Sprintf("The picture %s is too large to read safely, so it cannot be placed in the packet. Leave it out, or save a smaller copy (for example as a JPEG of at most 50 megapixels) and add that.", f.Name), Err: err}
	case err != nil:
		return nil, 0, 0, &records.Problem{Msg: fmt.Sprintf("The picture %s is damaged and cannot be placed in the packet. Leave it out, or add a fresh copy.", f.Name), Err: err}
	}
	// Keeping the print version is an optimisation: if the library cannot
	// take it (disk full), this export still goes on.
	_ = s.SaveDerived(ctx, f.ID, kind, jpg, w, h)
	return jpg, w, h, nil
}

// compact makes the compact print version. Large camera JPEGs take a fast
// road in this process: libjpeg-turbo's scaled decode (turboShrink), else
// the standard library's JPEG decoder (shrinkJPEG), both bounded by
// media.MaxPixels. Everything else goes through media.PrintImage in the
// sandbox's child process.
//
// For e-mail the picture is made at the e-mail quality, in grey when it has
// next to no colour (see forEmail).
func compact(ctx context.Context, src []byte, f records.File, maxW, maxH int, email bool) ([]byte, int, int, error) {
	if f.MediaType == media.JPEG {
		if jpg, w, h, err := turboShrink(src, f.Orientation, maxW, maxH, email); err == nil {
			return jpg, w, h, nil
		}
		if jpg, w, h, ok := shrinkJPEG(src, f.Orientation, maxW, maxH, email); ok {
			return jpg, w, h, nil
		}
	}
	if !email {
		return sandbox.PrintImage(ctx, src, f.Orientation, maxW, maxH, compactQuality)
	}
	jpg, w, h, err := sandbox.PrintImage(ctx, src, f.Orientation, maxW, maxH, compactQuality)
	if err != nil {
		return nil, 0, 0, err
	}
	// The child made a small, upright JPEG of our own; decoding it here
	// is cheap and safe.
	m, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		return nil, 0, 0, err
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, forEmail(m), &jpeg.Options{Quality: emailQuality}); err != nil {
		return nil, 0, 0, err
	}
	return buf.Bytes(), w, h, nil
}

// Thresholds of colourless: a chroma sample counts as coloured when it is
// more than chromaNear away (|ΔCb|+|ΔCr|, out of 255) from the picture's
// average; the picture is colourless when at most 1 sample in
// colouredShare is, and its average is itself near grey (so a close-up
// of skin, all one colour, keeps its colour).
const (
	chromaNear    = 24
	castNear      = 24
	colouredShare = 100
)

// colourless reports whether m is, to the eye, black on white or grey:
// a photographed letter, a printout or a film, under a slightly coloured
// light. A coloured letterhead of a few percent of the page keeps it in
// colour.
func colourless(m *image.YCbCr) bool {
	n := len(m.Cb)
	if n == 0 || len(m.Cr) != n {
		return false
	}
	var sb, sr int
	for i := range n {
		sb += int(m.Cb[i])
		sr += int(m.Cr[i])
	}
	mb, mr := sb/n, sr/n
	if abs(mb-128)+abs(mr-128) > castNear {
		return false
	}
	coloured := 0
	for i := range n {
		if abs(int(m.Cb[i])-mb)+abs(int(m.Cr[i])-mr) > chromaNear {
			coloured++
			if coloured*colouredShare > n {
				return false
			}
		}
	}
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// forEmail returns m in grey when it is colourless, else m itself. The grey
// picture is the luma plane the JPEG already has: nothing is recomputed.
func forEmail(m image.Image) image.Image {
	y, ok := m.(*image.YCbCr)
	if !ok || !colourless(y) {
		return m
	}
	b := y.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for row := range b.Dy() {
		off := y.YOffset(b.Min.X, b.Min.Y+row)
		copy(g.Pix[row*g.Stride:row*g.Stride+b.Dx()], y.Y[off:off+b.Dx()])
	}
	return g
}

// decodeFits reports whether a picture of this size may be decoded in this
// process: within the bounds media puts on every image it reads
// (media.MaxPixels, media.MaxDecodedBytes).
func decodeFits(cfg image.Config) bool {
	return cfg.Width > 0 && cfg.Height > 0 && int64(cfg.Width)*int64(cfg.Height) <= media.MaxPixels &&
		media.DecodedBytes(cfg) <= media.MaxDecodedBytes
}

// shrinkJPEG is the fast road for phone photos, the bulk of most packets.
// media.PrintImage resamples the full 12-megapixel picture with a
// Catmull-Rom filter, about 1 s of CPU per photo here; sixty photos would
// take most of a minute. A photo two or more times larger than the print
// box is instead first averaged down by a whole factor directly on its
// decoded Y/Cb/Cr planes (a box filter: cheap, and free of aliasing at such
// factors), which lands between the box and twice the box. That is printed
// as it is when it is at most a quarter over the box (still about 200 dpi
// on paper); otherwise (or for JPEGs of another kind) ok is false and the
// caller uses media.PrintImage.
func shrinkJPEG(src []byte, orientation, maxW, maxH int, email bool) (jpg []byte, w, h int, ok bool) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(src))
	if err != nil || !decodeFits(cfg) {
		return nil, 0, 0, false
	}
	uw, uh := cfg.Width, cfg.Height
	if orientation >= 5 && orientation <= 8 {
		uw, uh = uh, uw
	}
	k := min(uw/maxW, uh/maxH) // whole factor that keeps us at or above the box...
	if r := max(float64(uw)/float64(maxW), float64(uh)/float64(maxH)); r <= 1 {
		return nil, 0, 0, false // small enough already: PrintImage only re-encodes
	} else if k < 2 || float64(uw)/float64(k) > 1.25*float64(maxW) || float64(uh)/float64(k) > 1.25*float64(maxH) {
		// ...unless a whole factor cannot land near the box.
		k = int(r + 0.999)
		if float64(uw)/float64(k) < 0.8*float64(maxW) && float64(uh)/float64(k) < 0.8*float64(maxH) {
			return nil, 0, 0, false
		}
	}
	m, err := jpeg.Decode(bytes.NewReader(src))
	if err != nil {
		return nil, 0, 0, false
	}
	var small image.Image
	switch m := m.(type) {
	case *image.YCbCr:
		small = shrinkYCbCr(m, k)
	case *image.Gray:
		small = shrinkGray(m, k)
	default: // CMYK needs PrintImage's colour handling
		return nil, 0, 0, false
	}
	up := upright(small, orientation)
	quality := compactQuality
	if email {
		up, quality = forEmail(up), emailQuality
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, up, &jpeg.Options{Quality: quality}); err != nil {
		return nil, 0, 0, false
	}
	b := up.Bounds()
	return buf.Bytes(), b.Dx(), b.Dy(), true
}

// boxPlane averages k×k blocks of a sample plane into dst.
func boxPlane(dst []byte, dstStride, dw, dh int, src []byte, srcStride, sw, sh, k int) {
	if k == 2 && 2*dw <= sw && 2*dh <= sh {
		// The common case (a 12 MP photo on A4), without bounds juggling.
		for y := range dh {
			r0 := src[2*y*srcStride : 2*y*srcStride+2*dw]
			r1 := src[(2*y+1)*srcStride : (2*y+1)*srcStride+2*dw]
			row := dst[y*dstStride : y*dstStride+dw]
			for x := range row {
				i := 2 * x
				row[x] = byte((int(r0[i]) + int(r0[i+1]) + int(r1[i]) + int(r1[i+1]) + 2) >> 2)
			}
		}
		return
	}
	for y := range dh {
		y0 := y * k
		y1 := min(y0+k, sh)
		row := dst[y*dstStride:]
		for x := range dw {
			x0 := x * k
			x1 := min(x0+k, sw)
			sum, n := 0, 0
			for yy := y0; yy < y1; yy++ {
				line := src[yy*srcStride:]
				for xx := x0; xx < x1; xx++ {
					sum += int(line[xx])
				}
				n += x1 - x0
			}
			if n > 0 {
				row[x] = byte((sum + n/2) / n)
			}
		}
	}
}

func shrinkYCbCr(m *image.YCbCr, k int) *image.YCbCr {
	b := m.Bounds()
	dw, dh := b.Dx()/k, b.Dy()/k
	d := image.NewYCbCr(image.Rect(0, 0, dw, dh), m.SubsampleRatio)
	boxPlane(d.Y, d.YStride, dw, dh, m.Y[m.YOffset(b.Min.X, b.Min.Y):], m.YStride, b.Dx(), b.Dy(), k)
	cw, ch := chromaSize(m.SubsampleRatio, dw, dh)
	sw, sh := chromaSize(m.SubsampleRatio, b.Dx(), b.Dy())
	off := m.COffset(b.Min.X, b.Min.Y)
	boxPlane(d.Cb, d.CStride, cw, ch, m.Cb[off:], m.CStride, sw, sh, k)
	boxPlane(d.Cr, d.CStride, cw, ch, m.Cr[off:], m.CStride, sw, sh, k)
	return d
}

// chromaSize is the size of the Cb and Cr planes of a w×h picture.
func chromaSize(r image.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

func shrinkGray(m *image.Gray, k int) *image.Gray {
	b := m.Bounds()
	dw, dh := b.Dx()/k, b.Dy()/k
	d := image.NewGray(image.Rect(0, 0, dw, dh))
	boxPlane(d.Pix, d.Stride, dw, dh, m.Pix, m.Stride, b.Dx(), b.Dy(), k)
	return d
}

// upright turns m the way EXIF orientation o says (EXIF 2.3, tag 0x0112)
// and returns it as an image the JPEG encoder takes directly.
func upright(m image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return m
	}
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	// For each upright pixel (x, y), the stored pixel it comes from.
	var from func(x, y int) (int, int)
	switch o {
	case 2:
		from = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3:
		from = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4:
		from = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5:
		from = func(x, y int) (int, int) { return y, x }
	case 6:
		from = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7:
		from = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8:
		from = func(x, y int) (int, int) { return w - 1 - y, x }
	}
	switch m := m.(type) {
	case *image.Gray:
		d := image.NewGray(image.Rect(0, 0, dw, dh))
		for y := range dh {
			for x := range dw {
				sx, sy := from(x, y)
				d.Pix[y*d.Stride+x] = m.Pix[sy*m.Stride+sx]
			}
		}
		return d
	case *image.YCbCr:
		// Stay in Y/Cb/Cr (full-resolution chroma): the JPEG encoder takes
		// it without a round trip through RGB.
		d := image.NewYCbCr(image.Rect(0, 0, dw, dh), image.YCbCrSubsampleRatio444)
		for y := range dh {
			row := y * d.YStride
			for x := range dw {
				sx, sy := from(x, y)
				yi, ci := m.YOffset(sx, sy), m.COffset(sx, sy)
				d.Y[row+x], d.Cb[row+x], d.Cr[row+x] = m.Y[yi], m.Cb[ci], m.Cr[ci]
			}
		}
		return d
	}
	return m
}

// passThrough returns a JPEG as it is, minus everything decoding does not
// need (see stripJPEG), when it needs no turning and gofpdf places it
// correctly (baseline or progressive, YCbCr or grey).
func passThrough(src []byte, f records.File) ([]byte, bool) {
	if f.MediaType != media.JPEG || f.Orientation > 1 {
		return nil, false
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(src))
	if err != nil || (cfg.ColorModel != color.YCbCrModel && cfg.ColorModel != color.GrayModel) {
		return nil, false
	}
	out, err := stripJPEG(src)
	return out, err == nil
}

var errJPEGSegments = errors.New("export: malformed JPEG segments")

// stripJPEG copies the first picture of a JPEG keeping only what decoding
// needs, wherever it sits: SOI; the tables DQT, DHT, DAC and DRI; the frame
// header SOFn and DNL; every scan (SOS and its entropy-coded data, all
// scans of a progressive JPEG); a JFIF APP0 cut to its 14 fixed bytes (no
// thumbnail); an Adobe APP14, which says how the colours are transformed;
// and EOI. Nothing after the first EOI is copied: phones append a second
// picture there (motion photos, MPF) with its own EXIF.
//
// Everything else is dropped, including between scans and just before EOI:
// EXIF and XMP (APP1, with the camera serial number, the author and GPS),
// ICC profiles (APP2), IPTC (APP13), comments and every other APPn. An ICC
// profile is not needed: gofpdf declares the picture DeviceRGB or
// DeviceGray in the PDF, and PDF viewers colour a DCTDecode image by that
// declaration, not by a profile inside the JPEG stream, so dropping it
// changes nothing on the page.
func stripJPEG(src []byte) ([]byte, error) {
	if len(src) < 4 || src[0] != 0xFF || src[1] != 0xD8 {
		return nil, errJPEGSegments
	}
	out := make([]byte, 0, len(src))
	out = append(out, 0xFF, 0xD8)
	sawFrame, sawScan := false, false
	i := 2
	for {
		// A marker: 0xFF, any number of fill bytes 0xFF, the marker code.
		if i >= len(src) || src[i] != 0xFF {
			return nil, errJPEGSegments
		}
		for i < len(src) && src[i] == 0xFF {
			i++
		}
		if i >= len(src) {
			return nil, errJPEGSegments
		}
		marker := src[i]
		i++
		switch {
		case marker == 0xD9: // EOI: the first picture ends here
			if !sawFrame || !sawScan {
				return nil, errJPEGSegments
			}
			return append(out, 0xFF, 0xD9), nil
		case marker == 0x00, marker == 0xD8, marker >= 0xD0 && marker <= 0xD7, marker == 0x01:
			// No stuffed zero, second SOI or restart marker belongs here.
			return nil, errJPEGSegments
		}
		if i+2 > len(src) {
			return nil, errJPEGSegments
		}
		n := int(src[i])<<8 | int(src[i+1])
		if n < 2 || i+n > len(src) {
			return nil, errJPEGSegments
		}
		seg, body := src[i-2:i+n], src[i+2:i+n]
		i += n
		switch {
		case marker == 0xDA: // SOS: the scan's entropy-coded data follows
			sawScan = true
			end, err := scanEnd(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, seg...)
			out = append(out, src[i:end]...)
			i = end
		case marker >= 0xC0 && marker <= 0xCF: // SOFn, DHT (C4), DAC (CC)
			if marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
				sawFrame = true
			}
			out = append(out, seg...)
		case marker == 0xDB, marker == 0xDD, marker == 0xDC: // DQT, DRI, DNL
			out = append(out, seg...)
		case marker == 0xE0 && len(body) >= 14 && string(body[:5]) == "JFIF\x00":
			// Units and densities only; the thumbnail size set to 0×0.
			out = append(out, 0xFF, 0xE0, 0, 16)
			out = append(out, body[:12]...)
			out = append(out, 0, 0)
		case marker == 0xEE && len(body) >= 12 && string(body[:5]) == "Adobe":
			// Version, two flag words and the colour transform: 12 bytes.
			out = append(out, 0xFF, 0xEE, 0, 14)
			out = append(out, body[:12]...)
		}
		// Anything else (APP1-APP15, COM, JPG extensions, other APP0 and
		// APP14) is left out.
	}
}

// scanEnd returns the offset of the marker that ends the entropy-coded data
// starting at src[i]: the first 0xFF not followed by a stuffed zero or a
// restart marker (fill bytes 0xFF may come before it).
func scanEnd(src []byte, i int) (int, error) {
	for {
		j := bytes.IndexByte(src[i:], 0xFF)
		if j < 0 {
			return 0, errJPEGSegments
		}
		i += j
		k := i + 1
		for k < len(src) && src[k] == 0xFF {
			k++
		}
		if k >= len(src) {
			return 0, errJPEGSegments
		}
		if c := src[k]; c == 0x00 || (c >= 0xD0 && c <= 0xD7) {
			i = k + 1
			continue
		}
		return i, nil
	}
}
