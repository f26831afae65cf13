package export

import (
	"os"
	"path/filepath"
	"testing"
)

// CorpusDir lets the external tests find the corpus too.
var CorpusDir = corpusDir

// corpusDir finds the shared test corpus by walking up from the package
// directory to one that contains shared/corpus, and skips the test when
// there is none (the corpus is not part of the repository).
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		c := filepath.Join(dir, "shared", "corpus")
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/corpus not found above the package directory")
		}
		dir = parent
	}
}
