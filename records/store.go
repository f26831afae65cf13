package records

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ApplicationID marks a SQLite file as a Second Opinion library
// (PRAGMA application_id; the bytes spell "SOP1").
const ApplicationID = 0x534F5031

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the schema changes in order; index i is version i+1.
// Append only: a released migration is never edited.
func migrations() []string {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, n := range names {
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			panic(err)
		}
		out[i] = string(b)
	}
	return out
}

// SchemaVersion is the newest library version this build understands.
func SchemaVersion() int { return len(migrations()) }

// Store is an open library file. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Notices are sentences about what Open did that the user should know
	// (permissions tightened, leftovers of an interrupted add removed).
	Notices []string
}

// OpenOptions tune OpenWith.
type OpenOptions struct {
	// Progress, when set, is told in a sentence about slow work before it
	// starts (updating a large library to this version).
	Progress func(msg string)
	// BusyTimeout is how long a call waits for another process's write to
	// finish before it reports ErrBusy; 0 means 10 seconds. The app uses a
	// shorter wait and retries in the background, so its window never
	// freezes for long.
	BusyTimeout time.Duration
}

// Path is the library file's location.
func (s *Store) Path() string { return s.path }

// DefaultPath returns the library's place in the user's per-user data
// folder, creating the folder (owner-only) if needed.
func DefaultPath() (string, error) {
	dir, err := defaultDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", &Problem{Msg: fmt.Sprintf("Second Opinion could not create its folder %s. Check that your home folder is writable, or choose a library file with --library.", dir), Err: err}
	}
	return filepath.Join(dir, "library.sqlite"), nil
}

// defaultDir is the library's folder in the user's per-user data folder.
func defaultDir() (string, error) {
	var dir string
	switch runtime.GOOS {
	case "windows", "darwin":
		base, err := os.UserConfigDir() // %AppData%, ~/Library/Application Support
		if err != nil {
			return "", err
		}
		dir = filepath.Join(base, "Second Opinion")
	default:
		base := os.Getenv("XDG_DATA_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			base = filepath.Join(home, ".local", "share")
		}
		dir = filepath.Join(base, "secondopinion")
	}
	return dir, nil
}

// Open opens the library at path, creating it (owner-only, mode 0600) if it
// does not exist. A file from another program, or from a newer version of
// Second Opinion, is refused without being changed.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, OpenOptions{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opt OpenOptions) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(abs)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, &Problem{Msg: fmt.Sprintf("The folder %s does not exist. Choose a library file in a folder that exists, or create the folder first.", dir), Err: err}
	}
	if err := checkHeader(abs); err != nil {
		return nil, err
	}
	created := false
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, &Problem{Msg: fmt.Sprintf("Second Opinion cannot create its library in %s (%v). Choose a folder you can write to.", dir, errBrief(err)), Err: err}
		}
		f.Close()
		created = true
	} else if err := writable(abs); err != nil {
		return nil, err
	}
	notices := tighten(abs)
	if err := writableDir(dir); err != nil {
		if created {
			os.Remove(abs)
		}
		return nil, err
	}
	if created {
		if err := newLibraryFile(ctx, abs); err != nil {
			os.Remove(abs)
			return nil, &Problem{Msg: fmt.Sprintf("Second Opinion cannot create its library in %s (%v). Choose a folder you can write to.", dir, errBrief(err)), Err: err}
		}
	}
	q := url.Values{}
	// secure_delete: a deleted record's bytes are overwritten with zeros,
	// not left readable in free pages. journal_size_limit: after a
	// checkpoint the journal shrinks back instead of keeping its largest
	// size (and the old pages in it).
	busy := opt.BusyTimeout
	if busy <= 0 {
		busy = 10 * time.Second
	}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()), "synchronous(FULL)", "cache_size(-32768)",
		"secure_delete(1)", "journal_size_limit(67108864)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", sqliteURI(abs)+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: abs, Now: time.Now, Notices: notices}
	if err := s.migrate(ctx, opt.Progress); err != nil {
		db.Close()
		if created {
			os.Remove(abs)
			os.Remove(abs + "-wal")
			os.Remove(abs + "-shm")
		}
		return nil, err
	}
	if n, err := s.removeAbandoned(ctx); err != nil {
		db.Close()
		return nil, s.wrapOpen(err)
	} else if n > 0 {
		s.Notices = append(s.Notices, fmt.Sprintf("Removed what was left of %s that stopped part way (nothing else was changed).", plural(n, "an add", "adds")))
	}
	return s, nil
}

// PageSize is the page size of new libraries, in bytes. A library is
// mostly file bytes stored in chunks of about a megabyte; with SQLite's
// default of 4 KiB each chunk spans hundreds of overflow pages, each written
// twice (to the journal, then to the file). 64 KiB pages cut that work.
// A variable so that benchmarks can compare sizes in one run.
var PageSize = 65536

// newLibraryFile gives a new, empty library file its page size and the
// write-ahead journal. The page size cannot be set in the connection
// string: modernc applies those pragmas in sorted order, journal_mode
// before page_size, and once the journal is in WAL mode the page size is
// fixed. So it is set here, by its own statement, first.
func newLibraryFile(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", sqliteURI(path))
	if err != nil {
		return err
	}
	defer db.Close()
	for _, stmt := range []string{fmt.Sprintf("PRAGMA page_size = %d", PageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return db.Close()
}

// tighten makes an existing library (and its journals) owner-only, and the
// library's folder too when it is Second Opinion's own. It returns a
// sentence for each change.
func tighten(path string) []string {
	var out []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o077 != 0 {
			if os.Chmod(p, 0o600) == nil && p == path {
				out = append(out, fmt.Sprintf("The library %s could be read by other users of this computer; it is now private to you.", path))
			}
		}
	}
	dir := filepath.Dir(path)
	if own, err := defaultDir(); err == nil && own == dir {
		if st, err := os.Stat(dir); err == nil && st.Mode().Perm()&0o077 != 0 {
			if os.Chmod(dir, 0o700) == nil {
				out = append(out, fmt.Sprintf("The folder %s could be opened by other users of this computer; it is now private to you.", dir))
			}
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Close closes the library, checkpointing its journal into the main file.
func (s *Store) Close() error {
	return s.db.Close()
}

// checkHeader refuses a file that is not ours by reading its header bytes,
// without letting SQLite touch it (opening in WAL mode would change it).
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &Problem{Msg: fmt.Sprintf("Second Opinion cannot read the library %s (%v). Check its permissions, or choose another file.", path, errBrief(err)), Err: err}
	}
	defer f.Close()
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if n == 0 && (err == io.EOF) {
		return nil // an empty file becomes a new library
	}
	foreign := &Problem{Msg: fmt.Sprintf("%s is not a Second Opinion library; it was left untouched. Choose another file name, or open your own library.", path), Err: ErrForeignFile}
	if err != nil || !bytes.HasPrefix(h[:], []byte("SQLite format 3\x00")) {
		return foreign
	}
	version := binary.BigEndian.Uint32(h[60:64])
	appID := binary.BigEndian.Uint32(h[68:72])
	if appID != ApplicationID {
		if appID == 0 && version == 0 {
			if _, err := os.Stat(path + "-wal"); err == nil {
				// Either our new library, stopped before its first checkpoint,
				// or another program's file with its journal. Look read-only:
				// opening it for writing would checkpoint that journal into a
				// file that is not ours when we close it.
				if ours, err := walLibraryIsOurs(path); err == nil && ours {
					return nil
				}
			}
		}
		return foreign
	}
	if int(version) > SchemaVersion() {
		return &Problem{Msg: fmt.Sprintf("This library was saved by a newer version of Second Opinion (library version %d; this one reads up to %d). It was left untouched: update Second Opinion to open it.", version, SchemaVersion()), Err: ErrNewerVersion}
	}
	return nil
}

// sqliteURI is the "file:" URI of path. SQLite reads '?' and '#' in a URI
// as the start of its parameters and '%' as an escape, so these are escaped:
// unescaped, a folder named "Mary's files #2" made SQLite keep the library
// in another file, "Mary's files ".
func sqliteURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
}

// walLibraryIsOurs reads a SQLite file and its -wal journal without
// changing either: it is ours when it carries our application id, or has
// no tables yet.
func walLibraryIsOurs(path string) (bool, error) {
	db, err := sql.Open("sqlite", sqliteURI(path)+"?mode=ro")
	if err != nil {
		return false, err
	}
	defer db.Close()
	var appID, tables int
	if err := db.QueryRow("PRAGMA application_id").Scan(&appID); err != nil {
		return false, err
	}
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
		return false, err
	}
	return appID == ApplicationID || tables == 0, nil
}

func writable(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return &Problem{Msg: fmt.Sprintf("Second Opinion cannot write to the library %s (%v). Check that the file and its folder are not read-only.", path, errBrief(err)), Err: err}
	}
	return f.Close()
}

// writableDir checks the folder takes new files: SQLite keeps its journal
// beside the library.
func writableDir(dir string) error {
	f, err := os.CreateTemp(dir, ".secondopinion-probe-*")
	if err != nil {
		return &Problem{Msg: fmt.Sprintf("Second Opinion cannot write in the folder %s (%v). Choose a library file in a folder you can write to.", dir, errBrief(err)), Err: err}
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func errBrief(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// heavyMigrations are the versions whose step rewrites the file bytes, so
// needs about the library's size again in free space while it runs.
var heavyMigrations = map[int]bool{2: true}

// skipRoomCheck is set by tests only (see export_test.go).
var skipRoomCheck bool

// migrate brings the library to this version: every pending step in one
// transaction, so a failure (a full disk, a kill) leaves it exactly at its
// old version. It checks first that the disk has room.
func (s *Store) migrate(ctx context.Context, progress func(string)) error {
	var appID, version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return s.wrapOpen(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.wrapOpen(err)
	}
	if appID != ApplicationID && !(appID == 0 && version == 0) {
		return &Problem{Msg: fmt.Sprintf("%s is not a Second Opinion library; it was left untouched. Choose another file name, or open your own library.", s.path), Err: ErrForeignFile}
	}
	if appID == 0 {
		// A SQLite file with tables but no application id is another program's.
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
			return s.wrapOpen(err)
		}
		if n > 0 {
			return &Problem{Msg: fmt.Sprintf("%s is not a Second Opinion library; it was left untouched. Choose another file name, or open your own library.", s.path), Err: ErrForeignFile}
		}
	}
	all := migrations()
	if version > len(all) {
		return &Problem{Msg: fmt.Sprintf("This library was saved by a newer version of Second Opinion (library version %d; this one reads up to %d). It was left untouched: update Second Opinion to open it.", version, len(all)), Err: ErrNewerVersion}
	}
	if version == len(all) {
		return nil
	}
	var size int64
	if st, err := os.Stat(s.path); err == nil {
		size = st.Size()
	}
	need := int64(1 << 20)
	for i := version; i < len(all); i++ {
		if heavyMigrations[i+1] {
			need += 2 * size // the new copy, and the journal that carries it
		}
	}
	if free, ok := freeSpace(filepath.Dir(s.path)); ok && free < uint64(need) && !skipRoomCheck {
		return &Problem{Msg: fmt.Sprintf("This library needs updating to the new version of Second Opinion, which needs about %s of free disk space; %s is free. It was left untouched: free some space and open it again.",
			humanBytes(need), humanBytes(int64(free))), Err: ErrDiskFull}
	}
	if progress != nil && version > 0 && size > 100<<20 {
		progress(fmt.Sprintf("Updating the library (%s) to this version of Second Opinion; this can take a minute…", humanBytes(size)))
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for i := version; i < len(all); i++ {
			if _, err := tx.ExecContext(ctx, all[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(all))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID))
		return err
	})
	if err != nil {
		// The steps are rolled back, but the journal keeps the size they
		// grew it to: give the space back.
		s.db.ExecContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(TRUNCATE)`)
		if version > 0 && isFull(err) {
			return &Problem{Msg: "The disk filled up while the library was being updated to this version. It was left as it was: free some space and open it again.", Err: fmt.Errorf("%w: %v", ErrDiskFull, err)}
		}
		return s.wrapOpen(err)
	}
	return nil
}

func (s *Store) wrapOpen(err error) error {
	var p *Problem
	if errors.As(err, &p) {
		return err
	}
	if isFull(err) {
		return &Problem{Msg: "The disk is full, so the library could not be opened. Free some space and try again.", Err: ErrDiskFull}
	}
	if isBusy(err) {
		return &Problem{Msg: busyMsg, Err: fmt.Errorf("%w: %v", ErrBusy, err)}
	}
	if code := sqliteCode(err); code == sqlite3.SQLITE_NOTADB || code == sqlite3.SQLITE_CORRUPT {
		return &Problem{Msg: fmt.Sprintf("%s is damaged or is not a Second Opinion library; it was left untouched. Open a backup instead.", s.path), Err: err}
	}
	if code := sqliteCode(err); code == sqlite3.SQLITE_READONLY || code == sqlite3.SQLITE_CANTOPEN || code == sqlite3.SQLITE_PERM {
		return &Problem{Msg: fmt.Sprintf("Second Opinion cannot write to the library %s. Check that the file and its folder are not read-only.", s.path), Err: err}
	}
	return fmt.Errorf("open library %s: %w", s.path, err)
}

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func isFull(err error) bool {
	if err == nil {
		return false
	}
	if sqliteCode(err) == sqlite3.SQLITE_FULL || errors.Is(err, ErrDiskFull) {
		return true
	}
	return strings.Contains(err.Error(), "no space left") || strings.Contains(err.Error(), "disk is full")
}

// tx runs fn in one write transaction (BEGIN IMMEDIATE): all of it is kept,
// or none of it.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrapWrite(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return s.wrapWrite(err)
	}
	return s.wrapWrite(tx.Commit())
}

// txAdd is tx for a save that adds a row when *id is empty and fills it
// in. When the transaction fails, *id is put back as it was, so saving the
// same value again (the app retries while the library is busy) adds the
// row instead of updating one that was never kept.
func (s *Store) txAdd(ctx context.Context, id *string, fn func(*sql.Tx) error) error {
	was := *id
	err := s.tx(ctx, fn)
	if err != nil {
		*id = was
	}
	return err
}

func (s *Store) wrapWrite(err error) error {
	if err == nil {
		return nil
	}
	var p *Problem
	if errors.As(err, &p) {
		return err
	}
	if isFull(err) {
		return &Problem{Msg: "The disk is full, so nothing was saved and the library is as it was. Free some space and try again.", Err: fmt.Errorf("%w: %v", ErrDiskFull, err)}
	}
	if isBusy(err) {
		return &Problem{Msg: busyMsg, Err: fmt.Errorf("%w: %v", ErrBusy, err)}
	}
	if errors.Is(err, context.Canceled) {
		return &Problem{Msg: "Stopped. Nothing was changed.", Err: err}
	}
	return err
}

// busyMsg is the sentence for a library that another process keeps busy
// for longer than the busy timeout.
const busyMsg = "The library is busy with another Second Opinion window or command, so this could not be saved yet. Wait until the other one has finished (for example a large add), then try again."

func isBusy(err error) bool {
	if errors.Is(err, ErrBusy) {
		return true
	}
	code := sqliteCode(err)
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// execOne runs an UPDATE or DELETE of one row; when it touches none, the
// row is gone, and the error says so naming what it was ("case").
func execOne(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(what)
	}
	return nil
}

// missingParent is notFound(what) when err is SQLite refusing a row whose
// parent (what: the person, case or document it belongs to) is gone, and
// err otherwise.
func missingParent(err error, what string) error {
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
		return notFound(what)
	}
	return err
}

func newID() string { return uuid.NewString() }

func (s *Store) now() time.Time { return s.Now().UTC() }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func unstamp(v string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

func parseStoredDate(v string) Date {
	d, _ := ParseDate(v)
	return d
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

var getenv = os.Getenv
