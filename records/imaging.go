package records

// Imaging discs (issue #13): the studies and series a CD, DVD, USB stick or
// .zip of one holds, kept as rows beside the DICOM files themselves. The
// reading of a disc lives in records/dicom (run in a sandbox child); this
// file is the store's face.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"
	pathpkg "path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"secondopinion/records/dicom"
	"secondopinion/records/media"
	"secondopinion/records/sandbox"
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
	// As on the disc, for an enclosure's DICOMDIR: the name in DICOM form
	// ("DOE^JANE"), the Patient ID, the study's time (HHMMSS) and its
	// Study ID.
	PatientPN, PatientID, Time, StudyNumber string
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
	// Reading is called with files done and total while the disc's files
	// are read, before anything is stored: (0, total) once they are
	// counted, then as each is read, then (total, total). Total counts
	// the files the DICOMDIR names, or without one every file of the
	// folder or zip but viewer software. It may be called from another
	// goroutine than ImportDisc's, one call at a time, and never after
	// ImportDisc returns; it comes again from 0 if the disc must be read
	// again without a file that crashed the reader.
	Reading func(done, total int)
	// Progress is called with bytes done and total as files are stored,
	// after the disc was read, on ImportDisc's goroutine.
	Progress func(done, total int64)
}

// DiscReading says how far reading a disc is, for ImportDiscOptions.Reading
// to show: "Reading the disc: 120 of 3,000 files".
func DiscReading(done, total int) string {
	files := "files"
	if total == 1 {
		files = "file"
	}
	return fmt.Sprintf("Reading the disc: %s of %s %s", groupDigits(done), groupDigits(total), files)
}

// groupDigits writes n with a comma between thousands: 3,000.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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

// maxReportBytes bounds a DICOM file read whole to take its report out.
const maxReportBytes = 256 << 20

// discFile is one DICOM file of the chosen patient, staged.
type discFile struct {
	h dicom.Header
	p *pending
}

// discStudy is one study being added, with its files in series and slice
// order and the key images drawn.
type discStudy struct {
	st      *dicom.Study
	files   []*discFile // series by number, slices in order
	series  []*discSeries
	reports []*pending // encapsulated PDFs and SR pages, as documents
	// reported are the files whose report is a document of its own (new,
	// or already in the library): dropReports takes them out of series.
	reported []*discFile
	skip     bool // already in the library
}

type discSeries struct {
	se                   *dicom.Series
	id                   string
	files                []*discFile
	keySlice, keyFrame   int
	keyWindow, noPreview string
	keyPNG               []byte
	keyW, keyH           int
	keyFile              *discFile
}

// ImportDisc reads a disc (a folder, a mounted disc or a .zip) and adds its
// DICOM files for the person: all of it or nothing.
//
// The disc is read in a sandbox child; whose it is is checked before
// anything is stored; then every file is staged byte for byte (a few
// chunks per short transaction, so memory stays bounded and other writers
// wait little), the key images drawn, and everything linked in one short
// transaction at the end. An error or a cancel part way drops what was
// staged.
func (s *Store) ImportDisc(ctx context.Context, personID, path string, opt ImportDiscOptions) (DiscReport, error) {
	var rep DiscReport
	person, err := s.Person(ctx, personID)
	if err != nil {
		return rep, err
	}
	disc, err := sandbox.ReadDisc(ctx, path, opt.Reading)
	if err != nil {
		return rep, discProblem(ctx, err)
	}
	patients := disc.Patients()
	pt, err := choosePatient(patients, opt.Patient)
	if err != nil {
		return rep, err
	}
	dp := discPatient(pt)
	if !opt.DifferentPatientOK && !samePatient(person, pt) {
		return rep, &DifferentPatientError{Disc: dp, Person: person.FullName}
	}
	for _, l := range disc.LeftOut {
		rep.LeftOut = append(rep.LeftOut, LeftOut{Name: l.Name, Err: &Problem{Msg: l.Name + ": " + l.Why, Err: ErrUnreadableFile}})
	}
	if disc.Missing > 0 {
		rep.LeftOut = append(rep.LeftOut, LeftOut{Name: "DICOMDIR", Err: &Problem{Msg: fmt.Sprintf("The disc's index (DICOMDIR) lists %s that %s not on the disc; the images that are there were added. If you copied the disc, copy it again with all its folders.", plural(disc.Missing, "1 file", "files"), wasWere(disc.Missing)), Err: ErrUnreadableFile}})
	}

	src, err := dicom.Open(path)
	if err != nil {
		return rep, discProblem(ctx, err)
	}
	defer src.Close()

	studies, err := s.planDisc(ctx, person.ID, pt, src)
	if err != nil {
		return rep, err
	}
	for _, ds := range studies {
		if ds.skip {
			title := studyTitle(ds.st)
			if d := dicomDate(ds.st.Date); !d.IsZero() {
				title += " of " + d.Human()
			}
			rep.LeftOut = append(rep.LeftOut, LeftOut{Name: title, Err: &Problem{Msg: title + " is already in the library; it was not added again.", Err: ErrDuplicate}})
		}
	}
	var total, done int64
	for _, ds := range studies {
		for _, f := range ds.files {
			if !ds.skip {
				total += f.h.Size
			}
		}
	}
	var all []*pending
	fail := func(err error) (DiscReport, error) {
		s.dropStagedFiles(all)
		removeTemp(all)
		if ctx.Err() != nil {
			return DiscReport{}, &Problem{Msg: "Stopped. Nothing was added.", Err: ctx.Err()}
		}
		return DiscReport{}, err
	}
	for _, ds := range studies {
		if ds.skip {
			continue
		}
		for _, f := range ds.files {
			all = append(all, f.p)
			if err := s.stageFile(ctx, f.p, func(n int64) {
				if opt.Progress != nil {
					opt.Progress(min(done+n, total), total)
				}
			}); err != nil {
				return fail(err)
			}
			done += f.h.Size
			if f.p.existing != "" {
				rep.AlreadyHad++
			}
		}
		drawKeys(ctx, src, ds.series)
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		for _, f := range ds.files {
			if f.h.Document == "" {
				continue
			}
			if s.haveReport(ctx, person.ID, f.p.existing) {
				// A study of reports has no study row for planDisc to
				// recognise: its file, kept as a report's original, is.
				ds.reported = append(ds.reported, f)
				rep.LeftOut = append(rep.LeftOut, LeftOut{Name: f.h.Name, Err: &Problem{Msg: fmt.Sprintf("The report in %s is already in the library; it was not added again.", pathpkg.Base(f.h.Name)), Err: ErrDuplicate}})
				continue
			}
			r, err := s.discReport(ctx, src, f, ds)
			if err != nil {
				if ctx.Err() != nil {
					return fail(err)
				}
				rep.LeftOut = append(rep.LeftOut, LeftOut{Name: f.h.Name, Err: err})
				continue
			}
			all = append(all, r)
			if err := s.stageFile(ctx, r, func(int64) {}); err != nil {
				return fail(err)
			}
			// The DICOM file is kept as it came, as the original of its
			// report's PDF: the report document is what the user has of it.
			r.original, f.p.why = f.p, reportWhy
			ds.reports = append(ds.reports, r)
			ds.reported = append(ds.reported, f)
		}
		ds.dropReports()
	}
	if opt.Progress != nil {
		opt.Progress(total, total)
	}
	if !slices.ContainsFunc(studies, func(ds *discStudy) bool { return !ds.skip && len(ds.series)+len(ds.reports) > 0 }) {
		return fail(&Problem{Msg: "Everything on this disc is already in the library for this person. Nothing was added.", Err: ErrDuplicate})
	}
	defer removeTemp(all)

	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, ds := range studies {
			if ds.skip {
				continue
			}
			ids, err := s.linkStudy(ctx, tx, person.ID, ds)
			if err != nil {
				return err
			}
			rep.DocumentIDs = append(rep.DocumentIDs, ids...)
			if len(ds.series) > 0 {
				rep.Studies++
			}
			rep.Reports += len(ds.reports)
			for _, se := range ds.series {
				rep.Series++
				for _, f := range se.files {
					if f.h.IsImage() {
						rep.Images++
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	return rep, nil
}

// haveReport reports whether the stored file fileID (empty: a file new to
// the library) is already the original of a report document of the
// person that is not in the Trash.
func (s *Store) haveReport(ctx context.Context, personID, fileID string) bool {
	if fileID == "" {
		return false
	}
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM file_original fo JOIN document_file df ON df.file_id = fo.file_id
		JOIN document d ON d.id = df.document_id WHERE fo.original_id = ? AND d.person_id = ? AND d.trashed = '' LIMIT 1`, fileID, personID).Scan(&one)
	return err == nil
}

// reportWhy is why a DICOM file is kept as the original of a report's PDF
// (file_original.why): the report was taken out of it.
const reportWhy = "report"

// dropReports takes the files whose report became a document of its own
// out of the study's series (they are kept as those documents' originals),
// and the series left empty: a study of reports only makes no imaging
// document and no study rows, only its report documents. A report that
// could not be read stays in its series, so its file is not lost.
func (ds *discStudy) dropReports() {
	if len(ds.reported) == 0 {
		return
	}
	gone := func(f *discFile) bool { return slices.Contains(ds.reported, f) }
	ds.files = slices.DeleteFunc(ds.files, gone)
	for _, se := range ds.series {
		se.files = slices.DeleteFunc(se.files, gone)
		if se.keyFile != nil && gone(se.keyFile) {
			se.keyFile, se.keyPNG = nil, nil
		}
	}
	ds.series = slices.DeleteFunc(ds.series, func(se *discSeries) bool { return len(se.files) == 0 })
}

// planDisc lays out the chosen patient's studies, leaving out those the
// person already has (the same Study Instance UID), and refusing a disc
// whose every study is already in the library.
func (s *Store) planDisc(ctx context.Context, personID string, pt *dicom.Patient, src dicom.Source) ([]*discStudy, error) {
	have := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT st.uid FROM imaging_study st JOIN document d ON d.id = st.document_id
		WHERE d.person_id = ? AND d.trashed = ''`, personID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var uid string
		if err := rows.Scan(&uid); err != nil {
			rows.Close()
			return nil, err
		}
		have[uid] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*discStudy
	skipped := 0
	for _, st := range pt.Studies {
		ds := &discStudy{st: st, skip: st.UID != "" && have[st.UID]}
		if ds.skip {
			skipped++
		}
		for _, se := range st.Series {
			dse := &discSeries{se: se, id: newID()}
			for _, h := range se.Files {
				f := &discFile{h: h, p: discPending(src, h)}
				ds.files = append(ds.files, f)
				dse.files = append(dse.files, f)
			}
			ds.series = append(ds.series, dse)
		}
		out = append(out, ds)
	}
	if skipped == len(out) {
		return nil, &Problem{Msg: fmt.Sprintf("The %s on this disc %s already in the library for this person. Nothing was added.", plural(len(out), "study", "studies"), isAre(len(out))), Err: ErrDuplicate}
	}
	return out, nil
}

// discPending is a disc's file ready to stage: read from the disc, not
// from a path of ours.
func discPending(src dicom.Source, h dicom.Header) *pending {
	name := pathpkg.Base(h.Name)
	return &pending{name: name, size: h.Size,
		info: media.Info{MediaType: media.DICOM, Pages: max(h.Frames, 1), Width: h.Columns, Height: h.Rows, Modality: h.Modality},
		open: func() (io.ReadCloser, error) {
			rc, _, err := src.Open(h.Name)
			if err != nil {
				return nil, discProblem(context.Background(), err)
			}
			return problemReader{rc}, nil
		}}
}

// problemReader turns a disc's refusal while reading (a zip bomb) into a
// Problem.
type problemReader struct{ io.ReadCloser }

func (r problemReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		var de *dicom.Error
		if errors.As(err, &de) {
			return n, &Problem{Msg: de.Msg, Err: fmt.Errorf("%w: %v", ErrUnreadableFile, err)}
		}
	}
	return n, err
}

// drawKeys draws the series' key images, two at a time: each is a child
// process, mostly waiting for its start-up, and the computer has cores
// for both.
func drawKeys(ctx context.Context, src dicom.Source, series []*discSeries) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, se := range series {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if ctx.Err() == nil {
				se.drawKey(ctx, src)
			}
		}()
	}
	wg.Wait()
}

// drawKey draws the series' key image in a sandbox child from the disc's
// copy (the stored bytes are the same), or says why it cannot.
func (se *discSeries) drawKey(ctx context.Context, src dicom.Source) {
	k := se.se.Key()
	if k < 0 {
		se.noPreview = "no image in this series"
		return
	}
	f := se.files[k]
	se.keyFile = f
	slice := 0
	for i := 0; i <= k; i++ {
		if se.files[i].h.IsImage() {
			slice++
		}
	}
	se.keySlice = slice
	rc, _, err := src.Open(f.h.Name)
	if err != nil {
		se.noPreview = "preview not available (the file could not be read again)"
		return
	}
	img, info, err := renderFile(ctx, rc)
	rc.Close()
	if err != nil {
		se.noPreview = previewSentence(err)
		return
	}
	se.keyFrame, se.keyWindow = info.Frame, info.Window
	se.keyPNG, se.keyW, se.keyH = encodePNG(img), img.Bounds().Dx(), img.Bounds().Dy()
}

// previewSentence is what a series shows when its key image cannot be
// drawn.
func previewSentence(err error) string {
	msg := dicom.Sentence(err)
	if errors.Is(err, dicom.ErrNoPreview) && strings.HasPrefix(msg, "preview not available") {
		return msg
	}
	return "preview not available (" + strings.TrimSuffix(strings.ToLower(msg[:1])+msg[1:], ".") + ")"
}

// renderFile draws a DICOM file's key image in a sandbox child, handing
// it a file: the disc's own, or a private temporary copy of bytes that are
// not in one (a zip entry, a stored file).
func renderFile(ctx context.Context, r io.Reader) (image.Image, dicom.RenderInfo, error) {
	if f, ok := r.(*os.File); ok {
		return sandbox.RenderDICOMFile(ctx, f, -1)
	}
	dir, err := PrivateTemp("secondopinion-key-")
	if err != nil {
		return nil, dicom.RenderInfo{}, err
	}
	defer os.RemoveAll(dir)
	f, err := os.OpenFile(filepath.Join(dir, "image.dcm"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, dicom.RenderInfo{}, err
	}
	defer f.Close()
	if _, err := io.Copy(f, io.LimitReader(r, MaxFileSize)); err != nil {
		return nil, dicom.RenderInfo{}, err
	}
	return sandbox.RenderDICOMFile(ctx, f, -1)
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if enc.Encode(&b, img) != nil {
		return nil
	}
	return b.Bytes()
}

func readAll(src dicom.Source, name string, limit int64) ([]byte, error) {
	rc, _, err := src.Open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return data, nil
}

// discReport makes a disc's report a document of its own: an encapsulated
// PDF as the PDF it holds, a structured report as a PDF page of its text.
// The file goes through the same checks as any added file.
func (s *Store) discReport(ctx context.Context, src dicom.Source, f *discFile, ds *discStudy) (*pending, error) {
	name := pathpkg.Base(f.h.Name)
	data, err := readAll(src, f.h.Name, maxReportBytes)
	if err != nil {
		return nil, &Problem{Msg: fmt.Sprintf("%s: the report in it could not be read again (%v).", name, err), Err: ErrUnreadableFile}
	}
	var pdf []byte
	var date Date // the report's own, when it says
	switch f.h.Document {
	case "pdf":
		pdf, err = sandbox.ExtractPDF(ctx, data)
	case "sr":
		var r dicom.Report
		r, err = sandbox.ReadReport(ctx, data)
		if err == nil {
			pdf, err = reportPDF(r, ds.st, f.h)
			date = dicomDate(r.Date)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Problem{Msg: fmt.Sprintf("%s holds a report that could not be read: %s", name, dicom.Sentence(err)), Err: fmt.Errorf("%w: %v", ErrUnreadableFile, err)}
	}
	dir, err := PrivateTemp("secondopinion-report-")
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(name, pathpkg.Ext(name))
	out := filepath.Join(dir, base+".pdf")
	if err := os.WriteFile(out, pdf, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p, err := inspectFile(ctx, out, false, "")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p.tempDir = dir
	p.reportTitle, p.reportDate = reportTitle(f.h, ds.st), date
	return &p, nil
}

func reportTitle(h dicom.Header, st *dicom.Study) string {
	what := strings.TrimSpace(st.Description)
	if what == "" {
		what = strings.TrimSpace(h.SeriesDescription)
	}
	if what == "" {
		return "Imaging report"
	}
	return "Imaging report: " + what
}

// linkStudy creates the study's document (kind imaging) and rows, and its
// reports' documents, inside the import's one transaction. It returns the
// documents' IDs.
func (s *Store) linkStudy(ctx context.Context, tx *sql.Tx, personID string, ds *discStudy) ([]string, error) {
	st := ds.st
	date := dicomDate(st.Date)
	var files []*pending
	for _, f := range ds.files {
		files = append(files, f.p)
	}
	var ids []string
	if len(ds.series) == 0 {
		// Reports only (dropReports): their documents are the study.
		return s.linkReports(ctx, tx, personID, ds, ids)
	}
	doc := &Document{PersonID: personID, Kind: KindImaging, Title: studyTitle(st), Date: date, Source: st.Institution}
	if err := s.insertDocument(ctx, tx, doc, files); err != nil {
		return nil, err
	}
	ids = append(ids, doc.ID)
	fileID := map[*pending]string{}
	for i, f := range doc.Files {
		fileID[files[i]] = f.ID
	}
	var first dicom.Header
	if len(ds.files) > 0 {
		first = ds.files[0].h
	}
	studyID := newID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO imaging_study (id, document_id, uid, date, modality, description, body_part, accession, referring, institution,
		patient_name, patient_birth, patient_pn, patient_id, time, study_number)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, studyID, doc.ID, st.UID, date.String(), st.Modalities(), studyDescription(st),
		st.BodyPart(), st.Accession, readablePhysician(st.ReferringPhysician), st.Institution, readablePN(first.PatientName),
		dicomDate(first.PatientBirth).String(), first.PatientName, first.PatientID, st.Time, st.ID); err != nil {
		return nil, err
	}
	for _, se := range ds.series {
		images, frames := 0, 0
		for _, f := range se.files {
			if f.h.IsImage() {
				images++
				frames += max(f.h.Frames, 1)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO imaging_series (id, study_id, uid, number, modality, description, body_part, images, frames, key_slice, key_frame, key_window, no_preview)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, se.id, studyID, se.se.UID, se.se.Number, se.se.Modality, se.se.Description,
			se.se.BodyPart, images, frames, se.keySlice, se.keyFrame, se.keyWindow, se.noPreview); err != nil {
			return nil, err
		}
		for i, f := range se.files {
			if _, err := tx.ExecContext(ctx, `INSERT INTO imaging_instance (series_id, position, file_id, number, sop_class, sop_instance, transfer_syntax, frames, image)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, se.id, i+1, fileID[f.p], f.h.InstanceNumber, f.h.SOPClassUID, f.h.SOPInstanceUID,
				f.h.TransferSyntax, max(f.h.Frames, 1), b2i(f.h.IsImage())); err != nil {
				return nil, err
			}
		}
		if se.keyPNG != nil && se.keyFile != nil {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO file_derived (file_id, kind, width, height, data) VALUES (?, ?, ?, ?, ?)`,
				fileID[se.keyFile.p], keyImageKind, se.keyW, se.keyH, se.keyPNG); err != nil {
				return nil, err
			}
		}
	}
	return s.linkReports(ctx, tx, personID, ds, ids)
}

// linkReports creates a study's report documents (kind imaging report,
// dated by the study, or by the report when the study has no date), each keeping the DICOM file it came from as its
// original, and returns ids with theirs added.
func (s *Store) linkReports(ctx context.Context, tx *sql.Tx, personID string, ds *discStudy, ids []string) ([]string, error) {
	for _, r := range ds.reports {
		date := dicomDate(ds.st.Date)
		if date.IsZero() {
			date = r.reportDate // a study without a date: the report's own
		}
		rd := &Document{PersonID: personID, Kind: KindImagingReport, Title: r.reportTitle, Date: date, Source: ds.st.Institution}
		if err := s.insertDocument(ctx, tx, rd, []*pending{r}); err != nil {
			return nil, err
		}
		ids = append(ids, rd.ID)
	}
	return ids, nil
}

// keyImageKind names a key image in file_derived: the middle frame drawn
// as PNG.
const keyImageKind = "dicom-key"

// insertDocument creates a document of staged files inside tx, as
// AddDocument's transaction does.
func (s *Store) insertDocument(ctx context.Context, tx *sql.Tx, d *Document, files []*pending) error {
	normalize(d)
	now := s.now()
	d.ID, d.Created, d.Updated = newID(), now, now
	if _, err := tx.ExecContext(ctx, `INSERT INTO document (id, person_id, kind, title, date, source, notes, tags, created, updated, missing)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, d.PersonID, string(d.Kind), strings.TrimSpace(d.Title), d.Date.String(),
		d.Source, d.Notes, joinTags(d.Tags), stamp(now), stamp(now), ""); err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			return notFound("person")
		}
		return fmt.Errorf("add document: %w", err)
	}
	if err := s.linkFiles(ctx, tx, d, files, 0); err != nil {
		return err
	}
	return indexDocument(ctx, tx, d)
}

// studyTitle is a study document's title: modality and description ("CT
// Chest with contrast").
func studyTitle(st *dicom.Study) string {
	mod, desc := st.Modalities(), studyDescription(st)
	switch {
	case desc == "" && mod == "":
		return "Imaging study"
	case desc == "":
		return mod + " study"
	case mod == "" || strings.HasPrefix(strings.ToUpper(desc), strings.ToUpper(strings.Split(mod, "/")[0])):
		return desc
	}
	return mod + " " + desc
}

// studyDescription is the study's own description, or its first series'.
func studyDescription(st *dicom.Study) string {
	if d := strings.TrimSpace(st.Description); d != "" {
		return d
	}
	for _, se := range st.Series {
		if d := strings.TrimSpace(se.Description); d != "" {
			return d
		}
	}
	return ""
}

// dicomDate reads a DICOM date (YYYYMMDD; "YYYY.MM.DD" in old files).
func dicomDate(da string) Date {
	da = strings.ReplaceAll(strings.TrimSpace(da), ".", "")
	if len(da) < 8 {
		return Date{}
	}
	y, e1 := strconv.Atoi(da[:4])
	m, e2 := strconv.Atoi(da[4:6])
	d, e3 := strconv.Atoi(da[6:8])
	if e1 != nil || e2 != nil || e3 != nil || y < 1800 || m < 1 || m > 12 || d < 1 || d > 31 {
		return Date{}
	}
	return Date{Year: y, Month: m, Day: d}
}

// readablePN shows a DICOM name as it is written on the disc, readably:
// "DOE, JANE" from DOE^JANE.
func readablePN(pn string) string {
	group, _, _ := strings.Cut(pn, "=")
	parts := strings.Split(group, "^")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	family := parts[0]
	var rest []string
	for _, p := range parts[1:min(len(parts), 3)] {
		if p != "" {
			rest = append(rest, p)
		}
	}
	switch {
	case family == "" && len(rest) == 0:
		return dicom.PersonName(pn)
	case len(rest) == 0:
		return family
	case family == "":
		return strings.Join(rest, " ")
	}
	return family + ", " + strings.Join(rest, " ")
}

// readablePhysician shows a referring physician as a letter would: "Dr
// Jane Smith" from SMITH^JANE^^DR.
func readablePhysician(pn string) string {
	name := dicom.PersonName(pn)
	if name == "" {
		return ""
	}
	words := strings.Fields(name)
	for i, w := range words {
		if len(w) > 1 && w == strings.ToUpper(w) {
			words[i] = w[:1] + strings.ToLower(w[1:])
		}
	}
	return strings.Join(words, " ")
}

// choosePatient picks the disc's patient: the only one, or the one whose
// key was given.
func choosePatient(patients []*dicom.Patient, key string) (*dicom.Patient, error) {
	if key != "" {
		for _, p := range patients {
			if strings.EqualFold(p.Key, key) {
				return p, nil
			}
		}
		var keys []string
		for _, p := range patients {
			keys = append(keys, fmt.Sprintf("%s (%s)", p.Key, readablePN(p.Name)))
		}
		return nil, &Problem{Msg: fmt.Sprintf("This disc has no patient %q. Its patients are: %s.", key, strings.Join(keys, "; ")), Err: ErrNotFound}
	}
	if len(patients) > 1 {
		e := &SeveralPatientsError{}
		for _, p := range patients {
			e.Patients = append(e.Patients, discPatient(p))
		}
		return nil, e
	}
	if len(patients) == 0 {
		return nil, &Problem{Msg: "There are no DICOM images on this disc.", Err: ErrNoDICOM}
	}
	return patients[0], nil
}

func discPatient(p *dicom.Patient) DiscPatient {
	name := readablePN(p.Name)
	if name == "" {
		name = "an unnamed patient"
		if p.ID != "" {
			name += " (ID " + p.ID + ")"
		}
	}
	return DiscPatient{Key: p.Key, Name: name, Birth: dicomDate(p.Birth), ID: p.ID, Images: p.Images}
}

// samePatient compares a disc's patient with the person: the family name
// and the first given name must be among the words of the person's full
// name (any order, ignoring case and accents; a given name may be an
// initial), and the birth dates must agree when both are known. A disc
// without a name is judged by its birth date alone.
func samePatient(person Person, p *dicom.Patient) bool {
	if b := dicomDate(p.Birth); !b.IsZero() && !person.DateOfBirth.IsZero() && b != person.DateOfBirth {
		return false
	}
	group, _, _ := strings.Cut(p.Name, "=")
	parts := strings.Split(group, "^")
	family := nameWords(parts[0])
	var given []string
	if len(parts) > 1 {
		given = nameWords(parts[1])
	}
	if len(family) == 0 && len(given) == 0 {
		return true
	}
	words := map[string]bool{}
	for _, w := range nameWords(person.FullName) {
		words[w] = true
	}
	for _, w := range family {
		if !words[w] {
			return false
		}
	}
	if len(given) > 0 {
		g := given[0]
		if words[g] {
			return true
		}
		if len(g) == 1 {
			for w := range words {
				if strings.HasPrefix(w, g) {
					return true
				}
			}
		}
		return false
	}
	return true
}

// nameWords splits a name into lower-case words without accents.
func nameWords(s string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	clean, _, err := transform.String(t, s)
	if err != nil {
		clean = s
	}
	return strings.FieldsFunc(strings.ToLower(clean), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// discProblem turns a disc's refusal into a Problem.
func discProblem(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &Problem{Msg: "Stopped. Nothing was added.", Err: ctx.Err()}
	}
	var p *Problem
	if errors.As(err, &p) {
		return err
	}
	msg := dicom.Sentence(err)
	if errors.Is(err, dicom.ErrNoDICOM) {
		return &Problem{Msg: msg, Err: fmt.Errorf("%w: %v", ErrNoDICOM, err)}
	}
	return &Problem{Msg: msg, Err: fmt.Errorf("%w: %v", ErrUnreadableFile, err)}
}

func wasWere(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// Studies lists the person's imaging studies, newest first, with their
// series (trashed documents' studies are left out).
func (s *Store) Studies(ctx context.Context, personID string) ([]Study, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT st.id, d.person_id, st.document_id, st.uid, st.date, st.modality, st.description, st.body_part,
		st.accession, st.referring, st.institution, st.patient_name, st.patient_birth, st.patient_pn, st.patient_id, st.time, st.study_number
		FROM imaging_study st JOIN document d ON d.id = st.document_id
		WHERE d.person_id = ? AND d.trashed = '' ORDER BY st.date DESC, d.created DESC`, personID)
	if err != nil {
		return nil, fmt.Errorf("list studies: %w", err)
	}
	var out []Study
	for rows.Next() {
		var st Study
		var date, birth string
		if err := rows.Scan(&st.ID, &st.PersonID, &st.DocumentID, &st.UID, &date, &st.Modality, &st.Description, &st.BodyPart,
			&st.Accession, &st.ReferringPhysician, &st.Institution, &st.PatientName, &birth, &st.PatientPN, &st.PatientID, &st.Time, &st.StudyNumber); err != nil {
			rows.Close()
			return nil, err
		}
		st.Date, st.PatientBirth = parseStoredDate(date), parseStoredDate(birth)
		out = append(out, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Series, err = s.series(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) series(ctx context.Context, studyID string) ([]Series, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, study_id, uid, number, modality, description, body_part, images, frames, no_preview
		FROM imaging_series WHERE study_id = ? ORDER BY number, id`, studyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Series
	for rows.Next() {
		var se Series
		if err := rows.Scan(&se.ID, &se.StudyID, &se.UID, &se.Number, &se.Modality, &se.Description, &se.BodyPart, &se.Images, &se.Frames, &se.NoPreview); err != nil {
			return nil, err
		}
		out = append(out, se)
	}
	return out, rows.Err()
}

// KeyImage draws the series' representative image (the middle slice, the
// middle frame), windowed as a viewer would, at most maxSide pixels on its
// longer side (0: as stored). The drawing is kept (file_derived), so only
// the first call for a series decodes the DICOM file, in a sandbox child.
// A series that cannot be drawn returns a Problem whose sentence is its
// NoPreview.
func (s *Store) KeyImage(ctx context.Context, seriesID string, maxSide int) (image.Image, KeyImageInfo, error) {
	var info KeyImageInfo
	var noPreview, fileID string
	var of int
	err := s.db.QueryRowContext(ctx, `SELECT key_slice, key_frame, key_window, no_preview, images
		FROM imaging_series WHERE id = ?`, seriesID).Scan(&info.Slice, &info.Frame, &info.Window, &noPreview, &of)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, info, notFound("series")
	}
	if err != nil {
		return nil, info, err
	}
	if info.Slice > 0 {
		err = s.db.QueryRowContext(ctx, `SELECT file_id FROM imaging_instance WHERE series_id = ? AND image = 1
			ORDER BY position LIMIT 1 OFFSET ?`, seriesID, info.Slice-1).Scan(&fileID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, info, err
		}
	}
	info.Of = of
	if fileID == "" || info.Slice == 0 {
		if noPreview == "" {
			noPreview = "no image in this series"
		}
		return nil, info, &Problem{Msg: noPreview, Err: ErrNotFound}
	}
	var data []byte
	err = s.db.QueryRowContext(ctx, `SELECT data FROM file_derived WHERE file_id = ? AND kind = ?`, fileID, keyImageKind).Scan(&data)
	var img image.Image
	switch {
	case err == nil:
		img, err = png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, info, err
		}
	case errors.Is(err, sql.ErrNoRows):
		if noPreview != "" {
			return nil, info, &Problem{Msg: noPreview, Err: ErrNotFound}
		}
		img, info, err = s.drawKeyImage(ctx, seriesID, fileID, info)
		if err != nil {
			return nil, info, err
		}
	default:
		return nil, info, err
	}
	return fitImage(img, maxSide), info, nil
}

// drawKeyImage draws a key image from the stored file and keeps it.
func (s *Store) drawKeyImage(ctx context.Context, seriesID, fileID string, info KeyImageInfo) (image.Image, KeyImageInfo, error) {
	r, err := s.OpenFile(ctx, fileID)
	if err != nil {
		return nil, info, err
	}
	defer r.Close()
	img, ri, err := renderFile(ctx, r)
	if err != nil {
		if ctx.Err() != nil {
			return nil, info, ctx.Err()
		}
		return nil, info, &Problem{Msg: previewSentence(err), Err: fmt.Errorf("%w: %v", ErrUnreadableFile, err)}
	}
	info.Frame, info.Window = ri.Frame, ri.Window
	b := img.Bounds()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO file_derived (file_id, kind, width, height, data) VALUES (?, ?, ?, ?, ?)`,
			fileID, keyImageKind, b.Dx(), b.Dy(), encodePNG(img)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE imaging_series SET key_frame = ?, key_window = ? WHERE id = ?`, info.Frame, info.Window, seriesID)
		return err
	})
	if err != nil && !isFull(err) {
		// The drawing is still shown; only keeping it failed.
		return img, info, nil
	}
	return img, info, nil
}

// fitImage scales img down to at most maxSide pixels on its longer side.
func fitImage(img image.Image, maxSide int) image.Image {
	b := img.Bounds()
	if maxSide <= 0 || (b.Dx() <= maxSide && b.Dy() <= maxSide) {
		return img
	}
	w, h := maxSide, b.Dy()*maxSide/b.Dx()
	if b.Dy() > b.Dx() {
		w, h = b.Dx()*maxSide/b.Dy(), maxSide
	}
	w, h = max(w, 1), max(h, 1)
	var dst draw.Image
	if _, gray := img.(*image.Gray); gray {
		dst = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// Instances lists a study's stored files in series and instance order.
func (s *Store) Instances(ctx context.Context, studyID string) ([]Instance, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT i.file_id, i.series_id, i.number, i.sop_class, i.sop_instance, i.transfer_syntax, i.frames
		FROM imaging_series se JOIN imaging_instance i ON i.series_id = se.id
		WHERE se.study_id = ? ORDER BY se.number, se.id, i.position`, studyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Instance
	for rows.Next() {
		var in Instance
		if err := rows.Scan(&in.FileID, &in.SeriesID, &in.Number, &in.SOPClassUID, &in.SOPInstanceUID, &in.TransferSyntax, &in.Frames); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// EnclosedFile is one stored DICOM file's place in an enclosure: Path is
// slash-separated under the enclosure's folder
// ("DICOM/P0000001/S0000001/R0000001/I0000001"), as the DICOMDIR beside
// the DICOM folder names it.
type EnclosedFile struct {
	FileID string
	Path   string
}

// Enclosure lays out the studies' stored DICOM files for an enclosure
// (the originals alongside a packet): where each goes, in ISO 9660 style
// (a CD burner and any clinic's import take those names), and the records
// of the DICOMDIR that lists them, to write with dicom.WriteDICOMDIR at
// the enclosure's root. Studies are grouped by patient (Patient ID and
// name); a file in two studies is copied once per place.
func (s *Store) Enclosure(ctx context.Context, studies []Study) ([]EnclosedFile, []dicom.DirPatient, error) {
	var files []EnclosedFile
	var patients []dicom.DirPatient
	index := map[string]int{}
	for _, st := range studies {
		key := st.PatientID + "\x00" + st.PatientPN
		pi, ok := index[key]
		if !ok {
			pi = len(patients)
			index[key] = pi
			id := st.PatientID
			if id == "" {
				id = fmt.Sprintf("SO%06d", pi+1) // Type 1 in a DICOMDIR: never empty
			}
			birth := ""
			if !st.PatientBirth.IsZero() {
				birth = fmt.Sprintf("%04d%02d%02d", st.PatientBirth.Year, st.PatientBirth.Month, st.PatientBirth.Day)
			}
			patients = append(patients, dicom.DirPatient{Name: st.PatientPN, ID: id, Birth: birth})
		}
		p := &patients[pi]
		date := ""
		if d := st.Date; !d.IsZero() && d.Month > 0 && d.Day > 0 {
			date = fmt.Sprintf("%04d%02d%02d", d.Year, d.Month, d.Day)
		}
		uid := st.UID
		if uid == "" {
			uid = dicom.NewUID() // Type 1 in a DICOMDIR
		}
		ds := dicom.DirStudy{UID: uid, Date: date, Time: st.Time, Description: st.Description, ID: st.StudyNumber, Accession: st.Accession}
		inst, err := s.Instances(ctx, st.ID)
		if err != nil {
			return nil, nil, err
		}
		si := len(p.Studies) + 1
		var cur *dicom.DirSeries
		curID := ""
		for _, in := range inst {
			if in.SeriesID != curID {
				curID = in.SeriesID
				var se Series
				for _, x := range st.Series {
					if x.ID == in.SeriesID {
						se = x
					}
				}
				if se.UID == "" {
					se.UID = dicom.NewUID()
				}
				ds.Series = append(ds.Series, dicom.DirSeries{UID: se.UID, Modality: se.Modality, Number: se.Number})
				cur = &ds.Series[len(ds.Series)-1]
			}
			path := fmt.Sprintf("DICOM/P%07d/S%07d/R%07d/I%07d", pi+1, si, len(ds.Series), len(cur.Images)+1)
			files = append(files, EnclosedFile{FileID: in.FileID, Path: path})
			cur.Images = append(cur.Images, dicom.DirImage{FileID: path, SOPClassUID: in.SOPClassUID,
				SOPInstanceUID: in.SOPInstanceUID, TransferSyntax: in.TransferSyntax, Number: in.Number})
		}
		p.Studies = append(p.Studies, ds)
	}
	return files, patients, nil
}
