package main

import (
	"path/filepath"
	"strings"
	"testing"

	"secondopinion/records/ocr"
	"secondopinion/records/ocr/ocrtest"
)

// TestCLIAddReadsPhotoText: add reads a photographed letter's text, says
// what it suggests without changing the document, and list --search then
// finds a word that is only in the photo; ocr has nothing left to do.
func TestCLIAddReadsPhotoText(t *testing.T) {
	if err := ocr.Available(); err != nil {
		t.Skip("tesseract is not installed:", err)
	}
	newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	photo := writeFile(t, dir, "IMG_2041.jpg", ocrtest.JPEG(ocrtest.Letter, ocrtest.Photo{Width: 1500, Height: 2000, Angle: 1, Blur: 1, Noise: 6, Seed: 4}))
	out := mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "other", photo)
	for _, want := range []string{"Read the text of 1 page.", "Its text suggests (nothing was changed):", "date of service: 12 March 2024", "source: Riverside University Hospital NHS Trust"} {
		if !strings.Contains(out, want) {
			t.Errorf("add printed %q, want it to include %q", out, want)
		}
	}
	out = mustCLI(t, "list", "--library", lib, "--search", "lymphovascular")
	if !strings.Contains(out, "IMG 2041") {
		t.Errorf("list --search lymphovascular = %q, want the photographed letter", out)
	}
	if out := mustCLI(t, "list", "--library", lib); strings.Contains(out, "12 Mar 2024") {
		t.Errorf("list = %q: the suggested date was saved, want it only suggested", out)
	}
	out = mustCLI(t, "ocr", "--library", lib)
	if !strings.HasPrefix(out, "No photo or scan is waiting to be read (1 page read") {
		t.Errorf("ocr = %q, want nothing waiting", out)
	}
}

// TestCLIAddWithoutTesseract: without tesseract the photo is still added,
// and add says how to get its text read.
func TestCLIAddWithoutTesseract(t *testing.T) {
	newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	photo := writeFile(t, dir, "letter.jpg", ocrtest.JPEG([]string{"Dear Dr Patel"}, ocrtest.Photo{Width: 600, Height: 800}))
	t.Setenv("PATH", t.TempDir())
	out := mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "clinic-letter", photo)
	if !strings.HasPrefix(out, "Added ") || !strings.Contains(out, "sudo apt install tesseract-ocr") || !strings.Contains(out, "secondopinion ocr") {
		t.Errorf("add without tesseract = %q, want Added and how to install Tesseract", out)
	}
	if _, err := cli("ocr", "--library", lib); err == nil || !strings.Contains(err.Error(), "sudo apt install tesseract-ocr") {
		t.Errorf("ocr without tesseract = %v, want how to install it", err)
	}
}
