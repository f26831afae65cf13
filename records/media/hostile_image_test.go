package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
	"time"
)

// pngChunk appends a PNG chunk with its CRC.
func pngChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// zeroPNG is a w×h PNG of the given colour type and bit depth whose pixels
// are all zero: a tiny compressed IDAT stream that decodes to w×h pixels.
func zeroPNG(t testing.TB, w, h int, colorType, depth byte) []byte {
	t.Helper()
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[colorType]
	row := make([]byte, 1+(w*channels*int(depth)+7)/8) // filter byte 0, then zeros
	var idat bytes.Buffer
	z, err := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	for range h {
		z.Write(row)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(w)), uint32(h))
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	b := []byte("\x89PNG\r\n\x1a\n")
	b = pngChunk(b, "IHDR", ihdr)
	b = pngChunk(b, "IDAT", idat.Bytes())
	return pngChunk(b, "IEND", nil)
}

// TestSixteenBitPNGBomb: a 16-bit 10000×10000 PNG of under a megabyte
// decodes to 800 MB; it is refused as too large before any pixel is
// decoded, while a small 16-bit PNG is read as before.
func TestSixteenBitPNGBomb(t *testing.T) {
	bomb := zeroPNG(t, 10000, 10000, 2, 16)
	t.Logf("16-bit PNG of 10000×10000: %d bytes", len(bomb))
	start := time.Now()
	_, err := Inspect(context.Background(), bytes.NewReader(bomb), int64(len(bomb)), PNG)
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrUnreadable) {
		t.Errorf("Inspect(16-bit PNG bomb) = %v, want ErrTooLarge and ErrUnreadable", err)
	}
	_, _, _, err = PrintImage(bytes.NewReader(bomb), 0, 2000, 2000, 85)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("PrintImage(16-bit PNG bomb) = %v, want ErrTooLarge", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing the PNG bomb took %v", d)
	}

	small := zeroPNG(t, 64, 48, 6, 16)
	if info, err := Inspect(context.Background(), bytes.NewReader(small), int64(len(small)), PNG); err != nil || info.Width != 64 {
		t.Errorf("Inspect(64×48 16-bit PNG) = %+v, %v", info, err)
	}
	if _, w, h, err := PrintImage(bytes.NewReader(small), 0, 2000, 2000, 85); err != nil || w != 64 || h != 48 {
		t.Errorf("PrintImage(64×48 16-bit PNG) = %d×%d, %v", w, h, err)
	}
}
