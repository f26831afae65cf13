package export

import (
	"image"
	"testing"
)

// rotateCW turns m a quarter clockwise.
func rotateCW(m *image.Gray) *image.Gray {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	d := image.NewGray(image.Rect(0, 0, h, w))
	for y := range h {
		for x := range w {
			d.SetGray(h-1-y, x, m.GrayAt(x, y))
		}
	}
	return d
}

// A photo stored with any EXIF orientation and turned by the user comes
// out as the upright photo turned: turnedOrientation composes the two.
func TestTurnedOrientation(t *testing.T) {
	stored := image.NewGray(image.Rect(0, 0, 3, 2))
	for i := range stored.Pix {
		stored.Pix[i] = byte(i * 10)
	}
	for o := 1; o <= 8; o++ {
		up := upright(stored, o).(*image.Gray)
		want := up
		for turn := 0; turn < 360; turn += 90 {
			got := upright(stored, turnedOrientation(o, turn)).(*image.Gray)
			if o == 1 && turn == 0 {
				got = stored
			}
			if !sameGray(got, want) {
				t.Errorf("turnedOrientation(%d, %d) = %d: picture differs from the upright one turned", o, turn, turnedOrientation(o, turn))
			}
			want = rotateCW(want)
		}
	}
	if got := turnedOrientation(0, -90); got != 8 {
		t.Errorf("turnedOrientation(0, -90) = %d, want 8", got)
	}
}

func sameGray(a, b *image.Gray) bool {
	if a.Bounds().Size() != b.Bounds().Size() {
		return false
	}
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	for y := range h {
		for x := range w {
			if a.GrayAt(a.Bounds().Min.X+x, a.Bounds().Min.Y+y) != b.GrayAt(b.Bounds().Min.X+x, b.Bounds().Min.Y+y) {
				return false
			}
		}
	}
	return true
}
