package dicom

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"secondopinion/records/dicom/dicomtest"
)

func render(t *testing.T, data []byte) (image.Image, RenderInfo) {
	t.Helper()
	img, info, err := Render(context.Background(), bytes.NewReader(data), int64(len(data)), -1)
	if err != nil {
		t.Fatalf("Render = %v", err)
	}
	return img, info
}

func grey(img image.Image, x, y int) int {
	return int(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
}

func TestRenderWindowed(t *testing.T) {
	// Stored values are signed 12-bit in 16 (high bits set to junk the
	// mask must drop); rescale slope 2, intercept -1024; window L 40 W 400.
	hu := []int{40, -160, 240, -3000, 39, 1000}
	px := make([]int, len(hu))
	for i, h := range hu {
		stored := (h + 1024) / 2 // -3000 HU is stored -988: two's complement in 12 bits
		px[i] = int(uint16(stored)&0x0FFF) | 0xA000
	}
	im := dicomtest.Image{Modality: "CT", Rows: 1, Cols: len(hu), BitsAllocated: 16, BitsStored: 12, Signed: true,
		Slope: 2, Intercept: -1024, Center: 40, Width: 400, Pixels: px}
	for _, tt := range []struct {
		photometric string
		want        []int
	}{
		// At the centre mid-grey, at the window's ends black and white,
		// beyond them clipped.
		{"MONOCHROME2", []int{128, 0, 255, 0, 127, 255}},
		{"MONOCHROME1", []int{127, 255, 0, 255, 128, 0}},
	} {
		t.Run(tt.photometric, func(t *testing.T) {
			im.Photometric = tt.photometric
			img, info := render(t, im.Bytes())
			if info.Window != "W 400 L 40" || info.Frame != 0 {
				t.Errorf("Render info = %+v, want W 400 L 40, single frame", info)
			}
			for i, want := range tt.want {
				if got := grey(img, i, 0); got < want-1 || got > want+1 {
					t.Errorf("pixel %d (%d HU) = %d, want %d", i, hu[i], got, want)
				}
			}
		})
	}
}

func TestRenderDefaultWindow(t *testing.T) {
	// CT without a window: soft tissue, W 400 L 40.
	ct := dicomtest.Image{Modality: "CT", Rows: 1, Cols: 2, Signed: true, Slope: 1, Intercept: -1024, Pixels: []int{1064, 1024 - 160}}
	img, info := render(t, ct.Bytes())
	if info.Window != "W 400 L 40" || grey(img, 0, 0) != 128 || grey(img, 1, 0) != 0 {
		t.Errorf("CT without window = %s, pixels %d %d; want W 400 L 40, 128 0", info.Window, grey(img, 0, 0), grey(img, 1, 0))
	}
	// MR without a window: the range of the values.
	mr := dicomtest.Image{Modality: "MR", Rows: 1, Cols: 3, Pixels: []int{100, 600, 1100}}
	img, _ = render(t, mr.Bytes())
	if g := []int{grey(img, 0, 0), grey(img, 1, 0), grey(img, 2, 0)}; g[0] != 0 || g[2] != 255 || g[1] < 126 || g[1] > 129 {
		t.Errorf("MR without window = %v, want 0, ~128, 255", g)
	}
}

func TestRenderMultiFrame(t *testing.T) {
	// Five frames of one value each; the middle (third) is drawn.
	var px []int
	for f := 0; f < 5; f++ {
		for i := 0; i < 4; i++ {
			px = append(px, f*100)
		}
	}
	im := dicomtest.Image{Modality: "XA", Rows: 2, Cols: 2, Frames: 5, Center: 200, Width: 100, Pixels: px}
	img, info := render(t, im.Bytes())
	if info.Frame != 3 || info.Frames != 5 {
		t.Errorf("Render info = %+v, want frame 3 of 5", info)
	}
	// The window W 100 L 200 puts 200 (frame 3) in the middle; frames 2
	// and 4 would be black and white.
	if g := grey(img, 1, 1); g < 100 || g > 160 {
		t.Errorf("middle frame pixel = %d, want mid-grey (frame 3)", g)
	}
}

func TestRenderColour(t *testing.T) {
	red, blue := [3]int{255, 0, 0}, [3]int{0, 0, 255}
	for _, tt := range []struct {
		name   string
		im     dicomtest.Image
		want   [2][3]int
		rgbPix []int
	}{
		{"interleaved", dicomtest.Image{Photometric: "RGB", Samples: 3, BitsAllocated: 8, Rows: 1, Cols: 2, Pixels: []int{255, 0, 0, 0, 0, 255}}, [2][3]int{red, blue}, nil},
		{"planar", dicomtest.Image{Photometric: "RGB", Samples: 3, Planar: 1, BitsAllocated: 8, Rows: 1, Cols: 2, Pixels: []int{255, 0, 0, 0, 0, 255}}, [2][3]int{red, blue}, nil},
		// Y 100, no colour difference: grey 100; then pure red in YCbCr.
		{"YBR_FULL", dicomtest.Image{Photometric: "YBR_FULL", Samples: 3, BitsAllocated: 8, Rows: 1, Cols: 2, Pixels: []int{100, 128, 128, 76, 85, 255}}, [2][3]int{{100, 100, 100}, {254, 0, 0}}, nil},
		{"YBR_FULL_422", dicomtest.Image{Photometric: "YBR_FULL_422", Samples: 3, BitsAllocated: 8, Rows: 1, Cols: 2, Pixels: []int{100, 100, 128, 128}}, [2][3]int{{100, 100, 100}, {100, 100, 100}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img, info := render(t, tt.im.Bytes())
			if info.Window != "" {
				t.Errorf("colour window = %q, want none", info.Window)
			}
			for x := 0; x < 2; x++ {
				r, g, b, _ := img.At(x, 0).RGBA()
				got := [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
				for c := range 3 {
					if d := got[c] - tt.want[x][c]; d < -2 || d > 2 {
						t.Errorf("pixel %d = %v, want %v", x, got, tt.want[x])
						break
					}
				}
			}
		})
	}
}

// TestRenderCorpus draws the corpus's images and checks what a viewer
// shows: the CR chest inverted (MONOCHROME1: lungs dark), compressed ones
// through dcmtk or gdcm, the same MR in four encodings alike.
func TestRenderCorpus(t *testing.T) {
	dir := corpus(t, "dicom")
	open := func(name string) (image.Image, RenderInfo, error) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return Render(context.Background(), bytes.NewReader(data), int64(len(data)), -1)
	}
	mr, _, err := open("pydicom-MR_small.dcm")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"pydicom-MR_small_bigendian.dcm", "pydicom-MR_small_implicit.dcm", "pydicom-MR_small_RLE.dcm"} {
		img, info, err := open(name)
		if name == "pydicom-MR_small_RLE.dcm" && !haveTool("dcmdrle", "gdcmconv") {
			if !errors.Is(err, ErrNoPreview) || Sentence(err) != "preview not available (compressed as RLE)" {
				t.Errorf("Render(%s) without tools = %v", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Render(%s) = %v", name, err)
			continue
		}
		if info.Window != "W 1600 L 600" || !sameGrey(img, mr) {
			t.Errorf("Render(%s) differs from the uncompressed MR (window %q)", name, info.Window)
		}
	}
	// The chest X-ray is MONOCHROME1: air (the corners, the lungs) light
	// in the stored values, shown dark.
	cr, info, err := open("tcia-cr-chest-covid19ar.dcm")
	if err != nil {
		t.Fatal(err)
	}
	b := cr.Bounds()
	if b.Dx() != 1760 || b.Dy() != 2140 || info.Window != "W 1023 L 511" {
		t.Errorf("CR = %v %q", b, info.Window)
	}
	if lung, spine := meanGrey(cr, image.Rect(500, 700, 600, 800)), meanGrey(cr, image.Rect(860, 700, 900, 800)); lung >= spine {
		t.Errorf("CR: lung %d not darker than the mediastinum %d (MONOCHROME1 not inverted?)", lung, spine)
	}
	for _, name := range []string{"pydicom-JPEG2000.dcm", "pydicom-JPEG-lossy.dcm"} {
		img, _, err := open(name)
		if !haveTool("gdcmconv", "dcmdjpeg") {
			if !errors.Is(err, ErrNoPreview) {
				t.Errorf("Render(%s) without tools = %v, want preview not available", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Render(%s) = %v", name, err)
			continue
		}
		if img.Bounds().Dx() != 256 || img.Bounds().Dy() != 1024 || meanGrey(img, img.Bounds()) == 0 {
			t.Errorf("Render(%s) = %v, blank", name, img.Bounds())
		}
	}
	// Baseline JPEG in YBR_FULL, decoded in Go: the first band is red.
	rgb, _, err := open("pydicom-SC_rgb_jpeg_dcmtk.dcm")
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := rgb.At(50, 2).RGBA(); r>>8 < 200 || g>>8 > 60 || b>>8 > 60 {
		t.Errorf("SC_rgb_jpeg top band = %d,%d,%d, want red", r>>8, g>>8, b>>8)
	}
	// Multi-frame enhanced CT: the window from its functional groups.
	_, info, err = open("cornerstone-enhanced-ct-multiframe.dcm")
	if err != nil || info.Frame != 1 || info.Frames != 2 || info.Window != "W 102 L 49" {
		t.Errorf("enhanced CT = %+v, %v", info, err)
	}
}

func haveTool(names ...string) bool {
	for _, n := range names {
		if _, err := exec.LookPath(n); err == nil {
			return true
		}
	}
	return false
}

func sameGrey(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if d := grey(a, x, y) - grey(b, x, y); d < -1 || d > 1 {
				return false
			}
		}
	}
	return true
}

func meanGrey(img image.Image, r image.Rectangle) int {
	sum, n := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			sum += grey(img, x, y)
			n++
		}
	}
	return sum / max(n, 1)
}

func TestRenderNoTools(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	data, err := os.ReadFile(filepath.Join(corpus(t, "dicom"), "pydicom-JPEG2000.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Render(context.Background(), bytes.NewReader(data), int64(len(data)), -1)
	if !errors.Is(err, ErrNoPreview) || Sentence(err) != "preview not available (compressed as JPEG 2000)" {
		t.Errorf("Render(JPEG 2000) without dcmtk or gdcm = %v", err)
	}
}

// TestRenderMatchesDcmtk: our drawing of corpus images with the file's
// window is dcmtk's (dcmj2pnm +Wi 1), pixel for pixel within one grey
// level.
func TestRenderMatchesDcmtk(t *testing.T) {
	if !haveTool("dcmj2pnm") {
		t.Skip("dcmj2pnm (dcmtk) is not installed")
	}
	for _, name := range []string{"pydicom-MR_small.dcm", "tcia-mr-prostate.dcm", "tcia-cr-chest-covid19ar.dcm", "dicomdir-pcir/77654033/CR1/6154", "dicomdir-pcir/98892001/CT5N/2693"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			path := corpus(t, "dicom/"+name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ours, _, err := Render(context.Background(), bytes.NewReader(data), int64(len(data)), -1)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "dcmtk.png")
			if msg, err := exec.Command("dcmj2pnm", "+on", "+Wi", "1", path, out).CombinedOutput(); err != nil {
				t.Fatalf("dcmj2pnm: %v %s", err, msg)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := png.Decode(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if ours.Bounds() != theirs.Bounds() {
				t.Fatalf("size %v, dcmtk %v", ours.Bounds(), theirs.Bounds())
			}
			off := 0
			for y := 0; y < ours.Bounds().Dy(); y++ {
				for x := 0; x < ours.Bounds().Dx(); x++ {
					if d := grey(ours, x, y) - grey(theirs, x, y); d < -1 || d > 1 {
						off++
					}
				}
			}
			if n := ours.Bounds().Dx() * ours.Bounds().Dy(); off > n/1000 {
				t.Errorf("%d of %d pixels differ from dcmtk's by more than 1 grey level", off, n)
			}
		})
	}
}

// TestRenderCompressedLossless: a CT slice compressed by dcmtk as lossless
// JPEG, JPEG-LS and RLE draws exactly as the uncompressed slice does, each
// through the tool that unpacks it (dcmdjpeg, dcmdjpls, dcmdrle, or gdcm).
func TestRenderCompressedLossless(t *testing.T) {
	src := corpus(t, "dicom/pydicom-CT_small.dcm")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	plain, plainInfo, err := Render(context.Background(), bytes.NewReader(data), int64(len(data)), -1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, compress, syntax string }{
		{"lossless JPEG", "dcmcjpeg", "1.2.840.10008.1.2.4.70"},
		{"JPEG-LS", "dcmcjpls", "1.2.840.10008.1.2.4.80"},
		{"RLE", "dcmcrle", "1.2.840.10008.1.2.5"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !haveTool(tt.compress) {
				t.Skip(tt.compress, "(dcmtk) is not installed")
			}
			out := filepath.Join(t.TempDir(), "ct.dcm")
			if msg, err := exec.Command(tt.compress, src, out).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v %s", tt.compress, err, msg)
			}
			packed, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(packed, []byte(tt.syntax)) {
				t.Fatalf("%s did not write transfer syntax %s", tt.compress, tt.syntax)
			}
			img, info, err := Render(context.Background(), bytes.NewReader(packed), int64(len(packed)), -1)
			if err != nil {
				t.Fatalf("Render(%s) = %v", tt.name, err)
			}
			if info.Window != plainInfo.Window || !sameGrey(img, plain) {
				t.Errorf("Render(%s) differs from the uncompressed slice (window %q, want %q)", tt.name, info.Window, plainInfo.Window)
			}
		})
	}
}
