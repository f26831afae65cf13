package records_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"secondopinion/records"
)

// newStore opens a fresh library in a temporary folder; it is closed when
// the test ends.
func newStore(t testing.TB) (*records.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "library.sqlite")
	s, err := records.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// helperStore opens, in a child started by startHelper, the library named
// by the environment variable env. In an ordinary test run, where env is
// not set, it returns nil; when the library cannot be opened the child
// says so on standard output and exits.
func helperStore(env string) *records.Store {
	lib := os.Getenv(env)
	if lib == "" {
		return nil
	}
	s, err := records.Open(context.Background(), lib)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	return s
}

// startHelper runs the test binary again, running only the helper test
// named, with env added to its environment. It returns the child's
// standard output to read line by line and its standard error for
// messages. The child's standard input stays open until the test ends, so
// a child reading it blocks until it is killed.
func startHelper(t *testing.T, helper string, env ...string) (*exec.Cmd, *bufio.Scanner, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$")
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close() })
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out), &stderr
}

// killAtReport runs a helper test as startHelper does, waits for its
// first report ("stopped ...", "added ..."), kills it there (SIGKILL)
// (a crash at that moment) and returns the report; a helper that reports
// an error or nothing fails the test.
func killAtReport(t *testing.T, helper string, env ...string) string {
	t.Helper()
	cmd, sc, stderr := startHelper(t, helper, env...)
	line := ""
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "stopped") || strings.HasPrefix(l, "added") || strings.HasPrefix(l, "error") {
			line = l
			break
		}
	}
	cmd.Process.Kill() // SIGKILL on Unix
	cmd.Wait()
	if line == "" || strings.HasPrefix(line, "error") {
		t.Fatalf("child: %q, stderr %s", line, stderr.String())
	}
	return line
}

// addPerson saves a person with the given name.
func addPerson(t testing.TB, s *records.Store, name string) records.Person {
	t.Helper()
	p := records.Person{FullName: name}
	if err := s.SavePerson(context.Background(), &p); err != nil {
		t.Fatalf("SavePerson(%q) = %v", name, err)
	}
	return p
}

// addDoc catalogues files as one document for person (adding a file
// already in the library again where a test does so on purpose).
func addDoc(t testing.TB, s *records.Store, personID string, d records.Document, paths ...string) records.Document {
	t.Helper()
	d.PersonID = personID
	if err := s.AddDocument(context.Background(), &d, paths, records.AddOptions{Again: true}); err != nil {
		t.Fatalf("AddDocument(%v) = %v", paths, err)
	}
	return d
}

// corpusFile returns the path of a file in the shared test corpus
// (../shared/corpus, found by walking up from the package folder), or
// skips the test when the corpus is not on this machine.
func corpusFile(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		c := filepath.Join(dir, "shared", "corpus")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			p := filepath.Join(c, rel)
			if _, err := os.Stat(p); err != nil {
				t.Skipf("corpus file %s is missing", rel)
			}
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("the shared test corpus (shared/corpus) is not on this machine")
		}
		dir = parent
	}
}

// state is what a user could notice about a library: its counts and the
// result of its consistency check.
type state struct {
	Stats    records.Stats
	Problems []string
}

func snapshot(t testing.TB, s *records.Store) state {
	t.Helper()
	ctx := context.Background()
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	probs, err := s.Check(ctx)
	if err != nil {
		t.Fatalf("Check() = %v", err)
	}
	return state{st, probs}
}

// assertUnchanged fails when the library differs from before, or is not
// sound.
func assertUnchanged(t testing.TB, s *records.Store, before state) {
	t.Helper()
	after := snapshot(t, s)
	if !reflect.DeepEqual(after.Stats, before.Stats) {
		t.Errorf("Stats() after = %+v, want unchanged %+v", after.Stats, before.Stats)
	}
	if len(after.Problems) != 0 {
		t.Errorf("Check() after = %q, want no problems", after.Problems)
	}
}

// pdfEscape escapes text for a PDF literal string.
func pdfEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return r.Replace(s)
}

// makePDF returns a valid one-page PDF whose text layer reads text, padded
// with an unreferenced stream of pad pseudo-random bytes (seeded), so large
// PDFs are cheap to make and to inspect.
func makePDF(text string, pad int, seed uint64) []byte {
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
	if pad > 0 {
		data := make([]byte, pad)
		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		for i := 0; i+8 <= len(data); i += 8 {
			v := rng.Uint64()
			for j := 0; j < 8; j++ {
				data[i+j] = byte(v >> (8 * j))
			}
		}
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d >>\nstream\n", len(offs), pad)
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// makeJPEG encodes a w×h noisy picture; seed varies the pixels.
func makeJPEG(w, h int, seed uint64, quality int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 7))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := rng.Uint32()
			img.Set(x, y, color.RGBA{byte(x + int(v&63)), byte(y + int(v>>8&63)), byte(v >> 16), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// withComment returns a copy of the JPEG j with a COM segment holding text
// right after its SOI marker: distinct bytes, the same picture.
func withComment(j []byte, text string) []byte {
	out := make([]byte, 0, len(j)+len(text)+4*(len(text)/65533+1))
	out = append(out, j[:2]...)
	// A segment holds at most 65533 bytes: split a long comment.
	for len(text) > 0 {
		part := text[:min(len(text), 65533)]
		text = text[len(part):]
		n := len(part) + 2
		out = append(out, 0xFF, 0xFE, byte(n>>8), byte(n))
		out = append(out, part...)
	}
	return append(out, j[2:]...)
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
