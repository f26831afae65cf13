package export

import (
	"context"
	"fmt"
	"io"
	"strings"

	"secondopinion/records"
	"secondopinion/records/guide"
)

const cmpTitle = "Comparing the opinions"

// WriteComparison writes a short PDF setting a case's opinions side by side
// (first opinion first), marking the rows where the diagnosis or the
// recommended treatment differ with the word "Differs" and shading, and then
// the questions to ask each doctor when opinions differ, with space to write
// the answers. It is for taking back to the first doctor. The case needs at
// least two recorded opinions.
func WriteComparison(ctx context.Context, s *records.Store, out string, opt Options) (Result, error) {
	if err := CheckTarget(s, out); err != nil {
		return Result{}, err
	}
	if strings.TrimSpace(opt.CaseID) == "" {
		return Result{}, &records.Problem{Msg: "Choose which second-opinion request to compare the opinions of.", Err: records.ErrInvalid}
	}
	opt.Exclude = nil
	p, err := loadSheet(ctx, s, opt)
	if err != nil {
		return Result{}, err
	}
	ops := p.kase.Opinions
	if len(ops) < 2 {
		have := "no opinion is"
		if len(ops) == 1 {
			have = "only one opinion is"
		}
		return Result{}, &records.Problem{Msg: fmt.Sprintf("There is nothing to compare yet: %s recorded. Record the first and the second opinion, then make the comparison.", have), Err: records.ErrInvalid}
	}
	cmp := records.CompareOpinions(ops)
	if p.kase != nil {
		cmp = cmp.WithAgreed(p.kase.Agree)
	}
	draw := func(d *doc) { cmpDraw(d, p, cmp) }

	// Draw once to count the pages, then again with "Page X of Y".
	m := newDoc(p, footerText(p))
	m.pdf.SetFooterFunc(nil)
	m.newPage()
	draw(m)
	d := newDoc(p, footerText(p))
	d.total = m.pdf.PageNo()
	setMetadata(d, p, cmpTitle)
	d.newPage()
	draw(d)
	data, err := d.output()
	if err != nil {
		return Result{}, fail("comparison of opinions", err)
	}
	n, err := writeAtomic(ctx, s, out, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: out, Pages: d.pdf.PageNo(), Bytes: n}
	// It goes back to the doctor who gave the first opinion.
	logExport(ctx, s, opt, "comparison", doctorText(ops[0].Clinician), res)
	if opt.Progress != nil {
		opt.Progress(1, 1)
	}
	return res, nil
}

func cmpDraw(d *doc, p *packet, cmp records.Comparison) {
	c := p.kase
	d.heading(cmpTitle)
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	line := footerText(p)
	if t := strings.TrimSpace(c.Title); t != "" {
		line += "\nAbout: " + t
	}
	line += "\nPrepared on " + p.prepared.Format("2 January 2006")
	d.text(line, 10.5, 5.4, "", 0)
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.Ln(3)

	var differ []string
	for _, r := range cmp.Rows {
		if r.Differs {
			differ = append(differ, strings.ToLower(r.Label))
		}
	}
	intro := fmt.Sprintf("%s opinions are recorded. ", cmpCount(len(cmp.Opinions)))
	if len(differ) > 0 {
		which := "that row is"
		if len(differ) > 1 {
			which = "those rows are"
		}
		intro += fmt.Sprintf("They differ on the %s: %s shaded and marked \"Differs\".", strings.Join(differ, " and the "), which)
	} else {
		intro += "They agree on the diagnosis and the recommended treatment, as far as they were written down."
	}
	d.text(intro, 11, 5.8, "", 0)
	d.pdf.Ln(3)
	cmpTable(d, cmp)

	d.subheading("Questions to ask each doctor")
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.text("When opinions differ, these questions can help you understand why. There is space under each one for the answer.", 10, 5, "", 0)
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.Ln(2)
	for i, q := range guide.DifferQuestions() {
		questionBlock(d, i+1, q, 2)
	}
	// Lines for what else is said, in the room left on the last page.
	const gap = 8.5
	if n := min(int((d.bottom()-d.y()-14)/gap), 8); n >= 3 {
		d.subheading("Notes")
		d.ruled(n, gap)
	}
}

// cmpCount is a count for the start of a sentence.
func cmpCount(n int) string {
	words := []string{"No", "One", "Two", "Three", "Four", "Five", "Six"}
	if n < len(words) {
		return words[n]
	}
	return fmt.Sprint(n)
}

// cmpTable draws the comparison: a header row naming each opinion, then
// one row per fact. A row that differs is shaded and says "Differs" under
// its label, so the mark survives a black-and-white printer and does not
// rely on colour; a compared row on which every opinion agrees says
// "Same". Rows never split across pages, and the header repeats.
func cmpTable(d *doc, cmp records.Comparison) {
	const labelW, pad, lh, size = 34.0, 1.5, 4.8, 9.5
	n := len(cmp.Opinions)
	colW := (d.g.contentW() - labelW) / float64(n)
	header := func() {
		d.pdf.SetFont(font, "B", 9.5)
		d.pdf.SetFillColor(fillHead, fillHead, fillHead)
		d.pdf.SetDrawColor(ruleGrey, ruleGrey, ruleGrey)
		d.pdf.SetLineWidth(0.2)
		x, y := d.g.left, d.y()
		const h = 7.0
		d.pdf.Rect(x, y, labelW, h, "FD")
		x += labelW
		for _, o := range cmp.Opinions {
			d.pdf.Rect(x, y, colW, h, "FD")
			d.pdf.SetXY(x+pad, y+1.2)
			d.pdf.CellFormat(colW-2*pad, lh, d.fit(cmpHeading(o.Position), colW-2*pad), "", 0, "L", false, 0, "")
			x += colW
		}
		d.pdf.SetXY(d.g.left, y+h)
	}
	d.room(30, nil)
	header()
	for _, r := range cmp.Rows {
		mark := ""
		switch {
		case r.Differs:
			mark = "Differs"
		case r.MarkedAgree:
			mark = "Agree (marked by the patient)"
		case r.AddsDetail:
			mark = "Same, one adds detail"
		case cmpAgree(r):
			mark = "Same"
		}
		d.pdf.SetFont(font, "", size)
		cells := make([][]string, n)
		empty := make([]bool, n)
		lines := 1
		for i, v := range r.Values {
			if strings.TrimSpace(v) == "" {
				v, empty[i] = notRecorded, true
			}
			cells[i] = d.wrap(v, colW-2*pad)
			lines = max(lines, len(cells[i]))
		}
		d.pdf.SetFont(font, "B", size)
		label := d.wrap(r.Label, labelW-2*pad-2)
		marks := 0
		if mark != "" {
			// The mark wraps like the label: "Agree (marked by the patient)"
			// is wider than the column.
			m := d.wrap(mark, labelW-2*pad-2)
			marks = len(m)
			label = append(label, m...)
		}
		lines = max(lines, len(label))
		h := float64(lines)*lh + 2*pad
		d.room(h, header)
		x, y := d.g.left, d.y()
		style := "D"
		if r.Differs {
			style = "FD"
			d.pdf.SetFillColor(fillBand, fillBand, fillBand)
		}
		d.pdf.SetDrawColor(ruleGrey, ruleGrey, ruleGrey)
		d.pdf.SetLineWidth(0.2)
		d.pdf.Rect(x, y, labelW, h, style)
		if r.Differs {
			// A black edge bar, as on document bands, for a second cue.
			d.pdf.SetFillColor(0, 0, 0)
			d.pdf.Rect(x, y, 1.5, h, "F")
		}
		for j, l := range label {
			st := "B"
			if j >= len(label)-marks && mark != "Differs" {
				st = ""
				d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
			}
			d.pdf.SetFont(font, st, size)
			d.pdf.SetXY(x+pad+2, y+pad+float64(j)*lh)
			d.pdf.CellFormat(labelW-2*pad-2, lh, l, "", 0, "L", false, 0, "")
			d.pdf.SetTextColor(inkText, inkText, inkText)
		}
		x += labelW
		d.pdf.SetFont(font, "", size)
		for i := range cells {
			if r.Differs {
				d.pdf.SetFillColor(fillBand, fillBand, fillBand)
			}
			d.pdf.Rect(x, y, colW, h, style)
			if empty[i] {
				d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
			}
			for j, l := range cells[i] {
				d.pdf.SetXY(x+pad, y+pad+float64(j)*lh)
				d.pdf.CellFormat(colW-2*pad, lh, l, "", 0, "L", false, 0, "")
			}
			d.pdf.SetTextColor(inkText, inkText, inkText)
			x += colW
		}
		d.pdf.SetXY(d.g.left, y+h)
	}
	d.pdf.Ln(4)
}

// cmpHeading names an opinion's column: "First opinion", "Second opinion".
func cmpHeading(position int) string {
	words := []string{"First", "Second", "Third", "Fourth", "Fifth", "Sixth"}
	if position >= 1 && position <= len(words) {
		return words[position-1] + " opinion"
	}
	return fmt.Sprintf("Opinion %d", position)
}

// cmpAgree reports whether a compared row has every opinion's value and
// they do not differ.
func cmpAgree(r records.CompareRow) bool {
	if r.Key != records.CompareDiagnosis && r.Key != records.CompareTreatment {
		return false
	}
	for _, v := range r.Values {
		if strings.TrimSpace(v) == "" {
			return false
		}
	}
	return !r.Differs
}
