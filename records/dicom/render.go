package dicom

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// RenderInfo says what Render drew.
type RenderInfo struct {
	// Frame is the 1-based frame drawn of a multi-frame image, 0 for a
	// single frame; Frames how many it has.
	Frame, Frames int
	// Window is the window drawn with ("W 400 L 40"), "" for colour.
	Window string
}

// ErrNoPreview is wrapped by a Render error whose Sentence is what a list
// shows instead of the picture ("preview not available (compressed as
// JPEG 2000)").
var ErrNoPreview = errors.New("dicom: preview not available")

// MaxPixels bounds the frame Render draws (a 10,000 × 10,000
// mammogram is under it).
const MaxPixels = 120_000_000

// MaxDecompressed bounds what a compressed file may unpack to for its key
// image to be drawn through an external tool (a temporary file).
const MaxDecompressed = 1 << 30

// ToolTimeout bounds an external decompressor's run on one file.
var ToolTimeout = 30 * time.Second

// MakeTemp makes the owner-only folder a compressed image is unpacked in
// for dcmtk or gdcm. The records package sets it to its PrivateTemp, whose
// folders are removed at the next start when a process is killed before
// it could clean up, so decompressed pixels of a patient's scan are never
// left behind in the temporary folder.
var MakeTemp = func(prefix string) (string, error) { return os.MkdirTemp("", prefix) }

// Render draws one frame of the DICOM image in r (size bytes) as a viewer
// would: rescaled, windowed with the file's first window (or a default for
// the modality), MONOCHROME1 inverted; colour as RGB. frame < 0 draws the
// middle frame. Compressions Go cannot read are decompressed with dcmtk or
// gdcm when installed.
func Render(ctx context.Context, r io.ReadSeeker, size int64, frame int) (_ image.Image, _ RenderInfo, err error) {
	defer recoverError(&err)
	h, err := ReadHeader(ctx, r, size)
	if err != nil {
		return nil, RenderInfo{}, err
	}
	if !h.IsImage() {
		return nil, RenderInfo{}, &Error{Msg: "It holds no image.", Err: ErrNoPreview}
	}
	if int64(h.Rows)*int64(h.Columns) > MaxPixels {
		return nil, RenderInfo{}, &Error{Msg: fmt.Sprintf("preview not available (the image is %d × %d pixels, too large to draw)", h.Columns, h.Rows), Err: ErrNoPreview}
	}
	if frame < 0 || frame >= h.Frames {
		frame = (h.Frames - 1) / 2
	}
	info := RenderInfo{Frames: h.Frames}
	if h.Frames > 1 {
		info.Frame = frame + 1
	}
	if !h.Encapsulated {
		img, win, err := renderNative(r, h, frame)
		info.Window = win
		return img, info, err
	}
	if h.TransferSyntax == "1.2.840.10008.1.2.4.50" && h.BitsAllocated <= 8 {
		img, win, err := renderJPEG(ctx, r, size, h, frame)
		if err == nil {
			info.Window = win
			return img, info, nil
		}
	}
	// Other compressions: decompressed by an external tool into a
	// temporary file, then drawn as an uncompressed image. The tools
	// decompress every frame: a file that would unpack to more than
	// MaxDecompressed is not drawn.
	if raw := int64(h.Frames) * int64(h.Rows) * int64(h.Columns) * int64(max(h.Samples, 1)) * int64(max(h.BitsAllocated, 8)/8); raw > MaxDecompressed {
		return nil, info, &Error{Msg: fmt.Sprintf("preview not available (compressed as %s, and too large to unpack: %d frames)", SyntaxName(h.TransferSyntax), h.Frames), Err: ErrNoPreview}
	}
	raw, err := decompress(ctx, r, h)
	if err != nil {
		return nil, info, err
	}
	defer os.RemoveAll(filepath.Dir(raw))
	f, err := os.Open(raw)
	if err != nil {
		return nil, info, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, info, err
	}
	h2, err := ReadHeader(ctx, f, st.Size())
	if err != nil {
		return nil, info, err
	}
	if h2.Encapsulated || !h2.IsImage() {
		return nil, info, noPreview(h)
	}
	img, win, err := renderNative(f, h2, min(frame, h2.Frames-1))
	info.Window = win
	return img, info, err
}

func noPreview(h Header) error {
	return &Error{Msg: fmt.Sprintf("preview not available (compressed as %s)", SyntaxName(h.TransferSyntax)), Err: ErrNoPreview}
}

// tools are the decompressors tried for each compression, in order.
func tools(ts string) [][]string {
	gdcm := []string{"gdcmconv", "--raw"}
	switch SyntaxName(ts) {
	case "12-bit JPEG", "lossless JPEG", "JPEG":
		return [][]string{{"dcmdjpeg"}, gdcm}
	case "RLE":
		return [][]string{{"dcmdrle"}, gdcm}
	case "JPEG-LS":
		return [][]string{{"dcmdjpls"}, gdcm}
	case "JPEG 2000":
		return [][]string{gdcm}
	}
	return nil
}

// decompress writes the file to a private temporary folder and
// decompresses it there with the first tool that works, returning the
// decompressed file's path (the caller removes its folder).
func decompress(ctx context.Context, r io.ReadSeeker, h Header) (string, error) {
	var found [][]string
	for _, t := range tools(h.TransferSyntax) {
		if _, err := exec.LookPath(t[0]); err == nil {
			found = append(found, t)
		}
	}
	if len(found) == 0 {
		return "", noPreview(h)
	}
	dir, err := MakeTemp("secondopinion-dcm-")
	if err != nil {
		return "", err
	}
	in, out := filepath.Join(dir, "in.dcm"), filepath.Join(dir, "out.dcm")
	f, err := os.OpenFile(in, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		if _, err = r.Seek(0, io.SeekStart); err == nil {
			_, err = io.Copy(f, r)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	var last error
	for _, t := range found {
		cctx, cancel := context.WithTimeout(ctx, ToolTimeout)
		args := append(append([]string{}, t[1:]...), in, out)
		cmd := exec.CommandContext(cctx, t[0], args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.WaitDelay = time.Second
		err := cmd.Run()
		cancel()
		if err == nil {
			if st, serr := os.Stat(out); serr == nil && st.Size() > 0 {
				return out, nil
			}
		}
		if ctx.Err() != nil {
			os.RemoveAll(dir)
			return "", ctx.Err()
		}
		last = fmt.Errorf("%s: %v: %s", t[0], err, strings.TrimSpace(stderr.String()))
		os.Remove(out)
	}
	os.RemoveAll(dir)
	return "", &Error{Msg: fmt.Sprintf("preview not available (its %s compression could not be read)", SyntaxName(h.TransferSyntax)), Err: fmt.Errorf("%w: %v", ErrNoPreview, last)}
}

// renderJPEG draws a baseline JPEG frame, decoded in Go.
func renderJPEG(ctx context.Context, r io.ReadSeeker, size int64, h Header, frame int) (image.Image, string, error) {
	frags, err := fragments(ctx, r, size)
	if err != nil {
		return nil, "", err
	}
	var data []byte
	switch {
	case len(frags) == 0:
		return nil, "", noPreview(h)
	case len(frags) == h.Frames:
		data = frags[frame]
	default:
		data = bytes.Join(frags, nil) // one frame in several fragments
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", err
	}
	if g, ok := img.(*image.Gray); ok && h.HasWindow {
		vals := make([]float64, len(g.Pix))
		for i, p := range g.Pix {
			vals[i] = float64(p)*h.RescaleSlope + h.RescaleIntercept
		}
		out, win := window(vals, g.Rect.Dx(), g.Rect.Dy(), h)
		return out, win, nil
	}
	if g, ok := img.(*image.Gray); ok && h.Photometric == "MONOCHROME1" {
		for i := range g.Pix {
			g.Pix[i] = 255 - g.Pix[i]
		}
	}
	return img, "", nil
}

// fragments returns the encapsulated pixel data's fragments (the basic
// offset table left out).
func fragments(ctx context.Context, r io.ReadSeeker, size int64) ([][]byte, error) {
	p, err := parser(r, size)
	if err != nil {
		return nil, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := p.Next()
		if err != nil {
			return nil, &Error{Msg: "Its image is damaged or cut short.", Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
		}
		if e.Tag != tag.PixelData {
			continue
		}
		info, ok := e.Value.GetValue().(dicom.PixelDataInfo)
		if !ok {
			return nil, nil
		}
		var out [][]byte
		for _, f := range info.Frames {
			if f.Encapsulated {
				out = append(out, f.EncapsulatedData.Data)
			}
		}
		return out, nil
	}
}

// parser opens a checked file for a full read, pixel data included.
func parser(r io.ReadSeeker, size int64) (*dicom.Parser, error) {
	lay, err := mediaScan(r, size)
	if err != nil {
		return nil, err
	}
	if err := readableSyntax(lay.Transfer); err != nil {
		return nil, err
	}
	if _, err := r.Seek(lay.Start, io.SeekStart); err != nil {
		return nil, err
	}
	opts := []dicom.ParseOption{dicom.AllowMissingMetaElementGroupLength(), dicom.SkipProcessingPixelDataValue()}
	if !lay.Preamble {
		opts = append(opts, dicom.SkipMetadataReadOnNewParserInit())
	}
	p, err := dicom.NewParser(r, size-lay.Start, nil, opts...)
	if err != nil {
		return nil, &Error{Msg: "Its DICOM header cannot be read.", Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
	}
	if !lay.Preamble {
		p.SetTransferSyntax(binary.LittleEndian, lay.Implicit)
	}
	return p, nil
}

// renderNative draws one frame of uncompressed pixel data, read from its
// place in the file without reading the other frames.
func renderNative(r io.ReadSeeker, h Header, frame int) (image.Image, string, error) {
	w, ht, spp := h.Columns, h.Rows, h.Samples
	if h.BitsAllocated != 8 && h.BitsAllocated != 16 && h.BitsAllocated != 32 {
		return nil, "", &Error{Msg: fmt.Sprintf("preview not available (%d-bit pixels)", h.BitsAllocated), Err: ErrNoPreview}
	}
	if h.Photometric == "PALETTE COLOR" {
		return nil, "", &Error{Msg: "preview not available (palette colour)", Err: ErrNoPreview}
	}
	bpp := h.BitsAllocated / 8
	frameBytes := int64(w) * int64(ht) * int64(spp) * int64(bpp)
	if h.Photometric == "YBR_FULL_422" && spp == 3 {
		frameBytes = int64(w) * int64(ht) * 2 * int64(bpp)
	}
	off := int64(frame) * frameBytes
	if h.PixelLength < 0 || off+frameBytes > h.PixelLength {
		return nil, "", &Error{Msg: "Its image is cut short: the file holds less pixel data than its size needs.", Err: ErrUnreadable}
	}
	buf := make([]byte, frameBytes)
	if _, err := r.Seek(h.PixelOffset+off, io.SeekStart); err != nil {
		return nil, "", err
	}
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, "", &Error{Msg: "Its image is cut short.", Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if h.BigEndian {
		bo = binary.BigEndian
	}
	stored := h.BitsStored
	if stored <= 0 || stored > h.BitsAllocated {
		stored = h.BitsAllocated
	}
	shift := uint(max(h.HighBit+1-stored, 0))
	mask := uint32(1)<<uint(stored) - 1
	if stored == 32 {
		mask = math.MaxUint32
	}
	sample := func(i int) int64 {
		var u uint32
		switch bpp {
		case 1:
			u = uint32(buf[i])
		case 2:
			u = uint32(bo.Uint16(buf[2*i:]))
		default:
			u = bo.Uint32(buf[4*i:])
		}
		u = (u >> shift) & mask
		if h.PixelRepresentation == 1 && stored < 64 && u&(1<<uint(stored-1)) != 0 {
			return int64(u) - int64(1)<<uint(stored)
		}
		return int64(u)
	}
	if spp >= 3 {
		return colour(h, w, ht, sample), "", nil
	}
	vals := make([]float64, w*ht)
	for i := range vals {
		vals[i] = float64(sample(i))*h.RescaleSlope + h.RescaleIntercept
	}
	img, win := window(vals, w, ht, h)
	return img, win, nil
}

// colour draws RGB and YBR pixels (interleaved or planar).
func colour(h Header, w, ht int, sample func(int) int64) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, ht))
	n := w * ht
	scale := func(v int64) uint8 {
		if h.BitsStored > 8 {
			v >>= uint(h.BitsStored - 8)
		}
		return uint8(min(max(v, 0), 255))
	}
	for i := 0; i < n; i++ {
		var a, b, c int64
		switch {
		case h.Photometric == "YBR_FULL_422":
			pair := i / 2 * 4
			a, b, c = sample(pair+i%2), sample(pair+2), sample(pair+3)
		case h.Planar == 1:
			a, b, c = sample(i), sample(n+i), sample(2*n+i)
		default:
			a, b, c = sample(3*i), sample(3*i+1), sample(3*i+2)
		}
		R, G, B := scale(a), scale(b), scale(c)
		if strings.HasPrefix(h.Photometric, "YBR") {
			R, G, B = color.YCbCrToRGB(R, G, B)
		}
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = R, G, B, 255
	}
	return img
}

// window maps rescaled values to 8-bit grey with the file's window (the
// DICOM linear function), else CT's soft-tissue window, else the range of
// the values; MONOCHROME1 is inverted.
func window(vals []float64, w, ht int, h Header) (*image.Gray, string) {
	c, width := h.WindowCenter, h.WindowWidth
	if !h.HasWindow || width < 1 {
		if h.Modality == "CT" {
			c, width = 40, 400
		} else {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, v := range vals {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			if len(vals) == 0 || hi <= lo {
				lo, hi = 0, 1
			}
			// A window whose ends fall on the lowest and highest value.
			width = hi - lo + 1
			c = lo + width/2
		}
	}
	img := image.NewGray(image.Rect(0, 0, w, ht))
	invert := h.Photometric == "MONOCHROME1"
	low, span := c-0.5-(width-1)/2, width-1
	if span < 1 {
		span = 1
	}
	for i, v := range vals {
		var g float64
		switch {
		case v <= low:
			g = 0
		case v > low+span:
			g = 255
		default:
			g = ((v-(c-0.5))/span + 0.5) * 255
		}
		p := uint8(math.Round(min(max(g, 0), 255)))
		if invert {
			p = 255 - p
		}
		img.Pix[i] = p
	}
	return img, fmt.Sprintf("W %s L %s", trimFloat(width), trimFloat(c))
}

func trimFloat(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%d", int64(f))
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}
