package records

import (
	"context"
	"strings"
	"testing"
)

func TestCompareOpinions(t *testing.T) {
	first := Opinion{Position: 1, Clinician: Doctor{Name: "Dr Jane Okafor", Specialty: "Breast surgery", Hospital: "St Mary's"},
		Date: MustDate("2026-01-20"), Diagnosis: "Invasive ductal carcinoma, grade 2", Treatment: "Mastectomy, then tamoxifen", Notes: "Wants to operate soon"}
	tests := []struct {
		name          string
		second        Opinion
		wantDiagnosis bool // the diagnosis row differs
		wantTreatment bool
	}{
		{"same words", Opinion{Diagnosis: first.Diagnosis, Treatment: first.Treatment}, false, false},
		{"same but for case, spaces and punctuation", Opinion{Diagnosis: "invasive  ductal carcinoma grade 2.", Treatment: "MASTECTOMY then Tamoxifen"}, false, false},
		{"different treatment", Opinion{Diagnosis: first.Diagnosis, Treatment: "Lumpectomy and radiotherapy, then tamoxifen"}, false, true},
		{"different diagnosis", Opinion{Diagnosis: "Ductal carcinoma in situ", Treatment: first.Treatment}, true, false},
		{"both differ", Opinion{Diagnosis: "Ductal carcinoma in situ", Treatment: "Lumpectomy"}, true, true},
		{"not recorded is not a disagreement", Opinion{Diagnosis: "", Treatment: "  "}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.second.Position = 2
			tt.second.Clinician = Doctor{Name: "Prof. Lee", Hospital: "Royal Marsden"}
			cmp := CompareOpinions([]Opinion{first, tt.second})
			wantKeys := "clinician,date,diagnosis,treatment,notes"
			var keys []string
			for _, r := range cmp.Rows {
				keys = append(keys, r.Key)
				if len(r.Values) != 2 {
					t.Errorf("row %s has %d values, want one per opinion (2)", r.Key, len(r.Values))
				}
			}
			if got := strings.Join(keys, ","); got != wantKeys {
				t.Fatalf("CompareOpinions rows = %s, want %s", got, wantKeys)
			}
			for key, want := range map[string]bool{CompareDiagnosis: tt.wantDiagnosis, CompareTreatment: tt.wantTreatment,
				CompareClinician: false, CompareDate: false, CompareNotes: false} {
				r, _ := cmp.Row(key)
				if r.Differs != want {
					t.Errorf("CompareOpinions row %s Differs = %v, want %v (values %q)", key, r.Differs, want, r.Values)
				}
			}
			if got, want := cmp.Differs(), tt.wantDiagnosis || tt.wantTreatment; got != want {
				t.Errorf("Comparison.Differs() = %v, want %v", got, want)
			}
		})
	}
}

func TestCompareOpinionsValues(t *testing.T) {
	ops := []Opinion{
		{Position: 1, Clinician: Doctor{Name: "Dr Jane Okafor", Specialty: "Breast surgery", Hospital: "St Mary's"}, Date: MustDate("2026-01-20"), Diagnosis: "A"},
		{Position: 2, Clinician: Doctor{Hospital: "Royal Marsden"}, Diagnosis: "B"},
		{Position: 3, Diagnosis: "a"},
	}
	cmp := CompareOpinions(ops)
	want := map[string][]string{
		CompareClinician: {"Dr Jane Okafor, Breast surgery, St Mary's", "Royal Marsden", ""},
		CompareDate:      {"20 January 2026", "", ""},
		CompareDiagnosis: {"A", "B", "a"},
	}
	for key, w := range want {
		r, ok := cmp.Row(key)
		if !ok || strings.Join(r.Values, "|") != strings.Join(w, "|") {
			t.Errorf("CompareOpinions row %s values = %q, want %q", key, r.Values, w)
		}
	}
	if r, _ := cmp.Row(CompareDiagnosis); !r.Differs {
		t.Errorf("a third opinion that differs from the second must mark the diagnosis as differing")
	}
	if CompareOpinions(ops[:1]).Differs() || CompareOpinions(nil).Differs() {
		t.Errorf("one opinion, or none, cannot differ")
	}
}

func TestCompareStoredOpinions(t *testing.T) {
	ctx := context.Background()
	s, _, c := rdyStore(t)
	for _, o := range []Opinion{
		{CaseID: c.ID, Clinician: Doctor{Name: "Dr Okafor"}, Date: MustDate("2026-01-20"), Diagnosis: "Ductal carcinoma", Treatment: "Mastectomy"},
		{CaseID: c.ID, Clinician: Doctor{Name: "Prof. Lee"}, Date: MustDate("2026-03-02"), Diagnosis: "Ductal carcinoma", Treatment: "Lumpectomy and radiotherapy"},
	} {
		if err := s.SaveOpinion(ctx, &o); err != nil {
			t.Fatal(err)
		}
	}
	ops, err := s.Opinions(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	cmp := CompareOpinions(ops)
	r, _ := cmp.Row(CompareClinician)
	if strings.Join(r.Values, "|") != "Dr Okafor|Prof. Lee" {
		t.Errorf("stored opinions compare as %q, want the first opinion first", r.Values)
	}
	if !cmp.Differs() {
		t.Errorf("a mastectomy against a lumpectomy should differ")
	}
}
