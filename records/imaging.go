package records

// Imaging discs (issue #13): the studies and series a CD, DVD, USB stick or
// .zip of one holds, kept as rows beside the DICOM files themselves. The
// reading of a disc lives in records/dicom; this file is the store's face.
//
// CONTRACT FOR THE #13 ENGINEERS (remove this paragraph when built): the
// types and method signatures below are what ui and export code against.
// The records engineer (branch dicom-records) fills them in and may add
// fields; changing a signature means telling the ui/export engineer
// (branch dicom-packet).

import (
	"context"
	"errors"
	"fmt"
	"image"
)

// Study is one imaging examination: a CT of the chest on one day.
type Study struct {
	ID         string
	PersonID   string
	DocumentID string // the document of kind imaging that holds its files
	UID        string // Study Instance UID
	Date       Date
	Modality   string // "CT"; several joined by "/" ("PT/CT")
	// Description is the study's own (0008,1030), or the series' when empty.
	Description        string
	BodyPart           string
	Accession          string
	ReferringPhysician string // readable: "Dr Jane Smith" from SMITH^JANE^^DR
	Institution        string
	PatientName        string // as on the disc, readable ("DOE, JANE")
	PatientBirth       Date
	Series             []Series // by series number
}

// Images counts the images (instances) of all its series.
func (s Study) Images() int {
	n := 0
	for _, se := range s.Series {
		n += se.Images
	}
	return n
}

// Series is one run of images within a study.
type Series struct {
	ID          string
	StudyID     string
	UID         string // Series Instance UID
	Number      int
	Modality    string
	Description string
	BodyPart    string
	Images      int // instances stored
	Frames      int // frames over all instances (>= Images for multi-frame)
	// NoPreview is empty when a key image can be drawn, else the sentence
	// said instead: "preview not available (compressed as JPEG 2000)".
	NoPreview string
}

// KeyImageInfo labels a key image: which slice of how many, and the window
// it was drawn with ("W 400 L 40", or "" for colour images).
type KeyImageInfo struct {
	Slice, Of int // 1-based position of the slice drawn in its series
	Frame     int // 1-based frame within a multi-frame image, 0 when single
	Window    string
}

// Instance is one stored DICOM file of a series, what an enclosure's
// DICOMDIR needs to point at it.
type Instance struct {
	FileID         string
	SeriesID       string
	Number         int // Instance Number
	SOPClassUID    string
	SOPInstanceUID string
	TransferSyntax string
	Frames         int
}

// ImportDiscOptions steer ImportDisc.
type ImportDiscOptions struct {
	// DifferentPatientOK adds a disc whose patient is not the person.
	DifferentPatientOK bool
	// Patient chooses one patient of a disc holding several (the Key of a
	// DiscPatient from SeveralPatientsError).
	Patient string
	// Progress is called with bytes done and total as files are stored.
	Progress func(done, total int64)
}

// DiscReport says what ImportDisc added.
type DiscReport struct {
	Studies, Series, Images int
	Reports                 int // encapsulated PDF and structured reports added as documents
	AlreadyHad              int // files the library already held
	LeftOut                 []LeftOut
	DocumentIDs             []string
}

// DiscPatient is one patient found on a disc.
type DiscPatient struct {
	Key    string // what ImportDiscOptions.Patient takes
	Name   string // readable
	Birth  Date
	ID     string // Patient ID on the disc
	Images int
}

// Errors of ImportDisc; match with errors.Is, details with errors.As.
var (
	ErrDifferentPatient = errors.New("records: disc is for a different patient")
	ErrSeveralPatients  = errors.New("records: disc holds several patients")
	ErrNoDICOM          = errors.New("records: no DICOM images found")
)

// DifferentPatientError says whose disc it is, before anything is stored.
type DifferentPatientError struct {
	Disc   DiscPatient
	Person string // the person's full name
}

func (e *DifferentPatientError) Error() string {
	born := ""
	if !e.Disc.Birth.IsZero() {
		born = ", born " + e.Disc.Birth.Human()
	}
	return fmt.Sprintf("This disc is for %s%s; you are adding it for %s. Add it anyway?", e.Disc.Name, born, e.Person)
}
func (e *DifferentPatientError) Is(t error) bool { return t == ErrDifferentPatient }

// SeveralPatientsError lists the patients of a disc so the user can choose.
type SeveralPatientsError struct{ Patients []DiscPatient }

func (e *SeveralPatientsError) Error() string {
	return fmt.Sprintf("This disc holds images of %d patients. Choose whose to add.", len(e.Patients))
}
func (e *SeveralPatientsError) Is(t error) bool { return t == ErrSeveralPatients }

var errImagingNotBuilt = errors.New("records: imaging discs are being built")

// ImportDisc reads a disc (a folder, a mounted disc or a .zip) and adds its
// DICOM files for the person: all of it or nothing.
func (s *Store) ImportDisc(ctx context.Context, personID, path string, opt ImportDiscOptions) (DiscReport, error) {
	return DiscReport{}, errImagingNotBuilt
}

// Studies lists the person's imaging studies, newest first, with their
// series (trashed documents' studies are left out).
func (s *Store) Studies(ctx context.Context, personID string) ([]Study, error) {
	return nil, errImagingNotBuilt
}

// KeyImage draws the series' representative image (the middle slice, the
// middle frame), windowed as a viewer would, at most maxSide pixels on its
// longer side (0: as stored).
func (s *Store) KeyImage(ctx context.Context, seriesID string, maxSide int) (image.Image, KeyImageInfo, error) {
	return nil, KeyImageInfo{}, errImagingNotBuilt
}

// Instances lists a study's stored files in series and instance order.
func (s *Store) Instances(ctx context.Context, studyID string) ([]Instance, error) {
	return nil, errImagingNotBuilt
}
