package dicom

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Source is a disc to read files from: a folder or a zip.
type Source interface {
	// Names lists the disc's ordinary files as slash-separated paths
	// relative to its root.
	Names() ([]string, error)
	// Open opens one of them for reading, with its size.
	Open(name string) (io.ReadCloser, int64, error)
	Close() error
}

// Limits for a zipped disc. A DVD holds 4.7 GB; a file of a disc is at
// most 1 GiB (what the library takes); DICOM compresses about 2 to 10
// times, so 200 to 1 is a bomb, not a scan.
const (
	MaxZipTotal = 8 << 30
	MaxZipFile  = 1 << 30
	MaxZipRatio = 200
)

// Open opens the disc at p: a folder (or a mounted disc) or a .zip.
func Open(p string) (Source, error) {
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Msg: fmt.Sprintf("There is no disc, folder or file %s. Check that the disc is in the drive, or the name of the folder.", p), Err: err}
	}
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("%s cannot be read (%v). Check that the disc is in the drive and readable.", p, brief(err)), Err: err}
	}
	if st.IsDir() {
		root, err := os.OpenRoot(p)
		if err != nil {
			return nil, &Error{Msg: fmt.Sprintf("The folder %s cannot be read (%v).", p, brief(err)), Err: err}
		}
		return &dirSource{root: root, path: p}, nil
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{Msg: fmt.Sprintf("%s is not a folder or a .zip file. Choose the disc, the folder copied from it, or a .zip of it.", p), Err: ErrUnreadable}
	}
	return openZip(p, st.Size())
}

func brief(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// dirSource reads a folder through os.Root, so no name and no symbolic
// link leads out of it.
type dirSource struct {
	root *os.Root
	path string
}

func (d *dirSource) Names() ([]string, error) {
	var names []string
	err := fs.WalkDir(d.root.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			return nil // an unreadable folder of the disc is passed over
		}
		switch {
		case e.IsDir():
			if strings.HasPrefix(e.Name(), ".") && p != "." {
				return fs.SkipDir
			}
		case e.Type().IsRegular():
			names = append(names, p)
		case e.Type()&fs.ModeSymlink != 0:
			// Followed only when it stays inside the disc (os.Root
			// refuses the rest) and names an ordinary file.
			if st, err := d.root.Stat(p); err == nil && st.Mode().IsRegular() {
				names = append(names, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("The folder %s cannot be read (%v).", d.path, brief(err)), Err: err}
	}
	sort.Strings(names)
	return names, nil
}

func (d *dirSource) Open(name string) (io.ReadCloser, int64, error) {
	st, err := d.root.Stat(name)
	if err != nil {
		return nil, 0, &Error{Msg: fmt.Sprintf("It cannot be read (%v).", brief(err)), Err: err}
	}
	if !st.Mode().IsRegular() {
		return nil, 0, &Error{Msg: "It is not an ordinary file.", Err: ErrUnreadable}
	}
	f, err := d.root.Open(name)
	if err != nil {
		return nil, 0, &Error{Msg: fmt.Sprintf("It cannot be read (%v).", brief(err)), Err: err}
	}
	return f, st.Size(), nil
}

func (d *dirSource) Close() error { return d.root.Close() }

// zipSource reads a zip with archive/zip, never extracting to a path a
// name gives: names that climb out of the zip are refused when it is
// opened, and each entry is read through limits on its size and its
// compression ratio, counted as it is read.
type zipSource struct {
	z       *zip.ReadCloser
	path    string
	size    int64
	files   map[string]*zip.File
	names   []string
	mu      sync.Mutex
	total   int64 // uncompressed bytes read so far, all entries
	zipName string
}

func openZip(p string, size int64) (Source, error) {
	name := filepath.Base(p)
	z, err := zip.OpenReader(p)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		if size == 0 {
			return nil, &Error{Msg: fmt.Sprintf("%s is empty (0 bytes). Copy the disc again.", name), Err: ErrUnreadable}
		}
		if isZipName(p) {
			return nil, &Error{Msg: fmt.Sprintf("%s is not a zip file we can open (it is damaged, cut short, or not a zip at all). Make the .zip again, or choose the disc or its folder instead.", name), Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
		}
		return nil, &Error{Msg: fmt.Sprintf("%s is not a disc, a folder or a .zip. Choose the disc itself, the folder copied from it, or a .zip of it.", name), Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
	}
	s := &zipSource{z: z, path: p, size: size, files: map[string]*zip.File{}, zipName: name}
	for _, f := range z.File {
		n := f.Name
		if bad := climbs(n); bad {
			z.Close()
			return nil, &Error{Msg: fmt.Sprintf("%s holds a file whose name leads out of its folder (%q), as zips made to harm a computer do. Nothing was read from it. Make a new .zip of the disc, or choose the disc itself.", name, n), Err: ErrUnreadable}
		}
		if f.FileInfo().IsDir() || !f.Mode().IsRegular() {
			continue
		}
		n = strings.TrimPrefix(strings.ReplaceAll(n, `\`, "/"), "./")
		if _, dup := s.files[n]; dup {
			continue
		}
		s.files[n] = f
		s.names = append(s.names, n)
	}
	if len(s.names) == 0 {
		z.Close()
		return nil, &Error{Msg: fmt.Sprintf("%s is an empty zip: it holds no files. Make the .zip of the disc again.", name), Err: ErrNoDICOM}
	}
	sort.Strings(s.names)
	return s, nil
}

func isZipName(p string) bool { return strings.EqualFold(filepath.Ext(p), ".zip") }

// climbs reports whether a zip entry's name leads out of the folder it is
// unpacked in: absolute, a drive letter, or ".." as a part.
func climbs(n string) bool {
	n = strings.ReplaceAll(n, `\`, "/")
	if strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return true
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return true
		}
	}
	return path.IsAbs(n)
}

func (s *zipSource) Names() ([]string, error) { return s.names, nil }

func (s *zipSource) Open(name string) (io.ReadCloser, int64, error) {
	f := s.files[name]
	if f == nil {
		return nil, 0, &Error{Msg: "It is not in the zip.", Err: fs.ErrNotExist}
	}
	if f.Flags&0x1 != 0 {
		return nil, 0, &Error{Msg: "It is locked with a password in the zip. Make the .zip again without a password.", Err: ErrUnreadable}
	}
	if f.UncompressedSize64 > MaxZipFile {
		return nil, 0, &limitError{&Error{Msg: fmt.Sprintf("%s holds a file of more than %d GB (%s). Add the disc itself instead of the zip.", s.zipName, MaxZipFile>>30, name), Err: ErrUnreadable}}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, 0, &Error{Msg: fmt.Sprintf("It cannot be unpacked (%v).", err), Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
	}
	return &bombGuard{rc: rc, s: s, name: name, compressed: int64(min(f.CompressedSize64, uint64(s.size)))}, int64(f.UncompressedSize64), nil
}

func (s *zipSource) Close() error { return s.z.Close() }

// limitError is a refusal of the whole disc (a zip bomb), not of one file.
type limitError struct{ e *Error }

func (l *limitError) Error() string { return l.e.Msg }
func (l *limitError) Unwrap() error { return l.e }

// bombGuard counts what an entry unpacks to and stops at the limits,
// whatever the zip's headers claim.
type bombGuard struct {
	rc         io.ReadCloser
	s          *zipSource
	name       string
	compressed int64
	out        int64
}

func (b *bombGuard) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.out += int64(n)
	b.s.mu.Lock()
	b.s.total += int64(n)
	total := b.s.total
	b.s.mu.Unlock()
	switch {
	case b.out > MaxZipFile:
		return n, &limitError{&Error{Msg: fmt.Sprintf("%s holds a file that unpacks to more than %d GB (%s). Nothing was added. Add the disc itself instead of the zip.", b.s.zipName, MaxZipFile>>30, b.name), Err: ErrUnreadable}}
	case b.out > 1<<20 && b.out > MaxZipRatio*max(b.compressed, 1):
		return n, &limitError{&Error{Msg: fmt.Sprintf("%s unpacks to far more than it holds (%s alone is over %d times its packed size), as zips made to fill a disk do. Nothing was added. Make a new .zip of the disc, or choose the disc itself.", b.s.zipName, b.name, MaxZipRatio), Err: ErrUnreadable}}
	case total > MaxZipTotal:
		return n, &limitError{&Error{Msg: fmt.Sprintf("%s unpacks to more than %d GB, more than a disc holds. Nothing was added. Add the disc itself instead.", b.s.zipName, MaxZipTotal>>30), Err: ErrUnreadable}}
	}
	return n, err
}

func (b *bombGuard) Close() error { return b.rc.Close() }
