package dicom

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestProbeRender(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/corpus/dicom/*.dcm")
	files = append(files, "../../../shared/corpus/dicom/dicomdir-pcir/77654033/CR1/6154", "../../../shared/corpus/dicom/dicomdir-pcir/98892001/CT5N/2693")
	os.MkdirAll("/tmp/dr/png", 0o755)
	for _, p := range files {
		f, _ := os.Open(p)
		st, _ := f.Stat()
		t0 := time.Now()
		img, info, err := Render(context.Background(), f, st.Size(), -1)
		f.Close()
		fmt.Println(filepath.Base(p), info, err, time.Since(t0))
		if img != nil {
			fmt.Println("   ", img.Bounds())
			out, _ := os.Create("/tmp/dr/png/" + filepath.Base(p) + ".png")
			png.Encode(out, img)
			out.Close()
		}
	}
}

func TestProbeSR(t *testing.T) {
	f, _ := os.Open("../../../shared/corpus/dicom/pydicom-test-SR.dcm")
	st, _ := f.Stat()
	r, err := ReadReport(context.Background(), f, st.Size())
	fmt.Println(r.Text(), r.Date, err)
}
