package dicom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"

	"secondopinion/records/media"
)

// Disc is what Read found on a disc: the DICOM files it could read, and
// what it left out and why.
type Disc struct {
	Files []Header
	// LeftOut are DICOM files (or files a DICOMDIR names) that could not
	// be read, each with a sentence.
	LeftOut []LeftOut `json:",omitempty"`
	// Missing counts files the DICOMDIR names that are not on the disc.
	Missing int
	// Other counts files that are not DICOM (viewer software, pictures,
	// text) and were passed over.
	Other int
	// DICOMDIR says the files were found through the disc's DICOMDIR.
	DICOMDIR bool
}

// LeftOut is one file Read could not take.
type LeftOut struct {
	Name, Why string
}

// ErrNoDICOM is returned when a disc holds no DICOM file at all.
var ErrNoDICOM = errors.New("dicom: no DICOM files")

// Bytes is the size of all the files read.
func (d *Disc) Bytes() int64 {
	var n int64
	for _, f := range d.Files {
		n += f.Size
	}
	return n
}

// notDICOM are extensions of files a disc carries besides its images
// (the viewer, its help, the autorun) that are passed over without being
// opened.
var notDICOM = map[string]bool{
	".exe": true, ".dll": true, ".inf": true, ".ini": true, ".msi": true, ".cab": true, ".ocx": true,
	".sys": true, ".bat": true, ".cmd": true, ".com": true, ".lnk": true, ".chm": true, ".hlp": true,
	".htm": true, ".html": true, ".js": true, ".css": true, ".jar": true, ".class": true, ".app": true,
	".dylib": true, ".so": true, ".plist": true, ".txt": true, ".xml": true, ".json": true, ".ico": true,
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".bmp": true, ".svg": true, ".pdf": true,
	".zip": true, ".rtf": true, ".doc": true, ".docx": true, ".manifest": true, ".config": true,
	".pak": true, ".dat": true, ".bin": true, ".qm": true, ".ttf": true, ".mui": true, ".log": true,
}

// Read finds and reads the DICOM files of a disc at p: a folder (a
// mounted disc or a copy of one) or a .zip. With a DICOMDIR it reads the
// files that names; otherwise every file whose first bytes are DICOM.
// Files that cannot be read are in LeftOut; a disc with no DICOM file
// returns an error wrapping ErrNoDICOM. Errors are *Error sentences.
func Read(ctx context.Context, p string) (*Disc, error) {
	return ReadWith(ctx, p, ReadOptions{})
}

// ReadOptions steer ReadWith.
type ReadOptions struct {
	// Skip are files not to read (they made a reader crash), each left
	// out with Why.
	Skip map[string]string
	// Starting is called with each file's name before it is read.
	Starting func(name string)
	// Counted is called once, before the first file is read, with how
	// many files will be looked at (those the DICOMDIR names, or every
	// file of the folder or zip but viewer software).
	Counted func(total int)
}

// ReadWith is Read with options.
func ReadWith(ctx context.Context, p string, opt ReadOptions) (*Disc, error) {
	src, err := Open(p)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return readSource(ctx, src, opt)
}

// ReadSource is Read for an opened Source.
func ReadSource(ctx context.Context, src Source) (*Disc, error) {
	return readSource(ctx, src, ReadOptions{})
}

func readSource(ctx context.Context, src Source, opt ReadOptions) (*Disc, error) {
	d := &Disc{}
	names, err := src.Names()
	if err != nil {
		return nil, err
	}
	var candidates []string
	if dir := findDICOMDIR(names); dir != "" {
		refs, err := readDICOMDIR(ctx, src, dir)
		if err == nil && len(refs) > 0 {
			d.DICOMDIR = true
			have := map[string]string{}
			for _, n := range names {
				have[strings.ToUpper(n)] = n
			}
			base := path.Dir(dir)
			for _, r := range refs {
				full := path.Join(base, r)
				if n, ok := have[strings.ToUpper(full)]; ok {
					candidates = append(candidates, n)
				} else if n, ok := have[strings.ToUpper(full+".")]; ok {
					candidates = append(candidates, n)
				} else {
					d.Missing++
				}
			}
		}
	}
	if !d.DICOMDIR {
		for _, n := range names {
			base := strings.ToLower(path.Base(n))
			if base == "dicomdir" || notDICOM[path.Ext(base)] || strings.HasPrefix(n, "__MACOSX/") || strings.HasPrefix(base, "._") {
				d.Other++
				continue
			}
			candidates = append(candidates, n)
		}
	}
	seen := map[string]bool{}
	if opt.Counted != nil {
		total := 0
		for _, n := range candidates {
			if !seen[n] {
				seen[n] = true
				total++
			}
		}
		clear(seen)
		opt.Counted(total)
	}
	for _, n := range candidates {
		if seen[n] {
			continue
		}
		seen[n] = true
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if why, ok := opt.Skip[n]; ok {
			d.LeftOut = append(d.LeftOut, LeftOut{Name: n, Why: why})
			continue
		}
		if opt.Starting != nil {
			opt.Starting(n)
		}
		h, err := readOne(ctx, src, n, !d.DICOMDIR)
		switch {
		case errors.Is(err, errNotDICOM):
			d.Other++
		case errors.As(err, new(*limitError)):
			return nil, err
		case err != nil:
			d.LeftOut = append(d.LeftOut, LeftOut{Name: n, Why: Sentence(err)})
		default:
			h.Name = n
			d.Files = append(d.Files, h)
		}
	}
	if len(d.Files) == 0 {
		switch {
		case d.Missing > 0 && len(d.LeftOut) == 0:
			return d, &Error{Msg: fmt.Sprintf("The disc's index (DICOMDIR) lists %d images, but none of them is on the disc. Copy the whole disc, with all its folders, and add it again.", d.Missing), Err: ErrNoDICOM}
		case len(d.LeftOut) > 0:
			return d, &Error{Msg: fmt.Sprintf("None of the %d DICOM files on the disc could be read. The first, %s: %s", len(d.LeftOut), d.LeftOut[0].Name, d.LeftOut[0].Why), Err: ErrNoDICOM}
		}
		return d, &Error{Msg: "There are no DICOM images on this disc or in this folder. Choose the disc itself or the folder copied from it (the one holding DICOMDIR or the image folders).", Err: ErrNoDICOM}
	}
	return d, nil
}

var errNotDICOM = errors.New("dicom: not a DICOM file")

// readOne reads one file's header. sniff says to pass over a file whose
// first bytes are not DICOM (errNotDICOM) without reading the rest.
func readOne(ctx context.Context, src Source, name string, sniff bool) (Header, error) {
	rc, size, err := src.Open(name)
	if err != nil {
		return Header{}, err
	}
	defer rc.Close()
	if size == 0 {
		if sniff {
			return Header{}, errNotDICOM
		}
		return Header{}, &Error{Msg: "It is empty (0 bytes).", Err: ErrUnreadable}
	}
	var head [256]byte
	n, _ := io.ReadFull(rc, head[:])
	if !media.IsDICOMHead(head[:n]) {
		if sniff {
			return Header{}, errNotDICOM
		}
		return Header{}, &Error{Msg: "It is not a DICOM file.", Err: ErrUnreadable}
	}
	if size > MaxZipFile {
		return Header{}, &Error{Msg: fmt.Sprintf("It is larger than %d GB, more than the library takes in one file.", MaxZipFile>>30), Err: ErrUnreadable}
	}
	rs, err := seekable(rc, head[:n], size)
	if err != nil {
		return Header{}, err
	}
	defer rs.Close()
	h, err := ReadHeader(ctx, rs, size)
	if err != nil {
		return Header{}, err
	}
	if h.HasPixels && !KnownSyntax(h.TransferSyntax) {
		return Header{}, &Error{Msg: fmt.Sprintf("Its images are stored with a compression DICOM does not define (%s), so it cannot be read.", h.TransferSyntax), Err: ErrUnreadable}
	}
	return h, nil
}

// findDICOMDIR returns the name of the disc's DICOMDIR: at its root, or in
// the one folder the root holds (a zip of a disc's folder).
func findDICOMDIR(names []string) string {
	for _, n := range names {
		if strings.EqualFold(n, "DICOMDIR") {
			return n
		}
	}
	// A zip of the disc's folder: everything lies under one folder.
	for _, n := range names {
		dir, base, ok := strings.Cut(n, "/")
		if !ok || !strings.EqualFold(base, "DICOMDIR") {
			continue
		}
		for _, m := range names {
			if !strings.HasPrefix(m, dir+"/") {
				return ""
			}
		}
		return n
	}
	return ""
}

// readDICOMDIR returns the file IDs a DICOMDIR's records reference, as
// slash-separated paths relative to it.
func readDICOMDIR(ctx context.Context, src Source, name string) (_ []string, err error) {
	defer recoverError(&err)
	rc, size, err := src.Open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	rs, err := seekable(rc, nil, size)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	lay, err := media.ScanDICOM(rs, size)
	if err != nil {
		return nil, explainScan(err)
	}
	if _, err := rs.Seek(lay.Start, io.SeekStart); err != nil {
		return nil, err
	}
	p, err := dicom.NewParser(rs, size-lay.Start, nil, dicom.SkipPixelData(), dicom.AllowMissingMetaElementGroupLength())
	if err != nil {
		return nil, err
	}
	var refs []string
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) {
			break
		}
		if err != nil {
			return refs, err
		}
		if e.Tag != tag.DirectoryRecordSequence {
			continue
		}
		items, _ := e.Value.GetValue().([]*dicom.SequenceItemValue)
		for _, it := range items {
			for _, c := range it.GetValue().([]*dicom.Element) {
				if c.Tag != tag.ReferencedFileID {
					continue
				}
				v, _ := c.Value.GetValue().([]string)
				var parts []string
				for _, s := range v {
					for _, part := range strings.Split(s, `\`) {
						if part = strings.TrimSpace(part); part != "" && part != "." && part != ".." {
							parts = append(parts, part)
						}
					}
				}
				if len(parts) > 0 {
					refs = append(refs, strings.Join(parts, "/"))
				}
			}
		}
	}
	return refs, nil
}

// seekable gives a ReadSeeker over a file just opened, of which head has
// been read: an *os.File is rewound; anything else (a zip entry) is
// copied to a private temporary file first.
func seekable(rc io.Reader, head []byte, size int64) (readSeekCloser, error) {
	if f, ok := rc.(*os.File); ok {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		return nopCloser{f}, nil
	}
	tmp, err := os.CreateTemp("", "secondopinion-dicom-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name()) // gone when closed, whatever happens
	if _, err := tmp.Write(head); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
}

type readSeekCloser interface {
	io.ReadSeeker
	io.Closer
}

type nopCloser struct{ io.ReadSeeker }

func (nopCloser) Close() error { return nil }

// Patients groups the disc's files by patient, study and series.
// Patients come in the order first met, studies newest first, series by
// number, files in slice order.
func (d *Disc) Patients() []*Patient {
	var out []*Patient
	byKey := map[string]*Patient{}
	for _, h := range d.Files {
		// One patient per Patient ID, as a DICOMDIR groups them (the name
		// may be written differently from study to study); without an ID,
		// per name and birth date.
		pk := "id:" + strings.ToUpper(strings.TrimSpace(h.PatientID))
		if strings.TrimSpace(h.PatientID) == "" {
			pk = "name:" + nameKey(h.PatientName) + "\x00" + h.PatientBirth
		}
		p := byKey[pk]
		if p == nil {
			p = &Patient{Name: h.PatientName, ID: h.PatientID, Birth: h.PatientBirth}
			byKey[pk] = p
			out = append(out, p)
		}
		if p.Name == "" {
			p.Name = h.PatientName
		}
		if p.Birth == "" {
			p.Birth = h.PatientBirth
		}
		p.Images++
		st := p.study(h)
		se := st.series(h)
		se.Files = append(se.Files, h)
	}
	used := map[string]int{}
	for _, p := range out {
		key := strings.TrimSpace(p.ID)
		if key == "" {
			key = strings.ReplaceAll(PersonName(p.Name), " ", "-")
		}
		if key == "" {
			key = "unnamed"
		}
		if used[key]++; used[key] > 1 {
			key = fmt.Sprintf("%s-%d", key, used[key])
		}
		p.Key = key
		sort.SliceStable(p.Studies, func(i, j int) bool { return p.Studies[i].Date+p.Studies[i].Time > p.Studies[j].Date+p.Studies[j].Time })
		for _, st := range p.Studies {
			sort.SliceStable(st.Series, func(i, j int) bool { return st.Series[i].Number < st.Series[j].Number })
			for _, se := range st.Series {
				sortSlices(se.Files)
			}
		}
	}
	return out
}

func nameKey(pn string) string {
	return strings.Join(strings.Fields(strings.ToUpper(strings.NewReplacer("^", " ", "=", " ").Replace(pn))), " ")
}

// Patient is one patient of a disc.
type Patient struct {
	Key             string // unique on the disc: the Patient ID, else the name
	Name, ID, Birth string
	Images          int
	Studies         []*Study
}

// Study is one examination.
type Study struct {
	UID, Date, Time, Description, ID           string
	Accession, ReferringPhysician, Institution string
	Series                                     []*Series
}

// Series is one run of images (or one document) of a study.
type Series struct {
	UID, Description, Modality, BodyPart string
	Number                               int
	Files                                []Header
}

func (p *Patient) study(h Header) *Study {
	for _, st := range p.Studies {
		if st.UID == h.StudyUID {
			st.fill(h)
			return st
		}
	}
	st := &Study{UID: h.StudyUID}
	st.fill(h)
	p.Studies = append(p.Studies, st)
	return st
}

func (st *Study) fill(h Header) {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&st.Date, h.StudyDate)
	set(&st.Time, h.StudyTime)
	set(&st.Description, h.StudyDescription)
	set(&st.ID, h.StudyID)
	set(&st.Accession, h.Accession)
	set(&st.ReferringPhysician, h.ReferringPhysician)
	set(&st.Institution, h.Institution)
}

func (st *Study) series(h Header) *Series {
	for _, se := range st.Series {
		if se.UID == h.SeriesUID {
			return se
		}
	}
	se := &Series{UID: h.SeriesUID, Description: h.SeriesDescription, Modality: h.Modality, BodyPart: h.BodyPart, Number: h.SeriesNumber}
	st.Series = append(st.Series, se)
	return se
}

// Modalities lists the study's modalities, "PT/CT" style.
func (st *Study) Modalities() string {
	var mods []string
	seen := map[string]bool{}
	for _, se := range st.Series {
		if m := se.Modality; m != "" && !seen[m] {
			seen[m] = true
			mods = append(mods, m)
		}
	}
	return strings.Join(mods, "/")
}

// BodyPart is the first body part a series names.
func (st *Study) BodyPart() string {
	for _, se := range st.Series {
		if se.BodyPart != "" {
			return se.BodyPart
		}
	}
	return ""
}

// sortSlices orders a series' files as a viewer stacks them: by instance
// number, then slice location or position, then name.
func sortSlices(files []Header) {
	pos := func(h Header) float64 {
		if h.HasSlice {
			return h.SliceLocation
		}
		if len(h.Position) == 3 {
			return h.Position[2]
		}
		return 0
	}
	sort.SliceStable(files, func(i, j int) bool {
		a, b := files[i], files[j]
		if a.InstanceNumber != b.InstanceNumber {
			return a.InstanceNumber < b.InstanceNumber
		}
		if pa, pb := pos(a), pos(b); pa != pb {
			return pa < pb
		}
		return a.Name < b.Name
	})
}

// Key returns the index in Files of the series' key image, the middle
// image (documents without pixels are passed over), and -1 when the
// series has no image.
func (se *Series) Key() int {
	var images []int
	for i, f := range se.Files {
		if f.IsImage() {
			images = append(images, i)
		}
	}
	if len(images) == 0 {
		return -1
	}
	return images[(len(images)-1)/2]
}

// Images counts the files of the series that hold images.
func (se *Series) Images() int {
	n := 0
	for _, f := range se.Files {
		if f.IsImage() {
			n++
		}
	}
	return n
}

// fsName turns a disc name into a path under root.
func fsName(root, name string) string { return filepath.Join(root, filepath.FromSlash(name)) }
