package export

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"secondopinion/records"
)

// cameraJPEG is a w×h colour JPEG, dark except for a bright top-left
// quadrant, so where that quadrant ends up shows how the picture turned.
func cameraJPEG(t testing.TB, w, h int, gray bool) []byte {
	t.Helper()
	var m image.Image
	bright := func(x, y int) bool { return x < w/2 && y < h/2 }
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				g.Pix[y*g.Stride+x] = 20
				if bright(x, y) {
					g.Pix[y*g.Stride+x] = 240
				}
			}
		}
		m = g
	} else {
		c := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
		for y := range h {
			for x := range w {
				c.Y[y*c.YStride+x] = 20
				if bright(x, y) {
					c.Y[y*c.YStride+x] = 240
				}
			}
		}
		for i := range c.Cb {
			c.Cb[i], c.Cr[i] = 128, 128
		}
		m = c
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// quadrantLuma returns the mean brightness of the centre of each quadrant:
// top-left, top-right, bottom-left, bottom-right.
func quadrantLuma(t *testing.T, jpg []byte) (w, h int, q [4]float64) {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		t.Fatal(err)
	}
	b := m.Bounds()
	w, h = b.Dx(), b.Dy()
	centres := [4][2]int{{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}}
	for i, c := range centres {
		r, g, bb, _ := m.At(b.Min.X+c[0], b.Min.Y+c[1]).RGBA()
		q[i] = float64(r+g+bb) / 3 / 257
	}
	return w, h, q
}

func TestShrinkJPEG(t *testing.T) {
	maxW, maxH := printBox(records.PaperA4)
	tests := []struct {
		orientation int
		gray        bool
		w, h        int // upright output size
		bright      int // quadrant the stored top-left lands in
	}{
		{1, false, 1333, 1000, 0},
		{2, false, 1333, 1000, 1},
		{3, false, 1333, 1000, 3},
		{4, false, 1333, 1000, 2},
		{5, false, 1500, 2000, 0},
		{6, false, 1500, 2000, 1},
		{7, false, 1500, 2000, 3},
		{8, false, 1500, 2000, 2},
		{6, true, 1500, 2000, 1},
		{0, true, 1333, 1000, 0},
	}
	src := map[bool][]byte{false: cameraJPEG(t, 4000, 3000, false), true: cameraJPEG(t, 4000, 3000, true)}
	for _, tt := range tests {
		jpg, w, h, ok := shrinkJPEG(src[tt.gray], tt.orientation, maxW, maxH, false)
		if !ok {
			t.Fatalf("shrinkJPEG(orientation %d, gray %v) took the slow road", tt.orientation, tt.gray)
		}
		gw, gh, q := quadrantLuma(t, jpg)
		if w != tt.w || h != tt.h || gw != w || gh != h {
			t.Errorf("shrinkJPEG(orientation %d) = %d×%d (decodes as %d×%d), want %d×%d", tt.orientation, w, h, gw, gh, tt.w, tt.h)
		}
		if w > maxW*5/4 || h > maxH*5/4 {
			t.Errorf("shrinkJPEG(orientation %d) = %d×%d, more than a quarter over the %d×%d box", tt.orientation, w, h, maxW, maxH)
		}
		for i, v := range q {
			if (i == tt.bright) != (v > 200) || (i != tt.bright && v > 60) {
				t.Errorf("shrinkJPEG(orientation %d, gray %v): quadrant brightness %v, want only quadrant %d bright", tt.orientation, tt.gray, q, tt.bright)
				break
			}
		}
		if bytes.Contains(jpg, []byte("Exif")) {
			t.Errorf("shrinkJPEG(orientation %d) kept EXIF", tt.orientation)
		}
	}
}

func TestShrinkJPEGSlowRoad(t *testing.T) {
	maxW, maxH := printBox(records.PaperA4)
	tests := []struct {
		name string
		w, h int
	}{
		{"already small", 1000, 800},
		{"just over the box", 1500, 1100}, // a whole factor would land far below the box
	}
	for _, tt := range tests {
		if _, _, _, ok := shrinkJPEG(cameraJPEG(t, tt.w, tt.h, false), 1, maxW, maxH, false); ok {
			t.Errorf("shrinkJPEG(%s %d×%d) took the fast road; want PrintImage's resampling", tt.name, tt.w, tt.h)
		}
	}
}

func TestStripJPEG(t *testing.T) {
	jpg := cameraJPEG(t, 64, 48, false)
	exif := append([]byte{0xFF, 0xE1, 0x00, 0x10}, []byte("Exif\x00\x00GPS-here")...)
	with := append(append([]byte{0xFF, 0xD8}, exif...), jpg[2:]...)
	out, err := stripJPEG(with)
	if err != nil {
		t.Fatalf("stripJPEG = %v", err)
	}
	if bytes.Contains(out, []byte("GPS-here")) || bytes.Contains(out, []byte("Exif")) {
		t.Errorf("stripJPEG kept the EXIF segment")
	}
	if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
		t.Errorf("stripJPEG output does not decode: %v", err)
	}
	if _, err := stripJPEG([]byte("not a jpeg")); err == nil {
		t.Errorf("stripJPEG(junk) = nil error")
	}
}

func BenchmarkShrinkJPEG12MP(b *testing.B) {
	src := cameraJPEG(b, 4000, 3000, false)
	maxW, maxH := printBox(records.PaperA4)
	for b.Loop() {
		if _, _, _, ok := shrinkJPEG(src, 6, maxW, maxH, false); !ok {
			b.Fatal("slow road")
		}
	}
}

// TestStripJPEGPlacements checks stripJPEG drops metadata wherever it sits
// and that the picture decodes to the same pixels.
func TestStripJPEGPlacements(t *testing.T) {
	jpg := cameraJPEG(t, 64, 48, false)
	app := func(marker byte, s string) []byte {
		n := len(s) + 2
		return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, s...)
	}
	meta := append(append(app(0xE1, "Exif\x00\x00SECRET-1"), app(0xFE, "SECRET-2")...), app(0xE2, "ICC_PROFILE\x00SECRET-3")...)
	jfifThumb := app(0xE0, "JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x01\x01SECRET-4")
	tests := []struct {
		name string
		in   []byte
	}{
		{"after SOI", insertAt(jpg, 2, meta)},
		{"before EOI", insertAt(jpg, len(jpg)-2, meta)},
		{"after EOI", append(bytes.Clone(jpg), append([]byte{0xFF, 0xD8}, meta...)...)},
		{"JFIF thumbnail", insertAt(jpg, 2, jfifThumb)},
		{"fill bytes", insertAt(jpg, len(jpg)-2, append([]byte{0xFF, 0xFF}, meta...))},
	}
	want, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		out, err := stripJPEG(tt.in)
		if err != nil {
			t.Errorf("stripJPEG(%s) = %v", tt.name, err)
			continue
		}
		if bytes.Contains(out, []byte("SECRET")) {
			t.Errorf("stripJPEG(%s) kept metadata", tt.name)
		}
		got, err := jpeg.Decode(bytes.NewReader(out))
		if err != nil {
			t.Errorf("stripJPEG(%s) does not decode: %v", tt.name, err)
			continue
		}
		if !bytes.Equal(got.(*image.YCbCr).Y, want.(*image.YCbCr).Y) || !bytes.Equal(got.(*image.YCbCr).Cb, want.(*image.YCbCr).Cb) {
			t.Errorf("stripJPEG(%s) changed the pixels", tt.name)
		}
	}
	for _, bad := range [][]byte{jpg[:len(jpg)-2], jpg[:len(jpg)/2], {0xFF, 0xD8, 0xFF, 0xD9}} {
		if _, err := stripJPEG(bad); err == nil {
			t.Errorf("stripJPEG(%d bytes, cut or empty) = nil error", len(bad))
		}
	}
}

func insertAt(b []byte, at int, ins []byte) []byte {
	return append(append(append([]byte{}, b[:at]...), ins...), b[at:]...)
}
