package records_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"secondopinion/records"
)

// TestHelperImportDisc is not a test: TestKillMidImport runs the test
// binary again with SO_DISC_LIBRARY set, and this function, in that child,
// imports a disc and waits to be killed half way through storing it, or
// after the import returned.
func TestHelperImportDisc(t *testing.T) {
	s := helperStore("SO_DISC_LIBRARY")
	if s == nil {
		return
	}
	half := os.Getenv("SO_DISC_HALF") == "1"
	wait := func(msg string) {
		fmt.Println(msg)
		os.Stdin.Read(make([]byte, 1)) // blocks until killed
		os.Exit(3)
	}
	rep, err := s.ImportDisc(context.Background(), os.Getenv("SO_DISC_PERSON"), os.Getenv("SO_DISC_PATH"), records.ImportDiscOptions{
		Progress: func(done, total int64) {
			if half && done >= total/2 {
				wait("stopped")
			}
		}})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	wait(fmt.Sprintf("added %d", rep.Images))
}

// TestKillMidImport kills a process importing a disc half way through
// storing its files, and after it returned: the library afterwards is
// sound and holds the disc whole or not at all.
func TestKillMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	disc := ctDisc(t, 12, 128)
	for _, half := range []bool{true, false} {
		t.Run(fmt.Sprintf("half=%v", half), func(t *testing.T) {
			ctx := context.Background()
			lib := filepath.Join(t.TempDir(), "library.sqlite")
			s, err := records.Open(ctx, lib)
			if err != nil {
				t.Fatal(err)
			}
			p := addPerson(t, s, "Helen Marsh")
			before, rows := snapshot(t, s), imagingRows(t, lib)
			s.Close()
			env := []string{"SO_DISC_LIBRARY=" + lib, "SO_DISC_PATH=" + disc, "SO_DISC_PERSON=" + p.ID}
			if half {
				env = append(env, "SO_DISC_HALF=1")
			}
			line := killAtReport(t, "TestHelperImportDisc", env...)
			s, err = records.Open(ctx, lib)
			if err != nil {
				t.Fatalf("Open after kill (%s) = %v", line, err)
			}
			defer s.Close()
			after := snapshot(t, s)
			if len(after.Problems) != 0 {
				t.Errorf("Check() after kill (%s) = %q", line, after.Problems)
			}
			studies, _ := s.Studies(ctx, p.ID)
			if half {
				if after.Stats != before.Stats || imagingRows(t, lib) != rows || len(studies) != 0 {
					t.Errorf("after a kill half way: %+v, rows %s; want the library as before (%+v, %s)", after.Stats, imagingRows(t, lib), before.Stats, rows)
				}
				return
			}
			if line != "added 12" || len(studies) != 1 || studies[0].Images() != 12 || after.Stats.Files != before.Stats.Files+12 {
				t.Errorf("after the import returned (%s): %d studies, %+v", line, len(studies), after.Stats)
			}
		})
	}
}
