package guide

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"secondopinion/records"
)

func TestLibrary(t *testing.T) {
	lib := Library()
	var moments []string
	for _, g := range lib {
		moments = append(moments, g.Moment)
		if g.Title == "" || g.Note == "" || len(g.Questions) < 3 {
			t.Errorf("group %q: title %q, note %q, %d suggestions; want a title, a note and at least 3", g.Moment, g.Title, g.Note, len(g.Questions))
		}
		seen := map[string]bool{}
		for _, q := range g.Questions {
			if len(q) > 140 {
				t.Errorf("group %q: %q is %d characters; keep suggestions short", g.Moment, q, len(q))
			}
			if seen[normal(q)] {
				t.Errorf("group %q has %q twice", g.Moment, q)
			}
			seen[normal(q)] = true
		}
	}
	if got := strings.Join(moments, ","); got != "referral,visit,differ" {
		t.Errorf("Library moments = %s, want referral,visit,differ", got)
	}
	for _, g := range lib {
		if g.Phrasing() != (g.Moment == MomentReferral) {
			t.Errorf("group %q Phrasing() = %v; only the referral group is phrasing for the current doctor", g.Moment, g.Phrasing())
		}
	}
	// What the issue asks the library to cover, by a word each must contain.
	wants := map[string][]string{
		MomentReferral: {"second opinion before we start treatment", "specialist you would see"},
		MomentVisit:    {"different from the first", "other treatments", "need any treatment", "side effects", "daily life", "how long", "another hospital", "how many people", "how often", "complications", "clinical trials"},
		MomentDiffer:   {"why do you recommend", "test results", "guidelines", "other people in the same situation", "together", "third opinion"},
	}
	for moment, words := range wants {
		g, ok := ForMoment(moment)
		if !ok {
			t.Fatalf("ForMoment(%q) found nothing", moment)
		}
		all := strings.ToLower(strings.Join(g.Questions, "\n"))
		for _, w := range words {
			if !strings.Contains(all, strings.ToLower(w)) {
				t.Errorf("group %q has no suggestion about %q", moment, w)
			}
		}
	}
	if !strings.Contains(strings.Join(DifferQuestions(), " "), "NCCN") {
		t.Errorf("DifferQuestions() does not name the cancer guidelines (NCCN, NCI)")
	}
	// Library hands out copies: a caller editing one cannot change the next.
	lib[1].Questions[0] = "changed"
	if Library()[1].Questions[0] == "changed" {
		t.Errorf("Library() shares its slices with callers")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text string
		steps      bool
	}{
		{"text before a group", "- Why?\n= visit | At the visit\n- How?", false},
		{"unknown moment", "= lunch | Lunch\n- Soup?", false},
		{"group without suggestions", "= visit | At the visit\nNote only.", false},
		{"header without title", "= visit\n- How?", false},
		{"unknown step", "= flying | Fly\nGo.", true},
		{"missing steps", "= not-started | Ask\nAsk.\n= urgent | U\nU.\n= pals | P\nP.", true},
		{"step with list lines", "= not-started | Ask\n- Ask.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.steps {
				_, _, err = parseSteps([]byte(tt.text))
			} else {
				_, err = parseLibrary([]byte(tt.text))
			}
			if err == nil {
				t.Errorf("parsing %q = no error, want one", tt.text)
			}
		})
	}
}

func TestSteps(t *testing.T) {
	steps := Steps()
	if len(steps) != len(records.ReferralSteps) {
		t.Fatalf("Steps() has %d steps, want one per referral status (%d)", len(steps), len(records.ReferralSteps))
	}
	for i, s := range steps {
		if s.Status != records.ReferralStatus(i) || s.Title == "" || s.Todo == "" {
			t.Errorf("Steps()[%d] = %+v, want status %d with a title and what to do", i, s, i)
		}
	}
	tests := []struct {
		status records.ReferralStatus
		want   string // a phrase what to do now must contain
	}{
		{records.RefNotStarted, "referral"},
		{records.RefNotStarted, "NHS"},
		{records.RefAskedDoctor, "insurance"},
		{records.RefReferralSent, "scans on a disc"},
		{records.RefReferralSent, "note each request"},
		{records.RefRecordsSent, "received your records"},
		{records.RefRecordsReceived, "questions"},
		{records.RefSeen, "Write down what the second doctor said"},
	}
	for _, tt := range tests {
		got := Next(records.Case{Status: tt.status})
		if got.Status != tt.status || !strings.Contains(got.Title+" "+got.Todo, tt.want) {
			t.Errorf("Next(status %s) = %+v, want it to mention %q", tt.status.Label(), got, tt.want)
		}
	}
	if got := Next(records.Case{Status: 99}); got.Status != records.RefDecided {
		t.Errorf("Next(unknown status 99) = %v, want the last step", got.Status.Label())
	}
}

func TestReminders(t *testing.T) {
	tests := []struct {
		name       string
		c          records.Case
		wantUrgent bool
		wantPALS   bool
	}{
		{"nothing to remind", records.Case{Status: records.RefAppointmentBooked}, false, false},
		{"urgent while waiting", records.Case{Urgent: true, Status: records.RefRecordsSent}, true, false},
		{"urgent but already seen", records.Case{Urgent: true, Status: records.RefSeen}, false, false},
		{"referral still to get", records.Case{ViaReferral: true, Status: records.RefAskedDoctor}, false, true},
		{"referral already sent", records.Case{ViaReferral: true, Status: records.RefReferralSent}, false, false},
		{"not through a referral", records.Case{Status: records.RefNotStarted}, false, false},
		{"both", records.Case{Urgent: true, ViaReferral: true}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(Reminders(tt.c), "\n")
			if has := strings.Contains(got, "Do not put off tests or treatment"); has != tt.wantUrgent {
				t.Errorf("Reminders(%+v) urgent reminder = %v, want %v:\n%s", tt.c, has, tt.wantUrgent, got)
			}
			if has := strings.Contains(got, "Patient Advice and Liaison Service (PALS)"); has != tt.wantPALS {
				t.Errorf("Reminders(%+v) PALS = %v, want %v:\n%s", tt.c, has, tt.wantPALS, got)
			}
		})
	}
}

func TestAddFromLibrary(t *testing.T) {
	ctx := context.Background()
	s, err := records.Open(ctx, filepath.Join(t.TempDir(), "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	p := records.Person{FullName: "Ana Example"}
	if err := s.SavePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	c := records.Case{PersonID: p.ID, Title: "Breast lump"}
	if err := s.SaveCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	own := records.Question{CaseID: c.ID, Text: "Are there clinical trials I could join"}
	if _, err := s.AddQuestion(ctx, &own); err != nil {
		t.Fatal(err)
	}
	visit, _ := ForMoment(MomentVisit)
	tests := []struct {
		name      string
		texts     []string
		wantAdded int
		wantTotal int
	}{
		{"the whole group; the user's own wording of one is kept", visit.Questions, len(visit.Questions) - 1, len(visit.Questions)},
		{"the same again adds nothing", visit.Questions, 0, len(visit.Questions)},
		{"the same twice in one go lands once", []string{DifferQuestions()[0], " " + strings.ToUpper(DifferQuestions()[0]), ""}, 1, len(visit.Questions) + 1},
		{"an edited suggestion is new", []string{"Are there other treatments I could have, at home?"}, 1, len(visit.Questions) + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			added, err := AddFromLibrary(ctx, s, c.ID, tt.texts)
			if err != nil || added != tt.wantAdded {
				t.Errorf("AddFromLibrary(%d texts) = %d, %v; want %d, nil", len(tt.texts), added, err, tt.wantAdded)
			}
			qs, err := s.Questions(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(qs) != tt.wantTotal {
				t.Errorf("after AddFromLibrary the case has %d questions, want %d", len(qs), tt.wantTotal)
			}
		})
	}
	qs, err := s.Questions(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if qs[0].Text != own.Text || qs[1].Text != visit.Questions[0] || qs[1].Category != visit.Title {
		t.Errorf("questions start %q, %q (category %q); want the user's own first, then the library's in order with the group as category",
			qs[0].Text, qs[1].Text, qs[1].Category)
	}
	if _, err := AddFromLibrary(ctx, s, "no-such-case", visit.Questions[:1]); err == nil {
		t.Errorf("AddFromLibrary(unknown case) = nil error, want one")
	}
}
