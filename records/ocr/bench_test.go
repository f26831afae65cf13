package ocr_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"secondopinion/records/ocr"
	"secondopinion/records/ocr/ocrtest"
)

// photo12MP writes a 12 MP phone photo of a full page letter (turned
// 1.5°, blurred, noisy) into dir.
func photo12MP(b *testing.B, dir string) string {
	path := filepath.Join(dir, "letter.jpg")
	if err := os.WriteFile(path, ocrtest.JPEG(ocrtest.FullLetter(), ocrtest.Photo{Angle: 1.5, Blur: 2, Noise: 8, Seed: 1}), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkRecognize12MP is OCR of a 12 MP photo of a full letter as the
// app runs it (niced, one thread, TSV parsed into words).
func BenchmarkRecognize12MP(b *testing.B) {
	if err := ocr.Available(); err != nil {
		b.Skip(err)
	}
	path := photo12MP(b, b.TempDir())
	var words int
	cpu := childCPU()
	for b.Loop() {
		p, err := ocr.Recognize(context.Background(), path, "eng")
		if err != nil {
			b.Fatal(err)
		}
		words = len(p.Words)
	}
	b.ReportMetric(float64(words), "words")
	b.ReportMetric((childCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// childCPU is the processor time (user and system) of this process's
// ended children: tesseract's own work, whatever else the machine runs.
func childCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTesseractByHand is the same photo read by the tesseract command
// as a user would run it (`tesseract letter.jpg out tsv`, its own thread
// count): what Recognize costs over it is the app's overhead.
func BenchmarkTesseractByHand(b *testing.B) {
	if err := ocr.Available(); err != nil {
		b.Skip(err)
	}
	dir := b.TempDir()
	path := photo12MP(b, dir)
	cpu := childCPU()
	for b.Loop() {
		if out, err := exec.Command("tesseract", path, filepath.Join(dir, "out"), "tsv").CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
	b.ReportMetric((childCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkTesseractByHandOneThread is the command by hand with one
// thread, as Recognize runs it: Recognize over it is the app's overhead
// (starting a shell for the memory limit, nice, parsing).
func BenchmarkTesseractByHandOneThread(b *testing.B) {
	if err := ocr.Available(); err != nil {
		b.Skip(err)
	}
	dir := b.TempDir()
	path := photo12MP(b, dir)
	cpu := childCPU()
	for b.Loop() {
		cmd := exec.Command("tesseract", path, filepath.Join(dir, "out"), "tsv")
		cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
	b.ReportMetric((childCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}
