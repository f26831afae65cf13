package records

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Activity is how a patient manages day to day, in plain words that map to
// the ECOG performance status 0-4. The zero value is "not recorded", so a
// person nobody asked is never printed as fully active.
type Activity int

// Activity levels: ActivityNotRecorded, then ECOG 0 to 4.
const (
	ActivityNotRecorded Activity = iota
	ActivityFull                 // ECOG 0
	ActivityLight                // ECOG 1
	ActivitySelfCare             // ECOG 2
	ActivityLimited              // ECOG 3
	ActivityBed                  // ECOG 4
)

// Activities lists every recorded level with its plain words, ECOG 0 first.
var Activities = []struct {
	Level Activity
	Label string
}{
	{ActivityFull, "Fully active, no restrictions"},
	{ActivityLight, "Cannot do heavy physical work, but can walk and do light work (housework, office work)"},
	{ActivitySelfCare, "Up and about more than half the day and can look after myself, but cannot work"},
	{ActivityLimited, "In bed or a chair more than half the day; can only partly look after myself"},
	{ActivityBed, "In bed or a chair all day; needs help with all personal care"},
}

// Label is the level in plain words ("" when not recorded).
func (a Activity) Label() string {
	for _, x := range Activities {
		if x.Level == a {
			return x.Label
		}
	}
	return ""
}

// ECOG is the level's ECOG performance status 0-4, or -1 when not recorded.
func (a Activity) ECOG() int {
	if a < ActivityFull || a > ActivityBed {
		return -1
	}
	return int(a - ActivityFull)
}

// Body is height and weight with the date they were measured, and how the
// patient manages day to day. Zero height or weight means not recorded.
type Body struct {
	HeightCM   float64
	WeightKG   float64
	MeasuredOn Date
	Activity   Activity
}

// SaveBody records a person's height, weight (with their date) and how
// they manage day to day, leaving every other fact about them as it is.
func (s *Store) SaveBody(ctx context.Context, personID string, b Body) error {
	if b.HeightCM != 0 && (b.HeightCM < 30 || b.HeightCM > 260) {
		return invalid(fmt.Sprintf("A height of %g cm is not possible. Give the height in centimetres, for example 165.", b.HeightCM))
	}
	if b.WeightKG != 0 && (b.WeightKG < 1 || b.WeightKG > 400) {
		return invalid(fmt.Sprintf("A weight of %g kg is not possible. Give the weight in kilograms, for example 68.5.", b.WeightKG))
	}
	if b.HeightCM < 0 || b.WeightKG < 0 {
		return invalid("A height or weight cannot be below zero.")
	}
	if b.Activity < ActivityNotRecorded || b.Activity > ActivityBed {
		return invalid("Choose how the patient manages day to day from the list.")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, "person", `UPDATE person SET height_cm=?, weight_kg=?, measured_on=?, activity=?, updated=? WHERE id=?`,
			b.HeightCM, b.WeightKG, b.MeasuredOn.String(), int(b.Activity), stamp(s.now()), personID)
	})
}

func (s *Store) body(ctx context.Context, personID string) (Body, error) {
	var b Body
	var on string
	var act int
	err := s.db.QueryRowContext(ctx, `SELECT height_cm, weight_kg, measured_on, activity FROM person WHERE id=?`, personID).Scan(&b.HeightCM, &b.WeightKG, &on, &act)
	b.MeasuredOn, b.Activity = parseStoredDate(on), Activity(act)
	return b, err
}

// HistoryKind tells a condition from an implant or device.
type HistoryKind string

// History kinds.
const (
	HistoryCondition HistoryKind = "condition" // another illness: "high blood pressure"
	HistoryDevice    HistoryKind = "device"    // pacemaker, port, metal: they matter for MRI and radiotherapy
)

// HistoryItem is one other condition (the problem list) or one implant or
// device, with its date.
type HistoryItem struct {
	ID       string
	PersonID string
	Kind     HistoryKind
	Name     string
	Date     Date   // since when, or when fitted
	Notes    string // "well controlled", "MRI conditional"
}

// SaveHistoryItem adds (when h.ID is empty) or updates a condition or device.
func (s *Store) SaveHistoryItem(ctx context.Context, h *HistoryItem) error {
	normalize(h)
	h.Name = strings.TrimSpace(h.Name)
	if h.Kind != HistoryCondition && h.Kind != HistoryDevice {
		return invalid(fmt.Sprintf("%q is neither a condition nor a device.", h.Kind))
	}
	if h.Name == "" {
		if h.Kind == HistoryDevice {
			return invalid("Please say what the implant or device is (for example: pacemaker, hip replacement, port).")
		}
		return invalid("Please name the condition (for example: high blood pressure, diabetes).")
	}
	return s.txAdd(ctx, &h.ID, func(tx *sql.Tx) error {
		if h.ID == "" {
			h.ID = newID()
			_, err := tx.ExecContext(ctx, `INSERT INTO history_item (id, person_id, kind, name, date, notes, created) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				h.ID, h.PersonID, string(h.Kind), h.Name, h.Date.String(), h.Notes, stamp(s.now()))
			return missingParent(err, "person")
		}
		return execOne(ctx, tx, string(h.Kind), `UPDATE history_item SET kind=?, name=?, date=?, notes=? WHERE id=?`, string(h.Kind), h.Name, h.Date.String(), h.Notes, h.ID)
	})
}

// DeleteHistoryItem removes a condition or device. The Undo puts it back.
func (s *Store) DeleteHistoryItem(ctx context.Context, id string) (*Undo, error) {
	return s.deleteRow(ctx, "history_item", "name", id, "condition or device", func(name string) string { return name + " removed" })
}

// History lists a person's conditions and devices, oldest first (undated
// last), conditions before devices.
func (s *Store) History(ctx context.Context, personID string) ([]HistoryItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, person_id, kind, name, date, notes FROM history_item WHERE person_id=?
		ORDER BY kind, date = '', date, created`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HistoryItem
	for rows.Next() {
		var h HistoryItem
		var kind, date string
		if err := rows.Scan(&h.ID, &h.PersonID, &kind, &h.Name, &date, &h.Notes); err != nil {
			return nil, err
		}
		h.Kind, h.Date = HistoryKind(kind), parseStoredDate(date)
		out = append(out, h)
	}
	return out, rows.Err()
}

// Result is one key test result the patient copied from a report.
type Result struct {
	ID         string
	PersonID   string
	Test       string // "CA 15-3", "Haemoglobin", "eGFR"
	Value      string // as printed: "128", ">90", "positive"
	Unit       string
	Date       Date
	Range      string // the reference range, as printed
	DocumentID string // the document it came from; "" when not given
}

// SaveResult adds (when r.ID is empty) or updates a result.
func (s *Store) SaveResult(ctx context.Context, r *Result) error {
	normalize(r)
	r.Test, r.Value = strings.TrimSpace(r.Test), strings.TrimSpace(r.Value)
	if r.Test == "" {
		return invalid("Please name the test (for example: haemoglobin, eGFR, CA 15-3).")
	}
	if r.Value == "" {
		return invalid(fmt.Sprintf("Please give the result of %s, as the report prints it.", r.Test))
	}
	var doc any
	if r.DocumentID != "" {
		doc = r.DocumentID
	}
	return s.txAdd(ctx, &r.ID, func(tx *sql.Tx) error {
		if r.ID == "" {
			r.ID = newID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO result (id, person_id, test, created) VALUES (?, ?, ?, ?)`, r.ID, r.PersonID, r.Test, stamp(s.now())); err != nil {
				return missingParent(err, "person")
			}
		}
		err := execOne(ctx, tx, "result", `UPDATE result SET test=?, value=?, unit=?, taken_on=?, ref_range=?, document_id=? WHERE id=?`,
			r.Test, r.Value, strings.TrimSpace(r.Unit), r.Date.String(), strings.TrimSpace(r.Range), doc, r.ID)
		return missingParent(err, "document") // the document it came from
	})
}

// DeleteResult removes a result. The Undo puts it back.
func (s *Store) DeleteResult(ctx context.Context, id string) (*Undo, error) {
	return s.deleteRow(ctx, "result", "test", id, "result", func(test string) string { return "Result of " + test + " removed" })
}

// Results lists a person's key results, newest first (dates are stored as
// ISO text, so "2026-10" sorts before "2026-10-05"), undated ones last.
func (s *Store) Results(ctx context.Context, personID string) ([]Result, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, person_id, test, value, unit, taken_on, ref_range, coalesce(document_id, '') FROM result
		WHERE person_id=? ORDER BY taken_on = '', taken_on DESC, created`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		var r Result
		var on string
		if err := rows.Scan(&r.ID, &r.PersonID, &r.Test, &r.Value, &r.Unit, &on, &r.Range, &r.DocumentID); err != nil {
			return nil, err
		}
		r.Date = parseStoredDate(on)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Recipient is someone the second opinion is sent to: the patient, their
// GP, the first consultant. CopyTo marks a copy; the others are the main
// addressees.
type Recipient struct {
	ID       string
	CaseID   string
	Position int
	Role     string // "Patient", "GP", "First consultant"
	Name     string
	Address  string
	Phone    string
	Email    string
	CopyTo   bool
}

// SaveRecipient adds (when r.ID is empty, after the others) or updates a
// recipient of the opinion.
func (s *Store) SaveRecipient(ctx context.Context, r *Recipient) error {
	normalize(r)
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		return invalid("Please give the name of the person or practice the opinion should go to.")
	}
	return s.txAdd(ctx, &r.ID, func(tx *sql.Tx) error {
		if r.ID == "" {
			r.ID = newID()
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) + 1 FROM recipient WHERE case_id=?`, r.CaseID).Scan(&r.Position); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO recipient (id, case_id, position, name) VALUES (?, ?, ?, ?)`, r.ID, r.CaseID, r.Position, r.Name); err != nil {
				return missingParent(err, "case")
			}
		}
		return execOne(ctx, tx, "recipient", `UPDATE recipient SET role=?, name=?, address=?, phone=?, email=?, copy_to=? WHERE id=?`,
			strings.TrimSpace(r.Role), r.Name, strings.TrimSpace(r.Address), strings.TrimSpace(r.Phone), strings.TrimSpace(r.Email), b2i(r.CopyTo), r.ID)
	})
}

// DeleteRecipient removes a recipient. The Undo puts them back in place.
func (s *Store) DeleteRecipient(ctx context.Context, id string) (*Undo, error) {
	return s.deleteRow(ctx, "recipient", "name", id, "recipient", func(name string) string { return name + " removed from the recipients" })
}

// Recipients lists whom a case's opinion goes to: main addressees first,
// then copies, each in the order added.
func (s *Store) Recipients(ctx context.Context, caseID string) ([]Recipient, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, case_id, position, role, name, address, phone, email, copy_to FROM recipient
		WHERE case_id=? ORDER BY copy_to, position`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		var cp int
		if err := rows.Scan(&r.ID, &r.CaseID, &r.Position, &r.Role, &r.Name, &r.Address, &r.Phone, &r.Email, &cp); err != nil {
			return nil, err
		}
		r.CopyTo = cp == 1
		out = append(out, r)
	}
	return out, rows.Err()
}

// Handover is something a PDF cannot carry (pathology slides and blocks,
// an imaging disc) on its way to the second doctor: asked of whom, sent to
// whom, when, and when received.
type Handover struct {
	ID         string
	CaseID     string
	What       string // "Core biopsy slides and block", "MRI images on disc"
	HeldBy     string // whom it was asked of
	SentTo     string
	AskedOn    Date
	SentOn     Date
	ReceivedOn Date
	Notes      string
}

// State is where the handover stands, in words: "received 3 March 2026".
func (h Handover) State() string {
	switch {
	case !h.ReceivedOn.IsZero():
		return "Received " + h.ReceivedOn.Human()
	case !h.SentOn.IsZero():
		return "Sent " + h.SentOn.Human() + ", not confirmed received"
	case !h.AskedOn.IsZero():
		return "Asked for " + h.AskedOn.Human() + ", not sent yet"
	}
	return "Not asked for yet"
}

// SaveHandover adds (when h.ID is empty) or updates a handover.
func (s *Store) SaveHandover(ctx context.Context, h *Handover) error {
	normalize(h)
	h.What = strings.TrimSpace(h.What)
	if h.What == "" {
		return invalid("Please say what is being sent (for example: biopsy slides and blocks, MRI images on disc).")
	}
	if !h.SentOn.IsZero() && h.SentOn.Before(h.AskedOn) {
		return invalid("The date sent is before the date asked. Please check both dates.")
	}
	if !h.ReceivedOn.IsZero() && h.ReceivedOn.Before(h.SentOn) {
		return invalid("The date received is before the date sent. Please check both dates.")
	}
	return s.txAdd(ctx, &h.ID, func(tx *sql.Tx) error {
		if h.ID == "" {
			h.ID = newID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO handover (id, case_id, what, created) VALUES (?, ?, ?, ?)`, h.ID, h.CaseID, h.What, stamp(s.now())); err != nil {
				return missingParent(err, "case")
			}
		}
		return execOne(ctx, tx, "item to hand over", `UPDATE handover SET what=?, held_by=?, sent_to=?, asked_on=?, sent_on=?, received_on=?, notes=? WHERE id=?`,
			h.What, strings.TrimSpace(h.HeldBy), strings.TrimSpace(h.SentTo), h.AskedOn.String(), h.SentOn.String(), h.ReceivedOn.String(), h.Notes, h.ID)
	})
}

// DeleteHandover removes a handover. The Undo puts it back.
func (s *Store) DeleteHandover(ctx context.Context, id string) (*Undo, error) {
	return s.deleteRow(ctx, "handover", "what", id, "item to hand over", func(what string) string { return what + " removed" })
}

// Handovers lists a case's handovers in the order added.
func (s *Store) Handovers(ctx context.Context, caseID string) ([]Handover, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, case_id, what, held_by, sent_to, asked_on, sent_on, received_on, notes FROM handover
		WHERE case_id=? ORDER BY created`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Handover
	for rows.Next() {
		var h Handover
		var asked, sent, got string
		if err := rows.Scan(&h.ID, &h.CaseID, &h.What, &h.HeldBy, &h.SentTo, &asked, &sent, &got, &h.Notes); err != nil {
			return nil, err
		}
		h.AskedOn, h.SentOn, h.ReceivedOn = parseStoredDate(asked), parseStoredDate(sent), parseStoredDate(got)
		out = append(out, h)
	}
	return out, rows.Err()
}
