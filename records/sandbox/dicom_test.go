package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
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

// TestReadDiscChildDies: a file that takes the disc's reader past its
// memory is left out with a sentence, and the rest of the disc is read.
func TestReadDiscChildDies(t *testing.T) {
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
	d, err := ReadDisc(context.Background(), dir)
	if err != nil {
		t.Fatalf("ReadDisc = %v", err)
	}
	if len(d.Files) != 2 || len(d.LeftOut) != 1 || d.LeftOut[0].Name != "IM3" || !strings.Contains(d.LeftOut[0].Why, "more memory or time than is safe") {
		t.Errorf("ReadDisc = %d files, left out %+v; want 2 and IM3", len(d.Files), d.LeftOut)
	}
}
