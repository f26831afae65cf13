package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"secondopinion/records/dicom"
	"secondopinion/records/media"
)

// Limits for the DICOM work. Reading a disc's headers holds one header at
// a time (a zip entry is unpacked to a temporary file first), so memory
// stays small however large the disc; its time grows with the number of
// files (about 1 ms each from a hard disk, more from an optical drive).
// Drawing a key image holds the file and one frame; an external
// decompressor runs as the child's own child under the same time limit.
var (
	DiscLimits   = Limits{Memory: 320 << 20, Time: 15 * time.Minute}
	RenderLimits = Limits{Memory: 320 << 20, Time: 45 * time.Second}
)

func init() {
	ops["disc"] = func(ctx context.Context, req request, _ io.Reader, _ *os.File) (response, []byte, error) {
		opt := dicom.ReadOptions{Skip: req.Skip}
		if req.Mark != "" {
			// Read by the parent if this child dies on a file.
			mark, err := os.OpenFile(req.Mark, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return response{}, nil, err
			}
			defer mark.Close()
			opt.Starting = func(name string) { fmt.Fprintf(mark, "%q\n", name) }
		}
		d, err := dicom.ReadWith(ctx, req.Path, opt)
		return refusal(response{Disc: d}, err), nil, nil
	}
	ops["dicom-render"] = func(ctx context.Context, req request, in io.Reader, f *os.File) (response, []byte, error) {
		var r io.ReadSeeker
		var size int64
		if f != nil {
			// A file: only the frame drawn is read from it.
			st, err := f.Stat()
			if err != nil {
				return response{}, nil, err
			}
			r, size = f, st.Size()
		} else {
			data, err := io.ReadAll(in)
			if err != nil {
				return response{}, nil, err
			}
			r, size = bytes.NewReader(data), int64(len(data))
		}
		img, info, err := dicom.Render(ctx, r, size, req.Frame)
		if err != nil {
			return refusal(response{}, err), nil, nil
		}
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(&buf, img); err != nil {
			return response{}, nil, err
		}
		return response{Render: &info}, buf.Bytes(), nil
	}
	ops["dicom-pdf"] = func(ctx context.Context, req request, in io.Reader, _ *os.File) (response, []byte, error) {
		data, err := io.ReadAll(in)
		if err != nil {
			return response{}, nil, err
		}
		pdf, err := dicom.ExtractPDF(ctx, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return refusal(response{}, err), nil, nil
		}
		return response{}, pdf, nil
	}
	ops["dicom-sr"] = func(ctx context.Context, req request, in io.Reader, _ *os.File) (response, []byte, error) {
		data, err := io.ReadAll(in)
		if err != nil {
			return response{}, nil, err
		}
		rep, err := dicom.ReadReport(ctx, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return refusal(response{}, err), nil, nil
		}
		return response{Report: &rep}, nil, nil
	}
}

// refusal puts a DICOM error into the answer as a sentence.
func refusal(r response, err error) response {
	if err == nil {
		return r
	}
	r.Refusal = dicom.Sentence(err)
	switch {
	case errors.Is(err, dicom.ErrNoDICOM):
		r.RefusalKind = "nodicom"
	case errors.Is(err, dicom.ErrNoPreview):
		r.RefusalKind = "nopreview"
	default:
		r.RefusalKind = "unreadable"
	}
	return r
}

// refused rebuilds a refusal as a *dicom.Error wrapping its sentinel.
func (r response) refused() error {
	if r.Refusal == "" {
		return nil
	}
	var cause error = dicom.ErrUnreadable
	switch r.RefusalKind {
	case "nodicom":
		cause = dicom.ErrNoDICOM
	case "nopreview":
		cause = dicom.ErrNoPreview
	}
	return &dicom.Error{Msg: r.Refusal, Err: cause}
}

// dicomErr turns a child that failed (crashed, ran out of memory or time)
// into a sentence.
func dicomErr(err error, what string) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := fmt.Sprintf("Reading %s failed: the reader stopped (%v).", what, err)
	if errors.Is(err, media.ErrTooLarge) {
		msg = fmt.Sprintf("Reading %s needed more memory or time than is safe, so it was stopped.", what)
	}
	return &dicom.Error{Msg: msg, Err: fmt.Errorf("%w: %w", dicom.ErrUnreadable, err)}
}

// maxDiscRetries bounds how many files that crash the reader a disc may
// hold before it is given up.
const maxDiscRetries = 5

// ReadDisc is dicom.Read in a child process: a crash or a runaway in the
// parser ends only the child. A file that ends the child is left out
// (with a sentence) and the disc read again without it. The disc's errors
// are *dicom.Error sentences; the *dicom.Disc comes back with them when
// there is one.
func ReadDisc(ctx context.Context, path string) (*dicom.Disc, error) {
	mark, err := os.CreateTemp("", "secondopinion-disc-*")
	if err != nil {
		return nil, err
	}
	mark.Close()
	defer os.Remove(mark.Name())
	skip := map[string]string{}
	for {
		os.Truncate(mark.Name(), 0)
		resp, _, err := run(ctx, "disc", request{Path: path, Skip: skip, Mark: mark.Name()}, nil, nil, DiscLimits)
		if errors.Is(err, errNoChild) {
			return dicom.Read(ctx, path)
		}
		if err != nil {
			name, ok := lastReading(mark.Name())
			if !ok || ctx.Err() != nil || len(skip) >= maxDiscRetries || skip[name] != "" {
				return nil, dicomErr(err, "the disc")
			}
			why := "It made the DICOM reader crash, so it was left out (it is damaged, or made to harm readers)."
			if errors.Is(err, media.ErrTooLarge) {
				why = "Reading it needed more memory or time than is safe, so it was left out."
			}
			skip[name] = why
			continue
		}
		return resp.Disc, resp.refused()
	}
}

// lastReading is the file a "disc" child was reading when it ended: the
// last whole line of its mark file.
func lastReading(path string) (string, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	name, err := strconv.Unquote(lines[len(lines)-1])
	return name, err == nil
}

// RenderDICOM is dicom.Render in a child process, for a DICOM file's
// bytes.
func RenderDICOM(ctx context.Context, data []byte, frame int) (image.Image, dicom.RenderInfo, error) {
	resp, out, err := run(ctx, "dicom-render", request{Data: len(data), Frame: frame}, data, nil, RenderLimits)
	if errors.Is(err, errNoChild) {
		return dicom.Render(ctx, bytes.NewReader(data), int64(len(data)), frame)
	}
	if err != nil {
		return nil, dicom.RenderInfo{}, dicomErr(err, "the image")
	}
	if err := resp.refused(); err != nil {
		return nil, dicom.RenderInfo{}, err
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil || resp.Render == nil {
		return nil, dicom.RenderInfo{}, &dicom.Error{Msg: "The image reader gave no picture.", Err: fmt.Errorf("%w: %v", dicom.ErrUnreadable, err)}
	}
	return img, *resp.Render, nil
}

// RenderDICOMFile is RenderDICOM for an open file, which the child reads
// through a duplicate descriptor: of an uncompressed image only the frame
// drawn is read, so a large multi-frame file costs neither process its
// size in memory. f's offset is left unspecified.
func RenderDICOMFile(ctx context.Context, f *os.File, frame int) (image.Image, dicom.RenderInfo, error) {
	resp, out, err := run(ctx, "dicom-render", request{Frame: frame}, nil, f, RenderLimits)
	if errors.Is(err, errNoChild) {
		st, err := f.Stat()
		if err != nil {
			return nil, dicom.RenderInfo{}, err
		}
		return dicom.Render(ctx, f, st.Size(), frame)
	}
	if err != nil {
		return nil, dicom.RenderInfo{}, dicomErr(err, "the image")
	}
	if err := resp.refused(); err != nil {
		return nil, dicom.RenderInfo{}, err
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil || resp.Render == nil {
		return nil, dicom.RenderInfo{}, &dicom.Error{Msg: "The image reader gave no picture.", Err: fmt.Errorf("%w: %v", dicom.ErrUnreadable, err)}
	}
	return img, *resp.Render, nil
}

// ExtractPDF is dicom.ExtractPDF in a child process.
func ExtractPDF(ctx context.Context, data []byte) ([]byte, error) {
	resp, out, err := run(ctx, "dicom-pdf", request{Data: len(data)}, data, nil, InspectLimits)
	if errors.Is(err, errNoChild) {
		return dicom.ExtractPDF(ctx, bytes.NewReader(data), int64(len(data)))
	}
	if err != nil {
		return nil, dicomErr(err, "the report")
	}
	if err := resp.refused(); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadReport is dicom.ReadReport in a child process.
func ReadReport(ctx context.Context, data []byte) (dicom.Report, error) {
	resp, _, err := run(ctx, "dicom-sr", request{Data: len(data)}, data, nil, InspectLimits)
	if errors.Is(err, errNoChild) {
		return dicom.ReadReport(ctx, bytes.NewReader(data), int64(len(data)))
	}
	if err != nil {
		return dicom.Report{}, dicomErr(err, "the report")
	}
	if err := resp.refused(); err != nil {
		return dicom.Report{}, err
	}
	if resp.Report == nil {
		return dicom.Report{}, &dicom.Error{Msg: "The report reader gave no answer.", Err: dicom.ErrUnreadable}
	}
	return *resp.Report, nil
}
