package ocr_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"secondopinion/records/ocr"
	"secondopinion/records/ocr/ocrtest"
)

func needTesseract(t testing.TB) {
	t.Helper()
	if err := ocr.Available(); err != nil {
		t.Skip("tesseract is not installed:", err)
	}
}

// TestLetterPhotoWords: a 12 MP photo of a letter, turned 1.5°, blurred
// and noisy, gives at least 95% of its words to the real tesseract, with
// boxes inside the picture.
func TestLetterPhotoWords(t *testing.T) {
	needTesseract(t)
	if testing.Short() {
		t.Skip("OCR of a 12 MP photo takes seconds")
	}
	path := filepath.Join(t.TempDir(), "letter.jpg")
	if err := os.WriteFile(path, ocrtest.JPEG(ocrtest.Letter, ocrtest.Photo{Angle: 1.5, Blur: 2, Noise: 8, Seed: 1}), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p, err := ocr.Recognize(context.Background(), path, "eng")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OCR took %v, %d words", time.Since(start), len(p.Words))
	if p.Width != 3024 || p.Height != 4032 {
		t.Errorf("page size = %d×%d, want 3024×4032", p.Width, p.Height)
	}
	found := map[string]int{}
	for _, w := range p.Words {
		found[strings.Trim(w.Text, ".,:;")]++
		if w.X < 0 || w.Y < 0 || w.X+w.W > p.Width || w.Y+w.H > p.Height || w.W <= 0 || w.H <= 0 {
			t.Errorf("word %q has box %d,%d %d×%d outside the %d×%d page", w.Text, w.X, w.Y, w.W, w.H, p.Width, p.Height)
		}
	}
	want := ocrtest.Words(ocrtest.Letter)
	var missed []string
	for _, w := range want {
		if found[w] > 0 {
			found[w]--
		} else {
			missed = append(missed, w)
		}
	}
	share := 1 - float64(len(missed))/float64(len(want))
	t.Logf("found %.1f%% of %d words; missed %q", 100*share, len(want), missed)
	if share < 0.95 {
		t.Errorf("found %.1f%% of the letter's words, want at least 95%%; missed %q\ntext:\n%s", 100*share, missed, p.Text())
	}
	if !strings.Contains(p.Text(), "carcinoma") {
		t.Errorf("Text() lacks %q:\n%s", "carcinoma", p.Text())
	}
}
