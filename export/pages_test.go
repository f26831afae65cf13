package export_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"secondopinion/export"
	"secondopinion/records"
)

// hospitalLetter writes a PDF whose pages carry their own footer lines
// 8, 10 and 12 mm above the bottom edge, as hospital letters do, the words
// FOOTA, FOOTB, FOOTC. With dark true the second page is black to the
// edges, as a dark scan is, with the words in white.
func hospitalLetter(t *testing.T, size string, dark bool) string {
	t.Helper()
	pdf := gofpdf.New("P", "mm", size, "")
	pdf.SetFont("Helvetica", "", 10)
	w, h := pdf.GetPageSize()
	pages := 1
	if dark {
		pages = 2
	}
	for i := range pages {
		pdf.AddPage()
		if i == 1 {
			pdf.SetFillColor(0, 0, 0)
			pdf.Rect(0, 0, w, h, "F")
			pdf.SetTextColor(255, 255, 255)
		}
		pdf.Text(20, 30, fmt.Sprintf("Letter body page %d", i+1))
		pdf.Text(20, h-12, "FOOTC Trust headquarters, Hospital Road")
		pdf.Text(100, h-10, "FOOTB Registered charity 1234567")
		pdf.Text(w-70, h-8, "FOOTA page footer of the hospital")
	}
	return savePDF(t, pdf, "letter-"+size+".pdf")
}

type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

func (a word) overlaps(b word) bool {
	return a.xMin < b.xMax && b.xMin < a.xMax && a.yMin < b.yMax && b.yMin < a.yMax
}

var (
	wordsPage = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	wordBox   = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// pageWords reads the words of one page and their boxes (points from the
// top left) with pdftotext -bbox, and the page's height.
func pageWords(t *testing.T, path string, page int) ([]word, float64) {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox %s: %v", path, err)
	}
	pm := wordsPage.FindSubmatch(out)
	if pm == nil {
		t.Fatalf("pdftotext -bbox: no page %d", page)
	}
	h, _ := strconv.ParseFloat(string(pm[2]), 64)
	var words []word
	for _, m := range wordBox.FindAllSubmatch(out, -1) {
		var w word
		w.xMin, _ = strconv.ParseFloat(string(m[1]), 64)
		w.yMin, _ = strconv.ParseFloat(string(m[2]), 64)
		w.xMax, _ = strconv.ParseFloat(string(m[3]), 64)
		w.yMax, _ = strconv.ParseFloat(string(m[4]), 64)
		w.text = html.UnescapeString(string(m[5]))
		words = append(words, w)
	}
	return words, h
}

// onePerson is a library with one person (named name) and a case holding
// the given files, one document each, in order.
func onePerson(t *testing.T, name string, files ...string) (*records.Store, records.Person, records.Case) {
	t.Helper()
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: name, DateOfBirth: records.MustDate("1950-05-03"),
		Identifiers: []records.Identifier{{Label: "Hospital number", Value: "RX1-778812"}, {Label: "NHS number", Value: "943 476 5919"}}}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	c := records.Case{PersonID: p.ID, Title: "Pages", Packet: records.PacketSettings{Paper: records.PaperA4}}
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, f := range files {
		d := addDoc(t, s, p.ID, records.Document{Kind: records.KindClinicLetter, Title: fmt.Sprintf("Letter %d", i+1), Date: records.MustDate("2026-01-10"), Source: "Clinic"}, f)
		ids = append(ids, d.ID)
	}
	if err := s.SetPacketDocuments(ctx, c.ID, ids); err != nil {
		t.Fatal(err)
	}
	return s, p, c
}

// TestMergedPagesNeverHidden: a letter whose own footer sits 8-12 mm from
// the bottom edge keeps every word readable: the page is scaled above our
// footer, which is on white even on a black scan, and every page is the
// chosen paper whatever the letter's size.
func TestMergedPagesNeverHidden(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo", "pdftotext", "pdftoppm")
	ctx := context.Background()
	for _, tt := range []struct {
		name         string
		paper        records.Paper
		letter       string // the letter's own size
		wPt, hPt     float64
		darkFirstPg2 bool
	}{
		{"A4 letter in an A4 packet", records.PaperA4, "A4", 595.28, 841.89, true},
		{"Letter-size letter in an A4 packet", records.PaperA4, "Letter", 595.28, 841.89, false},
		{"A4 letter in a Letter packet", records.PaperLetter, "A4", 612, 792, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, p, c := onePerson(t, "Ada Lovelace", hospitalLetter(t, tt.letter, tt.darkFirstPg2))
			out := filepath.Join(t.TempDir(), "packet.pdf")
			res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Paper: tt.paper, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			keep(t, out)
			qpdfCheck(t, out)
			for i, b := range mediaBoxes(t, out) {
				if !sameSize(b, tt.wPt, tt.hPt) {
					t.Errorf("page %d MediaBox = %v, want %gx%g points", i+1, b, tt.wPt, tt.hPt)
				}
			}
			pages := 1
			if tt.darkFirstPg2 {
				pages = 2
			}
			first := res.Pages - pages + 1
			for pg := first; pg <= res.Pages; pg++ {
				words, h := pageWords(t, out, pg)
				var own, ours []word
				for _, w := range words {
					switch {
					case strings.HasPrefix(w.text, "FOOT"):
						own = append(own, w)
					case w.yMin > h-20*72/25.4:
						ours = append(ours, w)
					}
				}
				var got []string
				for _, w := range own {
					got = append(got, w.text)
				}
				if slices.Sort(got); !slices.Equal(got, []string{"FOOTA", "FOOTB", "FOOTC"}) {
					t.Errorf("page %d: the letter's own footer words = %q, want FOOTA, FOOTB, FOOTC all readable", pg, got)
				}
				footer := ""
				for _, w := range ours {
					footer += w.text + " "
				}
				for _, want := range []string{"Ada Lovelace", "born 3 May 1950", "Hospital number RX1-778812", fmt.Sprintf("Page %d of %d", pg, res.Pages)} {
					if !strings.Contains(footer, want) {
						t.Errorf("page %d footer %q lacks %q", pg, footer, want)
					}
				}
				for _, o := range own {
					// Above the footer band (17 mm), and clear of our words.
					if o.yMax > h-17*72/25.4 {
						t.Errorf("page %d: the letter's %s reaches %.1f pt, into the footer band below %.1f pt", pg, o.text, o.yMax, h-17*72/25.4)
					}
					for _, w := range ours {
						if o.overlaps(w) {
							t.Errorf("page %d: our footer word %q overlaps the letter's own %q", pg, w.text, o.text)
						}
					}
				}
			}
			if tt.darkFirstPg2 {
				// On the black scan our footer is on white: the strip under
				// the footer line is light, the letter above it dark.
				top, band := greyMeans(t, out, res.Pages, tt.hPt)
				t.Logf("black page: letter area grey %.0f, footer band grey %.0f", top, band)
				if top > 60 || band < 200 {
					t.Errorf("black page: letter area grey %.0f, footer band grey %.0f; want the letter dark (<60) and the band white (>200)", top, band)
				}
			}
		})
	}
}

// greyMeans renders page pg in grey and returns the mean grey (0 black,
// 255 white) of the middle of the page and of the footer band below the
// footer line (the strip 2 to 11 mm from the bottom edge, left of the text).
func greyMeans(t *testing.T, path string, pg int, hPt float64) (middle, band float64) {
	t.Helper()
	dir := t.TempDir()
	base := filepath.Join(dir, "p")
	if out, err := exec.Command("pdftoppm", "-gray", "-r", "36", "-f", strconv.Itoa(pg), "-l", strconv.Itoa(pg), "-singlefile", path, base).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	data, err := os.ReadFile(base + ".pgm")
	if err != nil {
		t.Fatal(err)
	}
	var w, h, maxv int
	var n int
	if _, err := fmt.Sscanf(string(data), "P5\n%d %d\n%d\n%n", &w, &h, &maxv, &n); err != nil {
		// header fields may be separated by any whitespace
		fields := bytes.Fields(data[:min(len(data), 64)])
		w, _ = strconv.Atoi(string(fields[1]))
		h, _ = strconv.Atoi(string(fields[2]))
		n = len(data) - w*h
	}
	px := data[n:]
	mean := func(y0, y1, x0, x1 int) float64 {
		sum, cnt := 0, 0
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				sum += int(px[y*w+x])
				cnt++
			}
		}
		return float64(sum) / float64(max(cnt, 1))
	}
	mm := float64(h) / (hPt / 72 * 25.4)
	middle = mean(h/3, h/2, w/4, w*3/4)
	band = mean(h-int(11*mm), h-int(2*mm), 2, w/8)
	return middle, band
}

// TestFooterLongName: a 98-character name is shortened so that the footer
// never overlaps "Page X of Y", while the date of birth and the number
// stay whole on every page.
func TestFooterLongName(t *testing.T) {
	needTools(t, "pdftotext")
	ctx := context.Background()
	name := "Maximiliana Alexandrina Konstantinopoulou-Wolfeschlegelsteinhausen Bergerdorff von Ravensberg"
	name += strings.Repeat("x", 98-len([]rune(name)))
	s, p, c := onePerson(t, name, hospitalLetter(t, "A4", false))
	out := filepath.Join(t.TempDir(), "packet.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, out)
	for pg := 1; pg <= res.Pages; pg++ {
		words, h := pageWords(t, out, pg)
		var foot []word
		for _, w := range words {
			if w.yMin > h-17*72/25.4 {
				foot = append(foot, w)
			}
		}
		text := ""
		for _, w := range foot {
			text += w.text + " "
		}
		for _, want := range []string{"born 3 May 1950", "Hospital number RX1-778812", fmt.Sprintf("Page %d of %d", pg, res.Pages), "Maximiliana"} {
			if !strings.Contains(text, want) {
				t.Errorf("page %d footer %q lacks %q", pg, text, want)
			}
		}
		for i, a := range foot {
			for _, b := range foot[i+1:] {
				if a.overlaps(b) {
					t.Errorf("page %d: footer words %q and %q overlap", pg, a.text, b.text)
				}
			}
		}
	}
}

// TestDuplexAndDividers: one-page letters take one page (the band sits on
// the letter's page, no divider); with Duplex every document starts on an
// odd page and the backs left empty say so.
func TestDuplexAndDividers(t *testing.T) {
	needTools(t, "pdftotext", "qpdf")
	ctx := context.Background()
	corpus := corpusDir(t)
	one := hospitalLetter(t, "A4", false)
	three := filepath.Join(corpus, "ccda/unstructured-reference/UD_sample.pdf")
	photo := filepath.Join(corpus, "images/exif-orientation-1.jpg")
	s, p, c := onePerson(t, "Ada Lovelace", one, three, one, photo, one)
	docPages := []int{1, 3, 1, 1, 1}

	starts := func(out string, n int) ([]int, []string) {
		pages := strings.Split(pdfText(t, out, 0, 0), "\f")
		var st []int
		for i := range len(docPages) {
			st = append(st, pageWith(pages, fmt.Sprintf("Document %d of %d", i+1, len(docPages)))+1)
		}
		return st, pages[:n]
	}

	plain := filepath.Join(t.TempDir(), "plain.pdf")
	res, err := export.WritePacket(ctx, s, plain, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	st, pages := starts(plain, res.Pages)
	front := st[0] - 1
	if want := front + 7; res.Pages != want {
		t.Errorf("packet has %d pages, want %d front pages + 7 document pages (no dividers)", res.Pages, want)
	}
	if !strings.Contains(pages[st[0]-1], "Letter body page 1") {
		t.Errorf("page %d has document 1's band but not the letter itself:\n%s", st[0], pages[st[0]-1])
	}
	if strings.Contains(strings.Join(pages, ""), "intentionally left blank") {
		t.Errorf("a packet not for duplex printing has blank pages")
	}

	duplex := filepath.Join(t.TempDir(), "duplex.pdf")
	dres, err := export.WritePacket(ctx, s, duplex, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow, Duplex: true})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, duplex)
	qpdfCheck(t, duplex)
	dst, dpages := starts(duplex, dres.Pages)
	blanks := 0
	for i, pg := range dpages {
		if strings.Contains(pg, "This page is intentionally left blank") {
			blanks++
			if strings.Contains(pg, "Document ") || strings.Contains(pg, "Letter body") {
				t.Errorf("blank page %d also holds a document:\n%s", i+1, pg)
			}
			if (i+1)%2 != 0 {
				t.Errorf("blank page %d is a front (odd) page", i+1)
			}
		}
	}
	for i, n := range dst {
		if n%2 != 1 {
			t.Errorf("duplex: document %d starts on page %d, want an odd (right-hand) page (starts %v)", i+1, n, dst)
		}
	}
	if dres.Pages != res.Pages+blanks || blanks == 0 {
		t.Errorf("duplex packet has %d pages with %d blank; the plain one %d", dres.Pages, blanks, res.Pages)
	}
	// The Packet screen's estimate knows the blanks too.
	if est, _, err := export.Estimate(ctx, s, export.Options{PersonID: p.ID, CaseID: c.ID, Duplex: true}); err != nil || est != dres.Pages {
		t.Errorf("Estimate(duplex) = %d, %v; the packet has %d pages", est, err, dres.Pages)
	}
}

// TestMergedBookmarksAndLinks: a merged PDF's own bookmarks are kept,
// nested under its document's bookmark and pointing into its pages, and
// the contents rows are links to the pages they name.
func TestMergedBookmarksAndLinks(t *testing.T) {
	needTools(t, "qpdf")
	ctx := context.Background()
	corpus := corpusDir(t)
	src := filepath.Join(corpus, "pdf/pdf20-utf8.pdf")
	irs := filepath.Join(corpus, "pdf/irs-f1040v-2013-incremental-updates.pdf")
	s, p, c := onePerson(t, "Ada Lovelace", hospitalLetter(t, "A4", true), src, irs)
	out := filepath.Join(t.TempDir(), "packet.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, out)
	qpdfCheck(t, out)
	var j struct {
		Outlines []outline `json:"outlines"`
	}
	qpdfJSON(t, out, "outlines", &j)
	var docs *outline
	for i := range j.Outlines {
		if j.Outlines[i].Title == "Documents" {
			docs = &j.Outlines[i]
		}
	}
	if docs == nil || len(docs.Kids) != 3 {
		t.Fatalf("outline %+v: want Documents with 3 documents", j.Outlines)
	}
	for i, file := range []string{"", src, irs} {
		doc := docs.Kids[i]
		var want []string
		if file != "" {
			var sj struct {
				Outlines []outline `json:"outlines"`
			}
			qpdfJSON(t, file, "outlines", &sj)
			want = flatTitles(sj.Outlines)
		}
		if got := flatTitles(doc.Kids); !slices.Equal(got, want) {
			t.Errorf("document %d bookmarks under %q = %q, want its own %q", i+1, doc.Title, got, want)
		}
		end := res.Pages
		if i+1 < len(docs.Kids) {
			end = docs.Kids[i+1].Page - 1
		}
		for _, k := range flatten(doc.Kids) {
			if k.Page < doc.Page || k.Page > end {
				t.Errorf("bookmark %q goes to page %d, outside document %d (pages %d to %d)", k.Title, k.Page, i+1, doc.Page, end)
			}
		}
	}

	// Contents links: every section and every document's first page.
	ctxPDF, err := api.ReadContextFile(out)
	if err != nil {
		t.Fatal(err)
	}
	contentsPage := 0
	for _, o := range j.Outlines {
		if o.Title == "Contents" {
			contentsPage = o.Page
		}
	}
	linked := linkTargets(t, ctxPDF, contentsPage)
	for _, o := range append(slices.Clone(j.Outlines[:len(j.Outlines)-1]), docs.Kids...) {
		if !slices.Contains(linked, o.Page) {
			t.Errorf("contents has no link to page %d (%s); links go to %v", o.Page, o.Title, linked)
		}
	}
}

func flatten(os []outline) []outline {
	var out []outline
	for _, o := range os {
		out = append(out, o)
		out = append(out, flatten(o.Kids)...)
	}
	return out
}

// flatTitles lists the titles of the bookmarks that go to a page.
func flatTitles(os []outline) []string {
	var out []string
	for _, o := range flatten(os) {
		if o.Page > 0 {
			out = append(out, strings.TrimSpace(o.Title))
		}
	}
	return out
}

// linkTargets lists the pages the links on page pg go to.
func linkTargets(t *testing.T, ctx *model.Context, pg int) []int {
	t.Helper()
	d, _, _, err := ctx.PageDict(pg, false)
	if err != nil {
		t.Fatal(err)
	}
	annots, err := ctx.DereferenceArray(d["Annots"])
	if err != nil {
		t.Fatal(err)
	}
	var pages []int
	for _, a := range annots {
		ad, err := ctx.DereferenceDict(a)
		if err != nil || ad == nil {
			continue
		}
		var dest types.Object = ad["Dest"]
		if dest == nil {
			continue
		}
		n, err := pdfcpu.PageNrFromDestination(ctx, dest)
		if err != nil {
			t.Errorf("link destination %v: %v", dest, err)
			continue
		}
		pages = append(pages, n)
	}
	return pages
}

// TestLeftOutAndDividerWords: an expected record whose document was left
// out because it could not be read says so (not "not available"); a
// divider before a one-page document says "1 page follows, page N".
func TestLeftOutAndDividerWords(t *testing.T) {
	needTools(t, "pdftotext")
	ctx := context.Background()
	corpus := corpusDir(t)
	s, p, c := onePerson(t, "Ada Lovelace",
		hospitalLetter(t, "Letter", false),                                   // damaged in the library below: cannot go in
		hospitalLetter(t, "A4", false),                                       // left out by the user after the check
		filepath.Join(corpus, "pdf/irs-f1040v-2013-incremental-updates.pdf")) // loses its scripts: a divider says so
	docs, err := s.PacketDocuments(ctx, c)
	if err != nil || len(docs) != 3 {
		t.Fatalf("PacketDocuments = %d, %v", len(docs), err)
	}
	for i, k := range []records.Kind{records.KindPathology, records.KindOperative, records.KindClinicLetter} {
		d, err := s.Document(ctx, docs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		d.Kind = k
		if err := s.UpdateDocument(ctx, &d); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			damage(t, s.Path(), d.Files[0].ID)
		}
	}
	out := filepath.Join(t.TempDir(), "packet.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow, Exclude: []string{docs[1].ID}})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, out)
	if len(res.Skipped) != 1 || res.Documents != 1 {
		t.Fatalf("WritePacket: %d documents, skipped %v; want the form in and the locked PDF skipped", res.Documents, res.Skipped)
	}
	text := strings.Join(strings.Fields(pdfText(t, out, 0, 0)), " ")
	for _, want := range []string{
		"Pathology / histopathology report Left out: could not be read",
		"Operative report Left out: could not be read",
		fmt.Sprintf("1 page follows, page %d of this packet", res.Pages),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("packet lacks %q; it reads:\n%s", want, text)
		}
	}
	if strings.Contains(text, "pages 7 to 7") || strings.Contains(text, fmt.Sprintf("pages %d to %d", res.Pages, res.Pages)) {
		t.Errorf("packet says \"pages N to N\" for one page")
	}
}

// TestQuestionsCompact: the doctor's copy lists the questions numbered,
// compactly, the first three marked "Ask first".
func TestQuestionsCompact(t *testing.T) {
	needTools(t, "pdftotext")
	ctx := context.Background()
	s, p, c := onePerson(t, "Ada Lovelace")
	qs := []string{"Is the diagnosis certain?", "What are all my options?", "What happens if I wait?", "Can I join a trial?", "Who do I call with questions?"}
	for _, q := range qs {
		if _, err := s.AddQuestion(ctx, &records.Question{CaseID: c.ID, Text: q}); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "packet.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(pdfText(t, out, 0, 0), "\f")[:res.Pages]
	at := pageWith(pages, "Questions for the second doctor\n")
	if at < 0 {
		at = len(pages) - 1
	}
	page := pages[at]
	if n := strings.Count(page, "Ask first"); n != 3 {
		t.Errorf("questions page marks %d questions \"Ask first\", want 3:\n%s", n, page)
	}
	for i, q := range qs {
		line := ""
		for _, l := range strings.Split(page, "\n") {
			if strings.Contains(l, q) {
				line = l
			}
		}
		if !strings.Contains(line, fmt.Sprintf("%d.", i+1)) || (i < 3) != strings.Contains(line, "Ask first") {
			t.Errorf("question %d reads %q; want it numbered %d, marked \"Ask first\" only among the first three", i+1, line, i+1)
		}
	}
}

// TestRotatedFormTurnsWithPage: on a page the sender turned (/Rotate 90),
// the form fields turn with the content now that the content itself is
// turned: each widget's appearance is turned by its /Matrix (for viewers
// that draw it) and /MK /R says so (for viewers that redraw it).
func TestRotatedFormTurnsWithPage(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "form90.pdf")
	if err := api.RotateFile(filepath.Join(corpusDir(t), "pdf/form-libreoffice.pdf"), src, 90, nil, nil); err != nil {
		t.Fatal(err)
	}
	s, p, c := onePerson(t, "Ada Lovelace", src)
	out := filepath.Join(t.TempDir(), "packet.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, out)
	pc, err := api.ReadContextFile(out)
	if err != nil {
		t.Fatal(err)
	}
	d, _, _, err := pc.PageDict(res.Pages, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Find("Rotate"); ok {
		t.Errorf("the placed page still has /Rotate %v", d["Rotate"])
	}
	annots, err := pc.DereferenceArray(d["Annots"])
	if err != nil || len(annots) == 0 {
		t.Fatalf("the placed form page has no annotations (%v)", err)
	}
	widgets := 0
	for _, a := range annots {
		ad, err := pc.DereferenceDict(a)
		if err != nil || ad == nil || ad.NameEntry("Subtype") == nil || *ad.NameEntry("Subtype") != "Widget" {
			continue
		}
		widgets++
		mk, _ := pc.DereferenceDict(ad["MK"])
		if r, err := pc.DereferenceInteger(mk["R"]); mk == nil || err != nil || r == nil || r.Value() != 270 {
			t.Errorf("widget %v: /MK /R = %v, want 270 (turned a quarter clockwise)", ad["T"], mk)
		}
		ap, _ := pc.DereferenceDict(ad["AP"])
		if ap == nil {
			continue
		}
		if sd, _, err := pc.DereferenceStreamDict(ap["N"]); err == nil && sd != nil {
			m, err := pc.DereferenceArray(sd.Dict["Matrix"])
			if err != nil || len(m) != 6 {
				t.Errorf("widget %v: appearance /Matrix = %v, want a quarter turn", ad["T"], sd.Dict["Matrix"])
				continue
			}
			b, _ := pc.DereferenceNumber(m[1])
			c, _ := pc.DereferenceNumber(m[2])
			if b > -0.99 || c < 0.99 {
				t.Errorf("widget %v: appearance /Matrix = %v, want [0 -1 1 0 ...] (a quarter turn clockwise)", ad["T"], m)
			}
		}
	}
	if widgets == 0 {
		t.Errorf("no form fields on the placed page")
	}
}

// TestDividerWhenNoRoom: a Legal-size letter would shrink below 75% under
// the band on A4, so it gets a divider page instead; its page is still
// scaled onto A4 above the footer.
func TestDividerWhenNoRoom(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	ctx := context.Background()
	s, p, c := onePerson(t, "Ada Lovelace", hospitalLetter(t, "Legal", false), hospitalLetter(t, "A4", false))
	out := filepath.Join(t.TempDir(), "packet.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(pdfText(t, out, 0, 0), "\f")[:res.Pages]
	first, second := pageWith(pages, "Document 1 of 2"), pageWith(pages, "Document 2 of 2")
	if first < 0 || second != first+2 {
		t.Fatalf("documents start on pages %d and %d, want a divider and the Legal letter, then the A4 letter", first+1, second+1)
	}
	if !strings.Contains(pages[first], "The document follows as it was received") || strings.Contains(pages[first], "Letter body") {
		t.Errorf("page %d is not a divider:\n%s", first+1, pages[first])
	}
	if !strings.Contains(pages[first+1], "Letter body") || !strings.Contains(pages[second], "Letter body") {
		t.Errorf("the letters are not on pages %d and %d", first+2, second+1)
	}
	for i, b := range mediaBoxes(t, out) {
		if !sameSize(b, 595.28, 841.89) {
			t.Errorf("page %d MediaBox = %v, want A4", i+1, b)
		}
	}
}
