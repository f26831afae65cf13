package records

import "context"

// FieldConflict is one field that was changed in two places at once: in
// the form the user is typing in, and elsewhere (another command) since the
// form was filled. The user's version is kept; the other is here, so they
// can choose.
type FieldConflict struct {
	Label  string // "Diagnosis as told"
	Yours  string // what the form holds (saved)
	Theirs string // what was stored meanwhile (kept here, not lost)
}

// caseText are a case's typed-in text fields, with a label for people and
// a way to get and set each.
var caseText = []struct {
	label string
	field func(*Case) *string
}{
	{"Name of this case", func(c *Case) *string { return &c.Title }},
	{"Diagnosis as told", func(c *Case) *string { return &c.Diagnosis }},
	{"Treatment plan", func(c *Case) *string { return &c.TreatmentPlan }},
	{"Your question for the second doctor", func(c *Case) *string { return &c.Question }},
	{"Stage, grade and markers", func(c *Case) *string { return &c.DiagnosisDetail }},
	{"Treatment so far", func(c *Case) *string { return &c.TreatmentSoFar }},
	{"Decision you face", func(c *Case) *string { return &c.Decision }},
	{"Other reason", func(c *Case) *string { return &c.ReasonOther }},
	{"Coverage", func(c *Case) *string { return &c.Coverage }},
	{"Where the appointment is", func(c *Case) *string { return &c.AppointmentAt }},
	{"First doctor", func(c *Case) *string { return &c.FirstDoctor.Name }},
	{"First doctor's specialty", func(c *Case) *string { return &c.FirstDoctor.Specialty }},
	{"First doctor's hospital", func(c *Case) *string { return &c.FirstDoctor.Hospital }},
	{"Second-opinion doctor", func(c *Case) *string { return &c.SecondDoctor.Name }},
	{"Second-opinion doctor's specialty", func(c *Case) *string { return &c.SecondDoctor.Specialty }},
	{"Second-opinion doctor's hospital", func(c *Case) *string { return &c.SecondDoctor.Hospital }},
}

// SaveCaseEdits saves a case edited in a form without writing stale values
// over newer stored ones. loaded is the case as the form was filled; c is
// the form now. A text field changed elsewhere since (stored differs from
// loaded) but not in the form keeps the stored value (c is updated); one
// changed in both places keeps the form's value and is returned as a
// FieldConflict with the other, so nothing anyone typed is lost.
func (s *Store) SaveCaseEdits(ctx context.Context, loaded Case, c *Case) ([]FieldConflict, error) {
	normalize(c)
	stored, err := s.Case(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var conflicts []FieldConflict
	for _, f := range caseText {
		was, now, mine := *f.field(&loaded), *f.field(&stored), f.field(c)
		if now == was || now == *mine {
			continue // nobody else changed it, or both made the same change
		}
		if *mine == was {
			*mine = now // changed elsewhere only: keep the newer stored value
			continue
		}
		conflicts = append(conflicts, FieldConflict{Label: f.label, Yours: *mine, Theirs: now})
	}
	// The diagnosis date follows the same rule as the text fields.
	if was, now := loaded.DiagnosedOn, stored.DiagnosedOn; now != was && now != c.DiagnosedOn {
		if c.DiagnosedOn == was {
			c.DiagnosedOn = now
		} else {
			conflicts = append(conflicts, FieldConflict{Label: "Date of diagnosis", Yours: c.DiagnosedOn.String(), Theirs: now.String()})
		}
	}
	// Marks set elsewhere (readiness "does not apply") are kept too: the
	// form does not edit them.
	c.NotApplicable = stored.NotApplicable
	return conflicts, s.SaveCase(ctx, c)
}
