package export_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/guide"
)

// cmpLibrary makes a person with a case and the given opinions.
func cmpLibrary(t *testing.T, paper records.Paper, ops ...records.Opinion) (*records.Store, records.Person, records.Case) {
	t.Helper()
	ctx := context.Background()
	s, _ := newStore(t)
	p := records.Person{FullName: "Ελένη Παπαδοπούλου", DateOfBirth: records.MustDate("1950-05-03")}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	c := records.Case{PersonID: p.ID, Title: "Breast lump, 2026", Packet: records.PacketSettings{Paper: paper}}
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		o.CaseID = c.ID
		if err := s.SaveOpinion(ctx, &o); err != nil {
			t.Fatal(err)
		}
	}
	return s, p, c
}

var (
	cmpFirst = records.Opinion{Clinician: records.Doctor{Name: "Mr Alan Reid", Specialty: "Breast surgery", Hospital: "St Mary's Hospital"},
		Date: records.MustDate("2026-10-02"), Diagnosis: "Invasive ductal carcinoma, grade 2, 24 mm, oestrogen receptor positive",
		Treatment: "Mastectomy with sentinel node biopsy, then hormone therapy for five years", Notes: "Would like to operate within four weeks."}
	cmpSecond = records.Opinion{Clinician: records.Doctor{Name: "Prof. Mira Sato", Specialty: "Breast oncology", Hospital: "Royal Marsden"},
		Date: records.MustDate("2026-11-12"), Diagnosis: "invasive ductal carcinoma, grade 2, 24 mm, oestrogen-receptor positive.",
		Treatment: "Three months of letrozole first to shrink the tumour, then breast-conserving surgery and radiotherapy", Notes: "Suggests asking about the POETIC-2 trial."}
)

func TestWriteComparison(t *testing.T) {
	needTools(t, "qpdf", "pdftotext", "pdfinfo")
	tests := []struct {
		name      string
		paper     records.Paper
		second    records.Opinion
		wantMarks string // the compared rows' labels, each followed by its mark
	}{
		{"treatment differs, A4", records.PaperA4, cmpSecond, "Diagnosis Same Recommended treatment Differs"},
		{"all agree, Letter", records.PaperLetter, records.Opinion{Clinician: cmpSecond.Clinician, Diagnosis: cmpFirst.Diagnosis, Treatment: cmpFirst.Treatment},
			"Diagnosis Same Recommended treatment Same"},
		{"diagnosis recorded by one only", records.PaperA4, records.Opinion{Clinician: cmpSecond.Clinician, Treatment: "Watch and wait"}, "Diagnosis Recommended treatment Differs"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, p, c := cmpLibrary(t, tt.paper, cmpFirst, tt.second)
			out := filepath.Join(t.TempDir(), fmt.Sprintf("comparison-%d-%s.pdf", i+1, tt.paper))
			res, err := export.WriteComparison(ctx, s, out, export.Options{PersonID: p.ID, CaseID: c.ID, Now: fixedNow})
			if err != nil {
				t.Fatalf("WriteComparison = %v", err)
			}
			keep(t, out)
			qpdfCheck(t, out)
			if got := pdfPages(t, out); got != res.Pages || got < 1 || got > 2 {
				t.Errorf("comparison has %d pages (Result says %d), want 1 or 2", got, res.Pages)
			}
			if st, err := os.Stat(out); err != nil || st.Size() != res.Bytes {
				t.Errorf("Result.Bytes = %d, file is %v (%v)", res.Bytes, st, err)
			}
			wantSize := map[records.Paper]string{records.PaperA4: "(A4)", records.PaperLetter: "612 x 792"}[tt.paper]
			if got := pdfInfo(t, out)["Page size"]; !strings.Contains(got, wantSize) {
				t.Errorf("page size = %q, want %s", got, wantSize)
			}
			text := pdfText(t, out, 1, res.Pages)
			flat := strings.Join(strings.Fields(text), " ")
			for _, want := range []string{"Comparing the opinions", "First opinion", "Second opinion", "Mr Alan Reid", "Prof. Mira Sato",
				"Ελένη Παπαδοπούλου", "born 3 May 1950", "Questions to ask each doctor", "Page 1 of " + string(rune('0'+res.Pages))} {
				if !strings.Contains(flat, want) {
					t.Errorf("comparison text lacks %q:\n%s", want, text)
				}
			}
			for _, q := range guide.DifferQuestions() {
				words := strings.Fields(q) // the first words, before any line break
				if !strings.Contains(flat, strings.Join(words[:min(4, len(words))], " ")) {
					t.Errorf("comparison lacks the question %q", q)
				}
			}
			// The mark stands alone at the start of a line, under the row's
			// label (the label may wrap: "Recommended" / "treatment").
			marks := regexp.MustCompile(`(?m)^\s*(Diagnosis|Recommended|treatment|Differs|Same)\b`).FindAllStringSubmatch(text, -1)
			var seq []string
			for _, m := range marks {
				seq = append(seq, m[1])
			}
			got := strings.Join(seq, " ")
			if want := tt.wantMarks; got != want {
				t.Errorf("table labels and marks read %q, want %q:\n%s", got, want, text)
			}
			log, err := s.Exports(ctx, c.ID)
			if err != nil || len(log) != 1 || log[0].Kind != "comparison" || log[0].To != "Mr Alan Reid, Breast surgery, St Mary's Hospital" {
				t.Errorf("packet log after WriteComparison = %+v, %v; want one comparison for the first doctor", log, err)
			}
		})
	}
}

func TestWriteComparisonRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		ops      []records.Opinion
		noCase   bool
		wantText string
	}{
		{"no opinions", nil, false, "no opinion is recorded"},
		{"one opinion", []records.Opinion{cmpFirst}, false, "only one opinion is recorded"},
		{"no case chosen", []records.Opinion{cmpFirst, cmpSecond}, true, "Choose which second-opinion request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p, c := cmpLibrary(t, records.PaperA4, tt.ops...)
			opt := export.Options{PersonID: p.ID, CaseID: c.ID}
			if tt.noCase {
				opt.CaseID = ""
			}
			out := filepath.Join(t.TempDir(), "comparison.pdf")
			_, err := export.WriteComparison(ctx, s, out, opt)
			var pr *records.Problem
			if !errors.As(err, &pr) || !strings.Contains(pr.Msg, tt.wantText) {
				t.Errorf("WriteComparison = %v, want a sentence containing %q", err, tt.wantText)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused comparison left a file at %s", out)
			}
		})
	}
}
