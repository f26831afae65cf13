package records_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secondopinion/records"
)

// TestAddCorpus adds every real-world PDF, picture and DICOM file of the
// shared corpus: each is either kept byte for byte, or refused with a
// sentence naming it, leaving the library as it was.
func TestAddCorpus(t *testing.T) {
	t.Parallel() // the slowest test under -race: overlap it with the others
	ctx := context.Background()
	root := filepath.Dir(filepath.Dir(corpusFile(t, "pdf/pdf20-simple.pdf")))
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	var paths []string
	for _, sub := range []string{"pdf", "images", "dicom"} {
		filepath.WalkDir(filepath.Join(root, sub), func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() || strings.HasSuffix(d.Name(), ".txt") || strings.HasSuffix(d.Name(), ".md") {
				return nil
			}
			if info, err := d.Info(); err == nil && testing.Short() && info.Size() > 1<<20 {
				return nil // -short: leave out the few large files
			}
			paths = append(paths, path)
			return nil
		})
	}
	if len(paths) < 50 {
		t.Fatalf("found %d corpus files, want the whole corpus", len(paths))
	}
	kept, refused := 0, 0
	for _, path := range paths {
		rel, _ := filepath.Rel(root, path)
		name := filepath.Base(path)
		before, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d := records.Document{PersonID: p.ID}
		err = s.AddDocument(ctx, &d, []string{path}, records.AddOptions{})
		if err != nil {
			refused++
			var pr *records.Problem
			if !errors.As(err, &pr) || !strings.Contains(pr.Msg, name) {
				t.Errorf("AddDocument(%s) = %v, want a sentence naming the file", rel, err)
			}
			if after, _ := s.Stats(ctx); after != before {
				t.Errorf("AddDocument(%s) refused but changed the library: %+v, want %+v", rel, after, before)
			}
			t.Logf("refused %s: %s", rel, records.Explain(err))
			continue
		}
		kept++
		want, _ := os.ReadFile(path)
		if len(d.Files) != 1 || d.Files[0].MediaType == "" || d.Pages < 1 {
			t.Errorf("AddDocument(%s).Files = %+v, want one file with a media type and pages", rel, d.Files)
			continue
		}
		if got := readAll(t, s, d.Files[0].ID); !bytes.Equal(got, want) {
			t.Errorf("stored bytes of %s differ from the file (%d vs %d bytes)", rel, len(got), len(want))
		}
	}
	t.Logf("%d corpus files kept, %d refused", kept, refused)
	if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
		t.Errorf("Check() = %q, %v, want no problems", probs, err)
	}
}
