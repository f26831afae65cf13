package sandbox

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"secondopinion/records/media"
)

// zeroPNG is a w×h PNG (colour type and bit depth as given) of zero
// pixels: a tiny compressed stream that decodes to w×h pixels.
func zeroPNG(t testing.TB, w, h int, colorType, depth byte) []byte {
	t.Helper()
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[colorType]
	row := make([]byte, 1+(w*channels*int(depth)+7)/8)
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	for range h {
		z.Write(row)
	}
	z.Close()
	chunk := func(b []byte, typ string, data []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		start := len(b)
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(w)), uint32(h))
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	b := chunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	b = chunk(b, "IDAT", idat.Bytes())
	return chunk(b, "IEND", nil)
}

// TestPrintLargest: the largest images media accepts print within the
// child's limits; the 16-bit bomb is refused before decoding.
func TestPrintLargest(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("decodes 160 MB images")
	}
	measure(t)
	for _, tt := range []struct {
		name       string
		w, h       int
		ct, depth  byte
		wantTooBig bool
	}{
		{"8-bit RGBA at the cap", 6400, 6400, 6, 8, false},
		{"16-bit grey at the cap", 9000, 9000, 0, 16, false},
		{"12 MP phone-sized RGB", 4000, 3000, 2, 8, false},
		{"16-bit RGB 10000×10000 bomb", 10000, 10000, 2, 16, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := zeroPNG(t, tt.w, tt.h, tt.ct, tt.depth)
			_, w, h, err := PrintImage(context.Background(), data, 0, 1654, 2339, 85)
			switch {
			case tt.wantTooBig && !errors.Is(err, media.ErrTooLarge):
				t.Errorf("PrintImage(%s) = %v, want ErrTooLarge", tt.name, err)
			case !tt.wantTooBig && err != nil:
				t.Errorf("PrintImage(%s) = %v", tt.name, err)
			default:
				t.Logf("PrintImage(%s, %d bytes) = %d×%d, %v", tt.name, len(data), w, h, err)
			}
		})
	}
}
