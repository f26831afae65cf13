package records

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Check runs SQLite's integrity check and our own consistency checks: every
// file's bytes are all there and match their SHA-256, every document has a
// page, every search entry has its record. It returns the problems found as
// sentences (none means the library is sound).
//
// Check first removes what interrupted adds left behind (staged files and
// half-made people of processes that have died).
func (s *Store) Check(ctx context.Context) ([]string, error) {
	var problems []string
	if _, err := s.removeAbandoned(ctx); err != nil {
		return nil, s.wrapWrite(err)
	}
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, "SQLite integrity check: "+line)
		}
	}
	rows.Close()
	fk, err := s.db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, err
	}
	for fk.Next() {
		var table, parent string
		var rowid, idx any
		if err := fk.Scan(&table, &rowid, &parent, &idx); err != nil {
			fk.Close()
			return nil, err
		}
		problems = append(problems, fmt.Sprintf("A row of %s points at a missing %s.", table, parent))
	}
	fk.Close()

	type fileRow struct {
		id, name, sum string
		size          int64
		chunks        int
	}
	var files []fileRow
	frows, err := s.db.QueryContext(ctx, `SELECT id, name, sha256, size, chunks FROM file WHERE staged = '' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	for frows.Next() {
		var f fileRow
		if err := frows.Scan(&f.id, &f.name, &f.sum, &f.size, &f.chunks); err != nil {
			frows.Close()
			return nil, err
		}
		files = append(files, f)
	}
	frows.Close()
	for _, f := range files {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM file_chunk WHERE file_id=?`, f.id).Scan(&n); err != nil {
			return nil, err
		}
		if n != f.chunks {
			problems = append(problems, fmt.Sprintf("The file %s has %d of its %d parts.", f.name, n, f.chunks))
			continue
		}
		r, err := s.OpenFile(ctx, f.id)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		got, err := io.Copy(h, r)
		r.Close()
		if err != nil {
			problems = append(problems, fmt.Sprintf("The file %s cannot be read back: %v.", f.name, err))
			continue
		}
		if got != f.size || hex.EncodeToString(h.Sum(nil)) != f.sum {
			problems = append(problems, fmt.Sprintf("The file %s does not match its fingerprint (SHA-256): its bytes have changed.", f.name))
		}
	}
	var empty int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM document d WHERE NOT EXISTS (SELECT 1 FROM document_file df WHERE df.document_id = d.id)`).Scan(&empty); err != nil {
		return nil, err
	}
	if empty > 0 {
		problems = append(problems, fmt.Sprintf("%d documents have no pages.", empty))
	}
	var stale int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM search WHERE (kind='document' AND ref NOT IN (SELECT id FROM document))
		OR (kind='medication' AND ref NOT IN (SELECT id FROM medication))`).Scan(&stale); err != nil {
		return nil, err
	}
	if stale > 0 {
		problems = append(problems, fmt.Sprintf("%d search entries point at deleted records.", stale))
	}
	// Every image of an imaging study is one of its document's files.
	var loose int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM imaging_instance i JOIN imaging_series se ON se.id = i.series_id
		JOIN imaging_study st ON st.id = se.study_id
		WHERE NOT EXISTS (SELECT 1 FROM document_file df WHERE df.document_id = st.document_id AND df.file_id = i.file_id)`).Scan(&loose); err != nil {
		return nil, err
	}
	switch {
	case loose == 1:
		problems = append(problems, "An image of an imaging study is missing from its study's files.")
	case loose > 1:
		problems = append(problems, fmt.Sprintf("%d images of imaging studies are missing from their study's files.", loose))
	}
	return problems, nil
}

// Backup writes a consistent copy of the live library to out (VACUUM INTO),
// usable as a library itself. It refuses to overwrite any existing file
// (the library itself, an older backup, anything else).
func (s *Store) Backup(ctx context.Context, out string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if abs == s.path {
		return invalid("A backup must go to another file than the library itself. Choose another name.")
	}
	if _, err := os.Stat(abs); err == nil {
		return &Problem{Msg: fmt.Sprintf("%s already exists. Choose a new file name for the backup, so nothing is overwritten.", abs), Err: fs.ErrExist}
	}
	if st, err := os.Stat(filepath.Dir(abs)); err != nil || !st.IsDir() {
		return &Problem{Msg: fmt.Sprintf("The folder %s does not exist. Choose a folder that exists for the backup.", filepath.Dir(abs)), Err: err}
	}
	tmp := abs + ".partial"
	os.Remove(tmp) // left by a backup that was killed
	os.Remove(tmp + "-journal")
	// The copy is private from its first byte: SQLite would create it
	// readable by everyone (0644), and VACUUM INTO fills an empty file.
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &Problem{Msg: fmt.Sprintf("Second Opinion cannot write in %s. Choose a folder you can write to for the backup.", filepath.Dir(abs)), Err: err}
	}
	f.Close()
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, sqliteURI(tmp)); err != nil {
		os.Remove(tmp)
		if isFull(err) {
			return &Problem{Msg: "The disk is full, so the backup could not be written. Free some space or choose another disk, then try again.", Err: ErrDiskFull}
		}
		if strings.Contains(strings.ToLower(err.Error()), "unable to open") || strings.Contains(strings.ToLower(err.Error()), "readonly") {
			return &Problem{Msg: fmt.Sprintf("Second Opinion cannot write in %s. Choose a folder you can write to for the backup.", filepath.Dir(abs)), Err: err}
		}
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Stats counts what is in the library, for tests, the command line and the
// app's Settings.
type Stats struct {
	People, Documents, Trashed, Files, Medications, Allergies, Cases, Questions, Opinions int
	FileBytes                                                                             int64
}

// Stats counts the library's contents.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM person WHERE draft='' AND trashed=''), (SELECT count(*) FROM document WHERE trashed=''), (SELECT count(*) FROM document WHERE trashed!=''),
		(SELECT count(*) FROM file WHERE staged=''), (SELECT coalesce(sum(size),0) FROM file WHERE staged=''), (SELECT count(*) FROM medication),
		(SELECT count(*) FROM allergy), (SELECT count(*) FROM "case"), (SELECT count(*) FROM question), (SELECT count(*) FROM opinion)`).Scan(
		&st.People, &st.Documents, &st.Trashed, &st.Files, &st.FileBytes, &st.Medications, &st.Allergies, &st.Cases, &st.Questions, &st.Opinions)
	if err != nil && errors.Is(err, context.Canceled) {
		return st, err
	}
	return st, err
}
