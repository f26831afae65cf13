package records

import "strings"

// Comparison sets opinions side by side: one row per fact, one column per
// opinion, first opinion first.
type Comparison struct {
	Opinions []Opinion
	Rows     []CompareRow
}

// CompareRow is one fact (the diagnosis, the recommended treatment...) as
// each opinion gives it.
type CompareRow struct {
	Key    string   // stable: "clinician", "date", "diagnosis", "treatment", "notes"
	Label  string   // "Recommended treatment"
	Values []string // one per opinion, in the order of Comparison.Opinions; "" when not recorded
	// Differs reports that at least two opinions give this fact differently.
	// Only the diagnosis and the recommended treatment are compared: doctors,
	// dates and notes always differ and say nothing about agreement. Case,
	// spacing and punctuation do not count as a difference, and an opinion
	// that does not record the fact neither agrees nor differs.
	Differs bool
	// AddsDetail reports that the opinions word the fact differently but one
	// only adds words to another ("DCIS" and "DCIS, grade 2, 15 mm"): more
	// detail, not a different view. Such a row does not count as differing.
	AddsDetail bool
	// MarkedAgree reports that the patient marked the row "these agree"
	// (Case.Agree); it then does not count as differing.
	MarkedAgree bool
}

// Comparison row keys.
const (
	CompareClinician = "clinician"
	CompareDate      = "date"
	CompareDiagnosis = "diagnosis"
	CompareTreatment = "treatment"
	CompareNotes     = "notes"
)

// CompareOpinions sets the opinions side by side in the order given (the
// Store lists them first opinion first).
func CompareOpinions(ops []Opinion) Comparison {
	cmp := Comparison{Opinions: append([]Opinion(nil), ops...)}
	rows := []struct {
		key, label string
		value      func(Opinion) string
		compared   bool
	}{
		{CompareClinician, "Doctor", func(o Opinion) string { return DoctorText(o.Clinician) }, false},
		{CompareDate, "Date", cmpOpinionDate, false},
		{CompareDiagnosis, "Diagnosis", func(o Opinion) string { return o.Diagnosis }, true},
		{CompareTreatment, "Recommended treatment", func(o Opinion) string { return o.Treatment }, true},
		{CompareNotes, "Notes", func(o Opinion) string { return o.Notes }, false},
	}
	for _, r := range rows {
		row := CompareRow{Key: r.key, Label: r.label, Values: make([]string, len(ops))}
		seen := map[string]bool{}
		for i, o := range ops {
			row.Values[i] = strings.TrimSpace(r.value(o))
			if n := normalQuestion(row.Values[i]); n != "" {
				seen[n] = true
			}
		}
		row.Differs = r.compared && len(seen) > 1
		if row.Differs && onlyAddsWords(seen) {
			row.Differs, row.AddsDetail = false, true
		}
		cmp.Rows = append(cmp.Rows, row)
	}
	return cmp
}

// onlyAddsWords reports whether every (normalised) value's words are all
// found in the one with the most words: each says the same as the longest,
// in fewer words.
func onlyAddsWords(values map[string]bool) bool {
	var longest []string
	for v := range values {
		if w := strings.Fields(v); len(w) > len(longest) {
			longest = w
		}
	}
	have := map[string]bool{}
	for _, w := range longest {
		have[w] = true
	}
	for v := range values {
		for _, w := range strings.Fields(v) {
			if !have[w] {
				return false
			}
		}
	}
	return true
}

// WithAgreed applies the patient's "these agree" marks (Case.Agree): a
// marked row no longer differs.
func (c Comparison) WithAgreed(marks map[string]bool) Comparison {
	out := c
	out.Rows = append([]CompareRow(nil), c.Rows...)
	for i, r := range out.Rows {
		if marks[r.Key] && (r.Differs || r.AddsDetail) {
			out.Rows[i].Differs, out.Rows[i].MarkedAgree = false, true
		}
	}
	return out
}

func cmpOpinionDate(o Opinion) string {
	if o.Date.IsZero() {
		return ""
	}
	return o.Date.Human()
}

// Differs reports whether the opinions disagree on the diagnosis or the
// recommended treatment.
func (c Comparison) Differs() bool {
	for _, r := range c.Rows {
		if r.Differs {
			return true
		}
	}
	return false
}

// Row returns the row with the given key, and whether there is one.
func (c Comparison) Row(key string) (CompareRow, bool) {
	for _, r := range c.Rows {
		if r.Key == key {
			return r, true
		}
	}
	return CompareRow{}, false
}

// DoctorText is a doctor as one line: "Dr Jane Okafor, Breast surgery, St
// Mary's Hospital", leaving out what is not known.
func DoctorText(d Doctor) string {
	var parts []string
	for _, p := range []string{d.Name, d.Specialty, d.Hospital} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
