package dicom

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secondopinion/records/dicom/dicomtest"
)

// copyTree copies the folder src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// zipOf writes a zip holding the given entries (name → bytes) in order.
func zipOf(t *testing.T, path string, entries ...any) {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for i := 0; i < len(entries); i += 2 {
		w, err := z.Create(entries[i].(string))
		if err != nil {
			t.Fatal(err)
		}
		switch v := entries[i+1].(type) {
		case []byte:
			w.Write(v)
		case padded: // a DICOM file followed by that many zero bytes
			w.Write(v.head)
			zero := make([]byte, 1<<20)
			for n := v.zeros; n > 0; n -= len(zero) {
				w.Write(zero[:min(n, len(zero))])
			}
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	write(t, path, b.Bytes())
}

type padded struct {
	head  []byte
	zeros int
}

func ctImage(n int) []byte {
	im := dicomtest.CT(8, 8, n, n)
	return im.Bytes()
}

func TestReadDiscWalk(t *testing.T) {
	dir := t.TempDir()
	// A disc without DICOMDIR: images without extension in folders, a
	// bare dataset without preamble, and viewer software around them.
	write(t, filepath.Join(dir, "IMAGES", "IM0001"), ctImage(1))
	write(t, filepath.Join(dir, "IMAGES", "IM0002"), ctImage(2))
	write(t, filepath.Join(dir, "IMAGES", "IM0003"), ctImage(3))
	nometa, err := os.ReadFile(filepath.Join(corpus(t, "dicom"), "pydicom-no_meta.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "OTHER", "NOMETA"), nometa)
	write(t, filepath.Join(dir, "VIEWER", "viewer.exe"), bytes.Repeat([]byte("MZ"), 1000))
	write(t, filepath.Join(dir, "autorun.inf"), []byte("[autorun]\nopen=VIEWER\\viewer.exe\n"))
	write(t, filepath.Join(dir, "README"), []byte("Open the viewer to see the images.\n"))
	// A link that leads out of the disc is not followed.
	outside := filepath.Join(t.TempDir(), "SECRET")
	write(t, outside, ctImage(9))
	if err := os.Symlink(outside, filepath.Join(dir, "IMAGES", "LINK")); err != nil {
		t.Fatal(err)
	}
	d, err := Read(context.Background(), dir)
	if err != nil {
		t.Fatalf("Read = %v", err)
	}
	if len(d.Files) != 4 || d.DICOMDIR || len(d.LeftOut) != 0 {
		t.Fatalf("Read = %d files, DICOMDIR %v, left out %v; want 4 files by walking", len(d.Files), d.DICOMDIR, d.LeftOut)
	}
	if d.Other != 3 {
		t.Errorf("Read passed over %d other files, want 3 (viewer, autorun, README)", d.Other)
	}
	ps := d.Patients()
	if len(ps) != 2 || ps[0].Name != "MARSH^HELEN" || ps[0].Studies[0].Series[0].Key() != 1 {
		t.Errorf("Patients = %s", summary(d))
	}
}

func TestReadDiscBadInput(t *testing.T) {
	ctx := context.Background()
	pcir := corpus(t, "dicom/dicomdir-pcir")
	ctSmall, err := os.ReadFile(filepath.Join(corpus(t, "dicom"), "pydicom-CT_small.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		make  func(t *testing.T, dir string) string
		files int    // read; -1: refused
		want  string // in the error's or the left-out file's sentence
	}{
		{"truncated file", func(t *testing.T, dir string) string {
			write(t, filepath.Join(dir, "A"), ctImage(1))
			write(t, filepath.Join(dir, "B"), ctSmall[:3000])
			return dir
		}, 1, "cut short"},
		{"unknown transfer syntax", func(t *testing.T, dir string) string {
			write(t, filepath.Join(dir, "A"), ctImage(1))
			bad := dicomtest.CT(8, 8, 2, 2)
			bad.Syntax = "1.2.3.4.5.6"
			write(t, filepath.Join(dir, "B"), bad.Bytes())
			return dir
		}, 1, "compression DICOM does not define (1.2.3.4.5.6)"},
		{"DICOMDIR naming missing files", func(t *testing.T, dir string) string {
			copyTree(t, pcir, dir)
			for _, f := range []string{"77654033/CR1/6154", "77654033/CR2/6247", "98892003/MR1/15820"} {
				os.Remove(filepath.Join(dir, f))
			}
			return dir
		}, 28, ""},
		{"DICOMDIR naming only missing files", func(t *testing.T, dir string) string {
			write(t, filepath.Join(dir, "DICOMDIR"), mustRead(t, filepath.Join(pcir, "DICOMDIR")))
			return dir
		}, -1, "lists 31 images, but none of them is on the disc"},
		{"no DICOM", func(t *testing.T, dir string) string {
			write(t, filepath.Join(dir, "letter.pdf"), []byte("%PDF-1.4\n"))
			write(t, filepath.Join(dir, "notes"), []byte("nothing here"))
			return dir
		}, -1, "There are no DICOM images"},
		{"zip climbing out", func(t *testing.T, dir string) string {
			zipOf(t, filepath.Join(dir, "disc.zip"), "IMAGES/IM1", ctImage(1), "../../etc/evil", []byte("x"))
			return filepath.Join(dir, "disc.zip")
		}, -1, `whose name leads out of its folder ("../../etc/evil")`},
		{"zip with an absolute path", func(t *testing.T, dir string) string {
			zipOf(t, filepath.Join(dir, "disc.zip"), "/tmp/evil", ctImage(1))
			return filepath.Join(dir, "disc.zip")
		}, -1, "leads out of its folder"},
		{"zip with a drive letter", func(t *testing.T, dir string) string {
			zipOf(t, filepath.Join(dir, "disc.zip"), `C:\Windows\evil`, ctImage(1))
			return filepath.Join(dir, "disc.zip")
		}, -1, "leads out of its folder"},
		{"zip bomb", func(t *testing.T, dir string) string {
			zipOf(t, filepath.Join(dir, "disc.zip"), "IMAGES/IM1", ctImage(1), "IMAGES/IM2", padded{ctImage(2), 300 << 20})
			return filepath.Join(dir, "disc.zip")
		}, -1, "unpacks to far more than it holds"},
		{"empty zip", func(t *testing.T, dir string) string {
			zipOf(t, filepath.Join(dir, "disc.zip"))
			return filepath.Join(dir, "disc.zip")
		}, -1, "is an empty zip"},
		{"not a zip", func(t *testing.T, dir string) string {
			write(t, filepath.Join(dir, "disc.zip"), []byte("this is not a zip file at all, just text"))
			return filepath.Join(dir, "disc.zip")
		}, -1, "is not a zip file we can open"},
		{"zip of a disc", func(t *testing.T, dir string) string {
			var entries []any
			filepath.Walk(pcir, func(p string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() {
					rel, _ := filepath.Rel(pcir, p)
					entries = append(entries, "PCIR/"+filepath.ToSlash(rel), mustRead(t, p))
				}
				return nil
			})
			zipOf(t, filepath.Join(dir, "disc.zip"), entries...)
			return filepath.Join(dir, "disc.zip")
		}, 31, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.make(t, t.TempDir())
			d, err := Read(ctx, path)
			if tt.files < 0 {
				var e *Error
				if err == nil || !errors.As(err, &e) || !strings.Contains(e.Msg, tt.want) {
					t.Fatalf("Read = %v, want a sentence with %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read = %v", err)
			}
			if len(d.Files) != tt.files {
				t.Errorf("Read = %d files, want %d", len(d.Files), tt.files)
			}
			if tt.want != "" {
				if len(d.LeftOut) != 1 || !strings.Contains(d.LeftOut[0].Why, tt.want) {
					t.Errorf("LeftOut = %+v, want one saying %q", d.LeftOut, tt.want)
				}
			}
			if tt.name == "DICOMDIR naming missing files" && d.Missing != 3 {
				t.Errorf("Missing = %d, want 3", d.Missing)
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestZipEncrypted: an entry locked with a password is left out with a
// sentence; the others are read.
func TestZipEncrypted(t *testing.T) {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("IM1")
	w.Write(ctImage(1))
	raw, err := z.CreateRaw(&zip.FileHeader{Name: "IM2", Flags: 0x1, Method: zip.Store, CompressedSize64: 12, UncompressedSize64: 12, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	raw.Write(make([]byte, 12))
	z.Close()
	path := filepath.Join(t.TempDir(), "disc.zip")
	write(t, path, b.Bytes())
	d, err := Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Files) != 1 || len(d.LeftOut) != 1 || !strings.Contains(d.LeftOut[0].Why, "locked with a password") {
		t.Errorf("Read = %d files, left out %+v; want 1 and IM2 locked", len(d.Files), d.LeftOut)
	}
}
