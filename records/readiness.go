package records

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ReadyState is whether a readiness item is in the library.
type ReadyState int

// Readiness states. The zero value is ReadyMissing, so an item nobody has
// looked at counts as missing, never as present.
const (
	ReadyMissing       ReadyState = iota // expected, and the library has nothing for it
	ReadyPresent                         // the library has it: see the item's Documents
	ReadyNotApplicable                   // the user said it does not apply, with a reason
)

// String is the state as the user reads it.
func (r ReadyState) String() string {
	switch r {
	case ReadyPresent:
		return "Present"
	case ReadyNotApplicable:
		return "Not applicable"
	default:
		return "Missing"
	}
}

// ReadyItem is one thing the second doctor will expect to see.
type ReadyItem struct {
	Key   string // stable: one of ReadyKeys; Case.NotApplicable is keyed by it
	Label string // "Pathology / histopathology report"
	State ReadyState
	// Documents are the documents that satisfy the item, by date of service.
	Documents []Document
	// Note is one or two sentences for the user: what to do about a missing
	// item, a warning about a present one ("Last changed 45 days ago..."),
	// or the reason the user gave for "not applicable" (as they wrote it,
	// possibly empty).
	Note string
}

// Readiness item keys. They are stored (case_not_applicable.item): never
// rename one.
const (
	ReadyPathology     = "pathology"
	ReadyOperative     = "operative"
	ReadyDischarge     = "discharge"
	ReadyImaging       = "imaging"
	ReadyImagingReport = "imaging-report"
	ReadyResults       = "results"
	ReadyPlan          = "plan"
	ReadyMedications   = "medications"
	ReadyReferral      = "referral"
)

// ReadyKeys lists every readiness item key, in the order the check shows
// them. The referral letter is checked only when the case goes through a
// referral.
var ReadyKeys = []string{ReadyPathology, ReadyOperative, ReadyDischarge, ReadyImaging,
	ReadyImagingReport, ReadyResults, ReadyPlan, ReadyMedications, ReadyReferral}

// readyLabels are the item names people read.
var readyLabels = map[string]string{
	ReadyPathology:     "Pathology / histopathology report",
	ReadyOperative:     "Operative report",
	ReadyDischarge:     "Discharge summary",
	ReadyImaging:       "Imaging: the pictures or the disc",
	ReadyImagingReport: "Imaging: the radiologist's report",
	ReadyResults:       "Test results",
	ReadyPlan:          "Current diagnosis and treatment plan",
	ReadyMedications:   "Medication list with doses and dates",
	ReadyReferral:      "Referral letter",
}

// ReadyLabel is the name people read for a readiness item key, or the key
// itself when it is not one of ReadyKeys.
func ReadyLabel(key string) string {
	if l, ok := readyLabels[key]; ok {
		return l
	}
	return key
}

// missingNotes say what to do when an item is missing.
var missingNotes = map[string]string{
	ReadyPathology:     "Ask the hospital that did the biopsy or operation for a copy of the pathology report. If you had neither, mark this not applicable.",
	ReadyOperative:     "Only needed if you had an operation: ask the hospital for the operation note. If you had no operation, mark this not applicable.",
	ReadyDischarge:     "Only needed if you stayed in hospital: ask for the discharge summary of each stay. If you did not stay, mark this not applicable.",
	ReadyImaging:       "Ask the imaging department for your scans on a disc or by download; the second doctor will want to look at the pictures, not only the report.",
	ReadyImagingReport: "Ask for the radiologist's written report of each scan.",
	ReadyResults:       "Ask your current team for copies of your recent test results (blood tests and others).",
	ReadyPlan:          "Add the clinic letter or treatment plan from your current doctor, or write the diagnosis and the treatment plan in this case's details.",
	ReadyMedications:   "Add the medicines you take, with doses and start dates, or add a medication list from your doctor. If you take none, mark this not applicable.",
	ReadyReferral:      "Ask your GP or consultant for the referral letter, or add it if you have it. If you are not being referred, mark this not applicable.",
}

// medicationReviewAge is how old the medication list may get before the
// check asks the user to review it.
const medicationReviewAge = 30 * 24 * time.Hour

// CheckReadiness works out what the second doctor will expect for case c and
// whether docs (the person's documents) and meds (their medications) supply
// it. It reads the user's "not applicable" marks from c.NotApplicable; a
// document of the kind wins over such a mark, since what is in the library
// is there to send. now dates the medication freshness check.
//
// To describe a packet rather than the library, pass only the documents
// the packet holds. A document's Studies (as Documents fills it) count as
// imaging whatever its kind.
func CheckReadiness(c Case, docs []Document, meds []Medication, now time.Time) []ReadyItem {
	byKind := map[Kind][]Document{}
	// The imaging is there when a document holds imaging studies (a
	// disc's, whatever kind the user gave its document since) or is of
	// kind imaging (photos of scans, a viewer's export).
	var imaging []Document
	for _, d := range docs {
		if d.Trashed {
			continue
		}
		byKind[d.Kind] = append(byKind[d.Kind], d)
		if d.Kind == KindImaging || d.Studies > 0 {
			imaging = append(imaging, d)
		}
	}
	items := make([]ReadyItem, 0, len(ReadyKeys))
	for _, key := range ReadyKeys {
		if key == ReadyReferral && !c.ViaReferral {
			continue // nothing to send when nobody is referring
		}
		it := ReadyItem{Key: key, Label: ReadyLabel(key)}
		switch key {
		case ReadyPathology:
			it.Documents = byKind[KindPathology]
		case ReadyOperative:
			it.Documents = byKind[KindOperative]
		case ReadyDischarge:
			it.Documents = byKind[KindDischarge]
		case ReadyImaging:
			it.Documents = imaging
			if len(it.Documents) == 0 && len(byKind[KindImagingReport]) > 0 {
				it.Note = "You have the radiologist's report; ask the imaging department for the pictures themselves on a disc too."
			}
		case ReadyImagingReport:
			it.Documents = byKind[KindImagingReport]
			if len(it.Documents) == 0 && len(imaging) > 0 {
				it.Note = "You have the pictures; ask for the radiologist's written report of each scan as well."
			}
		case ReadyResults:
			it.Documents = byKind[KindResults]
		case ReadyPlan:
			it.Documents = append(append([]Document(nil), byKind[KindTreatmentPlan]...), byKind[KindClinicLetter]...)
			sortByDate(it.Documents)
			diag, plan := strings.TrimSpace(c.Diagnosis) != "", strings.TrimSpace(c.TreatmentPlan) != ""
			switch {
			case len(it.Documents) == 0 && diag && plan:
				it.State = ReadyPresent
				it.Note = "Written in this case's details, not as a letter from the doctor."
			case len(it.Documents) == 0 && diag:
				it.Note = "The diagnosis is written down but not the treatment plan. Add the plan to this case's details, or add the clinic letter."
			case len(it.Documents) == 0 && plan:
				it.Note = "The treatment plan is written down but not the diagnosis. Add the diagnosis to this case's details, or add the clinic letter."
			}
		case ReadyMedications:
			it.Documents = byKind[KindMedicationList]
			if len(meds) > 0 {
				it.State = ReadyPresent
				it.Note = medicationNote(meds, now)
			}
		case ReadyReferral:
			it.Documents = byKind[KindReferral]
		}
		if len(it.Documents) > 0 {
			it.State = ReadyPresent
		}
		for _, d := range it.Documents {
			// Only the readable pages of a damaged file were added: say so,
			// so the patient asks for a complete copy.
			if d.Missing != "" {
				note := fmt.Sprintf("'%s' is incomplete: %s Ask for a complete copy.", d.Title, d.Missing)
				it.Note = strings.TrimSpace(it.Note + " " + note)
			}
		}
		if it.State != ReadyPresent {
			if reason, ok := c.NotApplicable[key]; ok {
				it.State, it.Note = ReadyNotApplicable, strings.TrimSpace(reason)
			} else if it.Note == "" {
				it.Note = missingNotes[key]
			}
		}
		items = append(items, it)
	}
	return items
}

// medicationNote warns about a medication list that was not changed for a
// while, or that lacks doses, since the second doctor relies on it.
func medicationNote(meds []Medication, now time.Time) string {
	var latest time.Time
	noDose := 0
	for _, m := range meds {
		if m.Updated.After(latest) {
			latest = m.Updated
		}
		if m.Current() && strings.TrimSpace(m.Dose) == "" && strings.TrimSpace(m.Strength) == "" {
			noDose++
		}
	}
	var notes []string
	if !latest.IsZero() && now.Sub(latest) > medicationReviewAge {
		days := int(now.Sub(latest).Hours() / 24)
		notes = append(notes, fmt.Sprintf("Last changed %d days ago: review it before the appointment.", days))
	}
	switch {
	case noDose == 1:
		notes = append(notes, "One medicine you take has no dose: add it.")
	case noDose > 1:
		notes = append(notes, fmt.Sprintf("%d medicines you take have no dose: add them.", noDose))
	}
	return strings.Join(notes, " ")
}

func sortByDate(docs []Document) {
	// Insertion sort keeps equal dates in their given order; lists are short.
	for i := 1; i < len(docs); i++ {
		for j := i; j > 0 && docs[j].Date.String() < docs[j-1].Date.String(); j-- {
			docs[j], docs[j-1] = docs[j-1], docs[j]
		}
	}
}

// Readiness checks a case against everything in the person's library (not
// only the documents chosen for the packet), as of the store's Now.
func (s *Store) Readiness(ctx context.Context, caseID string) ([]ReadyItem, error) {
	c, docs, meds, err := s.caseWithRecords(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return CheckReadiness(c, docs, meds, s.now()), nil
}

// caseWithRecords reads a case with its person's documents (not trashed)
// and medications: what the readiness check and the timeline look at.
func (s *Store) caseWithRecords(ctx context.Context, caseID string) (Case, []Document, []Medication, error) {
	c, err := s.Case(ctx, caseID)
	if err != nil {
		return c, nil, nil, err
	}
	docs, err := s.Documents(ctx, DocumentFilter{PersonID: c.PersonID})
	if err != nil {
		return c, nil, nil, err
	}
	meds, err := s.Medications(ctx, c.PersonID)
	return c, docs, meds, err
}

func readyKey(key string) error {
	if _, ok := readyLabels[key]; ok {
		return nil
	}
	return invalid(fmt.Sprintf("%q is not an item of the readiness check. Use one of: %s.", key, strings.Join(ReadyKeys, ", ")))
}

// SetNotApplicable marks a readiness item of a case as not applicable, with
// the user's reason ("No operation: diagnosed by biopsy only"). Marking it
// again replaces the reason.
func (s *Store) SetNotApplicable(ctx context.Context, caseID, key, reason string) error {
	if err := readyKey(key); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := touchCase(ctx, tx, caseID, s.now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_not_applicable (case_id, item, reason) VALUES (?, ?, ?)
			ON CONFLICT (case_id, item) DO UPDATE SET reason = excluded.reason`, caseID, key, strings.TrimSpace(reason))
		return err
	})
}

// ClearNotApplicable takes back a "not applicable" mark, so the item is
// expected again. Clearing an item that was not marked does nothing.
func (s *Store) ClearNotApplicable(ctx context.Context, caseID, key string) error {
	if err := readyKey(key); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := touchCase(ctx, tx, caseID, s.now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM case_not_applicable WHERE case_id=? AND item=?`, caseID, key)
		return err
	})
}

// touchCase marks a case as changed now, or says it does not exist.
func touchCase(ctx context.Context, tx *sql.Tx, caseID string, now time.Time) error {
	return execOne(ctx, tx, "case", `UPDATE "case" SET updated=? WHERE id=?`, stamp(now), caseID)
}
