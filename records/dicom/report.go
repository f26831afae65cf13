package dicom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// MaxPDF bounds an encapsulated PDF's size.
const MaxPDF = 256 << 20

// ExtractPDF returns the PDF an encapsulated-PDF DICOM file carries.
func ExtractPDF(ctx context.Context, r io.ReadSeeker, size int64) (_ []byte, err error) {
	defer recoverError(&err)
	p, err := parser(r, size)
	if err != nil {
		return nil, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) {
			break
		}
		if err != nil {
			return nil, &Error{Msg: "The report in it is damaged or cut short.", Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
		}
		if e.Tag != tag.EncapsulatedDocument {
			continue
		}
		b, ok := e.Value.GetValue().([]byte)
		if !ok || len(b) == 0 {
			break
		}
		if len(b) > MaxPDF {
			return nil, &Error{Msg: "The report in it is too large.", Err: ErrUnreadable}
		}
		// The value is padded to an even length with one NUL.
		if len(b)%2 == 0 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
		if !strings.Contains(string(b[:min(len(b), 1024)]), "%PDF-") {
			return nil, &Error{Msg: "The document in it is not a PDF.", Err: ErrUnreadable}
		}
		return b, nil
	}
	return nil, &Error{Msg: "It holds no PDF report.", Err: ErrUnreadable}
}

// Report is the readable text of a structured report.
type Report struct {
	Title string
	Date  string // YYYYMMDD, the content or study date
	Lines []Line
}

// Line is one line of a report: a heading (a container) or a value,
// indented by its depth in the content tree.
type Line struct {
	Depth   int
	Heading bool
	Text    string
}

// maxReportDepth bounds how deep the content tree is followed, and
// maxReportLines how much of it is kept.
const (
	maxReportDepth = 12
	maxReportLines = 5000
)

var (
	tValueType    = tag.Tag{Group: 0x0040, Element: 0xA040}
	tConceptName  = tag.Tag{Group: 0x0040, Element: 0xA043}
	tConceptCode  = tag.Tag{Group: 0x0040, Element: 0xA168}
	tTextValue    = tag.Tag{Group: 0x0040, Element: 0xA160}
	tMeasured     = tag.Tag{Group: 0x0040, Element: 0xA300}
	tNumericValue = tag.Tag{Group: 0x0040, Element: 0xA30A}
	tUnits        = tag.Tag{Group: 0x0040, Element: 0x08EA}
	tDate         = tag.Tag{Group: 0x0040, Element: 0xA121}
	tTime         = tag.Tag{Group: 0x0040, Element: 0xA122}
	tDateTime     = tag.Tag{Group: 0x0040, Element: 0xA120}
	tPersonName   = tag.Tag{Group: 0x0040, Element: 0xA123}
	tUID          = tag.Tag{Group: 0x0040, Element: 0xA124}
	tContentSeq   = tag.Tag{Group: 0x0040, Element: 0xA730}
	tCodeMeaning  = tag.Tag{Group: 0x0008, Element: 0x0104}
	tCodeValue    = tag.Tag{Group: 0x0008, Element: 0x0100}
	tContentDate  = tag.Tag{Group: 0x0008, Element: 0x0023}
	tStudyDate    = tag.Tag{Group: 0x0008, Element: 0x0020}
)

// ReadReport reads a structured report's content tree as text: headings,
// text, codes, numbers with their units, dates, names.
func ReadReport(ctx context.Context, r io.ReadSeeker, size int64) (_ Report, err error) {
	defer recoverError(&err)
	p, err := parser(r, size)
	if err != nil {
		return Report{}, err
	}
	var top []*dicom.Element
	for {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) {
			break
		}
		if err != nil {
			return Report{}, &Error{Msg: "The report in it is damaged or cut short.", Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
		}
		top = append(top, e)
		if e.Tag == tag.PixelData {
			break
		}
	}
	var rep Report
	for _, e := range top {
		switch e.Tag {
		case tConceptName:
			rep.Title = codeMeaning(e)
		case tContentDate:
			rep.Date = str(e)
		case tStudyDate:
			if rep.Date == "" {
				rep.Date = str(e)
			}
		}
	}
	for _, e := range top {
		if e.Tag == tContentSeq {
			walkContent(e, 0, &rep)
		}
	}
	if rep.Title == "" {
		rep.Title = "Structured report"
	}
	if len(rep.Lines) == 0 {
		return rep, &Error{Msg: "The report in it is empty.", Err: ErrUnreadable}
	}
	return rep, nil
}

func items(e *dicom.Element) [][]*dicom.Element {
	its, ok := e.Value.GetValue().([]*dicom.SequenceItemValue)
	if !ok {
		return nil
	}
	var out [][]*dicom.Element
	for _, it := range its {
		if els, ok := it.GetValue().([]*dicom.Element); ok {
			out = append(out, els)
		}
	}
	return out
}

// codeMeaning is the meaning of the first code of a code sequence.
func codeMeaning(e *dicom.Element) string {
	for _, it := range items(e) {
		var meaning, value string
		for _, c := range it {
			switch c.Tag {
			case tCodeMeaning:
				meaning = str(c)
			case tCodeValue:
				value = str(c)
			}
		}
		if meaning != "" {
			return meaning
		}
		return value
	}
	return ""
}

func walkContent(seq *dicom.Element, depth int, rep *Report) {
	if depth > maxReportDepth {
		return
	}
	for _, it := range items(seq) {
		if len(rep.Lines) >= maxReportLines {
			return
		}
		var vt, name, value string
		var children *dicom.Element
		for _, c := range it {
			switch c.Tag {
			case tValueType:
				vt = strings.ToUpper(str(c))
			case tConceptName:
				name = codeMeaning(c)
			case tTextValue, tPersonName, tUID:
				value = str(c)
				if c.Tag == tPersonName {
					value = PersonName(value)
				}
			case tDateTime:
				dt := str(c)
				value = readableDate(dt[:min(len(dt), 8)])
				if len(dt) >= 12 {
					value += " " + readableTime(dt[8:])
				}
			case tDate:
				value = readableDate(str(c))
			case tTime:
				value = readableTime(str(c))
			case tConceptCode:
				value = codeMeaning(c)
			case tMeasured:
				for _, m := range items(c) {
					var num, unit string
					for _, mc := range m {
						switch mc.Tag {
						case tNumericValue:
							num = str(mc)
						case tUnits:
							unit = codeMeaning(mc)
							if mc2 := unitCode(mc); mc2 != "" && len(mc2) < len(unit) {
								unit = mc2
							}
						}
					}
					value = strings.TrimSpace(num + " " + unit)
				}
			case tContentSeq:
				children = c
			}
		}
		switch {
		case vt == "CONTAINER":
			if name != "" {
				rep.Lines = append(rep.Lines, Line{Depth: depth, Heading: true, Text: name})
			}
		case vt == "IMAGE" || vt == "COMPOSITE" || vt == "WAVEFORM" || vt == "SCOORD" || vt == "SCOORD3D" || vt == "TCOORD":
			// References to images and coordinates: not readable text.
		case name != "" && value != "":
			rep.Lines = append(rep.Lines, Line{Depth: depth, Text: name + ": " + value})
		case value != "":
			rep.Lines = append(rep.Lines, Line{Depth: depth, Text: value})
		}
		if children != nil {
			walkContent(children, depth+1, rep)
		}
	}
}

// unitCode is the UCUM code of a units sequence ("mm", "cm2").
func unitCode(e *dicom.Element) string {
	for _, it := range items(e) {
		for _, c := range it {
			if c.Tag == tCodeValue {
				return str(c)
			}
		}
	}
	return ""
}

func readableDate(da string) string {
	if len(da) == 8 {
		return da[:4] + "-" + da[4:6] + "-" + da[6:]
	}
	return da
}

// readableTime shows a DICOM time (HHMMSS.frac) as HH:MM.
func readableTime(tm string) string {
	tm = strings.ReplaceAll(tm, ":", "")
	if len(tm) >= 4 {
		return tm[:2] + ":" + tm[2:4]
	}
	return tm
}

// Text is the report as plain text, indented by depth.
func (r Report) Text() string {
	var b strings.Builder
	b.WriteString(r.Title + "\n")
	for _, l := range r.Lines {
		b.WriteString(strings.Repeat("  ", l.Depth) + l.Text + "\n")
	}
	return b.String()
}
