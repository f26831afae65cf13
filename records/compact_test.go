package records_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"secondopinion/records"
)

func pageSize(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("PRAGMA page_size").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// newOldStore is newStore for a library made by an older version, with
// 4 KiB pages; new libraries get records.PageSize (64 KiB) again after it.
func newOldStore(t *testing.T) (*records.Store, string) {
	t.Helper()
	size := records.PageSize
	records.PageSize = 4096
	defer func() { records.PageSize = size }()
	return newStore(t)
}

// TestCompactOldLibrary: a library made with 4 KiB pages is rewritten
// with the new page size, keeps every record and file byte for byte, gives
// back the space of emptied Trash, and says how far it has got.
func TestCompactOldLibrary(t *testing.T) {
	ctx := context.Background()
	s, path := newOldStore(t)
	p := addPerson(t, s, "Mary Example")
	dir := t.TempDir()
	keep := makePDF("biopsy report", 300_000, 1)
	kept := addDoc(t, s, p.ID, records.Document{Title: "Biopsy"}, writeFile(t, dir, "keep.pdf", keep))
	for i := 0; i < 4; i++ {
		d := addDoc(t, s, p.ID, records.Document{Title: "Old scan"}, writeFile(t, dir, "old.pdf", makePDF("old", 2_000_000, uint64(10+i))))
		if err := s.TrashDocument(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.EmptyTrash(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if got := pageSize(t, path); got != 4096 {
		t.Fatalf("page size before = %d, want the old 4096", got)
	}
	before := snapshot(t, s)
	var last, total int64
	res, err := s.Compact(ctx, func(done, all int64) { last, total = done, all })
	if err != nil {
		t.Fatalf("Compact() = %v", err)
	}
	if res.PageBefore != 4096 || res.PageAfter != 65536 || pageSize(t, path) != 65536 {
		t.Errorf("Compact() = %+v, file page size %d; want 4096 -> 65536", res, pageSize(t, path))
	}
	if res.After >= res.Before {
		t.Errorf("library %d bytes before and %d after emptying the Trash and compacting: no space given back", res.Before, res.After)
	}
	if total == 0 || last != total {
		t.Errorf("progress ended at %d of %d, want all of it", last, total)
	}
	assertUnchanged(t, s, before)
	got, err := s.Document(ctx, kept.ID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.OpenFile(ctx, got.Files[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(b, keep) {
		t.Error("the kept document's file changed in compacting")
	}
	// Still a WAL library that takes new records.
	addDoc(t, s, p.ID, records.Document{Title: "After"}, writeFile(t, dir, "new.pdf", makePDF("new", 1000, 99)))
}

// TestCompactRefusedWhileOpenElsewhere: with the library open in another
// window or command, Compact says so and changes nothing.
func TestCompactRefusedWhileOpenElsewhere(t *testing.T) {
	ctx := context.Background()
	s, path := newOldStore(t)
	addPerson(t, s, "Mary Example")
	other, err := records.Open(ctx, filepath.Clean(path))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.People(ctx); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	_, err = s.Compact(ctx, nil)
	if !errors.Is(err, records.ErrBusy) {
		t.Fatalf("Compact() with the library open elsewhere = %v, want ErrBusy", err)
	}
	if pageSize(t, path) != 4096 {
		t.Error("the refused compact changed the page size")
	}
	assertUnchanged(t, s, before)
	if _, err := other.People(ctx); err != nil {
		t.Errorf("the other window cannot read after the refused compact: %v", err)
	}
}
