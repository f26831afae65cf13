package records_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"secondopinion/records"
)

// TestNewLibraryPageSize: a new library is made with 64 KiB pages and the
// write-ahead journal, which the connection string alone cannot do.
func TestNewLibraryPageSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.sqlite")
	s, err := records.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if size := pageSize(t, path); size != records.PageSize || mode != "wal" {
		t.Errorf("new library: page_size %d, journal %q; want %d and wal", size, mode, records.PageSize)
	}
}
