package sandbox

import (
	"bufio"
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
	ops["disc"] = func(ctx context.Context, req request, _ io.Reader, f *os.File) (response, []byte, error) {
		return discOp(ctx, req, f, nil)
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

// discOp reads a disc in a child. On progress (the child's descriptor 3,
// a pipe to the parent) it writes "#N" with how many files it will look
// at, then each file's name, quoted, before reading it: the parent counts
// them for the user, and leaves the last one out if the child dies on it.
// hook (tests) is called with each name when set.
func discOp(ctx context.Context, req request, progress *os.File, hook func(name string)) (response, []byte, error) {
	opt := dicom.ReadOptions{Skip: req.Skip}
	opt.Counted = func(total int) {
		if progress != nil {
			fmt.Fprintf(progress, "#%d\n", total)
		}
	}
	opt.Starting = func(name string) {
		if progress != nil {
			// One short write: a pipe takes it whole, so the parent never
			// sees half a name.
			progress.WriteString(strconv.Quote(name) + "\n")
		}
		if hook != nil {
			hook(name)
		}
	}
	d, err := dicom.ReadWith(ctx, req.Path, opt)
	return refusal(response{Disc: d}, err), nil, nil
}

// discOpName is the child operation ReadDisc runs (tests swap in one that
// crashes).
var discOpName = "disc"

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
//
// reading, when not nil, is told how many of the disc's files have been
// read of how many there are: (0, total) once they are counted, then as
// each file is started, and (total, total) at the end. It may be called
// from another goroutine, one call at a time, and never after ReadDisc returns;
// a disc read again after a crash counts again from 0. A cancelled ctx
// kills the child at once.
func ReadDisc(ctx context.Context, path string, reading func(done, total int)) (*dicom.Disc, error) {
	skip := map[string]string{}
	for {
		resp, name, total, err := readDiscOnce(ctx, path, skip, reading)
		if errors.Is(err, errNoChild) {
			return readDiscHere(ctx, path, reading)
		}
		if err != nil {
			if name == "" || ctx.Err() != nil || len(skip) >= maxDiscRetries || skip[name] != "" {
				return nil, dicomErr(err, "the disc")
			}
			why := "It made the DICOM reader crash, so it was left out (it is damaged, or made to harm readers)."
			if errors.Is(err, media.ErrTooLarge) {
				why = "Reading it needed more memory or time than is safe, so it was left out."
			}
			skip[name] = why
			continue
		}
		if reading != nil && total > 0 {
			reading(total, total)
		}
		return resp.Disc, resp.refused()
	}
}

// readDiscOnce runs one "disc" child, reading what it reports on a pipe
// as it goes. It returns the child's answer, the file it was reading last
// ("" if none, or if its name came garbled) and how many files it counted.
func readDiscOnce(ctx context.Context, path string, skip map[string]string, reading func(done, total int)) (response, string, int, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return response{}, "", 0, err
	}
	defer pr.Close()
	var last string
	var total int
	read := make(chan struct{})
	go func() {
		defer close(read)
		// Everything the child writes is read, so it never waits on a full
		// pipe; a name longer than the scanner takes ends the counting,
		// not the child.
		defer io.Copy(io.Discard, pr)
		sc := bufio.NewScanner(pr)
		done := 0
		for sc.Scan() {
			line := sc.Text()
			if n, ok := strings.CutPrefix(line, "#"); ok {
				total, _ = strconv.Atoi(n)
				if reading != nil && total > 0 {
					reading(0, total)
				}
				continue
			}
			name, err := strconv.Unquote(line)
			if err != nil {
				last = ""
				continue
			}
			last = name
			if reading != nil && total > 0 {
				reading(min(done, total), total)
			}
			done++
		}
	}()
	resp, _, err := run(ctx, discOpName, request{Path: path, Skip: skip}, nil, pw, DiscLimits)
	// The child has ended (or never started): with the parent's end closed
	// too, the reader sees the pipe's end.
	pw.Close()
	<-read
	return resp, last, total, err
}

// readDiscHere is ReadDisc in this process, when there can be no child.
func readDiscHere(ctx context.Context, path string, reading func(done, total int)) (*dicom.Disc, error) {
	var opt dicom.ReadOptions
	total, done := 0, 0
	if reading != nil {
		opt.Counted = func(n int) {
			if total = n; total > 0 {
				reading(0, total)
			}
		}
		opt.Starting = func(string) {
			if total > 0 {
				reading(min(done, total), total)
			}
			done++
		}
	}
	d, err := dicom.ReadWith(ctx, path, opt)
	if err == nil && reading != nil && total > 0 {
		reading(total, total)
	}
	return d, err
}

// RenderDICOM is dicom.Render in a child process, for a DICOM file's
// bytes.
func RenderDICOM(ctx context.Context, data []byte, frame int) (image.Image, dicom.RenderInfo, error) {
	resp, out, err := run(ctx, "dicom-render", request{Data: len(data), Frame: frame}, data, nil, RenderLimits)
	if errors.Is(err, errNoChild) {
		return dicom.Render(ctx, bytes.NewReader(data), int64(len(data)), frame)
	}
	return rendered(resp, out, err)
}

// rendered is a "dicom-render" child's answer: the picture it drew (as
// PNG) and how, or its refusal as a sentence.
func rendered(resp response, out []byte, err error) (image.Image, dicom.RenderInfo, error) {
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
	return rendered(resp, out, err)
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
