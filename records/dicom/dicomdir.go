package dicom

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// A DICOMDIR for an enclosure: the patients, studies, series and images of
// the files copied beside it, each image record naming its file by a file
// ID of ISO 9660 components (DICOM\P0000001\S0000001\I0000001).

// DirPatient is a patient record of a DICOMDIR.
type DirPatient struct {
	Name, ID, Birth string // as in DICOM: FAMILY^GIVEN, YYYYMMDD
	Studies         []DirStudy
}

// DirStudy is a study record.
type DirStudy struct {
	UID, Date, Time, Description, ID, Accession string
	Series                                      []DirSeries
}

// DirSeries is a series record.
type DirSeries struct {
	UID, Modality string
	Number        int
	Images        []DirImage
}

// DirImage is the record of one file: an image, or a document (an
// encapsulated PDF is an "ENCAP DOC" record, a structured report an "SR
// DOCUMENT" one, chosen by SOP class).
type DirImage struct {
	// FileID is the file's path under the DICOMDIR's folder, components
	// separated by backslashes or slashes: up to 8 characters each of
	// A-Z, 0-9 and _, at most 8 components.
	FileID                                      string
	SOPClassUID, SOPInstanceUID, TransferSyntax string
	Number                                      int
}

// FileIDComponents checks a file ID and returns its components.
func FileIDComponents(id string) ([]string, error) {
	parts := strings.FieldsFunc(id, func(r rune) bool { return r == '\\' || r == '/' })
	if len(parts) == 0 || len(parts) > 8 {
		return nil, fmt.Errorf("DICOMDIR file ID %q: want 1 to 8 components", id)
	}
	for _, p := range parts {
		if len(p) > 8 {
			return nil, fmt.Errorf("DICOMDIR file ID %q: component %q is longer than 8 characters", id, p)
		}
		for _, r := range p {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
				return nil, fmt.Errorf("DICOMDIR file ID %q: component %q may hold only A-Z, 0-9 and _", id, p)
			}
		}
	}
	return parts, nil
}

// dirRecord is one directory record being laid out.
type dirRecord struct {
	kind     string
	elems    []elem // after the four offset/flag/type elements
	children []*dirRecord
	next     *dirRecord
	offset   uint32
	size     int // of the item, its header included
}

type elem struct {
	group, element uint16
	vr             string
	value          []byte
}

func strElem(g, e uint16, vr, s string) elem {
	b := []byte(s)
	if len(b)%2 == 1 {
		if vr == "UI" {
			b = append(b, 0)
		} else {
			b = append(b, ' ')
		}
	}
	return elem{g, e, vr, b}
}

func (e elem) encode(w *bytes.Buffer) {
	var h [12]byte
	binary.LittleEndian.PutUint16(h[0:], e.group)
	binary.LittleEndian.PutUint16(h[2:], e.element)
	copy(h[4:], e.vr)
	switch e.vr {
	case "OB", "OW", "SQ", "UN", "UT":
		binary.LittleEndian.PutUint32(h[8:], uint32(len(e.value)))
		w.Write(h[:12])
	default:
		binary.LittleEndian.PutUint16(h[6:], uint16(len(e.value)))
		w.Write(h[:8])
	}
	w.Write(e.value)
}

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func u16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

// body encodes a record's elements with its offsets as now known.
func (r *dirRecord) body() []byte {
	var b bytes.Buffer
	var next, lower uint32
	if r.next != nil {
		next = r.next.offset
	}
	if len(r.children) > 0 {
		lower = r.children[0].offset
	}
	elem{0x0004, 0x1400, "UL", u32(next)}.encode(&b)
	elem{0x0004, 0x1410, "US", u16(0xFFFF)}.encode(&b)
	elem{0x0004, 0x1420, "UL", u32(lower)}.encode(&b)
	strElem(0x0004, 0x1430, "CS", r.kind).encode(&b)
	for _, e := range r.elems {
		e.encode(&b)
	}
	return b.Bytes()
}

// WriteDICOMDIR writes a DICOMDIR (a Media Storage Directory, explicit VR
// little endian) listing patients' studies, series and files.
func WriteDICOMDIR(w io.Writer, patients []DirPatient) error {
	unicode := false
	check := func(s string) {
		for _, r := range s {
			if r > 0x7E {
				unicode = true
			}
		}
	}
	for _, p := range patients {
		check(p.Name + p.ID)
		for _, st := range p.Studies {
			check(st.Description + st.ID + st.Accession)
		}
	}
	charset := func(r *dirRecord) {
		if unicode {
			r.elems = append([]elem{strElem(0x0008, 0x0005, "CS", "ISO_IR 192")}, r.elems...)
		}
	}
	var roots []*dirRecord
	for _, p := range patients {
		pr := &dirRecord{kind: "PATIENT", elems: []elem{
			strElem(0x0010, 0x0010, "PN", p.Name),
			strElem(0x0010, 0x0020, "LO", p.ID),
			strElem(0x0010, 0x0030, "DA", p.Birth),
		}}
		charset(pr)
		for _, st := range p.Studies {
			if st.UID == "" {
				return fmt.Errorf("DICOMDIR: a study of %s has no Study Instance UID", p.Name)
			}
			sr := &dirRecord{kind: "STUDY", elems: []elem{
				strElem(0x0008, 0x0020, "DA", st.Date),
				strElem(0x0008, 0x0030, "TM", st.Time),
				strElem(0x0008, 0x0050, "SH", st.Accession),
				strElem(0x0008, 0x1030, "LO", st.Description),
				strElem(0x0020, 0x000D, "UI", st.UID),
				strElem(0x0020, 0x0010, "SH", st.ID),
			}}
			charset(sr)
			for _, se := range st.Series {
				if se.UID == "" {
					return fmt.Errorf("DICOMDIR: a series of study %s has no Series Instance UID", st.UID)
				}
				ser := &dirRecord{kind: "SERIES", elems: []elem{
					strElem(0x0008, 0x0060, "CS", se.Modality),
					strElem(0x0020, 0x000E, "UI", se.UID),
					strElem(0x0020, 0x0011, "IS", strconv.Itoa(se.Number)),
				}}
				for _, im := range se.Images {
					parts, err := FileIDComponents(im.FileID)
					if err != nil {
						return err
					}
					kind := "IMAGE"
					switch {
					case im.SOPClassUID == SOPEncapsulatedPDF:
						kind = "ENCAP DOC"
					case strings.HasPrefix(im.SOPClassUID, "1.2.840.10008.5.1.4.1.1.88."):
						kind = "SR DOCUMENT"
					}
					ir := &dirRecord{kind: kind, elems: []elem{
						strElem(0x0004, 0x1500, "CS", strings.Join(parts, `\`)),
						strElem(0x0004, 0x1510, "UI", im.SOPClassUID),
						strElem(0x0004, 0x1511, "UI", im.SOPInstanceUID),
						strElem(0x0004, 0x1512, "UI", im.TransferSyntax),
					}}
					switch kind {
					case "ENCAP DOC":
						ir.elems = append(ir.elems,
							strElem(0x0008, 0x0023, "DA", ""), strElem(0x0008, 0x0033, "TM", ""),
							strElem(0x0020, 0x0013, "IS", strconv.Itoa(im.Number)),
							strElem(0x0042, 0x0010, "ST", ""), strElem(0x0042, 0x0012, "LO", "application/pdf"))
					default:
						ir.elems = append(ir.elems, strElem(0x0020, 0x0013, "IS", strconv.Itoa(im.Number)))
					}
					ser.children = append(ser.children, ir)
				}
				sr.children = append(sr.children, ser)
			}
			pr.children = append(pr.children, sr)
		}
		roots = append(roots, pr)
	}
	// Siblings point at the next; the records are written depth first.
	var order []*dirRecord
	var link func(list []*dirRecord)
	link = func(list []*dirRecord) {
		for i, r := range list {
			if i+1 < len(list) {
				r.next = list[i+1]
			}
			order = append(order, r)
			link(r.children)
		}
	}
	link(roots)

	meta := fileMeta()
	// The dataset before the records: file-set ID, the two root offsets,
	// the consistency flag, then the sequence header.
	var headLen int
	{
		var b bytes.Buffer
		strElem(0x0004, 0x1130, "CS", "").encode(&b)
		elem{0x0004, 0x1200, "UL", u32(0)}.encode(&b)
		elem{0x0004, 0x1202, "UL", u32(0)}.encode(&b)
		elem{0x0004, 0x1212, "US", u16(0)}.encode(&b)
		headLen = b.Len() + 12
	}
	off := 128 + 4 + len(meta) + headLen
	seqLen := 0
	for _, r := range order {
		r.size = 8 + len(r.body()) // offsets do not change a record's size
		r.offset = uint32(off)
		off += r.size
		seqLen += r.size
	}
	if off > 1<<32-1 {
		return fmt.Errorf("DICOMDIR: too many records")
	}
	var out bytes.Buffer
	out.Write(make([]byte, 128))
	out.WriteString("DICM")
	out.Write(meta)
	var first, last uint32
	if len(roots) > 0 {
		first, last = roots[0].offset, roots[len(roots)-1].offset
	}
	strElem(0x0004, 0x1130, "CS", "").encode(&out)
	elem{0x0004, 0x1200, "UL", u32(first)}.encode(&out)
	elem{0x0004, 0x1202, "UL", u32(last)}.encode(&out)
	elem{0x0004, 0x1212, "US", u16(0)}.encode(&out)
	var sq [12]byte
	binary.LittleEndian.PutUint16(sq[0:], 0x0004)
	binary.LittleEndian.PutUint16(sq[2:], 0x1220)
	copy(sq[4:], "SQ")
	binary.LittleEndian.PutUint32(sq[8:], uint32(seqLen))
	out.Write(sq[:])
	for _, r := range order {
		if out.Len() != int(r.offset) {
			return fmt.Errorf("DICOMDIR: record laid out at %d, written at %d", r.offset, out.Len())
		}
		body := r.body()
		var ih [8]byte
		binary.LittleEndian.PutUint16(ih[0:], 0xFFFE)
		binary.LittleEndian.PutUint16(ih[2:], 0xE000)
		binary.LittleEndian.PutUint32(ih[4:], uint32(len(body)))
		out.Write(ih[:])
		out.Write(body)
	}
	_, err := w.Write(out.Bytes())
	return err
}

// implementationUID identifies Second Opinion as the writer (a UUID-derived
// UID under 2.25, as PS3.5 B.2 allows).
const implementationUID = "2.25.196207408766813651838377465392740528143"

// fileMeta is the file meta group of a DICOMDIR.
func fileMeta() []byte {
	var g bytes.Buffer
	elem{0x0002, 0x0001, "OB", []byte{0, 1}}.encode(&g)
	strElem(0x0002, 0x0002, "UI", mediaStorageDir).encode(&g)
	strElem(0x0002, 0x0003, "UI", NewUID()).encode(&g)
	strElem(0x0002, 0x0010, "UI", ExplicitLE).encode(&g)
	strElem(0x0002, 0x0012, "UI", implementationUID).encode(&g)
	strElem(0x0002, 0x0013, "SH", "SECONDOPINION").encode(&g)
	var out bytes.Buffer
	elem{0x0002, 0x0000, "UL", u32(uint32(g.Len()))}.encode(&out)
	out.Write(g.Bytes())
	return out.Bytes()
}

// NewUID returns a new unique UID under 2.25 (a random 128-bit number).
func NewUID() string {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		panic(err)
	}
	return "2.25." + n.String()
}
