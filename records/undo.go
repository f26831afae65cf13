package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Undo puts back what one removal took out of the library: the app shows
// "Allergy to penicillin removed · Undo" for a few seconds after any
// destructive click, and Restore undoes it exactly (same IDs, same order,
// same allergy status), in one transaction.
type Undo struct {
	What string // the notice: "Allergy to penicillin removed"
	rows []savedRows
	sets []savedStmt // run before the rows go back: positions, statuses
	// reindex names documents whose search entry is made again after the
	// rows go back (their pages changed).
	reindex []string
}

type savedRows struct {
	table string
	cols  []string
	vals  [][]any
}

type savedStmt struct {
	q    string
	args []any
}

// save keeps the rows of table matching where, to put back on undo.
func (u *Undo) save(ctx context.Context, tx *sql.Tx, table, where string, args ...any) error {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+table+` WHERE `+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	sr := savedRows{table: table, cols: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		sr.vals = append(sr.vals, vals)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	u.rows = append(u.rows, sr)
	return nil
}

// saveOrder keeps the positions of a list (questions, opinions) so the
// removed item goes back to its place.
func (u *Undo) saveOrder(ctx context.Context, tx *sql.Tx, table, parentCol, parentID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, position FROM `+table+` WHERE `+parentCol+`=?`, parentID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var pos int
		if err := rows.Scan(&id, &pos); err != nil {
			return err
		}
		u.sets = append(u.sets, savedStmt{`UPDATE ` + table + ` SET position=? WHERE id=?`, []any{pos, id}})
	}
	return rows.Err()
}

// Restore puts back what u removed. It fails with a sentence when the
// library changed meanwhile so that it cannot (the person was deleted).
func (s *Store) Restore(ctx context.Context, u *Undo) error {
	if u == nil {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, st := range u.sets {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		for _, sr := range u.rows {
			q := fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s)`, sr.table, strings.Join(quoteCols(sr.cols), ", "), strings.TrimSuffix(strings.Repeat("?, ", len(sr.cols)), ", "))
			for _, v := range sr.vals {
				if _, err := tx.ExecContext(ctx, q, v...); err != nil {
					if strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "UNIQUE") {
						return &Problem{Msg: "This can no longer be undone: the library changed since (what it belonged to was removed, or it was added again).", Err: err}
					}
					return err
				}
			}
		}
		for _, id := range u.reindex {
			d, err := s.document(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := indexDocument(ctx, tx, &d); err != nil {
				return err
			}
		}
		return nil
	})
}

func quoteCols(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = `"` + c + `"`
	}
	return out
}

// deleteRow removes one row of table by id, keeping it for the Undo, whose
// notice is what(the row's label column).
func (s *Store) deleteRow(ctx context.Context, table, labelCol, id, thing string, what func(string) string) (*Undo, error) {
	u := &Undo{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var label string
		if err := tx.QueryRowContext(ctx, `SELECT `+labelCol+` FROM `+table+` WHERE id=?`, id).Scan(&label); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound(thing)
			}
			return err
		}
		u.What = what(label)
		if err := u.save(ctx, tx, table, "id=?", id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id=?`, id)
		return err
	})
	return u, err
}
