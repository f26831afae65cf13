package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secondopinion/records"
)

// TestCLIAddLockedPDF: add --password-file opens a PDF locked with a user
// password; without it, or with the wrong one, the add is refused with a
// sentence and nothing is added.
func TestCLIAddLockedPDF(t *testing.T) {
	locked := filepath.Join("..", "shared", "corpus", "pdf", "enc-rc4-128-r3-userpw-openpassword.pdf")
	if _, err := os.Stat(locked); err != nil {
		t.Skip("the shared test corpus (../shared/corpus) is not on this machine")
	}
	newUserDirs(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	statement := writeFile(t, dir, "statement.pdf", mustRead(t, locked))
	wrong := writeFile(t, dir, "wrong.txt", []byte("01021950\n"))
	right := writeFile(t, dir, "right.txt", []byte("openpassword\n"))
	args := []string{"add", "--library", lib, "--person", "Mary Example", "--kind", "results", statement}

	_, err := cli(args...)
	if msg := records.Explain(err); !strings.Contains(msg, "statement.pdf is locked with a password") || !strings.Contains(msg, "--password-file") {
		t.Errorf("add without a password = %q", msg)
	}
	_, err = cli(append(args, "--password-file", wrong)...)
	if msg := records.Explain(err); msg != "That password did not open statement.pdf. Portals often use the date of birth, e.g. 01021950." {
		t.Errorf("add with the wrong password = %q", msg)
	}
	if st := stats(t, lib); st.Documents != 0 || st.Files != 0 {
		t.Errorf("after the refused adds: %d documents, %d files, want none", st.Documents, st.Files)
	}
	out := mustCLI(t, append(args, "--password-file", right)...)
	if !strings.HasPrefix(out, "Added ") || !strings.Contains(out, "statement.pdf is kept as it came, locked, with an unlocked copy") || strings.Contains(out, "openpassword") {
		t.Errorf("add with the password printed %q", out)
	}
	if st := stats(t, lib); st.Documents != 1 || st.Files != 2 {
		t.Errorf("after the add: %d documents, %d files, want 1 document with its original and unlocked copy", st.Documents, st.Files)
	}
	if out := mustCLI(t, "list", "--library", lib, "--search", "gubergren"); !strings.Contains(out, "statement") {
		t.Errorf("list --search on the unlocked text = %q, want the statement", out)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
