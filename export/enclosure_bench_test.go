package export_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/dicom/dicomtest"
)

// ctDisc writes a disc of one CT series of n 512 x 512 slices (512 KB
// each) into dir.
func ctDisc(tb testing.TB, dir string, n int) {
	tb.Helper()
	for i := 1; i <= n; i++ {
		im := dicomtest.CT(512, 512, i, i)
		im.StudyUID, im.SeriesUID = "1.2.826.0.1.3680043.8.498.1", "1.2.826.0.1.3680043.8.498.1.2"
		im.SOPInstanceUID = fmt.Sprintf("1.2.826.0.1.3680043.8.498.1.2.%d", i)
		name := filepath.Join(dir, fmt.Sprintf("IM%06d", i))
		if err := os.WriteFile(name, im.Bytes(), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
}

// peakHeap samples the heap in use every 5 ms until stop is called, and
// returns the largest sample in MB.
func peakHeap() (stop func() float64) {
	var mu sync.Mutex
	peak := uint64(0)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(peak) / 1e6
	}
}

// BenchmarkWriteEnclosure writes the packet with its originals for a
// library holding a 500-slice CT series (256 MB of DICOM) and a letter,
// as a folder and as a .zip, and reports the heap's peak: the files are
// copied in chunks, so it does not grow with the disc.
func BenchmarkWriteEnclosure(b *testing.B) {
	slices := envInt("BENCH_CT_SLICES", 500)
	ctx := context.Background()
	lib := newEnclosureLibrary(b, false)
	disc := b.TempDir()
	ctDisc(b, disc, slices)
	rep, err := lib.s.ImportDisc(ctx, lib.person.ID, disc, records.ImportDiscOptions{DifferentPatientOK: true})
	if err != nil {
		b.Fatalf("ImportDisc = %v", err)
	}
	all, err := lib.s.Documents(ctx, records.DocumentFilter{PersonID: lib.person.ID})
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, d := range all {
		ids = append(ids, d.ID)
	}
	if err := lib.s.SetPacketDocuments(ctx, lib.kase.ID, ids); err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"folder", "zip"} {
		b.Run(kind, func(b *testing.B) {
			out := b.TempDir()
			var size int64
			runtime.GC()
			stop := peakHeap()
			for i := range b.N {
				name := filepath.Join(out, fmt.Sprintf("enclosure-%d", i))
				if kind == "zip" {
					name += ".zip"
				}
				res, err := export.WriteEnclosure(ctx, lib.s, name, lib.opt())
				if err != nil {
					b.Fatal(err)
				}
				if res.DICOMFiles != rep.Images {
					b.Fatalf("%d DICOM files written, the disc has %d", res.DICOMFiles, rep.Images)
				}
				size = res.Bytes
				os.RemoveAll(name)
			}
			b.ReportMetric(stop(), "peak-heap-MB")
			b.SetBytes(size)
		})
	}
}
