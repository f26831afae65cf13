package records_test

// Benchmarks for issue #13's "Speed and memory" targets (run with -bench
// only). The 500-slice CT series is made once in
// $TMPDIR/secondopinion-bench-ct500/ (500 files of 512×512 16-bit, 256 MB);
// delete it to rebuild.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"secondopinion/records"
	"secondopinion/records/dicom/dicomtest"
)

// peakRSS reports this process's and its children's (the sandbox)
// largest resident memory so far, in MB.
func peakRSS(b *testing.B) {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	b.ReportMetric(float64(self.Maxrss)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(kids.Maxrss)/1024, "child-peak-RSS-MB")
}

func ct500(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "secondopinion-bench-ct500")
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	if err := os.MkdirAll(filepath.Join(dir, "DICOM"), 0o700); err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= 500; i++ {
		im := dicomtest.CT(512, 512, i, i)
		if err := os.WriteFile(filepath.Join(dir, "DICOM", fmt.Sprintf("IM%05d", i)), im.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

func benchImport(b *testing.B, disc string, opt records.ImportDiscOptions, images int) {
	ctx := context.Background()
	var size int64
	filepath.Walk(disc, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	b.SetBytes(size)
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		s, err := records.Open(ctx, filepath.Join(dir, "library.sqlite"))
		if err != nil {
			b.Fatal(err)
		}
		p := records.Person{FullName: "Helen Marsh"}
		if err := s.SavePerson(ctx, &p); err != nil {
			b.Fatal(err)
		}
		// Reading progress is counted, as the app and import-cd take it.
		var read, files int
		opt.Reading = func(done, total int) { read, files = done, total }
		b.StartTimer()
		rep, err := s.ImportDisc(ctx, p.ID, disc, opt)
		if err != nil || rep.Images != images || read != files || files < images {
			b.Fatalf("ImportDisc = %+v, %v (read %d of %d files)", rep, err, read, files)
		}
		b.StopTimer()
		s.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	peakRSS(b)
}

// BenchmarkImportDiscPCIR imports the corpus's DICOMDIR tree (both
// patients, 31 images).
func BenchmarkImportDiscPCIR(b *testing.B) {
	disc := corpusFile(b, "dicom/dicomdir-pcir")
	benchImport(b, disc, records.ImportDiscOptions{Patient: "77654033", DifferentPatientOK: true}, 7)
}

// BenchmarkImportCT500 imports a 500-slice 512×512 CT series (256 MB).
func BenchmarkImportCT500(b *testing.B) {
	benchImport(b, ct500(b), records.ImportDiscOptions{}, 500)
}

// BenchmarkKeyImageCached is KeyImage of a series whose key image was
// drawn at import: read from the library, no DICOM decoded.
func BenchmarkKeyImageCached(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	p := addPerson(b, s, "Helen Marsh")
	dir := b.TempDir()
	for i := 1; i <= 3; i++ {
		im := dicomtest.CT(512, 512, i, i)
		writeFile(b, dir, fmt.Sprintf("IM%d", i), im.Bytes())
	}
	if _, err := s.ImportDisc(ctx, p.ID, dir, records.ImportDiscOptions{}); err != nil {
		b.Fatal(err)
	}
	studies, _ := s.Studies(ctx, p.ID)
	id := studies[0].Series[0].ID
	for b.Loop() {
		img, _, err := s.KeyImage(ctx, id, 256)
		if err != nil || img.Bounds().Dx() != 256 {
			b.Fatal(err)
		}
	}
}
