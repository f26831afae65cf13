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

// TestLetterPhotoWords: a 12 MP photo of a full page letter, turned 1.5°, blurred
// and noisy, gives at least 95% of its words to the real tesseract, with
// boxes inside the picture.
func TestLetterPhotoWords(t *testing.T) {
	needTesseract(t)
	if testing.Short() {
		t.Skip("OCR of a 12 MP photo takes seconds")
	}
	path := filepath.Join(t.TempDir(), "letter.jpg")
	if err := os.WriteFile(path, ocrtest.JPEG(ocrtest.FullLetter(), ocrtest.Photo{Angle: 1.5, Blur: 2, Noise: 8, Seed: 1}), 0o600); err != nil {
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
	want := ocrtest.Words(ocrtest.FullLetter())
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

// TestParseTSV reads tesseract's TSV: the page size from level 1, words
// from level 5 with their boxes and lines, empty words skipped.
func TestParseTSV(t *testing.T) {
	tsv := "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
		"1\t1\t0\t0\t0\t0\t0\t0\t1500\t2000\t-1\t\n" +
		"2\t1\t1\t0\t0\t0\t100\t200\t900\t60\t-1\t\n" +
		"5\t1\t1\t1\t1\t1\t100\t200\t180\t40\t96.5\tDear\n" +
		"5\t1\t1\t1\t1\t2\t300\t200\t120\t40\t91\tDr\n" +
		"5\t1\t1\t1\t1\t3\t430\t200\t10\t40\t20\t \n" +
		"5\t1\t1\t1\t2\t1\t100\t260\t300\t40\t88\tPatel,\n" +
		"5\t1\t2\t1\t1\t1\t100\t400\t300\t40\t77\tcarcinoma\n"
	p, err := ocr.ParseTSV(strings.NewReader(tsv))
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 1500 || p.Height != 2000 {
		t.Errorf("ParseTSV size = %d×%d, want 1500×2000", p.Width, p.Height)
	}
	if got, want := p.Text(), "Dear Dr\nPatel,\ncarcinoma"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	if w := p.Words[0]; w.X != 100 || w.Y != 200 || w.W != 180 || w.H != 40 || w.Conf != 96.5 {
		t.Errorf("first word = %+v, want Dear at 100,200 180×40 conf 96.5", w)
	}
	if _, err := ocr.ParseTSV(strings.NewReader("garbage\n")); err == nil {
		t.Error("ParseTSV(garbage) = nil error, want one")
	}
}

func TestPickLanguage(t *testing.T) {
	tests := []struct {
		installed []string
		want, got string
	}{
		{[]string{"deu", "eng"}, "", "eng"},
		{[]string{"deu", "eng"}, "deu", "deu"},
		{[]string{"deu", "eng"}, "eng+deu", "eng+deu"},
		{[]string{"deu", "eng"}, "fra", "eng"},
		{[]string{"deu", "fra"}, "spa", "deu"},
		{nil, "fra", "eng"},
	}
	for _, tt := range tests {
		if got := ocr.PickLanguage(tt.installed, tt.want); got != tt.got {
			t.Errorf("PickLanguage(%q, %q) = %q, want %q", tt.installed, tt.want, got, tt.got)
		}
	}
}
