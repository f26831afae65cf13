// Package sandbox reads files nobody has checked yet in a child process
// with limits, so that a crash or a runaway in a parser cannot reach the
// window or the library.
//
// The child is this program itself, started again with a hidden argument:
// Serve, called first thing in main (and in TestMain of every package whose
// tests reach the sandbox), recognises it, does the one piece of work asked
// for and exits. The child limits its own memory before it starts
// (GOMEMLIMIT and an rlimit on its data size) and the parent kills it when
// it runs out of time. A Go stack overflow, running out of memory or
// running too long end only the child; the parent turns each into an error
// wrapping media.ErrUnreadable, or media.ErrTooLarge as well when the file
// needed more memory or time than one file may have.
//
// When the child cannot be started (Serve was not called in this process,
// or the executable cannot be found), the work is done in this process,
// as it was before the sandbox existed.
package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"secondopinion/records/dicom"
	"secondopinion/records/media"
)

// Limits bound one child.
type Limits struct {
	// Memory is the resident memory the child should stay within, in
	// bytes: its GOMEMLIMIT. Its hard stop (RLIMIT_DATA on Linux) is twice
	// that, as it counts heap address space mapped and since released.
	Memory int64
	// Time is the longest the child may run, start-up included.
	Time time.Duration
}

// Default limits for one file. A 12 MP phone photo needs about 20 MB to
// inspect and 110 MB to print; the largest image media accepts
// (media.MaxDecodedBytes, 160 MB decoded) prints at a 233 MB peak. With
// the app's own ~140 MB the whole process tree stays near 500 MB. Ten
// seconds is fifty times what a phone photo takes.
var (
	InspectLimits = Limits{Memory: 320 << 20, Time: 10 * time.Second}
	PrintLimits   = Limits{Memory: 320 << 20, Time: 20 * time.Second}
)

// childArg is the hidden first argument that makes Serve act as a child.
const childArg = "-secondopinion-sandbox-child"

// served is set by Serve in a parent: the executable knows how to be a
// child. Without it, starting ourselves again would run the program (or a
// test binary's tests) a second time, so the work is done in-process.
var served atomic.Bool

// Serve must be called first thing in main, before flags are parsed, and
// in TestMain of packages whose tests use the sandbox. In a child started
// by this package it does the work asked for, writes the answer to
// standard output and exits; otherwise it returns at once.
func Serve() {
	if len(os.Args) >= 3 && os.Args[1] == childArg {
		os.Exit(runChild(os.Args[2]))
	}
	served.Store(true)
}

// request is what the parent asks of the child, sent as one JSON line on
// the child's standard input, followed by Data bytes of input for print.
type request struct {
	MediaType   string
	Orientation int
	MaxW, MaxH  int
	Quality     int
	Data        int   // bytes of input that follow the request line
	File        bool  // the input file is the child's descriptor 3
	Memory      int64 // the child's memory limit
	// Path is the disc a "disc" child reads; Frame the frame a
	// "dicom-render" child draws (-1: the middle one).
	Path  string `json:",omitempty"`
	Frame int    `json:",omitempty"`
	// Skip are a disc's files a "disc" child leaves out, with why (it
	// reports the files it reads on its descriptor 3: see discOp).
	Skip map[string]string `json:",omitempty"`
	// Password opens a locked PDF (unlock). It travels on the child's
	// standard input only, never in its arguments or environment.
	Password string `json:",omitempty"`
}

// response is the child's answer: one JSON line on its standard output,
// followed by JPEG bytes for print.
type response struct {
	Info media.Info
	W, H int
	JPEG int // bytes of JPEG that follow the response line
	// Kind and Msg describe a refusal: "unreadable", "too-large",
	// "password" or "" for none.
	Kind, Msg string
	// PeakRSS is the child's peak resident memory in bytes (0 if unknown).
	PeakRSS int64
	// Damaged describes a PDF refused for unreadable pages.
	Damaged *damaged `json:",omitempty"`
	// Answers of the DICOM operations (see dicom.go).
	Disc   *dicom.Disc       `json:",omitempty"`
	Render *dicom.RenderInfo `json:",omitempty"`
	Report *dicom.Report     `json:",omitempty"`
	// Refusal is a DICOM refusal's sentence, with what it wraps
	// ("nodicom", "nopreview", "unreadable").
	Refusal, RefusalKind string `json:",omitempty"`
}

// damaged is a media.DamagedPDFError on the wire.
type damaged struct {
	Pages    int
	Bad      []int
	CutShort bool
}

// Errors for a child that failed, rather than refused.
var (
	errCrashed = errors.New("sandbox: the reader crashed")
)

// Inspect is media.Inspect in a child process for the file at path, which
// must be an ordinary file (see media.CheckRegular). mediaType is as for
// media.Inspect ("" to sniff). Errors wrap media.ErrNotRegular,
// media.ErrUnreadable (with media.ErrTooLarge for files that need more
// memory or time than InspectLimits allow) or media.ErrPassword, or are the
// context's error, or come from opening the file.
func Inspect(ctx context.Context, path, mediaType string) (media.Info, error) {
	f, err := openRegular(path)
	if err != nil {
		return media.Info{}, err
	}
	defer f.Close()
	return InspectFile(ctx, f, mediaType)
}

// InspectFile is Inspect for a file the caller has opened (and checked is
// an ordinary file). The child reads it through a duplicate descriptor; f's
// offset is left unspecified.
func InspectFile(ctx context.Context, f *os.File, mediaType string) (media.Info, error) {
	fi, err := f.Stat()
	if err != nil {
		return media.Info{}, err
	}
	if !fi.Mode().IsRegular() {
		return media.Info{}, fmt.Errorf("%s is not an ordinary file: %w", fi.Name(), media.ErrNotRegular)
	}
	req := request{MediaType: mediaType}
	resp, _, err := run(ctx, "inspect", req, nil, f, InspectLimits)
	if errors.Is(err, errNoChild) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return media.Info{}, err
		}
		return media.Inspect(ctx, f, fi.Size(), mediaType)
	}
	if err != nil {
		return resp.Info, err
	}
	return resp.Info, nil
}

// PrintImage is media.PrintImage in a child process: data is the stored
// image, the answer a metadata-free JPEG and its pixel size. Errors wrap
// media.ErrUnreadable (with media.ErrTooLarge for images that need more
// memory or time than PrintLimits allow), or are the context's error.
func PrintImage(ctx context.Context, data []byte, orientation, maxW, maxH, quality int) ([]byte, int, int, error) {
	req := request{Orientation: orientation, MaxW: maxW, MaxH: maxH, Quality: quality, Data: len(data)}
	resp, jpg, err := run(ctx, "print", req, data, nil, PrintLimits)
	if errors.Is(err, errNoChild) {
		if err := ctx.Err(); err != nil {
			return nil, 0, 0, err
		}
		return media.PrintImage(bytes.NewReader(data), orientation, maxW, maxH, quality)
	}
	if err != nil {
		return nil, 0, 0, err
	}
	return jpg, resp.W, resp.H, nil
}

// Unlock is media.Unlock in a child process for the file at path: the
// answer is the PDF in the clear. Errors wrap media.ErrPassword (the
// password does not open it) or media.ErrUnreadable, or are the context's
// error.
func Unlock(ctx context.Context, path, password string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_, out, err := run(ctx, "unlock", request{Password: password}, nil, f, PrintLimits)
	if errors.Is(err, errNoChild) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := media.Unlock(ctx, f, &buf, password); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return out, err
}

var errNoChild = errors.New("sandbox: no child process")

// observe, when set (by tests), sees how each child ended.
var observe func(op string, took time.Duration, peakRSS int64, ps *os.ProcessState)

// maxOutput bounds what the parent reads back from a child.
const maxOutput = 512 << 20

// run starts a child for op, sends it req (and data, and file as its
// descriptor 3), and returns its answer, or errNoChild when there can be
// no child.
func run(ctx context.Context, op string, req request, data []byte, file *os.File, lim Limits) (response, []byte, error) {
	if !served.Load() {
		return response{}, nil, errNoChild
	}
	exe, err := os.Executable()
	if err != nil {
		return response{}, nil, errNoChild
	}
	if err := ctx.Err(); err != nil {
		return response{}, nil, err
	}
	req.Memory = lim.Memory
	req.File = file != nil
	line, err := json.Marshal(req)
	if err != nil {
		return response{}, nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, lim.Time)
	defer cancel()
	cmd := exec.CommandContext(cctx, exe, childArg, op)
	cmd.Stdin = io.MultiReader(bytes.NewReader(append(line, '\n')), bytes.NewReader(data))
	var stdout bytes.Buffer
	stderr := &tail{max: 4 << 10}
	cmd.Stdout = &limitedWriter{w: &stdout, n: maxOutput}
	cmd.Stderr = stderr
	if file != nil {
		cmd.ExtraFiles = []*os.File{file}
	}
	cmd.Env = append(os.Environ(), fmt.Sprintf("GOMEMLIMIT=%d", lim.Memory))
	cmd.WaitDelay = time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return response{}, nil, errNoChild
	}
	werr := cmd.Wait()
	if werr != nil && observe != nil {
		observe(op, time.Since(start), 0, cmd.ProcessState)
	}
	switch {
	case ctx.Err() != nil:
		return response{}, nil, ctx.Err()
	case cctx.Err() != nil:
		return response{}, nil, fmt.Errorf("reading the file took longer than %v: %w: %w", lim.Time.Round(time.Second), media.ErrTooLarge, media.ErrUnreadable)
	case werr != nil:
		return response{}, nil, childError(werr, stderr.String(), lim, time.Since(start))
	}
	out := stdout.Bytes()
	nl := bytes.IndexByte(out, '\n')
	var resp response
	bad := nl < 0 || json.Unmarshal(out[:nl], &resp) != nil || resp.JPEG != len(out)-nl-1
	if observe != nil {
		observe(op, time.Since(start), resp.PeakRSS, cmd.ProcessState)
	}
	if bad {
		return response{}, nil, fmt.Errorf("the reader gave no answer: %w: %w", errCrashed, media.ErrUnreadable)
	}
	if err := resp.err(); err != nil {
		return response{Info: resp.Info}, nil, err // Info: a damaged PDF's pages
	}
	return resp, out[nl+1:], nil
}

// childError explains why a child ended badly, from its exit and the end
// of what it wrote to standard error.
func childError(werr error, stderr string, lim Limits, took time.Duration) error {
	switch {
	// Out of memory shows as the runtime failing to map more heap or, when
	// the limit is reached between allocations, as a thread that cannot be
	// started (thread stacks count against the data limit; cgo's
	// "runtime/cgo: pthread_create failed" or "out of memory in
	// thread_start"). At the limit the runtime occasionally dies of a
	// SIGSEGV instead, which is reported as a crash.
	case strings.Contains(stderr, "out of memory"), strings.Contains(stderr, "cannot allocate memory"),
		strings.Contains(stderr, "runtime/cgo:"), strings.Contains(stderr, "newosproc"):
		return fmt.Errorf("reading the file needed more than %d MB of memory: %w: %w", lim.Memory>>20, media.ErrTooLarge, media.ErrUnreadable)
	case strings.Contains(stderr, "stack overflow"), strings.Contains(stderr, "stack exceeds"):
		return fmt.Errorf("the reader crashed on the file (stack overflow): %w: %w", errCrashed, media.ErrUnreadable)
	}
	msg := strings.TrimSpace(stderr)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return fmt.Errorf("the reader crashed on the file after %v (%v: %s): %w: %w", took.Round(time.Millisecond), werr, msg, errCrashed, media.ErrUnreadable)
}

// err rebuilds the child's refusal with the sentinels it wrapped.
func (r response) err() error {
	switch r.Kind {
	case "":
		return nil
	case "password":
		return fmt.Errorf("%s: %w", r.Msg, media.ErrPassword)
	case "too-large":
		return fmt.Errorf("%s: %w: %w", r.Msg, media.ErrTooLarge, media.ErrUnreadable)
	}
	if r.Damaged != nil {
		return &media.DamagedPDFError{Pages: r.Damaged.Pages, Bad: r.Damaged.Bad, CutShort: r.Damaged.CutShort, Err: errors.New(r.Msg)}
	}
	switch r.Kind {
	case "not-regular":
		return fmt.Errorf("%s: %w", r.Msg, media.ErrNotRegular)
	}
	return fmt.Errorf("%s: %w", r.Msg, media.ErrUnreadable)
}

// openRegular opens an ordinary file for reading, refusing anything else
// without blocking: the mode is checked before opening, and the file is
// opened non-blocking in case it was swapped for a named pipe in between,
// then checked again.
func openRegular(path string) (*os.File, error) {
	if err := media.CheckRegular(path); err != nil {
		return nil, err
	}
	f, err := openNonblock(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not an ordinary file: %w", path, media.ErrNotRegular)
	}
	return f, nil
}

// tail keeps the first and the last max bytes written to it: a Go crash
// names its cause at the start and the goroutine dump can run to megabytes.
type tail struct {
	max        int
	head, b    []byte
	overflowed bool
}

func (t *tail) Write(p []byte) (int, error) {
	n := len(p)
	if room := t.max - len(t.head); room > 0 {
		k := min(room, len(p))
		t.head = append(t.head, p[:k]...)
		p = p[k:]
	}
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
		t.overflowed = true
	}
	return n, nil
}

func (t *tail) String() string {
	if t.overflowed {
		return string(t.head) + "\n…\n" + string(t.b)
	}
	return string(t.head) + string(t.b)
}

// limitedWriter fails once more than n bytes come.
type limitedWriter struct {
	w io.Writer
	n int64
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		return 0, errors.New("sandbox: the reader's answer is too long")
	}
	l.n -= int64(len(p))
	return l.w.Write(p)
}
