// Package export turns what a person has catalogued into the files that
// leave the machine: the second-opinion packet (one PDF with a cover,
// contents with the records index, summary, medication list, questions and
// then the documents themselves), a one-page question sheet and a
// medication list.
//
// Pages we write ourselves are drawn with gofpdf in DejaVu Sans, so names in
// Latin, Greek or Cyrillic letters print correctly; the patient's own PDFs
// are merged page for page with pdfcpu, so their text, links, forms and
// bookmarks survive, each page scaled onto the packet's paper. The package imports records and never Fyne: the app and the
// command line call the same functions.
package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"secondopinion/records"
)

// Options say what to export and how. The zero value of every field but
// PersonID has a sensible meaning.
type Options struct {
	PersonID string          // required
	CaseID   string          // "" = a packet of all the person's documents, summary saying plainly what is not recorded
	Paper    records.Paper   // "" = the case's setting, else records.DefaultPaper()
	Quality  records.Quality // "" = the case's setting, else compact
	Exclude  []string        // document IDs the user chose to leave out after the readiness check
	// Duplex makes every document start on a right-hand (odd) page, for
	// printing on both sides: a back left empty says so.
	Duplex bool
	// ForEmail makes the packet fit a 25 MB e-mail (WritePacket): photos
	// at 150 dpi, photographed black-on-white documents in grey, and, if it
	// is still larger than EmailLimit, parts of at most that size
	// (PartName), the front sections in part 1.
	ForEmail bool
	// Password, when set, encrypts the packet (every part) with AES-256;
	// check it first with CheckPassword. It is never logged or shown.
	Password string
	// Progress, when set, is called with work done and work in all, from
	// the exporting goroutine.
	Progress func(done, total int)
	Now      func() time.Time // nil = time.Now (tests inject)

	enclosed bool // the packet goes out with its originals (WriteEnclosure)
}

// Result describes a file that was written.
type Result struct {
	Path      string
	Pages     int
	Bytes     int64
	Documents int       // documents in the packet
	Skipped   []Issue   // documents that could not go in (see Readiness)
	Cleaned   []Cleaned // documents whose PDFs lost scripts, actions or attachments on the way in
	// Files lists every file written, in order: one, or the parts of a
	// packet split for e-mail (Path is then the first part, Bytes all).
	Files     []Written
	Notes     []string // sentences for the user, such as a part too large for e-mail
	Encrypted bool     // the files open only with the password
}

// Cleaned is one document in the packet whose PDFs had something taken
// out (see Removed); its divider page says what.
type Cleaned struct {
	DocumentID string
	Title      string
	Removed    Removed
}

// Issue is one document that cannot go into the packet, and why.
type Issue struct {
	DocumentID string
	Title      string
	Problem    string // a sentence for the user: what is wrong and what to do
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// stopped is the sentence for a cancelled export.
func stopped(err error) error {
	return &records.Problem{Msg: "The export was stopped. No file was written.", Err: err}
}

// fail wraps an unexpected error in a sentence that says nothing was
// written, keeping any user sentence an inner step already gave.
func fail(what string, err error) error {
	var p *records.Problem
	if errors.As(err, &p) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return stopped(err)
	}
	if isNoSpace(err) {
		return diskProblem(err)
	}
	return &records.Problem{Msg: fmt.Sprintf("The %s could not be made, so no file was written (%v). Try again; if it keeps happening, make a backup from Settings and tell us.", what, err), Err: err}
}

// CheckTarget refuses an export destination that must not be replaced:
// the open library or its journals (a slip of the keyboard would turn every
// record into a PDF), a folder or device, or an existing file that is not a
// PDF (a backup, a letter). Replacing an existing PDF is allowed; the app
// asks first. Every Write function calls it before any work; the app calls
// it too, before asking whether to replace a file.
func CheckTarget(s *records.Store, out string) error {
	if strings.TrimSpace(out) == "" {
		return &records.Problem{Msg: "Say where to save the file, for example packet.pdf."}
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return &records.Problem{Msg: fmt.Sprintf("%s is not a file name Second Opinion can use. Choose another.", out), Err: err}
	}
	lib := s.Path()
	libMsg := &records.Problem{Msg: fmt.Sprintf("%s is your Second Opinion library itself (or its journal); saving there would replace every record. Nothing was written: choose another name, for example packet.pdf.", abs), Err: errLibraryTarget}
	for _, p := range []string{lib, lib + "-wal", lib + "-shm", lib + "-journal"} {
		if abs == p {
			return libMsg
		}
	}
	st, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &records.Problem{Msg: fmt.Sprintf("Second Opinion cannot look at %s (%v). Choose another name or folder.", abs, errBrief(err)), Err: err}
	}
	for _, p := range []string{lib, lib + "-wal", lib + "-shm"} {
		if lst, err := os.Stat(p); err == nil && os.SameFile(st, lst) {
			return libMsg
		}
	}
	if st.IsDir() {
		return &records.Problem{Msg: fmt.Sprintf("%s is a folder. Choose a file name inside it, for example packet.pdf.", abs), Err: errNotPDFTarget}
	}
	if !st.Mode().IsRegular() {
		return &records.Problem{Msg: fmt.Sprintf("%s is not an ordinary file, so nothing was written there. Choose another name, for example packet.pdf.", abs), Err: errNotPDFTarget}
	}
	if !isPDFFile(abs) {
		return &records.Problem{Msg: fmt.Sprintf("%s already exists and is not a PDF, so it was not replaced and nothing was written. Choose another name, for example packet.pdf.", abs), Err: errNotPDFTarget}
	}
	return nil
}

var (
	errLibraryTarget = errors.New("export: destination is the library")
	errNotPDFTarget  = errors.New("export: destination exists and is not a PDF")
)

// isPDFFile reports whether the file starts like a PDF (the header may
// follow up to 1 KB of other bytes, as readers allow).
func isPDFFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, _ := io.ReadFull(f, head)
	return bytes.Contains(head[:n], []byte("%PDF-"))
}

func errBrief(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// writeAtomic writes a file through a temporary file in the same folder,
// synced to disk and then renamed over out, so that out is either the whole
// new file or untouched: never half a packet. fill must honour ctx.
//
// The temporary file is private (0600) from its creation and is locked
// while it is written; one left by an export that was killed is removed
// by the next export to the same folder and name.
func writeAtomic(ctx context.Context, s *records.Store, out string, fill func(w io.Writer) error) (int64, error) {
	return writeAtomicWith(ctx, out, func() error { return CheckTarget(s, out) }, fill)
}

// writeAtomicWith is writeAtomic with its own check of the destination
// (an enclosure's .zip is not a PDF), made before and just before the
// rename.
func writeAtomicWith(ctx context.Context, out string, check func() error, fill func(w io.Writer) error) (int64, error) {
	if err := check(); err != nil {
		return 0, err
	}
	dir := filepath.Dir(out)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return 0, &records.Problem{Msg: fmt.Sprintf("The folder %s does not exist. Choose a folder that exists to save the file in.", dir), Err: err}
	}
	prefix := "." + strings.TrimSuffix(filepath.Base(out), filepath.Ext(out)) + "-"
	removeStalePartials(dir, prefix)
	tmp, err := os.CreateTemp(dir, prefix+"*.partial")
	if err != nil {
		if isNoSpace(err) {
			return 0, diskProblem(err)
		}
		return 0, &records.Problem{Msg: fmt.Sprintf("Second Opinion cannot write in %s. Choose a folder you can write to, such as Documents.", dir), Err: err}
	}
	name := tmp.Name()
	lockPartial(tmp)
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(name)
		}
	}()
	cw := &countWriter{w: tmp}
	if err := fill(cw); err != nil {
		var p *records.Problem
		switch {
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			return 0, stopped(err)
		case isNoSpace(err):
			return 0, diskProblem(err)
		case errors.As(err, &p):
			return 0, err
		}
		return 0, diskProblem(err)
	}
	if err := ctx.Err(); err != nil {
		return 0, stopped(err)
	}
	if err := tmp.Sync(); err != nil {
		return 0, diskProblem(err)
	}
	if err := tmp.Close(); err != nil {
		return 0, diskProblem(err)
	}
	// Checked again just before the rename: the destination may have
	// changed while the packet was being made.
	if err := check(); err != nil {
		return 0, err
	}
	if err := os.Rename(name, out); err != nil {
		return 0, &records.Problem{Msg: fmt.Sprintf("The file could not be saved as %s (%v). If it is open in another program, close it and try again.", out, err), Err: err}
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename itself durable; not all systems allow it
		d.Close()
	}
	return cw.n, nil
}

// removeStalePartials removes temporary files of earlier exports to the same
// name that are no longer being written (their writer was killed).
func removeStalePartials(dir, prefix string) {
	names, _ := filepath.Glob(filepath.Join(dir, globEscape(prefix)+"*.partial"))
	for _, n := range names {
		if partialAbandoned(n) {
			os.Remove(n)
		}
	}
}

func globEscape(s string) string {
	return strings.NewReplacer("\\", "\\\\", "*", "\\*", "?", "\\?", "[", "\\[").Replace(s)
}

func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "no space left") || strings.Contains(err.Error(), "disk is full")
}

func diskProblem(err error) error {
	if isNoSpace(err) {
		return &records.Problem{Msg: "The disk is full, so the file was not saved (nothing else was changed). Free some space or choose another place, then try again.", Err: fmt.Errorf("%w: %v", records.ErrDiskFull, err)}
	}
	return &records.Problem{Msg: fmt.Sprintf("The file could not be saved (%v). Try again, or choose another folder.", errBrief(err)), Err: err}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// progress counts work and reports it; safe to call with a nil callback.
// It is used only from the exporting goroutine.
type progress struct {
	fn          func(done, total int)
	done, total int
}

func (p *progress) step(n int) {
	p.done += n
	if p.done > p.total {
		p.total = p.done
	}
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
}

func logExport(ctx context.Context, s *records.Store, opt Options, kind, to string, res Result) {
	if opt.CaseID == "" {
		return
	}
	// The packet is already written; a failure to log it must not turn a
	// good export into an error message, so the error is dropped.
	_ = s.LogExport(ctx, &records.PacketExport{CaseID: opt.CaseID, At: opt.now().UTC(), To: to,
		FileName: filepath.Base(res.Path), Pages: res.Pages, Bytes: res.Bytes, Kind: kind})
}
