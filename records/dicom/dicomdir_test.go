package dicom

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// corpus returns a path in the shared test corpus, or skips the test.
func corpus(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		c := filepath.Join(dir, "shared", "corpus", rel)
		if _, err := os.Stat(c); err == nil {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("corpus file %s is not on this machine", rel)
		}
		dir = parent
	}
}

// enclosure copies a disc's files into dir as an enclosure lays them out
// (DICOM\P0000001\S0000001\I0000001) and returns the DICOMDIR's records.
func enclosure(t *testing.T, d *Disc, src Source, dir string) []DirPatient {
	t.Helper()
	var out []DirPatient
	for pi, p := range d.Patients() {
		dp := DirPatient{Name: p.Name, ID: p.ID, Birth: p.Birth}
		for si, st := range p.Studies {
			ds := DirStudy{UID: st.UID, Date: st.Date, Time: st.Time, Description: st.Description, ID: st.ID, Accession: st.Accession}
			for ri, se := range st.Series {
				dse := DirSeries{UID: se.UID, Modality: se.Modality, Number: se.Number}
				for ii, f := range se.Files {
					id := fmt.Sprintf(`DICOM\P%07d\S%07d\R%07d\I%07d`, pi+1, si+1, ri+1, ii+1)
					rc, _, err := src.Open(f.Name)
					if err != nil {
						t.Fatal(err)
					}
					var b bytes.Buffer
					b.ReadFrom(rc)
					rc.Close()
					path := filepath.Join(dir, filepath.FromSlash(strings.ReplaceAll(id, `\`, "/")))
					os.MkdirAll(filepath.Dir(path), 0o755)
					if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					dse.Images = append(dse.Images, DirImage{FileID: id, SOPClassUID: f.SOPClassUID, SOPInstanceUID: f.SOPInstanceUID, TransferSyntax: f.TransferSyntax, Number: f.InstanceNumber})
				}
				ds.Series = append(ds.Series, dse)
			}
			dp.Studies = append(dp.Studies, ds)
		}
		out = append(out, dp)
	}
	return out
}

func TestWriteDICOMDIR(t *testing.T) {
	ctx := context.Background()
	src, err := Open(corpus(t, "dicom/dicomdir-pcir"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	d, err := ReadSource(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	recs := enclosure(t, d, src, dir)
	var b bytes.Buffer
	if err := WriteDICOMDIR(&b, recs); err != nil {
		t.Fatalf("WriteDICOMDIR = %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "DICOMDIR"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// Read back by our own reader: every file found through the index.
	back, err := Read(ctx, dir)
	if err != nil {
		t.Fatalf("Read(enclosure) = %v", err)
	}
	if !back.DICOMDIR || len(back.Files) != 31 || back.Missing != 0 {
		t.Errorf("Read(enclosure) = DICOMDIR %v, %d files, %d missing; want through DICOMDIR, 31, 0", back.DICOMDIR, len(back.Files), back.Missing)
	}
	if got, want := summary(back), summary(d); got != want {
		t.Errorf("enclosure groups as\n%s\nwant\n%s", got, want)
	}

	// And by dcmtk, when installed: a valid DICOM file of the Media
	// Storage Directory class, whose records dcmdump walks.
	if _, err := exec.LookPath("dcmftest"); err == nil {
		out, err := exec.Command("dcmftest", filepath.Join(dir, "DICOMDIR")).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "yes:") {
			t.Errorf("dcmftest DICOMDIR = %s %v, want yes", out, err)
		}
	}
	if _, err := exec.LookPath("dcmdump"); err == nil {
		out, err := exec.Command("dcmdump", "-M", filepath.Join(dir, "DICOMDIR")).CombinedOutput()
		if err != nil || strings.Contains(string(out), "E: ") || strings.Contains(string(out), "W: ") {
			t.Errorf("dcmdump DICOMDIR = %v:\n%.2000s", err, out)
		}
		text := string(out)
		for _, want := range []string{"=MediaStorageDirectoryStorage", `[DICOM\P0000001\S0000001\R0000001\I0000001]`, "Doe^Archibald", "[PATIENT]", "[IMAGE]"} {
			if !strings.Contains(text, want) {
				t.Errorf("dcmdump DICOMDIR lacks %q", want)
			}
		}
		if n := strings.Count(text, "ReferencedFileID"); n != 31 {
			t.Errorf("dcmdump DICOMDIR lists %d files, want 31", n)
		}
	}
	// dcmtk, asked to add the same files to our DICOMDIR, reads it and
	// finds every one already listed.
	if _, err := exec.LookPath("dcmmkdir"); err == nil {
		cmd := exec.Command("dcmmkdir", "--append", "+r", "--output-file", "DICOMDIR", "DICOM")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "E: ") || strings.Count(string(out), "directory record for this SOP instance already exists") != 31 {
			t.Errorf("dcmmkdir --append on our DICOMDIR = %v:\n%.2000s", err, out)
		}
	}
}

// summary describes a disc's grouping: patients, studies, series, files.
func summary(d *Disc) string {
	var b strings.Builder
	for _, p := range d.Patients() {
		fmt.Fprintf(&b, "%s %s:", p.ID, p.Name)
		for _, st := range p.Studies {
			fmt.Fprintf(&b, " [%s", st.Date)
			for _, se := range st.Series {
				fmt.Fprintf(&b, " %d:%d", se.Number, len(se.Files))
			}
			b.WriteString("]")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestFileIDComponents(t *testing.T) {
	for _, tt := range []struct {
		id string
		ok bool
	}{
		{`DICOM\P0000001\S0000001\I0000001`, true},
		{"DICOM/P1/S1/I1", true},
		{`DICOM\lower`, false},
		{`DICOM\TOOLONGNAME`, false},
		{`DICOM\..\X`, false},
		{``, false},
	} {
		_, err := FileIDComponents(tt.id)
		if (err == nil) != tt.ok {
			t.Errorf("FileIDComponents(%q) = %v, want ok %v", tt.id, err, tt.ok)
		}
	}
}
