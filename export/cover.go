package export

import (
	"strings"

	"secondopinion/records"
)

// The cover is written for the records staff who receive the packet: who
// the patient is and how to reach them (even when a carer prepared it),
// whom to send the opinion to, how it is funded, the patient's consent,
// and what to do with a packet that reached the wrong place.

// fundingText is the funding or referral route: the case's coverage notes,
// and whether it comes through a referral.
func fundingText(c *records.Case) string {
	if c == nil {
		return ""
	}
	s := strings.TrimSpace(c.Coverage)
	if c.ViaReferral && !strings.Contains(strings.ToLower(s), "referral") {
		s = joinNonEmpty(" ", "Through a referral.", s)
	}
	return s
}

// preparer is who prepared the packet and how to reach them: the carer
// when there is one, else the patient.
func preparer(p *packet) (who, phone, email string, carer bool) {
	pb := p.person.PreparedBy
	if pb.Self || strings.TrimSpace(pb.Name) == "" {
		return p.person.FullName, p.person.Phone, p.person.Email, false
	}
	who = pb.Name
	if pb.Relationship != "" {
		who += ", " + pb.Relationship + " of the patient"
	} else {
		who += ", carer of the patient"
	}
	return who, pb.Phone, pb.Email, true
}

// coverContacts draws the patient's own contact details beside who
// prepared the packet, in two columns.
func coverContacts(d *doc, p *packet) {
	d.room(34, nil)
	d.pdf.Ln(3)
	y := d.y()
	gap := 6.0
	w := (d.g.contentW() - gap) / 2
	orNot := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return notRecorded
		}
		return s
	}
	left := column(d, d.g.left, y, w, "Patient", []string{
		"Address: " + orNot(p.person.Address), "Telephone: " + orNot(p.person.Phone), "Email: " + orNot(p.person.Email)})
	who, phone, email, carer := preparer(p)
	lines := []string{"The patient, on " + p.prepared.Format("2 January 2006")}
	if carer {
		lines = []string{who, "Telephone: " + orNot(phone), "Email: " + orNot(email), "On " + p.prepared.Format("2 January 2006")}
	}
	right := column(d, d.g.left+w+gap, y, w, "Prepared by", lines)
	d.pdf.SetXY(d.g.left, max(left, right))
}

// column draws a bold title and wrapped lines in a column of width w at
// (x, y) and returns where it ends.
func column(d *doc, x, y, w float64, title string, lines []string) float64 {
	d.pdf.SetXY(x, y)
	d.pdf.SetFont(font, "B", 12.5)
	d.cell(w, 7, title, "", 2, "L", false, 0, "")
	d.pdf.SetFont(font, "", 10)
	for _, l := range lines {
		for _, part := range d.wrap(l, w) {
			d.pdf.SetX(x)
			d.cell(w, 5, part, "", 2, "L", false, 0, "")
		}
	}
	return d.y()
}

// coverRecipients lists whom to send the opinion to, then who gets a copy,
// each with their contact details.
func coverRecipients(d *doc, p *packet, lw float64) {
	d.subheading("Please send the opinion to")
	var to, cc []records.Recipient
	for _, r := range p.recipients {
		if r.CopyTo {
			cc = append(cc, r)
		} else {
			to = append(to, r)
		}
	}
	if len(to) == 0 {
		to = []records.Recipient{{Role: "the patient", Name: p.person.FullName, Address: p.person.Address, Phone: p.person.Phone, Email: p.person.Email}}
	}
	line := func(r records.Recipient) string {
		name := r.Name
		if r.Role != "" && !strings.EqualFold(r.Role, r.Name) {
			name += " (" + r.Role + ")"
		}
		pp := p.person
		if r.Name == pp.FullName && r.Address == pp.Address && r.Phone == pp.Phone && r.Email == pp.Email {
			return name + ", at the address above"
		}
		return joinNonEmpty(" · ", name, strings.ReplaceAll(r.Address, "\n", ", "), r.Phone, r.Email)
	}
	var lines []string
	for _, r := range to {
		lines = append(lines, line(r))
	}
	smallField(d, "Send to", strings.Join(lines, "\n"), lw)
	lines = nil
	for _, r := range cc {
		lines = append(lines, line(r))
	}
	smallField(d, "Copy to", strings.Join(lines, "\n"), lw)
}

// coverConsent is the patient's consent to share, with room to sign.
func coverConsent(d *doc, p *packet) {
	with := "the second-opinion doctor and their team"
	if c := p.kase; c != nil && !c.SecondDoctor.IsZero() {
		with = doctorText(c.SecondDoctor) + ", and their team"
	}
	text := "I agree to this information being shared with " + with + ", and to you contacting my care team."
	_, _, _, carer := preparer(p)
	by := "Signed by the patient"
	if carer {
		by = "Signed by the patient, or on their behalf by " + p.person.PreparedBy.Name
	}
	w := d.g.contentW()
	d.pdf.SetFont(font, "", 10)
	lines := d.wrap(text, w-8)
	h := 6.5 + float64(len(lines))*5 + 13
	d.room(h+4, nil)
	d.pdf.Ln(3)
	x, y := d.g.left, d.y()
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetLineWidth(0.3)
	d.pdf.Rect(x, y, w, h, "D")
	d.pdf.SetXY(x+4, y+1.5)
	d.pdf.SetFont(font, "B", 10)
	d.cell(w-8, 5.5, "Consent", "", 2, "L", false, 0, "")
	d.pdf.SetFont(font, "", 10)
	for _, l := range lines {
		d.pdf.SetX(x + 4)
		d.cell(w-8, 5, l, "", 2, "L", false, 0, "")
	}
	sy := y + h - 5.5
	d.pdf.SetDrawColor(ruleGrey, ruleGrey, ruleGrey)
	d.pdf.Line(x+22, sy, x+w*0.62, sy)
	d.pdf.Line(x+w*0.62+14, sy, x+w-4, sy)
	d.pdf.SetFont(font, "", 9)
	d.pdf.SetXY(x+4, sy-4.5)
	d.cell(18, 4.5, "Signed", "", 0, "L", false, 0, "")
	d.pdf.SetXY(x+w*0.62+3, sy-4.5)
	d.cell(11, 4.5, "Date", "", 0, "L", false, 0, "")
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.pdf.SetFont(font, "", 8)
	d.pdf.SetXY(x+22, sy+0.5)
	d.cell(w*0.62-22, 4, d.fit(by, w*0.62-22), "", 0, "L", false, 0, "")
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.SetXY(d.g.left, y+h+1)
}

// errorNotice says what to do with a packet that reached the wrong place.
func errorNotice(p *packet) string {
	who, phone, email, _ := preparer(p)
	if reach := joinNonEmpty(" or ", phone, email); reach != "" {
		return "If you received this in error, please tell " + who + " (" + reach + "), and destroy it or send it back without reading further."
	}
	return "If you received this in error, please destroy it or send it back to the sender without reading further."
}

// factGrid draws short labelled facts (date of birth, hospital numbers)
// three to a row, each label small above its value.
func factGrid(d *doc, facts [][2]string) {
	const per = 3
	w := d.g.contentW() / per
	for i := 0; i < len(facts); i += per {
		y := d.y()
		bottom := y
		for j, f := range facts[i:min(i+per, len(facts))] {
			x := d.g.left + float64(j)*w
			d.pdf.SetXY(x, y)
			d.pdf.SetFont(font, "B", 8.5)
			d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
			d.cell(w-3, 4.2, d.fit(f[0], w-3), "", 2, "L", false, 0, "")
			d.pdf.SetTextColor(inkText, inkText, inkText)
			d.pdf.SetFont(font, "", 11)
			for _, l := range d.wrap(f[1], w-3) {
				d.pdf.SetX(x)
				d.cell(w-3, 5.4, l, "", 2, "L", false, 0, "")
			}
			bottom = max(bottom, d.y())
		}
		d.pdf.SetXY(d.g.left, bottom+1)
	}
}
