package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

func (m *Medication) validate() error {
	normalize(m)
	m.Name = strings.TrimSpace(m.Name)
	if m.Name == "" {
		return invalidField("Name", "Please give the medicine's name.")
	}
	if m.Status == "" {
		m.Status = MedTaking
		if !m.Stop.IsZero() {
			m.Status = MedStopped
		}
	}
	switch m.Status {
	case MedTaking, MedStopped, MedPaused:
	default:
		return invalid(fmt.Sprintf("%q is not a medication status; use taking, paused or stopped.", m.Status))
	}
	if m.Stop.Before(m.Start) {
		return invalidField("Stop", fmt.Sprintf("The stop date (%s) is before the start date (%s). Please check both dates.", m.Stop.Human(), m.Start.Human()))
	}
	if m.Status != MedPaused {
		m.PausedOn, m.PauseReason = Date{}, "" // only a paused medicine is paused since a date
	} else if m.PausedOn.Before(m.Start) {
		return invalidField("PausedOn", fmt.Sprintf("The date it was paused (%s) is before the date it was started (%s). Please check both dates.", m.PausedOn.Human(), m.Start.Human()))
	}
	if m.Status != MedStopped && !m.Stop.IsZero() {
		return invalidField("Stop", "A medicine with a stop date must be marked as stopped. Use \"Stop taking\", or clear the stop date.")
	}
	return nil
}

// SaveMedication adds (when m.ID is empty) or updates a medication.
func (s *Store) SaveMedication(ctx context.Context, m *Medication) error {
	if err := m.validate(); err != nil {
		return err
	}
	return s.txAdd(ctx, &m.ID, func(tx *sql.Tx) error {
		now := s.now()
		if m.ID == "" {
			m.ID = newID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO medication (id, person_id, name, created, updated) VALUES (?, ?, ?, ?, ?)`,
				m.ID, m.PersonID, m.Name, stamp(now), stamp(now)); err != nil {
				return fmt.Errorf("add medication: %w", err)
			}
		}
		m.Updated = now
		if err := execOne(ctx, tx, "medication", `UPDATE medication SET name=?, strength=?, dose=?, form=?, frequency=?, slots=?,
			start_date=?, stop_date=?, status=?, reason=?, prescriber=?, stop_reason=?, notes=?, updated=?, paused_on=?, pause_reason=? WHERE id=?`,
			m.Name, m.Strength, m.Dose, m.Form, m.Frequency, int(m.Slots), m.Start.String(), m.Stop.String(),
			string(m.Status), m.Reason, m.Prescriber, m.StopReason, m.Notes, stamp(now), m.PausedOn.String(), strings.TrimSpace(m.PauseReason), m.ID); err != nil {
			return err
		}
		return indexMedication(ctx, tx, m)
	})
}

func indexMedication(ctx context.Context, tx *sql.Tx, m *Medication) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM search WHERE ref=?`, m.ID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO search (ref, kind, person_id, title, notes, source, tags, body) VALUES (?, 'medication', ?, ?, ?, ?, '', ?)`,
		m.ID, m.PersonID, m.Name, m.Notes, m.Prescriber, m.Reason+" "+m.StopReason)
	return err
}

// StopMedication records that a medicine was stopped on a date and why,
// keeping it in the list of past medications (the second doctor asks what
// was tried and why it stopped).
func (s *Store) StopMedication(ctx context.Context, id string, on Date, reason string) error {
	m, err := s.Medication(ctx, id)
	if err != nil {
		return err
	}
	if on.IsZero() {
		return invalidField("Stop", "Please give the date it was stopped (a month and year is enough).")
	}
	m.Status, m.Stop, m.StopReason = MedStopped, on, strings.TrimSpace(reason)
	return s.SaveMedication(ctx, &m)
}

// DeleteMedication removes a medication entered by mistake. (A medicine that
// was stopped should be stopped, not deleted.) The Undo puts it back.
func (s *Store) DeleteMedication(ctx context.Context, id string) (*Undo, error) {
	u := &Undo{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM medication WHERE id=?`, id).Scan(&name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("medication")
			}
			return err
		}
		u.What = name + " deleted"
		if err := u.save(ctx, tx, "medication", "id=?", id); err != nil {
			return err
		}
		if err := u.save(ctx, tx, "search", "ref=?", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search WHERE ref=?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM medication WHERE id=?`, id)
		return err
	})
	return u, err
}

const medCols = `id, person_id, name, strength, dose, form, frequency, slots, start_date, stop_date, status, reason, prescriber, stop_reason, notes, updated, paused_on, pause_reason`

func scanMedication(sc interface{ Scan(...any) error }) (Medication, error) {
	var m Medication
	var slots int
	var start, stop, status, updated, paused string
	err := sc.Scan(&m.ID, &m.PersonID, &m.Name, &m.Strength, &m.Dose, &m.Form, &m.Frequency, &slots, &start, &stop,
		&status, &m.Reason, &m.Prescriber, &m.StopReason, &m.Notes, &updated, &paused, &m.PauseReason)
	m.PausedOn = parseStoredDate(paused)
	m.Slots, m.Start, m.Stop, m.Status, m.Updated = Slot(slots), parseStoredDate(start), parseStoredDate(stop), MedStatus(status), unstamp(updated)
	return m, err
}

// Medication returns one medication.
func (s *Store) Medication(ctx context.Context, id string) (Medication, error) {
	m, err := scanMedication(s.db.QueryRowContext(ctx, `SELECT `+medCols+` FROM medication WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("medication")
	}
	return m, err
}

// Medications lists a person's medications: current ones first (by name),
// then past ones, most recently stopped first.
func (s *Store) Medications(ctx context.Context, personID string) ([]Medication, error) {
	return s.queryMedications(ctx, `SELECT `+medCols+` FROM medication WHERE person_id=?
		ORDER BY status='stopped', CASE WHEN status='stopped' THEN stop_date END DESC, name COLLATE NOCASE`, personID)
}

func (s *Store) queryMedications(ctx context.Context, query string, args ...any) ([]Medication, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Medication
	for rows.Next() {
		m, err := scanMedication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
