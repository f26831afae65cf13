package export_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/sample"
)

// plainText is pdftotext without -layout (columns are not run together),
// with runs of white space made single spaces.
func plainText(t testing.TB, path string, first, last int) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v\n%s", path, err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestSamplePacketClinical: the sample person's packet, on A4 and Letter,
// has a one-page cover records staff can act on, then a one-page clinical
// front sheet, and a summary with key results and the handover status.
func TestSamplePacketClinical(t *testing.T) {
	needTools(t, "qpdf", "pdftotext")
	ctx := context.Background()
	s, _ := newStore(t)
	p, err := sample.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := s.Cases(ctx, p.ID)
	for _, paper := range []records.Paper{records.PaperA4, records.PaperLetter} {
		t.Run(string(paper), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "packet.pdf")
			if _, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: cs[0].ID, Paper: paper, Now: fixedNow}); err != nil {
				t.Fatal(err)
			}
			qpdfCheck(t, out)
			cover := plainText(t, out, 1, 1)
			for _, want := range []string{
				"Please send the opinion to", "Helen Marsh (Patient), at the address above", "Copy to", "Dr Priya Nair, Larkspur Medical Practice (GP)",
				"01632 960 100", "Mr Alan Reid, Breast Unit",
				"Address: 14 Larkspur Close", "Telephone: 01632 960 418", // the patient's own, though her son prepared it
				"Telephone: 07700 900 213", // the son's
				"NHS referral from Dr Nair, agreed by Mr Reid",
				"I agree to this information being shared with Professor Ruth Okafor", "Signed", "Date",
				"If you received this in error, please tell David Marsh",
			} {
				if !strings.Contains(cover, want) {
					t.Errorf("cover (page 1) lacks %q:\n%s", want, cover)
				}
			}
			front := plainText(t, out, 2, 2)
			if !strings.HasPrefix(strings.TrimPrefix(front, "SAMPLE - not a real patient · Helen Marsh · born 12 April 1961 Page 2 of "), "") ||
				!strings.Contains(front, "Clinical front sheet") {
				t.Errorf("page 2 is not the clinical front sheet:\n%s", front)
			}
			for _, want := range []string{
				"ALLERGIES AND INTOLERANCES", "PENICILLIN: itchy rash all over (moderate)",
				"What I would like you to help me decide", "Do I really need to lose my whole breast",
				"Stage, grade, markers", "ER positive, HER2 negative", "So far", "Ultrasound-guided core biopsy",
				"First team proposes", "Left mastectomy", "Decision faced",
				"High blood pressure (since", "Right hip replacement (metal) (fitted", "163 cm, 71.5 kg (BMI 26.9), measured",
				"Fully active, no restrictions (ECOG 0)",
			} {
				if !strings.Contains(front, want) {
					t.Errorf("front sheet lacks %q:\n%s", want, front)
				}
			}
			// The cover and the front sheet each fit on one page: page 3
			// is the contents.
			if next := plainText(t, out, 3, 3); !strings.Contains(next, "Contents") || strings.Contains(next, "Day to day") {
				t.Errorf("page 3 = %.200q, want the contents (the front sheet on one page)", next)
			}
			summary := plainText(t, out, 4, 6)
			for _, want := range []string{"Key results", "Haemoglobin", "115 - 165", "Blood tests before surgery (page",
				"What cannot be in a PDF", "Core biopsy slides and paraffin block", "not confirmed", "Received ",
				"Calcium and vitamin D (Adcal-D3) 1.5 g / 400 units – 1 chewable tablet twice a day – for bone protection – paused since"} {
				if !strings.Contains(summary, want) {
					t.Errorf("summary lacks %q", want)
				}
			}
			if strings.Contains(summary, "(hormone therapy before surgery))") {
				t.Errorf("summary has doubled brackets: %s", summary)
			}
			// Newest result first.
			table := summary[strings.Index(summary, "Key results"):]
			if i, j := strings.Index(table, "HER2 negative"), strings.Index(table, "Haemoglobin"); i < 0 || j < 0 || i < j {
				// The ER/HER2 results are dated a day before the bloods.
				t.Errorf("results not newest first: HER2 (older) at %d before haemoglobin at %d", i, j)
			}
		})
	}
}

// TestAllergyBox: the box states allergies most severe first, or says
// plainly that there are none known or that nobody has said.
func TestAllergyBox(t *testing.T) {
	needTools(t, "qpdf", "pdftotext")
	ctx := context.Background()
	for _, tt := range []struct {
		name      string
		allergies []records.Allergy
		status    records.AllergyStatus
		want      []string // in this order
	}{
		{"not recorded", nil, records.AllergiesNotRecorded, []string{"NOT RECORDED YET: nobody has said whether there are allergies"}},
		{"none known", nil, records.AllergiesNoneKnown, []string{"No known allergies"}},
		{"most severe first", []records.Allergy{{Substance: "Latex", Severity: "mild"}, {Substance: "Aspirin", Reaction: "wheeze"},
			{Substance: "Penicillin", Reaction: "anaphylaxis", Severity: "severe"}, {Substance: "Codeine", Severity: "moderate"}},
			records.AllergiesRecorded, []string{"PENICILLIN: anaphylaxis (severe)", "CODEINE (moderate)", "ASPIRIN: wheeze", "LATEX (mild)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t)
			p := records.Person{FullName: "Mary Example", PreparedBy: records.Preparer{Self: true}}
			if err := s.SavePerson(ctx, &p); err != nil {
				t.Fatal(err)
			}
			if tt.status != records.AllergiesRecorded {
				if err := s.SetAllergyStatus(ctx, p.ID, tt.status); err != nil {
					t.Fatal(err)
				}
			}
			for _, a := range tt.allergies {
				a.PersonID = p.ID
				if err := s.SaveAllergy(ctx, &a); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(t.TempDir(), "p.pdf")
			if _, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, Now: fixedNow}); err != nil {
				t.Fatal(err)
			}
			front := plainText(t, out, 2, 2)
			at := 0
			for _, w := range tt.want {
				i := strings.Index(front[at:], w)
				if i < 0 {
					t.Fatalf("front sheet lacks %q after position %d:\n%s", w, at, front)
				}
				at += i + len(w)
			}
		})
	}
}

var bboxWord = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)"`)
var bboxPage = regexp.MustCompile(`<page width="([0-9.]+)"`)

// TestLongNameWraps: a 65-letter name stays inside the page on the cover,
// the front sheet and the summary ("The decision ... faces"), whole.
func TestLongNameWraps(t *testing.T) {
	needTools(t, "qpdf", "pdftotext")
	ctx := context.Background()
	s, _ := newStore(t)
	name := "Maria Fernanda Alexandrina Wolfeschlegelsteinhausen-Bergerdorffia"
	if len([]rune(name)) < 65 {
		t.Fatalf("name has %d letters", len([]rune(name)))
	}
	p := records.Person{FullName: name, PreparedBy: records.Preparer{Self: true}}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	c := records.Case{PersonID: p.ID, Decision: "Surgery or not", Question: "Which is better?"}
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "long.pdf")
	if _, err := export.WritePacket(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	for page := 1; page <= 4; page++ {
		b, err := exec.Command("pdftotext", "-bbox", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), out, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		m := bboxPage.FindSubmatch(b)
		if m == nil {
			t.Fatalf("no page size in pdftotext -bbox")
		}
		width, _ := strconv.ParseFloat(string(m[1]), 64)
		for _, w := range bboxWord.FindAllSubmatch(b, -1) {
			if x, _ := strconv.ParseFloat(string(w[2]), 64); x > width-18*72/25.4+1 {
				t.Errorf("page %d: a word ends at %.0f pt, past the right margin (page %.0f pt wide)", page, x, width)
			}
		}
	}
	text := plainText(t, out, 1, 4)
	for _, want := range []string{name, "The decision " + name + " faces"} {
		if !strings.Contains(text, want) {
			t.Errorf("packet lacks %q whole", want)
		}
	}
}

// TestTextWarnings: a name in a script the packet font lacks is warned
// about before export; Vietnamese (even typed decomposed), Greek and
// Cyrillic are not.
func TestTextWarnings(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		want string
	}{
		{"王小東", "the patient's name (王小東)"},
		{"محمد علي", "the patient's name"},
		{"Nguye\u0302\u0303n Thi\u0323 Ánh", ""},
		{"Ελένη Παπαδοπούλου", ""},
		{"Анна Иванова", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t)
			p := records.Person{FullName: tt.name}
			if err := s.SavePerson(ctx, &p); err != nil {
				t.Fatal(err)
			}
			got, err := export.TextWarnings(ctx, s, export.Options{PersonID: p.ID})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" && len(got) != 0 {
				t.Errorf("TextWarnings(%q) = %q, want none", tt.name, got)
			}
			if tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want) || !strings.Contains(got[0], "Latin letters")) {
				t.Errorf("TextWarnings(%q) = %q, want one sentence about %s", tt.name, got, tt.want)
			}
		})
	}
}
