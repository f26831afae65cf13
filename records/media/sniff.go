package media

import (
	"bytes"
	"encoding/binary"
)

// Sniff returns the media type of a file from its first bytes (pass at
// least 512 when the file has them, up to 4096), or "" when it is none of
// the types this package reads. It looks only at content, never at a name.
//
// A PDF is recognised when "%PDF-" appears within the first 1024 bytes, as
// PDF readers tolerate leading junk. A DICOM file is recognised by "DICM"
// at offset 128, or, for a bare dataset without the preamble and file meta
// header, by a first element in group 0x0008 with a plausible encoding.
func Sniff(head []byte) string {
	switch {
	case len(head) >= 132 && string(head[128:132]) == "DICM":
		// Checked first: a DICOM preamble may itself be a TIFF header
		// (dual-personality files such as pydicom's CT_small.dcm).
		return DICOM
	case bytes.HasPrefix(head, []byte("\xFF\xD8\xFF")):
		return JPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1A\n")):
		return PNG
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return GIF
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TIFF
	case len(head) >= 16 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return WebP
	case isBMP(head):
		return BMP
	case isHEIC(head):
		return HEIC
	case bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-")):
		return PDF
	case bareDICOMStart(head) >= 0:
		return DICOM
	}
	return ""
}

// isBMP checks the "BM" magic and the size of the DIB header that follows
// the 14-byte file header, since "BM" alone also starts ordinary text.
func isBMP(head []byte) bool {
	if len(head) < 18 || string(head[:2]) != "BM" {
		return false
	}
	switch binary.LittleEndian.Uint32(head[14:18]) {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// dicomVRs lists the two-letter value representations of explicit-VR DICOM.
const dicomVRs = "AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV"

// bareDICOMStart recognises a DICOM dataset stored without the 128-byte
// preamble and "DICM" (as some old systems wrote them) and returns the
// offset of its first element, or -1. Such a file starts with the lowest
// tags of the identifying group 0x0008, little endian; its first two
// elements must both decode plausibly as explicit VR (two known VR letters)
// or implicit VR (a small even length). Up to maxBareDICOMJunk stray bytes
// before the first element are tolerated: pydicom's no_meta.dcm starts with
// one (0x20).
func bareDICOMStart(head []byte) int {
	for start := 0; start <= maxBareDICOMJunk; start++ {
		if isBareDICOM(head[min(start, len(head)):]) {
			return start
		}
	}
	return -1
}

const maxBareDICOMJunk = 3

// isBareDICOM reports whether head starts with two plausible group 0x0008
// DICOM elements.
func isBareDICOM(head []byte) bool {
	off := 0
	for i := range 2 {
		if len(head) < off+8 {
			return false
		}
		group := binary.LittleEndian.Uint16(head[off:])
		elem := binary.LittleEndian.Uint16(head[off+2:])
		if group != 0x0008 || (i == 0 && elem > 0x0020) {
			return false
		}
		vr := string(head[off+4 : off+6])
		var length int
		switch {
		case isVR(vr) && (vr == "OB" || vr == "OW" || vr == "SQ" || vr == "UN" || vr == "UT" || vr == "UC" || vr == "UR" || vr == "OF" || vr == "OD" || vr == "OL" || vr == "OV" || vr == "SV" || vr == "UV"):
			if len(head) < off+12 {
				return false
			}
			length = int(binary.LittleEndian.Uint32(head[off+8:]))
			off += 12
		case isVR(vr):
			length = int(binary.LittleEndian.Uint16(head[off+6:]))
			off += 8
		default:
			length = int(binary.LittleEndian.Uint32(head[off+4:]))
			off += 8
		}
		if length%2 != 0 || length > 1024 {
			return false
		}
		off += length
	}
	return true
}

func isVR(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
		bytes.Contains([]byte(dicomVRs), []byte(s))
}

// isHEIC recognises an ISO base media file whose first box is "ftyp" with
// a HEIF picture brand: heic, heix (HEVC pictures) or mif1 (HEIF), as the
// major brand or among the compatible ones.
func isHEIC(head []byte) bool {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return false
	}
	n := int(binary.BigEndian.Uint32(head[:4]))
	if n < 16 || n > len(head) {
		n = min(len(head), 64)
	}
	heif := func(b string) bool { return b == "heic" || b == "heix" || b == "mif1" }
	if heif(string(head[8:12])) {
		return true
	}
	for i := 16; i+4 <= n; i += 4 {
		if heif(string(head[i : i+4])) {
			return true
		}
	}
	return false
}
