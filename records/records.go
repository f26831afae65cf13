// Package records is Second Opinion's domain and its store: the people a
// packet is prepared for, their documents (with the file bytes), medications,
// allergies, second-opinion cases, questions and packet settings, all kept in
// one SQLite file on the user's own computer.
//
// Every public Store method is one transaction: a crash or kill at any moment
// leaves either the whole change or none of it. The package never imports
// Fyne; the app and the command line are two front doors onto these calls.
package records

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Problem is an error whose message is a sentence for the user: what
// happened and what to do. The underlying cause, if any, is in Err for logs.
type Problem struct {
	Msg string
	Err error
	// Field names the input the problem is about, as the Go field of the
	// record being saved ("Name", "Stop", "From"...), so a form can show the
	// sentence next to that field; "" when it is about no one field.
	Field string
}

func (p *Problem) Error() string { return p.Msg }
func (p *Problem) Unwrap() error { return p.Err }

// Sentinel errors, wrapped in a Problem with a user sentence where they reach
// a person.
var (
	ErrNotFound         = errors.New("records: not found")
	ErrForeignFile      = errors.New("records: not a Second Opinion library")
	ErrNewerVersion     = errors.New("records: library from a newer version")
	ErrUnreadableFile   = errors.New("records: file is not a PDF or image we can read")
	ErrPasswordRequired = errors.New("records: PDF needs a password to open")
	ErrEmptyFile        = errors.New("records: file is empty")
	ErrFileTooLarge     = errors.New("records: file is too large")
	ErrDiskFull         = errors.New("records: disk full")
	ErrInvalid          = errors.New("records: invalid input")
	ErrAmbiguous        = errors.New("records: several records match")
	ErrBusy             = errors.New("records: library busy")
	ErrNotRegular       = errors.New("records: not an ordinary file")
	ErrDuplicate        = errors.New("records: file already in the library")
)

// Explain turns any error into one plain sentence for the user. A Problem
// speaks for itself; anything else gets a careful general sentence.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var p *Problem
	if errors.As(err, &p) {
		return p.Msg
	}
	var dp *DifferentPatientError
	var sp *SeveralPatientsError
	switch {
	case errors.As(err, &dp):
		return dp.Error()
	case errors.As(err, &sp):
		return sp.Error()
	}
	if errors.Is(err, ErrBusy) {
		return busyMsg
	}
	if errors.Is(err, ErrDiskFull) {
		return "The disk is full, so nothing was saved. Free some space and try again."
	}
	if errors.Is(err, context.Canceled) {
		return "Stopped before the end. Nothing was changed."
	}
	return "Something unexpected went wrong, and nothing was changed. Try again; if it keeps happening, make a backup (Settings, or secondopinion backup) and report the problem."
}

func invalid(msg string) error { return &Problem{Msg: msg, Err: ErrInvalid} }

// invalidField is invalid input in one field (see Problem.Field).
func invalidField(field, msg string) error {
	return &Problem{Msg: msg, Err: ErrInvalid, Field: field}
}

// FieldOf names the field err is about (see Problem.Field), or "".
func FieldOf(err error) string {
	var p *Problem
	if errors.As(err, &p) {
		return p.Field
	}
	return ""
}

// Identifier is one labelled identifier of a person: "NHS number",
// "Hospital number", "Insurance member number".
type Identifier struct {
	Label string
	Value string
}

// Preparer says who prepares the packet: the patient themself, or a carer.
type Preparer struct {
	Self         bool   // true when the patient prepares their own packet
	Name         string // carer's name (empty when Self)
	Relationship string // "daughter", "husband", "parent"...
	Phone        string
	Email        string
}

// AllergyStatus tells "no known allergies" apart from "not recorded".
type AllergyStatus int

const (
	AllergiesNotRecorded AllergyStatus = iota // nobody has said yet
	AllergiesNoneKnown                        // the patient has no known allergies
	AllergiesRecorded                         // see the person's Allergy list
)

// Person is someone a packet is prepared for. A library holds several.
type Person struct {
	ID          string
	FullName    string
	DateOfBirth Date
	Identifiers []Identifier
	Phone       string
	Email       string
	Address     string
	PreparedBy  Preparer
	Allergies   AllergyStatus
	// Body is height, weight and how the patient manages day to day. It is
	// saved by SaveBody only (SavePerson leaves it), so the person form and
	// the clinical form never write over each other.
	Body    Body
	Created time.Time
	Updated time.Time
}

// Kind is what sort of record a document is.
type Kind string

// The document kinds a second doctor deals with.
const (
	KindPathology      Kind = "pathology"
	KindOperative      Kind = "operative"
	KindDischarge      Kind = "discharge"
	KindImagingReport  Kind = "imaging-report"
	KindImaging        Kind = "imaging"
	KindResults        Kind = "results"
	KindClinicLetter   Kind = "clinic-letter"
	KindReferral       Kind = "referral"
	KindTreatmentPlan  Kind = "treatment-plan"
	KindMedicationList Kind = "medication-list"
	KindOther          Kind = "other"
)

// Kinds lists every kind in the order menus show them.
var Kinds = []Kind{KindPathology, KindOperative, KindDischarge, KindImagingReport,
	KindImaging, KindResults, KindClinicLetter, KindReferral, KindTreatmentPlan,
	KindMedicationList, KindOther}

var kindLabels = map[Kind]string{
	KindPathology:      "Pathology / histopathology report",
	KindOperative:      "Operative report",
	KindDischarge:      "Discharge summary",
	KindImagingReport:  "Imaging report",
	KindImaging:        "Imaging (pictures or DICOM)",
	KindResults:        "Test results",
	KindClinicLetter:   "Clinic letter",
	KindReferral:       "Referral letter",
	KindTreatmentPlan:  "Treatment plan",
	KindMedicationList: "Medication list",
	KindOther:          "Other",
}

// Label is the kind's name for people.
func (k Kind) Label() string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}

// ParseKind accepts a kind's code ("pathology") or its label, any case.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if equalFold(s, string(k)) || equalFold(s, k.Label()) {
			return k, nil
		}
	}
	aliases := map[string]Kind{"histopathology": KindPathology, "operation": KindOperative,
		"surgery": KindOperative, "imaging-report": KindImagingReport, "scan": KindImaging,
		"dicom": KindImaging, "lab": KindResults, "labs": KindResults, "test": KindResults,
		"letter": KindClinicLetter, "plan": KindTreatmentPlan, "medications": KindMedicationList}
	if k, ok := aliases[lower(s)]; ok {
		return k, nil
	}
	return "", invalid(fmt.Sprintf("%q is not a kind of document we know. Use one of: pathology, operative, discharge, imaging-report, imaging, results, clinic-letter, referral, treatment-plan, medication-list, other.", s))
}

// File is one stored file: its bytes live in the library, stored once however
// many documents use them.
type File struct {
	ID          string
	Name        string // original file name, as the user had it
	MediaType   string // sniffed from the content, never from the extension
	Size        int64
	SHA256      string // hex
	Pages       int    // pages of a PDF; 1 for an image
	Width       int    // pixels, for images (as stored, before orientation)
	Height      int
	Orientation int  // EXIF orientation 1-8 for images, 0 when none
	Encrypted   bool // a PDF encrypted with an empty user password
	Created     time.Time

	// A document's own settings for this file, filled by Store.Document
	// for the document's files and zero elsewhere. The bytes are never
	// changed: the packet, thumbnails and viewer apply these.
	//
	// Only is the one page of the file the document holds (a page moved
	// here from another document), 0 for all its pages. Hidden lists the
	// pages (1-based, ascending) the document leaves out. Turns holds the
	// user's turn of a page, clockwise in degrees (90, 180 or 270), on top
	// of the PDF page's own rotation or the photo's EXIF orientation.
	Only   int
	Hidden []int
	Turns  map[int]int
}

// Shown returns the pages of the file (1-based, in order) that its
// document shows: Only, or every page less the hidden ones.
func (f File) Shown() []int {
	if f.Only > 0 {
		return []int{f.Only}
	}
	n := max(f.Pages, 1)
	out := make([]int, 0, n)
	h := 0
	for p := 1; p <= n; p++ {
		if h < len(f.Hidden) && f.Hidden[h] == p {
			h++
			continue
		}
		out = append(out, p)
	}
	return out
}

// Turn is the user's turn of page p, clockwise in degrees (0, 90, 180 or
// 270).
func (f File) Turn(p int) int { return f.Turns[p] }

// Changed reports whether the document shows the file other than as it
// is: a page left out, turned, or only one page of it.
func (f File) Changed() bool { return f.Only > 0 || len(f.Hidden) > 0 || len(f.Turns) > 0 }

// IsPDF reports whether the file is a PDF.
func (f File) IsPDF() bool { return f.MediaType == "application/pdf" }

// IsImage reports whether the file is a picture (not DICOM).
func (f File) IsImage() bool { return len(f.MediaType) > 6 && f.MediaType[:6] == "image/" }

// IsDICOM reports whether the file is a DICOM object from an imaging system.
func (f File) IsDICOM() bool { return f.MediaType == "application/dicom" }

// Document is one catalogued record: a letter, a report, a set of results.
// Several photos of a three-page letter are one document with three files,
// in page order.
type Document struct {
	ID       string
	PersonID string
	Kind     Kind
	Title    string
	Date     Date // date of service, possibly partial
	Source   string
	Notes    string
	Tags     []string
	Trashed  bool
	Created  time.Time
	Updated  time.Time
	// Missing says what the document lacks because its file was damaged
	// and only the readable pages were added ("Pages 2 to 6 of letter.pdf
	// could not be read and are not included."); "" when it is whole.
	Missing string

	// Files are the document's files in page order. Store.Document fills
	// them; lists leave them nil and fill only the counts below.
	Files     []File
	FileCount int
	Pages     int   // pages the document adds to a packet
	Bytes     int64 // total size of its files
	// Studies counts the imaging studies whose DICOM files it holds
	// (Documents fills it): such a document is described in the packet's
	// Imaging section, its files are images, not pages.
	Studies int
}

// MedStatus is whether a medication is being taken.
type MedStatus string

// Medication statuses.
const (
	MedTaking  MedStatus = "taking"
	MedStopped MedStatus = "stopped"
	MedPaused  MedStatus = "paused"
)

// Slot is a time of day a medication is taken; slots combine as a bit set.
type Slot int

// Times of day.
const (
	SlotMorning Slot = 1 << iota
	SlotMidday
	SlotEvening
	SlotBedtime
	SlotAsNeeded
)

// Slots lists each slot with its label, in the order of the day.
var Slots = []struct {
	Slot  Slot
	Label string
}{{SlotMorning, "Morning"}, {SlotMidday, "Midday"}, {SlotEvening, "Evening"},
	{SlotBedtime, "Bedtime"}, {SlotAsNeeded, "As needed"}}

// Medication is one medicine a person takes or took.
type Medication struct {
	ID         string
	PersonID   string
	Name       string
	Strength   string // "500 mg"
	Dose       string // "1 tablet"
	Form       string // form and route: "tablet, by mouth"
	Frequency  string // free text: "twice a day with food"
	Slots      Slot
	Start      Date
	Stop       Date
	Status     MedStatus
	Reason     string // what it is for
	Prescriber string
	StopReason string // why it was stopped
	// PausedOn and PauseReason say since when and why a paused medicine
	// is paused (only while Status is MedPaused).
	PausedOn    Date
	PauseReason string
	Notes       string
	Updated     time.Time
}

// Current reports whether the medication is being taken (or paused) now.
func (m Medication) Current() bool { return m.Status != MedStopped }

// Allergy is one recorded allergy or intolerance.
type Allergy struct {
	ID        string
	PersonID  string
	Substance string
	Reaction  string
	Severity  string // "mild", "moderate", "severe", or free text
}

// Doctor is a clinician with where they work.
type Doctor struct {
	Name      string
	Specialty string
	Hospital  string // hospital or clinic
}

// IsZero reports whether nothing about the doctor is known.
func (d Doctor) IsZero() bool { return d.Name == "" && d.Specialty == "" && d.Hospital == "" }

// ReferralStatus is how far the second-opinion request has come.
type ReferralStatus int

// The referral steps, in order.
const (
	RefNotStarted ReferralStatus = iota
	RefAskedDoctor
	RefReferralSent
	RefAppointmentBooked
	RefRecordsSent
	RefRecordsReceived
	RefSeen
	RefDecided
)

// ReferralSteps lists every step with its label, in order.
var ReferralSteps = []struct {
	Status ReferralStatus
	Label  string
}{
	{RefNotStarted, "Not started"},
	{RefAskedDoctor, "Asked GP or consultant"},
	{RefReferralSent, "Referral sent"},
	{RefAppointmentBooked, "Appointment booked"},
	{RefRecordsSent, "Records sent"},
	{RefRecordsReceived, "Records confirmed received"},
	{RefSeen, "Seen"},
	{RefDecided, "Decided"},
}

// Label is the step's name for people.
func (r ReferralStatus) Label() string {
	if int(r) >= 0 && int(r) < len(ReferralSteps) {
		return ReferralSteps[r].Label
	}
	return "Unknown"
}

// Reason codes for wanting a second opinion: the reasons patients give.
var Reasons = []struct {
	Code  string
	Label string
}{
	{"doubt-diagnosis", "I am not sure the diagnosis is right"},
	{"not-understood", "I did not fully understand what I was told"},
	{"unhappy-treatment", "I am unhappy with the recommended treatment"},
	{"major-treatment", "The treatment is major or has lasting effects"},
	{"rare-condition", "The condition is rare"},
	{"all-options", "I want to know every option"},
	{"clinical-trials", "I want to know about clinical trials"},
	{"not-improving", "I am not getting better"},
	{"peace-of-mind", "Peace of mind before deciding"},
}

// ReasonLabel returns the label of a reason code, or the code itself.
func ReasonLabel(code string) string {
	for _, r := range Reasons {
		if r.Code == code {
			return r.Label
		}
	}
	return code
}

// RecordsRequest is one request for copies of records.
type RecordsRequest struct {
	ID          string
	CaseID      string
	From        string // whom the records were asked of
	What        string // what was asked for
	RequestedOn Date
	ReceivedOn  Date
}

// Opinion is one doctor's view: the first, the second, a third...
type Opinion struct {
	ID        string
	CaseID    string
	Position  int // 1 for the first opinion, 2 for the second...
	Clinician Doctor
	Date      Date
	Diagnosis string
	Treatment string // the recommended treatment
	Notes     string
}

// Paper is a packet's paper size.
type Paper string

// Paper sizes.
const (
	PaperA4     Paper = "a4"
	PaperLetter Paper = "letter"
)

// Validate says, in a sentence wrapping ErrInvalid, when p is not a paper
// size we print on.
func (p Paper) Validate() error {
	if p != PaperA4 && p != PaperLetter {
		return invalid(fmt.Sprintf("%q is not a paper size we print on; choose A4 or Letter.", p))
	}
	return nil
}

// Quality is how photos are placed in a packet.
type Quality string

// Photo qualities.
const (
	QualityCompact  Quality = "compact"  // about 200 dpi, good JPEG: small enough to e-mail
	QualityOriginal Quality = "original" // the photo's own pixels
)

// Validate says, in a sentence wrapping ErrInvalid, when q is not a photo
// quality.
func (q Quality) Validate() error {
	if q != QualityCompact && q != QualityOriginal {
		return invalid(fmt.Sprintf("%q is not a photo quality; choose compact or original.", q))
	}
	return nil
}

// PacketSettings say what goes into a case's packet and how.
type PacketSettings struct {
	Paper   Paper
	Quality Quality
	// Documents are the included documents' IDs in packet order. Nil means
	// "not chosen yet": every document of the person, by date of service.
	Documents []string
	Timeline  bool // add the one-page timeline section
	// ChosenAt is when Documents was last chosen; a document added later
	// joins the packet in date order.
	ChosenAt time.Time
}

// PacketExport is one line of a case's packet log.
type PacketExport struct {
	ID       string
	CaseID   string
	At       time.Time
	To       string // whom it was for
	FileName string
	Pages    int
	Bytes    int64
	Kind     string // "packet", "questions", "medications", "comparison"
}

// Case is one second-opinion request. A person may have several over the
// years.
type Case struct {
	ID            string
	PersonID      string
	Title         string // short name: "Breast lump, 2026"
	Diagnosis     string // as told by the first doctor
	FirstDoctor   Doctor
	TreatmentPlan string
	// Question is what the patient wants the second doctor to help them
	// decide, in their own words: the first thing on the front sheet.
	Question        string
	DiagnosedOn     Date     // when the diagnosis was given
	DiagnosisDetail string   // stage, grade, markers: free text
	TreatmentSoFar  string   // what has been done already
	Reasons         []string // reason codes, see Reasons
	ReasonOther     string
	Decision        string // the decision the patient faces
	SecondDoctor    Doctor
	Appointment     time.Time // zero when not booked; UTC
	AppointmentAt   string    // place
	Status          ReferralStatus
	Urgent          bool
	ViaReferral     bool // the second opinion goes through a referral
	Coverage        string
	NotApplicable   map[string]string // readiness item -> the user's reason
	// Agree holds the comparison rows (CompareDiagnosis, CompareTreatment)
	// the patient marked "these agree" although the words differ.
	Agree    map[string]bool
	Packet   PacketSettings
	Requests []RecordsRequest
	Opinions []Opinion
	Created  time.Time
	Updated  time.Time
}

// Question is one question for the second doctor.
type Question struct {
	ID        string
	CaseID    string
	Text      string
	Category  string
	Position  int // 1 is the most important
	Asked     bool
	Answer    string
	Documents []string // linked document IDs
}

// Detail is the technical chain behind an error, for logs and
// SECONDOPINION_DEBUG: the causes under each user sentence, not the
// sentence again.
func Detail(err error) string {
	var parts []string
	for err != nil {
		var p *Problem
		if errors.As(err, &p) && p.Err != nil {
			err = p.Err
			continue
		}
		if errors.As(err, &p) {
			break
		}
		parts = append(parts, err.Error())
		break
	}
	if len(parts) == 0 {
		return "(no further detail)"
	}
	return strings.Join(parts, ": ")
}
