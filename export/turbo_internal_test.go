package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"secondopinion/records"
	"secondopinion/records/sandbox"
)

// The two photo roads: libjpeg-turbo (turboShrink) and Go's decoder
// (shrinkJPEG). Both must give the same upright picture, near the print
// box, in the same colours. Run with -tags noturbo for the Go road alone.

// quadrantPicture is a w×h picture a turn or mirror cannot leave unchanged:
// red, green, blue and light grey quadrants, with a dark bar along the top
// of the red one.
func quadrantPicture(w, h int) image.Image {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var c color.RGBA
			switch {
			case x < w/2 && y < h/10:
				c = color.RGBA{30, 30, 30, 255}
			case x < w/2 && y < h/2:
				c = color.RGBA{200, 40, 40, 255}
			case y < h/2:
				c = color.RGBA{40, 170, 60, 255}
			case x < w/2:
				c = color.RGBA{40, 60, 190, 255}
			default:
				c = color.RGBA{220, 220, 210, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// encodeAs encodes m as a JPEG with the given chroma subsampling ("420",
// "422", "444") or in grey ("gray"). Go's encoder writes only 4:2:0 and
// grey; the others are written by libjpeg-turbo (skipped without it).
func encodeAs(t *testing.T, m image.Image, kind string) []byte {
	t.Helper()
	b := m.Bounds()
	var buf bytes.Buffer
	switch kind {
	case "420":
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 92}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	case "gray":
		g := image.NewGray(b)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				g.Set(x, y, m.At(x, y))
			}
		}
		if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: 92}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if !turboBuilt {
		t.Skipf("a %s JPEG is written with libjpeg-turbo, which this build leaves out", kind)
	}
	r := image.YCbCrSubsampleRatio444
	if kind == "422" {
		r = image.YCbCrSubsampleRatio422
	}
	p := newPlanes(b.Dx(), b.Dy(), r)
	for y := range b.Dy() {
		for x := range b.Dx() {
			rr, gg, bb, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
			yy, cb, cr := color.RGBToYCbCr(uint8(rr>>8), uint8(gg>>8), uint8(bb>>8))
			p.Y[p.YOffset(x, y)] = yy
			// Several pixels share a chroma sample: the last one wins,
			// which is exact away from the quadrant edges.
			p.Cb[p.COffset(x, y)], p.Cr[p.COffset(x, y)] = cb, cr
		}
	}
	jpg, err := turboEncode(p, 92)
	if err != nil {
		t.Fatal(err)
	}
	return jpg
}

// uprightReference is the whole picture decoded by Go and turned by EXIF
// orientation o: what every road must look like, only smaller.
func uprightReference(t *testing.T, src []byte, o int) image.Image {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := m.(*image.YCbCr); ok && o >= 2 {
		// upright keeps the full-resolution chroma (4:4:4).
		return upright(c, o)
	}
	return upright(m, o)
}

// colourDistance is the mean, over a grid of points placed at the same
// fractions of each picture's width and height, of the largest per-channel
// difference (0-255). Points within one grid cell of a quadrant edge are
// skipped: the roads average edges over different widths.
func colourDistance(a, b image.Image) float64 {
	const n = 20
	ab, bb := a.Bounds(), b.Bounds()
	var sum float64
	var count int
	for i := range n {
		for j := range n {
			fx, fy := (float64(i)+0.5)/n, (float64(j)+0.5)/n
			if near(fx, 0.5, 1.0/n) || near(fy, 0.5, 1.0/n) || near(fy, 0.1, 1.0/n) || near(fx, 0.1, 1.0/n) || near(fy, 0.9, 1.0/n) || near(fx, 0.9, 1.0/n) {
				continue
			}
			ca := color.RGBAModel.Convert(a.At(ab.Min.X+int(fx*float64(ab.Dx())), ab.Min.Y+int(fy*float64(ab.Dy())))).(color.RGBA)
			cb := color.RGBAModel.Convert(b.At(bb.Min.X+int(fx*float64(bb.Dx())), bb.Min.Y+int(fy*float64(bb.Dy())))).(color.RGBA)
			d := max(absDiff(ca.R, cb.R), absDiff(ca.G, cb.G), absDiff(ca.B, cb.B))
			sum += float64(d)
			count++
		}
	}
	return sum / float64(count)
}

func near(v, at, within float64) bool { return v > at-within && v < at+within }

func absDiff(a, b uint8) int { return abs(int(a) - int(b)) }

func decodeJPEG(t *testing.T, jpg []byte) image.Image {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		t.Fatalf("the print version does not decode: %v", err)
	}
	return m
}

// TestPhotoRoadsAgree checks, for every EXIF orientation and each kind of
// JPEG the turbo road takes (odd sizes included), that both roads give
// the upright picture in its colours, at a size near the box with the
// upright aspect.
func TestPhotoRoadsAgree(t *testing.T) {
	const maxW, maxH = 300, 300
	for _, kind := range []string{"420", "422", "444", "gray"} {
		for _, size := range [][2]int{{800, 600}, {801, 599}} {
			t.Run(fmt.Sprintf("%s-%dx%d", kind, size[0], size[1]), func(t *testing.T) {
				src := encodeAs(t, quadrantPicture(size[0], size[1]), kind)
				for o := 1; o <= 8; o++ {
					ref := uprightReference(t, src, o)
					rb := ref.Bounds()
					roads := map[string][]byte{}
					goJPG, gw, gh, ok := shrinkJPEG(src, o, maxW, maxH, false)
					if !ok {
						t.Fatalf("shrinkJPEG(orientation %d) took the slow road", o)
					}
					roads["go"] = goJPG
					turboJPG, tw, th, err := turboShrink(src, o, maxW, maxH, false)
					if tookTurbo(t, fmt.Sprintf("turboShrink(%s, orientation %d)", kind, o), err) {
						roads["turbo"] = turboJPG
					}
					sizes := map[string][2]int{"go": {gw, gh}, "turbo": {tw, th}}
					for road, jpg := range roads {
						m := decodeJPEG(t, jpg)
						b := m.Bounds()
						if b.Dx() != sizes[road][0] || b.Dy() != sizes[road][1] {
							t.Errorf("%s road (orientation %d) says %d×%d, decodes as %d×%d", road, o, sizes[road][0], sizes[road][1], b.Dx(), b.Dy())
						}
						if a, want := float64(b.Dx())/float64(b.Dy()), float64(rb.Dx())/float64(rb.Dy()); a < want*0.97 || a > want*1.03 {
							t.Errorf("%s road (orientation %d) = %d×%d, want the upright aspect of %d×%d", road, o, b.Dx(), b.Dy(), rb.Dx(), rb.Dy())
						}
						if fit := max(float64(b.Dx())/maxW, float64(b.Dy())/maxH); fit < 0.8 || fit > 1.25 {
							t.Errorf("%s road (orientation %d) = %d×%d, %.2f of the %d×%d box; want 0.8-1.25", road, o, b.Dx(), b.Dy(), fit, maxW, maxH)
						}
						if d := colourDistance(m, ref); d > 6 {
							t.Errorf("%s road (%s, orientation %d): colours differ from the upright original by %.1f of 255 on average; want ≤ 6", road, kind, o, d)
						}
						if _, grey := m.(*image.Gray); grey != (kind == "gray") {
							t.Errorf("%s road (%s, orientation %d) = %T", road, kind, o, m)
						}
						if c, ok := m.(*image.YCbCr); ok && kind == "444" && c.SubsampleRatio != image.YCbCrSubsampleRatio420 {
							t.Errorf("%s road (4:4:4, orientation %d) wrote %v; want 4:2:0, as small as the Go road's", road, o, c.SubsampleRatio)
						}
					}
					if len(roads) == 2 {
						if d := colourDistance(decodeJPEG(t, roads["go"]), decodeJPEG(t, roads["turbo"])); d > 6 {
							t.Errorf("roads differ by %.1f of 255 on average (%s, orientation %d); want ≤ 6", d, kind, o)
						}
					}
				}
			})
		}
	}
}

// tookTurbo checks the error of call, a call on the turbo road: nil when
// built with libjpeg-turbo, errTurboUnavailable without. It reports whether
// the turbo road made a picture.
func tookTurbo(t *testing.T, call string, err error) bool {
	t.Helper()
	switch {
	case !turboBuilt && !errors.Is(err, errTurboUnavailable):
		t.Fatalf("%s without libjpeg-turbo = %v, want errTurboUnavailable", call, err)
	case turboBuilt && err != nil:
		t.Fatalf("%s = %v; want the turbo road", call, err)
	}
	return turboBuilt
}

// TestPhotoRoadsOriginal checks the "original" print version of a photo
// that must be turned: every pixel, upright, on both roads (libjpeg-turbo,
// and media.PrintImage in the sandbox's child process).
func TestPhotoRoadsOriginal(t *testing.T) {
	for _, kind := range []string{"420", "444", "gray"} {
		t.Run(kind, func(t *testing.T) {
			src := encodeAs(t, quadrantPicture(401, 300), kind)
			for o := 1; o <= 8; o++ {
				ref := uprightReference(t, src, o)
				roads := map[string][]byte{}
				jpg, _, _, err := sandbox.PrintImage(context.Background(), src, o, 1<<20, 1<<20, originalQual)
				if err != nil {
					t.Fatalf("PrintImage(orientation %d) = %v", o, err)
				}
				roads["go"] = jpg
				jpg, w, h, err := turboOriginal(src, o)
				if tookTurbo(t, fmt.Sprintf("turboOriginal(%s, orientation %d)", kind, o), err) {
					if w != ref.Bounds().Dx() || h != ref.Bounds().Dy() {
						t.Errorf("turboOriginal(orientation %d) says %d×%d, want %v", o, w, h, ref.Bounds().Size())
					}
					roads["turbo"] = jpg
				}
				for road, jpg := range roads {
					m := decodeJPEG(t, jpg)
					if m.Bounds().Size() != ref.Bounds().Size() {
						t.Errorf("%s road, original (orientation %d) = %v, want every pixel, upright: %v", road, o, m.Bounds().Size(), ref.Bounds().Size())
					}
					if d := colourDistance(m, ref); d > 4 {
						t.Errorf("%s road, original (%s, orientation %d): colours differ from the upright original by %.1f of 255; want ≤ 4", road, kind, o, d)
					}
				}
			}
		})
	}
}

// TestPhotoRoadsCorpusOrientations turns the corpus's eight "F" pictures
// (stored mirrored and turned each its own way, with the EXIF orientation
// that undoes it) on both roads: all eight must come out as the same
// upright F.
func TestPhotoRoadsCorpusOrientations(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "images")
	var want image.Image
	for o := 1; o <= 8; o++ {
		src, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("exif-orientation-%d.jpg", o)))
		if err != nil {
			t.Fatal(err)
		}
		ref := uprightReference(t, src, o)
		if want == nil {
			want = ref
		}
		if d := colourDistance(ref, want); d > 10 {
			t.Fatalf("the corpus's F %d, turned by Go's upright, differs from F 1 by %.1f: the fixture is not what the test thinks", o, d)
		}
		goJPG, _, _, ok := shrinkJPEG(src, o, 20, 20, false)
		if !ok {
			t.Fatalf("shrinkJPEG(F %d) took the slow road", o)
		}
		roads := map[string][]byte{"go": goJPG}
		if turboBuilt {
			jpg, w, h, err := turboShrink(src, o, 20, 20, false)
			if err != nil {
				t.Fatalf("turboShrink(F %d) = %v", o, err)
			}
			if w != 10 || h != 20 {
				t.Errorf("turboShrink(F %d) = %d×%d, want 10×20 (40×80 upright at 2/8)", o, w, h)
			}
			roads["turbo"] = jpg
		}
		for road, jpg := range roads {
			m := decodeJPEG(t, jpg)
			if b := m.Bounds(); b.Dx() != 10 || b.Dy() != 20 {
				t.Errorf("%s road: F %d = %d×%d, want 10×20", road, o, b.Dx(), b.Dy())
			}
			if d := colourDistance(m, want); d > 25 {
				t.Errorf("%s road: F %d differs from the upright F by %.1f of 255 on average; want ≤ 25 (a wrong turn gives about 100)", road, o, d)
			}
		}
	}
}

// TestTurboFallsBack checks the JPEGs the turbo road leaves to the Go road
// (and that the Go road, or PrintImage after it, still makes them).
func TestTurboFallsBack(t *testing.T) {
	if !turboBuilt {
		t.Skip("built without libjpeg-turbo: every photo takes the Go road")
	}
	dir := filepath.Join(corpusDir(t), "images")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := encodeAs(t, quadrantPicture(800, 600), "420")
	// Bytes of the entropy-coded data overwritten: libjpeg-turbo warns
	// ("Corrupt JPEG data") and may still finish; a warning is enough to
	// leave the photo to the Go road.
	corrupt := bytes.Clone(good)
	for i := len(corrupt) / 2; i < len(corrupt)/2+40; i++ {
		corrupt[i] = 0xFF
	}
	// Stray bytes before the scan: libjpeg-turbo warns ("extraneous bytes
	// before marker 0xda"), Go's decoder skips them as libjpeg itself does.
	extraneous := insertAt(good, bytes.Index(good, []byte{0xFF, 0xDA}), []byte("stray"))
	// A frame header claiming 10000×6000 pixels: more than media lets any
	// decoder take (a decompression bomb is no more than this).
	bomb := bytes.Clone(good)
	sof := bytes.Index(bomb, []byte{0xFF, 0xC0})
	copy(bomb[sof+5:], []byte{6000 >> 8, 6000 & 0xFF, 10000 >> 8, 10000 & 0xFF})
	tests := []struct {
		name string
		src  []byte
		want error
		goOK bool // the Go road (shrinkJPEG) then makes it
	}{
		{"CMYK", read("go-cmyk-adobe.jpeg"), errTurboKind, false},
		{"4:1:1", read("go-subsampling-411.jpeg"), errTurboKind, true},
		{"stray bytes before the scan", extraneous, errTurboDecode, true},
		{"cut short", good[:len(good)*2/3], errTurboDecode, false},
		{"truncated", read("jpeg-truncated.jpg"), errTurboDecode, false},
		{"corrupt scan", corrupt, errTurboDecode, false},
		{"not a JPEG", []byte("%PDF-1.4 not a picture"), errTurboDecode, false},
		{"60 megapixels", bomb, errTurboScale, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, _, err := turboShrink(tt.src, 1, 40, 40, false); !errors.Is(err, tt.want) {
				t.Errorf("turboShrink(%s) = %v, want %v", tt.name, err, tt.want)
			}
			if _, _, _, err := turboOriginal(tt.src, 6); !errors.Is(err, tt.want) {
				t.Errorf("turboOriginal(%s) = %v, want %v", tt.name, err, tt.want)
			}
			if tt.goOK {
				jpg, w, h, ok := shrinkJPEG(tt.src, 1, 40, 40, false)
				if !ok {
					t.Fatalf("shrinkJPEG(%s) took the slow road; the Go road should make it", tt.name)
				}
				if b := decodeJPEG(t, jpg).Bounds(); b.Dx() != w || b.Dy() != h || max(w, h) > 50 {
					t.Errorf("shrinkJPEG(%s) = %d×%d (decodes as %v), want within the 40×40 box", tt.name, w, h, b)
				}
			}
		})
	}
}

// TestTurboEmailGrey checks the e-mail road on turbo: a photographed letter
// (no colour) comes out grey, a coloured photo in colour.
func TestTurboEmailGrey(t *testing.T) {
	if !turboBuilt {
		t.Skip("built without libjpeg-turbo")
	}
	letter := cameraJPEG(t, 1600, 1200, false) // Cb = Cr = 128 everywhere
	photo := encodeAs(t, quadrantPicture(1600, 1200), "420")
	for _, tt := range []struct {
		name string
		src  []byte
		grey bool
	}{{"letter", letter, true}, {"coloured photo", photo, false}} {
		jpg, _, _, err := turboShrink(tt.src, 6, 500, 500, true)
		if err != nil {
			t.Fatalf("turboShrink(%s, e-mail) = %v", tt.name, err)
		}
		if _, grey := decodeJPEG(t, jpg).(*image.Gray); grey != tt.grey {
			t.Errorf("turboShrink(%s, e-mail) grey = %v, want %v", tt.name, grey, tt.grey)
		}
	}
}

func TestTurboScale(t *testing.T) {
	a4w, a4h := printBox(records.PaperA4)
	ew, eh := boxAt(records.PaperA4, emailDPI)
	tests := []struct {
		name           string
		uw, uh, bw, bh int
		email          bool
		n, k           int
		err            error
	}{
		{"12 MP landscape, A4", 4000, 3000, a4w, a4h, false, 3, 1, nil},
		{"12 MP portrait, A4", 3000, 4000, a4w, a4h, false, 4, 1, nil},
		{"48 MP landscape, A4", 8000, 6000, a4w, a4h, false, 3, 2, nil}, // 2/8 is 1.46× the box, 1/8 0.73×
		{"just over the box", 1500, 1100, a4w, a4h, false, 8, 1, nil},
		{"already small", 1000, 800, a4w, a4h, false, 0, 0, errTurboSmall},
		{"12 MP landscape, e-mail", 4000, 3000, ew, eh, true, 2, 1, nil},   // 0.97× the box
		{"12 MP portrait, e-mail", 3000, 4000, ew, eh, true, 8, 3, nil},    // 3/8 is 1.09×, 8/24 0.97×
		{"just over the box, e-mail", 1100, 1500, ew, eh, true, 7, 1, nil}, // 0.89×
		{"12 MP portrait, A4 no smaller", 3000, 4000, a4w, a4h, true, 7, 2, nil},
	}
	for _, tt := range tests {
		n, k, err := turboScale(tt.uw, tt.uh, tt.bw, tt.bh, tt.email)
		if n != tt.n || k != tt.k || !errors.Is(err, tt.err) {
			t.Errorf("turboScale(%s) = %d/8 then %d×%d blocks, %v; want %d/8, %d, %v", tt.name, n, k, k, err, tt.n, tt.k, tt.err)
		}
	}
}

func BenchmarkTurboShrink12MP(b *testing.B) {
	if !turboBuilt {
		b.Skip("built without libjpeg-turbo")
	}
	src := cameraJPEG(b, 4000, 3000, false)
	maxW, maxH := printBox(records.PaperA4)
	for b.Loop() {
		if _, _, _, err := turboShrink(src, 6, maxW, maxH, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPhotoOriginal12MP makes the "original" print version of a
// sideways 12 MP photo on each road.
func BenchmarkPhotoOriginal12MP(b *testing.B) {
	src := cameraJPEG(b, 4000, 3000, false)
	b.Run("turbo", func(b *testing.B) {
		if !turboBuilt {
			b.Skip("built without libjpeg-turbo")
		}
		for b.Loop() {
			if _, _, _, err := turboOriginal(src, 6); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sandbox", func(b *testing.B) {
		for b.Loop() {
			if _, _, _, err := sandbox.PrintImage(context.Background(), src, 6, 1<<20, 1<<20, originalQual); err != nil {
				b.Fatal(err)
			}
		}
	})
}
