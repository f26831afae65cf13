package export_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"secondopinion/export"
	"secondopinion/records"
)

type writeFunc func(context.Context, *records.Store, string, export.Options) (export.Result, error)

var writers = []struct {
	name  string
	write writeFunc
}{
	{"packet", export.WritePacket},
	{"questions", export.WriteQuestions},
	{"medications", export.WriteMedications},
}

// TestExportNeverReplacesTheLibrary: a slip of the keyboard (the library's
// own name, its journal, a backup, a letter) never turns a file that is not
// a PDF into one: the export refuses with a sentence and the file is as it
// was. An existing PDF is replaced.
func TestExportNeverReplacesTheLibrary(t *testing.T) {
	ctx := context.Background()
	lib := newLibrary(t, nil)
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.sqlite")
	if err := lib.s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	letter := filepath.Join(dir, "letter.txt")
	os.WriteFile(letter, []byte("Dear Dr Rossi"), 0o600)
	oldPDF := filepath.Join(dir, "old packet.pdf")
	os.WriteFile(oldPDF, []byte("%PDF-1.4\nold"), 0o600)
	link := filepath.Join(dir, "link.pdf")
	if err := os.Symlink(lib.path, link); err != nil {
		t.Fatal(err)
	}
	before, _ := lib.s.Stats(ctx)
	for _, w := range writers {
		for _, out := range []string{lib.path, lib.path + "-wal", lib.path + "-shm", backup, letter, link, dir} {
			t.Run(w.name+" to "+filepath.Base(out), func(t *testing.T) {
				orig, _ := os.ReadFile(out)
				_, err := w.write(ctx, lib.s, out, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID})
				if err == nil {
					t.Fatalf("Write%s(%s) = nil error, want a refusal", w.name, out)
				}
				if msg := records.Explain(err); !strings.Contains(msg, "nothing was written") && !strings.Contains(msg, "Nothing was written") && !strings.Contains(msg, "folder") {
					t.Errorf("Explain(Write%s(%s)) = %q, want it to say nothing was written", w.name, out, msg)
				}
				if got, _ := os.ReadFile(out); string(got) != string(orig) {
					t.Errorf("Write%s(%s) changed the file", w.name, out)
				}
			})
		}
		t.Run(w.name+" replaces a PDF", func(t *testing.T) {
			if _, err := w.write(ctx, lib.s, oldPDF, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID}); err != nil {
				t.Fatalf("Write%s(existing PDF) = %v", w.name, err)
			}
			qpdfCheck(t, oldPDF)
		})
	}
	after, err := lib.s.Stats(ctx)
	if err != nil || after != before {
		t.Errorf("library after the refused exports: %+v, %v, want %+v", after, err, before)
	}
	if probs, err := lib.s.Check(ctx); err != nil || len(probs) != 0 {
		t.Errorf("Check() = %q, %v", probs, err)
	}
}

// TestExportDiskFull: a disk that fills up during any export gets the
// disk-full sentence, never raw text or "something unexpected", and leaves
// no partial file behind.
func TestExportDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	ctx := context.Background()
	lib := newLibrary(t, nil)
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			dir := t.TempDir()
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
				t.Skipf("mount tmpfs: %v %s", err, out)
			}
			defer exec.Command("umount", dir).Run()
			// Fill the disk but for a few KB.
			fill, _ := os.Create(filepath.Join(dir, "filler"))
			fill.Write(make([]byte, 56<<10))
			fill.Close()
			out := filepath.Join(dir, w.name+".pdf")
			_, err := w.write(ctx, lib.s, out, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID})
			if !errors.Is(err, records.ErrDiskFull) {
				t.Fatalf("Write%s(full disk) = %v, want ErrDiskFull", w.name, err)
			}
			if msg := records.Explain(err); !strings.HasPrefix(msg, "The disk is full") || strings.Contains(msg, "no space left") {
				t.Errorf("Explain(Write%s(full disk)) = %q, want the disk-full sentence without raw text", w.name, msg)
			}
			names, _ := filepath.Glob(filepath.Join(dir, "*"))
			for _, n := range names {
				if filepath.Base(n) != "filler" {
					t.Errorf("left behind after a failed export: %s", filepath.Base(n))
				}
			}
		})
	}
}

// TestStalePartialRemoved: an export killed part way leaves its private
// temporary file; the next export to the same name removes it, but never
// one that a running export holds.
func TestStalePartialRemoved(t *testing.T) {
	ctx := context.Background()
	lib := newLibrary(t, nil)
	dir := t.TempDir()
	stale := filepath.Join(dir, ".questions-12345.partial")
	os.WriteFile(stale, []byte("%PDF-1.4 half"), 0o600)
	out := filepath.Join(dir, "questions.pdf")
	if _, err := export.WriteQuestions(ctx, lib.s, out, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a stale partial file is still there after the next export: %v", err)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the exported file: %v, %v, want mode 0600", st, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder after export = %s, want only questions.pdf", fmt.Sprint(names))
	}
}
