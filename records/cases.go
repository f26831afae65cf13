package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SaveCase creates (when c.ID is empty) or updates a case's own facts and
// packet settings. Opinions, records requests and the packet's documents
// are saved with their own calls.
func (s *Store) SaveCase(ctx context.Context, c *Case) error {
	normalize(c)
	if c.PersonID == "" {
		return invalid("Choose who this second opinion is for.")
	}
	if c.Packet.Paper == "" {
		c.Packet.Paper = DefaultPaper()
	}
	if err := c.Packet.Paper.Validate(); err != nil {
		return err
	}
	if c.Packet.Quality == "" {
		c.Packet.Quality = QualityCompact
	}
	if err := c.Packet.Quality.Validate(); err != nil {
		return err
	}
	return s.txAdd(ctx, &c.ID, func(tx *sql.Tx) error {
		now := s.now()
		if c.ID == "" {
			c.ID, c.Created = newID(), now
			if _, err := tx.ExecContext(ctx, `INSERT INTO "case" (id, person_id, created, updated) VALUES (?, ?, ?, ?)`,
				c.ID, c.PersonID, stamp(now), stamp(now)); err != nil {
				if strings.Contains(err.Error(), "FOREIGN KEY") {
					return notFound("person")
				}
				return fmt.Errorf("add case: %w", err)
			}
		}
		c.Updated = now
		appt := ""
		if !c.Appointment.IsZero() {
			appt = stamp(c.Appointment)
		}
		if err := execOne(ctx, tx, "case", `UPDATE "case" SET title=?, diagnosis=?, first_name=?, first_specialty=?, first_hospital=?,
			treatment_plan=?, reasons=?, reason_other=?, decision=?, second_name=?, second_specialty=?, second_hospital=?,
			appointment=?, appointment_at=?, status=?, urgent=?, via_referral=?, coverage=?, paper=?, quality=?, timeline=?, updated=?,
			question=?, diagnosed_on=?, diagnosis_detail=?, treatment_so_far=?
			WHERE id=?`,
			c.Title, c.Diagnosis, c.FirstDoctor.Name, c.FirstDoctor.Specialty, c.FirstDoctor.Hospital,
			c.TreatmentPlan, strings.Join(c.Reasons, ","), c.ReasonOther, c.Decision,
			c.SecondDoctor.Name, c.SecondDoctor.Specialty, c.SecondDoctor.Hospital,
			appt, c.AppointmentAt, int(c.Status), b2i(c.Urgent), b2i(c.ViaReferral), c.Coverage,
			string(c.Packet.Paper), string(c.Packet.Quality), b2i(c.Packet.Timeline), stamp(now),
			c.Question, c.DiagnosedOn.String(), c.DiagnosisDetail, c.TreatmentSoFar, c.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_not_applicable WHERE case_id=?`, c.ID); err != nil {
			return err
		}
		for item, reason := range c.NotApplicable {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_not_applicable (case_id, item, reason) VALUES (?, ?, ?)`, c.ID, item, reason); err != nil {
				return err
			}
		}
		return nil
	})
}

const caseCols = `id, person_id, title, diagnosis, first_name, first_specialty, first_hospital, treatment_plan, reasons, reason_other,
	decision, second_name, second_specialty, second_hospital, appointment, appointment_at, status, urgent, via_referral, coverage,
	paper, quality, packet_chosen, timeline, created, updated, question, diagnosed_on, diagnosis_detail, treatment_so_far`

// Case returns one case with its opinions, records requests, not-applicable
// marks and packet settings.
func (s *Store) Case(ctx context.Context, id string) (Case, error) {
	var c Case
	var reasons, appt, paper, quality, created, updated, diagnosed string
	var status, urgent, via, chosen, timeline int
	err := s.db.QueryRowContext(ctx, `SELECT `+caseCols+` FROM "case" WHERE id=?`, id).Scan(&c.ID, &c.PersonID, &c.Title, &c.Diagnosis,
		&c.FirstDoctor.Name, &c.FirstDoctor.Specialty, &c.FirstDoctor.Hospital, &c.TreatmentPlan, &reasons, &c.ReasonOther,
		&c.Decision, &c.SecondDoctor.Name, &c.SecondDoctor.Specialty, &c.SecondDoctor.Hospital, &appt, &c.AppointmentAt,
		&status, &urgent, &via, &c.Coverage, &paper, &quality, &chosen, &timeline, &created, &updated,
		&c.Question, &diagnosed, &c.DiagnosisDetail, &c.TreatmentSoFar)
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("case")
	}
	if err != nil {
		return c, err
	}
	c.Reasons = SplitTags(reasons)
	c.DiagnosedOn = parseStoredDate(diagnosed)
	if appt != "" {
		c.Appointment = unstamp(appt)
	}
	c.Status, c.Urgent, c.ViaReferral = ReferralStatus(status), urgent == 1, via == 1
	c.Packet = PacketSettings{Paper: Paper(paper), Quality: Quality(quality), Timeline: timeline == 1}
	c.Created, c.Updated = unstamp(created), unstamp(updated)
	if c.NotApplicable, err = s.notApplicable(ctx, id); err != nil {
		return c, err
	}
	keys, err := s.ids(ctx, `SELECT row_key FROM case_agree WHERE case_id=?`, id)
	if err != nil {
		return c, err
	}
	c.Agree = map[string]bool{}
	for _, k := range keys {
		c.Agree[k] = true
	}
	if chosen == 1 {
		if c.Packet.Documents, err = s.packetDocuments(ctx, id); err != nil {
			return c, err
		}
		var at string
		if err := s.db.QueryRowContext(ctx, `SELECT packet_chosen_at FROM "case" WHERE id=?`, id).Scan(&at); err != nil {
			return c, err
		}
		c.Packet.ChosenAt = unstamp(at)
	}
	if c.Opinions, err = s.Opinions(ctx, id); err != nil {
		return c, err
	}
	c.Requests, err = s.RecordsRequests(ctx, id)
	return c, err
}

func (s *Store) notApplicable(ctx context.Context, caseID string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT item, reason FROM case_not_applicable WHERE case_id=?`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var item, reason string
		if err := rows.Scan(&item, &reason); err != nil {
			return nil, err
		}
		out[item] = reason
	}
	return out, rows.Err()
}

func (s *Store) packetDocuments(ctx context.Context, caseID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.document_id FROM packet_document p JOIN document d ON d.id = p.document_id
		WHERE p.case_id=? AND d.trashed = '' ORDER BY p.position`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Cases lists a person's cases, most recent first.
func (s *Store) Cases(ctx context.Context, personID string) ([]Case, error) {
	return s.casesWhere(ctx, `SELECT id FROM "case" WHERE person_id=? AND trashed = '' ORDER BY created DESC`, personID)
}

// casesWhere reads the cases whose IDs a query lists, in its order.
func (s *Store) casesWhere(ctx context.Context, q string, args ...any) ([]Case, error) {
	ids, err := s.ids(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out := make([]Case, 0, len(ids))
	for _, id := range ids {
		c, err := s.Case(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// SetRowsAgree records that the opinions agree on a compared row (the
// diagnosis, the recommended treatment) although their words differ, or
// takes that back. The comparison screen and PDF follow it.
func (s *Store) SetRowsAgree(ctx context.Context, caseID, key string, agree bool) error {
	if key != CompareDiagnosis && key != CompareTreatment {
		return invalid("Only the diagnosis and the recommended treatment can be marked as agreeing.")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := touchCase(ctx, tx, caseID, s.now()); err != nil {
			return err
		}
		var err error
		if agree {
			_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO case_agree (case_id, row_key) VALUES (?, ?)`, caseID, key)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM case_agree WHERE case_id=? AND row_key=?`, caseID, key)
		}
		return err
	})
}

// TrashCase moves a case (with its questions, opinions and packet
// settings) to the Trash; RestoreCase brings it back until the Trash is
// emptied. The person's documents and medications are not touched.
func (s *Store) TrashCase(ctx context.Context, id string) error {
	return s.setTrashedRow(ctx, "case", "case", id, stamp(s.now()))
}

// RestoreCase brings a case back from the Trash.
func (s *Store) RestoreCase(ctx context.Context, id string) error {
	return s.setTrashedRow(ctx, "case", "case", id, "")
}

// TrashedCases lists a person's cases in the Trash (everyone's when
// personID is "").
func (s *Store) TrashedCases(ctx context.Context, personID string) ([]Case, error) {
	return s.casesWhere(ctx, `SELECT id FROM "case" WHERE trashed != '' AND (? = '' OR person_id = ?) ORDER BY created DESC`, personID, personID)
}

// DeleteCase removes a case with its questions, opinions and packet log.
// The person's documents and medications stay.
func (s *Store) DeleteCase(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM "case" WHERE id=?`, id)
		return err
	})
}

// SetPacketDocuments chooses which documents go into a case's packet and in
// what order. Nil goes back to the default: every document, by date.
func (s *Store) SetPacketDocuments(ctx context.Context, caseID string, documentIDs []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM packet_document WHERE case_id=?`, caseID); err != nil {
			return err
		}
		seen := map[string]bool{}
		pos := 0
		for _, id := range documentIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			pos++
			if _, err := tx.ExecContext(ctx, `INSERT INTO packet_document (case_id, position, document_id) VALUES (?, ?, ?)`, caseID, pos, id); err != nil {
				return missingParent(err, "document")
			}
		}
		return execOne(ctx, tx, "case", `UPDATE "case" SET packet_chosen=?, packet_chosen_at=?, updated=? WHERE id=?`, b2i(documentIDs != nil), stamp(s.now()), stamp(s.now()), caseID)
	})
}

// PacketDocuments returns the documents a case's packet holds, in packet
// order: the chosen ones, or by default every document of the person by date
// of service. Trashed documents never go in.
func (s *Store) PacketDocuments(ctx context.Context, c Case) ([]Document, error) {
	all, err := s.Documents(ctx, DocumentFilter{PersonID: c.PersonID})
	if err != nil {
		return nil, err
	}
	if c.Packet.Documents == nil {
		return DateOrder(all), nil
	}
	byID := make(map[string]Document, len(all))
	for _, d := range all {
		byID[d.ID] = d
	}
	out := make([]Document, 0, len(c.Packet.Documents))
	chosen := map[string]bool{}
	for _, id := range c.Packet.Documents {
		if d, ok := byID[id]; ok {
			out = append(out, d)
			chosen[id] = true
		}
	}
	// A document added after the packet was last chosen joins it, before
	// the first chosen document of a later date (undated ones last): the
	// user need not remember to tick it.
	for _, d := range all {
		if chosen[d.ID] || c.Packet.ChosenAt.IsZero() || !d.Created.After(c.Packet.ChosenAt) {
			continue
		}
		at := len(out)
		if !d.Date.IsZero() {
			for i, o := range out {
				if d.Date.Before(o.Date) {
					at = i
					break
				}
			}
		}
		out = append(out[:at], append([]Document{d}, out[at:]...)...)
	}
	return out, nil
}

// DateOrder puts documents listed by date of service (as Documents lists
// them, undated first) in a packet's date order: the undated ones go after
// the dated, each keeping its order. A packet opens with what is known to
// have happened first, not with what nobody dated.
func DateOrder(docs []Document) []Document {
	out := make([]Document, 0, len(docs))
	for _, d := range docs {
		if !d.Date.IsZero() {
			out = append(out, d)
		}
	}
	for _, d := range docs {
		if d.Date.IsZero() {
			out = append(out, d)
		}
	}
	return out
}

// SaveOpinion adds (when o.ID is empty, numbered after the last) or updates
// an opinion.
func (s *Store) SaveOpinion(ctx context.Context, o *Opinion) error {
	normalize(o)
	return s.txAdd(ctx, &o.ID, func(tx *sql.Tx) error {
		if o.ID == "" {
			o.ID = newID()
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) + 1 FROM opinion WHERE case_id=?`, o.CaseID).Scan(&o.Position); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO opinion (id, case_id, position) VALUES (?, ?, ?)`, o.ID, o.CaseID, o.Position); err != nil {
				return missingParent(err, "case")
			}
		}
		return execOne(ctx, tx, "opinion", `UPDATE opinion SET clinician=?, specialty=?, hospital=?, date=?, diagnosis=?, treatment=?, notes=? WHERE id=?`,
			o.Clinician.Name, o.Clinician.Specialty, o.Clinician.Hospital, o.Date.String(), o.Diagnosis, o.Treatment, o.Notes, o.ID)
	})
}

// DeleteOpinion removes an opinion and renumbers the rest. The Undo puts
// it back in its place.
func (s *Store) DeleteOpinion(ctx context.Context, id string) (*Undo, error) {
	u := &Undo{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var caseID, who string
		if err := tx.QueryRowContext(ctx, `SELECT case_id, clinician FROM opinion WHERE id=?`, id).Scan(&caseID, &who); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("opinion")
			}
			return err
		}
		u.What = "Opinion removed"
		if who != "" {
			u.What = "Opinion of " + who + " removed"
		}
		if err := u.saveOrder(ctx, tx, "opinion", "case_id", caseID); err != nil {
			return err
		}
		if err := u.save(ctx, tx, "opinion", "id=?", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM opinion WHERE id=?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE opinion SET position = (SELECT count(*) FROM opinion o2 WHERE o2.case_id = opinion.case_id AND o2.position <= opinion.position) WHERE case_id=?`, caseID)
		return err
	})
	return u, err
}

// Opinions lists a case's opinions, first opinion first.
func (s *Store) Opinions(ctx context.Context, caseID string) ([]Opinion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, case_id, position, clinician, specialty, hospital, date, diagnosis, treatment, notes
		FROM opinion WHERE case_id=? ORDER BY position`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Opinion
	for rows.Next() {
		var o Opinion
		var date string
		if err := rows.Scan(&o.ID, &o.CaseID, &o.Position, &o.Clinician.Name, &o.Clinician.Specialty, &o.Clinician.Hospital,
			&date, &o.Diagnosis, &o.Treatment, &o.Notes); err != nil {
			return nil, err
		}
		o.Date = parseStoredDate(date)
		out = append(out, o)
	}
	return out, rows.Err()
}

// SaveRecordsRequest adds or updates a request for copies of records.
func (s *Store) SaveRecordsRequest(ctx context.Context, r *RecordsRequest) error {
	normalize(r)
	if strings.TrimSpace(r.From) == "" {
		return invalidField("From", "Please say whom the records were asked of (a hospital, clinic or doctor).")
	}
	if r.ReceivedOn.Before(r.RequestedOn) {
		return invalidField("ReceivedOn", "The date received is before the date requested. Please check both dates.")
	}
	return s.txAdd(ctx, &r.ID, func(tx *sql.Tx) error {
		if r.ID == "" {
			r.ID = newID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO records_request (id, case_id, created) VALUES (?, ?, ?)`, r.ID, r.CaseID, stamp(s.now())); err != nil {
				return missingParent(err, "case")
			}
		}
		return execOne(ctx, tx, "records request", `UPDATE records_request SET from_whom=?, what=?, requested_on=?, received_on=? WHERE id=?`,
			r.From, r.What, r.RequestedOn.String(), r.ReceivedOn.String(), r.ID)
	})
}

// DeleteRecordsRequest removes a records request. The Undo puts it back.
func (s *Store) DeleteRecordsRequest(ctx context.Context, id string) (*Undo, error) {
	return s.deleteRow(ctx, "records_request", "from_whom", id, "records request", func(from string) string {
		if from == "" {
			return "Records request removed"
		}
		return "Request to " + from + " removed"
	})
}

// RecordsRequests lists a case's records requests, oldest first.
func (s *Store) RecordsRequests(ctx context.Context, caseID string) ([]RecordsRequest, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, case_id, from_whom, what, requested_on, received_on FROM records_request
		WHERE case_id=? ORDER BY requested_on, created`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RecordsRequest
	for rows.Next() {
		var r RecordsRequest
		var req, rec string
		if err := rows.Scan(&r.ID, &r.CaseID, &r.From, &r.What, &req, &rec); err != nil {
			return nil, err
		}
		r.RequestedOn, r.ReceivedOn = parseStoredDate(req), parseStoredDate(rec)
		out = append(out, r)
	}
	return out, rows.Err()
}

// LogExport adds a line to a case's packet log.
func (s *Store) LogExport(ctx context.Context, e *PacketExport) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		e.ID = newID()
		if e.At.IsZero() {
			e.At = s.now()
		}
		if e.Kind == "" {
			e.Kind = "packet"
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO packet_export (id, case_id, at, sent_to, file_name, pages, bytes, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.CaseID, stamp(e.At), e.To, e.FileName, e.Pages, e.Bytes, e.Kind)
		return err
	})
}

// Exports lists a case's packet log, newest first.
func (s *Store) Exports(ctx context.Context, caseID string) ([]PacketExport, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, case_id, at, sent_to, file_name, pages, bytes, kind FROM packet_export WHERE case_id=? ORDER BY at DESC`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PacketExport
	for rows.Next() {
		var e PacketExport
		var at string
		if err := rows.Scan(&e.ID, &e.CaseID, &at, &e.To, &e.FileName, &e.Pages, &e.Bytes, &e.Kind); err != nil {
			return nil, err
		}
		e.At = unstamp(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// DefaultPaper is Letter where the system's locale is the US or Canada
// (and the few others using Letter), A4 everywhere else.
func DefaultPaper() Paper {
	for _, v := range []string{"LC_PAPER", "LC_ALL", "LANG"} {
		loc := strings.ToUpper(getenv(v))
		if loc == "" {
			continue
		}
		for _, c := range []string{"_US", "_CA", "_MX", "_PH", "_CL", "_CO", "_VE"} {
			if strings.Contains(loc, c) {
				return PaperLetter
			}
		}
		return PaperA4
	}
	return PaperA4
}

// AppointmentText is the appointment as people say it: "Tuesday 3 March
// 2026 at 14:30", or "" when not booked.
func (c Case) AppointmentText() string {
	if c.Appointment.IsZero() {
		return ""
	}
	t := c.Appointment.In(time.Local)
	s := t.Format("Monday 2 January 2006")
	if t.Hour() != 0 || t.Minute() != 0 {
		s += " at " + t.Format("15:04")
	}
	return s
}
