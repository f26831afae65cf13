// Package dicomtest builds DICOM files for tests and benchmarks: images of
// known pixel values (signed, rescaled, windowed, MONOCHROME1, multi-frame,
// colour) that a renderer's output can be checked against.
package dicomtest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
)

// Image describes a DICOM image file to build (explicit VR little endian
// with a preamble and file meta group, unless Syntax says otherwise).
type Image struct {
	PatientName, PatientID, BirthDate string
	StudyUID, StudyDate, StudyDesc    string
	SeriesUID, SeriesDesc, Modality   string
	SeriesNumber, InstanceNumber      int
	SOPInstanceUID                    string
	Syntax                            string // transfer syntax UID; "" explicit VR LE
	Rows, Cols, Frames                int
	Samples                           int    // 1 or 3
	Photometric                       string // MONOCHROME2 when ""
	Planar                            int
	BitsAllocated, BitsStored         int
	Signed                            bool
	Slope, Intercept                  float64 // Slope 0: no rescale elements
	Center, Width                     float64 // Width 0: no window elements
	SliceLocation                     float64
	// Private, when set, is a private OB element (0009,1010) of these
	// bytes before the image.
	Private []byte
	// Pixels are the stored values, frame after frame, sample after
	// sample as the file holds them (colour planes one after the other
	// when Planar is 1).
	Pixels []int
}

type element struct {
	tag   uint32
	vr    string
	value []byte
}

func str(tag uint32, vr, s string) element {
	b := []byte(s)
	if len(b)%2 == 1 {
		if vr == "UI" {
			b = append(b, 0)
		} else {
			b = append(b, ' ')
		}
	}
	return element{tag, vr, b}
}

func us(tag uint32, v int) element {
	return element{tag, "US", binary.LittleEndian.AppendUint16(nil, uint16(v))}
}

func encode(w *bytes.Buffer, e element) {
	binary.Write(w, binary.LittleEndian, uint16(e.tag>>16))
	binary.Write(w, binary.LittleEndian, uint16(e.tag))
	w.WriteString(e.vr)
	switch e.vr {
	case "OB", "OW", "SQ", "UN", "UT":
		w.Write([]byte{0, 0})
		binary.Write(w, binary.LittleEndian, uint32(len(e.value)))
	default:
		binary.Write(w, binary.LittleEndian, uint16(len(e.value)))
	}
	w.Write(e.value)
}

func ds(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Bytes is the DICOM file.
func (im Image) Bytes() []byte {
	ts := im.Syntax
	if ts == "" {
		ts = "1.2.840.10008.1.2.1"
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&im.Photometric, "MONOCHROME2")
	def(&im.Modality, "OT")
	def(&im.StudyUID, "1.2.826.0.1.3680043.2.1125.1")
	def(&im.SeriesUID, im.StudyUID+".1")
	def(&im.SOPInstanceUID, fmt.Sprintf("%s.%d", im.SeriesUID, im.InstanceNumber))
	if im.Samples == 0 {
		im.Samples = 1
	}
	if im.Frames == 0 {
		im.Frames = 1
	}
	if im.BitsAllocated == 0 {
		im.BitsAllocated = 16
	}
	if im.BitsStored == 0 {
		im.BitsStored = im.BitsAllocated
	}
	sop := "1.2.840.10008.5.1.4.1.1.7"
	if im.Modality == "CT" {
		sop = "1.2.840.10008.5.1.4.1.1.2"
	}
	var meta bytes.Buffer
	for _, e := range []element{
		{0x00020001, "OB", []byte{0, 1}},
		str(0x00020002, "UI", sop),
		str(0x00020003, "UI", im.SOPInstanceUID),
		str(0x00020010, "UI", ts),
	} {
		encode(&meta, e)
	}
	els := []element{
		str(0x00080016, "UI", sop),
		str(0x00080018, "UI", im.SOPInstanceUID),
		str(0x00080020, "DA", im.StudyDate),
		str(0x00080060, "CS", im.Modality),
		str(0x00081030, "LO", im.StudyDesc),
		str(0x0008103E, "LO", im.SeriesDesc),
		str(0x00100010, "PN", im.PatientName),
		str(0x00100020, "LO", im.PatientID),
		str(0x00100030, "DA", im.BirthDate),
		str(0x0020000D, "UI", im.StudyUID),
		str(0x0020000E, "UI", im.SeriesUID),
		str(0x00200011, "IS", strconv.Itoa(im.SeriesNumber)),
		str(0x00200013, "IS", strconv.Itoa(im.InstanceNumber)),
		str(0x00201041, "DS", ds(im.SliceLocation)),
		us(0x00280002, im.Samples),
		str(0x00280004, "CS", im.Photometric),
		str(0x00280008, "IS", strconv.Itoa(im.Frames)),
		us(0x00280010, im.Rows),
		us(0x00280011, im.Cols),
		us(0x00280100, im.BitsAllocated),
		us(0x00280101, im.BitsStored),
		us(0x00280102, im.BitsStored-1),
		us(0x00280103, map[bool]int{false: 0, true: 1}[im.Signed]),
	}
	if im.Samples > 1 {
		els = append(els, us(0x00280006, im.Planar))
	}
	if im.Private != nil {
		els = append(els, str(0x00090010, "LO", "SECONDOPINION TEST"), element{0x00091010, "OB", im.Private})
	}
	if im.Width > 0 {
		els = append(els, str(0x00281050, "DS", ds(im.Center)), str(0x00281051, "DS", ds(im.Width)))
	}
	if im.Slope != 0 {
		els = append(els, str(0x00281052, "DS", ds(im.Intercept)), str(0x00281053, "DS", ds(im.Slope)))
	}
	var pix []byte
	for _, v := range im.Pixels {
		if im.BitsAllocated == 8 {
			pix = append(pix, byte(v))
		} else {
			pix = binary.LittleEndian.AppendUint16(pix, uint16(v))
		}
	}
	if len(pix)%2 == 1 {
		pix = append(pix, 0)
	}
	vr := "OW"
	if im.BitsAllocated == 8 {
		vr = "OB"
	}
	els = append(els, element{0x7FE00010, vr, pix})
	sort.SliceStable(els, func(i, j int) bool { return els[i].tag < els[j].tag })

	var out bytes.Buffer
	out.Write(make([]byte, 128))
	out.WriteString("DICM")
	encode(&out, element{0x00020000, "UL", binary.LittleEndian.AppendUint32(nil, uint32(meta.Len()))})
	out.Write(meta.Bytes())
	for _, e := range els {
		encode(&out, e)
	}
	return out.Bytes()
}

// CT returns a w×h CT slice of signed 16-bit values in Hounsfield units
// plus 1024 stored, with the soft-tissue window in the file: a disc of
// water (0 HU) in air (-1000 HU) with a brighter ring, varied by seed.
func CT(w, h, instance int, seed int) Image {
	px := make([]int, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := x-w/2, y-h/2
			r2 := dx*dx + dy*dy
			hu := -1000
			switch {
			case r2 < (w/3)*(w/3):
				hu = (x*7+y*3+seed)%80 - 40
			case r2 < (w/3+4)*(w/3+4):
				hu = 700
			}
			px[y*w+x] = int(uint16(int16(hu + 1024 - 1024))) // stored as HU with intercept 0
		}
	}
	return Image{PatientName: "MARSH^HELEN", PatientID: "HM1", BirthDate: "19600214", StudyDate: "20240301",
		StudyDesc: "CT CHEST", SeriesDesc: "AXIAL 5MM", Modality: "CT", SeriesNumber: 2, InstanceNumber: instance,
		Rows: h, Cols: w, BitsAllocated: 16, BitsStored: 16, Signed: true, Slope: 1, Intercept: 0,
		Center: 40, Width: 400, SliceLocation: float64(instance) * 5, Pixels: px}
}

// EncapsulatedPDF is a DICOM Encapsulated PDF (SOP class
// 1.2.840.10008.5.1.4.1.1.104.1) carrying pdf, for the patient and study of
// im.
func EncapsulatedPDF(im Image, pdf []byte) []byte {
	const sop = "1.2.840.10008.5.1.4.1.1.104.1"
	if im.SOPInstanceUID == "" {
		im.SOPInstanceUID = "1.2.826.0.1.3680043.2.1125.9.1"
	}
	if im.StudyUID == "" {
		im.StudyUID = "1.2.826.0.1.3680043.2.1125.1"
	}
	if im.SeriesUID == "" {
		im.SeriesUID = im.StudyUID + ".99"
	}
	var meta bytes.Buffer
	for _, e := range []element{
		{0x00020001, "OB", []byte{0, 1}},
		str(0x00020002, "UI", sop),
		str(0x00020003, "UI", im.SOPInstanceUID),
		str(0x00020010, "UI", "1.2.840.10008.1.2.1"),
	} {
		encode(&meta, e)
	}
	doc := append([]byte{}, pdf...)
	if len(doc)%2 == 1 {
		doc = append(doc, 0)
	}
	els := []element{
		str(0x00080016, "UI", sop),
		str(0x00080018, "UI", im.SOPInstanceUID),
		str(0x00080020, "DA", im.StudyDate),
		str(0x00080060, "CS", "DOC"),
		str(0x00081030, "LO", im.StudyDesc),
		str(0x00100010, "PN", im.PatientName),
		str(0x00100020, "LO", im.PatientID),
		str(0x00100030, "DA", im.BirthDate),
		str(0x0020000D, "UI", im.StudyUID),
		str(0x0020000E, "UI", im.SeriesUID),
		str(0x00200011, "IS", "99"),
		str(0x00200013, "IS", "1"),
		str(0x00420010, "ST", "Radiology report"),
		{0x00420011, "OB", doc},
		str(0x00420012, "LO", "application/pdf"),
	}
	var out bytes.Buffer
	out.Write(make([]byte, 128))
	out.WriteString("DICM")
	encode(&out, element{0x00020000, "UL", binary.LittleEndian.AppendUint32(nil, uint32(meta.Len()))})
	out.Write(meta.Bytes())
	for _, e := range els {
		encode(&out, e)
	}
	return out.Bytes()
}
