package records

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode"
)

// normalQuestion is the form two questions are compared in: case, spaces
// and punctuation do not make a question new.
func normalQuestion(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}), " ")
}

// AddQuestion adds a question at the end of a case's list, unless the case
// already has the same question (ignoring case and punctuation). It reports
// whether the question was added; when it was not, q is left as given.
func (s *Store) AddQuestion(ctx context.Context, q *Question) (bool, error) {
	normalize(q)
	q.Text = strings.TrimSpace(q.Text)
	if q.Text == "" {
		return false, invalidField("Text", "Please write the question.")
	}
	added := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT text FROM question WHERE case_id=?`, q.CaseID)
		if err != nil {
			return err
		}
		want := normalQuestion(q.Text)
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			if normalQuestion(t) == want {
				rows.Close()
				return nil
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		id := newID()
		var pos int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) + 1 FROM question WHERE case_id=?`, q.CaseID).Scan(&pos); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO question (id, case_id, text, category, position, asked, answer) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, q.CaseID, q.Text, q.Category, pos, b2i(q.Asked), q.Answer); err != nil {
			return missingParent(err, "case")
		}
		if err := linkQuestion(ctx, tx, id, q.Documents); err != nil {
			return err
		}
		q.ID, q.Position, added = id, pos, true
		return nil
	})
	return added, err
}

func linkQuestion(ctx context.Context, tx *sql.Tx, id string, docs []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM question_document WHERE question_id=?`, id); err != nil {
		return err
	}
	for _, d := range docs {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO question_document (question_id, document_id) VALUES (?, ?)`, id, d); err != nil {
			return missingParent(err, "document")
		}
	}
	return nil
}

// UpdateQuestion saves a question's text, category, asked mark, answer and
// linked documents (not its place: see MoveQuestion).
func (s *Store) UpdateQuestion(ctx context.Context, q *Question) error {
	normalize(q)
	q.Text = strings.TrimSpace(q.Text)
	if q.Text == "" {
		return invalidField("Text", "A question cannot be empty. To remove it, delete it.")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, "question", `UPDATE question SET text=?, category=?, asked=?, answer=? WHERE id=?`,
			q.Text, q.Category, b2i(q.Asked), q.Answer, q.ID); err != nil {
			return err
		}
		return linkQuestion(ctx, tx, q.ID, q.Documents)
	})
}

// MoveQuestion puts a question at position to (1 is the most important),
// shifting the others; positions stay 1..n.
func (s *Store) MoveQuestion(ctx context.Context, id string, to int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var caseID string
		var from int
		if err := tx.QueryRowContext(ctx, `SELECT case_id, position FROM question WHERE id=?`, id).Scan(&caseID, &from); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("question")
			}
			return err
		}
		ids, err := questionIDs(ctx, tx, caseID)
		if err != nil {
			return err
		}
		to = min(max(to, 1), len(ids))
		idx := from - 1
		if idx < 0 || idx >= len(ids) || ids[idx] != id {
			for i, v := range ids {
				if v == id {
					idx = i
				}
			}
		}
		ids = append(ids[:idx], ids[idx+1:]...)
		ids = append(ids[:to-1], append([]string{id}, ids[to-1:]...)...)
		return renumber(ctx, tx, ids)
	})
}

func questionIDs(ctx context.Context, tx *sql.Tx, caseID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM question WHERE case_id=? ORDER BY position`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		ids = append(ids, v)
	}
	return ids, rows.Err()
}

func renumber(ctx context.Context, tx *sql.Tx, ids []string) error {
	for i, v := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE question SET position=? WHERE id=?`, i+1, v); err != nil {
			return err
		}
	}
	return nil
}

// DeleteQuestion removes a question and closes the gap in the order. The
// Undo puts it back in its place, with its answer and linked documents.
func (s *Store) DeleteQuestion(ctx context.Context, id string) (*Undo, error) {
	u := &Undo{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var caseID, text string
		if err := tx.QueryRowContext(ctx, `SELECT case_id, text FROM question WHERE id=?`, id).Scan(&caseID, &text); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("question")
			}
			return err
		}
		u.What = "Question removed: " + clipWords(text, 60)
		if err := u.saveOrder(ctx, tx, "question", "case_id", caseID); err != nil {
			return err
		}
		if err := u.save(ctx, tx, "question", "id=?", id); err != nil {
			return err
		}
		if err := u.save(ctx, tx, "question_document", "question_id=?", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM question WHERE id=?`, id); err != nil {
			return err
		}
		ids, err := questionIDs(ctx, tx, caseID)
		if err != nil {
			return err
		}
		return renumber(ctx, tx, ids)
	})
	return u, err
}

// clipWords shortens text to about n characters at a word boundary.
func clipWords(text string, n int) string {
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndex(text[:n], " ")
	if cut < n/2 {
		cut = n
	}
	return strings.TrimSpace(text[:cut]) + "…"
}

// Questions lists a case's questions, most important first.
func (s *Store) Questions(ctx context.Context, caseID string) ([]Question, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, case_id, text, category, position, asked, answer FROM question WHERE case_id=? ORDER BY position`, caseID)
	if err != nil {
		return nil, err
	}
	var out []Question
	for rows.Next() {
		var q Question
		var asked int
		if err := rows.Scan(&q.ID, &q.CaseID, &q.Text, &q.Category, &q.Position, &asked, &q.Answer); err != nil {
			rows.Close()
			return nil, err
		}
		q.Asked = asked == 1
		out = append(out, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	links, err := s.db.QueryContext(ctx, `SELECT qd.question_id, qd.document_id FROM question_document qd JOIN question q ON q.id = qd.question_id
		WHERE q.case_id=? ORDER BY qd.rowid`, caseID)
	if err != nil {
		return nil, err
	}
	defer links.Close()
	idx := map[string]int{}
	for i, q := range out {
		idx[q.ID] = i
	}
	for links.Next() {
		var qid, did string
		if err := links.Scan(&qid, &did); err != nil {
			return nil, err
		}
		if i, ok := idx[qid]; ok {
			out[i].Documents = append(out[i].Documents, did)
		}
	}
	return out, links.Err()
}
