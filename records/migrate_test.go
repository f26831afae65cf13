package records_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"secondopinion/records"
)

// TestMigrateFromVersion1: a library written by the first version (file
// bytes in WITHOUT ROWID tables) opens in this one with every byte intact
// and takes new files.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	v1, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "library.sqlite")
	data := makePDF("old scan", 5*records.ChunkSize/2, 11)
	sum := sha256.Sum256(data)
	func() {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		stmts := []string{string(v1), "PRAGMA user_version = 1", fmt.Sprintf("PRAGMA application_id = %d", records.ApplicationID),
			`INSERT INTO person (id, full_name, created, updated) VALUES ('p1', 'Mary Example', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
			fmt.Sprintf(`INSERT INTO file (id, sha256, name, media_type, size, chunks, created) VALUES ('f1', '%s', 'old scan.pdf', 'application/pdf', %d, 3, '2026-01-01T00:00:00Z')`,
				hex.EncodeToString(sum[:]), len(data)),
			`INSERT INTO document (id, person_id, kind, title, created, updated) VALUES ('d1', 'p1', 'other', 'Old scan', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
			`INSERT INTO document_file (document_id, position, file_id) VALUES ('d1', 1, 'f1')`,
			`INSERT INTO file_derived (file_id, kind, width, height, data) VALUES ('f1', 'print', 10, 20, x'0102')`,
		}
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%.60s: %v", s, err)
			}
		}
		for seq := 0; seq*records.ChunkSize < len(data); seq++ {
			chunk := data[seq*records.ChunkSize : min((seq+1)*records.ChunkSize, len(data))]
			if _, err := db.Exec(`INSERT INTO file_chunk (file_id, seq, data) VALUES ('f1', ?, ?)`, seq, chunk); err != nil {
				t.Fatal(err)
			}
		}
	}()

	s, err := records.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open(version 1 library) = %v", err)
	}
	defer s.Close()
	if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
		t.Errorf("Check() after migrating = %q, %v, want no problems", probs, err)
	}
	if got := readAll(t, s, "f1"); !bytes.Equal(got, data) {
		t.Errorf("file bytes after migrating: %d bytes, want the original %d", len(got), len(data))
	}
	if d, w, h, ok, err := s.Derived(ctx, "f1", "print"); !ok || err != nil || w != 10 || h != 20 || !bytes.Equal(d, []byte{1, 2}) {
		t.Errorf("Derived() after migrating = %v %d %d %v %v, want the kept print version", d, w, h, ok, err)
	}
	var version int
	if err := records.DBForTest(s).QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != records.SchemaVersion() {
		t.Errorf("user_version = %d, %v, want %d", version, err, records.SchemaVersion())
	}
	addDoc(t, s, "p1", records.Document{}, writeFile(t, t.TempDir(), "new.pdf", makePDF("new", records.ChunkSize, 12)))
	if st, _ := s.Stats(ctx); st.Documents != 2 || st.Files != 2 {
		t.Errorf("Stats() = %+v, want 2 documents and 2 files", st)
	}
	// Deleting the old document frees its bytes (the cascade still works).
	if err := s.TrashDocument(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EmptyTrash(ctx, ""); err != nil {
		t.Fatal(err)
	}
	var chunks int
	records.DBForTest(s).QueryRow(`SELECT count(*) FROM file_chunk WHERE file_id='f1'`).Scan(&chunks)
	if chunks != 0 {
		t.Errorf("%d parts of a deleted file are left, want 0", chunks)
	}
	if probs, _ := s.Check(ctx); len(probs) != 0 {
		t.Errorf("Check() = %q", probs)
	}
}
