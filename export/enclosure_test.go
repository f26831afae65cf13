package export_test

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"secondopinion/export"
	"secondopinion/records"
)

// enclosureLibrary is a person with a PDF letter, a photo and (when with
// a disc) the imaging disc of the corpus, all in a case's packet.
type enclosureLibrary struct {
	s      *records.Store
	person records.Person
	kase   records.Case
	docs   []records.Document
	disc   records.DiscReport
	// sha256 of every stored file by file ID, from the library.
	sums map[string]string
}

func newEnclosureLibrary(t testing.TB, disc bool) *enclosureLibrary {
	t.Helper()
	ctx := context.Background()
	corpus := corpusDir(t)
	s, _ := newStore(t)
	lib := &enclosureLibrary{s: s, sums: map[string]string{}}
	lib.person = records.Person{FullName: "Helen Marsh", DateOfBirth: records.MustDate("1950-02-01")}
	if err := s.SavePerson(ctx, &lib.person); err != nil {
		t.Fatal(err)
	}
	lib.kase = records.Case{PersonID: lib.person.ID, Title: "Chest, 2026", Packet: records.PacketSettings{Paper: records.PaperA4}}
	if err := s.SaveCase(ctx, &lib.kase); err != nil {
		t.Fatal(err)
	}
	addDoc(t, s, lib.person.ID, records.Document{Kind: records.KindClinicLetter, Title: "Letter: from the clinic?", Date: records.MustDate("2026-01-10"), Source: "St Elsewhere"},
		filepath.Join(corpus, "pdf", "pdf20-simple.pdf"))
	addDoc(t, s, lib.person.ID, records.Document{Kind: records.KindOther, Title: "Photos of the scar", Date: records.MustDate("2026-01-12")},
		filepath.Join(corpus, "images", "exif-nikon-d2h-gps.jpg"), filepath.Join(corpus, "images", "go-grayscale.jpeg"))
	if disc {
		lib.disc = importCorpusDisc(t, s, lib.person.ID)
	}
	all, err := s.Documents(ctx, records.DocumentFilter{PersonID: lib.person.ID})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range all {
		full, err := s.Document(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		lib.docs = append(lib.docs, full)
		ids = append(ids, d.ID)
		for _, f := range full.Files {
			lib.sums[f.ID] = f.SHA256
		}
	}
	if err := s.SetPacketDocuments(ctx, lib.kase.ID, ids); err != nil {
		t.Fatal(err)
	}
	return lib
}

// importCorpusDisc adds the corpus's imaging CD tree (several patients:
// the first is chosen, whoever the person is).
func importCorpusDisc(t testing.TB, s *records.Store, personID string) records.DiscReport {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(corpusDir(t), "dicom", "dicomdir-pcir")
	opt := records.ImportDiscOptions{DifferentPatientOK: true}
	rep, err := s.ImportDisc(ctx, personID, dir, opt)
	var several *records.SeveralPatientsError
	if errors.As(err, &several) {
		opt.Patient = several.Patients[0].Key
		rep, err = s.ImportDisc(ctx, personID, dir, opt)
	}
	if err != nil {
		t.Fatalf("ImportDisc(%s) = %v", dir, err)
	}
	return rep
}

func (lib *enclosureLibrary) opt() export.Options {
	return export.Options{PersonID: lib.person.ID, CaseID: lib.kase.ID, Now: fixedNow}
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// checkEnclosure checks a written enclosure folder: every original and
// DICOM file byte for byte as stored, README.txt naming each file, the
// packet there and saying the images are enclosed, and (with studies) a
// DICOMDIR dcmdump reads whose every referenced file exists.
func checkEnclosure(t *testing.T, lib *enclosureLibrary, dir string, res export.EnclosureResult) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(dir, "README.txt"))
	if err != nil {
		t.Fatalf("README.txt: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Errorf("index.html: %v", err)
	}
	var written []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			written = append(written, filepath.ToSlash(rel))
		}
		return nil
	})
	if len(written) != len(res.Files) {
		t.Errorf("%d files in the enclosure, result lists %d", len(written), len(res.Files))
	}
	// Which stored file each enclosure file should be: the originals by
	// their content (each is in the library once), checked both ways.
	stored := map[string]bool{}
	for _, sum := range lib.sums {
		stored[sum] = true
	}
	found := map[string]bool{}
	for _, name := range written {
		switch {
		case name == "README.txt" || name == "index.html" || name == "DICOMDIR" || name == export.PacketName:
			continue
		case strings.HasPrefix(name, "DICOM/"):
			if !regexp.MustCompile(`^DICOM(/[A-Z0-9_]{1,8})+$`).MatchString(name) {
				t.Errorf("%s is not an ISO 9660-safe DICOM path", name)
			}
		case !strings.HasPrefix(name, "Documents/"):
			t.Errorf("unexpected file %s", name)
		}
		sum := fileSum(t, filepath.Join(dir, filepath.FromSlash(name)))
		if !stored[sum] {
			t.Errorf("%s is not byte for byte any file of the library", name)
		}
		found[sum] = true
		// DICOM files are named by their series' folder.
		if named := strings.TrimSuffix(name, "/"+path.Base(name)); strings.HasPrefix(name, "DICOM/") && !strings.Contains(string(readme), named+":") {
			t.Errorf("README.txt does not name the folder of %s", name)
		} else if !strings.HasPrefix(name, "DICOM/") && !strings.Contains(string(readme), name) {
			t.Errorf("README.txt does not name %s", name)
		}
	}
	for id, sum := range lib.sums {
		if !found[sum] {
			t.Errorf("stored file %s (sha256 %s) is not in the enclosure", id, sum[:12])
		}
	}
	for _, want := range []string{export.PacketName, "WHAT IS WHERE", "Documents/"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.txt lacks %q:\n%s", want, readme)
		}
	}
	packet := filepath.Join(dir, export.PacketName)
	qpdfCheck(t, packet)
	if res.Studies == 0 {
		return
	}
	text := strings.Join(strings.Fields(pdfText(t, packet, 0, 0)), " ")
	if !strings.Contains(text, "in the DICOM folder that comes with this packet") {
		t.Errorf("the packet in an enclosure does not say the images are enclosed")
	}
	for _, want := range []string{"DICOMDIR", "DICOM/P0000001/S0000001", "IMAGING STUDIES"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.txt lacks %q", want)
		}
	}
	out, err := exec.Command("dcmdump", "+P", "0004,1500", filepath.Join(dir, "DICOMDIR")).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump DICOMDIR: %v\n%s", err, out)
	}
	refs := regexp.MustCompile(`\[([^\]]+)\]`).FindAllStringSubmatch(string(out), -1)
	if len(refs) != res.DICOMFiles {
		t.Errorf("DICOMDIR references %d files, the enclosure holds %d DICOM files\n%s", len(refs), res.DICOMFiles, out)
	}
	for _, m := range refs {
		ref := filepath.Join(dir, filepath.FromSlash(strings.ReplaceAll(m[1], `\`, "/")))
		if _, err := os.Stat(ref); err != nil {
			t.Errorf("DICOMDIR references %s: %v", m[1], err)
		}
	}
}

// TestEnclosure writes the packet with its originals as a folder and as
// a zip, for a library with and without an imaging disc.
func TestEnclosure(t *testing.T) {
	needTools(t, "qpdf", "pdftotext", "unzip", "dcmdump")
	for _, disc := range []bool{false, true} {
		name := "documents"
		if disc {
			name = "with disc"
		}
		t.Run(name, func(t *testing.T) {
			lib := newEnclosureLibrary(t, disc)
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "For Prof Rossi")
			res, err := export.WriteEnclosure(ctx, lib.s, dir, lib.opt())
			if err != nil {
				t.Fatalf("WriteEnclosure(folder) = %v", err)
			}
			if disc && (res.Studies == 0 || res.DICOMFiles != lib.disc.Images) {
				t.Errorf("WriteEnclosure wrote %d studies, %d DICOM files; the disc added %d images", res.Studies, res.DICOMFiles, lib.disc.Images)
			}
			if res.Originals != 3 {
				t.Errorf("WriteEnclosure wrote %d originals, want 3 (a PDF and two photos)", res.Originals)
			}
			checkEnclosure(t, lib, dir, res)

			zipPath := filepath.Join(t.TempDir(), "packet.zip")
			zres, err := export.WriteEnclosure(ctx, lib.s, zipPath, lib.opt())
			if err != nil {
				t.Fatalf("WriteEnclosure(zip) = %v", err)
			}
			if out, err := exec.Command("unzip", "-t", zipPath).CombinedOutput(); err != nil {
				t.Fatalf("unzip -t: %v\n%s", err, out)
			}
			zr, err := zip.OpenReader(zipPath)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			for _, f := range zr.File {
				text := strings.HasSuffix(f.Name, ".txt") || strings.HasSuffix(f.Name, ".html")
				if !text && f.Method != zip.Store {
					t.Errorf("%s is compressed in the zip (method %d), want stored", f.Name, f.Method)
				}
			}
			unzipped := t.TempDir()
			if out, err := exec.Command("unzip", "-q", zipPath, "-d", unzipped).CombinedOutput(); err != nil {
				t.Fatalf("unzip: %v\n%s", err, out)
			}
			checkEnclosure(t, lib, unzipped, zres)
		})
	}
}

// TestEnclosureNothingHalfWritten: a cancelled enclosure leaves no folder,
// no zip and no temporary files; a folder that is not empty is refused
// and left as it was.
func TestEnclosureNothingHalfWritten(t *testing.T) {
	lib := newEnclosureLibrary(t, false)
	for _, name := range []string{"enclosure", "enclosure.zip"} {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, name)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opt := lib.opt()
			calls := 0
			opt.Progress = func(done, total int) {
				// Cancelled once the packet is written and files are
				// being copied.
				if calls++; done > total-3 {
					cancel()
				}
			}
			_, err := export.WriteEnclosure(ctx, lib.s, out, opt)
			if err == nil || !strings.Contains(records.Explain(err), "stopped") {
				t.Fatalf("WriteEnclosure cancelled = %v, want the stopped sentence", err)
			}
			if left, _ := os.ReadDir(parent); len(left) != 0 {
				t.Errorf("a cancelled enclosure left %v", left)
			}
		})
	}
	t.Run("folder not empty", func(t *testing.T) {
		dir := t.TempDir()
		mine := filepath.Join(dir, "letter.txt")
		if err := os.WriteFile(mine, []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := export.WriteEnclosure(context.Background(), lib.s, dir, lib.opt())
		if err == nil || !strings.Contains(records.Explain(err), "is not empty") {
			t.Fatalf("WriteEnclosure(non-empty folder) = %v", err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 1 {
			t.Errorf("the folder now holds %v", left)
		}
	})
}

// TestPacketWithDisc writes the packet of a library with the corpus disc:
// the Imaging section is in the contents (a link) and the bookmarks, holds
// one key image per series that has a preview, says what is not printed,
// each study's document has no page of its own but leads to its block
// there, and the readiness table counts the imaging as enclosed.
func TestPacketWithDisc(t *testing.T) {
	needTools(t, "qpdf", "pdftotext", "pdfimages")
	lib := newEnclosureLibrary(t, true)
	ctx := context.Background()
	studies, err := lib.s.Studies(ctx, lib.person.ID)
	if err != nil || len(studies) == 0 {
		t.Fatalf("Studies = %d, %v", len(studies), err)
	}
	previews, series := 0, 0
	for _, st := range studies {
		for _, se := range st.Series {
			series++
			if se.NoPreview == "" {
				previews++
			}
		}
	}
	out := filepath.Join(t.TempDir(), "packet.pdf")
	res, err := export.WritePacket(ctx, lib.s, out, lib.opt())
	if err != nil {
		t.Fatalf("WritePacket = %v", err)
	}
	qpdfCheck(t, out)
	pages, _, _ := export.Estimate(ctx, lib.s, lib.opt())
	if pages != res.Pages {
		t.Errorf("Estimate says %d pages, the packet has %d", pages, res.Pages)
	}
	titles := outlineTitles(t, out)
	if !slicesContains(titles, "Imaging") {
		t.Errorf("bookmarks %q lack Imaging", titles)
	}
	text := pdfText(t, out, 0, 0)
	byPage := strings.Split(text, "\f")
	section := 0
	for i, pg := range byPage {
		if strings.HasPrefix(strings.TrimSpace(pg), "Imaging\n") || strings.HasPrefix(strings.TrimSpace(pg), "Imaging ") {
			section = i + 1
			break
		}
	}
	if section == 0 {
		t.Fatalf("no page starts with the Imaging section")
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"Imaging " + strconv.Itoa(section), // the contents line
		fmt.Sprintf("This packet's imaging: %d stud", len(studies)),
		fmt.Sprintf("in %d series. One key image per series is printed here", series),
		"Imaging: the pictures or the disc Enclosed: document",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the packet lacks %q", want)
		}
	}
	out2, err := exec.Command("pdfimages", "-list", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	images := 0
	for _, line := range strings.Split(string(out2), "\n")[2:] {
		if f := strings.Fields(line); len(f) > 6 {
			if page, _ := strconv.Atoi(f[0]); page >= section {
				images++
			}
		}
	}
	if images < previews {
		t.Errorf("%d pictures from the Imaging section on, want a key image for each of %d series with a preview", images, previews)
	}
	// A study's document has no page of its own: its row in the contents,
	// its link and its bookmark lead to its block in the Imaging section.
	if strings.Contains(flat, "Imaging in DICOM") {
		t.Errorf("the packet still has a page for a study's document")
	}
	var j struct {
		Outlines []outline `json:"outlines"`
	}
	qpdfJSON(t, out, "outlines", &j)
	var imaging, contents outline
	for _, o := range j.Outlines {
		switch o.Title {
		case "Imaging":
			imaging = o
		case "Contents":
			contents = o
		case "Documents":
			for _, k := range o.Kids {
				if strings.Contains(byPage[k.Page-1], "Imaging (pictures or DICOM)") {
					t.Errorf("bookmark %q under Documents goes to page %d, a study's own page", k.Title, k.Page)
				}
			}
		}
	}
	if len(imaging.Kids) != len(studies) {
		t.Fatalf("bookmarks under Imaging = %+v, want one for each of %d studies' documents", imaging.Kids, len(studies))
	}
	checkImagingOrder(t, imaging.Kids)
	pdfCtx, err := api.ReadContextFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var linked []int
	for pg := contents.Page; pg < section; pg++ {
		linked = append(linked, linkTargets(t, pdfCtx, pg)...)
	}
	index := strings.Join(strings.Fields(strings.Join(byPage[contents.Page-1:section-1], " ")), " ")
	for _, k := range imaging.Kids {
		n, title, _ := strings.Cut(k.Title, ". ")
		title, _, _ = strings.Cut(title, " (")
		if k.Page < section || !strings.Contains(byPage[k.Page-1], "Document "+n+" of ") {
			t.Errorf("bookmark %q goes to page %d, which does not hold its study (document %s)", k.Title, k.Page, n)
		}
		if want := fmt.Sprintf("%s %s Imaging (pictures or DICOM) Imaging section, page %d", n, title, k.Page); !strings.Contains(index, title) || !strings.Contains(index, fmt.Sprintf("Imaging section, page %d", k.Page)) {
			t.Errorf("the records index lacks %q:\n%s", want, index)
		}
		if !slices.Contains(linked, k.Page) {
			t.Errorf("the contents have no link to page %d (%s); links go to %v", k.Page, k.Title, linked)
		}
	}

	// In the patient's own order (the documents reversed), the Imaging
	// section follows it too.
	rev := make([]string, 0, len(lib.docs))
	for i := len(lib.docs) - 1; i >= 0; i-- {
		rev = append(rev, lib.docs[i].ID)
	}
	if err := lib.s.SetPacketDocuments(ctx, lib.kase.ID, rev); err != nil {
		t.Fatal(err)
	}
	rout := filepath.Join(t.TempDir(), "reversed.pdf")
	if _, err := export.WritePacket(ctx, lib.s, rout, lib.opt()); err != nil {
		t.Fatalf("WritePacket(reversed) = %v", err)
	}
	var rj struct {
		Outlines []outline `json:"outlines"`
	}
	qpdfJSON(t, rout, "outlines", &rj)
	for _, o := range rj.Outlines {
		if o.Title == "Imaging" {
			checkImagingOrder(t, o.Kids)
		}
	}
	ids := make([]string, len(lib.docs))
	for i, d := range lib.docs {
		ids[i] = d.ID
	}
	if err := lib.s.SetPacketDocuments(ctx, lib.kase.ID, ids); err != nil {
		t.Fatal(err)
	}

	// Two-sided on Letter: the page count is still foreseen, and every
	// document with pages starts on a right-hand page, with no blank back
	// spent on a study.
	opt := lib.opt()
	opt.Duplex, opt.Paper = true, records.PaperLetter
	dout := filepath.Join(t.TempDir(), "duplex.pdf")
	dres, err := export.WritePacket(ctx, lib.s, dout, opt)
	if err != nil {
		t.Fatalf("WritePacket(duplex, Letter) = %v", err)
	}
	qpdfCheck(t, dout)
	if est, _, err := export.Estimate(ctx, lib.s, opt); err != nil || est != dres.Pages {
		t.Errorf("Estimate(duplex, Letter) = %d, %v; the packet has %d pages", est, err, dres.Pages)
	}
	dtext := strings.Split(pdfText(t, dout, 0, 0), "\f")
	blanks := 0
	for _, pg := range dtext {
		if strings.Contains(pg, "intentionally left blank") {
			blanks++
		}
	}
	var dj struct {
		Outlines []outline `json:"outlines"`
	}
	qpdfJSON(t, dout, "outlines", &dj)
	docs := 0
	for _, o := range dj.Outlines {
		if o.Title != "Documents" {
			continue
		}
		for _, k := range o.Kids {
			docs++
			if k.Page%2 == 0 {
				t.Errorf("duplex: %q starts on page %d, a left-hand page", k.Title, k.Page)
			}
		}
	}
	if docs == 0 || blanks > docs {
		t.Errorf("duplex: %d blank pages for %d documents with pages", blanks, docs)
	}

	// A packet of the studies alone: no document has a page of its own.
	var studyDocs []string
	for _, d := range lib.docs {
		if d.Kind == records.KindImaging && d.Files[0].IsDICOM() {
			studyDocs = append(studyDocs, d.ID)
		}
	}
	if err := lib.s.SetPacketDocuments(ctx, lib.kase.ID, studyDocs); err != nil {
		t.Fatal(err)
	}
	for _, duplex := range []bool{false, true} {
		opt := lib.opt()
		opt.Duplex = duplex
		sout := filepath.Join(t.TempDir(), "studies.pdf")
		sres, err := export.WritePacket(ctx, lib.s, sout, opt)
		if err != nil {
			t.Fatalf("WritePacket(studies only, duplex %v) = %v", duplex, err)
		}
		qpdfCheck(t, sout)
		if est, _, err := export.Estimate(ctx, lib.s, opt); err != nil || est != sres.Pages {
			t.Errorf("Estimate(studies only, duplex %v) = %d, %v; the packet has %d pages", duplex, est, err, sres.Pages)
		}
		if last := strings.Split(pdfText(t, sout, sres.Pages, sres.Pages), "\f")[0]; !strings.Contains(last, "window") {
			t.Errorf("studies only, duplex %v: the last page is not the Imaging section's:\n%s", duplex, last)
		}
	}

	// A study's document whose kind the user changed is still the
	// imaging the packet encloses.
	for _, id := range studyDocs {
		d, err := lib.s.Document(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		d.Kind = records.KindOther
		if err := lib.s.UpdateDocument(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	kout := filepath.Join(t.TempDir(), "kinds.pdf")
	if _, err := export.WritePacket(ctx, lib.s, kout, lib.opt()); err != nil {
		t.Fatalf("WritePacket(studies of kind other) = %v", err)
	}
	if flat := strings.Join(strings.Fields(pdfText(t, kout, 0, 0)), " "); !strings.Contains(flat, "Imaging: the pictures or the disc Enclosed: document") {
		t.Errorf("a packet of studies whose documents are of kind other does not say the imaging is enclosed:\n%s", flat)
	}
}

// checkImagingOrder checks that the Imaging section's studies follow the
// packet's document order: the bookmarks under Imaging ("3. CT head
// (...)"), in page order, have rising document numbers, so the records
// index's "Imaging section, page N" rise down the list.
func checkImagingOrder(t *testing.T, kids []outline) {
	t.Helper()
	if len(kids) < 2 {
		t.Fatalf("bookmarks under Imaging = %+v, want several studies to order", kids)
	}
	last, page := 0, 0
	for _, k := range kids {
		n, _, _ := strings.Cut(k.Title, ". ")
		num, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("bookmark %q has no document number", k.Title)
		}
		if num <= last || k.Page < page {
			t.Errorf("Imaging section: %q on page %d comes after document %d on page %d; want the packet's document order", k.Title, k.Page, last, page)
		}
		last, page = num, k.Page
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestEnclosureKeepsSkippedOriginal: a document that cannot go into the
// packet (a two-page TIFF) keeps its original in the enclosure, named as
// not in the packet; the others keep the packet's numbers.
func TestEnclosureKeepsSkippedOriginal(t *testing.T) {
	lib := newEnclosureLibrary(t, false)
	tiff := filepath.Join(corpusDir(t), "images", "tiff-multipage-2.tif")
	addDoc(t, lib.s, lib.person.ID, records.Document{Kind: records.KindOther, Title: "Fax", Date: records.MustDate("2026-01-11")}, tiff)
	ctx := context.Background()
	all, err := lib.s.Documents(ctx, records.DocumentFilter{PersonID: lib.person.ID})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range all {
		ids = append(ids, d.ID)
	}
	if err := lib.s.SetPacketDocuments(ctx, lib.kase.ID, ids); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	res, err := export.WriteEnclosure(ctx, lib.s, dir, lib.opt())
	if err != nil {
		t.Fatalf("WriteEnclosure = %v", err)
	}
	if len(res.Packet.Skipped) != 1 {
		t.Fatalf("the packet skipped %v, want the TIFF", res.Packet.Skipped)
	}
	got, err := os.ReadFile(filepath.Join(dir, "Documents", "Not in the packet - Fax, 11 Jan 2026.tif"))
	want, _ := os.ReadFile(tiff)
	if err != nil || string(got) != string(want) {
		t.Errorf("the skipped document's original: %v (same bytes %v)", err, string(got) == string(want))
	}
	readme, _ := os.ReadFile(filepath.Join(dir, "README.txt"))
	for _, w := range []string{"(not in the packet: it could not be read) Fax", "1. Letter: from the clinic?", "Documents/01 Letter from the clinic, 10 Jan 2026.pdf",
		"2. Photos of the scar", "Documents/02 Photos of the scar, 12 Jan 2026/1 exif-nikon-d2h-gps.jpg"} {
		if !strings.Contains(string(readme), w) {
			t.Errorf("README.txt lacks %q:\n%s", w, readme)
		}
	}
}

// TestEnclosureDiskFull: an enclosure that does not fit says the disk is
// full and leaves nothing behind, as a folder and as a zip.
func TestEnclosureDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	lib := newEnclosureLibrary(t, true)
	for _, name := range []string{"enclosure", "enclosure.zip"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", dir).CombinedOutput(); err != nil {
				t.Skipf("mount tmpfs: %v %s", err, out)
			}
			defer exec.Command("umount", dir).Run()
			_, err := export.WriteEnclosure(context.Background(), lib.s, filepath.Join(dir, name), lib.opt())
			if !errors.Is(err, records.ErrDiskFull) || !strings.HasPrefix(records.Explain(err), "The disk is full") {
				t.Fatalf("WriteEnclosure(full disk) = %v, want the disk-full sentence", err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("left behind after a failed enclosure: %v", left)
			}
		})
	}
}
