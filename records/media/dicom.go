package media

// DICOM files are read with github.com/suyashkumar/dicom, a pure-Go parser
// that handles explicit and implicit VR, big endian, nested sequences and
// the character sets hospitals use, element by element from a stream.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// inspectDICOM reads the identifying elements of a DICOM file: modality,
// descriptions, image size and number of frames. It stops before the pixel
// data (elements come in ascending tag order and everything wanted lives in
// groups 0x0008 to 0x0028), so even a large X-ray is read only in part.
// scanDICOM has checked the element stream first, so the library meets
// neither deep nesting nor impossible lengths.
func inspectDICOM(ctx context.Context, r io.ReadSeeker, size int64) (Info, error) {
	var head [140]byte
	n, err := readHead(r, head[:])
	if err != nil {
		return Info{}, fmt.Errorf("inspect DICOM: %v: %w", err, ErrUnreadable)
	}
	bare, start := n < 132 || string(head[128:132]) != "DICM", 0
	if bare {
		if start = bareDICOMStart(head[:n]); start < 0 {
			return Info{}, fmt.Errorf("inspect DICOM: no DICOM header: %w", ErrUnreadable)
		}
	}
	// Without a file meta header the transfer syntax is unknown; the
	// library assumes implicit VR, so say so when the first element
	// carries VR letters.
	implicit := bare && !isVR(string(head[start+4:start+6]))
	scan, err := scanDICOM(r, size, int64(start), !bare, implicit)
	if err != nil {
		return Info{}, fmt.Errorf("inspect DICOM: %w", err)
	}
	if _, err := r.Seek(int64(start), io.SeekStart); err != nil {
		return Info{}, fmt.Errorf("inspect DICOM: %v: %w", err, ErrUnreadable)
	}
	opts := []dicom.ParseOption{dicom.SkipPixelData(), dicom.AllowMissingMetaElementGroupLength()}
	if bare {
		opts = append(opts, dicom.SkipMetadataReadOnNewParserInit())
	}
	p, err := dicom.NewParser(r, size-int64(start), nil, opts...)
	if err != nil {
		return Info{}, fmt.Errorf("inspect DICOM: %v: %w", err, ErrUnreadable)
	}
	if bare {
		p.SetTransferSyntax(binary.LittleEndian, implicit)
	}

	info := Info{Pages: 1}
	var study, series string
	for {
		if err := ctx.Err(); err != nil {
			return Info{}, err
		}
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) {
			break
		}
		if err != nil {
			return Info{}, fmt.Errorf("inspect DICOM: %v: %w", err, ErrUnreadable)
		}
		if e.Tag.Group > 0x0028 {
			break
		}
		switch e.Tag {
		case tag.Modality:
			info.Modality = dicomString(e)
		case tag.PatientName:
			info.PatientName = personName(dicomString(e))
		case tag.StudyDate:
			info.StudyDate = dicomString(e)
		case tag.AccessionNumber:
			info.Accession = dicomString(e)
		case tag.InstitutionName:
			info.Institution = dicomString(e)
		case tag.StudyDescription:
			study = dicomString(e)
		case tag.SeriesDescription:
			series = dicomString(e)
		case tag.Rows:
			info.Height = dicomInt(e)
		case tag.Columns:
			info.Width = dicomInt(e)
		case tag.NumberOfFrames:
			if f := dicomInt(e); f > 0 {
				info.Pages = f
			}
		}
	}
	if err := checkFrames(info.Pages, info.Height, info.Width, scan); err != nil {
		return Info{}, fmt.Errorf("inspect DICOM: %w", err)
	}
	switch {
	case study != "" && series != "" && study != series:
		info.Description = study + " / " + series
	case series != "":
		info.Description = series
	default:
		info.Description = study
	}
	return info, nil
}

// personName turns a DICOM person name ("Family^Given^Middle^Prefix^Suffix",
// then "=" and the same in ideographic and phonetic forms) into "Given
// Middle Family", from the first form that has one.
func personName(pn string) string {
	for _, group := range strings.Split(pn, "=") {
		parts := strings.Split(group, "^")
		var words []string
		if len(parts) > 3 {
			words = append(words, parts[3]) // prefix
		}
		for _, i := range []int{1, 2, 0} {
			if i < len(parts) {
				words = append(words, parts[i])
			}
		}
		if len(parts) > 4 {
			words = append(words, parts[4]) // suffix
		}
		if name := strings.Join(strings.Fields(strings.Join(words, " ")), " "); name != "" {
			return name
		}
	}
	return ""
}

// dicomString returns an element's value as text, multiple values joined by
// backslashes as DICOM stores them.
func dicomString(e *dicom.Element) string {
	if v, ok := e.Value.GetValue().([]string); ok {
		return strings.TrimSpace(strings.Join(v, `\`))
	}
	return ""
}

// dicomInt returns the first value of an integer (US) or integer-string
// (IS) element, 0 when it has none.
func dicomInt(e *dicom.Element) int {
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
