package records_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"secondopinion/records"

	_ "modernc.org/sqlite"
)

// TestAddBadFiles: every file a person might pick by mistake is refused
// with a sentence naming it, and the library is exactly as it was.
func TestAddBadFiles(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	dir := t.TempDir()
	// Something already in the library, so "unchanged" is not trivially empty.
	addDoc(t, s, p.ID, records.Document{Title: "Clinic letter"}, writeFile(t, dir, "letter.pdf", makePDF("clinic letter", 0, 1)))

	good := makePDF("a good report", 3*records.ChunkSize/2, 2)
	huge := filepath.Join(dir, "whole-body-scan.pdf")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	if err := os.Mkdir(filepath.Join(dir, "scans"), 0o700); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		path func(t *testing.T) string
		want error    // sentinel the error wraps, nil for "any"
		says []string // words the user's sentence must contain
	}{
		{"empty file", func(t *testing.T) string { return writeFile(t, dir, "empty.pdf", nil) },
			records.ErrEmptyFile, []string{"empty.pdf", "empty"}},
		{"2 GB file", func(t *testing.T) string { return huge },
			records.ErrFileTooLarge, []string{"whole-body-scan.pdf", "2.1 GB"}}, // 2 GiB, in decimal units
		{"truncated PDF", func(t *testing.T) string {
			return writeFile(t, dir, "cut-short.pdf", good[:len(good)/2])
		}, records.ErrUnreadableFile, []string{"cut-short.pdf", "cut short", "Download it again"}},
		{"truncated JPEG", func(t *testing.T) string { return corpusFile(t, "images/jpeg-truncated.jpg") },
			records.ErrUnreadableFile, []string{"jpeg-truncated.jpg", "damaged"}},
		{"PNG with a bad checksum", func(t *testing.T) string { return corpusFile(t, "images/go-png-invalid-crc32.png") },
			records.ErrUnreadableFile, []string{"go-png-invalid-crc32.png"}},
		{"text file named .pdf", func(t *testing.T) string {
			return writeFile(t, dir, "notes.pdf", []byte("Dear Dr Smith,\nplease find attached...\n"))
		}, records.ErrUnreadableFile, []string{"notes.pdf", "not a PDF or a picture"}},
		{"FHIR JSON export", func(t *testing.T) string { return corpusFile(t, "fhir/ips-bundle-minimal.json") },
			records.ErrUnreadableFile, []string{"ips-bundle-minimal.json", "not a PDF or a picture"}},
		{"PDF header then garbage", func(t *testing.T) string {
			return writeFile(t, dir, "garbage.pdf", append([]byte("%PDF-1.7\n"), make([]byte, 5000)...))
		}, records.ErrUnreadableFile, []string{"garbage.pdf"}},
		{"PDF locked with a password (AES-256)", func(t *testing.T) string {
			return corpusFile(t, "pdf/enc-aes256-r6-userpw-user.pdf")
		}, records.ErrPasswordRequired, []string{"enc-aes256-r6-userpw-user.pdf", "password"}},
		{"PDF locked with a password (RC4)", func(t *testing.T) string {
			return corpusFile(t, "pdf/enc-rc4-128-r3-userpw-openpassword.pdf")
		}, records.ErrPasswordRequired, []string{"password"}},
		{"file that is not there", func(t *testing.T) string { return filepath.Join(dir, "gone.pdf") },
			nil, []string{"There is no file", "gone.pdf"}},
		{"a folder", func(t *testing.T) string { return filepath.Join(dir, "scans") },
			nil, []string{"scans", "folder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t)
			before := snapshot(t, s)
			d := records.Document{PersonID: p.ID}
			err := s.AddDocument(ctx, &d, []string{path}, records.AddOptions{})
			if err == nil {
				t.Fatalf("AddDocument(%s) = nil, want a refusal", filepath.Base(path))
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("AddDocument(%s) = %v, want it to wrap %v", filepath.Base(path), err, tt.want)
			}
			msg := records.Explain(err)
			for _, w := range tt.says {
				if !strings.Contains(msg, w) {
					t.Errorf("Explain(err) = %q, want it to mention %q", msg, w)
				}
			}
			if strings.Contains(msg, "Something went wrong") || strings.Contains(msg, "sqlite") {
				t.Errorf("Explain(err) = %q, want a specific sentence", msg)
			}
			assertUnchanged(t, s, before)
		})
	}

	// A bad file among good ones: nothing of the batch is kept.
	t.Run("bad file among good ones", func(t *testing.T) {
		before := snapshot(t, s)
		paths := []string{
			writeFile(t, dir, "page1.pdf", makePDF("page one", 0, 3)),
			writeFile(t, dir, "page2.pdf", nil),
		}
		d := records.Document{PersonID: p.ID}
		if err := s.AddDocument(ctx, &d, paths, records.AddOptions{}); !errors.Is(err, records.ErrEmptyFile) {
			t.Fatalf("AddDocument(good, empty) = %v, want ErrEmptyFile", err)
		}
		assertUnchanged(t, s, before)
	})
}

// TestAddPasswordFreeEncryptedPDF: a PDF encrypted with an empty user
// password opens without one, so it is accepted and marked.
func TestAddPasswordFreeEncryptedPDF(t *testing.T) {
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	for _, name := range []string{"enc-rc4-40-r2-owner-only.pdf", "enc-aes128-r4-owner-only.pdf", "enc-aes256-r6-owner-only.pdf"} {
		t.Run(name, func(t *testing.T) {
			d := addDoc(t, s, p.ID, records.Document{}, corpusFile(t, "pdf/"+name))
			if len(d.Files) != 1 || !d.Files[0].Encrypted || !d.Files[0].IsPDF() || d.Pages < 1 {
				t.Errorf("AddDocument(%s).Files = %+v, want one encrypted PDF with pages", name, d.Files)
			}
		})
	}
	if probs, err := s.Check(context.Background()); err != nil || len(probs) != 0 {
		t.Errorf("Check() = %q, %v, want no problems", probs, err)
	}
}

// TestNamesInAnyScript: people, file names, titles and searches in any
// script come back exactly as typed.
func TestNamesInAnyScript(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	tests := []struct {
		person, file, title, search string
	}{
		{"Αλέξανδρος Παπαδόπουλος", "Ιστολογική έκθεση.pdf", "Ιστολογική έκθεση", "Ιστολογική"},
		{"Анна Сергеевна Иванова", "выписка из больницы.pdf", "выписка из больницы", "выписка"},
		{"王小东", "病理报告.pdf", "病理报告", "病理报告"},
		{"محمد عبد الله", "تقرير الأشعة.pdf", "تقرير الأشعة", "الأشعة"},
		{"Zoë Müller-Øberg", "Ärztlicher Befund é 😀.pdf", "Ärztlicher Befund é 😀", "arztlicher"},
		{"Nguyễn Thị Hương", "kết quả xét nghiệm.pdf", "kết quả xét nghiệm", "nghiệm"},
	}
	for i, tt := range tests {
		t.Run(tt.person, func(t *testing.T) {
			p := addPerson(t, s, tt.person)
			got, err := s.Person(ctx, p.ID)
			if err != nil || got.FullName != tt.person {
				t.Errorf("Person(id).FullName = %q, %v, want %q", got.FullName, err, tt.person)
			}
			if byName, err := s.PersonByName(ctx, tt.person); err != nil || byName.ID != p.ID {
				t.Errorf("PersonByName(%q) = %q, %v, want %q", tt.person, byName.ID, err, p.ID)
			}
			path := writeFile(t, dir, tt.file, makePDF(fmt.Sprintf("report %d", i), 0, 0))
			d := addDoc(t, s, p.ID, records.Document{}, path)
			back, err := s.Document(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if back.Title != tt.title {
				t.Errorf("Document.Title = %q, want %q (from the file name)", back.Title, tt.title)
			}
			if len(back.Files) != 1 || back.Files[0].Name != tt.file {
				t.Errorf("Document.Files[0].Name = %q, want %q", back.Files[0].Name, tt.file)
			}
			found, err := s.Documents(ctx, records.DocumentFilter{Search: tt.search})
			if err != nil || len(found) != 1 || found[0].ID != d.ID {
				t.Errorf("Documents(Search %q) = %d documents, %v, want the one titled %q", tt.search, len(found), err, tt.title)
			}
		})
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestOpenRefuses: a library path Second Opinion cannot use is refused
// with a sentence, and a file that is not ours is left byte for byte.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	otherApp := filepath.Join(dir, "contacts.sqlite")
	func() {
		db, err := sql.Open("sqlite", otherApp)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`CREATE TABLE contact (name TEXT); INSERT INTO contact VALUES ('Ann')`); err != nil {
			t.Fatal(err)
		}
	}()

	// Another program that keeps a journal (-wal) and stopped without
	// checkpointing it: its header alone looks like a new library of ours.
	crashed := filepath.Join(dir, "notes-app.sqlite")
	func() {
		live := filepath.Join(t.TempDir(), "live.sqlite")
		db, err := sql.Open("sqlite", "file:"+live+"?_pragma=journal_mode(WAL)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`PRAGMA wal_autocheckpoint=0; CREATE TABLE note (text TEXT); INSERT INTO note VALUES ('hello')`); err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{"", "-wal"} { // copied while open: as if it crashed
			b, err := os.ReadFile(live + ext)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, filepath.Base(crashed)+ext, b)
		}
	}()

	newer := filepath.Join(dir, "newer.sqlite")
	func() {
		s, err := records.Open(ctx, newer)
		if err != nil {
			t.Fatal(err)
		}
		addPerson(t, s, "Mary Example")
		s.Close()
		db, err := sql.Open("sqlite", newer)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", records.SchemaVersion()+1)); err != nil {
			t.Fatal(err)
		}
	}()

	text := writeFile(t, dir, "notes.txt", []byte("not a database at all, just notes\n"))
	tests := []struct {
		name string
		path string
		want error
		says string
	}{
		{"another program's SQLite file", otherApp, records.ErrForeignFile, "not a Second Opinion library"},
		{"another program's SQLite file with its journal", crashed, records.ErrForeignFile, "not a Second Opinion library"},
		{"a library from a newer version", newer, records.ErrNewerVersion, "newer version"},
		{"a text file", text, records.ErrForeignFile, "not a Second Opinion library"},
		{"a missing folder", filepath.Join(dir, "no", "such", "folder", "library.sqlite"), nil, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sums := map[string][32]byte{} // the file and any journal beside it
			for _, ext := range []string{"", "-wal", "-journal"} {
				if _, err := os.Stat(tt.path + ext); err == nil {
					sums[ext] = fileSum(t, tt.path+ext)
				}
			}
			s, err := records.Open(ctx, tt.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) = nil error, want a refusal", tt.name)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Open(%s) = %v, want it to wrap %v", tt.name, err, tt.want)
			}
			if msg := records.Explain(err); !strings.Contains(msg, tt.says) {
				t.Errorf("Explain(Open(%s)) = %q, want it to say %q", tt.name, msg, tt.says)
			}
			for _, ext := range []string{"", "-wal", "-journal"} {
				sum, existed := sums[ext]
				_, err := os.Stat(tt.path + ext)
				switch {
				case existed && err != nil:
					t.Errorf("Open(%s) removed %s", tt.name, filepath.Base(tt.path+ext))
				case existed && fileSum(t, tt.path+ext) != sum:
					t.Errorf("Open(%s) changed the bytes of %s", tt.name, filepath.Base(tt.path+ext))
				case !existed && err == nil:
					t.Errorf("Open(%s) left %s behind", tt.name, filepath.Base(tt.path+ext))
				}
			}
		})
	}
	// The newer library still opens in the newer version: here, once we lower
	// the number back, everything is there.
	db, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", records.SchemaVersion())); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := records.Open(ctx, newer)
	if err != nil {
		t.Fatalf("Open(newer, version lowered again) = %v", err)
	}
	defer s.Close()
	if st, _ := s.Stats(ctx); st.People != 1 {
		t.Errorf("Stats().People = %d after the refused open, want 1", st.People)
	}
}

// mountTmpfs mounts a small tmpfs at dir (root only), unmounted when the
// test ends; it skips the test where mounting is not permitted.
func mountTmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs not permitted here: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
}

// TestOpenReadOnly: a library in a read-only folder (as root, chmod does
// not stop us, so a read-only mount stands in) is refused with a sentence
// and left untouched.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	t.Run("new library in a read-only folder", func(t *testing.T) {
		dir := t.TempDir()
		mountTmpfs(t, dir, "size=1m,ro")
		path := filepath.Join(dir, "library.sqlite")
		s, err := records.Open(ctx, path)
		if err == nil {
			s.Close()
			t.Fatal("Open(read-only folder) = nil error, want a refusal")
		}
		if msg := records.Explain(err); !strings.Contains(msg, "cannot") || !strings.Contains(msg, dir) {
			t.Errorf("Explain(Open(read-only folder)) = %q, want a sentence naming the folder", msg)
		}
	})
	t.Run("existing library on a read-only disk", func(t *testing.T) {
		dir := t.TempDir()
		mountTmpfs(t, dir, "size=8m")
		path := filepath.Join(dir, "library.sqlite")
		s, err := records.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		addPerson(t, s, "Mary Example")
		s.Close()
		if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
			t.Skipf("remount read-only: %v %s", err, out)
		}
		sum := fileSum(t, path)
		s, err = records.Open(ctx, path)
		if err == nil {
			s.Close()
			t.Fatal("Open(library on read-only disk) = nil error, want a refusal")
		}
		if msg := records.Explain(err); !strings.Contains(msg, "read-only") {
			t.Errorf("Explain(Open(read-only disk)) = %q, want it to say read-only", msg)
		}
		if fileSum(t, path) != sum {
			t.Error("Open(read-only disk) changed the library's bytes")
		}
	})
}

// TestDiskFullMidAdd: when the disk fills up in the middle of adding a
// file, the user is told the disk is full and nothing of the add is kept.
// SQLite's max_page_count makes the disk "full" at a chosen size.
func TestDiskFullMidAdd(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	dir := t.TempDir()
	addDoc(t, s, p.ID, records.Document{}, writeFile(t, dir, "first.pdf", makePDF("first", 0, 1)))
	before := snapshot(t, s)

	db := records.DBForTest(s)
	db.SetMaxOpenConns(1) // the pragma is per connection: keep just one
	var pages int
	if err := db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	var pageSize int
	if err := db.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	// Room for about 2.5 MB more, and the file needs 3.
	if _, err := db.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+(5<<20)/2/pageSize)); err != nil {
		t.Fatal(err)
	}
	big := writeFile(t, dir, "ct-report.pdf", makePDF("ct report", 3*records.ChunkSize, 2))
	var progressed int64
	d := records.Document{PersonID: p.ID}
	err := s.AddDocument(ctx, &d, []string{big}, records.AddOptions{Progress: func(done, total int64) { progressed = done }})
	if !errors.Is(err, records.ErrDiskFull) {
		t.Fatalf("AddDocument(3 MB, disk full after 1 MB) = %v, want ErrDiskFull", err)
	}
	if progressed < records.ChunkSize {
		t.Errorf("progress = %d bytes when the add failed, want it to fail mid-add (after the first 1 MB part)", progressed)
	}
	if msg := records.Explain(err); !strings.Contains(msg, "disk is full") || !strings.Contains(msg, "nothing was saved") {
		t.Errorf("Explain(err) = %q, want it to say the disk is full and nothing was saved", msg)
	}
	assertUnchanged(t, s, before)

	// Space freed: the same add now works.
	if _, err := db.Exec("PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	d = records.Document{PersonID: p.ID}
	if err := s.AddDocument(ctx, &d, []string{big}, records.AddOptions{}); err != nil {
		t.Fatalf("AddDocument after freeing space = %v", err)
	}
}

// TestDiskFullTmpfs fills a real (small) disk by adding files until it is
// full: the last add fails with the disk-full sentence and the library is
// as it was before that add.
//
// The disk holds a new library and its journal with room for at least one
// add: a new library is about 4 MB (one 64 KiB page per table and index,
// written to the journal first), and 6 MB left 30 KB to spare before the
// OCR table (migration 0007), so the disk is 7 MB.
func TestDiskFullTmpfs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mountTmpfs(t, dir, "size=7m")
	src := t.TempDir()
	s, err := records.Open(ctx, filepath.Join(dir, "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := addPerson(t, s, "Mary Example")
	for i := 0; i < 20; i++ {
		// Stats only: Check reads every stored byte, and runs once below.
		stats, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before := state{Stats: stats}
		path := writeFile(t, src, fmt.Sprintf("scan-%02d.pdf", i), makePDF(fmt.Sprintf("scan %d", i), 700<<10, uint64(i)))
		d := records.Document{PersonID: p.ID}
		err = s.AddDocument(ctx, &d, []string{path}, records.AddOptions{})
		if err == nil {
			continue
		}
		if !errors.Is(err, records.ErrDiskFull) {
			t.Fatalf("AddDocument(scan %d) on a full disk = %v, want ErrDiskFull", i, err)
		}
		if msg := records.Explain(err); !strings.Contains(msg, "disk is full") {
			t.Errorf("Explain(err) = %q, want it to say the disk is full", msg)
		}
		if i == 0 {
			t.Fatalf("the first add already failed (%v); the disk was too small to test", err)
		}
		assertUnchanged(t, s, before)
		return
	}
	t.Fatal("20 adds of 700 KB fitted on a 7 MB disk; the disk never filled")
}

// TestLibraryPathAnyName: a library in a folder whose name holds
// characters special to SQLite's file URIs (# ? %) or any script is kept
// in exactly that file, owner-only, and reopens with its contents.
func TestLibraryPathAnyName(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"Mary's files #2", "what? where", "100% mine", "Ελένη Παπαδοπούλου", "王小东的文件", "files ⚕️"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "library #1.sqlite")
			s, err := records.Open(ctx, path)
			if err != nil {
				t.Fatalf("Open(%s) = %v", path, err)
			}
			addPerson(t, s, "Mary Example")
			backup := filepath.Join(dir, "backup #1?.sqlite")
			if err := s.Backup(ctx, backup); err != nil {
				t.Errorf("Backup(%s) = %v", backup, err)
			}
			s.Close()
			var names []string
			for _, d := range []string{dir, filepath.Dir(dir)} {
				entries, _ := os.ReadDir(d)
				for _, e := range entries {
					names = append(names, e.Name())
				}
			}
			if want := []string{"backup #1?.sqlite", "library #1.sqlite", name}; !reflect.DeepEqual(names, want) {
				t.Errorf("files after Open and Backup = %q, want %q", names, want)
			}
			if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("library mode = %v, %v, want 0600", st.Mode(), err)
			}
			for _, p := range []string{path, backup} {
				s, err := records.Open(ctx, p)
				if err != nil {
					t.Fatalf("reopen %s = %v", p, err)
				}
				if st, _ := s.Stats(ctx); st.People != 1 {
					t.Errorf("%s holds %d people, want 1", filepath.Base(p), st.People)
				}
				s.Close()
			}
		})
	}
}

// TestOpenOnFullDisk: a new library on a full disk is refused with the
// disk-full sentence and leaves no file behind.
func TestOpenOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	mountTmpfs(t, dir, "size=256k")
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		if _, err := filler.Write(buf); err != nil {
			break
		}
	}
	filler.Close()
	path := filepath.Join(dir, "library.sqlite")
	s, err := records.Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open(full disk) = nil error, want a refusal")
	}
	if msg := records.Explain(err); !strings.Contains(msg, "disk is full") {
		t.Errorf("Explain(Open(full disk)) = %q, want it to say the disk is full", msg)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder after a refused Open holds %q, want only the filler", names)
	}
}
