// Package dicom reads imaging discs: the DICOM files a CD, DVD, USB stick
// or .zip holds, grouped into patients, studies and series; it draws a
// series' key image as a radiologist's viewer would, reads the reports a
// disc carries (encapsulated PDF, structured reports) and writes the
// DICOMDIR of an enclosure.
//
// Files are parsed with github.com/suyashkumar/dicom after
// records/media's hardened scan has checked their element stream (the
// library recurses into sequences and trusts stated lengths). The package
// imports nothing of ours but records/media; the store (records) and the
// sandbox child call it.
package dicom

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"

	"secondopinion/records/media"
)

// Well-known UIDs.
const (
	SOPEncapsulatedPDF = "1.2.840.10008.5.1.4.1.1.104.1"
	mediaStorageDir    = "1.2.840.10008.1.3.10"
	ExplicitLE         = "1.2.840.10008.1.2.1"
	ImplicitLE         = "1.2.840.10008.1.2"
	ExplicitBE         = "1.2.840.10008.1.2.2"
)

// Header is what one DICOM file says about itself, read up to its pixel
// data. Strings are as stored (person names in DICOM form,
// FAMILY^GIVEN; dates YYYYMMDD), decoded from the file's character set.
type Header struct {
	// Name is where the file is on the disc: a slash-separated path
	// relative to the disc's root (or the zip entry's name).
	Name string
	Size int64

	PatientName, PatientID, PatientBirth string

	StudyUID, StudyDate, StudyTime, StudyDescription, StudyID string
	Accession, ReferringPhysician, Institution, BodyPart      string

	SeriesUID, SeriesDescription, Modality string
	SeriesNumber                           int

	SOPClassUID, SOPInstanceUID, TransferSyntax string
	InstanceNumber                              int
	// SliceLocation and Position (Image Position (Patient)) order slices
	// when instance numbers do not.
	SliceLocation float64
	HasSlice      bool
	Position      []float64 `json:",omitempty"`

	Rows, Columns, Frames, Samples int
	Photometric                    string
	BitsAllocated, BitsStored      int
	HighBit, PixelRepresentation   int
	Planar                         int
	RescaleSlope, RescaleIntercept float64
	WindowCenter, WindowWidth      float64
	HasWindow                      bool

	// HasPixels says the file holds an image; Encapsulated that its pixels
	// are compressed (TransferSyntax says how).
	HasPixels, Encapsulated bool
	// PixelOffset and PixelLength locate native pixel data in the file.
	PixelOffset, PixelLength int64
	BigEndian                bool
	// Document says the file carries a document rather than an image:
	// "pdf" for an encapsulated PDF, "sr" for a structured report.
	Document string `json:",omitempty"`
}

// IsImage reports whether the file holds pixels to draw.
func (h Header) IsImage() bool { return h.HasPixels && h.Rows > 0 && h.Columns > 0 }

// ErrUnreadable is wrapped by errors about a file that is not DICOM we can
// read; the error's text is a sentence (see Sentence).
var ErrUnreadable = errors.New("dicom: not a DICOM file we can read")

// Error is a refusal with a sentence for the user.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Sentence is the user's sentence of err: its *Error's Msg when it has
// one, else a general one.
func Sentence(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return "It is damaged or not a DICOM file we can read."
}

// ReadHeader reads the header of the DICOM file in r (size bytes): every
// element before the pixel data. The element stream is checked first.
func ReadHeader(ctx context.Context, r io.ReadSeeker, size int64) (h Header, err error) {
	defer recoverError(&err)
	lay, err := media.ScanDICOM(r, size)
	if err != nil {
		return Header{}, explainScan(err)
	}
	if err := readableSyntax(lay.Transfer); err != nil {
		return Header{}, err
	}
	h = Header{Size: size, Frames: 1, Samples: 1, RescaleSlope: 1, PixelLength: lay.PixelLength,
		PixelOffset: lay.PixelOffset, BigEndian: lay.BigEndian, TransferSyntax: lay.Transfer}
	if _, err := r.Seek(lay.Start, io.SeekStart); err != nil {
		return Header{}, err
	}
	opts := []dicom.ParseOption{dicom.SkipPixelData(), dicom.AllowMissingMetaElementGroupLength()}
	if !lay.Preamble {
		opts = append(opts, dicom.SkipMetadataReadOnNewParserInit())
		if lay.Implicit {
			h.TransferSyntax = ImplicitLE
		} else {
			h.TransferSyntax = ExplicitLE
		}
	}
	p, err := dicom.NewParser(r, size-lay.Start, nil, opts...)
	if err != nil {
		return Header{}, &Error{Msg: "Its DICOM header cannot be read (it is damaged or cut short).", Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
	}
	if !lay.Preamble {
		p.SetTransferSyntax(binary.LittleEndian, lay.Implicit)
	}
	var rescale, window []*dicom.Element
	for {
		if err := ctx.Err(); err != nil {
			return Header{}, err
		}
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) {
			break
		}
		if err != nil {
			return Header{}, &Error{Msg: "It is damaged or cut short, so its DICOM header cannot be read.", Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
		}
		if e.Tag == tag.PixelData {
			h.HasPixels = true
			if info, ok := e.Value.GetValue().(dicom.PixelDataInfo); ok {
				h.Encapsulated = info.IsEncapsulated
			}
			break
		}
		if e.Tag.Group > 0x7FE0 {
			break
		}
		h.set(e)
		switch e.Tag {
		case tag.SharedFunctionalGroupsSequence, tag.PerFrameFunctionalGroupsSequence:
			// Enhanced (multi-frame) images keep rescale and window in
			// functional groups; the first found is used.
			rescale = append(rescale, findNested(e, tag.PixelValueTransformationSequence, 0)...)
			window = append(window, findNested(e, tag.FrameVOILUTSequence, 0)...)
		case tag.ContentSequence:
			if h.Document == "" {
				h.Document = "sr"
			}
		case tag.EncapsulatedDocument:
			h.Document = "pdf"
		}
	}
	for _, seq := range rescale {
		if h.RescaleSlope == 1 && h.RescaleIntercept == 0 {
			forItems(seq, func(e *dicom.Element) { h.set(e) })
		}
	}
	for _, seq := range window {
		if !h.HasWindow {
			forItems(seq, func(e *dicom.Element) { h.set(e) })
		}
	}
	if h.SOPClassUID == SOPEncapsulatedPDF {
		h.Document = "pdf"
	}
	if h.Modality == "SR" || strings.HasPrefix(h.SOPClassUID, "1.2.840.10008.5.1.4.1.1.88.") {
		h.Document = "sr"
	}
	if h.HasPixels && h.Encapsulated {
		h.PixelLength = -1
	}
	if !h.HasPixels && h.Rows > 0 && h.Columns > 0 && h.Document == "" {
		return Header{}, &Error{Msg: "It is cut short: it describes an image but ends before it. Copy it from the disc again.", Err: ErrUnreadable}
	}
	if h.HasPixels && h.PixelLength >= 0 && h.PixelOffset+h.PixelLength > size {
		return Header{}, &Error{Msg: fmt.Sprintf("It is cut short: its image needs %d bytes but the file ends after %d. Copy it from the disc again.", h.PixelLength, max(size-h.PixelOffset, 0)), Err: ErrUnreadable}
	}
	if h.BitsStored == 0 {
		h.BitsStored = h.BitsAllocated
	}
	if h.HighBit == 0 && h.BitsStored > 0 {
		h.HighBit = h.BitsStored - 1
	}
	if h.RescaleSlope == 0 {
		h.RescaleSlope = 1
	}
	return h, nil
}

// explainScan turns a failed scan into a sentence.
func explainScan(err error) error {
	msg := "It is damaged or cut short, so it cannot be read as DICOM."
	switch {
	case strings.Contains(err.Error(), "no DICOM header"):
		msg = "It is not a DICOM file."
	case errors.Is(err, media.ErrTooLarge):
		msg = "It is too large or too complex to read safely."
	case strings.Contains(err.Error(), "nested"):
		msg = "Its structure is nested too deeply to read safely (it is damaged or was made to crash readers)."
	}
	return &Error{Msg: msg, Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
}

// set takes one element's value into h.
func (h *Header) set(e *dicom.Element) {
	switch e.Tag {
	case tag.PatientName:
		h.PatientName = str(e)
	case tag.PatientID:
		h.PatientID = str(e)
	case tag.PatientBirthDate:
		h.PatientBirth = str(e)
	case tag.StudyInstanceUID:
		h.StudyUID = uid(e)
	case tag.StudyDate:
		h.StudyDate = str(e)
	case tag.StudyTime:
		h.StudyTime = str(e)
	case tag.StudyDescription:
		h.StudyDescription = str(e)
	case tag.StudyID:
		h.StudyID = str(e)
	case tag.AccessionNumber:
		h.Accession = str(e)
	case tag.ReferringPhysicianName:
		h.ReferringPhysician = str(e)
	case tag.InstitutionName:
		h.Institution = str(e)
	case tag.BodyPartExamined:
		h.BodyPart = str(e)
	case tag.SeriesInstanceUID:
		h.SeriesUID = uid(e)
	case tag.SeriesDescription:
		h.SeriesDescription = str(e)
	case tag.SeriesNumber:
		h.SeriesNumber = num(e)
	case tag.Modality:
		h.Modality = str(e)
	case tag.SOPClassUID:
		h.SOPClassUID = uid(e)
	case tag.SOPInstanceUID:
		h.SOPInstanceUID = uid(e)
	case tag.TransferSyntaxUID:
		h.TransferSyntax = uid(e)
	case tag.InstanceNumber:
		h.InstanceNumber = num(e)
	case tag.SliceLocation:
		if v := floats(e); len(v) > 0 {
			h.SliceLocation, h.HasSlice = v[0], true
		}
	case tag.ImagePositionPatient:
		if v := floats(e); len(v) == 3 {
			h.Position = v
		}
	case tag.Rows:
		h.Rows = num(e)
	case tag.Columns:
		h.Columns = num(e)
	case tag.NumberOfFrames:
		if n := num(e); n > 0 {
			h.Frames = n
		}
	case tag.SamplesPerPixel:
		if n := num(e); n > 0 {
			h.Samples = n
		}
	case tag.PhotometricInterpretation:
		h.Photometric = strings.ToUpper(str(e))
	case tag.BitsAllocated:
		h.BitsAllocated = num(e)
	case tag.BitsStored:
		h.BitsStored = num(e)
	case tag.HighBit:
		h.HighBit = num(e)
	case tag.PixelRepresentation:
		h.PixelRepresentation = num(e)
	case tag.PlanarConfiguration:
		h.Planar = num(e)
	case tag.RescaleSlope:
		if v := floats(e); len(v) > 0 && v[0] != 0 {
			h.RescaleSlope = v[0]
		}
	case tag.RescaleIntercept:
		if v := floats(e); len(v) > 0 {
			h.RescaleIntercept = v[0]
		}
	case tag.WindowCenter:
		if v := floats(e); len(v) > 0 {
			h.WindowCenter = v[0]
			h.HasWindow = h.WindowWidth > 0
		}
	case tag.WindowWidth:
		if v := floats(e); len(v) > 0 && v[0] > 0 {
			h.WindowWidth = v[0]
			h.HasWindow = true
		}
	}
}

// findNested returns the sequences with tag t inside e (a sequence), at
// most a few levels down.
func findNested(e *dicom.Element, t tag.Tag, depth int) []*dicom.Element {
	if depth > 4 {
		return nil
	}
	var out []*dicom.Element
	items, ok := e.Value.GetValue().([]*dicom.SequenceItemValue)
	if !ok {
		return nil
	}
	for i, it := range items {
		if i > 0 && e.Tag == tag.PerFrameFunctionalGroupsSequence {
			break // the first frame's groups speak for the others
		}
		for _, c := range it.GetValue().([]*dicom.Element) {
			if c.Tag == t {
				out = append(out, c)
			} else if c.ValueRepresentation == tag.VRSequence {
				out = append(out, findNested(c, t, depth+1)...)
			}
		}
	}
	return out
}

// forItems calls fn for the elements of the first item of a sequence.
func forItems(seq *dicom.Element, fn func(*dicom.Element)) {
	items, ok := seq.Value.GetValue().([]*dicom.SequenceItemValue)
	if !ok || len(items) == 0 {
		return
	}
	for _, c := range items[0].GetValue().([]*dicom.Element) {
		fn(c)
	}
}

func str(e *dicom.Element) string {
	if v, ok := e.Value.GetValue().([]string); ok {
		return strings.TrimSpace(strings.Trim(strings.Join(v, `\`), "\x00"))
	}
	return ""
}

func uid(e *dicom.Element) string { return strings.TrimRight(str(e), "\x00 ") }

func num(e *dicom.Element) int {
	switch v := e.Value.GetValue().(type) {
	case []int:
		if len(v) > 0 {
			return v[0]
		}
	case []string:
		if len(v) > 0 {
			n, _ := strconv.Atoi(strings.TrimSpace(v[0]))
			return n
		}
	}
	return 0
}

func floats(e *dicom.Element) []float64 {
	var out []float64
	switch v := e.Value.GetValue().(type) {
	case []string:
		for _, s := range v {
			for _, part := range strings.Split(s, `\`) {
				f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
				if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					return out
				}
				out = append(out, f)
			}
		}
	case []float64:
		out = v
	case []int:
		for _, n := range v {
			out = append(out, float64(n))
		}
	}
	return out
}

// PersonName turns a DICOM person name ("Family^Given^Middle^Prefix^
// Suffix", then "=" and the same in ideographic and phonetic forms) into
// "Given Middle Family", from the first form that has one.
func PersonName(pn string) string {
	for _, group := range strings.Split(pn, "=") {
		parts := strings.Split(group, "^")
		var words []string
		if len(parts) > 3 {
			words = append(words, parts[3])
		}
		for _, i := range []int{1, 2, 0} {
			if i < len(parts) {
				words = append(words, parts[i])
			}
		}
		if len(parts) > 4 {
			words = append(words, parts[4])
		}
		if name := strings.Join(strings.Fields(strings.Join(words, " ")), " "); name != "" {
			return name
		}
	}
	return ""
}

// SyntaxName is a readable name for a transfer syntax.
func SyntaxName(ts string) string {
	switch ts {
	case ImplicitLE, ExplicitLE, ExplicitBE:
		return "uncompressed"
	case "1.2.840.10008.1.2.4.50":
		return "JPEG"
	case "1.2.840.10008.1.2.4.51":
		return "12-bit JPEG"
	case "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70":
		return "lossless JPEG"
	case "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81":
		return "JPEG-LS"
	case "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203":
		return "JPEG 2000"
	case "1.2.840.10008.1.2.5":
		return "RLE"
	case "1.2.840.10008.1.2.4.100", "1.2.840.10008.1.2.4.101", "1.2.840.10008.1.2.4.102", "1.2.840.10008.1.2.4.103":
		return "MPEG-2/MPEG-4 video"
	case "1.2.840.10008.1.2.4.106", "1.2.840.10008.1.2.4.107", "1.2.840.10008.1.2.4.108":
		return "MPEG-4 video"
	case "1.2.840.10008.1.2.4.109", "1.2.840.10008.1.2.4.110":
		return "HEVC video"
	case "1.2.840.10008.1.2.1.98", "1.2.840.10008.1.2.1.99":
		return "deflate"
	case "":
		return "unknown"
	}
	return "an unknown method (" + ts + ")"
}

// KnownSyntax reports whether ts is a transfer syntax of the DICOM
// standard that we recognise (images with others are left out).
func KnownSyntax(ts string) bool {
	return ts == "" || !strings.HasPrefix(SyntaxName(ts), "an unknown")
}

// mediaScan is media.ScanDICOM with its error as a sentence.
func mediaScan(r io.ReadSeeker, size int64) (media.DICOMLayout, error) {
	lay, err := media.ScanDICOM(r, size)
	if err != nil {
		return lay, explainScan(err)
	}
	return lay, nil
}

// readableSyntax refuses a transfer syntax the parser cannot read the
// dataset of (it would have no byte order for an unknown one).
func readableSyntax(ts string) error {
	switch {
	case ts == "" || ts == ImplicitLE || ts == ExplicitBE:
		return nil
	case !KnownSyntax(ts):
		return &Error{Msg: fmt.Sprintf("Its images are stored with a compression DICOM does not define (%s), so it cannot be read.", ts), Err: ErrUnreadable}
	case SyntaxName(ts) == "deflate":
		return &Error{Msg: "It is stored deflated (zip-compressed inside), which Second Opinion cannot read yet.", Err: ErrUnreadable}
	}
	return nil
}

// recoverError turns a panic of the DICOM library (it indexes values it
// has not checked) into an error.
func recoverError(err *error) {
	if p := recover(); p != nil {
		*err = &Error{Msg: "It is damaged, so it cannot be read as DICOM.", Err: fmt.Errorf("%w: the DICOM reader failed: %v", ErrUnreadable, p)}
	}
}
