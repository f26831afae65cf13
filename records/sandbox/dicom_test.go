package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"secondopinion/records/dicom"
	"secondopinion/records/dicom/dicomtest"
)

// TestRenderDICOMChild: the child draws what the library draws in
// process, and its refusals come back as the same sentences.
func TestRenderDICOMChild(t *testing.T) {
	ctx := context.Background()
	im := dicomtest.CT(64, 64, 1, 1)
	data := im.Bytes()
	want, wantInfo, err := dicom.Render(ctx, bytes.NewReader(data), int64(len(data)), -1)
	if err != nil {
		t.Fatal(err)
	}
	got, info, err := RenderDICOM(ctx, data, -1)
	if err != nil {
		t.Fatalf("RenderDICOM = %v", err)
	}
	if info != wantInfo || got.Bounds() != want.Bounds() {
		t.Fatalf("RenderDICOM = %v %+v, want %v %+v", got.Bounds(), info, want.Bounds(), wantInfo)
	}
	g, ok := got.(*image.Gray)
	if !ok || !bytes.Equal(g.Pix, want.(*image.Gray).Pix) {
		t.Errorf("RenderDICOM pixels differ from the in-process drawing")
	}
	bad := dicomtest.CT(8, 8, 1, 1)
	bad.Syntax = "1.2.3.999"
	_, _, err = RenderDICOM(ctx, bad.Bytes(), -1)
	if !errors.Is(err, dicom.ErrUnreadable) || dicom.Sentence(err) != "Its images are stored with a compression DICOM does not define (1.2.3.999), so it cannot be read." {
		t.Errorf("RenderDICOM(unknown syntax) = %v", err)
	}
	_, _, err = RenderDICOM(ctx, []byte("not DICOM at all"), -1)
	if !errors.Is(err, dicom.ErrUnreadable) {
		t.Errorf("RenderDICOM(text) = %v, want ErrUnreadable", err)
	}
}

// BenchmarkRenderDICOM is the key image of a 512×512 16-bit CT slice
// drawn in a sandbox child: start-up, the slice sent, PNG back and decoded.
func BenchmarkRenderDICOM(b *testing.B) {
	im := dicomtest.CT(512, 512, 1, 1)
	data := im.Bytes()
	ctx := context.Background()
	for b.Loop() {
		img, _, err := RenderDICOM(ctx, data, -1)
		if err != nil || img.Bounds().Dx() != 512 {
			b.Fatal(err)
		}
	}
}

// TestRenderDICOMFileChild: a file handed to the child is drawn as its
// bytes are.
func TestRenderDICOMFileChild(t *testing.T) {
	im := dicomtest.CT(32, 32, 1, 1)
	data := im.Bytes()
	path := t.TempDir() + "/ct.dcm"
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, info, err := RenderDICOMFile(context.Background(), f, -1)
	if err != nil {
		t.Fatal(err)
	}
	want, wantInfo, _ := RenderDICOM(context.Background(), data, -1)
	if info != wantInfo || !bytes.Equal(got.(*image.Gray).Pix, want.(*image.Gray).Pix) {
		t.Errorf("RenderDICOMFile = %+v, differs from RenderDICOM %+v", info, wantInfo)
	}
}

func init() {
	// As "disc", but a file named CRASH ends the child as a fatal error in
	// a parser would.
	ops["disc-crashing"] = func(ctx context.Context, req request, _ io.Reader, f *os.File) (response, []byte, error) {
		return discOp(ctx, req, f, func(name string) {
			if filepath.Base(name) == "CRASH" {
				fmt.Fprintln(os.Stderr, "fatal error: a parser crashed")
				os.Exit(2)
			}
		})
	}
}

// TestReadDiscChildCrashes: a file the disc's reader crashes on is left
// out with a sentence, and the rest of the disc is read; a disc of only
// such files is given up with a sentence.
func TestReadDiscChildCrashes(t *testing.T) {
	discOpName = "disc-crashing"
	defer func() { discOpName = "disc" }()
	dir := t.TempDir()
	for _, name := range []string{"A/IM1", "B/CRASH", "C/IM2", "D/CRASH"} {
		im := dicomtest.CT(8, 8, 1, 1)
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o700)
		os.WriteFile(filepath.Join(dir, name), im.Bytes(), 0o600)
	}
	d, err := ReadDisc(context.Background(), dir, nil)
	if err != nil {
		t.Fatalf("ReadDisc = %v", err)
	}
	if len(d.Files) != 2 || len(d.LeftOut) != 2 || d.LeftOut[0].Name != "B/CRASH" || !strings.Contains(d.LeftOut[1].Why, "made the DICOM reader crash") {
		t.Errorf("ReadDisc = %d files, left out %+v; want 2 and the two CRASH files", len(d.Files), d.LeftOut)
	}
	only := t.TempDir()
	im := dicomtest.CT(8, 8, 1, 1)
	os.WriteFile(filepath.Join(only, "CRASH"), im.Bytes(), 0o600)
	_, err = ReadDisc(context.Background(), only, nil)
	if !errors.Is(err, dicom.ErrNoDICOM) || !strings.Contains(dicom.Sentence(err), "made the DICOM reader crash") {
		t.Errorf("ReadDisc(only a crashing file) = %v", err)
	}
}

// TestReadDiscChildDies: a file that takes the disc's reader past its
// memory is left out with a sentence, and the rest of the disc is read.
func TestReadDiscChildDies(t *testing.T) {
	if raceEnabled {
		t.Skip("a race-enabled child has no hard memory limit to run past")
	}
	old := DiscLimits
	DiscLimits = Limits{Memory: 48 << 20, Time: time.Minute}
	defer func() { DiscLimits = old }()
	dir := t.TempDir()
	for i := 1; i <= 2; i++ {
		im := dicomtest.CT(8, 8, i, i)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("IM%d", i)), im.Bytes(), 0o600)
	}
	big := dicomtest.CT(8, 8, 3, 3)
	big.Private = make([]byte, 200<<20)
	os.WriteFile(filepath.Join(dir, "IM3"), big.Bytes(), 0o600)
	d, err := ReadDisc(context.Background(), dir, nil)
	if err != nil {
		t.Fatalf("ReadDisc = %v", err)
	}
	if len(d.Files) != 2 || len(d.LeftOut) != 1 || d.LeftOut[0].Name != "IM3" || !strings.Contains(d.LeftOut[0].Why, "more memory or time than is safe") {
		t.Errorf("ReadDisc = %d files, left out %+v; want 2 and IM3", len(d.Files), d.LeftOut)
	}
}

// smallDisc writes n small CT slices into a folder, as a disc without a
// DICOMDIR.
func smallDisc(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "DICOM", "S1"), 0o700); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		im := dicomtest.CT(8, 8, i, i)
		if err := os.WriteFile(filepath.Join(dir, "DICOM", "S1", fmt.Sprintf("IM%04d", i)), im.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestReadDiscProgress: while the child reads a disc of a few hundred
// files, the parent hears how far it is, counting up to the disc's files.
func TestReadDiscProgress(t *testing.T) {
	const n = 300
	dir := smallDisc(t, n)
	os.WriteFile(filepath.Join(dir, "README.TXT"), []byte("viewer help"), 0o600) // not counted
	var calls [][2]int
	d, err := ReadDisc(context.Background(), dir, func(done, total int) {
		calls = append(calls, [2]int{done, total})
	})
	if err != nil || len(d.Files) != n {
		t.Fatalf("ReadDisc = %v, %v", d, err)
	}
	if len(calls) < n {
		t.Fatalf("ReadDisc reported %d times, want at least once a file (%d)", len(calls), n)
	}
	if calls[0] != [2]int{0, n} || calls[len(calls)-1] != [2]int{n, n} {
		t.Errorf("ReadDisc progress went from %v to %v, want [0 %d] to [%d %d]", calls[0], calls[len(calls)-1], n, n, n)
	}
	seen := map[int]bool{}
	for i, c := range calls {
		if c[1] != n || (i > 0 && c[0] < calls[i-1][0]) {
			t.Fatalf("ReadDisc progress %v after %v: want the same total and done never going back", c, calls[max(i-1, 0)])
		}
		seen[c[0]] = true
	}
	if len(seen) != n+1 {
		t.Errorf("ReadDisc progress took %d distinct values, want every one of 0…%d", len(seen), n)
	}
}

func init() {
	// As "disc", but the child hangs on IM0150, as a reader stuck on a
	// scratched disc would.
	ops["disc-stalling"] = func(ctx context.Context, req request, _ io.Reader, f *os.File) (response, []byte, error) {
		return discOp(ctx, req, f, func(name string) {
			if filepath.Base(name) == "IM0150" {
				time.Sleep(time.Hour)
			}
		})
	}
}

// TestReadDiscCancel: a cancel while the disc is read kills the child at
// once, rather than when it finishes or runs out of time.
func TestReadDiscCancel(t *testing.T) {
	discOpName = "disc-stalling"
	defer func() { discOpName = "disc" }()
	var ended *os.ProcessState
	observe = func(op string, _ time.Duration, _ int64, ps *os.ProcessState) { ended = ps }
	defer func() { observe = nil }()
	dir := smallDisc(t, 300)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		d   *dicom.Disc
		err error
	}
	res := make(chan result, 1)
	go func() {
		d, err := ReadDisc(ctx, dir, func(done, total int) {
			if done == 149 { // IM0150 is being read, and stays so
				cancel()
			}
		})
		res <- result{d, err}
	}()
	select {
	case r := <-res:
		if !errors.Is(r.err, context.Canceled) || r.d != nil {
			t.Errorf("ReadDisc cancelled = %v, %v; want context.Canceled", r.d, r.err)
		}
	case <-time.After(time.Minute):
		t.Fatal("ReadDisc went on for a minute after it was cancelled") // DiscLimits.Time is 15 minutes
	}
	if ended == nil || ended.Exited() {
		t.Errorf("the disc's child ended %v, want killed", ended)
	}
}

// BenchmarkReadDiscProgress reads the headers of a disc of 3,000 small
// files in a child, its progress counted in the parent: the reading phase
// of importing a CD of many files.
func BenchmarkReadDiscProgress(b *testing.B) {
	dir := b.TempDir()
	os.MkdirAll(filepath.Join(dir, "DICOM"), 0o700)
	for i := 1; i <= 3000; i++ {
		im := dicomtest.CT(8, 8, i, i)
		os.WriteFile(filepath.Join(dir, "DICOM", fmt.Sprintf("IM%05d", i)), im.Bytes(), 0o600)
	}
	for b.Loop() {
		read := 0
		d, err := ReadDisc(context.Background(), dir, func(done, total int) { read = done })
		if err != nil || len(d.Files) != 3000 || read != 3000 {
			b.Fatalf("ReadDisc = %v (read %d)", err, read)
		}
	}
}
