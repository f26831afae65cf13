package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Checking that a JPEG or PNG is whole, without decoding it.
//
// Adding a photo must cost about what copying it costs, and a full decode of
// a 12-megapixel JPEG takes over 100 ms. Most damage a user meets is a file
// cut short (an interrupted download or copy) or a corrupted PNG chunk; both
// show in the file's structure: a JPEG must run from its start marker
// through every segment and scan to its end marker, and every PNG chunk
// must match its CRC up to IEND. That reads the file once, at disk speed.
// Damage inside a JPEG's compressed data that keeps the structure intact is
// caught later, when the packet is prepared, by the readiness check.

var errTruncated = errors.New("the file ends too early (it was cut short)")

// checkJPEG walks a JPEG's markers from SOI to EOI.
func checkJPEG(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return errors.New("no JPEG start marker")
	}
	sawFrame, sawScan := false, false
	marker, err := nextMarker(br)
	for {
		if err != nil {
			return err
		}
		switch {
		case marker == 0xD9: // EOI
			if !sawFrame || !sawScan {
				return errors.New("the JPEG has no picture data")
			}
			return nil
		case marker >= 0xD0 && marker <= 0xD7, marker == 0x01: // RSTn, TEM: no length
			marker, err = nextMarker(br)
			continue
		}
		var lb [2]byte
		if _, err := io.ReadFull(br, lb[:]); err != nil {
			return errTruncated
		}
		n := int(binary.BigEndian.Uint16(lb[:]))
		if n < 2 {
			return fmt.Errorf("bad JPEG segment length %d", n)
		}
		if _, err := br.Discard(n - 2); err != nil {
			return errTruncated
		}
		switch {
		case marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
			sawFrame = true
		case marker == 0xDA: // SOS: entropy-coded data follows until the next marker
			sawScan = true
			marker, err = skipScan(br)
			continue
		}
		marker, err = nextMarker(br)
	}
}

// nextMarker reads the next marker, skipping fill bytes.
func nextMarker(br *bufio.Reader) (byte, error) {
	b, err := br.ReadByte()
	if err != nil {
		return 0, errTruncated
	}
	// Like libjpeg and Go's decoder, skip stray bytes between segments:
	// some writers leave them, and every decoder reads past them.
	for b != 0xFF {
		if b, err = br.ReadByte(); err != nil {
			return 0, errTruncated
		}
	}
	for b == 0xFF {
		if b, err = br.ReadByte(); err != nil {
			return 0, errTruncated
		}
	}
	return b, nil
}

// skipScan reads entropy-coded data up to the marker that ends it (any
// marker other than a stuffed zero or a restart marker) and returns it.
func skipScan(br *bufio.Reader) (byte, error) {
	for {
		buf, err := br.Peek(br.Buffered())
		if len(buf) == 0 {
			if _, err = br.Peek(1); err != nil {
				return 0, errTruncated
			}
			continue
		}
		i := bytes.IndexByte(buf, 0xFF)
		if i < 0 {
			br.Discard(len(buf))
			continue
		}
		br.Discard(i + 1)
		b, err := br.ReadByte()
		if err != nil {
			return 0, errTruncated
		}
		for b == 0xFF {
			if b, err = br.ReadByte(); err != nil {
				return 0, errTruncated
			}
		}
		if b == 0x00 || (b >= 0xD0 && b <= 0xD7) {
			continue
		}
		return b, nil
	}
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// checkPNG checks every chunk's CRC from IHDR to IEND.
func checkPNG(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	sig := make([]byte, 8)
	if _, err := io.ReadFull(br, sig); err != nil || !bytes.Equal(sig, pngSignature) {
		return errors.New("no PNG signature")
	}
	first, sawData := true, false
	buf := make([]byte, 32<<10)
	for {
		var head [8]byte
		if _, err := io.ReadFull(br, head[:]); err != nil {
			return errTruncated
		}
		n := binary.BigEndian.Uint32(head[:4])
		typ := string(head[4:8])
		if n > 1<<31-1 {
			return fmt.Errorf("PNG chunk %q is impossibly long", typ)
		}
		if first && typ != "IHDR" {
			return errors.New("the PNG does not start with its header chunk")
		}
		first = false
		crc := crc32.NewIEEE()
		crc.Write(head[4:8])
		for left := int64(n); left > 0; {
			k := min(left, int64(len(buf)))
			if _, err := io.ReadFull(br, buf[:k]); err != nil {
				return errTruncated
			}
			crc.Write(buf[:k])
			left -= k
		}
		var sum [4]byte
		if _, err := io.ReadFull(br, sum[:]); err != nil {
			return errTruncated
		}
		if binary.BigEndian.Uint32(sum[:]) != crc.Sum32() {
			return fmt.Errorf("PNG chunk %q is corrupted (checksum mismatch)", typ)
		}
		switch typ {
		case "IDAT":
			sawData = true
		case "IEND":
			if !sawData {
				return errors.New("the PNG has no picture data")
			}
			return nil
		}
	}
}
