package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"secondopinion/records/media"
	"secondopinion/records/sandbox"
)

// Files people actually have (issue #14): a PDF locked with a password and
// an iPhone HEIC photo cannot go into a packet as they are. The library
// keeps each exactly as it came (the original) and, beside it, a readable
// copy (the PDF unlocked, the photo as JPEG); documents link the copy, so
// search, pages and the packet use it, and the original goes when the
// copy goes (see deleteOrphanFiles). The password is used once, to unlock,
// and is never stored or logged.

// PasswordError is the cause of an add refused because a PDF is locked
// with a password that was not given, or did not open it. It matches
// ErrPasswordRequired.
type PasswordError struct {
	Path  string // the file as the user chose it
	Name  string // its name, for sentences
	Wrong bool   // a password was given and did not open it
}

func (e *PasswordError) Error() string {
	if e.Wrong {
		return fmt.Sprintf("records: the password does not open %s", e.Name)
	}
	return fmt.Sprintf("records: %s is locked with a password", e.Name)
}

// Is makes errors.Is(err, ErrPasswordRequired) true.
func (e *PasswordError) Is(target error) bool { return target == ErrPasswordRequired }

// passwordHint is said with every refusal of a locked PDF.
const passwordHint = "Portals often use the date of birth, e.g. 01021950."

// unlockPDF makes an unlocked copy of the locked PDF at path with
// password, in a private temporary folder, and checks the copy as any
// added file; the original is kept with it (p.original).
func unlockPDF(ctx context.Context, path, name string, size int64, password string, readableOnly bool) (pending, error) {
	if password == "" {
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is locked with a password. Add it again with its password (the app asks for it; on the command line use --password-file). %s", name, passwordHint),
			Err: &PasswordError{Path: path, Name: name}}
	}
	clear, err := sandbox.Unlock(ctx, path, password)
	switch {
	case err != nil && ctx.Err() != nil:
		return pending{}, &Problem{Msg: "Stopped. Nothing was added.", Err: ctx.Err()}
	case errors.Is(err, media.ErrPassword):
		return pending{}, &Problem{Msg: fmt.Sprintf("That password did not open %s. %s", name, passwordHint), Err: &PasswordError{Path: path, Name: name, Wrong: true}}
	case err != nil:
		return pending{}, &Problem{Msg: fmt.Sprintf("%s opened with the password but could not be read: it is damaged. Get a fresh copy (download it again) and add that.", name), Err: fmt.Errorf("%w: %v", ErrUnreadableFile, err)}
	}
	p, err := copyAndInspect(ctx, "secondopinion-unlocked-", name, clear, readableOnly)
	if err != nil {
		return pending{}, err
	}
	p.original = &pending{path: path, name: name, size: size, why: "unlocked",
		info: media.Info{MediaType: media.PDF, Pages: p.info.Pages, Encrypted: true}}
	return p, nil
}

// HEICConvertTime bounds one run of heif-convert: a 12 MP photo takes
// about a second.
var HEICConvertTime = 60 * time.Second

// heicConverter is the command that turns HEIC into JPEG; tests replace it.
var heicConverter = "heif-convert"

// convertHEIC makes a JPEG copy of the HEIC photo at path with
// heif-convert (Debian's libheif-examples), run with a time limit in a
// private temporary folder, and checks the copy as any added photo; the
// original is kept with it.
func convertHEIC(ctx context.Context, path, name string, size int64) (pending, error) {
	tool, err := exec.LookPath(heicConverter)
	if err != nil {
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is an iPhone HEIC photo. Install heif-convert (sudo apt install libheif-examples), or on the iPhone choose Settings > Camera > Formats > Most Compatible, and add it again.", name),
			Err: fmt.Errorf("%w: heif-convert not found: %v", ErrUnreadableFile, err)}
	}
	dir, err := PrivateTemp("secondopinion-heic-")
	if err != nil {
		return pending{}, err
	}
	defer os.RemoveAll(dir)
	// heif-convert picks the output format by the name's extension; the
	// input goes by a fixed name, so no user file name reaches its
	// arguments as an option.
	in := filepath.Join(dir, "photo.heic")
	if err := os.Symlink(path, in); err != nil {
		in = path
	}
	out := filepath.Join(dir, "photo.jpg")
	cctx, cancel := context.WithTimeout(ctx, HEICConvertTime)
	defer cancel()
	cmd := exec.CommandContext(cctx, tool, "-q", "92", in, out)
	cmd.Dir = dir
	msg, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return pending{}, &Problem{Msg: "Stopped. Nothing was added.", Err: ctx.Err()}
	}
	if err != nil {
		why := "it may be damaged"
		if cctx.Err() != nil {
			why = fmt.Sprintf("it took longer than %v", HEICConvertTime)
		}
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is an iPhone HEIC photo that could not be turned into a JPEG (%s). On the iPhone, share it as JPEG (or choose Settings > Camera > Formats > Most Compatible), and add that.", name, why),
			Err: fmt.Errorf("%w: heif-convert: %v: %s", ErrUnreadableFile, err, strings.TrimSpace(string(msg)))}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		// A HEIC holding several pictures makes photo-1.jpg, photo-2.jpg...:
		// the first is the photo.
		data, err = os.ReadFile(filepath.Join(dir, "photo-1.jpg"))
	}
	if err != nil {
		return pending{}, &Problem{Msg: fmt.Sprintf("%s is an iPhone HEIC photo that could not be turned into a JPEG. On the iPhone, share it as JPEG, and add that.", name), Err: fmt.Errorf("%w: %v", ErrUnreadableFile, err)}
	}
	jpgName := strings.TrimSuffix(name, filepath.Ext(name)) + ".jpg"
	p, err := copyAndInspect(ctx, "secondopinion-converted-", jpgName, data, false)
	if err != nil {
		return pending{}, err
	}
	p.original = &pending{path: path, name: name, size: size, why: "converted",
		info: media.Info{MediaType: media.HEIC, Pages: 1, Width: p.info.Width, Height: p.info.Height}}
	return p, nil
}

// copyAndInspect writes data to a private temporary file named name and
// checks it as an added file; the pending file owns the folder.
func copyAndInspect(ctx context.Context, prefix, name string, data []byte, readableOnly bool) (pending, error) {
	dir, err := PrivateTemp(prefix)
	if err != nil {
		return pending{}, err
	}
	path := filepath.Join(dir, filepath.Base(name))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		os.RemoveAll(dir)
		return pending{}, &Problem{Msg: fmt.Sprintf("Second Opinion could not write a temporary copy of %s (%v). Check that the disk is not full.", name, errBrief(err)), Err: err}
	}
	p, err := inspectFile(ctx, path, readableOnly, "")
	if err != nil {
		os.RemoveAll(dir)
		return pending{}, err
	}
	if p.tempDir != "" {
		// A damaged copy's readable pages live in a folder of their own.
		os.RemoveAll(dir)
	} else {
		p.tempDir = dir
	}
	p.name = name
	return p, nil
}

// keepOriginal makes the staged original of a linked copy part of the
// library (or uses the stored file with the same bytes) and records it.
func (s *Store) keepOriginal(ctx context.Context, tx *sql.Tx, copyID string, p *pending) error {
	if p.original == nil {
		return nil
	}
	id, err := s.settle(ctx, tx, p.original)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO file_original (file_id, original_id, why) VALUES (?, ?, ?) ON CONFLICT (file_id) DO NOTHING`, copyID, id, p.original.why)
	return err
}

// Original returns the file a stored file is a readable copy of (the
// locked PDF, the HEIC photo), and why ("unlocked" or "converted"); ok is
// false when the file is itself an original.
func (s *Store) Original(ctx context.Context, fileID string) (f File, why string, ok bool, err error) {
	var id string
	err = s.db.QueryRowContext(ctx, `SELECT original_id, why FROM file_original WHERE file_id=?`, fileID).Scan(&id, &why)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, "", false, nil
	}
	if err != nil {
		return File{}, "", false, err
	}
	f, err = s.file(ctx, s.db, id)
	return f, why, err == nil, err
}
