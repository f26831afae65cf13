package records

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rdyNow is the fixed "today" of the guided-opinion tests.
var rdyNow = time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)

// rdyDocs returns one document of each kind the check knows, dated in 2026.
func rdyDocs(kinds ...Kind) []Document {
	var out []Document
	for i, k := range kinds {
		out = append(out, Document{ID: "doc-" + string(k), Kind: k, Title: k.Label(), Date: Date{Year: 2026, Month: 1, Day: i + 1}})
	}
	return out
}

var rdyAllKinds = []Kind{KindPathology, KindOperative, KindDischarge, KindImaging, KindImagingReport,
	KindResults, KindTreatmentPlan, KindMedicationList, KindReferral}

func rdyItem(t *testing.T, items []ReadyItem, key string) ReadyItem {
	t.Helper()
	for _, it := range items {
		if it.Key == key {
			return it
		}
	}
	t.Fatalf("CheckReadiness has no %q item; items: %v", key, rdyKeys(items))
	return ReadyItem{}
}

func rdyKeys(items []ReadyItem) []string {
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	return keys
}

func rdyWithout(kinds []Kind, drop ...Kind) []Kind {
	var out []Kind
next:
	for _, k := range kinds {
		for _, d := range drop {
			if k == d {
				continue next
			}
		}
		out = append(out, k)
	}
	return out
}

func TestCheckReadinessItems(t *testing.T) {
	fresh := []Medication{{Name: "Tamoxifen", Dose: "20 mg", Status: MedTaking, Updated: rdyNow.Add(-48 * time.Hour)}}
	tests := []struct {
		name       string
		c          Case
		kinds      []Kind
		meds       []Medication
		key        string
		want       ReadyState
		wantDocs   []string // IDs of the satisfying documents
		wantInNote string
	}{
		{"pathology present", Case{}, rdyAllKinds, fresh, ReadyPathology, ReadyPresent, []string{"doc-pathology"}, ""},
		{"pathology missing", Case{}, rdyWithout(rdyAllKinds, KindPathology), fresh, ReadyPathology, ReadyMissing, nil, "pathology report"},
		{"pathology not applicable", Case{NotApplicable: map[string]string{"pathology": "No biopsy was done"}},
			rdyWithout(rdyAllKinds, KindPathology), fresh, ReadyPathology, ReadyNotApplicable, nil, "No biopsy was done"},
		{"a document beats a not-applicable mark", Case{NotApplicable: map[string]string{"pathology": "No biopsy"}},
			rdyAllKinds, fresh, ReadyPathology, ReadyPresent, []string{"doc-pathology"}, ""},
		{"operative present", Case{}, rdyAllKinds, fresh, ReadyOperative, ReadyPresent, []string{"doc-operative"}, ""},
		{"operative missing", Case{}, rdyWithout(rdyAllKinds, KindOperative), fresh, ReadyOperative, ReadyMissing, nil, "operation"},
		{"operative not applicable", Case{NotApplicable: map[string]string{"operative": "No surgery"}},
			rdyWithout(rdyAllKinds, KindOperative), fresh, ReadyOperative, ReadyNotApplicable, nil, "No surgery"},
		{"discharge present", Case{}, rdyAllKinds, fresh, ReadyDischarge, ReadyPresent, []string{"doc-discharge"}, ""},
		{"discharge missing", Case{}, rdyWithout(rdyAllKinds, KindDischarge), fresh, ReadyDischarge, ReadyMissing, nil, "discharge summary"},
		{"discharge not applicable without reason", Case{NotApplicable: map[string]string{"discharge": " "}},
			rdyWithout(rdyAllKinds, KindDischarge), fresh, ReadyDischarge, ReadyNotApplicable, nil, ""},
		{"imaging present", Case{}, rdyAllKinds, fresh, ReadyImaging, ReadyPresent, []string{"doc-imaging"}, ""},
		{"imaging missing but report there", Case{}, rdyWithout(rdyAllKinds, KindImaging), fresh, ReadyImaging, ReadyMissing, nil, "pictures themselves"},
		{"imaging missing altogether", Case{}, rdyWithout(rdyAllKinds, KindImaging, KindImagingReport), fresh, ReadyImaging, ReadyMissing, nil, "disc"},
		{"imaging report present", Case{}, rdyAllKinds, fresh, ReadyImagingReport, ReadyPresent, []string{"doc-imaging-report"}, ""},
		{"imaging report missing but pictures there", Case{}, rdyWithout(rdyAllKinds, KindImagingReport), fresh, ReadyImagingReport, ReadyMissing, nil, "You have the pictures"},
		{"imaging report not applicable", Case{NotApplicable: map[string]string{"imaging-report": "No scans"}},
			rdyWithout(rdyAllKinds, KindImagingReport), fresh, ReadyImagingReport, ReadyNotApplicable, nil, "No scans"},
		{"results present", Case{}, rdyAllKinds, fresh, ReadyResults, ReadyPresent, []string{"doc-results"}, ""},
		{"results missing", Case{}, rdyWithout(rdyAllKinds, KindResults), fresh, ReadyResults, ReadyMissing, nil, "test results"},
		{"plan from treatment plan and clinic letter", Case{}, append(rdyAllKinds, KindClinicLetter), fresh, ReadyPlan, ReadyPresent,
			[]string{"doc-treatment-plan", "doc-clinic-letter"}, ""},
		{"plan from a clinic letter alone", Case{}, []Kind{KindClinicLetter}, fresh, ReadyPlan, ReadyPresent, []string{"doc-clinic-letter"}, ""},
		{"plan from the case's own words", Case{Diagnosis: "Ductal carcinoma", TreatmentPlan: "Surgery then radiotherapy"},
			rdyWithout(rdyAllKinds, KindTreatmentPlan), fresh, ReadyPlan, ReadyPresent, nil, "this case's details"},
		{"plan with a diagnosis but no plan", Case{Diagnosis: "Ductal carcinoma"},
			rdyWithout(rdyAllKinds, KindTreatmentPlan), fresh, ReadyPlan, ReadyMissing, nil, "not the treatment plan"},
		{"plan missing", Case{}, rdyWithout(rdyAllKinds, KindTreatmentPlan), fresh, ReadyPlan, ReadyMissing, nil, "treatment plan"},
		{"medications from entered medicines", Case{}, nil, fresh, ReadyMedications, ReadyPresent, nil, ""},
		{"medications from a list document", Case{}, []Kind{KindMedicationList}, nil, ReadyMedications, ReadyPresent, []string{"doc-medication-list"}, ""},
		{"medications missing", Case{}, nil, nil, ReadyMedications, ReadyMissing, nil, "doses"},
		{"medications not applicable", Case{NotApplicable: map[string]string{"medications": "Takes no medicines"}},
			nil, nil, ReadyMedications, ReadyNotApplicable, nil, "Takes no medicines"},
		{"referral present", Case{ViaReferral: true}, rdyAllKinds, fresh, ReadyReferral, ReadyPresent, []string{"doc-referral"}, ""},
		{"referral missing", Case{ViaReferral: true}, rdyWithout(rdyAllKinds, KindReferral), fresh, ReadyReferral, ReadyMissing, nil, "referral letter"},
		{"referral not applicable", Case{ViaReferral: true, NotApplicable: map[string]string{"referral": "Paying privately"}},
			rdyWithout(rdyAllKinds, KindReferral), fresh, ReadyReferral, ReadyNotApplicable, nil, "Paying privately"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := CheckReadiness(tt.c, rdyDocs(tt.kinds...), tt.meds, rdyNow)
			it := rdyItem(t, items, tt.key)
			if it.State != tt.want {
				t.Errorf("CheckReadiness(...)[%s].State = %v, want %v (note %q)", tt.key, it.State, tt.want, it.Note)
			}
			var ids []string
			for _, d := range it.Documents {
				ids = append(ids, d.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantDocs, ",") {
				t.Errorf("CheckReadiness(...)[%s].Documents = %v, want %v", tt.key, ids, tt.wantDocs)
			}
			if tt.wantInNote != "" && !strings.Contains(it.Note, tt.wantInNote) {
				t.Errorf("CheckReadiness(...)[%s].Note = %q, want it to mention %q", tt.key, it.Note, tt.wantInNote)
			}
			if tt.want == ReadyNotApplicable && it.Note != strings.TrimSpace(tt.c.NotApplicable[tt.key]) {
				t.Errorf("CheckReadiness(...)[%s].Note = %q, want the user's reason as written", tt.key, it.Note)
			}
			if tt.want == ReadyMissing && it.Note == "" {
				t.Errorf("CheckReadiness(...)[%s] is missing with no note telling the user what to do", tt.key)
			}
		})
	}
}

func TestCheckReadinessReferralOnlyWhenReferred(t *testing.T) {
	for _, via := range []bool{false, true} {
		items := CheckReadiness(Case{ViaReferral: via}, nil, nil, rdyNow)
		has := strings.Contains(strings.Join(rdyKeys(items), ","), ReadyReferral)
		if has != via {
			t.Errorf("CheckReadiness(ViaReferral=%v) lists the referral letter = %v, want %v", via, has, via)
		}
	}
	items := CheckReadiness(Case{ViaReferral: true}, nil, nil, rdyNow)
	if got := strings.Join(rdyKeys(items), ","); got != strings.Join(ReadyKeys, ",") {
		t.Errorf("CheckReadiness keys = %s, want %s in that order", got, strings.Join(ReadyKeys, ","))
	}
	for _, it := range items {
		if it.State != ReadyMissing {
			t.Errorf("with an empty library, %s is %v, want Missing", it.Key, it.State)
		}
	}
}

func TestCheckReadinessIgnoresTrash(t *testing.T) {
	docs := rdyDocs(KindPathology)
	docs[0].Trashed = true
	it := rdyItem(t, CheckReadiness(Case{}, docs, nil, rdyNow), ReadyPathology)
	if it.State != ReadyMissing {
		t.Errorf("a pathology report in the Trash makes the item %v, want Missing", it.State)
	}
}

func TestMedicationFreshness(t *testing.T) {
	tests := []struct {
		name     string
		updated  []time.Duration // before rdyNow, one per medication
		dose     string
		wantNote string // "" means the note must be empty
	}{
		{"changed yesterday", []time.Duration{24 * time.Hour}, "1 tablet", ""},
		{"changed exactly 30 days ago", []time.Duration{30 * 24 * time.Hour}, "1 tablet", ""},
		{"changed 45 days ago", []time.Duration{45 * 24 * time.Hour}, "1 tablet", "Last changed 45 days ago: review it before the appointment."},
		{"the newest change counts", []time.Duration{90 * 24 * time.Hour, 3 * 24 * time.Hour}, "1 tablet", ""},
		{"all old", []time.Duration{90 * 24 * time.Hour, 31*24*time.Hour + time.Hour}, "1 tablet", "Last changed 31 days ago"},
		{"no dose", []time.Duration{24 * time.Hour}, "", "One medicine you take has no dose: add it."},
		{"two without dose", []time.Duration{24 * time.Hour, 24 * time.Hour}, "", "2 medicines you take have no dose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var meds []Medication
			for _, ago := range tt.updated {
				meds = append(meds, Medication{Name: "Metformin", Dose: tt.dose, Status: MedTaking, Updated: rdyNow.Add(-ago)})
			}
			it := rdyItem(t, CheckReadiness(Case{}, nil, meds, rdyNow), ReadyMedications)
			if it.State != ReadyPresent {
				t.Fatalf("medications State = %v, want Present", it.State)
			}
			if tt.wantNote == "" && it.Note != "" {
				t.Errorf("medications Note = %q, want none", it.Note)
			}
			if tt.wantNote != "" && !strings.Contains(it.Note, tt.wantNote) {
				t.Errorf("medications Note = %q, want it to contain %q", it.Note, tt.wantNote)
			}
		})
	}
}

// rdyStore opens a new library in a temporary folder, with the clock at
// rdyNow, holding one person and one case referred for a second opinion.
func rdyStore(t *testing.T) (*Store, Person, Case) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return rdyNow }
	p := Person{FullName: "Ana Example", DateOfBirth: MustDate("1961-05-04")}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	c := Case{PersonID: p.ID, Title: "Breast lump, 2026", ViaReferral: true, Packet: PacketSettings{Paper: PaperA4}}
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	return s, p, c
}

// rdyAddDoc adds a one-page document (a small PNG made on the spot).
func rdyAddDoc(t *testing.T, s *Store, personID string, k Kind, date string) Document {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(1, 1, color.Gray{Y: 200})
	path := filepath.Join(t.TempDir(), string(k)+".png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	d := Document{PersonID: personID, Kind: k, Title: k.Label(), Date: MustDate(date)}
	if err := s.AddDocument(context.Background(), &d, []string{path}, AddOptions{Again: true}); err != nil {
		t.Fatalf("AddDocument(%s): %v", k, err)
	}
	return d
}

func TestStoreReadiness(t *testing.T) {
	ctx := context.Background()
	s, p, c := rdyStore(t)
	for _, k := range []Kind{KindImaging, KindImagingReport, KindResults, KindClinicLetter, KindReferral, KindDischarge} {
		rdyAddDoc(t, s, p.ID, k, "2026-02-01")
	}
	med := Medication{PersonID: p.ID, Name: "Letrozole", Strength: "2.5 mg", Dose: "1 tablet"}
	if err := s.SaveMedication(ctx, &med); err != nil {
		t.Fatal(err)
	}
	state := func(key string) ReadyItem {
		t.Helper()
		items, err := s.Readiness(ctx, c.ID)
		if err != nil {
			t.Fatalf("Readiness: %v", err)
		}
		return rdyItem(t, items, key)
	}

	// The library lacks the pathology report and the operation note.
	if it := state(ReadyPathology); it.State != ReadyMissing {
		t.Fatalf("pathology = %v, want Missing before the report is added", it.State)
	}
	if it := state(ReadyMedications); it.State != ReadyPresent || it.Note != "" {
		t.Errorf("medications = %v %q, want Present with no warning (changed today)", it.State, it.Note)
	}

	// Marking an item not applicable is kept, with its reason, and can be undone.
	if err := s.SetNotApplicable(ctx, c.ID, ReadyOperative, "No operation so far"); err != nil {
		t.Fatalf("SetNotApplicable: %v", err)
	}
	if it := state(ReadyOperative); it.State != ReadyNotApplicable || it.Note != "No operation so far" {
		t.Errorf("operative after SetNotApplicable = %v %q, want Not applicable with the reason", it.State, it.Note)
	}
	if err := s.SetNotApplicable(ctx, c.ID, ReadyOperative, "Biopsy only"); err != nil {
		t.Fatalf("SetNotApplicable again: %v", err)
	}
	got, err := s.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.NotApplicable[ReadyOperative] != "Biopsy only" || len(got.NotApplicable) != 1 {
		t.Errorf("Case.NotApplicable = %v, want only operative: Biopsy only", got.NotApplicable)
	}
	if err := s.ClearNotApplicable(ctx, c.ID, ReadyOperative); err != nil {
		t.Fatalf("ClearNotApplicable: %v", err)
	}
	if it := state(ReadyOperative); it.State != ReadyMissing {
		t.Errorf("operative after ClearNotApplicable = %v, want Missing", it.State)
	}

	// Adding the missing pathology report turns the item present.
	d := rdyAddDoc(t, s, p.ID, KindPathology, "2026-01-15")
	it := state(ReadyPathology)
	if it.State != ReadyPresent || len(it.Documents) != 1 || it.Documents[0].ID != d.ID {
		t.Errorf("pathology after adding the report = %v with %d documents, want Present with the report", it.State, len(it.Documents))
	}

	// A month and a half later, the medication list wants a review.
	s.Now = func() time.Time { return rdyNow.Add(45 * 24 * time.Hour) }
	if it := state(ReadyMedications); !strings.Contains(it.Note, "Last changed 45 days ago") {
		t.Errorf("medications note 45 days on = %q, want the review warning", it.Note)
	}
}

func TestNotApplicableErrors(t *testing.T) {
	ctx := context.Background()
	s, _, c := rdyStore(t)
	tests := []struct {
		name    string
		caseID  string
		key     string
		wantErr error
	}{
		{"unknown item", c.ID, "x-ray", ErrInvalid},
		{"unknown case", "no-such-case", ReadyPathology, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, call := range map[string]func() error{
				"SetNotApplicable":   func() error { return s.SetNotApplicable(ctx, tt.caseID, tt.key, "why") },
				"ClearNotApplicable": func() error { return s.ClearNotApplicable(ctx, tt.caseID, tt.key) },
			} {
				err := call()
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("%s(%q, %q) = %v, want %v", name, tt.caseID, tt.key, err, tt.wantErr)
				}
				var p *Problem
				if !errors.As(err, &p) {
					t.Errorf("%s(%q, %q) error %v is not a sentence for the user", name, tt.caseID, tt.key, err)
				}
			}
		})
	}
}

// TestCheckReadinessImagingStudies: a document holding imaging studies
// (a disc's) is the imaging whatever kind the user gave it, and a document
// of kind imaging (photos of a scan) is too; in the Trash, neither counts.
func TestCheckReadinessImagingStudies(t *testing.T) {
	disc := Document{ID: "disc", Kind: KindOther, Title: "CT chest", Studies: 2, Date: Date{Year: 2026, Month: 1, Day: 3}}
	photos := Document{ID: "photos", Kind: KindImaging, Title: "Ultrasound pictures", Date: Date{Year: 2026, Month: 1, Day: 4}}
	asReport := disc
	asReport.Kind = KindImagingReport
	trashed := disc
	trashed.Trashed = true
	tests := []struct {
		name       string
		docs       []Document
		imaging    []string // documents of the imaging item; nil: missing
		report     ReadyState
		reportNote string
	}{
		{"disc of kind other", []Document{disc}, []string{"disc"}, ReadyMissing, "You have the pictures"},
		{"disc of kind imaging report", []Document{asReport}, []string{"disc"}, ReadyPresent, ""},
		{"photos of kind imaging", []Document{photos}, []string{"photos"}, ReadyMissing, "You have the pictures"},
		{"both", []Document{disc, photos}, []string{"disc", "photos"}, ReadyMissing, "You have the pictures"},
		{"disc in the Trash", []Document{trashed}, nil, ReadyMissing, "written report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := CheckReadiness(Case{}, tt.docs, nil, rdyNow)
			it := rdyItem(t, items, ReadyImaging)
			var ids []string
			for _, d := range it.Documents {
				ids = append(ids, d.ID)
			}
			want := ReadyPresent
			if tt.imaging == nil {
				want = ReadyMissing
			}
			if it.State != want || strings.Join(ids, ",") != strings.Join(tt.imaging, ",") {
				t.Errorf("CheckReadiness(...)[imaging] = %v with %v, want %v with %v", it.State, ids, want, tt.imaging)
			}
			rep := rdyItem(t, items, ReadyImagingReport)
			if rep.State != tt.report || !strings.Contains(rep.Note, tt.reportNote) {
				t.Errorf("CheckReadiness(...)[imaging-report] = %v, note %q; want %v, a note with %q", rep.State, rep.Note, tt.report, tt.reportNote)
			}
		})
	}
}
