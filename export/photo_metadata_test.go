package export_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"secondopinion/export"
	"secondopinion/records"
)

// Camera data the tests plant in photos; none of it may reach a packet.
var (
	plantedSerial = []byte("SERIAL-7f3a9c0b-NEVER")
	plantedAuthor = []byte("AUTHOR-Q9ZX-Hidden")
	plantedGPS    = []byte{0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x01, 0xC0, 0xFF, 0xEE, 0x42, 0x00, 0x00, 0x00, 0x01}
)

// metadataSegments returns an EXIF APP1 (IFD0 with Artist, the camera
// serial number and a GPS IFD holding a latitude), an XMP APP1, an ICC
// APP2, an IPTC APP13 and a comment, each carrying the planted strings.
func metadataSegments() []byte {
	// TIFF, big endian: header, IFD0 (3 entries), GPS IFD (1 entry), data.
	var t bytes.Buffer
	be := binary.BigEndian
	w16 := func(v uint16) { binary.Write(&t, be, v) }
	w32 := func(v uint32) { binary.Write(&t, be, v) }
	t.WriteString("MM\x00\x2A")
	w32(8)
	ifd0End := uint32(8 + 2 + 3*12 + 4)
	gpsEnd := ifd0End + 2 + 12 + 4
	artistOff := gpsEnd
	serialOff := artistOff + uint32(len(plantedAuthor)+1)
	latOff := serialOff + uint32(len(plantedSerial)+1)
	w16(3)
	w16(0x013B) // Artist
	w16(2)
	w32(uint32(len(plantedAuthor) + 1))
	w32(artistOff)
	w16(0x8825) // GPSInfo IFD pointer
	w16(4)
	w32(1)
	w32(ifd0End)
	w16(0xC62F) // CameraSerialNumber
	w16(2)
	w32(uint32(len(plantedSerial) + 1))
	w32(serialOff)
	w32(0)
	w16(1)
	w16(0x0002) // GPSLatitude, RATIONAL×2 here
	w16(5)
	w32(2)
	w32(latOff)
	w32(0)
	t.Write(plantedAuthor)
	t.WriteByte(0)
	t.Write(plantedSerial)
	t.WriteByte(0)
	t.Write(plantedGPS)

	seg := func(marker byte, body []byte) []byte {
		n := len(body) + 2
		return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, body...)
	}
	var out []byte
	out = append(out, seg(0xE1, append([]byte("Exif\x00\x00"), t.Bytes()...))...)
	out = append(out, seg(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><dc:creator>"+string(plantedAuthor)+"</dc:creator></x:xmpmeta>"))...)
	out = append(out, seg(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), plantedSerial...))...)
	out = append(out, seg(0xED, append([]byte("Photoshop 3.0\x008BIM"), plantedAuthor...))...)
	out = append(out, seg(0xFE, plantedSerial)...)
	return out
}

// progressiveJPEG is a progressive JPEG from the Go source tree (the
// standard library's own test picture), or from the corpus.
func progressiveJPEG(t *testing.T) []byte {
	t.Helper()
	for _, p := range []string{
		filepath.Join(runtime.GOROOT(), "src", "image", "testdata", "video-001.progressive.jpeg"),
		filepath.Join(corpusDir(t), "images", "go-progressive.jpeg"),
	} {
		if b, err := os.ReadFile(p); err == nil {
			return b
		}
	}
	t.Skip("no progressive JPEG to build on")
	return nil
}

// afterFirstScan returns the offset of the marker that ends the first
// scan's entropy-coded data.
func afterFirstScan(t *testing.T, jpg []byte) int {
	t.Helper()
	i := 2
	for i+4 <= len(jpg) {
		marker := jpg[i+1]
		n := int(jpg[i+2])<<8 | int(jpg[i+3])
		i += 2 + n
		if marker != 0xDA {
			continue
		}
		for j := i; j+1 < len(jpg); j++ {
			if jpg[j] == 0xFF && jpg[j+1] != 0 && (jpg[j+1] < 0xD0 || jpg[j+1] > 0xD7) {
				return j
			}
		}
	}
	t.Fatal("no scan in the JPEG")
	return 0
}

func insertAt(b []byte, at int, ins []byte) []byte {
	return append(append(append([]byte{}, b[:at]...), ins...), b[at:]...)
}

// TestPacketHasNoCameraMetadata plants camera metadata where phones and
// editors put it and checks no byte of it reaches the packet in either
// quality, while the picture itself does.
func TestPacketHasNoCameraMetadata(t *testing.T) {
	meta := metadataSegments()
	prog := progressiveJPEG(t)
	var base bytes.Buffer
	m := image.NewYCbCr(image.Rect(0, 0, 96, 64), image.YCbCrSubsampleRatio420)
	for i := range m.Y {
		m.Y[i] = byte(i * 13)
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = byte(i*7), byte(255-i*5)
	}
	if err := jpeg.Encode(&base, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	second := insertAt(base.Bytes(), 2, meta) // a second picture, with its own EXIF

	placements := []struct {
		name string
		jpg  []byte
	}{
		{"after the first progressive scan", insertAt(prog, afterFirstScan(t, prog), meta)},
		{"just before EOI", insertAt(prog, len(prog)-2, meta)},
		{"second picture after EOI", append(bytes.Clone(prog), second...)},
		{"baseline, before EOI and after it", append(insertAt(base.Bytes(), base.Len()-2, meta), second...)},
		{"everywhere", append(insertAt(insertAt(prog, len(prog)-2, meta), afterFirstScan(t, prog), meta), second...)},
	}
	for _, quality := range []records.Quality{records.QualityOriginal, records.QualityCompact} {
		for _, tt := range placements {
			t.Run(string(quality)+"/"+tt.name, func(t *testing.T) {
				ctx := context.Background()
				dir := t.TempDir()
				photo := filepath.Join(dir, "photo.jpg")
				if err := os.WriteFile(photo, tt.jpg, 0o600); err != nil {
					t.Fatal(err)
				}
				s, _ := newStore(t)
				p := records.Person{FullName: "Test Patient", PreparedBy: records.Preparer{Self: true}}
				if err := s.SavePerson(ctx, &p); err != nil {
					t.Fatal(err)
				}
				c := records.Case{PersonID: p.ID, Title: "Photos", Packet: records.PacketSettings{Paper: records.PaperA4, Quality: quality}}
				if err := s.SaveCase(ctx, &c); err != nil {
					t.Fatal(err)
				}
				addDoc(t, s, p.ID, records.Document{Title: "Photo"}, photo)
				out := filepath.Join(dir, "packet.pdf")
				if _, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow}); err != nil {
					t.Fatalf("WritePacket = %v", err)
				}
				pdf, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				for _, planted := range [][]byte{plantedSerial, plantedAuthor, plantedGPS, []byte("Exif\x00\x00"), []byte("ICC_PROFILE"), []byte("Photoshop 3.0")} {
					if bytes.Contains(pdf, planted) {
						t.Errorf("packet contains %q", planted)
					}
				}
				if quality == records.QualityOriginal {
					// The photo passes through untouched: its scan data is
					// in the packet as it is (which also shows the byte
					// search above looks at the pictures' bytes).
					at := afterFirstScan(t, tt.jpg) - 64
					if !bytes.Contains(pdf, tt.jpg[at:at+64]) {
						t.Errorf("packet lacks the photo's own scan data")
					}
				}
			})
		}
	}
}
