package records

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"secondopinion/records/media"
	"secondopinion/records/sandbox"
)

const (
	// ChunkSize is how file bytes are split in the library, so that adding
	// or reading a large file never holds it whole in memory.
	ChunkSize = 1 << 20
	// MaxFileSize is the largest single file the library takes.
	MaxFileSize = 1 << 30
	// maxIndexedText caps how much of a PDF's text layer (or of what OCR
	// read from a file's pages) is searchable.
	maxIndexedText = 256 << 10
)

// AddOptions tune AddDocument.
type AddOptions struct {
	// NewPerson, when set, is created in the same transaction and becomes
	// the document's person: a failed add leaves no half-made person.
	NewPerson *Person
	// Progress, when set, is called with bytes done and bytes in all, from
	// the caller's goroutine.
	Progress func(done, total int64)
	// Again adds a file even when the same bytes are already a document's
	// (the user said so). Without it such an add is refused with
	// ErrDuplicate, naming the document that has them.
	Again bool
	// KeepGood, for a document of several files, adds the files that can
	// be read when others cannot, and lists the others in Report; without
	// it one bad file refuses the whole add. The add still fails when no
	// file can be read.
	KeepGood bool
	// Report, when set, is filled with what the add left out.
	Report *AddReport
	// ReadablePagesOnly adds, from a damaged PDF some of whose pages can
	// be read, a copy holding just those pages; the document then says
	// which pages are missing (Document.Missing). Without it such a PDF is
	// refused with a *media.DamagedPDFError that lists the pages.
	ReadablePagesOnly bool
	// Passwords open PDFs locked with a user password, by the path given
	// to the add. Such a PDF is kept as it came and, beside it, unlocked;
	// without its password the add is refused with a *PasswordError. The
	// passwords are used for the add only, never stored or logged.
	Passwords map[string]string
}

// AddReport says what an add left out, page by page.
type AddReport struct {
	LeftOut []LeftOut
}

// LeftOut is one file an add could not take: its place in the order the
// user chose (1 is the first), its name and why.
type LeftOut struct {
	Page int
	Name string
	Err  error
}

// pending is a file checked and hashed, ready to store.
type pending struct {
	path string
	name string
	size int64
	info media.Info
	// Set while adding: the staged file row holding the bytes, their
	// SHA-256, or the stored file that already has the same bytes.
	staged, sha, existing string
	// missing says which pages of a damaged PDF were left out (path is then
	// a private copy of the readable ones, in tempDir).
	missing, tempDir string
	// open, when set, reads the bytes instead of path (a file on an
	// imaging disc or in its zip).
	open func() (io.ReadCloser, error)
	// reportTitle is the title of a report taken from an imaging disc;
	// reportDate the report's own date (a structured report's content
	// date), if it has one.
	reportTitle string
	reportDate  Date
	// original is the file as the user had it when this one is a
	// readable copy of it (a locked PDF unlocked, a HEIC photo as JPEG);
	// why says which ("unlocked", "converted").
	original *pending
	why      string
}

// inspectFile checks one file on disk before anything is written: it exists,
// is neither empty nor too large, is a PDF or image we can read, and opens
// without a password. Every refusal is a sentence naming the file.
func inspectFile(ctx context.Context, path string, readableOnly bool, password string) (pending, error) {
	name := filepath.Base(path)
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return pending{}, &Problem{Msg: fmt.Sprintf("There is no file %s. Check the name and folder, then add it again.", path), Err: err}
	}
	if err != nil {
		return pending{}, &Problem{Msg: fmt.Sprintf("Second Opinion cannot read %s (%v). Check its permissions, then add it again.", name, errBrief(err)), Err: err}
	}
	if st.IsDir() {
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is a folder. Choose the files inside it instead.", name), Err: ErrNotRegular}
	}
	if !st.Mode().IsRegular() {
		// A pipe, device or socket: opening a pipe would wait for ever, and
		// a device such as /dev/zero never ends.
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is not an ordinary file (it is %s), so there is nothing to add from it. Save the document as a file, then add that.", name, media.ModeKind(st.Mode())), Err: ErrNotRegular}
	}
	if st.Size() == 0 {
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is empty (0 bytes), so there is nothing to add. It may not have finished downloading or copying: get it again and add the new copy.", name), Err: ErrEmptyFile}
	}
	if st.Size() > MaxFileSize {
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is %s, more than the %s a single file may be. If it is a scan, scan it again at a lower resolution or split it into parts.", name, humanBytes(st.Size()), humanBytes(MaxFileSize)), Err: ErrFileTooLarge}
	}
	f, err := os.Open(path)
	if err != nil {
		return pending{}, &Problem{Msg: fmt.Sprintf("Second Opinion cannot read %s (%v). Check its permissions, then add it again.", name, errBrief(err)), Err: err}
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return pending{}, &Problem{Msg: fmt.Sprintf("Second Opinion could not read %s (%v). Copy it to your computer again and add the copy.", name, err), Err: err}
	}
	mt := media.Sniff(head[:n])
	if mt == "" {
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is not a PDF or a picture we can read. Save it as PDF or JPEG and add it again.", name), Err: ErrUnreadableFile}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return pending{}, err
	}
	if mt == media.HEIC {
		return convertHEIC(ctx, path, name, st.Size())
	}
	// The file has not been checked yet. PDFs, DICOM and the rarer picture
	// formats are read by libraries in a child process with limits on
	// memory and time, so a hostile or broken file cannot take the app (and
	// what the user is typing) down with it. JPEG and PNG, most of what is
	// added, are checked here by our own bounded walk over their structure
	// (no decoding, no recursion, EXIF read from its first directory only):
	// a child per photo would cost about 30 ms each, 30 s for a folder of
	// 1,000.
	var info media.Info
	if mt == media.JPEG || mt == media.PNG {
		info, err = media.Inspect(ctx, f, st.Size(), mt)
	} else {
		info, err = sandbox.InspectFile(ctx, f, mt)
	}
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is too large to read safely (its pictures or pages would take more memory or time than a computer should spend on one file). If it is a scan, scan it again at a lower resolution, or save it as a smaller PDF, then add that.", name), Err: fmt.Errorf("%w: %v", ErrFileTooLarge, err)}
	case errors.As(err, new(*media.DamagedPDFError)):
		var d *media.DamagedPDFError
		errors.As(err, &d)
		if readableOnly && len(d.Sound()) > 0 {
			return readablePages(ctx, f, path, name, d)
		}
		return pending{}, &Problem{Msg: name + ": " + d.Sentence(), Err: fmt.Errorf("%w: %w", ErrUnreadableFile, err)}
	case errors.Is(err, media.ErrPassword):
		return unlockPDF(ctx, path, name, st.Size(), password, readableOnly)
	case err != nil && ctx.Err() != nil:
		return pending{}, &Problem{Msg: "Stopped. Nothing was added.", Err: ctx.Err()}
	case err != nil:
		what := "picture"
		if mt == "application/pdf" {
			what = "PDF"
		} else if mt == "application/dicom" {
			what = "DICOM image"
		}
		return pending{}, &Problem{Msg: fmt.Sprintf("%s looks like a %s but is damaged or incomplete, so it cannot be read. Get a fresh copy (download or scan it again) and add that.", name, what), Err: fmt.Errorf("%w: %v", ErrUnreadableFile, err)}
	}
	return pending{path: path, name: name, size: st.Size(), info: info}, nil
}

// AddDocument catalogues files as one document (several files are several
// pages, in the given order) and fills d.ID, d.Files and the counts. Every
// file is checked before anything is written; on any error the library is
// exactly as it was.
//
// The bytes are written first, in short transactions, as staged files that
// no list shows; the document is then created in one short transaction that
// links them. Other writers (the app, another command) therefore never wait
// long, and a crash part way leaves only staged files, which the next Open
// or Check removes.
func (s *Store) AddDocument(ctx context.Context, d *Document, paths []string, opt AddOptions) error {
	normalize(d)
	if len(paths) == 0 {
		return invalid("Choose at least one file to add.")
	}
	if d.Kind == "" {
		d.Kind = KindOther
	}
	if _, err := ParseKind(string(d.Kind)); err != nil {
		return err
	}
	if opt.NewPerson == nil && d.PersonID == "" {
		return invalid("Choose who this document is for.")
	}
	files, err := s.inspectAndStage(ctx, paths, opt)
	if err != nil {
		return err
	}
	defer removeTemp(files)
	if strings.TrimSpace(d.Title) == "" {
		d.Title = titleFromName(files[0].name)
	}
	if err := s.refuseDuplicates(ctx, files, opt); err != nil {
		s.dropStagedFiles(files)
		return err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if opt.NewPerson != nil {
			if err := s.savePerson(ctx, tx, opt.NewPerson); err != nil {
				return err
			}
			d.PersonID = opt.NewPerson.ID
		}
		now := s.now()
		d.ID, d.Created, d.Updated, d.Trashed = newID(), now, now, false
		d.Missing = missingText(files)
		if _, err := tx.ExecContext(ctx, `INSERT INTO document (id, person_id, kind, title, date, source, notes, tags, created, updated, missing)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, d.PersonID, string(d.Kind), strings.TrimSpace(d.Title), d.Date.String(),
			d.Source, d.Notes, joinTags(d.Tags), stamp(now), stamp(now), d.Missing); err != nil {
			if strings.Contains(err.Error(), "FOREIGN KEY") {
				return notFound("person")
			}
			return fmt.Errorf("add document: %w", err)
		}
		d.Files = nil
		if err := s.linkFiles(ctx, tx, d, files, 0); err != nil {
			return err
		}
		return indexDocument(ctx, tx, d)
	})
	if err != nil {
		s.dropStagedFiles(files)
	}
	return err
}

// AddPages appends files to an existing document as further pages.
func (s *Store) AddPages(ctx context.Context, documentID string, paths []string, progress func(done, total int64)) error {
	return s.AddPagesWith(ctx, documentID, paths, AddOptions{Progress: progress})
}

// AddPagesWith is AddPages with options (Again, KeepGood, Report).
func (s *Store) AddPagesWith(ctx context.Context, documentID string, paths []string, opt AddOptions) error {
	if len(paths) == 0 {
		return invalid("Choose at least one file to add.")
	}
	if _, err := s.Document(ctx, documentID); err != nil {
		return err
	}
	files, err := s.inspectAndStage(ctx, paths, opt)
	if err != nil {
		return err
	}
	defer removeTemp(files)
	if err := s.refuseDuplicates(ctx, files, opt); err != nil {
		s.dropStagedFiles(files)
		return err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		d, err := s.document(ctx, tx, documentID)
		if err != nil {
			return err
		}
		if err := s.linkFiles(ctx, tx, &d, files, len(d.Files)); err != nil {
			return err
		}
		if m := missingText(files); m != "" {
			d.Missing = strings.TrimSpace(d.Missing + " " + m)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE document SET updated=?, missing=? WHERE id=?`, stamp(s.now()), d.Missing, d.ID); err != nil {
			return err
		}
		return indexDocument(ctx, tx, &d)
	})
	if err != nil {
		s.dropStagedFiles(files)
	}
	return err
}

// inspectAndStage checks each file and writes its bytes as a staged file
// (see stageFile), checking the next file while the current one is
// written: the check (a PDF's pages, a photo's structure) and the writing
// (hashing, SQLite) then share the computer's cores.
//
// With opt.KeepGood a file that cannot be added is left out and reported
// in opt.Report, as long as one can be added; otherwise the first such
// file stops the add. On any error what was staged is removed again, so
// the library is as it was.
func (s *Store) inspectAndStage(ctx context.Context, paths []string, opt AddOptions) ([]*pending, error) {
	type checked struct {
		f   *pending
		err error
	}
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan checked, 1)
	go func() {
		defer close(ch)
		for _, p := range paths {
			f, err := inspectFile(ictx, p, opt.ReadablePagesOnly, opt.Passwords[p])
			c := checked{err: err}
			if err == nil {
				c.f = &f
			}
			select {
			case ch <- c:
			case <-ictx.Done():
				if c.f != nil {
					removeTemp([]*pending{c.f})
				}
				return
			}
		}
	}()
	// Whatever the checker still holds is cleaned up when it stops early.
	drain := func() {
		cancel()
		for c := range ch {
			if c.f != nil {
				removeTemp([]*pending{c.f})
			}
		}
	}
	var total, done int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			total += st.Size()
		}
	}
	files := make([]*pending, 0, len(paths))
	fail := func(err error) ([]*pending, error) {
		drain()
		s.dropStagedFiles(files)
		removeTemp(files)
		if ctx.Err() != nil {
			return nil, &Problem{Msg: "Stopped. Nothing was added.", Err: ctx.Err()}
		}
		return nil, err
	}
	var left []LeftOut
	var first error
	i := 0
	for c := range ch {
		i++
		if c.err != nil {
			if ctx.Err() != nil || !opt.KeepGood || len(paths) == 1 {
				return fail(c.err)
			}
			left = append(left, LeftOut{Page: i, Name: filepath.Base(paths[i-1]), Err: c.err})
			if first == nil {
				first = c.err
			}
			continue
		}
		files = append(files, c.f)
		err := s.stageFile(ctx, c.f, func(n int64) {
			if opt.Progress != nil {
				opt.Progress(min(done+n, total), total)
			}
		})
		if err != nil {
			return fail(err)
		}
		if o := c.f.original; o != nil {
			if err := s.stageFile(ctx, o, func(int64) {}); err != nil {
				return fail(err)
			}
		}
		done += c.f.size
	}
	if len(files) == 0 {
		if len(left) > 1 {
			return nil, &Problem{Msg: fmt.Sprintf("None of the %d files could be added. %s", len(left), explainLeftOut(left)), Err: first}
		}
		return nil, first
	}
	if opt.Report != nil {
		opt.Report.LeftOut = left
	}
	return files, nil
}

// explainLeftOut says, page by page, which files were left out and why.
func explainLeftOut(left []LeftOut) string {
	var b strings.Builder
	for i, l := range left {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "Page %d: %s", l.Page, Explain(l.Err))
	}
	return b.String()
}

// refuseDuplicates refuses an add whose file is already a document's
// (unless opt.Again), naming that document: a doctor given the same pages
// twice loses time and trust. On any error the caller drops the staged
// copies.
func (s *Store) refuseDuplicates(ctx context.Context, files []*pending, opt AddOptions) error {
	if opt.Again {
		return nil
	}
	for _, p := range files {
		if p.existing == "" && p.original != nil && p.original.existing != "" {
			// A locked PDF or HEIC photo already in the library: its
			// readable copy may come out with other bytes this time.
			var copyID string
			if err := s.db.QueryRowContext(ctx, `SELECT file_id FROM file_original WHERE original_id=? LIMIT 1`, p.original.existing).Scan(&copyID); err == nil {
				p.existing = copyID
				s.dropStaged(context.WithoutCancel(ctx), p.staged)
				p.staged = ""
			}
		}
		if p.existing == "" {
			continue
		}
		var title, date, created, trashed string
		err := s.db.QueryRowContext(ctx, `SELECT d.title, d.date, d.created, d.trashed FROM document_file df JOIN document d ON d.id = df.document_id
			WHERE df.file_id = ? ORDER BY d.trashed != '', d.created LIMIT 1`, p.existing).Scan(&title, &date, &created, &trashed)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		label := title
		if d := parseStoredDate(date); !d.IsZero() {
			label += ", " + d.Short()
		}
		where := "in the library"
		if trashed != "" {
			where = "in the Trash"
		}
		added := unstamp(created).Local()
		when := added.Format("2 Jan")
		if added.Year() != s.now().Local().Year() {
			when = added.Format("2 Jan 2006")
		}
		return &Problem{Msg: fmt.Sprintf("%s is already %s as '%s' (added %s).", p.name, where, label, when),
			Err: &DuplicateError{File: p.name, Title: title, Existing: p.existing}}
	}
	return nil
}

// DuplicateError is the cause of a refused add whose file is already in
// the library. It matches ErrDuplicate.
type DuplicateError struct {
	File     string // the name of the file being added
	Title    string // the document that already has its bytes
	Existing string // that file's ID
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("records: %s is already in the library as %q", e.File, e.Title)
}

// Is makes errors.Is(err, ErrDuplicate) true.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// Limits of one short write transaction while a file's bytes are staged:
// other writers wait at most about this long for the library.
const (
	stageBatchBytes = 4 << 20
	stageBatchTime  = 200 * time.Millisecond
)

// stageFile writes one file's bytes into a new staged file row, a few
// chunks per transaction, hashing them as they go, so the file is read
// once. If the same bytes are already in the library, the staged copy is
// dropped again and p.existing names the stored one.
func (s *Store) stageFile(ctx context.Context, p *pending, progress func(int64)) error {
	var src io.ReadCloser
	var err error
	if p.open != nil {
		src, err = p.open()
	} else {
		src, err = os.Open(p.path)
	}
	if err != nil {
		return &Problem{Msg: fmt.Sprintf("%s could no longer be read while it was being added (%v). Nothing was added; try again.", p.name, errBrief(err)), Err: err}
	}
	defer src.Close()
	id := newID()
	chunks := (p.size + ChunkSize - 1) / ChunkSize
	err = s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO file (id, sha256, name, media_type, size, pages, width, height, orientation, encrypted, chunks, created, staged)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, "pending:"+id, p.name, p.info.MediaType, p.size, max(p.info.Pages, 1),
			p.info.Width, p.info.Height, p.info.Orientation, b2i(p.info.Encrypted), chunks, stamp(s.now()), owner())
		return err
	})
	if err != nil {
		return fmt.Errorf("add file %q: %w", p.name, err)
	}
	p.staged = id
	h := sha256.New()
	buf := make([]byte, ChunkSize)
	var written int64
	seq := 0
	eof := false
	for !eof {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		var batch int64
		err := s.tx(ctx, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO file_chunk (file_id, seq, data) VALUES (?, ?, ?)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for batch < stageBatchBytes && time.Since(start) < stageBatchTime {
				n, rerr := io.ReadFull(src, buf)
				if n > 0 {
					h.Write(buf[:n])
					if _, err := stmt.ExecContext(ctx, id, seq, buf[:n]); err != nil {
						return fmt.Errorf("store %q: %w", p.name, err)
					}
					seq++
					batch += int64(n)
					progress(written + batch)
				}
				if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
					eof = true
					return nil
				}
				if rerr != nil {
					var pr *Problem
					if errors.As(rerr, &pr) {
						return rerr
					}
					return &Problem{Msg: fmt.Sprintf("%s could not be read to the end (%v). Nothing was added; copy it to your computer again and add the copy.", p.name, errBrief(rerr)), Err: rerr}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		written += batch
	}
	if written != p.size {
		return &Problem{Msg: fmt.Sprintf("%s changed while it was being added. Nothing was added; wait until it has finished saving or downloading, then add it again.", p.name)}
	}
	p.sha = hex.EncodeToString(h.Sum(nil))
	var existing string
	err = s.db.QueryRowContext(ctx, `SELECT id FROM file WHERE sha256=? AND staged=''`, p.sha).Scan(&existing)
	switch {
	case err == nil: // the same bytes are stored once
		p.existing = existing
		s.dropStaged(context.WithoutCancel(ctx), p.staged)
		p.staged = ""
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return nil
}

// linkFiles makes staged files part of the library (or uses the stored
// copy of the same bytes) and links them to d after its existing pages.
// It runs inside the document's own transaction.
func (s *Store) linkFiles(ctx context.Context, tx *sql.Tx, d *Document, files []*pending, after int) error {
	for i, p := range files {
		id, err := s.settle(ctx, tx, p)
		if err != nil {
			return err
		}
		if err := s.keepOriginal(ctx, tx, id, p); err != nil {
			return err
		}
		f, err := s.file(ctx, tx, id)
		if errors.Is(err, ErrNotFound) {
			return &Problem{Msg: fmt.Sprintf("%s could not be kept: the same file was deleted from the library while it was being added. Nothing was added; add it again.", p.name), Err: err}
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_file (document_id, position, file_id) VALUES (?, ?, ?)`,
			d.ID, after+i+1, f.ID); err != nil {
			return err
		}
		d.Files = append(d.Files, f)
	}
	d.FileCount, d.Pages, d.Bytes = len(d.Files), 0, 0
	for _, f := range d.Files {
		d.Pages += f.Pages
		d.Bytes += f.Size
	}
	return nil
}

// settle makes a staged file part of the library, or finds the stored
// file with the same bytes (dropping the staged copy), and returns its ID.
func (s *Store) settle(ctx context.Context, tx *sql.Tx, p *pending) (string, error) {
	id := p.existing
	if id != "" {
		return id, nil
	}
	// Another add may have stored the same bytes since they were staged;
	// they are then kept once.
	err := tx.QueryRowContext(ctx, `SELECT id FROM file WHERE sha256=? AND staged=''`, p.sha).Scan(&id)
	switch {
	case err == nil:
		if _, err := tx.ExecContext(ctx, `DELETE FROM file WHERE id=?`, p.staged); err != nil {
			return "", err
		}
	case errors.Is(err, sql.ErrNoRows):
		id = p.staged
		res, err := tx.ExecContext(ctx, `UPDATE file SET sha256=?, staged='' WHERE id=? AND staged=?`, p.sha, id, owner())
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return "", &Problem{Msg: fmt.Sprintf("%s could not be kept: its stored copy was removed while it was being added. Nothing was added; add it again.", p.name)}
		}
		if text := strings.TrimSpace(p.info.Text); text != "" {
			if len(text) > maxIndexedText {
				text = text[:maxIndexedText]
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO file_text (file_id, text) VALUES (?, ?)`, id, text); err != nil {
				return "", err
			}
		}
	default:
		return "", err
	}
	return id, nil
}

// dropStagedFiles removes what inspectAndStage wrote for files that were not
// linked (after a failed or stopped add). Errors are left to the next
// Open's clean-up: the staged rows are invisible meanwhile.
func (s *Store) dropStagedFiles(files []*pending) {
	for _, p := range files {
		for _, q := range []*pending{p, p.original} {
			if q != nil && q.staged != "" {
				s.dropStaged(context.Background(), q.staged)
				q.staged = ""
			}
		}
	}
}

// dropStaged deletes one staged file a few chunks per transaction, so a
// large one does not hold the library. Only a row still staged is deleted:
// a file that was linked meanwhile stays.
func (s *Store) dropStaged(ctx context.Context, id string) error {
	for {
		var n int64
		err := s.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM file_chunk WHERE rowid IN (SELECT c.rowid FROM file_chunk c JOIN file f ON f.id=c.file_id
				WHERE c.file_id=? AND f.staged != '' LIMIT 4)`, id)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
			if n == 0 {
				_, err = tx.ExecContext(ctx, `DELETE FROM file WHERE id=? AND staged != ''`, id)
			}
			return err
		})
		if err != nil || n == 0 {
			return err
		}
	}
}

// removeAbandoned deletes staged files and draft people left by processes
// that have died (a crash or kill during an add). Work of a live process,
// this one or another, is left alone.
func (s *Store) removeAbandoned(ctx context.Context) (int, error) {
	dead := func(q string) ([]string, error) {
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id, tag string
			if err := rows.Scan(&id, &tag); err != nil {
				return nil, err
			}
			if !ownerAlive(tag) {
				ids = append(ids, id)
			}
		}
		return ids, rows.Err()
	}
	files, err := dead(`SELECT id, staged FROM file WHERE staged != ''`)
	if err != nil {
		return 0, err
	}
	for _, id := range files {
		if err := s.dropStaged(ctx, id); err != nil {
			return 0, err
		}
	}
	people, err := dead(`SELECT id, draft FROM person WHERE draft != ''`)
	if err != nil {
		return 0, err
	}
	for _, id := range people {
		if err := s.deletePerson(ctx, id, true); err != nil {
			return 0, err
		}
	}
	return len(files) + len(people), nil
}

// readablePages makes a private copy of the readable pages of a damaged
// PDF and checks it like any added file; the pending file is that copy,
// under the original's name, saying what is missing. The copy is removed
// when the process ends (it lives in a PrivateTemp folder).
func readablePages(ctx context.Context, f *os.File, path, name string, d *media.DamagedPDFError) (pending, error) {
	dir, err := PrivateTemp("secondopinion-pages-")
	if err != nil {
		return pending{}, err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(dir)
		}
	}()
	out, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return pending{}, err
	}
	defer out.Close()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return pending{}, err
	}
	if err := media.KeepPages(ctx, f, out, d.Sound()); err != nil {
		return pending{}, &Problem{Msg: fmt.Sprintf("%s: %s The readable pages could not be copied either.", name, d.Sentence()), Err: err}
	}
	if err := out.Sync(); err != nil {
		return pending{}, err
	}
	p, err := inspectFile(ctx, out.Name(), false, "")
	if err != nil {
		return pending{}, err
	}
	p.name, p.tempDir, done = name, dir, true
	p.missing = fmt.Sprintf("%s of %s could not be read and %s not included (the file was damaged or cut short).",
		capitalize(media.PageRanges(d.Bad)), name, isAre(len(d.Bad)))
	if len(d.Bad) == 0 {
		p.missing = fmt.Sprintf("The end of %s was missing (it was cut short): its %d pages could be read, but a later part may be lost.", name, d.Pages)
	}
	return p, nil
}

// removeTemp removes the private copies made while inspecting files.
func removeTemp(files []*pending) {
	for _, p := range files {
		if p.tempDir != "" {
			os.RemoveAll(p.tempDir)
		}
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func missingText(files []*pending) string {
	var parts []string
	for _, p := range files {
		if p.missing != "" {
			parts = append(parts, p.missing)
		}
	}
	return strings.Join(parts, " ")
}

// FindDocument finds one of a person's documents (anyone's when personID
// is "") by its ID, the short ID that lists show, or its exact title
// (ignoring case), among the documents in the Trash when inTrash is set and
// among the others when not. Several matches are refused with a sentence
// that lists them.
func (s *Store) FindDocument(ctx context.Context, personID, ref string, inTrash bool) (Document, error) {
	ref = strings.TrimSpace(ref)
	where := "d.trashed = ''"
	place := "in the library"
	if inTrash {
		where, place = "d.trashed != ''", "in the Trash"
	}
	q := `SELECT ` + docCols + ` FROM document d WHERE ` + where + ` AND (? = '' OR d.person_id = ?)
		AND (lower(trim(d.title)) = lower(?) OR (length(?) >= 4 AND substr(d.id, 1, length(?)) = lower(?)))
		ORDER BY d.date, d.created`
	rows, err := s.db.QueryContext(ctx, q, personID, personID, ref, ref, ref, ref)
	if err != nil {
		return Document{}, err
	}
	var docs []Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			rows.Close()
			return Document{}, err
		}
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Document{}, err
	}
	switch len(docs) {
	case 0:
		return Document{}, &Problem{Msg: fmt.Sprintf("No document %s has the title or ID %q. Check it with secondopinion list.", place, ref), Err: ErrNotFound}
	case 1:
		return s.Document(ctx, docs[0].ID)
	}
	var list []string
	for _, d := range docs {
		date := d.Date.Short()
		if date == "" {
			date = "no date"
		}
		list = append(list, fmt.Sprintf("%s (%s, ID %s)", d.Title, date, ShortID(d.ID)))
	}
	return Document{}, &Problem{Msg: fmt.Sprintf("%d documents %s match %q: %s. Say which one by its ID.", len(docs), place, ref, strings.Join(list, "; ")), Err: ErrAmbiguous}
}

// TitleFromName is the title a document gets from its file's name:
// "blood-results_page1.pdf" becomes "blood results page1".
func TitleFromName(name string) string { return titleFromName(name) }

func titleFromName(name string) string {
	base := strings.TrimSuffix(name, filepath.Ext(name))
	base = strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return ' '
		}
		return r
	}, base)
	return strings.Join(strings.Fields(base), " ")
}

func joinTags(tags []string) string {
	var clean []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t != "" && !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			clean = append(clean, t)
		}
	}
	return strings.Join(clean, ", ")
}

// SplitTags reads a comma-separated list of tags.
func SplitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func indexDocument(ctx context.Context, tx *sql.Tx, d *Document) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM search WHERE ref=?`, d.ID); err != nil {
		return err
	}
	if d.Trashed {
		return nil
	}
	var body strings.Builder
	body.WriteString(d.Kind.Label())
	// The text of the pages the document shows, and what OCR read from
	// its photos and scans (ocrqueue.go).
	texts, err := shownTexts(ctx, tx, d.ID)
	if err != nil {
		return err
	}
	for _, t := range texts {
		body.WriteString("\n" + t.name + "\n" + t.text)
	}
	for _, t := range texts {
		if t.read != "" {
			body.WriteString("\n" + t.read)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO search (ref, kind, person_id, title, notes, source, tags, body) VALUES (?, 'document', ?, ?, ?, ?, ?, ?)`,
		d.ID, d.PersonID, d.Title, d.Notes, d.Source, joinTags(d.Tags), body.String())
	return err
}

// ftsQuery turns what a person typed into an FTS5 query: every word must
// appear, each as a prefix ("chemo" finds "chemotherapy").
func ftsQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for i, w := range words {
		words[i] = `"` + w + `"*`
	}
	return strings.Join(words, " ")
}

// DocumentFilter narrows Documents. The zero value lists every document in
// the library that is not in the Trash.
type DocumentFilter struct {
	PersonID string
	Kind     Kind
	From, To Date   // dates of service, inclusive; partial dates allowed
	Search   string // full-text search over titles, notes, sources, tags, PDF text and what OCR read
	Trashed  bool   // list the Trash instead
	// Limit and Offset page through a long list (a screen shows tens of
	// rows); Limit 0 lists everything.
	Limit, Offset int
}

const docCols = `d.id, d.person_id, d.kind, d.title, d.date, d.source, d.notes, d.tags, d.trashed, d.created, d.updated, d.missing`

func scanDocument(sc interface{ Scan(...any) error }, extra ...any) (Document, error) {
	var d Document
	var kind, date, tags, trashed, created, updated string
	dest := append([]any{&d.ID, &d.PersonID, &kind, &d.Title, &date, &d.Source, &d.Notes, &tags, &trashed, &created, &updated, &d.Missing}, extra...)
	err := sc.Scan(dest...)
	d.Kind, d.Date, d.Tags, d.Trashed = Kind(kind), parseStoredDate(date), SplitTags(tags), trashed != ""
	d.Created, d.Updated = unstamp(created), unstamp(updated)
	return d, err
}

// sql is the filter as a WHERE clause over document d. none reports a
// search that nothing can match (only punctuation).
func (f DocumentFilter) sql() (where []string, args []any, none bool) {
	if f.Trashed {
		where = append(where, "d.trashed != ''")
	} else {
		where = append(where, "d.trashed = ''")
	}
	if f.PersonID != "" {
		where, args = append(where, "d.person_id = ?"), append(args, f.PersonID)
	}
	if f.Kind != "" {
		where, args = append(where, "d.kind = ?"), append(args, string(f.Kind))
	}
	if !f.From.IsZero() {
		where, args = append(where, "d.date >= ?"), append(args, f.From.String())
	}
	if !f.To.IsZero() {
		where, args = append(where, "d.date != '' AND d.date <= ?"), append(args, f.To.String()+"~")
	}
	if q := ftsQuery(f.Search); q != "" {
		// The matches are the outer loop (see from): the planner would
		// otherwise walk the date index and probe the search for every row.
		where, args = append(where, "d.id = hit.ref"), append(args, q)
	} else if strings.TrimSpace(f.Search) != "" {
		return nil, nil, true
	}
	return where, args, false
}

// from is the FROM clause for the filter: with a search, the full-text
// matches come first (CROSS JOIN keeps that order in SQLite).
func (f DocumentFilter) from() string {
	if ftsQuery(f.Search) != "" {
		return "(SELECT ref FROM search WHERE search MATCH ? AND kind = 'document') hit CROSS JOIN document d"
	}
	return "document d"
}

// searchFirst moves the search text (the last argument) to the front, where
// from puts its placeholder.
func searchFirst(args []any, f DocumentFilter) []any {
	if ftsQuery(f.Search) == "" || len(args) == 0 {
		return args
	}
	return append([]any{args[len(args)-1]}, args[:len(args)-1]...)
}

// CountDocuments says how many documents Documents would list without a
// Limit, reading no rows: a virtual list sizes itself with it.
func (s *Store) CountDocuments(ctx context.Context, f DocumentFilter) (int, error) {
	where, args, none := f.sql()
	if none {
		return 0, nil
	}
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+f.from()+` WHERE `+strings.Join(where, " AND "), searchFirst(args, f)...).Scan(&n)
	return n, err
}

// Documents lists documents by date of service (undated ones first), with
// their page and file counts but without file bytes.
func (s *Store) Documents(ctx context.Context, f DocumentFilter) ([]Document, error) {
	where, args, none := f.sql()
	if none {
		return nil, nil
	}
	page := ""
	if f.Limit > 0 {
		page = fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	}
	// Studies are counted whatever the document's kind (the user may have
	// changed a disc's document's kind). The study table, tens of rows with
	// no index on its document, is counted once per list in a query of its
	// own: joined, it would change the list's plan (a last page of 100
	// took 12 ms instead of 1.3 ms).
	studies := map[string]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT document_id, count(*) FROM imaging_study GROUP BY document_id`)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		studies[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT `+docCols+`, d.file_count, d.pages, d.bytes FROM `+f.from()+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY d.date, d.created`+page, searchFirst(args, f)...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var d Document
		var count, pages int
		var size int64
		if d, err = scanDocument(rows, &count, &pages, &size); err != nil {
			return nil, err
		}
		d.FileCount, d.Pages, d.Bytes, d.Studies = count, pages, size, studies[d.ID]
		out = append(out, d)
	}
	return out, rows.Err()
}

// SearchMedications finds a person's medications by name, reason,
// prescriber or notes.
func (s *Store) SearchMedications(ctx context.Context, personID, text string) ([]Medication, error) {
	q := ftsQuery(text)
	if q == "" {
		return nil, nil
	}
	args := []any{q}
	where := ""
	if personID != "" {
		where, args = " AND person_id = ?", append(args, personID)
	}
	return s.queryMedications(ctx, `SELECT `+medCols+` FROM medication WHERE id IN
		(SELECT ref FROM search WHERE search MATCH ? AND kind = 'medication')`+where+` ORDER BY name COLLATE NOCASE`, args...)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Document returns one document with its files in page order.
func (s *Store) Document(ctx context.Context, id string) (Document, error) {
	return s.document(ctx, s.db, id)
}

func (s *Store) document(ctx context.Context, q querier, id string) (Document, error) {
	d, err := scanDocument(q.QueryRowContext(ctx, `SELECT `+docCols+` FROM document d WHERE d.id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("document")
	}
	if err != nil {
		return d, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+fileCols+`, df.page FROM document_file df JOIN file f ON f.id = df.file_id
		WHERE df.document_id=? ORDER BY df.position`, id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var f File
		var enc int
		var created string
		if err := rows.Scan(&f.ID, &f.Name, &f.MediaType, &f.Size, &f.SHA256, &f.Pages, &f.Width, &f.Height, &f.Orientation, &enc, &created, &f.Only); err != nil {
			rows.Close()
			return d, err
		}
		f.Encrypted, f.Created = enc == 1, unstamp(created)
		d.Files = append(d.Files, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	if err := pageSettings(ctx, q, &d); err != nil {
		return d, err
	}
	for _, f := range d.Files {
		d.Pages += len(f.Shown())
		d.Bytes += f.Size
	}
	d.FileCount = len(d.Files)
	return d, nil
}

const fileCols = `f.id, f.name, f.media_type, f.size, f.sha256, f.pages, f.width, f.height, f.orientation, f.encrypted, f.created`

func scanFile(sc interface{ Scan(...any) error }) (File, error) {
	var f File
	var enc int
	var created string
	err := sc.Scan(&f.ID, &f.Name, &f.MediaType, &f.Size, &f.SHA256, &f.Pages, &f.Width, &f.Height, &f.Orientation, &enc, &created)
	f.Encrypted, f.Created = enc == 1, unstamp(created)
	return f, err
}

// File returns one stored file's facts (not its bytes).
func (s *Store) File(ctx context.Context, id string) (File, error) { return s.file(ctx, s.db, id) }

func (s *Store) file(ctx context.Context, q querier, id string) (File, error) {
	f, err := scanFile(q.QueryRowContext(ctx, `SELECT `+fileCols+` FROM file f WHERE f.id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, notFound("file")
	}
	return f, err
}

// UpdateDocument saves a document's details (kind, title, date, source,
// notes, tags). Its files are changed with ReorderPages and AddPages.
func (s *Store) UpdateDocument(ctx context.Context, d *Document) error {
	normalize(d)
	if _, err := ParseKind(string(d.Kind)); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		d.Updated = s.now()
		if err := execOne(ctx, tx, "document", `UPDATE document SET kind=?, title=?, date=?, source=?, notes=?, tags=?, updated=? WHERE id=?`,
			string(d.Kind), strings.TrimSpace(d.Title), d.Date.String(), d.Source, d.Notes, joinTags(d.Tags), stamp(d.Updated), d.ID); err != nil {
			return err
		}
		cur, err := s.document(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		return indexDocument(ctx, tx, &cur)
	})
}

// ReorderPages puts a document's files in a new order; fileIDs must hold
// exactly the document's files.
func (s *Store) ReorderPages(ctx context.Context, documentID string, fileIDs []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		d, err := s.document(ctx, tx, documentID)
		if err != nil {
			return err
		}
		have := map[string]int{}
		for _, f := range d.Files {
			have[f.ID]++
		}
		for _, id := range fileIDs {
			have[id]--
		}
		for _, n := range have {
			if n != 0 || len(fileIDs) != len(d.Files) {
				return invalid("The pages changed while you were reordering them. Reload the document and try again.")
			}
		}
		return relink(ctx, tx, d, fileIDs)
	})
}

// relink puts d's file links back in the order of fileIDs, each keeping
// the page it names (a page moved here from another document): a file
// listed twice takes its links' pages in their former order.
func relink(ctx context.Context, tx *sql.Tx, d Document, fileIDs []string) error {
	only := map[string][]int{}
	for _, f := range d.Files {
		only[f.ID] = append(only[f.ID], f.Only)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM document_file WHERE document_id=?`, d.ID); err != nil {
		return err
	}
	for i, id := range fileIDs {
		page := 0
		if q := only[id]; len(q) > 0 {
			page, only[id] = q[0], q[1:]
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_file (document_id, position, file_id, page) VALUES (?, ?, ?, ?)`, d.ID, i+1, id, page); err != nil {
			return err
		}
	}
	return nil
}

// RemovePage takes one file out of a document (a photo added by mistake).
// A document keeps at least one page.
func (s *Store) RemovePage(ctx context.Context, documentID, fileID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		d, err := s.document(ctx, tx, documentID)
		if err != nil {
			return err
		}
		if len(d.Files) <= 1 {
			return invalid("A document needs at least one page. To remove the whole document, move it to the Trash.")
		}
		var keep []string
		for _, f := range d.Files {
			if f.ID != fileID {
				keep = append(keep, f.ID)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM page_setting WHERE document_id=? AND file_id=?`, documentID, fileID); err != nil {
			return err
		}
		if err := relink(ctx, tx, d, keep); err != nil {
			return err
		}
		if err := deleteOrphanFiles(ctx, tx); err != nil {
			return err
		}
		d, err = s.document(ctx, tx, documentID)
		if err != nil {
			return err
		}
		return indexDocument(ctx, tx, &d)
	})
}

// TrashDocument moves a document to the Trash: it leaves lists, searches
// and packets, and can be restored until the Trash is emptied.
func (s *Store) TrashDocument(ctx context.Context, id string) error {
	return s.setTrashed(ctx, id, true)
}

// RestoreDocument brings a document back from the Trash.
func (s *Store) RestoreDocument(ctx context.Context, id string) error {
	return s.setTrashed(ctx, id, false)
}

func (s *Store) setTrashed(ctx context.Context, id string, trashed bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		v := ""
		if trashed {
			v = stamp(s.now())
		}
		if err := execOne(ctx, tx, "document", `UPDATE document SET trashed=? WHERE id=?`, v, id); err != nil {
			return err
		}
		d, err := s.document(ctx, tx, id)
		if err != nil {
			return err
		}
		return indexDocument(ctx, tx, &d)
	})
}

// EmptyTrash deletes a person's trashed documents and cases for good (all
// people's when personID is empty, and then the people in the Trash too),
// with the files nothing else uses. It returns how many documents, cases
// and people were deleted.
//
// Deleted means gone: the file bytes, their print versions, the text layer
// and the search entries are removed; freed pages are overwritten with
// zeros (secure_delete) and the write-ahead log, which still holds the old
// pages, is checkpointed and truncated, so neither the library, its journal
// nor a later backup holds a readable copy.
func (s *Store) EmptyTrash(ctx context.Context, personID string) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM document WHERE trashed != '' AND (? = '' OR person_id = ?)`, personID, personID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		// Cases in the Trash go with it; people in the Trash too when the
		// whole library's Trash is emptied (with all that was theirs).
		res, err = tx.ExecContext(ctx, `DELETE FROM "case" WHERE trashed != '' AND (? = '' OR person_id = ?)`, personID, personID)
		if err != nil {
			return err
		}
		cases, _ := res.RowsAffected()
		n += cases
		if personID == "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM search WHERE person_id IN (SELECT id FROM person WHERE trashed != '')`); err != nil {
				return err
			}
			res, err = tx.ExecContext(ctx, `DELETE FROM person WHERE trashed != ''`)
			if err != nil {
				return err
			}
			people, _ := res.RowsAffected()
			n += people
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search WHERE kind='document' AND ref NOT IN (SELECT id FROM document)`); err != nil {
			return err
		}
		return deleteOrphanFiles(ctx, tx)
	})
	if err != nil {
		return 0, err
	}
	return int(n), s.purge(ctx)
}

// purge makes deletions final on disk: the write-ahead log is copied into
// the library and truncated to nothing, taking the old page images with it.
// (Freed pages are zeroed as they are freed, and the search index removes
// a deleted entry's words at once: both are set when the library opens.)
func (s *Store) purge(ctx context.Context) error {
	var busy, logged, done int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &done); err != nil {
		return s.wrapWrite(err)
	}
	if busy != 0 {
		return &Problem{Msg: "The documents were deleted, but another Second Opinion window or command is reading the library, so their old copies are still in its journal. Close the other window and empty the Trash again (or run secondopinion check) to finish.", Err: ErrBusy}
	}
	return nil
}

// deleteOrphanFiles deletes the files no document uses, then the originals
// (a locked PDF, a HEIC photo) of readable copies that went with them.
func deleteOrphanFiles(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM file WHERE staged = '' AND id NOT IN (SELECT file_id FROM document_file)
		AND id NOT IN (SELECT original_id FROM file_original)`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM file WHERE staged = '' AND id NOT IN (SELECT file_id FROM document_file)
		AND id NOT IN (SELECT original_id FROM file_original)`)
	return err
}

// humanBytes counts in decimal units (1 MB = 1,000,000 bytes), as mail
// systems and file managers count: a packet shown as 18.0 MB is the size a
// 25 MB e-mail limit is measured against.
func humanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%d KB", n/1e3)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// HumanBytes formats a size for people in decimal units: "2.4 MB" is
// 2,400,000 bytes.
func HumanBytes(n int64) string { return humanBytes(n) }
