package media

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"

	// Decoders registered with image.Decode. The standard library covers
	// JPEG (baseline, progressive, gray, CMYK), PNG (16-bit, interlaced) and
	// GIF; golang.org/x/image adds TIFF, WebP and BMP.
	_ "image/gif"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// maxEXIFScan bounds how far into a JPEG jpegOrientation reads looking for the
// APP1 (EXIF) segment, which by the JPEG rules precedes the image data.
const maxEXIFScan = 1 << 20

// maxTIFFPages bounds the walk along a TIFF's chain of image directories.
const maxTIFFPages = 10000

// inspectImage checks the image is whole (see structure.go for JPEG and
// PNG; other formats are decoded) and reads its stored size and EXIF
// orientation.
func inspectImage(ctx context.Context, r io.ReadSeeker, size int64, mediaType string) (Info, error) {
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return Info{}, fmt.Errorf("inspect image: %v: %w", err, ErrUnreadable)
	}
	if want := mediaType[len("image/"):]; format != want {
		return Info{}, fmt.Errorf("inspect image: content is %s, not %s: %w", format, want, ErrUnreadable)
	}
	if err := checkPixels(cfg); err != nil {
		return Info{}, fmt.Errorf("inspect image: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	info := Info{Pages: 1, Width: cfg.Width, Height: cfg.Height}

	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Info{}, fmt.Errorf("inspect image: %v: %w", err, ErrUnreadable)
	}
	switch mediaType {
	case JPEG:
		err = checkJPEG(r)
	case PNG:
		err = checkPNG(r)
	default:
		// Other formats are rarer and smaller: decode them whole.
		_, _, err = image.Decode(r)
	}
	if err != nil {
		return Info{}, fmt.Errorf("inspect image: %v: %w", err, ErrUnreadable)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}

	switch mediaType {
	case JPEG:
		if _, err := r.Seek(0, io.SeekStart); err == nil {
			info.Orientation = jpegOrientation(io.LimitReader(r, maxEXIFScan))
		}
	case TIFF:
		// The TIFF decoder reads only the first page and ignores the
		// orientation tag; both live in the chain of image directories,
		// which is cheap to walk.
		pages, orientation := tiffDirectories(r, size)
		info.Pages = max(pages, 1)
		info.Orientation = orientation
	}
	return info, nil
}

// checkPixels refuses images too large to decode safely: more than
// MaxPixels pixels, or more than MaxDecodedBytes once decoded.
func checkPixels(cfg image.Config) error {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("image has no pixels (%d×%d): %w", cfg.Width, cfg.Height, ErrUnreadable)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return fmt.Errorf("image of %d×%d pixels is larger than %d pixels: %w: %w", cfg.Width, cfg.Height, MaxPixels, ErrTooLarge, ErrUnreadable)
	}
	if n := DecodedBytes(cfg); n > MaxDecodedBytes {
		return fmt.Errorf("image of %d×%d pixels needs %d MB once decoded, more than %d MB: %w: %w", cfg.Width, cfg.Height, n>>20, MaxDecodedBytes>>20, ErrTooLarge, ErrUnreadable)
	}
	return nil
}

// DecodedBytes is the memory the Go decoders take for an image's pixels,
// from its colour model: 8 bytes a pixel for 16-bit colour (RGBA64,
// NRGBA64), 4 for 8-bit colour with alpha and CMYK, 3 for YCbCr (counted
// without chroma subsampling), 2 for 16-bit grey, 1 for 8-bit grey and
// palettes; 8 for a model it does not know.
func DecodedBytes(cfg image.Config) int64 {
	per := int64(8)
	switch cfg.ColorModel {
	case color.GrayModel, color.AlphaModel:
		per = 1
	case color.Gray16Model, color.Alpha16Model:
		per = 2
	case color.YCbCrModel:
		per = 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		per = 4
	case color.RGBA64Model, color.NRGBA64Model:
		per = 8
	default:
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			per = 1
		}
	}
	return int64(max(cfg.Width, 0)) * int64(max(cfg.Height, 0)) * per
}

// jpegOrientation returns the EXIF orientation 1-8 of a JPEG, 0 when it has
// none or the EXIF block is unreadable (a broken EXIF block is common and
// does not make the picture unreadable).
//
// Only IFD0's Orientation tag (0x0112) is read, by hand: it is all we need,
// and a general EXIF reader follows the offsets between directories, which
// a hostile file can point at each other (goexif then grew memory without
// end on a 26 KB file). Here no offset is followed but IFD0's own, the
// segment is at most 64 KB, and the walk stops at the first scan.
func jpegOrientation(r io.Reader) int {
	br := bufio.NewReaderSize(r, 64<<10)
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return 0
	}
	for {
		marker, err := nextMarker(br)
		if err != nil || marker == 0xDA || marker == 0xD9 {
			return 0 // the EXIF segment precedes the image data
		}
		if marker >= 0xD0 && marker <= 0xD7 || marker == 0x01 {
			continue
		}
		var lb [2]byte
		if _, err := io.ReadFull(br, lb[:]); err != nil {
			return 0
		}
		n := int(binary.BigEndian.Uint16(lb[:])) - 2
		if n < 0 {
			return 0
		}
		if marker != 0xE1 {
			if _, err := br.Discard(n); err != nil {
				return 0
			}
			continue
		}
		seg := make([]byte, n)
		if _, err := io.ReadFull(br, seg); err != nil {
			return 0
		}
		if len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return exifOrientation(seg[6:])
		}
	}
}

// exifOrientation reads the Orientation tag from IFD0 of a TIFF structure
// (the body of an EXIF segment), 0 when it is absent or out of range.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > int64(len(t)) {
		return 0
	}
	count := int64(bo.Uint16(t[off:]))
	entries := t[off+2:]
	for i := int64(0); i < count && 12*i+12 <= int64(len(entries)); i++ {
		e := entries[12*i:]
		if bo.Uint16(e) != 0x0112 {
			continue
		}
		// A SHORT (type 3), one value, stored in the entry itself.
		if bo.Uint16(e[2:]) != 3 || bo.Uint32(e[4:]) != 1 {
			return 0
		}
		if v := int(bo.Uint16(e[8:])); v >= 1 && v <= 8 {
			return v
		}
		return 0
	}
	return 0
}

// tiffDirectories walks a TIFF's image file directories (IFDs) and returns
// how many there are (pages) and the orientation tag (0x0112) of the first.
// It stops quietly at the first inconsistency: the answer is then a lower
// bound, which is all a page count for display needs.
func tiffDirectories(r io.ReadSeeker, size int64) (pages, orientation int) {
	var hdr [8]byte
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, 0
	}
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, 0
	}
	var bo binary.ByteOrder
	switch string(hdr[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, 0
	}
	next := int64(bo.Uint32(hdr[4:]))
	seen := make(map[int64]bool)
	for next > 0 && next+2 <= size && !seen[next] && pages < maxTIFFPages {
		seen[next] = true
		var n [2]byte
		if _, err := r.Seek(next, io.SeekStart); err != nil {
			break
		}
		if _, err := io.ReadFull(r, n[:]); err != nil {
			break
		}
		count := int64(bo.Uint16(n[:]))
		if pages == 0 {
			entries := make([]byte, 12*count)
			if _, err := io.ReadFull(r, entries); err != nil {
				break
			}
			for i := int64(0); i < count; i++ {
				e := entries[12*i:]
				// Orientation is a SHORT (type 3) with one value.
				if bo.Uint16(e) == 0x0112 && bo.Uint16(e[2:]) == 3 {
					if v := int(bo.Uint16(e[8:])); v >= 1 && v <= 8 {
						orientation = v
					}
				}
			}
		} else if _, err := r.Seek(12*count, io.SeekCurrent); err != nil {
			break
		}
		var off [4]byte
		if _, err := io.ReadFull(r, off[:]); err != nil {
			pages++
			break
		}
		pages++
		next = int64(bo.Uint32(off[:]))
	}
	return pages, orientation
}

// PrintImage decodes an image of any supported type (JPEG including CMYK,
// progressive and gray; PNG including 16-bit and interlaced; GIF; TIFF;
// WebP; BMP), turns it upright according to the EXIF orientation (1-8; 0
// or an unknown value leaves it as stored), scales it down — never up — to
// fit within maxW × maxH pixels, flattens any transparency onto white and
// encodes it as a baseline JPEG of the given quality (1-100; 85 is typical).
//
// The output carries no metadata at all: no EXIF, so no GPS location, and
// no ICC profile. It returns the JPEG bytes and their pixel size. Errors
// wrap ErrUnreadable; an image too large to decode safely (see
// DecodedBytes) also wraps ErrTooLarge, before any pixel is decoded.
func PrintImage(r io.Reader, orientation int, maxW, maxH, quality int) (jpg []byte, w, h int, err error) {
	defer func() {
		if p := recover(); p != nil {
			jpg, w, h, err = nil, 0, 0, panicError("print image", p)
		}
	}()
	if maxW <= 0 || maxH <= 0 {
		return nil, 0, 0, fmt.Errorf("print image: box %d×%d has no room", maxW, maxH)
	}
	quality = min(max(quality, 1), 100)

	// Read the header first to refuse a decompression bomb before
	// allocating its pixels; the bytes it consumed are replayed to Decode.
	var hdr bytes.Buffer
	cfg, _, err := image.DecodeConfig(io.TeeReader(r, &hdr))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("print image: %v: %w", err, ErrUnreadable)
	}
	if err := checkPixels(cfg); err != nil {
		return nil, 0, 0, fmt.Errorf("print image: %w", err)
	}
	src, _, err := image.Decode(io.MultiReader(&hdr, r))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("print image: %v: %w", err, ErrUnreadable)
	}

	dst := fitImage(src, orientation, maxW, maxH)
	flatten(dst)
	dst = orient(dst, orientation)

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality}); err != nil {
		return nil, 0, 0, fmt.Errorf("print image: encode: %w", err)
	}
	b := dst.Bounds()
	return buf.Bytes(), b.Dx(), b.Dy(), nil
}

// swapsAxes reports whether an EXIF orientation turns the picture a quarter
// turn, so the upright picture is as wide as the stored one is tall.
func swapsAxes(orientation int) bool {
	return orientation >= 5 && orientation <= 8
}

// fitImage scales src (still in stored orientation) so that, once turned
// upright, it fits maxW × maxH, and returns it as premultiplied RGBA.
func fitImage(src image.Image, orientation, maxW, maxH int) *image.RGBA {
	sb := src.Bounds()
	uw, uh := sb.Dx(), sb.Dy() // upright size
	if swapsAxes(orientation) {
		uw, uh = uh, uw
	}
	tw, th := uw, uh
	if uw > maxW || uh > maxH {
		// Scale by the tighter of the two ratios, in integers to avoid
		// off-by-one from float rounding at exact fits.
		if int64(uw)*int64(maxH) > int64(uh)*int64(maxW) {
			tw, th = maxW, max(1, int((int64(uh)*int64(maxW)+int64(uw)/2)/int64(uw)))
		} else {
			tw, th = max(1, int((int64(uw)*int64(maxH)+int64(uh)/2)/int64(uh))), maxH
		}
	}
	if swapsAxes(orientation) {
		tw, th = th, tw // back to stored orientation
	}
	return scale(src, tw, th)
}

// scale resamples src to tw × th pixels (never larger than src).
//
// Speed matters here: a packet may hold dozens of phone photos. Measured
// with BenchmarkPrintImage12MP (12-megapixel JPEG fitted to 2000×2000, on
// the project's 2-core Xeon) the whole PrintImage call took 1.45 s and
// 235 MB with x/image/draw's CatmullRom kernel throughout, 1.2 s with
// BiLinear and 0.70 s with ApproxBiLinear; decoding alone is 0.35 s. So the
// picture is first halved with ApproxBiLinear while it is at least twice
// the target size (at an exact factor of two that is a 2×2 box average,
// i.e. properly anti-aliased), and only the last step, by a factor below
// two, uses the sharper CatmullRom kernel on an already small image: 0.48 s
// and 43 MB.
func scale(src image.Image, tw, th int) *image.RGBA {
	cur, cb := src, src.Bounds()
	for cb.Dx() >= 2*tw && cb.Dy() >= 2*th {
		half := image.NewRGBA(image.Rect(0, 0, cb.Dx()/2, cb.Dy()/2))
		draw.ApproxBiLinear.Scale(half, half.Bounds(), cur, cb, draw.Src, nil)
		cur, cb = half, half.Bounds()
	}
	if m, ok := cur.(*image.RGBA); ok && cb.Dx() == tw && cb.Dy() == th && cur != src {
		return m
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	switch {
	case cb.Dx() == tw && cb.Dy() == th:
		draw.Draw(dst, dst.Bounds(), cur, cb.Min, draw.Src)
	case int64(tw)*int64(cb.Dy())*32 > maxKernelTmp:
		// The kernel works through a buffer of four float64s for every
		// target column and source row: 169 MB for a 6400×6400 scan
		// printed on A4, more than the picture itself. Such large
		// pictures take the bounded bilinear step instead.
		draw.ApproxBiLinear.Scale(dst, dst.Bounds(), cur, cb, draw.Src, nil)
	default:
		draw.CatmullRom.Scale(dst, dst.Bounds(), cur, cb, draw.Src, nil)
	}
	return dst
}

// maxKernelTmp bounds the temporary buffer of the Catmull-Rom step in
// scale; a 12 MP photo fitted to A4 needs 79 MB of it.
const maxKernelTmp = 96 << 20

// flatten composites premultiplied RGBA onto white in place.
func flatten(m *image.RGBA) {
	p := m.Pix
	for i := 0; i+3 < len(p); i += 4 {
		if a := p[i+3]; a != 0xFF {
			t := 0xFF - a
			p[i] += t
			p[i+1] += t
			p[i+2] += t
			p[i+3] = 0xFF
		}
	}
}

// orient returns m turned upright according to EXIF orientation o (as
// defined in EXIF 2.3 / TIFF 6.0 tag 0x0112: where the stored 0th row and
// 0th column lie in the picture as it should be seen).
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	dw, dh := w, h
	if swapsAxes(o) {
		dw, dh = h, w
	}
	d := image.NewRGBA(image.Rect(0, 0, dw, dh))
	// For each upright pixel (x, y), the stored pixel it comes from.
	var from func(x, y int) (int, int)
	switch o {
	case 2: // mirrored left-right
		from = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3: // turned 180°
		from = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4: // mirrored top-bottom
		from = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5: // transposed (mirror left-right, then a quarter turn anticlockwise)
		from = func(x, y int) (int, int) { return y, x }
	case 6: // needs a quarter turn clockwise
		from = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7: // transverse (mirror left-right, then a quarter turn clockwise)
		from = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8: // needs a quarter turn anticlockwise
		from = func(x, y int) (int, int) { return w - 1 - y, x }
	}
	for y := range dh {
		row := d.Pix[y*d.Stride:]
		for x := range dw {
			sx, sy := from(x, y)
			si := sy*m.Stride + sx*4
			copy(row[x*4:x*4+4], m.Pix[si:si+4])
		}
	}
	return d
}
