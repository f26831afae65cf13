package export

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/go-fonts/dejavu/dejavusans"
	"golang.org/x/image/font/sfnt"

	"secondopinion/records"
)

// drawClinical draws the clinical front sheet: one page in the order a
// referral letter uses, so the second doctor reads first what the patient
// asks and what matters for safety. Allergies come first, in a box: a
// safety fact is not left to the bottom of a page.
func drawClinical(d *doc, p *packet, pl *plan) {
	d.heading(secFront)
	c := p.kase
	if c == nil {
		c = &records.Case{}
	}
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	who := p.person.FullName
	if !p.person.DateOfBirth.IsZero() {
		who += ", born " + p.person.DateOfBirth.Human()
	}
	d.text(who, 10.5, 5.2, "", 0)
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.Ln(2)

	allergyBox(d, p)

	d.subheading("What I would like you to help me decide")
	if q := strings.TrimSpace(c.Question); q != "" {
		quote(d, q)
	} else {
		d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
		d.text("Not written yet. The patient can write it here, for example: \"Is surgery now the right choice, or can I wait?\", "+
			"\"Is there a treatment with fewer side effects?\", \"Is the diagnosis certain?\"", 10, 5, "", 0)
		d.pdf.SetTextColor(inkText, inkText, inkText)
		d.ruled(3, 8)
	}

	const lw = 48
	d.subheading("Diagnosis as told")
	if diag := strings.TrimSpace(c.Diagnosis); diag == "" {
		para(d, "")
	} else {
		d.text(diag, 10.5, 5.2, "", 0)
	}
	told := ""
	if !c.DiagnosedOn.IsZero() {
		told = c.DiagnosedOn.Human()
	}
	if !c.FirstDoctor.IsZero() {
		told = joinNonEmpty(", by ", told, doctorText(c.FirstDoctor))
	}
	d.pdf.Ln(0.8)
	smallField(d, "Told", told, lw)
	smallField(d, "Stage, grade, markers", c.DiagnosisDetail, lw)

	d.subheading("Treatment")
	fieldOr(d, "So far", c.TreatmentSoFar, lw)
	fieldOr(d, "First team proposes", c.TreatmentPlan, lw)
	fieldOr(d, "Decision faced", c.Decision, lw)

	d.subheading("Other conditions, implants and devices")
	var conds, devs []string
	for _, h := range p.history {
		s := h.Name
		if !h.Date.IsZero() {
			if h.Kind == records.HistoryDevice {
				s += " (fitted " + h.Date.Human() + ")"
			} else {
				s += " (since " + h.Date.Human() + ")"
			}
		}
		if n := strings.TrimSpace(h.Notes); n != "" {
			s += ": " + n
		}
		if h.Kind == records.HistoryDevice {
			devs = append(devs, s)
		} else {
			conds = append(conds, s)
		}
	}
	fieldOr(d, "Other conditions", strings.Join(conds, "\n"), lw)
	fieldOr(d, "Implants, devices", strings.Join(devs, "\n"), lw)

	d.subheading("Body and daily life")
	fieldOr(d, "Height and weight", bodyText(p.person.Body), lw)
	act := p.person.Body.Activity
	day := ""
	if act != records.ActivityNotRecorded {
		day = fmt.Sprintf("%s (ECOG %d)", act.Label(), act.ECOG())
	}
	fieldOr(d, "Day to day", day, lw)
}

// fieldOr is a field that says "Not recorded" rather than vanish: on the
// front sheet an empty line is information too.
func fieldOr(d *doc, label, value string, lw float64) {
	if strings.TrimSpace(value) == "" {
		value = notRecorded
	}
	smallField(d, label, value, lw)
}

// smallField is doc.field a little smaller, so the front sheet stays on
// one page of Letter paper as well as A4.
func smallField(d *doc, label, value string, lw float64) {
	if strings.TrimSpace(value) == "" {
		return
	}
	const lh = 5.1
	d.pdf.SetFont(font, "", 10.5)
	lines := d.wrap(value, d.g.contentW()-lw)
	d.room(float64(len(lines))*lh, nil)
	y := d.y()
	d.pdf.SetXY(d.g.left, y)
	d.pdf.SetFont(font, "B", 9.5)
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.cell(lw, lh, label, "", 0, "L", false, 0, "")
	if value != notRecorded {
		d.pdf.SetTextColor(inkText, inkText, inkText)
	}
	d.pdf.SetFont(font, "", 10.5)
	for i, line := range lines {
		d.pdf.SetXY(d.g.left+lw, y+float64(i)*lh)
		d.cell(d.g.contentW()-lw, lh, line, "", 0, "L", false, 0, "")
	}
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.SetXY(d.g.left, y+float64(len(lines))*lh+0.8)
}

// quote writes the patient's own words a little larger, with a bar beside
// them.
func quote(d *doc, s string) {
	d.pdf.SetFont(font, "", 12)
	lines := d.wrap(s, d.g.contentW()-6)
	const lh = 6.2
	d.room(float64(min(len(lines), 3))*lh, nil)
	y := d.y()
	d.pdf.SetX(d.g.left + 5)
	d.text(s, 12, lh, "", d.g.contentW()-6)
	d.pdf.SetFillColor(0, 0, 0)
	if d.y() > y {
		d.pdf.Rect(d.g.left, y+0.5, 1.5, d.y()-y-1, "F")
	}
	d.pdf.SetX(d.g.left)
}

// bodyText is "163 cm, 71.5 kg (BMI 26.9), measured 22 September 2026".
func bodyText(b records.Body) string {
	var parts []string
	if b.HeightCM > 0 {
		parts = append(parts, num(b.HeightCM)+" cm")
	}
	if b.WeightKG > 0 {
		parts = append(parts, num(b.WeightKG)+" kg")
	}
	s := strings.Join(parts, ", ")
	if s == "" {
		return ""
	}
	if b.HeightCM > 0 && b.WeightKG > 0 {
		m := b.HeightCM / 100
		s += fmt.Sprintf(" (BMI %.1f)", b.WeightKG/(m*m))
	}
	if !b.MeasuredOn.IsZero() {
		s += ", measured " + b.MeasuredOn.Human()
	} else {
		s += ", date not recorded"
	}
	return s
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// allergyRank orders allergies most severe first: severe (or anaphylaxis),
// moderate, not said, mild.
func allergyRank(a records.Allergy) int {
	s := strings.ToLower(a.Severity + " " + a.Reaction)
	switch {
	case strings.Contains(s, "severe") || strings.Contains(s, "anaphyla") || strings.Contains(s, "life"):
		return 0
	case strings.Contains(s, "moderate"):
		return 1
	case strings.Contains(s, "mild"):
		return 3
	}
	return 2
}

// allergyLines are the allergy box's lines, most severe first; a person
// with none known or none recorded gets one line saying which.
func allergyLines(p *packet) []string {
	switch {
	case len(p.allergies) > 0:
		as := append([]records.Allergy(nil), p.allergies...)
		sort.SliceStable(as, func(i, j int) bool { return allergyRank(as[i]) < allergyRank(as[j]) })
		var out []string
		for _, a := range as {
			s := strings.ToUpper(a.Substance)
			if r := strings.TrimSpace(a.Reaction); r != "" {
				s += ": " + r
			}
			if sev := strings.TrimSpace(a.Severity); sev != "" {
				s += " (" + sev + ")"
			}
			out = append(out, s)
		}
		return out
	case p.person.Allergies == records.AllergiesNoneKnown:
		return []string{"No known allergies (the patient has said so)."}
	default:
		return []string{"NOT RECORDED YET: nobody has said whether there are allergies. Please ask before prescribing."}
	}
}

// allergyBox draws the allergies in a heavy-bordered grey box.
func allergyBox(d *doc, p *packet) {
	lines := allergyLines(p)
	w := d.g.contentW()
	d.pdf.SetFont(font, "B", 11)
	var wrapped []string
	for _, l := range lines {
		wrapped = append(wrapped, d.wrap(l, w-8)...)
	}
	const lh, pad = 5.6, 3.0
	h := 6 + float64(len(wrapped))*lh + 2*pad
	d.room(h, nil)
	x, y := d.g.left, d.y()
	d.pdf.SetFillColor(fillBand, fillBand, fillBand)
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetLineWidth(0.8)
	d.pdf.Rect(x, y, w, h, "FD")
	d.pdf.SetLineWidth(0.2)
	d.pdf.SetXY(x+4, y+pad)
	d.pdf.SetFont(font, "B", 9.5)
	d.cell(w-8, 6, "ALLERGIES AND INTOLERANCES", "", 2, "L", false, 0, "")
	d.pdf.SetFont(font, "B", 11)
	for _, l := range wrapped {
		d.pdf.SetX(x + 4)
		d.cell(w-8, lh, l, "", 2, "L", false, 0, "")
	}
	d.pdf.SetXY(d.g.left, y+h+2)
}

// dejavu is the packet font's glyph table, parsed once, for TextWarnings.
var dejavu = sync.OnceValues(func() (*sfnt.Font, error) { return sfnt.Parse(dejavusans.TTF) })

// undrawable returns the letters of s the packet's font has no glyph for
// (each once, in order), leaving out spaces, controls and what clean
// replaces anyway (beyond the Basic Multilingual Plane).
func undrawable(s string) []rune {
	f, err := dejavu()
	if err != nil {
		return nil
	}
	var buf sfnt.Buffer
	var out []rune
	seen := map[rune]bool{}
	for _, r := range records.NFC(s) {
		if r > 0xFFFF || unicode.IsSpace(r) || unicode.IsControl(r) || seen[r] {
			continue
		}
		// Arabic and Hebrew letters are in the font, but gofpdf neither
		// joins nor reorders them: they print left to right, unjoined,
		// which no reader can read.
		rtl := unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana, unicode.Nko)
		if gi, err := f.GlyphIndex(&buf, r); err == nil && (gi == 0 || rtl) {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// TextWarnings says, before an export, which names and notes hold letters
// the packet's font cannot draw (Chinese, Japanese, Korean, Arabic, Hebrew,
// Thai...): they would print as empty boxes on the cover and summary while
// the patient's own PDFs, merged as they are, keep theirs; Arabic and
// Hebrew would print unjoined and left to right. Each warning is
// a sentence for the user. DejaVu Sans covers Latin (Vietnamese too), Greek
// and Cyrillic; a font for every script would add tens of megabytes to the
// app, so the user is asked to add a Latin spelling instead.
func TextWarnings(ctx context.Context, s *records.Store, opt Options) ([]string, error) {
	p, err := load(ctx, s, opt)
	if err != nil {
		return nil, err
	}
	type field struct{ what, text string }
	fields := []field{{"the patient's name", p.person.FullName}, {"the patient's address", p.person.Address}}
	if !p.person.PreparedBy.Self {
		fields = append(fields, field{"the carer's name", p.person.PreparedBy.Name})
	}
	if c := p.kase; c != nil {
		fields = append(fields, field{"the question for the second doctor", c.Question}, field{"the diagnosis", c.Diagnosis},
			field{"the first doctor's name", c.FirstDoctor.Name}, field{"the second doctor's name", c.SecondDoctor.Name},
			field{"the treatment plan", c.TreatmentPlan}, field{"the decision faced", c.Decision})
		for _, r := range p.recipients {
			fields = append(fields, field{"a recipient of the opinion", r.Name + " " + r.Address})
		}
	}
	for _, m := range p.meds {
		fields = append(fields, field{"the medicine " + m.Name, m.Name + " " + m.Reason})
	}
	for _, a := range p.allergies {
		fields = append(fields, field{"an allergy", a.Substance + " " + a.Reaction})
	}
	for _, h := range p.history {
		fields = append(fields, field{"a condition or device", h.Name + " " + h.Notes})
	}
	for _, d := range p.docs {
		fields = append(fields, field{"the document title " + strconv.Quote(d.Title), d.Title})
	}
	var out []string
	for _, f := range fields {
		if bad := undrawable(f.text); len(bad) > 0 {
			out = append(out, fmt.Sprintf("Some letters in %s (%s) cannot be printed properly on the packet's own pages: they would show as empty boxes, "+
				"or (Arabic, Hebrew) unjoined and back to front. Add a spelling in Latin letters as well, for example in brackets, so the clinic can read it.", f.what, string(bad)))
		}
	}
	return out, nil
}

// resultsTable lists the key results the patient entered, newest first,
// with the document each came from (and where it is in this packet).
func resultsTable(d *doc, p *packet, pl *plan) {
	if len(p.results) == 0 {
		d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
		d.text("No key results have been entered (the reports below hold them).", 11, 5.8, "", 0)
		d.pdf.SetTextColor(inkText, inkText, inkText)
		return
	}
	where := map[string]string{}
	for i, pr := range pl.docs {
		s := docTitle(pr.doc)
		if at := pl.at(i); at.page > 0 {
			s += fmt.Sprintf(" (page %d)", at.page)
		}
		where[pr.doc.ID] = s
	}
	var rows [][]string
	for _, r := range p.results {
		from := ""
		if r.DocumentID != "" {
			if from = where[r.DocumentID]; from == "" {
				from = "a document not in this packet"
			}
		}
		rows = append(rows, []string{r.Date.Short(), r.Test, r.Value, r.Unit, r.Range, from})
	}
	d.table([]col{{"Date", 20, "L"}, {"Test", 27, "L"}, {"Result", 14, "L"}, {"Unit", 17, "L"}, {"Reference range", 18, "L"}, {"From", 38, "L"}}, rows)
}

// handoverTable says where what a PDF cannot carry stands: pathology
// slides and blocks, imaging discs.
func handoverTable(d *doc, p *packet) {
	if len(p.handovers) == 0 {
		d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
		d.text("None recorded: no slides, blocks or imaging discs have been asked for or sent.", 11, 5.8, "", 0)
		d.pdf.SetTextColor(inkText, inkText, inkText)
		return
	}
	var rows [][]string
	for _, h := range p.handovers {
		what := h.What
		if n := strings.TrimSpace(h.Notes); n != "" {
			what += " (" + n + ")"
		}
		asked := h.HeldBy
		if !h.AskedOn.IsZero() {
			asked = joinNonEmpty(", ", asked, "asked "+h.AskedOn.Short())
		}
		sent := h.SentTo
		if !h.SentOn.IsZero() {
			sent = joinNonEmpty(", ", sent, "sent "+h.SentOn.Short())
		}
		rows = append(rows, []string{what, asked, sent, h.State()})
	}
	d.table([]col{{"What", 34, "L"}, {"Asked of", 30, "L"}, {"Sent to", 30, "L"}, {"Where it stands", 30, "L"}}, rows)
}
