package export

import (
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"secondopinion/records"
)

// testStudy is a CT of 7 series (one without a preview) and 31 images.
func testStudy() records.Study {
	st := records.Study{ID: "st1", DocumentID: "doc1", Date: records.MustDate("2026-01-14"), Modality: "CT",
		Description: "CT CHEST WITH CONTRAST", BodyPart: "CHEST", Accession: "ACC-20260114-7", Institution: "St Elsewhere Hospital",
		ReferringPhysician: "Dr Jane Smith", PatientName: "PAPADOPOULOU, ELENI", PatientBirth: records.MustDate("1950-05-03")}
	counts := []int{1, 12, 6, 4, 3, 2, 3}
	for i, n := range counts {
		se := records.Series{ID: "se" + strconv.Itoa(i+1), StudyID: "st1", Number: i + 1, Modality: "CT", Images: n, Frames: n,
			Description: "AXIAL " + strconv.Itoa(i+1)}
		if i == 6 {
			se.Modality, se.Description, se.NoPreview = "SR", "DOSE REPORT", "preview not available (a structured report, not a picture)"
		}
		st.Series = append(st.Series, se)
	}
	return st
}

// greyKey is a grey test image with a bright disc, as a CT slice looks.
func greyKey(w, h int) image.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := x-w/2, y-h/2
			v := uint8(20)
			if dx*dx+dy*dy < (w/3)*(w/3) {
				v = uint8(120 + (x*100)/w)
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	return img
}

func imagingPacket(t *testing.T) *packet {
	t.Helper()
	p := &packet{person: records.Person{FullName: "Eleni Papadopoulou", DateOfBirth: records.MustDate("1950-05-03")},
		paper: records.PaperA4, quality: records.QualityCompact, prepared: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	p.sections = append(append([]string(nil), frontSections...), secImaging)
	p.studies = []records.Study{testStudy()}
	p.keys = map[string]*keyImage{}
	for i, se := range p.studies[0].Series {
		if se.NoPreview != "" {
			continue
		}
		k := &keyImage{info: records.KeyImageInfo{Slice: (se.Images + 1) / 2, Of: se.Images, Window: "W 400 L 40"}}
		if i == 3 {
			k = &keyImage{problem: "The key image could not be drawn: the file is damaged."}
		} else {
			var err error
			if k.jpg, k.w, k.h, err = encodeKey(greyKey(256+64*i, 256)); err != nil {
				t.Fatal(err)
			}
		}
		p.keys[se.ID] = k
	}
	return p
}

// TestImagingSection draws the section from studies and key images (no
// store): the study's table, each key image labelled with its series,
// slice and window, at most six to a page, the series without a preview
// listed with its sentence, and the plain line of what is not printed.
func TestImagingSection(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdfimages"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	p := imagingPacket(t)
	pl, data, err := layoutPacket(p, nil, nil)
	if err != nil {
		t.Fatalf("layoutPacket = %v", err)
	}
	dir := t.TempDir()
	if d := os.Getenv("IMAGING_PDF_DIR"); d != "" {
		dir = d // to look at the pages
	}
	path := filepath.Join(dir, "imaging.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	sec := pl.sections[len(pl.sections)-1]
	if sec <= 0 || pl.names[len(pl.names)-1] != secImaging {
		t.Fatalf("sections %v at %v, want Imaging last", pl.names, pl.sections)
	}
	text := func(first, last int) string {
		out, err := exec.Command("pdftotext", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(string(out)), " ")
	}
	contents := text(3, 3)
	if !strings.Contains(contents, "Imaging "+strconv.Itoa(sec)) {
		t.Errorf("contents page does not list Imaging on page %d:\n%s", sec, contents)
	}
	got := text(sec, pl.total)
	for _, want := range []string{
		"This packet's imaging: 1 study, 31 images in 7 series. One key image per series is printed here",
		"on the disc they came on",
		"14 January 2026 · CT · CT CHEST WITH CONTRAST",
		"Series Images 7 31", "Accession no. Institution Referring doctor ACC-20260114-7 St Elsewhere Hospital Dr Jane Smith",
		"This study holds 31 images in 7 series; a key image of 6 series is printed below.",
		"Series 2: AXIAL 2 · CT", "12 images · slice 6 of 12 · window W 400 L 40", "1 image · window W 400 L 40",
		"The key image could not be drawn: the file is damaged.",
		"Series 7: DOSE REPORT (SR, 3 images): preview not available (a structured report, not a picture)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Imaging section lacks %q:\n%s", want, got)
		}
	}
	// The title gives the date, type and description; the table does not
	// say them again (a continuation page's line names the study again).
	block, _, _ := strings.Cut(got, "This study holds")
	if n := strings.Count(block, "14 January 2026") + strings.Count(got, "14 Jan 2026"); n != 1 {
		t.Errorf("the study's date is printed %d times, want once (in its title):\n%s", n, block)
	}
	if n := strings.Count(block, "CT CHEST WITH CONTRAST"); n != 1 {
		t.Errorf("the study's description is printed %d times, want once (in its title):\n%s", n, block)
	}
	out, err := exec.Command("pdfimages", "-list", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	perPage := map[int]int{}
	images := 0
	for _, line := range strings.Split(string(out), "\n")[2:] {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		page, _ := strconv.Atoi(f[0])
		perPage[page]++
		images++
		if page < sec {
			t.Errorf("a key image on page %d, before the section (page %d)", page, sec)
		}
		if f[5] != "gray" {
			t.Errorf("key image on page %d is %s, want gray", page, f[5])
		}
	}
	if images != 5 {
		t.Errorf("%d key images in the packet, want 5 (6 previewable series, one failed)", images)
	}
	for page, n := range perPage {
		if n > 6 {
			t.Errorf("page %d holds %d key images, want at most 6", page, n)
		}
	}
}

// TestImagingSectionSamePagesUnloaded: measuring (and Estimate) draws the
// section without its key images; the pages must not change when they
// are loaded.
func TestImagingSectionSamePagesUnloaded(t *testing.T) {
	p := imagingPacket(t)
	with, _, err := layoutPacket(p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.keys = nil
	without, _, err := layoutPacket(p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if with.total != without.total {
		t.Errorf("packet pages with key images %d, without %d", with.total, without.total)
	}
}

// TestImagingOnlyDocumentsInParts: a document of imaging studies only has
// no pages, so a packet in parts for e-mail never gives it a part, or a
// page range, of its own: it is where the Imaging section is, in part 1.
func TestImagingOnlyDocumentsInParts(t *testing.T) {
	st := testStudy()
	big := func(id string) *prepared {
		return &prepared{doc: records.Document{ID: id}, pages: 3, parts: []part{{kind: partPDF, pages: 3, pdf: make([]byte, 600_000)}}}
	}
	study := &prepared{doc: records.Document{ID: st.DocumentID}, studies: []records.Study{st}}
	docs := []*prepared{big("a"), study, big("b")}
	// Each letter needs a part of its own; the study has no bytes to
	// place but must not start a part of nothing.
	parts := assignParts(docs, partOverhead, 500_000)
	if want := []int{2, 1, 3}; !slices.Equal(parts, want) {
		t.Fatalf("assignParts = %v, want %v: the study's document with the Imaging section, in part 1", parts, want)
	}
	pl := &plan{docs: docs, start: []int{5, 8, 8}, total: 10, spots: map[string]spot{st.ID: {page: 4, y: 120}}}
	if got, want := partRanges(pl, &split{part: parts}), [][2]int{{1, 4}, {5, 7}, {8, 10}}; !slices.Equal(got, want) {
		t.Errorf("partRanges = %v, want %v", got, want)
	}
	// The study last: the parts are still three.
	docs = []*prepared{big("a"), big("b"), study}
	parts = assignParts(docs, partOverhead, 500_000)
	pl = &plan{docs: docs, start: []int{5, 8, 11}, total: 10, spots: pl.spots}
	if got, want := partRanges(pl, &split{part: parts}), [][2]int{{1, 4}, {5, 7}, {8, 10}}; !slices.Equal(parts, []int{2, 3, 1}) || !slices.Equal(got, want) {
		t.Errorf("study last: assignParts = %v, partRanges = %v; want [2 3 1], %v", parts, got, want)
	}
	if at := pl.at(2); at.page != 4 || at.y != 120 {
		t.Errorf("plan.at(the study's document) = %+v, want its block on page 4", at)
	}
	if first := pl.firstPage(); first != 5 {
		t.Errorf("plan.firstPage() = %d, want 5", first)
	}
}

// TestStudyHeadStaysWithItsImages: a study's title, table and lines are
// measured before they are drawn, so that they never end a page without
// the study's first key images; placed where exactly that height is left,
// the whole block (title to the first row of key images) fits the page.
func TestStudyHeadStaysWithItsImages(t *testing.T) {
	short := testStudy()
	short.Series = short.Series[:2]
	long := short
	long.Description = "CT CHEST ABDOMEN AND PELVIS WITH CONTRAST, PORTAL VENOUS PHASE, FOLLOW-UP"
	long.Institution = "The Royal Infirmary of Somewhere Quite Far Away, Department of Radiology"
	long.ReferringPhysician = "Professor Bartholomew Featherstonehaugh-Cholmondeley"
	long.PatientName = "PAPADOPOULOU-KARAMANLIS, ELENI ALEXANDRA MARIA"
	for _, paper := range []records.Paper{records.PaperA4, records.PaperLetter} {
		for _, st := range []records.Study{short, long} {
			p := imagingPacket(t)
			p.paper = paper
			d := newDoc(p, "x")
			d.newPage()
			_, rowH := keyRow(d.g)
			need := studyHeadOf(d, st, len(st.Series), 3, 12).height(d) + rowH
			d.pdf.SetXY(d.g.left, d.bottom()-need-0.5) // drawStudy allows half a mm for rounding
			drawStudy(d, p, st, 3, 12)
			if got := d.pdf.PageNo(); got != 1 || d.spots[st.ID].page != 1 {
				t.Errorf("%s, %q: the block took pages 1 to %d (study on page %d), want it all on page 1", paper, st.Description, got, d.spots[st.ID].page)
			}
		}
	}
}

// TestImagingOnlyPacketDuplex: a two-sided packet whose documents are all
// imaging studies draws no blank back for them, whether the front matter
// ends on an odd or an even page.
func TestImagingOnlyPacketDuplex(t *testing.T) {
	odd, even := false, false
	for n := 1; n <= 4; n++ {
		p := imagingPacket(t)
		p.duplex = true
		var docs []*prepared
		for i := range n {
			st := testStudy()
			st.ID, st.DocumentID = "st"+strconv.Itoa(i), "doc"+strconv.Itoa(i)
			if i > 0 {
				p.studies = append(p.studies, st)
			} else {
				p.studies[0] = st
			}
			docs = append(docs, &prepared{doc: records.Document{ID: st.DocumentID, Title: "CT"}, studies: []records.Study{st}})
		}
		pl, _, err := layoutPacket(p, docs, nil)
		if err != nil {
			t.Fatalf("layoutPacket(%d studies, duplex) = %v", n, err)
		}
		odd, even = odd || pl.total%2 == 1, even || pl.total%2 == 0
		if len(pl.blanks) != 0 {
			t.Errorf("%d studies: blank pages %v, want none", n, pl.blanks)
		}
		for i := range docs {
			if at := pl.at(i); at.page < pl.sections[len(pl.sections)-1] || at.page > pl.total {
				t.Errorf("%d studies: document %d is at page %d, outside the Imaging section", n, i+1, at.page)
			}
		}
	}
	if !odd || !even {
		t.Errorf("the front matter ended only on odd (%v) or only on even (%v) pages: the test did not try both", odd, even)
	}
}
