package sandbox

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/suyashkumar/dicom"

	"secondopinion/records/media"
)

// TestMain lets the test binary be its own child.
func TestMain(m *testing.M) {
	Serve()
	os.Exit(m.Run())
}

// Test-only operations: what a parser bug would do to the child.
func init() {
	ops["test-overflow"] = func(context.Context, request, io.Reader, *os.File) (response, []byte, error) {
		return response{W: recurse(0)}, nil, nil
	}
	ops["test-alloc"] = func(context.Context, request, io.Reader, *os.File) (response, []byte, error) {
		var keep [][]byte
		for {
			b := make([]byte, 16<<20)
			for i := range b {
				b[i] = 1
			}
			keep = append(keep, b)
		}
	}
	ops["test-hang"] = func(context.Context, request, io.Reader, *os.File) (response, []byte, error) {
		<-time.After(time.Hour)
		return response{}, nil, nil
	}
	// The DICOM library straight, without media's checks before it.
	ops["test-dicom-raw"] = func(_ context.Context, _ request, _ io.Reader, f *os.File) (response, []byte, error) {
		fi, err := f.Stat()
		if err != nil {
			return response{}, nil, err
		}
		_, err = dicom.Parse(f, fi.Size(), nil, dicom.SkipPixelData())
		return response{}, nil, err
	}
}

func recurse(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	return recurse(n+1) + int(pad[0])
}

// measure logs each child's time and peak memory.
func measure(t *testing.T) {
	observe = func(op string, took time.Duration, peak int64, ps *os.ProcessState) {
		t.Logf("child %s: %v, peak RSS %d MB, exit %d", op, took.Round(time.Millisecond), peak>>20, ps.ExitCode())
	}
	t.Cleanup(func() { observe = nil })
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range m.Y {
		m.Y[i] = byte(i)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestInspectAgreesWithMedia(t *testing.T) {
	measure(t)
	data := photo(t, 640, 480)
	path := writeFile(t, "photo.jpg", data)
	got, err := Inspect(context.Background(), path, "")
	if err != nil {
		t.Fatalf("Inspect(photo) = %v", err)
	}
	want, err := media.Inspect(context.Background(), bytes.NewReader(data), int64(len(data)), "")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Inspect(photo) = %+v, want %+v (%v)", got, want, err)
	}
	if _, err := Inspect(context.Background(), writeFile(t, "junk.jpg", []byte("\xff\xd8\xff junk")), media.JPEG); !errors.Is(err, media.ErrUnreadable) || errors.Is(err, errCrashed) {
		t.Errorf("Inspect(junk) = %v, want the child's ErrUnreadable refusal", err)
	}
}

func TestPrintImage(t *testing.T) {
	measure(t)
	jpg, w, h, err := PrintImage(context.Background(), photo(t, 800, 600), 6, 300, 300, 85)
	if err != nil || w != 225 || h != 300 {
		t.Fatalf("PrintImage = %d×%d, %v; want 225×300", w, h, err)
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg)); err != nil || cfg.Width != w || cfg.Height != h {
		t.Errorf("PrintImage's JPEG = %+v, %v; want %d×%d", cfg, err, w, h)
	}
}

func TestChildStackOverflow(t *testing.T) {
	measure(t)
	_, _, err := run(context.Background(), "test-overflow", request{}, nil, nil, InspectLimits)
	if !errors.Is(err, media.ErrUnreadable) || !strings.Contains(err.Error(), "stack overflow") {
		t.Errorf("run(stack overflow) = %v, want ErrUnreadable saying stack overflow", err)
	}
}

// deepDICOM is an explicit-VR DICOM of n nested sequences of undefined
// length.
func deepDICOM(n int) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.Write(make([]byte, 128))
	b.WriteString("DICM")
	el := func(g, e uint16, vr string, v []byte) {
		b.Write(le.AppendUint16(le.AppendUint16(nil, g), e))
		b.WriteString(vr)
		b.Write(le.AppendUint16(nil, uint16(len(v))))
		b.Write(v)
	}
	el(0x0002, 0x0000, "UL", le.AppendUint32(nil, 8+20))
	el(0x0002, 0x0010, "UI", []byte("1.2.840.10008.1.2.1\x00"))
	el(0x0008, 0x0060, "CS", []byte("CT"))
	for range n {
		b.Write([]byte{0x08, 0x00, 0x15, 0x11, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF})
		b.Write([]byte{0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF})
	}
	for range n {
		b.Write([]byte{0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0})
	}
	return b.Bytes()
}

// TestDeepDICOM: the library itself dies of a stack overflow on a million
// nested sequences, which takes only the child down; media's scan refuses
// the file before the library sees it.
func TestDeepDICOM(t *testing.T) {
	measure(t)
	path := writeFile(t, "deep.dcm", deepDICOM(1_000_000))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, _, err = run(context.Background(), "test-dicom-raw", request{}, nil, f, InspectLimits)
	if !errors.Is(err, media.ErrUnreadable) {
		t.Errorf("the DICOM library on a million nested sequences = %v, want ErrUnreadable", err)
	}
	t.Logf("the library alone: %v", err)
	start := time.Now()
	if _, err := Inspect(context.Background(), path, ""); !errors.Is(err, media.ErrUnreadable) || !strings.Contains(err.Error(), "nested") {
		t.Errorf("Inspect(deep DICOM) = %v, want ErrUnreadable saying nested", err)
	}
	t.Logf("Inspect(deep DICOM): %v", time.Since(start))
}

func TestChildMemoryLimit(t *testing.T) {
	if raceEnabled {
		t.Skip("no memory rlimit under the race detector: the child would allocate without end")
	}
	measure(t)
	lim := Limits{Memory: 128 << 20, Time: 20 * time.Second}
	// Most runs end with the runtime saying it is out of memory; now and
	// then it dies of a SIGSEGV at the limit instead, a crash. Either way
	// the parent gets an error and lives.
	tooLarge := 0
	for range 3 {
		_, _, err := run(context.Background(), "test-alloc", request{}, nil, nil, lim)
		if !errors.Is(err, media.ErrUnreadable) {
			t.Fatalf("run(allocate without end) = %v, want ErrUnreadable", err)
		}
		if errors.Is(err, media.ErrTooLarge) {
			tooLarge++
		} else {
			t.Logf("run(allocate without end) = %v", err)
		}
	}
	if tooLarge == 0 {
		t.Errorf("run(allocate without end) never said ErrTooLarge in 3 runs")
	}
}

func TestChildTimeout(t *testing.T) {
	measure(t)
	start := time.Now()
	_, _, err := run(context.Background(), "test-hang", request{}, nil, nil, Limits{Memory: 256 << 20, Time: 300 * time.Millisecond})
	if !errors.Is(err, media.ErrTooLarge) || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("run(hang) = %v, want ErrTooLarge saying it took too long", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("run(hang) returned after %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Inspect(ctx, writeFile(t, "p.jpg", photo(t, 8, 8)), ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Inspect(cancelled) = %v, want context.Canceled", err)
	}
}

func TestWithoutServeWorksInProcess(t *testing.T) {
	served.Store(false)
	defer served.Store(true)
	observe = func(string, time.Duration, int64, *os.ProcessState) { t.Errorf("a child was started without Serve") }
	defer func() { observe = nil }()
	if info, err := Inspect(context.Background(), writeFile(t, "p.jpg", photo(t, 64, 32)), ""); err != nil || info.Width != 64 {
		t.Errorf("Inspect without Serve = %+v, %v", info, err)
	}
	if _, w, _, err := PrintImage(context.Background(), photo(t, 64, 32), 0, 32, 32, 85); err != nil || w != 32 {
		t.Errorf("PrintImage without Serve = %d, %v", w, err)
	}
}

func TestTailKeepsHeadAndEnd(t *testing.T) {
	tl := &tail{max: 8}
	for _, s := range []string{"fatal ", "error: out of memory", strings.Repeat("x", 100), "the end"} {
		if n, err := tl.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("tail.Write(%q) = %d, %v; want %d, nil", s, n, err, len(s))
		}
	}
	if got := tl.String(); !strings.HasPrefix(got, "fatal er") || !strings.HasSuffix(got, "xthe end") {
		t.Errorf("tail = %q, want the first and last 8 bytes", got)
	}
}
