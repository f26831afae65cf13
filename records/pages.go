package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
)

// Fixing pages (issue #14): turning a page, leaving one out, moving one to
// another document of the same person. Each is a setting of the document
// (page_setting, document_file.page): the stored bytes are never
// rewritten, so the file stays exactly as it came and every change can be
// undone.

// Page is one page of a document as the user sees it, in order.
type Page struct {
	File File // the file it is a page of, with the document's settings
	Page int  // the page of the file, 1-based (1 for a photo)
	// Turn is the user's turn, clockwise in degrees (0, 90, 180, 270).
	Turn int
}

// PageList lists a document's pages as it shows them: in order, without the
// ones left out.
func (d Document) PageList() []Page {
	var out []Page
	for _, f := range d.Files {
		for _, p := range f.Shown() {
			out = append(out, Page{File: f, Page: p, Turn: f.Turn(p)})
		}
	}
	return out
}

// pageSettings fills the files of d with the document's page settings.
func pageSettings(ctx context.Context, q querier, d *Document) error {
	rows, err := q.QueryContext(ctx, `SELECT file_id, page, turn, hidden FROM page_setting WHERE document_id=? ORDER BY file_id, page`, d.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var fileID string
		var page, turn, hidden int
		if err := rows.Scan(&fileID, &page, &turn, &hidden); err != nil {
			return err
		}
		for i := range d.Files {
			f := &d.Files[i]
			if f.ID != fileID {
				continue
			}
			if hidden != 0 && f.Only == 0 {
				f.Hidden = append(f.Hidden, page)
			}
			if turn != 0 {
				if f.Turns == nil {
					f.Turns = map[int]int{}
				}
				f.Turns[page] = turn
			}
		}
	}
	return rows.Err()
}

// TurnPage turns page (1-based) of one of a document's files by degrees,
// a multiple of 90 (positive: clockwise, as "turn right"). The turn is a
// setting of the document: the file is not changed, and the packet, the
// thumbnails and the viewer draw the page turned.
func (s *Store) TurnPage(ctx context.Context, documentID, fileID string, page, degrees int) (*Undo, error) {
	if degrees%90 != 0 {
		return nil, invalid("A page turns by a quarter at a time.")
	}
	u := &Undo{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, f, err := s.pageOf(ctx, tx, documentID, fileID, page)
		if err != nil {
			return err
		}
		if err := u.snapshot(ctx, tx, d.ID); err != nil {
			return err
		}
		turn := ((f.Turn(page)+degrees)%360 + 360) % 360
		if _, err := tx.ExecContext(ctx, `INSERT INTO page_setting (document_id, file_id, page, turn) VALUES (?, ?, ?, ?)
			ON CONFLICT (document_id, file_id, page) DO UPDATE SET turn=excluded.turn`, d.ID, f.ID, page, turn); err != nil {
			return err
		}
		u.What = fmt.Sprintf("Page %d of '%s' turned", pageNumber(d, f.ID, page), d.Title)
		return touchDocument(ctx, tx, s, d.ID)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// RemovePageOf leaves one page out of a document: a page of a PDF of
// several pages is hidden (the file is kept whole), a photo or a page
// moved here is unlinked. A document keeps at least one page. The Undo
// puts it back; an unlinked file that no document uses any more stays in
// the library until the Trash is emptied, so Undo needs no copy of it.
func (s *Store) RemovePageOf(ctx context.Context, documentID, fileID string, page int) (*Undo, error) {
	u := &Undo{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, f, err := s.pageOf(ctx, tx, documentID, fileID, page)
		if err != nil {
			return err
		}
		if len(d.PageList()) <= 1 {
			return invalid("A document needs at least one page. To remove the whole document, move it to the Trash.")
		}
		if err := u.snapshot(ctx, tx, d.ID); err != nil {
			return err
		}
		u.What = fmt.Sprintf("Page %d removed from '%s'", pageNumber(d, f.ID, page), d.Title)
		if err := takePage(ctx, tx, d, f, page); err != nil {
			return err
		}
		return touchDocument(ctx, tx, s, d.ID)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// MovePage moves one page of a document to the end of another document of
// the same person. A page of a PDF of several pages moves as a reference
// to (file, page): it is left out of the first document and the second
// shows just that page, turned as it was. Moving it back shows it again
// where it was.
func (s *Store) MovePage(ctx context.Context, fromID, fileID string, page int, toID string) (*Undo, error) {
	if fromID == toID {
		return nil, invalid("Choose another document to move the page to.")
	}
	u := &Undo{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		from, f, err := s.pageOf(ctx, tx, fromID, fileID, page)
		if err != nil {
			return err
		}
		to, err := s.document(ctx, tx, toID)
		if err != nil {
			return err
		}
		if err := pageSettings(ctx, tx, &to); err != nil {
			return err
		}
		if to.PersonID != from.PersonID {
			return invalid("A page can only move to another document of the same person.")
		}
		if to.Trashed {
			return invalid(fmt.Sprintf("'%s' is in the Trash. Restore it first, or choose another document.", to.Title))
		}
		if len(from.PageList()) <= 1 {
			return invalid(fmt.Sprintf("This is the only page of '%s'. To move all of it, add its file to the other document, or move the document to the Trash.", from.Title))
		}
		if err := u.snapshot(ctx, tx, from.ID, to.ID); err != nil {
			return err
		}
		u.What = fmt.Sprintf("Page %d moved from '%s' to '%s'", pageNumber(from, f.ID, page), from.Title, to.Title)
		turn := f.Turn(page)
		if err := takePage(ctx, tx, from, f, page); err != nil {
			return err
		}
		// The other document may already hold the whole file with this
		// page left out (the page is coming back): show it again there.
		for _, g := range to.Files {
			if g.ID != f.ID || g.Only != 0 {
				continue
			}
			if !containsInt(g.Hidden, page) {
				return invalid(fmt.Sprintf("'%s' already has this page.", to.Title))
			}
			if _, err := tx.ExecContext(ctx, `UPDATE page_setting SET hidden=0, turn=? WHERE document_id=? AND file_id=? AND page=?`,
				turn, to.ID, f.ID, page); err != nil {
				return err
			}
			if err := touchDocument(ctx, tx, s, from.ID); err != nil {
				return err
			}
			return touchDocument(ctx, tx, s, to.ID)
		}
		only := page
		if f.Pages <= 1 && f.Only == 0 {
			only = 0 // a photo moves whole
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_file (document_id, position, file_id, page)
			VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM document_file WHERE document_id=?), ?, ?)`, to.ID, to.ID, f.ID, only); err != nil {
			return err
		}
		if turn != 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO page_setting (document_id, file_id, page, turn) VALUES (?, ?, ?, ?)
				ON CONFLICT (document_id, file_id, page) DO UPDATE SET turn=excluded.turn`, to.ID, f.ID, page, turn); err != nil {
				return err
			}
		}
		if err := touchDocument(ctx, tx, s, from.ID); err != nil {
			return err
		}
		return touchDocument(ctx, tx, s, to.ID)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// AddPagesUndo is AddPagesWith, returning an Undo that takes the added
// pages out again (their files stay until the Trash is emptied).
func (s *Store) AddPagesUndo(ctx context.Context, documentID string, paths []string, opt AddOptions) (*Undo, error) {
	u := &Undo{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return u.snapshot(ctx, tx, documentID)
	})
	if err != nil {
		return nil, err
	}
	if err := s.AddPagesWith(ctx, documentID, paths, opt); err != nil {
		return nil, err
	}
	d, err := s.Document(ctx, documentID)
	if err != nil {
		return nil, err
	}
	u.What = fmt.Sprintf("%d pages added to '%s'", len(paths), d.Title)
	if len(paths) == 1 {
		u.What = fmt.Sprintf("A page added to '%s'", d.Title)
	}
	return u, nil
}

// pageOf loads a document with its settings and finds page of fileID in
// it; the page must be one the document shows.
func (s *Store) pageOf(ctx context.Context, tx *sql.Tx, documentID, fileID string, page int) (Document, File, error) {
	d, err := s.document(ctx, tx, documentID)
	if err != nil {
		return d, File{}, err
	}
	for _, p := range d.PageList() {
		if p.File.ID == fileID && p.Page == page {
			return d, p.File, nil
		}
	}
	return d, File{}, &Problem{Msg: "That page is no longer in this document (it was changed elsewhere). Close the pages and open them again.", Err: ErrNotFound}
}

// takePage leaves page of f out of d: hidden when d holds all of a file of
// several pages, unlinked otherwise.
func takePage(ctx context.Context, tx *sql.Tx, d Document, f File, page int) error {
	if f.Only == 0 && f.Pages > 1 {
		_, err := tx.ExecContext(ctx, `INSERT INTO page_setting (document_id, file_id, page, hidden) VALUES (?, ?, ?, 1)
			ON CONFLICT (document_id, file_id, page) DO UPDATE SET hidden=1`, d.ID, f.ID, page)
		return err
	}
	type link struct {
		file string
		page int
	}
	var keep []link
	dropped := false
	for _, g := range d.Files {
		if !dropped && g.ID == f.ID && g.Only == f.Only {
			dropped = true
			continue
		}
		keep = append(keep, link{g.ID, g.Only})
	}
	// The settings of a file the document no longer links go with it
	// (before the link, so the page counts stay right).
	still := false
	for _, k := range keep {
		still = still || k.file == f.ID
	}
	if !still {
		if _, err := tx.ExecContext(ctx, `DELETE FROM page_setting WHERE document_id=? AND file_id=?`, d.ID, f.ID); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `DELETE FROM page_setting WHERE document_id=? AND file_id=? AND page=? AND hidden=0`, d.ID, f.ID, page); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM document_file WHERE document_id=?`, d.ID); err != nil {
		return err
	}
	for i, k := range keep {
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_file (document_id, position, file_id, page) VALUES (?, ?, ?, ?)`, d.ID, i+1, k.file, k.page); err != nil {
			return err
		}
	}
	return nil
}

// touchDocument stamps a document as changed and indexes it again (its
// pages, and so its searchable text, changed).
func touchDocument(ctx context.Context, tx *sql.Tx, s *Store, id string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE document SET updated=? WHERE id=?`, stamp(s.now()), id); err != nil {
		return err
	}
	d, err := s.document(ctx, tx, id)
	if err != nil {
		return err
	}
	return indexDocument(ctx, tx, &d)
}

// pageNumber is the place of (file, page) among the pages d shows, from 1.
func pageNumber(d Document, fileID string, page int) int {
	for i, p := range d.PageList() {
		if p.File.ID == fileID && p.Page == page {
			return i + 1
		}
	}
	return 0
}

func containsInt(xs []int, x int) bool {
	i := sort.SearchInts(xs, x)
	return i < len(xs) && xs[i] == x
}

// snapshot keeps the pages of documents (their links and page settings) so
// that Restore puts them back exactly, and indexes them again.
func (u *Undo) snapshot(ctx context.Context, tx *sql.Tx, ids ...string) error {
	for _, id := range ids {
		var updated string
		if err := tx.QueryRowContext(ctx, `SELECT updated FROM document WHERE id=?`, id).Scan(&updated); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("document")
			}
			return err
		}
		// Settings first: deleting a hidden page's row counts it back
		// before its link goes (see the triggers of migration 0008).
		u.sets = append(u.sets,
			savedStmt{`DELETE FROM page_setting WHERE document_id=?`, []any{id}},
			savedStmt{`DELETE FROM document_file WHERE document_id=?`, []any{id}},
			savedStmt{`UPDATE document SET updated=? WHERE id=?`, []any{updated, id}})
		if err := u.save(ctx, tx, "document_file", "document_id=? ORDER BY position", id); err != nil {
			return err
		}
		if err := u.save(ctx, tx, "page_setting", "document_id=?", id); err != nil {
			return err
		}
		u.reindex = append(u.reindex, id)
	}
	return nil
}
