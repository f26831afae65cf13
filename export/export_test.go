package export_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"secondopinion/export"
	"secondopinion/records"
)

// keep copies a test's output to $EXPORT_KEEP, to look at by eye.
func keep(t testing.TB, path string) {
	if dir := os.Getenv("EXPORT_KEEP"); dir != "" {
		data, err := os.ReadFile(path)
		if err == nil {
			os.WriteFile(filepath.Join(dir, filepath.Base(path)), data, 0o644)
		}
	}
}

func TestWritePacketCorpus(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo", "pdftotext")
	lib := newLibrary(t, corpusDocs)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "packet.pdf")
	var calls, lastDone, lastTotal int
	res, err := export.WritePacket(ctx, lib.s, out, export.Options{
		PersonID: lib.person.ID, CaseID: lib.kase.ID, Now: fixedNow,
		Progress: func(done, total int) { calls++; lastDone, lastTotal = done, total },
	})
	if err != nil {
		t.Fatalf("WritePacket = %v", err)
	}
	keep(t, out)
	if len(res.Skipped) != 0 {
		t.Errorf("WritePacket skipped %v, want nothing skipped", res.Skipped)
	}
	if res.Documents != len(corpusDocs) {
		t.Errorf("Result.Documents = %d, want %d", res.Documents, len(corpusDocs))
	}
	if calls == 0 || lastDone != lastTotal {
		t.Errorf("progress: %d calls, last %d/%d; want calls ending done == total", calls, lastDone, lastTotal)
	}
	if st, err := os.Stat(out); err != nil || st.Size() != res.Bytes {
		t.Errorf("file size %v (err %v), Result.Bytes %d", st, err, res.Bytes)
	}

	qpdfCheck(t, out)
	info := pdfInfo(t, out)
	if info["Pages"] != fmt.Sprint(res.Pages) {
		t.Errorf("pdfinfo Pages = %s, Result.Pages = %d", info["Pages"], res.Pages)
	}
	if got := info["Title"]; !strings.Contains(got, "Second opinion packet") || !strings.Contains(got, lib.person.FullName) {
		t.Errorf("Title = %q, want the packet and the patient's name", got)
	}
	if got := info["Author"]; got != "Анна Иванова" {
		t.Errorf("Author = %q, want the carer who prepared it", got)
	}
	if !strings.Contains(info["Page size"], "595") {
		t.Errorf("Page size = %q, want A4", info["Page size"])
	}

	// Bookmarks: every section and every document.
	titles := outlineTitles(t, out)
	for _, want := range []string{"Cover", "Contents", "Summary", "Medications", "Records index", "Questions for the second doctor", "Documents"} {
		if !slices.Contains(titles, want) {
			t.Errorf("bookmarks %q lack section %q", titles, want)
		}
	}
	for i, d := range lib.docs {
		prefix := fmt.Sprintf("%d. %s", i+1, d.Title)
		if !slices.ContainsFunc(titles, func(s string) bool { return strings.HasPrefix(s, prefix) }) {
			t.Errorf("bookmarks %q lack document %q", titles, prefix)
		}
	}

	// Page count: our front matter, plus a divider before each document
	// that starts with a PDF, plus every page of every document.
	text := pdfText(t, out, 0, 0)
	pages := strings.Split(text, "\f")
	front := -1
	for i, pg := range pages {
		if strings.Contains(pg, "Document 1 of ") {
			front = i
			break
		}
	}
	want := front + lib.dividers
	for _, n := range lib.srcPages {
		want += n
	}
	if res.Pages != want {
		t.Errorf("packet has %d pages, want %d front + %d dividers + %v document pages = %d", res.Pages, front, lib.dividers, lib.srcPages, want)
	}

	for _, s := range []string{"Second opinion packet", lib.person.FullName, "NHS number", "943 476 5919", "Prof. Maria Rossi",
		"Анна Иванова", "Contents", "Summary", "Why a second opinion is wanted", "Penicillin", "Letrozole", "Tamoxifen",
		"hot flushes", "Records index", "Questions for the second doctor", questionsText[0], "Imaging files (DICOM)",
		"pydicom-CT_small.dcm", "CT", "Document 10 of 10"} {
		if !strings.Contains(text, s) {
			t.Errorf("packet text lacks %q", s)
		}
	}
	first, last := pages[0], pages[res.Pages-1]
	if w := fmt.Sprintf("Page 1 of %d", res.Pages); !strings.Contains(first, w) || !strings.Contains(first, lib.person.FullName) {
		t.Errorf("first page lacks footer %q with the patient's name:\n%s", w, first)
	}
	if w := fmt.Sprintf("Page %d of %d", res.Pages, res.Pages); !strings.Contains(last, w) {
		t.Errorf("last page lacks footer %q:\n%s", w, last)
	}
	// Every page, merged ones included, carries its own footer.
	for i, pg := range pages[:res.Pages] {
		if w := fmt.Sprintf("Page %d of %d", i+1, res.Pages); !strings.Contains(pg, w) {
			t.Errorf("page %d lacks footer %q", i+1, w)
		}
	}

	// Camera location never reaches the packet: no EXIF segment at all.
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("Exif\x00\x00")) {
		t.Errorf("packet contains an EXIF segment (camera data, possibly GPS)")
	}

	// The export is in the case's packet log.
	log, err := lib.s.Exports(ctx, lib.kase.ID)
	if err != nil || len(log) != 1 || log[0].Pages != res.Pages || log[0].FileName != "packet.pdf" {
		t.Errorf("Exports = %+v, %v; want one line for packet.pdf with %d pages", log, err, res.Pages)
	}
}

func TestWritePacketCancelLeavesNoFile(t *testing.T) {
	lib := newLibrary(t, corpusDocs[:6])
	dir := t.TempDir()
	out := filepath.Join(dir, "packet.pdf")
	for _, at := range []int{1, 5, 9} {
		t.Run(fmt.Sprint("cancel after ", at), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := export.WritePacket(ctx, lib.s, out, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID,
				Progress: func(done, total int) {
					if done >= at {
						cancel()
					}
				}})
			if err == nil {
				t.Fatalf("WritePacket after cancel = nil error, want an error")
			}
			if !errors.Is(err, context.Canceled) || !strings.Contains(records.Explain(err), "stopped") {
				t.Errorf("WritePacket error = %q (%v), want a sentence saying it stopped", records.Explain(err), err)
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 0 {
				t.Errorf("after cancel the folder holds %v, want nothing", left)
			}
		})
	}
}
