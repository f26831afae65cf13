package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func TestStructureRefusesCutFiles(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(3, 3, color.White)
	var j, p bytes.Buffer
	if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		data  []byte
		check func([]byte) error
	}{
		{"jpeg", j.Bytes(), func(b []byte) error { return checkJPEG(bytes.NewReader(b)) }},
		{"png", p.Bytes(), func(b []byte) error { return checkPNG(bytes.NewReader(b)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.check(tt.data); err != nil {
				t.Fatalf("whole file: %v, want nil", err)
			}
			for cut := 0; cut < len(tt.data); cut += max(1, len(tt.data)/97) {
				if err := tt.check(tt.data[:cut]); err == nil {
					t.Fatalf("file cut at %d of %d bytes accepted, want an error", cut, len(tt.data))
				}
			}
		})
	}
	t.Run("png-bad-crc", func(t *testing.T) {
		b := bytes.Clone(p.Bytes())
		b[len(b)/2] ^= 0x55
		if _, err := Inspect(context.Background(), bytes.NewReader(b), int64(len(b)), PNG); !errors.Is(err, ErrUnreadable) {
			t.Fatalf("Inspect(PNG with a flipped byte) = %v, want ErrUnreadable", err)
		}
	})
}
