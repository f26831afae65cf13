package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"secondopinion/export"
	"secondopinion/records"
)

// mainEnv, set in a child's environment, makes the test binary be the
// secondopinion command: TestMain calls main() with the child's arguments
// instead of running the tests. Tests that need the real process (exit
// status, stderr, signals, the umask main sets) start os.Args[0] with it.
const mainEnv = "SECONDOPINION_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		main() // serves the sandbox too, as the program does
		os.Exit(0)
	}
	// sandbox.Serve is not called here: commands run in this process read
	// files in this process (the sandbox's fallback), which keeps these
	// tests within their time under -race. Commands run as child processes
	// (main) use the sandbox, as the program does.
	os.Exit(m.Run())
}

// userDirs is a test's stand-in for the user's folders.
type userDirs struct {
	home, data, tmp string
}

// newUserDirs points HOME, XDG_DATA_HOME and TMPDIR at empty temporary
// folders, for this process and the children it starts, so no command
// reaches the real user's library or leaves anything in the real /tmp.
func newUserDirs(t *testing.T) userDirs {
	t.Helper()
	u := userDirs{home: t.TempDir(), data: t.TempDir(), tmp: t.TempDir()}
	t.Setenv("HOME", u.home)
	t.Setenv("XDG_DATA_HOME", u.data)
	t.Setenv("TMPDIR", u.tmp)
	return u
}

// cli runs the command line in this process, as main would, and returns
// what it printed.
func cli(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, &out)
	return out.String(), err
}

// mustCLI is cli for a step that must work.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := cli(args...)
	if err != nil {
		t.Fatalf("run(%q) = %v (%s)", args, err, records.Explain(err))
	}
	return out
}

// command is the secondopinion command in a child process: the test
// binary, made to run main() by mainEnv. The child inherits this process's
// environment (HOME, XDG_DATA_HOME and TMPDIR from newUserDirs) plus env.
func command(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), mainEnv+"=1"), env...)
	return cmd
}

// outcome is how a child command ended.
type outcome struct {
	stdout, stderr string
	code           int // exit status; -1 when a signal ended it
}

// runMain runs the command in a child process and waits for it.
func runMain(t *testing.T, env []string, args ...string) outcome {
	t.Helper()
	cmd := command(env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("starting %q: %v", args, err)
	}
	return outcome{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// sentenceProblem says what keeps msg from being the one plain sentence
// (or few) a user should see for a refusal, or "" when it is one.
func sentenceProblem(msg string) string {
	switch {
	case msg == "":
		return "it is empty"
	case strings.Contains(msg, "\n"):
		return "it has several lines"
	case strings.Contains(msg, "Something unexpected"):
		return "it is the general fallback, not a sentence about this mistake"
	case !strings.HasSuffix(msg, "."):
		return "it is not a sentence"
	case strings.Contains(msg, "SQLITE_") || strings.Contains(msg, "sqlite:"):
		return "it shows a raw technical error"
	}
	return ""
}

// refused fails the test unless err is a refusal with a sentence.
func refused(t *testing.T, args []string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("run(%q) = nil error, want a refusal", args)
		return
	}
	if msg := records.Explain(err); sentenceProblem(msg) != "" {
		t.Errorf("run(%q) = %q, want a sentence (%s)", args, msg, sentenceProblem(msg))
	}
}

// stats opens the library and returns its counts, failing the test when it
// does not open or is not sound.
func stats(t *testing.T, lib string) records.Stats {
	t.Helper()
	ctx := context.Background()
	s, err := records.Open(ctx, lib)
	if err != nil {
		t.Fatalf("records.Open(%s) = %v", lib, err)
	}
	defer s.Close()
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	if problems, err := s.Check(ctx); err != nil || len(problems) != 0 {
		t.Errorf("Check() = %q, %v, want a sound library", problems, err)
	}
	return st
}

// demoCopy is the library demo made once per test binary, kept in memory:
// demo takes seconds under -race and most tests only need its result.
var demoCopy struct {
	sync.Once
	files map[string][]byte // suffix ("", "-wal") to contents
	stats records.Stats
	err   error
}

// demoLibrary returns a new library in a temporary folder holding the
// sample person, as `demo` makes it, and its counts.
func demoLibrary(t *testing.T) (string, records.Stats) {
	t.Helper()
	demoCopy.Do(func() {
		dir, err := os.MkdirTemp("", "secondopinion-test-")
		if err != nil {
			demoCopy.err = err
			return
		}
		defer os.RemoveAll(dir)
		lib := filepath.Join(dir, "library.sqlite")
		if _, err := cli("demo", "--library", lib); err != nil {
			demoCopy.err = fmt.Errorf("demo: %w", err)
			return
		}
		s, err := records.Open(context.Background(), lib)
		if err != nil {
			demoCopy.err = err
			return
		}
		demoCopy.stats, demoCopy.err = s.Stats(context.Background())
		s.Close()
		demoCopy.files = map[string][]byte{}
		for _, suffix := range []string{"", "-wal"} {
			if b, err := os.ReadFile(lib + suffix); err == nil {
				demoCopy.files[suffix] = b
			}
		}
	})
	if demoCopy.err != nil {
		t.Fatalf("making the demo library: %v", demoCopy.err)
	}
	lib := filepath.Join(t.TempDir(), "library.sqlite")
	for suffix, b := range demoCopy.files {
		if err := os.WriteFile(lib+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return lib, demoCopy.stats
}

// writeFile writes data to name in dir and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfEscape escapes text for a PDF literal string.
func pdfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
}

// makePDF returns a valid one-page PDF whose text layer reads text. Its
// content stream is not compressed, so the text is in the file's bytes.
func makePDF(text string) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>")
	content := fmt.Sprintf("BT /F1 12 Tf 72 760 Td (%s) Tj ET", pdfEscape(text))
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// makeNoiseJPEG encodes a w×h picture of random noise: its bytes are found
// nowhere else.
func makeNoiseJPEG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := rand.Uint32()
			img.Set(x, y, color.RGBA{byte(v), byte(v >> 8), byte(v >> 16), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// uniqueWord is a word no library holds unless a test put it there.
func uniqueWord() string {
	return fmt.Sprintf("Quorvantix%08x", rand.Uint32())
}

// entries lists everything under dir (relative paths), for "nothing was
// created" checks.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCLIExportNeverReplacesTheLibrary: `export --out` naming the library,
// its journal, a backup or any other file that is not a PDF (a slip of the
// keyboard) is refused with a sentence and leaves that file as it was; the
// library still opens with the same records. An existing PDF is replaced.
// `backup --out` never overwrites anything.
func TestCLIExportNeverReplacesTheLibrary(t *testing.T) {
	newUserDirs(t)
	dir := t.TempDir()
	// A small library (a letter and a photo) keeps the packet quick to make
	// under -race; the photo is what an export prepares a print version of.
	lib := filepath.Join(t.TempDir(), "library.sqlite")
	mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "clinic-letter", "--date", "2026-10-02", writeFile(t, dir, "letter.pdf", makePDF("clinic letter")))
	mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "imaging", "--date", "2026-09-14", writeFile(t, dir, "photo.jpg", makeNoiseJPEG(640, 480)))
	backup := filepath.Join(dir, "backup.sqlite")
	mustCLI(t, "backup", "--library", lib, "--out", backup)
	notes := writeFile(t, dir, "notes.txt", []byte("Ask about the second spot on the MRI.\n"))
	oldPDF := makePDF("an old packet")

	statsBefore := stats(t, lib)
	if statsBefore.People != 1 || statsBefore.Documents != 2 {
		t.Fatalf("library: %+v, want one person with two documents", statsBefore)
	}
	libBefore, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}

	exports := []struct {
		name string
		flag []string
	}{
		{"packet", nil},
		{"questions", []string{"--questions-only"}},
		{"medications", []string{"--medications-only"}},
	}
	targets := []struct {
		name string
		path string
	}{
		{"the library", lib},
		{"its journal", lib + "-wal"},
		{"a backup", backup},
		{"a text file", notes},
	}
	type refusal struct {
		name   string
		args   []string
		target string
	}
	var refusals []refusal
	for _, e := range exports {
		for _, tt := range targets {
			refusals = append(refusals, refusal{e.name + " to " + tt.name, append([]string{"export", "--library", lib, "--out", tt.path}, e.flag...), tt.path})
		}
	}
	for _, tt := range append(targets[:1:1], targets[2:]...) {
		refusals = append(refusals, refusal{"backup to " + tt.name, []string{"backup", "--library", lib, "--out", tt.path}, tt.path})
	}
	oldReport := writeFile(t, dir, "old-report.pdf", oldPDF)
	refusals = append(refusals, refusal{"backup to a PDF", []string{"backup", "--library", lib, "--out", oldReport}, oldReport})
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			orig, origErr := os.ReadFile(tt.target)
			_, err := cli(tt.args...)
			refused(t, tt.args, err)
			got, gotErr := os.ReadFile(tt.target)
			if !bytes.Equal(got, orig) || (gotErr == nil) != (origErr == nil) {
				t.Errorf("run(%q) left %s as %d bytes (%v), want it unchanged: %d bytes (%v)", tt.args, tt.target, len(got), gotErr, len(orig), origErr)
			}
			if got, err := os.ReadFile(lib); err != nil || !bytes.Equal(got, libBefore) {
				t.Errorf("run(%q) left the library as %d bytes (%v), want byte-for-byte the %d it had", tt.args, len(got), err, len(libBefore))
			}
		})
	}
	if got := stats(t, lib); got != statsBefore {
		t.Errorf("Stats() after the refusals = %+v, want %+v", got, statsBefore)
	}
	if got := stats(t, backup); got != statsBefore {
		t.Errorf("Stats() of the backup after the refusals = %+v, want %+v", got, statsBefore)
	}

	for _, e := range exports {
		t.Run(e.name+" replaces a PDF", func(t *testing.T) {
			out := writeFile(t, dir, "existing-"+e.name+".pdf", oldPDF)
			args := append([]string{"export", "--library", lib, "--out", out}, e.flag...)
			if _, err := cli(args...); err != nil {
				t.Fatalf("run(%q) = %v (%s), want the PDF replaced", args, err, records.Explain(err))
			}
			got, err := os.ReadFile(out)
			if err != nil || !bytes.HasPrefix(got, []byte("%PDF-")) || bytes.Equal(got, oldPDF) {
				t.Errorf("run(%q) left %d bytes starting %q (%v), want a new PDF", args, len(got), got[:min(len(got), 8)], err)
			}
		})
	}
	if got := stats(t, lib); got != statsBefore {
		t.Errorf("Stats() after the exports = %+v, want %+v", got, statsBefore)
	}
}

// TestCLIAddOptionsAfterFiles: options may follow the file names; they are
// not taken for files, and the document goes into the library named.
func TestCLIAddOptionsAfterFiles(t *testing.T) {
	u := newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	letter := writeFile(t, dir, "letter.pdf", makePDF("clinic letter"))
	scan := writeFile(t, dir, "scan.pdf", makePDF("scan report"))
	tests := []struct {
		name string
		args []string
		docs int
	}{
		{"all after the file", []string{"add", letter, "--library", lib, "--person", "Mary Example", "--kind", "other"}, 1},
		{"some before, some after", []string{"add", "--library", lib, scan, "--person", "Mary Example", "--kind", "results", "--title", "Scan report"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := cli(tt.args...)
			if err != nil || !strings.HasPrefix(out, "Added ") {
				t.Fatalf("run(%q) = %q, %v, want Added", tt.args, out, err)
			}
			if st := stats(t, lib); st.People != 1 || st.Documents != tt.docs {
				t.Errorf("after run(%q): %d people, %d documents, want 1 and %d", tt.args, st.People, st.Documents, tt.docs)
			}
		})
	}
	if got := append(entries(t, u.home), entries(t, u.data)...); len(got) != 0 {
		t.Errorf("the default library's folders hold %q, want nothing (every add named --library)", got)
	}
}

// TestCLIBadArgumentsCreateNothing: a command refused for its arguments
// says why in a sentence and creates nothing: not the library it names,
// nor the default library or its folder.
func TestCLIBadArgumentsCreateNothing(t *testing.T) {
	u := newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	file := writeFile(t, dir, "letter.pdf", makePDF("letter"))
	missing := filepath.Join(dir, "nofile.pdf")
	tests := []struct {
		name string
		args []string
	}{
		{"add without --person", []string{"add", file, "--library", lib, "--kind", "other"}},
		{"add a missing file, options after", []string{"add", missing, "--library", lib, "--person", "Mary Example", "--kind", "other"}},
		{"add without --kind", []string{"add", file, "--library", lib, "--person", "Mary Example"}},
		{"add an unknown kind", []string{"add", file, "--library", lib, "--person", "Mary Example", "--kind", "xray"}},
		{"add a wrong date", []string{"add", file, "--library", lib, "--person", "Mary Example", "--kind", "other", "--date", "2026-13-45"}},
		{"add no files", []string{"add", "--library", lib, "--person", "Mary Example", "--kind", "other"}},
		{"add both --person and --person-id", []string{"add", file, "--library", lib, "--person", "Mary Example", "--person-id", "abcd", "--kind", "other"}},
		{"default library, add without --person", []string{"add", file, "--kind", "other"}},
		{"default library, add a missing file", []string{"add", missing, "--person", "Mary Example", "--kind", "other"}},
		{"default library, export without --out", []string{"export"}},
		{"default library, backup without --out", []string{"backup"}},
		{"default library, trash without --document", []string{"trash"}},
		{"default library, list given a file", []string{"list", file}},
		{"default library, unknown command", []string{"frobnicate"}},
		{"export without --out", []string{"export", "--library", lib}},
		{"restore without --document", []string{"restore", "--library", lib}},
		{"export two of the single sheets", []string{"export", "--library", lib, "--out", filepath.Join(dir, "x.pdf"), "--questions-only", "--comparison"}},
		{"export on an unknown paper", []string{"export", "--library", lib, "--out", filepath.Join(dir, "x.pdf"), "--paper", "a5"}},
		{"export an unknown photo quality", []string{"export", "--library", lib, "--out", filepath.Join(dir, "x.pdf"), "--quality", "best"}},
		{"export --duplex with a single sheet", []string{"export", "--library", lib, "--out", filepath.Join(dir, "x.pdf"), "--duplex", "--medications-only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cli(tt.args...)
			refused(t, tt.args, err)
			if _, err := os.Stat(lib); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("after run(%q): %s exists (%v), want nothing created", tt.args, lib, err)
			}
			if got := append(entries(t, u.home), entries(t, u.data)...); len(got) != 0 {
				t.Errorf("after run(%q): HOME and XDG_DATA_HOME hold %q, want nothing created", tt.args, got)
			}
		})
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("the folder holds %q, want only the file to add", got)
	}
}

// TestCLIDemoTwice: a second demo says the sample person is there already,
// and the library keeps one of them.
func TestCLIDemoTwice(t *testing.T) {
	newUserDirs(t)
	lib, first := demoLibrary(t) // made by demo
	args := []string{"demo", "--library", lib}
	out, err := cli(args...)
	refused(t, args, err)
	if msg := records.Explain(err); !strings.Contains(msg, "Helen Marsh") || !strings.Contains(msg, "already") {
		t.Errorf("run(%q) = %q, %q, want a sentence that Helen Marsh is already there", args, out, msg)
	}
	if got := stats(t, lib); got != first {
		t.Errorf("Stats() after a second demo = %+v, want as after the first: %+v", got, first)
	}
	s, err := records.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	people, err := s.People(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range people {
		names = append(names, p.FullName)
	}
	if len(names) != 1 || names[0] != "Helen Marsh" {
		t.Errorf("People() after demo twice = %q, want [Helen Marsh]", names)
	}
}

// TestCLISameName: two people with the same name are never confused: a
// command naming them is refused with both listed by date of birth, and
// --person-id with the short ID that list shows picks exactly one.
func TestCLISameName(t *testing.T) {
	newUserDirs(t)
	ctx := context.Background()
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	mustCLI(t, "add", "--library", lib, "--person", "Ann Lee", "--kind", "clinic-letter", "--title", "Older Ann's letter", writeFile(t, dir, "first.pdf", makePDF("first letter")))
	mustCLI(t, "add", "--library", lib, "--person", "Ann Lee", "--kind", "results", "--title", "Older Ann's results", writeFile(t, dir, "second.pdf", makePDF("second letter")))
	if st := stats(t, lib); st.People != 1 || st.Documents != 2 {
		t.Fatalf("after adding twice for Ann Lee: %d people, %d documents, want 1 and 2 (the name reused)", st.People, st.Documents)
	}

	s, err := records.Open(ctx, lib)
	if err != nil {
		t.Fatal(err)
	}
	people, err := s.People(ctx)
	if err != nil || len(people) != 1 {
		t.Fatalf("People() = %v, %v", people, err)
	}
	older := people[0]
	older.DateOfBirth = records.MustDate("1950-05-06")
	younger := records.Person{FullName: "Ann Lee", DateOfBirth: records.MustDate("1980-02-03")}
	for _, p := range []*records.Person{&older, &younger} {
		if err := s.SavePerson(ctx, p); err != nil {
			t.Fatalf("SavePerson(%s, %s) = %v", p.FullName, p.DateOfBirth, err)
		}
	}
	s.Close()
	olderID, youngerID := records.ShortID(older.ID), records.ShortID(younger.ID)
	mustCLI(t, "add", "--library", lib, "--person-id", youngerID, "--kind", "other", "--title", "Younger Ann's note", writeFile(t, dir, "third.pdf", makePDF("third letter")))

	out := filepath.Join(dir, "packet.pdf")
	for _, args := range [][]string{
		{"list", "--library", lib, "--person", "Ann Lee"},
		{"export", "--library", lib, "--person", "Ann Lee", "--out", out},
		{"export", "--library", lib, "--person", "ann lee ", "--questions-only", "--out", out},
		{"add", "--library", lib, "--person", "Ann Lee", "--kind", "other", writeFile(t, dir, "fourth.pdf", makePDF("fourth"))},
	} {
		got, err := cli(args...)
		refused(t, args, err)
		msg := records.Explain(err)
		for _, want := range []string{"1950", "1980", olderID, youngerID} {
			if !strings.Contains(msg, want) {
				t.Errorf("run(%q) = %q, want both Ann Lees listed by date of birth (%s missing)", args, msg, want)
			}
		}
		if got != "" {
			t.Errorf("run(%q) printed %q, want nothing but the refusal", args, got)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused export left %s (%v)", out, err)
	}
	if st := stats(t, lib); st.Documents != 3 {
		t.Errorf("after the refused add: %d documents, want 3", st.Documents)
	}

	tests := []struct {
		id         string
		want, not  string
		wantHeader string
	}{
		{olderID, "Older Ann's letter", "Younger Ann's note", "born " + records.MustDate("1950-05-06").Human()},
		{youngerID, "Younger Ann's note", "Older Ann's letter", "born " + records.MustDate("1980-02-03").Human()},
	}
	for _, tt := range tests {
		args := []string{"list", "--library", lib, "--person-id", tt.id}
		got, err := cli(args...)
		if err != nil || !strings.Contains(got, tt.want) || strings.Contains(got, tt.not) || !strings.Contains(got, tt.wantHeader) || strings.Count(got, "Ann Lee") != 1 {
			t.Errorf("run(%q) = %q, %v, want only the Ann Lee %s, with %q", args, got, err, tt.wantHeader, tt.want)
		}
		out := filepath.Join(dir, "questions-"+tt.id+".pdf")
		args = []string{"export", "--library", lib, "--person-id", tt.id, "--questions-only", "--out", out}
		if got, err := cli(args...); err != nil || !strings.Contains(got, "Saved") {
			t.Errorf("run(%q) = %q, %v, want the sheet saved", args, got, err)
		}
	}
}

// samplePrefix starts the names of the sample's private temporary
// folders: secondopinion-sample-PID-START-RANDOM.
const samplePrefix = "secondopinion-sample-"

// TestCLIDemoKilled stops `demo`, running in a child process, with
// SIGKILL, SIGTERM and SIGHUP at several moments. The library afterwards
// opens, is sound, and list shows the whole sample person or nobody, never
// half of one. A polite stop (SIGTERM: a kill; SIGHUP: the terminal
// closed) ends with status 1 and a sentence, not death by the signal, and
// leaves no private folder; after SIGKILL the next demo removes the dead
// process's folder.
func TestCLIDemoKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("runs demo in child processes")
	}
	u := newUserDirs(t)
	_, whole := demoLibrary(t)
	// The moments are counted in the sample's files, which demo writes into
	// its private folder one document at a time (8 in all), adding each
	// document before making the next: 0 is as soon as the folder exists, 6
	// is while the fifth of six documents is added. Few moments: under
	// -race a demo takes seconds.
	tests := []struct {
		name  string
		sig   syscall.Signal
		files int
	}{
		{"SIGKILL early", syscall.SIGKILL, 2},
		{"SIGKILL most of the way", syscall.SIGKILL, 6},
		{"SIGTERM as it starts", syscall.SIGTERM, 0},
		{"SIGHUP part way", syscall.SIGHUP, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib := filepath.Join(t.TempDir(), "library.sqlite")
			before := map[string]bool{}
			old, _ := filepath.Glob(filepath.Join(u.tmp, samplePrefix+"*"))
			for _, d := range old {
				before[d] = true
			}
			cmd := command(nil, "demo", "--library", lib)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			// Watch the child's folder (the one that was not there before)
			// fill: the child has no other way to say how far it is.
			own := ""
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			deadline := time.After(2 * time.Minute)
			seen := -1
		watch:
			for {
				select {
				case err := <-exited:
					t.Fatalf("demo ended (%v) before it made %d files (saw %d): stdout %q, stderr %q", err, tt.files, seen, stdout.String(), stderr.String())
				case <-deadline:
					cmd.Process.Kill()
					<-exited
					t.Fatalf("demo made %d files in 2 minutes, want %d", seen, tt.files)
				case <-tick.C:
					if own == "" {
						dirs, _ := filepath.Glob(filepath.Join(u.tmp, samplePrefix+"*"))
						for _, d := range dirs {
							if !before[d] {
								own = d
							}
						}
					}
					if own != "" {
						files, _ := os.ReadDir(own)
						if seen = len(files); seen >= tt.files {
							break watch
						}
					}
				}
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatalf("Signal(%v) = %v", tt.sig, err)
			}
			<-exited
			finished := strings.Contains(stdout.String(), "Added the sample person")
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if tt.sig != syscall.SIGKILL {
				msg := strings.TrimSpace(stderr.String())
				switch {
				case ws.Signaled():
					t.Errorf("demo stopped by %v after %d files: killed by %v, want exit status 1 and a sentence", tt.sig, seen, ws.Signal())
				case finished:
					// It finished before the signal came: fine, it is whole.
				case ws.ExitStatus() != 1 || sentenceProblem(msg) != "":
					t.Errorf("demo stopped by %v after %d files: status %d, stderr %q, want status 1 and a sentence", tt.sig, seen, ws.ExitStatus(), msg)
				default:
					t.Logf("demo stopped by %v after %d files: status 1, %q", tt.sig, seen, msg)
				}
				if dirs, _ := filepath.Glob(filepath.Join(u.tmp, samplePrefix+"*")); len(dirs) != 0 {
					t.Errorf("demo stopped by %v left %q in TMPDIR, want its private folder removed", tt.sig, dirs)
				}
			}

			got := stats(t, lib)
			if got != whole && got != (records.Stats{}) {
				t.Errorf("after %s (%d files made): Stats() = %+v, want the whole sample %+v or nobody", tt.name, seen, got, whole)
			}
			list := mustCLI(t, "list", "--library", lib)
			hasPerson := strings.Contains(list, "Helen Marsh")
			if hasPerson != (got.People == 1) || (hasPerson && (!strings.Contains(list, "Case ") || !strings.Contains(list, "Anastrozole"))) {
				t.Errorf("after %s: list = %q, want the whole sample person (documents, medications, a case) or nobody", tt.name, list)
			}
			if out := mustCLI(t, "check", "--library", lib); !strings.Contains(out, "The library is sound") {
				t.Errorf("after %s: check = %q, want it sound", tt.name, out)
			}
			if tt.sig != syscall.SIGKILL {
				return
			}

			// A killed process cannot clean up; the next demo removes what
			// it left (and finishes the sample, or says it is there).
			_, err := os.Stat(own)
			t.Logf("after SIGKILL the child's folder is there: %v", err == nil)
			args := []string{"demo", "--library", lib}
			_, err = cli(args...)
			if got.People == 1 {
				refused(t, args, err)
			} else if err != nil {
				t.Errorf("run(%q) after %s = %v, want the sample added", args, tt.name, err)
			}
			if got := stats(t, lib); got != whole {
				t.Errorf("after %s and demo again: Stats() = %+v, want %+v", tt.name, got, whole)
			}
			if dirs, _ := filepath.Glob(filepath.Join(u.tmp, samplePrefix+"*")); len(dirs) != 0 {
				t.Errorf("after %s and demo again: %q in TMPDIR, want no private folder of a dead process", tt.name, dirs)
			}
		})
	}
}

// TestCLITrashAndRestore: list shows short IDs; a document is moved to the
// Trash by title and brought back by short ID; a title two documents share
// is refused with both listed.
func TestCLITrashAndRestore(t *testing.T) {
	newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	add := func(name, title string) {
		mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "other", "--title", title, writeFile(t, dir, name, makePDF(name)))
	}
	add("biopsy.pdf", "Biopsy report")
	add("letter-1.pdf", "Clinic letter")
	add("letter-2.pdf", "Clinic letter")

	s, err := records.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := s.Documents(context.Background(), records.DocumentFilter{})
	s.Close()
	if err != nil || len(docs) != 3 {
		t.Fatalf("Documents() = %d, %v, want 3", len(docs), err)
	}
	ids := map[string][]string{} // title to short IDs
	list := mustCLI(t, "list", "--library", lib)
	for _, d := range docs {
		short := records.ShortID(d.ID)
		ids[d.Title] = append(ids[d.Title], short)
		if !strings.Contains(list, short) {
			t.Errorf("list = %q, want the short ID %s of %q", list, short, d.Title)
		}
	}

	steps := []struct {
		args    []string
		ok      bool
		listed  bool     // Biopsy report in list afterwards
		mention []string // words the output or refusal must hold
	}{
		{[]string{"trash", "--library", lib, "--document", "Biopsy report"}, true, false, []string{"Trash", ids["Biopsy report"][0]}},
		{[]string{"trash", "--library", lib, "--document", "Biopsy report"}, false, false, []string{"Biopsy report"}},
		{[]string{"restore", "--library", lib, "--document", ids["Biopsy report"][0]}, true, true, []string{"Restored"}},
		{[]string{"trash", "--library", lib, "--document", "Clinic letter"}, false, true, ids["Clinic letter"]},
		{[]string{"restore", "--library", lib, "--document", "Clinic letter"}, false, true, []string{"Trash"}},
	}
	for _, st := range steps {
		out, err := cli(st.args...)
		if st.ok {
			if err != nil {
				t.Fatalf("run(%q) = %v (%s), want it done", st.args, err, records.Explain(err))
			}
		} else {
			refused(t, st.args, err)
			out = records.Explain(err)
		}
		for _, w := range st.mention {
			if !strings.Contains(out, w) {
				t.Errorf("run(%q) = %q, want it to mention %q", st.args, out, w)
			}
		}
		list := mustCLI(t, "list", "--library", lib)
		if got := strings.Contains(list, "Biopsy report"); got != st.listed {
			t.Errorf("after run(%q): list shows Biopsy report: %v, want %v", st.args, got, st.listed)
		}
		if got := strings.Count(list, "Clinic letter"); got != 2 {
			t.Errorf("after run(%q): list shows Clinic letter %d times, want 2", st.args, got)
		}
	}
}

// TestCLIEmptyTrashLeavesNoCopy: after trash and empty-trash, neither the
// text of a PDF nor the bytes of a photo are anywhere in the library file,
// its journal, or a backup made afterwards.
func TestCLIEmptyTrashLeavesNoCopy(t *testing.T) {
	newUserDirs(t)
	ctx := context.Background()
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	word := uniqueWord()
	pdf := writeFile(t, dir, "biopsy.pdf", makePDF("Histology "+word+" core biopsy"))
	photoData := makeNoiseJPEG(160, 120)
	photo := writeFile(t, dir, "wound.jpg", photoData)
	keep := writeFile(t, dir, "letter.pdf", makePDF("a letter to keep"))
	secrets := []struct {
		name string
		data []byte
	}{
		{"the PDF's word " + word, []byte(word)},
		{"64 bytes of the photo", photoData[len(photoData)/2 : len(photoData)/2+64]},
	}

	// An open library keeps its journal (-wal) on disk, where old copies of
	// pages would be: hold it open while the commands run.
	hold, err := records.Open(ctx, lib)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "pathology", "--title", "Biopsy report", pdf)
	mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "other", "--title", "Wound photo", photo)
	mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "clinic-letter", "--title", "Letter", keep)

	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		return b
	}
	both := append(read(lib), read(lib+"-wal")...)
	for _, sec := range secrets {
		if !bytes.Contains(both, sec.data) {
			t.Fatalf("before emptying the Trash, %s is not in the library or its journal: the test cannot see it go", sec.name)
		}
	}

	mustCLI(t, "trash", "--library", lib, "--document", "Biopsy report")
	mustCLI(t, "trash", "--library", lib, "--document", "Wound photo")
	if out := mustCLI(t, "empty-trash", "--library", lib); !strings.Contains(out, "2 documents") {
		t.Errorf("empty-trash = %q, want 2 documents deleted", out)
	}
	backup := filepath.Join(dir, "backup.sqlite")
	mustCLI(t, "backup", "--library", lib, "--out", backup)

	files := []struct {
		name string
		data []byte
	}{
		{"the library", read(lib)},
		{"its journal", read(lib + "-wal")},
		{"the backup", read(backup)},
	}
	for _, f := range files {
		for _, sec := range secrets {
			if bytes.Contains(f.data, sec.data) {
				t.Errorf("after empty-trash, %s (%d bytes) holds %s", f.name, len(f.data), sec.name)
			}
		}
	}
	if out := mustCLI(t, "list", "--library", lib, "--search", word); strings.Contains(out, "Biopsy") {
		t.Errorf("list --search %s = %q, want nothing found", word, out)
	}
	if st := stats(t, backup); st.Documents != 1 || st.Trashed != 0 {
		t.Errorf("the backup: %+v, want the one kept document", st)
	}
}

// TestCLIListEscapesControlCharacters: text from the library that holds a
// terminal escape sequence or a direction override is printed escaped, so
// it cannot rewrite the screen or disguise a name.
func TestCLIListEscapesControlCharacters(t *testing.T) {
	newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	tests := []struct {
		name          string
		title, source string
		person        string
		raw, printed  string
	}{
		{"clear-screen escape in a title", "Scan\x1b[2J report", "Clinic", "Mary Example", "\x1b", `Scan\x1b[2J report`},
		{"direction override in a title", "Invoice\u202Efdp.exe", "Clinic", "Mary Example", "\u202e", `Invoice\u202efdp.exe`},
		{"window-title escape in a source", "Letter", "Clinic\x1b]0;owned\x07", "Mary Example", "\x07", `Clinic\x1b]0;owned\x07`},
		{"colour escape in a name", "Note", "Clinic", "Ann\x1b[31m Lee", "\x1b[31m", `Ann\x1b[31m Lee`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, dir, fmt.Sprintf("doc-%d.pdf", i), makePDF(fmt.Sprintf("document %d", i)))
			args := []string{"add", "--library", lib, "--person", tt.person, "--kind", "other", "--title", tt.title, "--source", tt.source, file}
			added := mustCLI(t, args...)
			list := mustCLI(t, "list", "--library", lib)
			for _, out := range []string{added, list} {
				if strings.ContainsAny(out, "\x1b\x07\u202e") {
					t.Errorf("run(%q) printed %q raw, want it escaped", args, tt.raw)
				}
			}
			if !strings.Contains(list, tt.printed) {
				t.Errorf("list = %q, want %q in it", list, tt.printed)
			}
		})
	}
}

// TestCLIDebugDetail: with SECONDOPINION_DEBUG set, a failed command adds
// a "detail:" line with the cause under the sentence, not the sentence
// again; without it, only the sentence.
func TestCLIDebugDetail(t *testing.T) {
	newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	notes := writeFile(t, dir, "notes.txt", []byte("not a library\n"))
	tests := []struct {
		name   string
		args   []string
		detail string
	}{
		{"library in a missing folder", []string{"list", "--library", filepath.Join(dir, "no-such-folder", "library.sqlite")}, "no such file or directory"},
		{"missing file to add", []string{"add", "--library", lib, "--person", "Mary Example", "--kind", "other", filepath.Join(dir, "nofile.pdf")}, "nofile.pdf: no such file or directory"},
		{"a file that is not a library", []string{"list", "--library", notes}, records.ErrForeignFile.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quiet := runMain(t, nil, tt.args...)
			res := runMain(t, []string{"SECONDOPINION_DEBUG=1"}, tt.args...)
			lines := strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n")
			if res.code != 1 || len(lines) != 2 {
				t.Fatalf("%q with SECONDOPINION_DEBUG=1: status %d, stderr %q, want status 1, a sentence and a detail line", tt.args, res.code, res.stderr)
			}
			sentence, detail := lines[0], strings.TrimPrefix(lines[1], "detail: ")
			if sentence != strings.TrimSuffix(quiet.stderr, "\n") || sentenceProblem(sentence) != "" {
				t.Errorf("%q: first line %q, want the sentence printed without debug: %q", tt.args, sentence, quiet.stderr)
			}
			if !strings.HasPrefix(lines[1], "detail: ") || detail == sentence || !strings.Contains(detail, tt.detail) {
				t.Errorf("%q: detail line %q, want \"detail: \" and the cause (%q), not the sentence again", tt.args, lines[1], tt.detail)
			}
		})
	}
}

// TestCLIFilesPrivate: a backup is private to the user (0600) from its
// first byte to its last, even where new files are readable by everyone
// (this test process's umask, unlike main's); a library that others can
// read (0644) is made private at the next command, which says so in one
// line, once.
func TestCLIFilesPrivate(t *testing.T) {
	newUserDirs(t)
	lib, _ := demoLibrary(t)
	dir := t.TempDir()
	mode := func(path string) fs.FileMode {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}

	t.Run("backup", func(t *testing.T) {
		out := filepath.Join(dir, "backup.sqlite")
		// Watch the backup being written (to out + ".partial") until the
		// command returns, noting every mode it has meanwhile.
		partial := out + ".partial"
		modes := map[fs.FileMode]int{}
		done := make(chan struct{})
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			for {
				select {
				case <-done:
					return
				default:
				}
				if st, err := os.Stat(partial); err == nil {
					modes[st.Mode().Perm()]++
				}
				runtime.Gosched()
			}
		}()
		_, err := cli("backup", "--library", lib, "--out", out)
		close(done)
		<-watched
		if err != nil {
			t.Fatalf("backup: %v", err)
		}
		if got := mode(out); got != 0o600 {
			t.Errorf("backup --out %s: mode %v, want -rw-------", out, got)
		}
		for m, n := range modes {
			if m != 0o600 {
				t.Errorf("backup --out %s: while written, seen %d times with mode %v, want -rw------- throughout", out, n, m)
			}
		}
		if len(modes) == 0 {
			t.Logf("the backup was written too quickly to watch")
		}
	})

	t.Run("loose library tightened", func(t *testing.T) {
		if err := os.Chmod(lib, 0o644); err != nil {
			t.Fatal(err)
		}
		res := runMain(t, nil, "list", "--library", lib)
		if res.code != 0 {
			t.Fatalf("list: status %d, stderr %q", res.code, res.stderr)
		}
		if got := mode(lib); got != 0o600 {
			t.Errorf("after list, the library made 0644 has mode %v, want -rw-------", got)
		}
		lines := strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "private") || sentenceProblem(lines[0]) != "" {
			t.Errorf("list on a 0644 library: stderr %q, want one line saying it is now private", res.stderr)
		}
		if !strings.Contains(res.stdout, "Helen Marsh") {
			t.Errorf("list on a 0644 library: stdout %q, want the list as usual", res.stdout)
		}
		if res := runMain(t, nil, "list", "--library", lib); res.code != 0 || res.stderr != "" {
			t.Errorf("list again: status %d, stderr %q, want no notice the second time", res.code, res.stderr)
		}
	})
}

// TestCLIExportDuplex: `export --duplex` starts every document on an odd
// page, the backs left empty saying so; it is refused, with a sentence,
// for the single sheets it does not apply to.
func TestCLIExportDuplex(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext is not installed")
	}
	newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	for i, name := range []string{"first.pdf", "second.pdf", "third.pdf"} {
		mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "clinic-letter", "--title", fmt.Sprintf("Letter %d", i+1),
			"--date", fmt.Sprintf("2026-10-0%d", i+1), writeFile(t, dir, name, makePDF(fmt.Sprintf("letter number %d", i+1))))
	}
	plain, duplex := filepath.Join(dir, "plain.pdf"), filepath.Join(dir, "duplex.pdf")
	mustCLI(t, "export", "--library", lib, "--out", plain)
	mustCLI(t, "export", "--library", lib, "--duplex", "--out", duplex)
	text := func(path string) []string {
		out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", path, err)
		}
		pages := strings.Split(string(out), "\f")
		return pages[:len(pages)-1]
	}
	starts := func(pages []string) []int {
		var st []int
		for i, pg := range pages {
			if strings.Contains(pg, " of 3  ·  Letter ") || strings.Contains(pg, " of 3 · Letter ") {
				st = append(st, i+1)
			}
		}
		return st
	}
	pp, dp := text(plain), text(duplex)
	ps, ds := starts(pp), starts(dp)
	if len(ps) != 3 || ps[1] != ps[0]+1 || ps[2] != ps[1]+1 {
		t.Errorf("plain packet: documents start on pages %v, want three one-page letters one after the other", ps)
	}
	blank := 0
	for _, pg := range dp {
		if strings.Contains(pg, "This page is intentionally left blank") {
			blank++
		}
	}
	if len(ds) != 3 || blank == 0 || len(dp) != len(pp)+blank {
		t.Errorf("duplex packet: %d pages with %d blank, documents on %v; plain %d pages", len(dp), blank, ds, len(pp))
	}
	for _, n := range ds {
		if n%2 != 1 {
			t.Errorf("duplex packet: a document starts on page %d (starts %v), want odd pages only", n, ds)
		}
	}
	out := filepath.Join(dir, "questions.pdf")
	args := []string{"export", "--library", lib, "--questions-only", "--duplex", "--out", out}
	_, err := cli(args...)
	refused(t, args, err)
	if msg := records.Explain(err); !strings.Contains(msg, "--duplex") {
		t.Errorf("run(%q) = %q, want a sentence about --duplex", args, msg)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused export left %s (%v)", out, err)
	}
}

// TestCLICompact: compact rewrites an older library with the new page size
// and keeps its records; with the library open in another command it says
// so and changes nothing.
func TestCLICompact(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "library.sqlite")
	defer func(v int) { records.PageSize = v }(records.PageSize)
	records.PageSize = 4096
	mustCLI(t, "demo", "--library", lib)
	records.PageSize = 65536
	before := mustCLI(t, "list", "--library", lib)

	other, err := records.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.People(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = cli("compact", "--library", lib)
	other.Close()
	if msg := records.Explain(err); err == nil || !strings.Contains(msg, "has the library open") {
		t.Fatalf("compact while open elsewhere = %v, want it to say the library is open elsewhere", err)
	}

	out := mustCLI(t, "compact", "--library", lib)
	if !strings.Contains(out, "in pages of 64 KiB (were 4 KiB)") {
		t.Errorf("compact said %q, want the new page size", out)
	}
	if after := mustCLI(t, "list", "--library", lib); after != before {
		t.Errorf("list after compact:\n%s\nwant as before:\n%s", after, before)
	}
}

// TestCLIExportForEmailWithPassword: --for-email and --password-file make
// a locked packet, print each file with its decimal size and the reminder
// to give the password another way, and never print the password; a
// missing or empty password file is refused before any library is opened.
func TestCLIExportForEmailWithPassword(t *testing.T) {
	newUserDirs(t)
	lib, _ := demoLibrary(t)
	dir := t.TempDir()
	pwFile := writeFile(t, dir, "pw.txt", []byte("tiger lily 7\n"))
	out := filepath.Join(dir, "packet.pdf")
	args := []string{"export", "--library", lib, "--out", out, "--for-email", "--password-file", pwFile}
	got := mustCLI(t, args...)
	if strings.Contains(got, "tiger") {
		t.Errorf("run(%q) printed the password:\n%s", args, got)
	}
	if !regexp.MustCompile(`Saved .*packet\.pdf: \d+ pages, \d+(\.\d)? (KB|MB)`).MatchString(got) || !strings.Contains(got, "by telephone") {
		t.Errorf("run(%q) printed %q; want the file with its size and the password reminder", args, got)
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		show, err := exec.Command("qpdf", "--show-encryption", "--password=tiger lily 7", out).CombinedOutput()
		if err != nil || !bytes.Contains(show, []byte("R = 6")) {
			t.Errorf("qpdf --show-encryption: %v\n%s", err, show)
		}
		if _, err := exec.Command("qpdf", "--check", out).CombinedOutput(); err == nil {
			t.Errorf("qpdf --check opened %s without the password", out)
		}
	}

	fresh := filepath.Join(dir, "new-library.sqlite")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"empty password file", []string{"export", "--library", fresh, "--out", out, "--password-file", writeFile(t, dir, "empty.txt", nil)}, "is empty"},
		{"missing password file", []string{"export", "--library", fresh, "--out", out, "--password-file", filepath.Join(dir, "nope.txt")}, "There is no password file"},
		{"password on the question sheet", []string{"export", "--library", fresh, "--out", out, "--questions-only", "--password-file", pwFile}, "apply to the packet only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cli(tt.args...)
			refused(t, tt.args, err)
			if msg := records.Explain(err); !strings.Contains(msg, tt.want) {
				t.Errorf("run(%q) = %q, want it to say %q", tt.args, msg, tt.want)
			}
			if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("run(%q) created the library %s", tt.args, fresh)
			}
		})
	}
}

// TestPrintSavedParts: a packet split for e-mail is printed one file a
// line with its pages and decimal size, then what is too large.
func TestPrintSavedParts(t *testing.T) {
	res := export.Result{Path: "/x/packet-part1.pdf", Pages: 49, Documents: 5, Bytes: 45_000_000, Notes: []string{"packet-part2.pdf is 21.3 MB, too large for most e-mail."},
		Files: []export.Written{{Path: "/x/packet-part1.pdf", Pages: 27, FirstPage: 1, Bytes: 17_400_000}, {Path: "/x/packet-part2.pdf", Pages: 22, FirstPage: 28, Bytes: 21_300_000, TooLarge: true}}}
	var out bytes.Buffer
	printSaved(&out, res)
	want := "Saved the packet in 2 parts for e-mail (49 pages, 5 documents in all):\n" +
		"  /x/packet-part1.pdf: pages 1 to 27, 17.4 MB\n" +
		"  /x/packet-part2.pdf: pages 28 to 49, 21.3 MB\n" +
		"packet-part2.pdf is 21.3 MB, too large for most e-mail.\n"
	if out.String() != want {
		t.Errorf("printSaved = %q, want %q", out.String(), want)
	}
}

// TestCLIExportEnclosure: export --enclosure writes a folder (or a .zip)
// with the packet, the original file byte for byte and README.txt, and
// says so; with --out as well it is refused before anything is opened.
func TestCLIExportEnclosure(t *testing.T) {
	newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	letter := makePDF("a letter from the clinic")
	mustCLI(t, "add", "--library", lib, "--person", "Mary Example", "--kind", "clinic-letter", "--title", "Clinic letter",
		"--date", "2026-10-01", writeFile(t, dir, "letter.pdf", letter))
	for _, name := range []string{"for-the-clinic", "for-the-clinic.zip"} {
		out := filepath.Join(dir, name)
		said := mustCLI(t, "export", "--library", lib, "--enclosure", out)
		if !strings.Contains(said, "Saved "+out) || !strings.Contains(said, "README.txt") {
			t.Errorf("export --enclosure said %q", said)
		}
		if strings.HasSuffix(name, ".zip") {
			if _, err := exec.LookPath("unzip"); err == nil {
				if b, err := exec.Command("unzip", "-t", out).CombinedOutput(); err != nil {
					t.Errorf("unzip -t %s: %v\n%s", out, err, b)
				}
			}
			continue
		}
		got, err := os.ReadFile(filepath.Join(out, "Documents", "01 Clinic letter, 1 Oct 2026.pdf"))
		if err != nil || !bytes.Equal(got, letter) {
			t.Errorf("the enclosure's letter: %v (same bytes: %v); enclosure holds %v", err, bytes.Equal(got, letter), entries(t, out))
		}
		for _, f := range []string{"README.txt", "index.html", "Second opinion packet.pdf"} {
			if _, err := os.Stat(filepath.Join(out, f)); err != nil {
				t.Errorf("the enclosure lacks %s: %v", f, err)
			}
		}
	}
	args := []string{"export", "--library", lib, "--enclosure", filepath.Join(dir, "x"), "--out", filepath.Join(dir, "x.pdf")}
	_, err := cli(args...)
	refused(t, args, err)
	if _, err := os.Stat(filepath.Join(dir, "x")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused export --enclosure left a folder (%v)", err)
	}
}
