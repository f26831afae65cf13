package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"secondopinion/records/media"
)

// ops are the kinds of work a child does. Tests add their own.
var ops = map[string]func(ctx context.Context, req request, in io.Reader, file *os.File) (response, []byte, error){
	"inspect": func(ctx context.Context, req request, _ io.Reader, f *os.File) (response, []byte, error) {
		if f == nil {
			return response{}, nil, errors.New("no file")
		}
		fi, err := f.Stat()
		if err != nil {
			return response{}, nil, err
		}
		info, err := media.Inspect(ctx, f, fi.Size(), req.MediaType)
		return response{Info: info}, nil, err
	},
	"unlock": func(ctx context.Context, req request, _ io.Reader, f *os.File) (response, []byte, error) {
		if f == nil {
			return response{}, nil, errors.New("no file")
		}
		var out bytes.Buffer
		err := media.Unlock(ctx, f, &out, req.Password)
		return response{}, out.Bytes(), err
	},
	"print": func(ctx context.Context, req request, in io.Reader, _ *os.File) (response, []byte, error) {
		jpg, w, h, err := media.PrintImage(in, req.Orientation, req.MaxW, req.MaxH, req.Quality)
		return response{W: w, H: h}, jpg, err
	},
}

// runChild does one piece of work as a child and returns the exit code.
// Its answer goes to the real standard output; anything a library prints
// goes to standard error instead.
func runChild(op string) int {
	out := os.Stdout
	os.Stdout = os.Stderr
	in := bufio.NewReader(os.Stdin)
	line, err := in.ReadBytes('\n')
	var req request
	if err != nil || json.Unmarshal(line, &req) != nil {
		fmt.Fprintln(os.Stderr, "sandbox child: no request")
		return 3
	}
	// Memory is the resident memory the child should stay within; the
	// data rlimit, a hard stop, is twice that because it counts address
	// space the Go heap has mapped and since released (measured: a
	// 164 MB RGBA image prints at a 335 MB peak but maps about 420 MB).
	limitMemory(2 * req.Memory)
	if req.Memory > 0 {
		debug.SetMemoryLimit(req.Memory)
		// A recursion without end then stops as a stack overflow, long
		// before the stack (1 GB by default) meets the memory limit.
		debug.SetMaxStack(int(min(req.Memory/4, 64<<20)))
	}
	fn, ok := ops[op]
	if !ok {
		fmt.Fprintf(os.Stderr, "sandbox child: unknown operation %q\n", op)
		return 3
	}
	var file *os.File
	if req.File {
		file = os.NewFile(3, "input")
	}
	resp, data, err := fn(context.Background(), req, io.LimitReader(in, int64(req.Data)), file)
	if err != nil {
		info := resp.Info
		resp = response{Kind: errKind(err), Msg: bareMessage(err)}
		var d *media.DamagedPDFError
		if errors.As(err, &d) {
			// A PDF with some unreadable pages: the parent needs which, to
			// offer adding only the sound ones.
			resp.Damaged = &damaged{Pages: d.Pages, Bad: d.Bad, CutShort: d.CutShort}
			resp.Info = info
		}
		data = nil
	}
	resp.JPEG = len(data)
	resp.PeakRSS = peakRSS()
	head, _ := json.Marshal(resp)
	w := bufio.NewWriter(out)
	w.Write(head)
	w.WriteByte('\n')
	io.Copy(w, bytes.NewReader(data))
	if err := w.Flush(); err != nil {
		return 3
	}
	return 0
}

// errKind names the sentinel an error wraps, most specific first.
func errKind(err error) string {
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return "too-large"
	case errors.Is(err, media.ErrPassword):
		return "password"
	case errors.Is(err, media.ErrNotRegular):
		return "not-regular"
	}
	return "unreadable"
}

// bareMessage is err's text without the sentinels' texts at its end, which
// the parent adds back when it rebuilds the error.
func bareMessage(err error) string {
	msg := err.Error()
	for again := true; again; {
		again = false
		for _, s := range []error{media.ErrTooLarge, media.ErrUnreadable, media.ErrPassword, media.ErrNotRegular} {
			if m, ok := strings.CutSuffix(msg, ": "+s.Error()); ok {
				msg, again = m, true
			}
		}
	}
	return msg
}
