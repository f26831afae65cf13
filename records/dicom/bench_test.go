package dicom

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"secondopinion/records/dicom/dicomtest"
)

// BenchmarkRenderCT512 draws the key image of a 512×512 16-bit signed CT
// slice with its window, in this process (records/sandbox's
// BenchmarkRenderDICOM adds the child process). It also leaves the slice
// in $TMPDIR/secondopinion-bench-ct512.dcm for records/bench/dicom.sh.
func BenchmarkRenderCT512(b *testing.B) {
	im := dicomtest.CT(512, 512, 1, 1)
	data := im.Bytes()
	os.WriteFile(filepath.Join(os.TempDir(), "secondopinion-bench-ct512.dcm"), data, 0o644)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		img, _, err := Render(ctx, bytes.NewReader(data), int64(len(data)), -1)
		if err != nil || img.Bounds().Dx() != 512 {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadDiscPCIR reads the headers of the corpus's DICOMDIR tree
// (31 files) in this process.
func BenchmarkReadDiscPCIR(b *testing.B) {
	dir := corpus(b, "dicom/dicomdir-pcir")
	for b.Loop() {
		d, err := Read(context.Background(), dir)
		if err != nil || len(d.Files) != 31 {
			b.Fatal(err)
		}
	}
}
