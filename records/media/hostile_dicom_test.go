package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
)

// dicomBuilder writes a DICOM file: preamble, "DICM", the file meta group
// naming the transfer syntax, then whatever the test appends.
type dicomBuilder struct {
	bytes.Buffer
	implicit bool
}

const (
	tsExplicitLE = "1.2.840.10008.1.2.1\x00"
	tsImplicitLE = "1.2.840.10008.1.2\x00"
)

func newDICOM(implicit bool) *dicomBuilder {
	d := &dicomBuilder{implicit: implicit}
	d.Write(make([]byte, 128))
	d.WriteString("DICM")
	ts := tsExplicitLE
	if implicit {
		ts = tsImplicitLE
	}
	d.raw(0x0002, 0x0000, "UL", []byte{byte(8 + len(ts)), 0, 0, 0}, false)
	d.raw(0x0002, 0x0010, "UI", []byte(ts), false)
	return d
}

// raw appends one element; implicit chooses the encoding.
func (d *dicomBuilder) raw(group, elem uint16, vr string, value []byte, implicit bool) {
	d.header(group, elem, vr, uint32(len(value)), implicit)
	d.Write(value)
}

func (d *dicomBuilder) el(group, elem uint16, vr string, value []byte) {
	d.raw(group, elem, vr, value, d.implicit)
}

func (d *dicomBuilder) header(group, elem uint16, vr string, length uint32, implicit bool) {
	le := binary.LittleEndian
	d.Write(le.AppendUint16(le.AppendUint16(nil, group), elem))
	switch {
	case implicit || group == 0xFFFE:
		d.Write(le.AppendUint32(nil, length))
	case strings.Contains("OB OD OF OL OW SQ UN UC UR UT", vr):
		d.WriteString(vr + "\x00\x00")
		d.Write(le.AppendUint32(nil, length))
	default:
		d.WriteString(vr)
		d.Write(le.AppendUint16(nil, uint16(length)))
	}
}

func us(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

// nest appends n sequences, each holding one item holding the next, with
// undefined lengths closed by delimiters, or with defined lengths.
func (d *dicomBuilder) nest(n int, defined bool) {
	const seqGroup, seqElem = 0x0008, 0x1115 // Referenced Series Sequence
	seqHdr := 12
	if d.implicit {
		seqHdr = 8
	}
	level := seqHdr + 8
	for i := range n {
		if defined {
			d.header(seqGroup, seqElem, "SQ", uint32(8+(n-1-i)*level), d.implicit)
			d.header(0xFFFE, 0xE000, "", uint32((n-1-i)*level), true)
		} else {
			d.header(seqGroup, seqElem, "SQ", undefinedLength, d.implicit)
			d.header(0xFFFE, 0xE000, "", undefinedLength, true)
		}
	}
	if !defined {
		for range n {
			d.header(0xFFFE, 0xE00D, "", 0, true)
			d.header(0xFFFE, 0xE0DD, "", 0, true)
		}
	}
}

// deepDICOM is a DICOM file with n nested sequences.
func deepDICOM(n int, implicit, defined bool) []byte {
	d := newDICOM(implicit)
	d.el(0x0008, 0x0060, "CS", []byte("CT"))
	d.nest(n, defined)
	return d.Bytes()
}

// framesDICOM is a 4×4 16-bit grey DICOM claiming frames frames, with
// pixel data for have frames.
func framesDICOM(frames string, have int) []byte {
	d := newDICOM(false)
	d.el(0x0008, 0x0060, "CS", []byte("CT"))
	d.el(0x0028, 0x0002, "US", us(1))
	if len(frames)%2 == 1 {
		frames += " "
	}
	d.el(0x0028, 0x0008, "IS", []byte(frames))
	d.el(0x0028, 0x0010, "US", us(4))
	d.el(0x0028, 0x0011, "US", us(4))
	d.el(0x0028, 0x0100, "US", us(16))
	d.el(0x7FE0, 0x0010, "OW", make([]byte, have*4*4*2))
	return d.Bytes()
}

func TestDICOMDeepNesting(t *testing.T) {
	for _, tt := range []struct {
		name              string
		n                 int
		implicit, defined bool
	}{
		{"explicit undefined lengths", 1_000_000, false, false},
		{"implicit undefined lengths", 1_000_000, true, false},
		{"explicit defined lengths", 1_000_000, false, true},
		{"implicit defined lengths", 100_000, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := deepDICOM(tt.n, tt.implicit, tt.defined)
			start := time.Now()
			_, err := Inspect(context.Background(), bytes.NewReader(b), int64(len(b)), DICOM)
			if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "nested") {
				t.Errorf("Inspect(%d nested sequences) = %v, want ErrUnreadable saying nested", tt.n, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Inspect(%d nested sequences) took %v", tt.n, d)
			}
		})
	}
	// Nesting within the limit is read as before.
	for _, implicit := range []bool{false, true} {
		for _, defined := range []bool{false, true} {
			b := deepDICOM(maxDICOMDepth/2, implicit, defined)
			if info, err := Inspect(context.Background(), bytes.NewReader(b), int64(len(b)), DICOM); err != nil || info.Modality != "CT" {
				t.Errorf("Inspect(%d nested, implicit %v, defined %v) = %+v, %v; want CT", maxDICOMDepth/2, implicit, defined, info, err)
			}
		}
	}
}

func TestDICOMFrames(t *testing.T) {
	for _, tt := range []struct {
		name      string
		data      []byte
		wantPages int
		wantErr   error
	}{
		{"honest", framesDICOM("3", 3), 3, nil},
		{"2^31-1 frames", framesDICOM("2147483647", 1), 0, ErrTooLarge},
		{"more than the cap", framesDICOM("10001", 10001), 0, ErrTooLarge},
		{"more than the pixel data", framesDICOM("100", 2), 0, ErrUnreadable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			info, err := Inspect(context.Background(), bytes.NewReader(tt.data), int64(len(tt.data)), DICOM)
			switch {
			case tt.wantErr == nil && (err != nil || info.Pages != tt.wantPages):
				t.Errorf("Inspect = %d pages, %v; want %d pages", info.Pages, err, tt.wantPages)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Inspect = %d pages, %v; want %v", info.Pages, err, tt.wantErr)
			case tt.wantErr == ErrTooLarge && !errors.Is(err, ErrUnreadable):
				t.Errorf("Inspect = %v, want ErrTooLarge to wrap ErrUnreadable too", err)
			case tt.wantErr == ErrUnreadable && errors.Is(err, ErrTooLarge):
				t.Errorf("Inspect = %v; a lie is damage, not ErrTooLarge", err)
			}
		})
	}
}

func TestDICOMImpossibleLength(t *testing.T) {
	d := newDICOM(false)
	d.el(0x0008, 0x0060, "CS", []byte("CT"))
	d.header(0x0008, 0x1030, "UT", 0xFFFFFFF0, false) // 4 GB in a tiny file
	d.WriteString("short")
	b := d.Bytes()
	_, err := Inspect(context.Background(), bytes.NewReader(b), int64(len(b)), DICOM)
	if !errors.Is(err, ErrUnreadable) {
		t.Errorf("Inspect(element of 4 GB in %d bytes) = %v, want ErrUnreadable", len(b), err)
	}
}
