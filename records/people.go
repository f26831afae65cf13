package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SavePerson creates the person (when p.ID is empty, setting it) or updates
// them.
func (s *Store) SavePerson(ctx context.Context, p *Person) error {
	if strings.TrimSpace(p.FullName) == "" {
		return invalidField("FullName", "Please give the person's full name.")
	}
	return s.txAdd(ctx, &p.ID, func(tx *sql.Tx) error { return s.savePerson(ctx, tx, p) })
}

// BeginPerson creates a person who stays out of every list until
// FinishPerson: for a person built in several steps (the sample person),
// so that a crash or kill part way leaves nobody half-made. A person this
// process began and never finished is removed by the next Open after it
// has ended.
func (s *Store) BeginPerson(ctx context.Context, p *Person) error {
	if strings.TrimSpace(p.FullName) == "" {
		return invalidField("FullName", "Please give the person's full name.")
	}
	if p.ID != "" {
		return invalid("This person is already in the library.")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.savePerson(ctx, tx, p); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE person SET draft=? WHERE id=?`, owner(), p.ID)
		return err
	})
}

// FinishPerson lists a person begun with BeginPerson.
func (s *Store) FinishPerson(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, "person", `UPDATE person SET draft='' WHERE id=?`, id)
	})
}

func (s *Store) savePerson(ctx context.Context, tx *sql.Tx, p *Person) error {
	normalize(p)
	now := s.now()
	p.FullName = strings.TrimSpace(p.FullName)
	if p.ID == "" {
		p.ID, p.Created = newID(), now
		if _, err := tx.ExecContext(ctx, `INSERT INTO person (id, full_name, created, updated) VALUES (?, ?, ?, ?)`,
			p.ID, p.FullName, stamp(now), stamp(now)); err != nil {
			return fmt.Errorf("add person: %w", err)
		}
	}
	p.Updated = now
	res, err := tx.ExecContext(ctx, `UPDATE person SET full_name=?, birth_date=?, phone=?, email=?, address=?,
		prep_self=?, prep_name=?, prep_relation=?, prep_phone=?, prep_email=?, allergy_status=?, updated=? WHERE id=?`,
		p.FullName, p.DateOfBirth.String(), p.Phone, p.Email, p.Address,
		b2i(p.PreparedBy.Self), p.PreparedBy.Name, p.PreparedBy.Relationship, p.PreparedBy.Phone, p.PreparedBy.Email,
		int(p.Allergies), stamp(now), p.ID)
	if err != nil {
		return fmt.Errorf("save person: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("person")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_identifier WHERE person_id=?`, p.ID); err != nil {
		return err
	}
	pos := 0
	for _, id := range p.Identifiers {
		if strings.TrimSpace(id.Value) == "" {
			continue
		}
		pos++
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_identifier (person_id, position, label, value) VALUES (?, ?, ?, ?)`,
			p.ID, pos, strings.TrimSpace(id.Label), strings.TrimSpace(id.Value)); err != nil {
			return err
		}
	}
	return nil
}

func notFound(what string) error {
	return &Problem{Msg: fmt.Sprintf("That %s is no longer in the library; it may have been deleted. Reload and try again.", what), Err: ErrNotFound}
}

const personCols = `id, full_name, birth_date, phone, email, address, prep_self, prep_name, prep_relation, prep_phone, prep_email, allergy_status, created, updated,
	height_cm, weight_kg, measured_on, activity`

func scanPerson(sc interface{ Scan(...any) error }) (Person, error) {
	var p Person
	var dob, created, updated string
	var self, allergy, activity int
	var measured string
	err := sc.Scan(&p.ID, &p.FullName, &dob, &p.Phone, &p.Email, &p.Address, &self, &p.PreparedBy.Name,
		&p.PreparedBy.Relationship, &p.PreparedBy.Phone, &p.PreparedBy.Email, &allergy, &created, &updated,
		&p.Body.HeightCM, &p.Body.WeightKG, &measured, &activity)
	p.Body.MeasuredOn, p.Body.Activity = parseStoredDate(measured), Activity(activity)
	p.DateOfBirth, p.PreparedBy.Self, p.Allergies = parseStoredDate(dob), self == 1, AllergyStatus(allergy)
	p.Created, p.Updated = unstamp(created), unstamp(updated)
	return p, err
}

// People lists everyone in the library by name.
func (s *Store) People(ctx context.Context) ([]Person, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+personCols+` FROM person WHERE draft = '' AND trashed = '' ORDER BY full_name COLLATE NOCASE, created`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Identifiers, err = s.identifiers(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) identifiers(ctx context.Context, personID string) ([]Identifier, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT label, value FROM person_identifier WHERE person_id=? ORDER BY position`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Identifier
	for rows.Next() {
		var id Identifier
		if err := rows.Scan(&id.Label, &id.Value); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Person returns one person.
func (s *Store) Person(ctx context.Context, id string) (Person, error) {
	p, err := scanPerson(s.db.QueryRowContext(ctx, `SELECT `+personCols+` FROM person WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, notFound("person")
	}
	if err != nil {
		return Person{}, err
	}
	p.Identifiers, err = s.identifiers(ctx, id)
	return p, err
}

// PersonByName finds a person by full name, ignoring case and surrounding
// spaces. It returns ErrNotFound (in a Problem) when there is none, and
// ErrAmbiguous (in a Problem listing them by date of birth) when several
// people have that name: a name must never silently pick the wrong one.
func (s *Store) PersonByName(ctx context.Context, name string) (Person, error) {
	ids, err := s.ids(ctx, `SELECT id FROM person WHERE draft = '' AND trashed = '' AND lower(trim(full_name)) = lower(trim(?)) ORDER BY birth_date, created`, name)
	if err != nil {
		return Person{}, err
	}
	switch len(ids) {
	case 0:
		return Person{}, &Problem{Msg: fmt.Sprintf("There is nobody called %q in this library. Check the spelling, or add them first.", name), Err: ErrNotFound}
	case 1:
		return s.Person(ctx, ids[0])
	}
	var who []string
	for _, id := range ids {
		p, err := s.Person(ctx, id)
		if err != nil {
			return Person{}, err
		}
		born := "date of birth not recorded"
		if !p.DateOfBirth.IsZero() {
			born = "born " + p.DateOfBirth.Human()
		}
		who = append(who, fmt.Sprintf("%s (%s, ID %s)", p.FullName, born, ShortID(p.ID)))
	}
	return Person{}, &Problem{Msg: fmt.Sprintf("There are %d people called %q: %s. Say which one with --person-id ID.", len(ids), name, strings.Join(who, "; ")), Err: ErrAmbiguous}
}

// PersonByID finds a person by ID or by the short ID that lists show (the
// ID's first characters, at least 4).
func (s *Store) PersonByID(ctx context.Context, ref string) (Person, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if len(ref) < 4 {
		return Person{}, &Problem{Msg: fmt.Sprintf("%q is too short to be a person's ID. Copy the ID from secondopinion list.", ref), Err: ErrNotFound}
	}
	ids, err := s.ids(ctx, `SELECT id FROM person WHERE draft = '' AND trashed = '' AND substr(id, 1, ?) = ?`, len(ref), ref)
	if err != nil {
		return Person{}, err
	}
	switch len(ids) {
	case 0:
		return Person{}, &Problem{Msg: fmt.Sprintf("There is nobody with the ID %s in this library. Check it with secondopinion list.", ref), Err: ErrNotFound}
	case 1:
		return s.Person(ctx, ids[0])
	}
	return Person{}, &Problem{Msg: fmt.Sprintf("Several people's IDs start with %s. Give more of the ID.", ref), Err: ErrAmbiguous}
}

// ids runs a query whose rows are single IDs.
func (s *Store) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ShortID is the part of an ID that lists show and commands accept.
func ShortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// TrashPerson moves a person, with everything recorded for them, to the
// Trash: they leave the switcher and every list, and can be restored until
// the Trash is emptied.
func (s *Store) TrashPerson(ctx context.Context, id string) error {
	return s.setTrashedRow(ctx, "person", "person", id, stamp(s.now()))
}

// RestorePerson brings a person back from the Trash.
func (s *Store) RestorePerson(ctx context.Context, id string) error {
	return s.setTrashedRow(ctx, "person", "person", id, "")
}

// TrashedPeople lists the people in the Trash.
func (s *Store) TrashedPeople(ctx context.Context) ([]Person, error) {
	ids, err := s.ids(ctx, `SELECT id FROM person WHERE trashed != '' AND draft = '' ORDER BY full_name COLLATE NOCASE`)
	if err != nil {
		return nil, err
	}
	out := make([]Person, 0, len(ids))
	for _, id := range ids {
		p, err := s.Person(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// setTrashedRow sets the trashed mark of one row of table (person or
// case): stamp moves it to the Trash, "" brings it back.
func (s *Store) setTrashedRow(ctx context.Context, table, what, id, stamp string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, what, `UPDATE "`+table+`" SET trashed=? WHERE id=?`, stamp, id)
	})
}

// DeletePerson removes a person and everything recorded for them. Files no
// other person uses are removed too.
func (s *Store) DeletePerson(ctx context.Context, id string) error {
	return s.deletePerson(ctx, id, false)
}

// deletePerson removes a person (only while still a draft, when
// draftOnly), purging what only they used.
func (s *Store) deletePerson(ctx context.Context, id string, draftOnly bool) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		q := `DELETE FROM person WHERE id=?`
		if draftOnly {
			q += ` AND draft != ''`
		}
		res, err := tx.ExecContext(ctx, q, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search WHERE person_id=?`, id); err != nil {
			return err
		}
		return deleteOrphanFiles(ctx, tx)
	})
	if err != nil {
		return err
	}
	return s.purge(ctx)
}

// SetAllergyStatus records "no known allergies" or "not recorded" (the
// status becomes "recorded" by itself when an allergy is saved).
func (s *Store) SetAllergyStatus(ctx context.Context, personID string, st AllergyStatus) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if st == AllergiesNoneKnown {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM allergy WHERE person_id=?`, personID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return invalid("There are allergies recorded for this person. Remove them first if they have no known allergies.")
			}
		}
		return execOne(ctx, tx, "person", `UPDATE person SET allergy_status=?, updated=? WHERE id=?`, int(st), stamp(s.now()), personID)
	})
}

// SaveAllergy adds or updates an allergy, and marks the person's allergies
// as recorded.
func (s *Store) SaveAllergy(ctx context.Context, a *Allergy) error {
	normalize(a)
	a.Substance = strings.TrimSpace(a.Substance)
	if a.Substance == "" {
		return invalidField("Substance", "Please say what the allergy is to (a medicine, food or material).")
	}
	return s.txAdd(ctx, &a.ID, func(tx *sql.Tx) error {
		if a.ID == "" {
			a.ID = newID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO allergy (id, person_id, substance, reaction, severity, created) VALUES (?, ?, ?, ?, ?, ?)`,
				a.ID, a.PersonID, a.Substance, a.Reaction, a.Severity, stamp(s.now())); err != nil {
				return fmt.Errorf("add allergy: %w", err)
			}
		} else if err := execOne(ctx, tx, "allergy", `UPDATE allergy SET substance=?, reaction=?, severity=? WHERE id=?`,
			a.Substance, a.Reaction, a.Severity, a.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE person SET allergy_status=?, updated=? WHERE id=?`, int(AllergiesRecorded), stamp(s.now()), a.PersonID)
		return err
	})
}

// DeleteAllergy removes an allergy. When it was the last one, the person's
// allergies become "not recorded" again (not "none known": nobody said so).
// The Undo puts it back, with the status it had.
func (s *Store) DeleteAllergy(ctx context.Context, id string) (*Undo, error) {
	u := &Undo{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var personID, substance string
		var status int
		if err := tx.QueryRowContext(ctx, `SELECT a.person_id, a.substance, p.allergy_status FROM allergy a JOIN person p ON p.id = a.person_id WHERE a.id=?`, id).Scan(&personID, &substance, &status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("allergy")
			}
			return err
		}
		u.What = fmt.Sprintf("Allergy to %s removed", substance)
		if err := u.save(ctx, tx, "allergy", "id=?", id); err != nil {
			return err
		}
		u.sets = append(u.sets, savedStmt{`UPDATE person SET allergy_status=? WHERE id=?`, []any{status, personID}})
		if _, err := tx.ExecContext(ctx, `DELETE FROM allergy WHERE id=?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE person SET allergy_status=? WHERE id=? AND NOT EXISTS (SELECT 1 FROM allergy WHERE person_id=?)`,
			int(AllergiesNotRecorded), personID, personID)
		return err
	})
	return u, err
}

// Allergies lists a person's allergies by substance.
func (s *Store) Allergies(ctx context.Context, personID string) ([]Allergy, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, person_id, substance, reaction, severity FROM allergy WHERE person_id=? ORDER BY substance COLLATE NOCASE`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Allergy
	for rows.Next() {
		var a Allergy
		if err := rows.Scan(&a.ID, &a.PersonID, &a.Substance, &a.Reaction, &a.Severity); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
