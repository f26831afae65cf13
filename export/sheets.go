package export

import (
	"context"
	"io"
	"sort"

	"secondopinion/records"
)

// WriteQuestions writes the question sheet to carry to the appointment:
// the questions, most important first, each with ruled space for the
// answer. It fits one page for the usual handful of questions and runs on
// when there are more.
func WriteQuestions(ctx context.Context, s *records.Store, out string, opt Options) (Result, error) {
	if err := CheckTarget(s, out); err != nil {
		return Result{}, err
	}
	opt.Exclude = nil
	p, err := loadSheet(ctx, s, opt)
	if err != nil {
		return Result{}, err
	}
	return writeSheet(ctx, s, out, opt, p, "questions", "Questions for the second doctor", func(d *doc) {
		sheetHeader(d, p, "Questions for the second doctor")
		qs := append([]records.Question(nil), p.questions...)
		sort.SliceStable(qs, func(a, b int) bool { return qs[a].Position < qs[b].Position })
		if len(qs) == 0 {
			d.text("No questions were written down. Space for notes:", 11, 6, "", 0)
			d.ruled(14, 9)
			return
		}
		lines := 4
		if len(qs) <= 4 {
			lines = 6
		}
		for i, q := range qs {
			questionBlock(d, i+1, q.Text, lines)
		}
	})
}

// WriteMedications writes the medication list with allergies: current
// medicines, then past ones with when and why they were stopped.
func WriteMedications(ctx context.Context, s *records.Store, out string, opt Options) (Result, error) {
	if err := CheckTarget(s, out); err != nil {
		return Result{}, err
	}
	opt.Exclude = nil
	p, err := loadSheet(ctx, s, opt)
	if err != nil {
		return Result{}, err
	}
	return writeSheet(ctx, s, out, opt, p, "medications", "Medication list", func(d *doc) {
		sheetHeader(d, p, "Medication list")
		drawMedications(d, p)
	})
}

// loadSheet reads what a sheet needs: the person, the case and its
// questions, medications and allergies, but no document files.
func loadSheet(ctx context.Context, s *records.Store, opt Options) (*packet, error) {
	// Exclude everything so load does not read documents' files.
	docs, err := s.Documents(ctx, records.DocumentFilter{PersonID: opt.PersonID})
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		opt.Exclude = append(opt.Exclude, d.ID)
	}
	return load(ctx, s, opt)
}

func sheetHeader(d *doc, p *packet, title string) {
	d.heading(title)
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	line := footerText(p)
	if c := p.kase; c != nil {
		if !c.SecondDoctor.IsZero() {
			line += "\nFor: " + doctorText(c.SecondDoctor)
		}
		if a := joinNonEmpty(", ", c.AppointmentText(), c.AppointmentAt); a != "" {
			line += "\nAppointment: " + a
		}
	}
	line += "\nPrepared on " + p.prepared.Format("2 January 2006")
	d.text(line, 10.5, 5.4, "", 0)
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.Ln(4)
}

// writeSheet draws a short document twice, once to count its pages and
// once with "Page X of Y" footers, and saves it atomically.
func writeSheet(ctx context.Context, s *records.Store, out string, opt Options, p *packet, kind, title string, draw func(*doc)) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, stopped(err)
	}
	m := newDoc(p, footerText(p))
	m.pdf.SetFooterFunc(nil)
	m.newPage()
	draw(m)
	pages := m.pdf.PageNo()

	d := newDoc(p, footerText(p))
	d.total = pages
	setMetadata(d, p, title)
	d.newPage()
	draw(d)
	data, err := d.output()
	if err != nil {
		return Result{}, fail(title, err)
	}
	n, err := writeAtomic(ctx, s, out, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: out, Pages: d.pdf.PageNo(), Bytes: n}
	to := ""
	if p.kase != nil {
		to = doctorText(p.kase.SecondDoctor)
	}
	logExport(ctx, s, opt, kind, to, res)
	if opt.Progress != nil {
		opt.Progress(1, 1)
	}
	return res, nil
}
