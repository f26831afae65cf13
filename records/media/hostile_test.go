package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/jpeg"
	"testing"
	"time"
)

// Hostile inputs, each built by the test itself: every one must end in a
// sentence-worthy error or a sound result, quickly and in bounded memory.

// appSegment returns a JPEG marker segment.
func appSegment(marker byte, body []byte) []byte {
	n := len(body) + 2
	return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, body...)
}

// exifCycleJPEG is a small JPEG whose EXIF directories point at each other:
// IFD0's next-IFD and its EXIF sub-IFD pointer lead to IFD1, whose own
// point back to IFD0. IFD0 says orientation 6.
func exifCycleJPEG(t testing.TB) []byte {
	t.Helper()
	le := binary.LittleEndian
	var tiff bytes.Buffer
	w16 := func(v uint16) { binary.Write(&tiff, le, v) }
	w32 := func(v uint32) { binary.Write(&tiff, le, v) }
	const ifd0, ifd1 = 8, 8 + 2 + 2*12 + 4
	tiff.WriteString("II*\x00")
	w32(ifd0)
	w16(2)
	w16(0x0112) // Orientation SHORT 6
	w16(3)
	w32(1)
	w32(6)
	w16(0x8769) // ExifIFD -> IFD1
	w16(4)
	w32(1)
	w32(ifd1)
	w32(ifd1) // next IFD -> IFD1
	w16(2)
	w16(0x8769) // ExifIFD -> IFD0
	w16(4)
	w32(1)
	w32(ifd0)
	w16(0x8825) // GPS IFD -> IFD1 itself
	w16(4)
	w32(1)
	w32(ifd1)
	w32(ifd0) // next IFD -> IFD0
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 32, 16)), nil); err != nil {
		t.Fatal(err)
	}
	seg := appSegment(0xE1, append([]byte("Exif\x00\x00"), tiff.Bytes()...))
	return append(append([]byte{0xFF, 0xD8}, seg...), pic.Bytes()[2:]...)
}

func TestEXIFCycle(t *testing.T) {
	jpg := exifCycleJPEG(t)
	start := time.Now()
	info, err := Inspect(context.Background(), bytes.NewReader(jpg), int64(len(jpg)), JPEG)
	if err != nil {
		t.Fatalf("Inspect(EXIF cycle) = %v, want the picture accepted", err)
	}
	if info.Orientation != 6 {
		t.Errorf("Inspect(EXIF cycle).Orientation = %d, want 6", info.Orientation)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Inspect(EXIF cycle) took %v", d)
	}
}

func TestEXIFOrientationJunk(t *testing.T) {
	good := exifCycleJPEG(t)
	for cut := 0; cut < 120; cut++ {
		// Never panics, never more than the segment.
		if o := jpegOrientation(bytes.NewReader(good[:cut])); o != 0 && o != 6 {
			t.Fatalf("jpegOrientation(cut at %d) = %d", cut, o)
		}
	}
	for _, tt := range []struct {
		name string
		tiff string
	}{
		{"no entries", "II*\x00\x08\x00\x00\x00\x00\x00"},
		{"IFD offset past the end", "II*\x00\xff\xff\xff\x7f"},
		{"count past the end", "MM\x00*\x00\x00\x00\x08\xff\xff"},
		{"orientation as LONG", "II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x04\x00\x01\x00\x00\x00\x06\x00\x00\x00"},
	} {
		if o := exifOrientation([]byte(tt.tiff)); o != 0 {
			t.Errorf("exifOrientation(%s) = %d, want 0", tt.name, o)
		}
	}
}
