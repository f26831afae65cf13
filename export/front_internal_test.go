package export

import (
	"strings"
	"testing"

	"secondopinion/records"
)

// TestCleanComposes: decomposed accents (as some keyboards and macOS file
// names send Vietnamese) are drawn composed, one glyph per letter.
func TestCleanComposes(t *testing.T) {
	decomposed := "Nguye\u0302\u0303n Thi\u0323 A\u0301nh"
	if got, want := clean(decomposed), "Nguyễn Thị Ánh"; got != want {
		t.Errorf("clean(%q) = %q, want %q", decomposed, got, want)
	}
	if undrawable(decomposed) != nil {
		t.Errorf("undrawable(%q) = %q, want none", decomposed, undrawable(decomposed))
	}
}

func TestMedBrief(t *testing.T) {
	tests := []struct {
		name string
		m    records.Medication
		want string
	}{
		{"reason with brackets", records.Medication{Name: "Anastrozole", Strength: "1 mg", Dose: "1 tablet", Frequency: "once a day",
			Reason: "breast cancer (hormone therapy before surgery)"}, "Anastrozole 1 mg – 1 tablet once a day – for breast cancer (hormone therapy before surgery)"},
		{"slots", records.Medication{Name: "Metformin", Slots: records.SlotMorning | records.SlotEvening}, "Metformin – morning, evening"},
		{"paused since and why", records.Medication{Name: "Aspirin", Status: records.MedPaused, PausedOn: records.MustDate("2026-10-01"), PauseReason: "before surgery"},
			"Aspirin – paused since 1 October 2026: before surgery"},
		{"paused, nothing known", records.Medication{Name: "Aspirin", Status: records.MedPaused}, "Aspirin – paused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := medBrief(tt.m)
			if got != tt.want {
				t.Errorf("medBrief() = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "))") {
				t.Errorf("medBrief() = %q has doubled brackets", got)
			}
		})
	}
}
