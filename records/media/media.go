// Package media recognises, checks and prepares the files a patient adds:
// PDFs, photos and scans in the common image formats, and DICOM objects.
//
// The records store calls Sniff and Inspect when a file is added; the export
// package calls PrintImage and PreparePDF to turn stored files into something
// the packet writer (gofpdf) and merger (pdfcpu) accept. Every function here
// treats its input as hostile: it never trusts a file name or extension,
// never panics (library panics become ErrUnreadable), and bounds the time and
// memory it spends on one file.
//
// The package imports no other package of this module and no GUI toolkit.
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Media types returned by Sniff and understood by Inspect.
const (
	PDF   = "application/pdf"
	JPEG  = "image/jpeg"
	PNG   = "image/png"
	GIF   = "image/gif"
	TIFF  = "image/tiff"
	WebP  = "image/webp"
	BMP   = "image/bmp"
	DICOM = "application/dicom"
)

// HEIC is an iPhone photo (HEIF with HEVC pictures), returned by Sniff.
// Inspect does not read it: the library keeps it as the original of a JPEG
// made by heif-convert (see records).
const HEIC = "image/heic"

// Info holds the facts Inspect learns about a file.
type Info struct {
	MediaType string
	// Pages is the PDF page count; 1 for images (the number of pages of a
	// multi-page TIFF); the number of frames of a DICOM image, 1 otherwise.
	Pages int
	// Width and Height are the image's pixel size as stored, before EXIF
	// orientation is applied. Zero for PDFs; for DICOM when known.
	Width, Height int
	// Orientation is the EXIF orientation 1-8, 0 when the file has none.
	Orientation int
	// BadPages lists the PDF pages (1-based, ascending) that cannot be
	// read; set only alongside a *DamagedPDFError from Inspect.
	BadPages []int
	// Encrypted reports a PDF that is encrypted but opens with the empty
	// user password (an owner-password-only PDF).
	Encrypted bool
	// Text is the PDF's text layer for full-text search, at most
	// MaxTextBytes; "" for images, scans and DICOM.
	Text string
	// Modality and Description are DICOM attributes when present: the
	// modality ("CT", "MR") and the series or study description.
	Modality, Description string
	// PatientName, StudyDate (YYYYMMDD as stored), Accession (the
	// accession number) and Institution are DICOM attributes when present:
	// what a clinic matches an imaging file on.
	PatientName, StudyDate, Accession, Institution string
}

// Errors returned (wrapped, with the detail) by Inspect, PrintImage and
// PreparePDF.
//
// An error wrapping ErrTooLarge also wraps ErrUnreadable, so a caller that
// knows only ErrUnreadable still refuses the file; one that checks
// ErrTooLarge first can say "too large to read safely" instead of
// "damaged".
var (
	ErrUnreadable = errors.New("media: not a PDF or image we can read")
	ErrPassword   = errors.New("media: PDF needs a password")
	ErrTooLarge   = errors.New("media: too large to read safely")
)

// Limits that keep one hostile or huge file from exhausting the machine.
const (
	// MaxTextBytes caps Info.Text.
	MaxTextBytes = 200 << 10
	// MaxPixels caps the size of an image (width × height); phone cameras
	// stay below 50 MP. Larger images are refused (ErrTooLarge) rather than
	// risk running out of memory on a decompression bomb.
	MaxPixels = 100_000_000
	// MaxDecodedBytes caps the memory an image's decoded pixels take (see
	// DecodedBytes): a 0.8 MB 16-bit PNG of 10000×10000 pixels decodes to
	// 800 MB. 160 MB holds a 50 MP phone photo (counted as 150 MB of
	// YCbCr), a 40 MP RGBA or 160 MP grey scan, and leaves room for the
	// scaled copy PrintImage makes within the sandbox's 320 MB (measured:
	// 160 MB of RGBA prints at a 233 MB peak).
	MaxDecodedBytes = 160 << 20
)

// Inspect checks that the file r (size bytes long) really is readable as
// mediaType and returns its facts. When mediaType is "" it is sniffed from
// the file's first bytes. Errors wrap ErrUnreadable or ErrPassword; a PDF
// whose streams unpack to too much is refused with an error that also wraps
// ErrTooLarge.
//
// A PDF is checked page by page (content streams and the fonts, images and
// forms they use are decoded). When some pages cannot be read, Inspect
// returns a *DamagedPDFError and, with it, an Info whose Pages and BadPages
// say which pages are sound, so that the caller can offer to keep those
// (KeepPages); this is the only error that comes with an Info.
//
// Images are fully decoded once to prove they are intact (the decoders
// stream from r; only the pixels are held in memory). PDFs are read through
// pdfcpu from r. Inspect honours ctx between steps; it leaves r at an
// unspecified offset.
func Inspect(ctx context.Context, r io.ReadSeeker, size int64, mediaType string) (info Info, err error) {
	defer func() {
		if p := recover(); p != nil {
			info = Info{}
			err = panicError("inspect", p)
		}
	}()
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	if r == nil || size <= 0 {
		return Info{}, fmt.Errorf("inspect: empty file: %w", ErrUnreadable)
	}
	if mediaType == "" {
		head := make([]byte, 4096)
		n, err := readHead(r, head)
		if err != nil {
			return Info{}, fmt.Errorf("inspect: %v: %w", err, ErrUnreadable)
		}
		mediaType = Sniff(head[:n])
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Info{}, fmt.Errorf("inspect: %v: %w", err, ErrUnreadable)
	}
	switch mediaType {
	case PDF:
		info, err = inspectPDF(ctx, r, size)
	case JPEG, PNG, GIF, TIFF, WebP, BMP:
		info, err = inspectImage(ctx, r, size, mediaType)
	case DICOM:
		info, err = inspectDICOM(ctx, r, size)
	default:
		return Info{}, fmt.Errorf("inspect: unsupported media type %q: %w", mediaType, ErrUnreadable)
	}
	var damaged *DamagedPDFError
	if errors.As(err, &damaged) {
		info.MediaType = mediaType
		return info, err
	}
	if err != nil {
		return Info{}, err
	}
	info.MediaType = mediaType
	return info, nil
}

// readHead fills head from the start of r as far as the file allows.
func readHead(r io.ReadSeeker, head []byte) (int, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(r, head)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return n, err
}

// panicError turns a recovered library panic into an ErrUnreadable error.
func panicError(op string, p any) error {
	return fmt.Errorf("%s: library panic: %v: %w", op, p, ErrUnreadable)
}
