package records_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"secondopinion/records"
)

// TestAddLockedPDF: a PDF locked with a user password is refused until
// its password is given; then the library keeps the original bytes and an
// unlocked copy, which the document uses (its text is searchable), and
// the password is stored nowhere.
func TestAddLockedPDF(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ file, password, word string }{
		{"pdf/enc-rc4-128-r3-userpw-openpassword.pdf", "openpassword", "gubergren"},
		{"pdf/enc-aes256-r6-userpw-user.pdf", "user", ""},
	} {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			path := corpusFile(t, tt.file)
			s, lib := newStore(t)
			p := addPerson(t, s, "Ana Lima")
			name := filepath.Base(path)
			add := func(pw string) (records.Document, error) {
				d := records.Document{PersonID: p.ID, Title: "Statement"}
				opt := records.AddOptions{}
				if pw != "" {
					opt.Passwords = map[string]string{path: pw}
				}
				err := s.AddDocument(ctx, &d, []string{path}, opt)
				return d, err
			}
			before := snapshot(t, s)
			_, err := add("")
			var pe *records.PasswordError
			if !errors.Is(err, records.ErrPasswordRequired) || !errors.As(err, &pe) || pe.Wrong || pe.Path != path {
				t.Fatalf("AddDocument(no password) = %v, want a *PasswordError for %s", err, path)
			}
			if msg := records.Explain(err); !strings.Contains(msg, name+" is locked with a password") || !strings.Contains(msg, "date of birth") {
				t.Errorf("Explain = %q", msg)
			}
			assertUnchanged(t, s, before)
			_, err = add("01021950")
			if !errors.As(err, &pe) || !pe.Wrong {
				t.Fatalf("AddDocument(wrong password) = %v, want a wrong-password *PasswordError", err)
			}
			want := "That password did not open " + name + ". Portals often use the date of birth, e.g. 01021950."
			if msg := records.Explain(err); msg != want {
				t.Errorf("Explain = %q, want %q", msg, want)
			}
			assertUnchanged(t, s, before)

			d, err := add(tt.password)
			if err != nil {
				t.Fatalf("AddDocument(right password) = %v", err)
			}
			full, err := s.Document(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(full.Files) != 1 || full.Files[0].Encrypted || full.Files[0].Name != name || !full.Files[0].IsPDF() {
				t.Fatalf("document files = %+v, want one unlocked PDF named %s", full.Files, name)
			}
			// The copy opens without a password.
			copyPath := filepath.Join(t.TempDir(), "copy.pdf")
			writeStored(t, s, full.Files[0].ID, copyPath)
			if out, err := exec.Command("pdfinfo", copyPath).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("Encrypted:       no")) {
				t.Errorf("pdfinfo on the unlocked copy: %v\n%s", err, out)
			}
			orig, why, ok, err := s.Original(ctx, full.Files[0].ID)
			raw, _ := os.ReadFile(path)
			sum := sha256.Sum256(raw)
			if err != nil || !ok || why != "unlocked" || orig.SHA256 != hex.EncodeToString(sum[:]) || !orig.Encrypted {
				t.Errorf("Original = %+v, %q, %v, %v; want the locked file's own bytes", orig, why, ok, err)
			}
			if tt.word != "" {
				found, err := s.Documents(ctx, records.DocumentFilter{PersonID: p.ID, Search: tt.word})
				if err != nil || len(found) != 1 {
					t.Errorf("search %q = %d documents, %v; want the unlocked PDF", tt.word, len(found), err)
				}
			}
			// The same locked file again is a duplicate, password or not.
			if _, err := add(tt.password); !errors.Is(err, records.ErrDuplicate) {
				t.Errorf("adding it again = %v, want ErrDuplicate", err)
			}
			// Deleting the document deletes both.
			if err := s.TrashDocument(ctx, d.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.EmptyTrash(ctx, ""); err != nil {
				t.Fatal(err)
			}
			if st, _ := s.Stats(ctx); st.Files != 0 {
				t.Errorf("after emptying the Trash %d files are left, want 0", st.Files)
			}
			s.Close()
			// The password is nowhere in the library (nor its journal).
			for _, f := range []string{lib, lib + "-wal"} {
				b, _ := os.ReadFile(f)
				if bytes.Contains(b, []byte(tt.password)) && len(tt.password) > 4 {
					t.Errorf("%s holds the password", filepath.Base(f))
				}
			}
		})
	}
}

// writeStored copies a stored file's bytes to path.
func writeStored(t *testing.T, s *records.Store, fileID, path string) {
	t.Helper()
	r, err := s.OpenFile(context.Background(), fileID)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b := make([]byte, r.Size())
	if _, err := io.ReadFull(r, b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// heicPhoto makes a HEIC photo of w×h pixels with heif-enc, or skips.
func heicPhoto(t *testing.T, w, h int) string {
	t.Helper()
	enc, err := exec.LookPath("heif-enc")
	if err != nil {
		t.Skip("heif-enc (libheif-examples) is not installed")
	}
	dir := t.TempDir()
	src := writeFile(t, dir, "src.jpg", makeJPEG(w, h, 5, 90))
	out := filepath.Join(dir, "IMG_0001.HEIC")
	if msg, err := exec.Command(enc, "-q", "60", "-o", out, src).CombinedOutput(); err != nil {
		t.Skipf("heif-enc cannot make a HEIC here: %v\n%s", err, msg)
	}
	return out
}

// TestAddHEIC: an iPhone HEIC photo is kept as it came, with a JPEG copy
// made by heif-convert that the document uses; without heif-convert the
// add is refused with a sentence saying how to get it.
func TestAddHEIC(t *testing.T) {
	ctx := context.Background()
	path := heicPhoto(t, 320, 240)
	if _, err := exec.LookPath("heif-convert"); err != nil {
		t.Skip("heif-convert is not installed")
	}
	s, _ := newStore(t)
	p := addPerson(t, s, "Ana Lima")
	d := records.Document{PersonID: p.ID}
	if err := s.AddDocument(ctx, &d, []string{path}, records.AddOptions{}); err != nil {
		t.Fatalf("AddDocument(HEIC) = %v", err)
	}
	f := d.Files[0]
	if f.MediaType != "image/jpeg" || f.Name != "IMG_0001.jpg" || f.Width != 320 || f.Height != 240 {
		t.Errorf("stored photo = %s %s %dx%d, want a 320x240 JPEG named IMG_0001.jpg", f.MediaType, f.Name, f.Width, f.Height)
	}
	orig, why, ok, err := s.Original(ctx, f.ID)
	raw, _ := os.ReadFile(path)
	sum := sha256.Sum256(raw)
	if err != nil || !ok || why != "converted" || orig.MediaType != "image/heic" || orig.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("Original = %+v, %q, %v, %v; want the HEIC as it came", orig, why, ok, err)
	}
	if probs, err := s.Check(ctx); err != nil || len(probs) > 0 {
		t.Errorf("Check() = %v, %v", probs, err)
	}

	// No converter on this computer.
	t.Setenv("PATH", t.TempDir())
	before := snapshot(t, s)
	d2 := records.Document{PersonID: p.ID}
	err = s.AddDocument(ctx, &d2, []string{heicPhoto2(t, path)}, records.AddOptions{})
	want := "IMG_0002.HEIC is an iPhone HEIC photo. Install heif-convert (sudo apt install libheif-examples), or on the iPhone choose Settings > Camera > Formats > Most Compatible, and add it again."
	if msg := records.Explain(err); msg != want {
		t.Errorf("AddDocument(HEIC, no heif-convert) = %q, want %q", msg, want)
	}
	assertUnchanged(t, s, before)
}

// heicPhoto2 copies the HEIC at path as IMG_0002.HEIC.
func heicPhoto2(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, t.TempDir(), "IMG_0002.HEIC", b)
}

// BenchmarkAddLocked measures adding a PDF locked with a password (the
// unlocked copy made in the sandbox's child process) and an iPhone HEIC
// photo of 2,016×1,512 pixels (made into JPEG by heif-convert), each into
// an empty library.
func BenchmarkAddLocked(b *testing.B) {
	ctx := context.Background()
	b.Run("pdf", func(b *testing.B) {
		path := corpusFile(b, "pdf/enc-rc4-128-r3-userpw-openpassword.pdf")
		for b.Loop() {
			b.StopTimer()
			s, _ := newStore(b)
			p := addPerson(b, s, "Ana Lima")
			b.StartTimer()
			d := records.Document{PersonID: p.ID}
			if err := s.AddDocument(ctx, &d, []string{path}, records.AddOptions{Passwords: map[string]string{path: "openpassword"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("heic", func(b *testing.B) {
		enc, err := exec.LookPath("heif-enc")
		if _, err2 := exec.LookPath("heif-convert"); err != nil || err2 != nil {
			b.Skip("libheif-examples is not installed")
		}
		dir := b.TempDir()
		src := writeFile(b, dir, "src.jpg", makeJPEG(2016, 1512, 5, 90))
		path := filepath.Join(dir, "IMG_0001.HEIC")
		if out, err := exec.Command(enc, "-q", "60", "-o", path, src).CombinedOutput(); err != nil {
			b.Skipf("heif-enc: %v %s", err, out)
		}
		for b.Loop() {
			b.StopTimer()
			s, _ := newStore(b)
			p := addPerson(b, s, "Ana Lima")
			b.StartTimer()
			d := records.Document{PersonID: p.ID}
			if err := s.AddDocument(ctx, &d, []string{path}, records.AddOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
