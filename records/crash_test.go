package records_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"secondopinion/records"
)

// TestHelperProcess is not a test: TestKillMidAdd runs the test binary
// again with SO_CRASH_LIBRARY set, and this function, in that child, adds
// a file and waits to be killed at the moment the parent chose.
func TestHelperProcess(t *testing.T) {
	s := helperStore("SO_CRASH_LIBRARY")
	if s == nil {
		return
	}
	stopAt, _ := strconv.ParseInt(os.Getenv("SO_CRASH_STOP_AT"), 10, 64) // bytes done; -1: after the add
	ctx := context.Background()
	wait := func(msg string) {
		fmt.Println(msg)
		os.Stdin.Read(make([]byte, 1)) // blocks until killed: the parent never writes
		os.Exit(3)
	}
	d := records.Document{PersonID: os.Getenv("SO_CRASH_PERSON"), Title: "Big scan"}
	err := s.AddDocument(ctx, &d, []string{os.Getenv("SO_CRASH_FILE")}, records.AddOptions{Progress: func(done, total int64) {
		if stopAt >= 0 && done >= stopAt {
			wait(fmt.Sprintf("stopped %d %d", done, total))
		}
	}})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	wait("added " + d.ID)
}

// TestKillMidAdd kills a process adding a large file at several moments:
// the library afterwards is sound, and holds the document whole or not at
// all.
func TestKillMidAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	t.Parallel()
	dir := t.TempDir()
	data := makePDF("big scan", 3*records.ChunkSize+12345, 77) // four parts: kept small for -race
	file := writeFile(t, dir, "big-scan.pdf", data)
	tests := []struct {
		name   string
		stopAt int64
		kept   bool
	}{
		{"after the first part", 1, false},
		{"half way", int64(len(data) / 2), false},
		{"after the last part, before saving", int64(len(data)), false},
		{"after the add returned", -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			lib := filepath.Join(t.TempDir(), "library.sqlite")
			s, err := records.Open(ctx, lib)
			if err != nil {
				t.Fatal(err)
			}
			p := addPerson(t, s, "Mary Example")
			addDoc(t, s, p.ID, records.Document{Title: "Letter"}, writeFile(t, t.TempDir(), "letter.pdf", makePDF("letter", 0, 0)))
			before := snapshot(t, s)
			s.Close()

			line := killAtReport(t, "TestHelperProcess", "SO_CRASH_LIBRARY="+lib, "SO_CRASH_FILE="+file,
				"SO_CRASH_PERSON="+p.ID, "SO_CRASH_STOP_AT="+strconv.FormatInt(tt.stopAt, 10))

			s, err = records.Open(ctx, lib)
			if err != nil {
				t.Fatalf("Open after kill (%s) = %v", line, err)
			}
			defer s.Close()
			after := snapshot(t, s)
			if len(after.Problems) != 0 {
				t.Errorf("Check() after kill (%s) = %q, want none", line, after.Problems)
			}
			docs, err := s.Documents(ctx, records.DocumentFilter{Search: "big scan"})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.kept {
				if after.Stats != before.Stats || len(docs) != 0 {
					t.Errorf("after kill (%s): Stats %+v, %d documents found, want the library as before: %+v", line, after.Stats, len(docs), before.Stats)
				}
				return
			}
			want := before.Stats
			want.Documents++
			want.Files++
			want.FileBytes += int64(len(data))
			if after.Stats != want || len(docs) != 1 {
				t.Fatalf("after kill (%s): Stats %+v, %d documents found, want %+v and 1", line, after.Stats, len(docs), want)
			}
			d, err := s.Document(ctx, docs[0].ID)
			if err != nil || len(d.Files) != 1 {
				t.Fatalf("Document() = %+v, %v", d, err)
			}
			if got := readAll(t, s, d.Files[0].ID); !bytes.Equal(got, data) {
				t.Errorf("the kept document's bytes (%d) differ from the file (%d)", len(got), len(data))
			}
		})
	}
}

// TestOpenNewLibraryBeforeFirstCheckpoint: a new library whose process
// died before its journal was first copied into the file (the file's
// header still looks blank) opens with everything that was saved.
func TestOpenNewLibraryBeforeFirstCheckpoint(t *testing.T) {
	ctx := context.Background()
	s, path := newStore(t)
	addPerson(t, s, "Mary Example")
	crashed := filepath.Join(t.TempDir(), "library.sqlite")
	for _, ext := range []string{"", "-wal"} { // copied while open: as if it crashed
		b, err := os.ReadFile(path + ext)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Dir(crashed), filepath.Base(crashed)+ext, b)
	}
	if head, _ := os.ReadFile(crashed); len(head) >= 72 && !bytes.Equal(head[68:72], []byte{0, 0, 0, 0}) {
		t.Skip("the library's header was already written; nothing to test")
	}
	c, err := records.Open(ctx, crashed)
	if err != nil {
		t.Fatalf("Open(new library with unsaved journal) = %v", err)
	}
	defer c.Close()
	if st, err := c.Stats(ctx); err != nil || st.People != 1 {
		t.Errorf("Stats() = %+v, %v, want the 1 person saved before the crash", st, err)
	}
}
