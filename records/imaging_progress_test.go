package records_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"secondopinion/records"
	"secondopinion/records/dicom/dicomtest"
)

// TestImportDiscReadingProgress: a disc of a few hundred files tells how
// many of its files have been read, up to all of them, before storing
// begins; from a folder and from a .zip of one.
func TestImportDiscReadingProgress(t *testing.T) {
	const n = 300
	entries := map[string][]byte{"VIEWER/HELP.HTM": []byte("<p>viewer</p>")}
	for i := 1; i <= n; i++ {
		im := dicomtest.CT(8, 8, i, i)
		entries[fmt.Sprintf("DICOM/S1/IM%04d", i)] = im.Bytes()
	}
	tests := []struct {
		name string
		disc func(t *testing.T) string
	}{
		{"folder", func(t *testing.T) string { return ctDisc(t, n, 8) }},
		{"zip", func(t *testing.T) string { return writeZip(t, filepath.Join(t.TempDir(), "disc.zip"), entries) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t)
			p := addPerson(t, s, "Helen Marsh")
			var reading [][2]int
			stored := 0
			readingAfterStoring := false
			rep := importDisc(t, s, p.ID, tt.disc(t), records.ImportDiscOptions{
				Reading: func(done, total int) {
					reading = append(reading, [2]int{done, total})
					readingAfterStoring = readingAfterStoring || stored > 0
				},
				Progress: func(done, total int64) { stored++ },
			})
			if rep.Images != n {
				t.Fatalf("ImportDisc = %+v, want %d images", rep, n)
			}
			if len(reading) < n {
				t.Fatalf("ImportDisc reported reading %d times, want at least once a file (%d)", len(reading), n)
			}
			if first, last := reading[0], reading[len(reading)-1]; first != [2]int{0, n} || last != [2]int{n, n} {
				t.Errorf("reading went from %v to %v, want [0 %d] to [%d %d]", first, last, n, n, n)
			}
			for i := 1; i < len(reading); i++ {
				if reading[i][0] < reading[i-1][0] || reading[i][1] != n {
					t.Fatalf("reading %v after %v, want done never going back and %d files in all", reading[i], reading[i-1], n)
				}
			}
			if stored == 0 || readingAfterStoring {
				t.Errorf("storing reported %d times, reading after storing began: %v; want reading first, then storing", stored, readingAfterStoring)
			}
		})
	}
}

// TestImportDiscCancelWhileReading: a cancel while the disc is still read
// stops it and adds nothing; storing never begins.
func TestImportDiscCancelWhileReading(t *testing.T) {
	s, lib := newStore(t)
	p := addPerson(t, s, "Helen Marsh")
	dir := ctDisc(t, 300, 8)
	before, rows := snapshot(t, s), imagingRows(t, lib)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last [2]int
	stored := false
	_, err := s.ImportDisc(ctx, p.ID, dir, records.ImportDiscOptions{
		Reading: func(done, total int) {
			last = [2]int{done, total}
			if done == 100 {
				cancel()
			}
		},
		Progress: func(done, total int64) { stored = true },
	})
	if !errors.Is(err, context.Canceled) || records.Explain(err) != "Stopped. Nothing was added." {
		t.Fatalf("ImportDisc cancelled while reading = %v, want Stopped", err)
	}
	if stored || last[0] == last[1] {
		t.Errorf("after a cancel at 100 of 300 files: stored %v, reading ended at %v; want no storing and reading not finished", stored, last)
	}
	assertUnchanged(t, s, before)
	if got := imagingRows(t, lib); got != rows {
		t.Errorf("rows after cancel = %s, want %s", got, rows)
	}
}

func TestDiscReading(t *testing.T) {
	tests := []struct {
		done, total int
		want        string
	}{
		{0, 1, "Reading the disc: 0 of 1 file"},
		{120, 3000, "Reading the disc: 120 of 3,000 files"},
		{999, 1000, "Reading the disc: 999 of 1,000 files"},
		{123456, 1234567, "Reading the disc: 123,456 of 1,234,567 files"},
	}
	for _, tt := range tests {
		if got := records.DiscReading(tt.done, tt.total); got != tt.want {
			t.Errorf("DiscReading(%d, %d) = %q, want %q", tt.done, tt.total, got, tt.want)
		}
	}
}
