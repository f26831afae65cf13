package media

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// Checking a DICOM file's element stream before the library reads it.
//
// suyashkumar/dicom reads sequences and items by recursion, so a file of a
// million nested sequences ends the process with a Go stack overflow, which
// no recover catches; and it allocates each element's stated length before
// reading it, so a 4 GB length in a small file asks for 4 GB. scanDICOM
// walks the same elements the same way the library does (the same
// dictionary decides the VR of implicit-VR elements, so it sees the same
// sequences and items), but iteratively, skipping values with Seek, and
// refuses nesting deeper than maxDICOMDepth, values longer than the file,
// and more elements than maxDICOMElements before the library stops reading.

const (
	// maxDICOMDepth bounds sequence and item nesting. Real files nest a
	// few levels (a referenced series inside a referenced study, or
	// structure-set contours); 32 leaves room and keeps the library's
	// recursion shallow.
	maxDICOMDepth = 32
	// maxDICOMElements bounds the elements the library holds in memory
	// (a few hundred bytes each) while inspectDICOM reads the header.
	maxDICOMElements = 500_000
	// maxDICOMFrames bounds a DICOM's frame count: a cine loop runs to a
	// few thousand frames; more is a lie or more than a packet can list.
	maxDICOMFrames = 10_000
)

const undefinedLength = 0xFFFFFFFF

// dicomScan is what scanDICOM learns about the pixel data.
type dicomScan struct {
	// pixelLen is the stated length of native (not encapsulated) pixel
	// data, -1 when there is none or it is encapsulated.
	pixelLen      int64
	pixelOffset   int64 // where the native pixel data's value starts
	bigEndian     bool  // the dataset is explicit VR big endian
	implicit      bool  // the dataset is implicit VR
	transfer      string
	bitsAllocated int
	samples       int
}

// dicomFrame is an open sequence or item during the scan.
type dicomFrame struct {
	end int64 // offset where a defined-length frame ends; -1 if undefined
	seq bool  // a sequence (else an item)
}

// scanDICOM checks the element stream of a DICOM file of size bytes, read
// from r at offset start. preamble says a 128-byte preamble and "DICM"
// come first, followed by the explicit-VR file meta group that names the
// transfer syntax; otherwise the dataset starts at once, little endian,
// implicit VR when implicit is set. Errors wrap ErrUnreadable or
// ErrTooLarge.
func scanDICOM(r io.ReadSeeker, size, start int64, preamble, implicit bool) (dicomScan, error) {
	s := dicomScan{pixelLen: -1}
	d := &dcmReader{r: r, size: size}
	if err := d.seek(start); err != nil {
		return s, err
	}
	bo := binary.ByteOrder(binary.LittleEndian)
	if preamble {
		if err := d.skip(132); err != nil {
			return s, err
		}
		// The file meta group: explicit VR little endian, group 0x0002.
		ts := ""
		for {
			g, ok := d.peekGroup()
			if !ok || g != 0x0002 {
				break
			}
			e, err := d.element(binary.LittleEndian, false)
			if err != nil {
				return s, err
			}
			if e.length == undefinedLength || e.length > d.left() {
				return s, fmt.Errorf("file meta element %v runs past the end of the file: %w", e.tag, ErrUnreadable)
			}
			if e.tag == tag.TransferSyntaxUID && e.length < 256 {
				b, err := d.read(int(e.length))
				if err != nil {
					return s, err
				}
				ts = strings.TrimRight(string(b), "\x00 ")
				continue
			}
			if err := d.skip(e.length); err != nil {
				return s, err
			}
		}
		switch ts {
		case "1.2.840.10008.1.2":
			implicit = true
		case "1.2.840.10008.1.2.2":
			bo = binary.BigEndian
			s.bigEndian = true
		}
		s.transfer = ts
	}
	s.implicit = implicit

	// The library reads the header (inspectDICOM stops after the first
	// element past group 0x0028); past it only the nesting is checked, and
	// any inconsistency just ends the scan, as the library never gets
	// there.
	var stack []dicomFrame
	elements, past := 0, false
	for {
		for len(stack) > 0 && stack[len(stack)-1].end >= 0 && d.pos >= stack[len(stack)-1].end {
			stack = stack[:len(stack)-1]
		}
		if d.left() == 0 {
			return s, nil
		}
		if elements++; elements > maxDICOMElements && !past {
			return s, fmt.Errorf("more than %d DICOM elements before the image: %w: %w", maxDICOMElements, ErrTooLarge, ErrUnreadable)
		}
		e, err := d.element(bo, implicit)
		if err != nil {
			if past {
				return s, nil
			}
			return s, err
		}
		depth := len(stack)
		switch {
		case e.tag == tag.SequenceDelimitationItem:
			for len(stack) > 0 {
				f := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if f.seq {
					break
				}
			}
			continue
		case e.tag == tag.ItemDelimitationItem:
			if len(stack) > 0 && !stack[len(stack)-1].seq {
				stack = stack[:len(stack)-1]
			}
			continue
		case e.tag == tag.Item, e.vr == "SQ":
			if depth+1 > maxDICOMDepth {
				return s, fmt.Errorf("DICOM sequences nested more than %d deep: %w", maxDICOMDepth, ErrUnreadable)
			}
			f := dicomFrame{end: -1, seq: e.tag != tag.Item}
			if e.length != undefinedLength {
				if e.length > d.left() && !past {
					return s, fmt.Errorf("DICOM element %v runs past the end of the file: %w", e.tag, ErrUnreadable)
				}
				f.end = d.pos + int64(e.length)
			}
			stack = append(stack, f)
			continue
		case e.tag == tag.PixelData:
			if e.length == undefinedLength {
				// Encapsulated: fragments, each a defined-length item,
				// up to a sequence delimiter.
				for d.left() > 0 {
					it, err := d.element(bo, true)
					if err != nil || it.tag != tag.Item || it.length == undefinedLength {
						break
					}
					if err := d.skip(it.length); err != nil {
						break
					}
				}
			} else {
				if depth == 0 {
					s.pixelLen = int64(e.length)
					s.pixelOffset = d.pos
				}
				if d.skip(e.length) != nil {
					return s, nil // cut short: the library stops before it
				}
			}
		default:
			if e.length == undefinedLength || e.length > d.left() {
				if past {
					return s, nil
				}
				return s, fmt.Errorf("DICOM element %v claims %d bytes, more than the file holds: %w", e.tag, e.length, ErrUnreadable)
			}
			if depth == 0 && (e.tag == tag.BitsAllocated || e.tag == tag.SamplesPerPixel) && e.length >= 2 {
				b, err := d.read(int(e.length))
				if err != nil {
					return s, err
				}
				if e.tag == tag.BitsAllocated {
					s.bitsAllocated = int(bo.Uint16(b))
				} else {
					s.samples = int(bo.Uint16(b))
				}
				break
			}
			if err := d.skip(e.length); err != nil {
				return s, err
			}
		}
		if depth == 0 && e.tag.Group > 0x0028 {
			past = true
		}
	}
}

// dcmElement is an element header.
type dcmElement struct {
	tag    tag.Tag
	vr     string
	length uint32
}

// dcmReader reads a file forward through a buffer, skipping with Seek.
type dcmReader struct {
	r    io.ReadSeeker
	br   *bufio.Reader
	pos  int64
	size int64
	buf  [12]byte
}

func (d *dcmReader) seek(off int64) error {
	if _, err := d.r.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	if d.br == nil {
		d.br = bufio.NewReaderSize(d.r, 32<<10)
	} else {
		d.br.Reset(d.r)
	}
	d.pos = off
	return nil
}

// left is how many bytes of the file remain, as a uint32 for comparing
// with element lengths.
func (d *dcmReader) left() uint32 {
	return uint32(min(max(d.size-d.pos, 0), undefinedLength-1))
}

var errDICOMCut = fmt.Errorf("the DICOM file ends in the middle of an element: %w", ErrUnreadable)

func (d *dcmReader) read(n int) ([]byte, error) {
	b := d.buf[:0]
	if n > len(d.buf) {
		b = make([]byte, n)
	} else {
		b = d.buf[:n]
	}
	k, err := io.ReadFull(d.br, b)
	d.pos += int64(k)
	if err != nil {
		return nil, errDICOMCut
	}
	return b, nil
}

func (d *dcmReader) skip(n uint32) error {
	if int64(n) > d.size-d.pos {
		return errDICOMCut
	}
	if int(n) <= d.br.Buffered() {
		d.br.Discard(int(n))
		d.pos += int64(n)
		return nil
	}
	return d.seek(d.pos + int64(n))
}

func (d *dcmReader) peekGroup() (uint16, bool) {
	b, err := d.br.Peek(2)
	if err != nil {
		return 0, false
	}
	return binary.LittleEndian.Uint16(b), true
}

// element reads an element header as suyashkumar/dicom does: items and
// delimiters always in implicit form, implicit elements' VR from the
// library's dictionary ("UN" when unknown), explicit lengths 4 bytes for
// the long VRs and 2 otherwise.
func (d *dcmReader) element(bo binary.ByteOrder, implicit bool) (dcmElement, error) {
	b, err := d.read(4)
	if err != nil {
		return dcmElement{}, err
	}
	e := dcmElement{tag: tag.Tag{Group: bo.Uint16(b), Element: bo.Uint16(b[2:])}}
	if implicit || e.tag.Group == 0xFFFE {
		if info, err := tag.Find(e.tag); err == nil {
			e.vr = info.VR
		} else {
			e.vr = "UN"
		}
		b, err := d.read(4)
		if err != nil {
			return dcmElement{}, err
		}
		e.length = bo.Uint32(b)
		return e, nil
	}
	if b, err = d.read(2); err != nil {
		return dcmElement{}, err
	}
	e.vr = string(b)
	switch e.vr {
	case "NA", "OB", "OD", "OF", "OL", "OW", "SQ", "UN", "UC", "UR", "UT":
		if b, err = d.read(6); err != nil {
			return dcmElement{}, err
		}
		e.length = bo.Uint32(b[2:])
	default:
		if b, err = d.read(2); err != nil {
			return dcmElement{}, err
		}
		e.length = uint32(bo.Uint16(b))
		if e.length == 0xFFFF {
			e.length = undefinedLength
		}
	}
	return e, nil
}

// checkFrames refuses a frame count that is absurd or that the pixel data
// cannot hold.
func checkFrames(frames, rows, cols int, s dicomScan) error {
	if frames > maxDICOMFrames {
		return fmt.Errorf("the DICOM image claims %d frames, more than the %d we read: %w: %w", frames, maxDICOMFrames, ErrTooLarge, ErrUnreadable)
	}
	if s.pixelLen < 0 || rows <= 0 || cols <= 0 || s.bitsAllocated <= 0 {
		return nil
	}
	samples := min(max(s.samples, 1), 4)
	bits := int64(frames) * int64(rows) * int64(cols) * int64(samples) * int64(min(s.bitsAllocated, 64))
	if need := (bits + 7) / 8; need > s.pixelLen+1 {
		return fmt.Errorf("the DICOM image claims %d frames of %d×%d but its pixel data holds %d bytes, not %d: %w", frames, cols, rows, s.pixelLen, need, ErrUnreadable)
	}
	return nil
}

// DICOMLayout is where the parts of a DICOM file lie, as the hardened scan
// found them: what records/dicom needs to read a file with
// suyashkumar/dicom safely and to find one frame's pixels without reading
// the others.
type DICOMLayout struct {
	// Start is where the preamble (Preamble set) or the bare dataset
	// begins.
	Start    int64
	Preamble bool
	// Implicit and BigEndian describe the dataset's encoding; for a file
	// with a preamble they follow its transfer syntax (Transfer).
	Implicit, BigEndian bool
	Transfer            string
	// PixelOffset and PixelLength locate native (not encapsulated) pixel
	// data; PixelLength is -1 when there is none or it is encapsulated.
	PixelOffset, PixelLength int64
}

// ScanDICOM checks the element stream of the DICOM file in r (size bytes)
// as Inspect does before any library reads it: no nesting deeper than the
// library's recursion can take, no value longer than the file. Errors wrap
// ErrUnreadable (and ErrTooLarge for absurd element counts).
func ScanDICOM(r io.ReadSeeker, size int64) (DICOMLayout, error) {
	var head [140]byte
	n, err := readHead(r, head[:])
	if err != nil {
		return DICOMLayout{}, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	bare, start := n < 132 || string(head[128:132]) != "DICM", 0
	if bare {
		if start = bareDICOMStart(head[:n]); start < 0 {
			return DICOMLayout{}, fmt.Errorf("no DICOM header: %w", ErrUnreadable)
		}
	}
	implicit := bare && !isVR(string(head[start+4:start+6]))
	s, err := scanDICOM(r, size, int64(start), !bare, implicit)
	if err != nil {
		return DICOMLayout{}, err
	}
	return DICOMLayout{Start: int64(start), Preamble: !bare, Implicit: s.implicit, BigEndian: s.bigEndian,
		Transfer: s.transfer, PixelOffset: s.pixelOffset, PixelLength: s.pixelLen}, nil
}

// IsDICOMHead reports whether the first bytes of a file (at least 132 when
// the file has them) are those of a DICOM file, with or without the
// 128-byte preamble.
func IsDICOMHead(head []byte) bool {
	return (len(head) >= 132 && string(head[128:132]) == "DICM") || bareDICOMStart(head) >= 0
}
