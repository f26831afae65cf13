package export_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"secondopinion/export"
)

// damage overwrites a stored file's bytes with zeros behind the store's
// back, as a failing disk or a bad copy would.
func damage(t *testing.T, libPath, fileID string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+libPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE file_chunk SET data = zeroblob(length(data)) WHERE file_id = ?`, fileID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("no chunks for file %s", fileID)
	}
}

func TestReadinessDamagedFile(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo", "pdftotext")
	tests := []struct {
		name string
		doc  int // index in corpusDocs[:7]
		want string
	}{
		{"damaged PDF", 0, "is damaged and cannot be merged"},
		{"damaged photo", 6, "is damaged and cannot be placed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			lib := newLibrary(t, corpusDocs[:7])
			bad := lib.docs[tt.doc]
			damage(t, lib.path, bad.Files[0].ID)
			opt := export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID, Now: fixedNow}

			issues, err := export.Readiness(ctx, lib.s, opt)
			if err != nil {
				t.Fatalf("Readiness = %v", err)
			}
			if len(issues) != 1 || issues[0].DocumentID != bad.ID || issues[0].Title != bad.Title ||
				!strings.Contains(issues[0].Problem, tt.want) || !strings.Contains(issues[0].Problem, bad.Files[0].Name) {
				t.Fatalf("Readiness = %+v, want one issue for %q saying %q and naming %s", issues, bad.Title, tt.want, bad.Files[0].Name)
			}

			// Not left out: the packet is still made, and says what it skipped.
			out := filepath.Join(t.TempDir(), "packet.pdf")
			res, err := export.WritePacket(ctx, lib.s, out, opt)
			if err != nil {
				t.Fatalf("WritePacket with a damaged document = %v, want the rest exported", err)
			}
			if len(res.Skipped) != 1 || res.Skipped[0].DocumentID != bad.ID || res.Documents != 6 {
				t.Errorf("WritePacket = %d documents, skipped %+v; want 6 and the damaged one skipped", res.Documents, res.Skipped)
			}
			qpdfCheck(t, out)

			// Left out by the user: nothing skipped, and the packet does not
			// mention the document.
			opt.Exclude = []string{bad.ID}
			issues, err = export.Readiness(ctx, lib.s, opt)
			if err != nil || len(issues) != 0 {
				t.Errorf("Readiness with the document excluded = %+v, %v; want no issues", issues, err)
			}
			res, err = export.WritePacket(ctx, lib.s, out, opt)
			if err != nil {
				t.Fatalf("WritePacket excluding the damaged document = %v", err)
			}
			if len(res.Skipped) != 0 || res.Documents != 6 {
				t.Errorf("WritePacket excluding = %d documents, skipped %+v; want 6, none skipped", res.Documents, res.Skipped)
			}
			qpdfCheck(t, out)
			if text := pdfText(t, out, 0, 0); strings.Contains(text, bad.Title) || !strings.Contains(text, fmt.Sprintf("Page %d of %d", res.Pages, res.Pages)) {
				t.Errorf("packet mentions the excluded %q, or lacks its last footer", bad.Title)
			}
		})
	}
}

func TestReadinessCorpusAllGood(t *testing.T) {
	lib := newLibrary(t, corpusDocs)
	var calls int
	issues, err := export.Readiness(context.Background(), lib.s, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID,
		Progress: func(done, total int) { calls++ }})
	if err != nil || len(issues) != 0 {
		t.Errorf("Readiness(corpus) = %+v, %v; want every document ready", issues, err)
	}
	if calls == 0 {
		t.Errorf("Readiness reported no progress")
	}
}

func TestReadinessMultiPageTIFF(t *testing.T) {
	lib := newLibrary(t, []docSpec{
		{"results", "Scanned results", "2026-01-01", "", []string{"images/tiff-multipage-2.tif"}},
		{"results", "Good scan", "2026-01-02", "", []string{"images/tiff-lzw.tiff"}},
	})
	issues, err := export.Readiness(context.Background(), lib.s, export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 1 || issues[0].DocumentID != lib.docs[0].ID || !strings.Contains(issues[0].Problem, "holds 2 pages") {
		t.Errorf("Readiness = %+v, want the two-page TIFF refused (its second page would be lost), the other ready", issues)
	}
}
