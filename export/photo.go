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
// Either way no EXIF, and so no camera location (GPS), reaches the packet.
const (
	printDPI       = 200
	compactQuality = 85
	originalQual   = 92
)

func derivedKind(paper records.Paper, q records.Quality) string {
	if q == records.QualityOriginal {
		return fmt.Sprintf("print-original-q%d", originalQual)
	}
	return fmt.Sprintf("print-%s-%ddpi-q%d", paper, printDPI, compactQuality)
}

// printBox is the largest picture, in pixels at printDPI, that an image
// page of this paper holds.
func printBox(paper records.Paper) (int, int) {
	g := geometryFor(paper)
	w, h := g.imageArea()
	return int(w/25.4*printDPI + 0.5), int(h/25.4*printDPI + 0.5)
}

// printVersion returns the photo as it goes into the packet: upright,
// fitted, metadata-free JPEG bytes and their pixel size.
func printVersion(ctx context.Context, s *records.Store, f records.File, paper records.Paper, q records.Quality) ([]byte, int, int, error) {
	kind := derivedKind(paper, q)
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
		jpg, w, h, err = media.PrintImage(bytes.NewReader(src), f.Orientation, 1<<20, 1<<20, originalQual)
	} else {
		maxW, maxH := printBox(paper)
		jpg, w, h, err = compact(src, f, maxW, maxH)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, 0, ctx.Err()
		}
		return nil, 0, 0, &records.Problem{Msg: fmt.Sprintf("The picture %s is damaged and cannot be placed in the packet. Leave it out, or add a fresh copy.", f.Name), Err: err}
	}
	// Keeping the print version is an optimisation: if the library cannot
	// take it (disk full), this export still goes on.
	_ = s.SaveDerived(ctx, f.ID, kind, jpg, w, h)
	return jpg, w, h, nil
}

// compact makes the compact print version. Large camera JPEGs take a fast
// road (see shrinkJPEG); everything else goes through media.PrintImage.
func compact(src []byte, f records.File, maxW, maxH int) ([]byte, int, int, error) {
	if f.MediaType == media.JPEG {
		if jpg, w, h, ok := shrinkJPEG(src, f.Orientation, maxW, maxH); ok {
			return jpg, w, h, nil
		}
	}
	return media.PrintImage(bytes.NewReader(src), f.Orientation, maxW, maxH, compactQuality)
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
func shrinkJPEG(src []byte, orientation, maxW, maxH int) (jpg []byte, w, h int, ok bool) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(src))
	if err != nil || cfg.Width*cfg.Height > media.MaxPixels {
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
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, up, &jpeg.Options{Quality: compactQuality}); err != nil {
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

// passThrough returns a JPEG as it is, minus every metadata segment (EXIF
// with its GPS, XMP, comments, maker notes), when it needs no turning and
// gofpdf places it correctly (baseline or progressive, YCbCr or grey).
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

// stripJPEG copies a JPEG, leaving out APP1-APP15 and COM segments. APP0
// (JFIF) stays; the image data after SOS is copied untouched.
func stripJPEG(src []byte) ([]byte, error) {
	if len(src) < 4 || src[0] != 0xFF || src[1] != 0xD8 {
		return nil, errJPEGSegments
	}
	out := make([]byte, 0, len(src))
	out = append(out, 0xFF, 0xD8)
	i := 2
	for i+4 <= len(src) {
		if src[i] != 0xFF {
			return nil, errJPEGSegments
		}
		marker := src[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		n := int(src[i+2])<<8 | int(src[i+3])
		if n < 2 || i+2+n > len(src) {
			return nil, errJPEGSegments
		}
		seg := src[i : i+2+n]
		if marker == 0xDA { // start of scan: the rest is image data
			return append(out, src[i:]...), nil
		}
		if !(marker >= 0xE1 && marker <= 0xEF) && marker != 0xFE {
			out = append(out, seg...)
		}
		i += 2 + n
	}
	return nil, errJPEGSegments
}
