package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"secondopinion/records/dicom/dicomtest"
)

// TestCLIImportCD: import-cd in a child process (with the sandbox, as the
// program runs): the several-patients and different-patient sentences say
// which option to use and add nothing; the disc is then added with a
// summary and progress on standard error.
func TestCLIImportCD(t *testing.T) {
	newUserDirs(t)
	corpus, err := filepath.Abs("../shared/corpus/dicom/dicomdir-pcir")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(corpus); err != nil {
		t.Skip("the shared test corpus is not on this machine")
	}
	lib := filepath.Join(t.TempDir(), "library.sqlite")
	mustCLI(t, "add", "--library", lib, "--person", "Archibald Doe", "--kind", "other", writeFile(t, t.TempDir(), "letter.pdf", makePDF("letter")))
	before := stats(t, lib)

	o := runMain(t, nil, "import-cd", "--library", lib, "--person", "Archibald Doe", corpus)
	if o.code != 1 || !strings.Contains(o.stderr, "This disc holds images of 2 patients. Nothing was added. Run the command again with --patient KEY for the one to add: --patient 77654033 (Doe, Archibald, 7 images); --patient 98890234 (Doe, Peter, 24 images).") {
		t.Errorf("import-cd (2 patients) = %d %q", o.code, o.stderr)
	}
	o = runMain(t, nil, "import-cd", "--library", lib, "--person", "Archibald Doe", "--patient", "98890234", corpus)
	if o.code != 1 || !strings.Contains(o.stderr, "This disc is for Doe, Peter; you are adding it for Archibald Doe. Nothing was added. If the disc is theirs all the same (a name spelled differently, a changed name), run the command again with --different-patient-ok.") {
		t.Errorf("import-cd (Peter's) = %d %q", o.code, o.stderr)
	}
	if after := stats(t, lib); after != before {
		t.Errorf("library after refusals = %+v, want %+v", after, before)
	}
	o = runMain(t, nil, "import-cd", "--library", lib, "--person", "Archibald Doe", "--patient", "77654033", corpus)
	if o.code != 0 || o.stdout != "Added 2 studies, 4 series, 7 images for Archibald Doe.\n" || !strings.Contains(o.stderr, "(100%)") {
		t.Errorf("import-cd (Archibald's) = %d %q %q", o.code, o.stdout, o.stderr)
	}
	if after := stats(t, lib); after.Documents != before.Documents+2 || after.Files != before.Files+7 {
		t.Errorf("library after import = %+v", after)
	}
	// A study's document is listed with its images, not as pages.
	if list := mustCLI(t, "list", "--library", lib, "--person", "Archibald Doe"); !regexp.MustCompile(`Imaging \(pictures or DICOM\).*\d+ images?\n`).MatchString(list) {
		t.Errorf("list after import-cd = %q, want each study's images counted", list)
	}

	// A disc for a person not in the library, and no disc named.
	for _, args := range [][]string{
		{"import-cd", "--library", lib, "--person", "Nobody Here", corpus},
		{"import-cd", "--library", lib, "--person", "Archibald Doe"},
		{"import-cd", "--library", lib, corpus},
	} {
		_, err := cli(args...)
		refused(t, args, err)
	}

	// A disc with one file left out says so.
	dir := t.TempDir()
	im := dicomtest.CT(8, 8, 1, 1)
	im.PatientName = "DOE^ARCHIBALD"
	os.WriteFile(filepath.Join(dir, "IM1"), im.Bytes(), 0o600)
	bad := dicomtest.CT(8, 8, 2, 2)
	bad.Syntax = "1.2.3.999"
	os.WriteFile(filepath.Join(dir, "IM2"), bad.Bytes(), 0o600)
	out := mustCLI(t, "import-cd", "--library", lib, "--person", "Archibald Doe", "--different-patient-ok", dir)
	if !strings.Contains(out, "Added 1 study, 1 series, 1 image for Archibald Doe.\nLeft out: IM2: Its images are stored with a compression DICOM does not define (1.2.3.999), so it cannot be read.\n") {
		t.Errorf("import-cd with a bad file = %q", out)
	}

	// A disc of one structured report: a report, no study; again, it is
	// already there.
	if sr, err := os.ReadFile("../shared/corpus/dicom/pydicom-test-SR.dcm"); err == nil {
		srDir := t.TempDir()
		os.WriteFile(filepath.Join(srDir, "SR1"), sr, 0o600)
		out = mustCLI(t, "import-cd", "--library", lib, "--person", "Archibald Doe", "--different-patient-ok", srDir)
		if out != "Added 1 report for Archibald Doe.\n" {
			t.Errorf("import-cd (a report only) = %q, want Added 1 report", out)
		}
		o = runMain(t, nil, "import-cd", "--library", lib, "--person", "Archibald Doe", "--different-patient-ok", srDir)
		if o.code != 1 || !strings.Contains(o.stderr, "Everything on this disc is already in the library for this person. Nothing was added.") {
			t.Errorf("import-cd (the report again) = %d %q", o.code, o.stderr)
		}
	}
}

// TestCLIImportCDReading: import-cd tells on standard error how far
// reading a disc of a few hundred files is, counting up to all of them,
// before it tells how far storing is.
func TestCLIImportCDReading(t *testing.T) {
	newUserDirs(t)
	lib := filepath.Join(t.TempDir(), "library.sqlite")
	mustCLI(t, "add", "--library", lib, "--person", "Helen Marsh", "--kind", "other", writeFile(t, t.TempDir(), "letter.pdf", makePDF("letter")))
	dir := filepath.Join(t.TempDir(), "DICOM")
	os.MkdirAll(dir, 0o700)
	for i := 1; i <= 250; i++ {
		im := dicomtest.CT(8, 8, i, i)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("IM%04d", i)), im.Bytes(), 0o600)
	}
	o := runMain(t, nil, "import-cd", "--library", lib, "--person", "Helen Marsh", filepath.Dir(dir))
	if o.code != 0 || o.stdout != "Added 1 study, 1 series, 250 images for Helen Marsh.\n" {
		t.Fatalf("import-cd = %d %q %q", o.code, o.stdout, o.stderr)
	}
	var read []int
	storing := -1
	for i, line := range strings.Split(o.stderr, "\n") {
		var done int
		if _, err := fmt.Sscanf(line, "Reading the disc: %d of 250 files", &done); err == nil {
			if storing >= 0 {
				t.Errorf("import-cd printed %q after storing began", line)
			}
			read = append(read, done)
		}
		if strings.HasPrefix(line, "Storing ") && storing < 0 {
			storing = i
		}
	}
	if len(read) < 3 || read[0] != 0 || read[len(read)-1] != 250 || !slices.IsSorted(read) || storing < 0 {
		t.Errorf("import-cd reading lines counted %v, storing from line %d; want 0 up to 250, then storing:\n%s", read, storing, o.stderr)
	}
	if len(read) > 12 {
		t.Errorf("import-cd printed %d reading lines, want one each tenth:\n%s", len(read), o.stderr)
	}
}
