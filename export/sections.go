package export

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"secondopinion/records"
	"secondopinion/records/sample"
)

const notRecorded = "Not recorded"

// drawFront draws the cover, contents (with the records index), summary,
// medications and questions, each starting on a new page, and returns the
// page each section starts on. pl may be a draft (zero page numbers) when measuring.
func drawFront(d *doc, p *packet, pl *plan) []int {
	starts := make([]int, 0, len(p.sections))
	for _, sec := range p.sections {
		d.newPage()
		starts = append(starts, d.pdf.PageNo())
		switch sec {
		case secCover:
			drawCover(d, p, pl)
		case secFront:
			drawClinical(d, p, pl)
		case secContents:
			drawContents(d, p, pl)
		case secSummary:
			drawSummary(d, p, pl)
		case secTimeline:
			drawTimeline(d, p, pl)
		case secMeds:
			d.heading(secMeds)
			drawMedications(d, p)
		case secQuestions:
			drawQuestions(d, p)
		case secImaging:
			drawImaging(d, p, pl)
		}
	}
	return starts
}

func drawCover(d *doc, p *packet, pl *plan) {
	pdf, g := d.pdf, d.g
	pdf.SetFillColor(0, 0, 0)
	pdf.Rect(g.left, g.top, g.contentW(), 2, "F")
	pdf.SetXY(g.left, g.top+8)
	pdf.SetFont(font, "B", 25)
	d.cell(g.contentW(), 11.5, "Second opinion packet", "", 2, "L", false, 0, "")
	sub := "Medical records prepared for a second opinion"
	if p.kase == nil {
		sub = "All documents on record (no second-opinion request has been set up)"
	} else if t := strings.TrimSpace(p.kase.Title); t != "" {
		sub = t
	}
	pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.text(sub, 13, 6.5, "", 0)
	pdf.SetTextColor(inkText, inkText, inkText)
	if sample.IsSample(p.person) {
		pdf.Ln(2)
		pdf.SetTextColor(170, 0, 0)
		d.text("SAMPLE - made-up records to try Second Opinion. Not a real patient.", 11, 5.5, "B", 0)
		pdf.SetTextColor(inkText, inkText, inkText)
	}
	pdf.Ln(3)

	d.text(p.person.FullName, 22, 10, "B", 0)
	pdf.Ln(1)
	const lw = 44
	dob := notRecorded
	if !p.person.DateOfBirth.IsZero() {
		dob = p.person.DateOfBirth.Human()
	}
	facts := [][2]string{{"Date of birth", dob}}
	for _, id := range p.person.Identifiers {
		facts = append(facts, [2]string{id.Label, id.Value})
	}
	factGrid(d, facts)

	d.subheading("For the second opinion")
	doctor, appt, first := "Not recorded yet", "Not booked yet", notRecorded
	if c := p.kase; c != nil {
		if !c.SecondDoctor.IsZero() {
			doctor = doctorText(c.SecondDoctor)
		}
		if a := joinNonEmpty(", ", c.AppointmentText(), c.AppointmentAt); a != "" {
			appt = a
		}
		if !c.FirstDoctor.IsZero() {
			first = doctorText(c.FirstDoctor)
		}
	}
	d.field("Doctor or clinic", doctor, lw)
	d.field("Appointment", appt, lw)
	d.field("First opinion from", first, lw)
	if p.kase != nil && p.kase.Urgent {
		d.field("Urgency", "The patient has marked this request as urgent.", lw)
	}
	d.field("Funding, referral", fundingText(p.kase), lw)

	coverContacts(d, p)
	coverRecipients(d, p, lw)
	coverConsent(d, p)

	pdf.Ln(3)
	y := d.y()
	summary := fmt.Sprintf("This packet holds %s in %s.", plural(len(pl.docs), "document", "documents"), plural(pl.total, "page", "pages"))
	for i, name := range pl.names {
		if name == secContents && i < len(pl.sections) && pl.sections[i] > 0 {
			summary += fmt.Sprintf(" The contents are on page %d.", pl.sections[i])
		}
	}
	pdf.SetFillColor(fillBand, fillBand, fillBand)
	pdf.Rect(g.left, y, g.contentW(), 10, "F")
	pdf.SetXY(g.left+4, y+2.5)
	pdf.SetFont(font, "B", 11)
	d.cell(g.contentW()-8, 5, d.fit(summary, g.contentW()-8), "", 0, "L", false, 0, "")

	notice := "Private medical information, gathered by the patient or their carer from their own records. Please keep it confidential. " +
		errorNotice(p)
	pdf.SetFont(font, "", 8.5)
	lines := len(d.wrap(notice, g.contentW()))
	pdf.SetXY(g.left, max(d.y()+10, d.bottom()-float64(lines)*4)) // at the foot, or just below the band
	pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.text(notice, 8.5, 4, "", 0)
	pdf.SetTextColor(inkText, inkText, inkText)
}

func doctorText(dr records.Doctor) string {
	return joinNonEmpty(", ", dr.Name, dr.Specialty, dr.Hospital)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// drawContents is the contents page and the records index in one: the
// sections, then one table of every document in packet order with its
// date, kind, source, pages and the page it starts on. Every entry is a
// link to its page.
func drawContents(d *doc, p *packet, pl *plan) {
	d.heading(secContents)
	pdf, g := d.pdf, d.g
	line := func(title string, page int) {
		pdf.SetFont(font, "B", 11)
		d.room(7, nil)
		w := g.contentW() - 18
		y := d.y()
		pdf.SetX(g.left)
		d.cell(w, 6.5, d.fit(title, w), "", 0, "L", false, 0, "")
		d.cell(18, 6.5, pageText(page), "", 1, "R", false, 0, "")
		if link := d.linkTo(page); link != 0 {
			pdf.Link(g.left, y, g.contentW(), 6.5, link)
		}
		pdf.SetDrawColor(210, 210, 210)
		pdf.SetLineWidth(0.15)
		pdf.Line(g.left, d.y(), g.w-g.right, d.y())
	}
	for i, sec := range pl.names {
		page := 0
		if i < len(pl.sections) {
			page = pl.sections[i]
		}
		line(sec, page)
	}
	if len(pl.docs) == 0 {
		pdf.Ln(4)
		d.text("No documents are included in this packet.", 11, 6, "", 0)
		drawExpected(d, p, pl)
		return
	}
	line(secDocuments, pl.firstPage())
	pdf.Ln(3)
	if pl.split != nil {
		drawPartsNote(d, pl)
	}
	intro := fmt.Sprintf("%s, in the order they follow, each with its kind under its title. \"Pages\" is how many pages it has; \"Page\" is the page it starts on.", plural(len(pl.docs), "document", "documents"))
	if slices.ContainsFunc(pl.docs, (*prepared).inImaging) {
		intro += " An imaging study has no pages of its own: its row leads to its place in the Imaging section."
	}
	pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.text(intro, 10, 5, "", 0)
	pdf.SetTextColor(inkText, inkText, inkText)
	pdf.Ln(1)
	var rows [][]string
	var links []int
	for i, pr := range pl.docs {
		doc := pr.doc
		date := doc.Date.Short()
		if date == "" {
			date = "not known"
		}
		at := pl.at(i)
		own := strconv.Itoa(pr.pages) // the document's own pages, not its divider
		if pr.divider {
			own = strconv.Itoa(pr.pages - 1)
		}
		what := docTitle(doc)
		if k := doc.Kind.Label(); k != what {
			what += "\n" + k
		}
		if pr.inImaging() {
			own = "-"
			what += "\n" + imagingPlace(at.page)
		}
		row := []string{strconv.Itoa(i + 1), date, what, doc.Source, own, pageText(at.page)}
		if pl.split != nil {
			row = append(row, pl.where(i))
		}
		rows = append(rows, row)
		links = append(links, d.linkToSpot(at))
	}
	cols := []col{{"No.", 9, "R"}, {"Date", 20, "L"}, {"Document", 76, "L"},
		{"From", 48, "L"}, {"Pages", 14, "R"}, {"Page", 13, "R"}}
	if pl.split != nil {
		cols[2].w, cols[3].w = 66, 42
		cols = append(cols, col{"File", 16, "L"})
	}
	d.linkedTable(cols, rows, links)
	drawExpected(d, p, pl)
}

// drawExpected lists what a second doctor expects to see and whether this
// packet has it, so a missing report reads as "not available", not as
// forgotten (the rules are records.CheckReadiness, over the packet's own
// documents).
func drawExpected(d *doc, p *packet, pl *plan) {
	c := records.Case{PersonID: p.person.ID}
	if p.kase != nil {
		c = *p.kase
	}
	// A document's imaging studies count as imaging whatever its kind.
	studies := make(map[string]int, len(p.studies))
	for _, st := range p.studies {
		studies[st.DocumentID]++
	}
	docs := make([]records.Document, len(pl.docs))
	number := make(map[string]int, len(pl.docs))
	for i, pr := range pl.docs {
		docs[i] = pr.doc
		docs[i].Studies = studies[pr.doc.ID]
		number[pr.doc.ID] = i + 1
	}
	items := records.CheckReadiness(c, docs, p.meds, p.prepared)
	if len(items) == 0 {
		return
	}
	// What would be there with the documents that were chosen but left
	// out because they could not be read: those items say so.
	in := make(map[string]bool, len(docs))
	for _, doc := range docs {
		in[doc.ID] = true
	}
	all := append([]records.Document(nil), docs...)
	all = append(all, p.leftOut...)
	for _, doc := range p.docs {
		if !in[doc.ID] {
			doc.Studies = studies[doc.ID]
			all = append(all, doc)
		}
	}
	leftOut := map[string]bool{}
	if len(all) > len(docs) {
		for _, it := range records.CheckReadiness(c, all, p.meds, p.prepared) {
			if it.State == records.ReadyPresent {
				leftOut[it.Key] = true
			}
		}
	}
	d.pdf.Ln(4)
	d.subheading("What is enclosed, and what is not")
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.text("What a second doctor usually expects to see, and whether this packet has it.", 10, 5, "", 0)
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.Ln(1)
	var rows [][]string
	for _, it := range items {
		var v string
		switch it.State {
		case records.ReadyPresent:
			var nums []string
			for _, doc := range it.Documents {
				if n, ok := number[doc.ID]; ok {
					nums = append(nums, strconv.Itoa(n))
				}
			}
			switch {
			case len(nums) == 1:
				v = "Enclosed: document " + nums[0]
			case len(nums) > 1:
				v = "Enclosed: documents " + strings.Join(nums, ", ")
			case it.Key == records.ReadyMedications:
				v = "Enclosed: see Medications"
			case it.Key == records.ReadyPlan:
				v = "Enclosed: see Summary"
			default:
				v = "Enclosed"
			}
		case records.ReadyNotApplicable:
			v = "Not applicable"
			if r := strings.TrimSpace(it.Note); r != "" {
				v += ": " + r
			}
		default:
			v = "Not available in this packet"
			if leftOut[it.Key] {
				v = "Left out: could not be read"
			}
			if r := requested(p, it.Key); r != "" && !leftOut[it.Key] {
				v += " (" + r + ")"
			}
		}
		rows = append(rows, []string{it.Label, v})
	}
	d.table([]col{{"Expected by a second doctor", 70, "L"}, {"In this packet", 100, "L"}}, rows)
}

// requested says when a missing record was asked for and is still awaited,
// from the case's records requests that mention it.
func requested(p *packet, key string) string {
	if p.kase == nil {
		return ""
	}
	words := map[string][]string{
		records.ReadyPathology: {"patholog", "histolog", "biopsy"}, records.ReadyOperative: {"operat", "surgery"},
		records.ReadyDischarge: {"discharge"}, records.ReadyImaging: {"imag", "disc", "cd", "scan"},
		records.ReadyImagingReport: {"radiolog", "report of"}, records.ReadyResults: {"result", "blood"},
		records.ReadyReferral: {"referral"},
	}[key]
	for _, r := range p.kase.Requests {
		what := strings.ToLower(r.What + " " + r.From)
		for _, w := range words {
			if r.ReceivedOn.IsZero() && strings.Contains(what, w) {
				s := "requested"
				if !r.RequestedOn.IsZero() {
					s += " " + r.RequestedOn.Short()
				}
				return s + " from " + r.From
			}
		}
	}
	return ""
}

// drawTimeline is the case's history on one page where it fits: documents
// by date of service, medicines started and stopped, records requests,
// opinions and the appointment.
func drawTimeline(d *doc, p *packet, pl *plan) {
	d.heading(secTimeline)
	if len(p.timeline) == 0 {
		d.text("Nothing dated is recorded yet.", 11, 6, "", 0)
		return
	}
	var rows [][]string
	for _, e := range p.timeline {
		date := e.Date.Short()
		if date == "" {
			date = "date not known"
		}
		what := e.Title
		if e.Detail != "" {
			what += " · " + e.Detail
		}
		rows = append(rows, []string{date, what})
	}
	d.table([]col{{"Date", 26, "L"}, {"What happened", 140, "L"}}, rows)
}

func pageText(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// imagingPlace is where a document of imaging studies only is: "Imaging
// section, page 12".
func imagingPlace(page int) string {
	if page <= 0 {
		return "Imaging section"
	}
	return fmt.Sprintf("Imaging section, page %d", page)
}

func docTitle(doc records.Document) string {
	if t := strings.TrimSpace(doc.Title); t != "" {
		return t
	}
	return doc.Kind.Label()
}

func drawSummary(d *doc, p *packet, pl *plan) {
	d.heading(secSummary)
	name := p.who()
	if p.kase == nil {
		d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
		d.text(fmt.Sprintf("No second-opinion request has been set up for %s, so this packet holds all of their documents on record. Parts of the summary that belong to a request say \"Not recorded\".", name), 10.5, 5.4, "", 0)
		d.pdf.SetTextColor(inkText, inkText, inkText)
	}
	c := p.kase
	if c == nil {
		c = &records.Case{}
	}

	d.subheading("Why a second opinion is wanted")
	var reasons []string
	for _, code := range c.Reasons {
		reasons = append(reasons, records.ReasonLabel(code))
	}
	if s := strings.TrimSpace(c.ReasonOther); s != "" {
		reasons = append(reasons, s)
	}
	bullets(d, reasons, notRecorded)

	d.subheading("The decision " + name + " faces")
	para(d, c.Decision)

	// Clinical sections in the order of the International Patient Summary
	// (HL7 IPS): problems, medications, allergies, results, procedures,
	// plan of care.
	d.subheading("Problems: the diagnosis as told")
	diag := strings.TrimSpace(c.Diagnosis)
	if diag != "" && !c.FirstDoctor.IsZero() {
		diag += "\n(As told by " + doctorText(c.FirstDoctor) + ".)"
	}
	para(d, diag)

	d.subheading("Current medications")
	var cur []string
	for _, m := range p.meds {
		if m.Current() {
			cur = append(cur, medBrief(m))
		}
	}
	bullets(d, cur, "No current medications recorded.")

	d.subheading("Allergies and intolerances")
	para(d, allergyText(p))

	d.subheading("Key results")
	resultsTable(d, p, pl)
	d.subheading("Reports included")
	bullets(d, docsOfKind(pl, records.KindResults, records.KindPathology, records.KindImagingReport, records.KindImaging),
		"No test results, pathology or imaging reports are included in this packet.")

	d.subheading("Procedures")
	bullets(d, docsOfKind(pl, records.KindOperative), "No operation reports are included in this packet.")

	if p.kase != nil {
		d.subheading("What cannot be in a PDF: slides, blocks and imaging discs")
		handoverTable(d, p)
	}

	d.subheading("Plan of care: the current treatment plan")
	para(d, c.TreatmentPlan)
}

// para writes text, or "Not recorded" in grey when there is none: the
// summary never leaves a heading blank.
func para(d *doc, s string) {
	if strings.TrimSpace(s) == "" {
		d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
		d.text(notRecorded, 11, 5.8, "", 0)
		d.pdf.SetTextColor(inkText, inkText, inkText)
		return
	}
	d.text(strings.TrimSpace(s), 11, 5.8, "", 0)
}

func bullets(d *doc, items []string, none string) {
	if len(items) == 0 {
		d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
		d.text(none, 11, 5.8, "", 0)
		d.pdf.SetTextColor(inkText, inkText, inkText)
		return
	}
	for _, it := range items {
		d.pdf.SetFont(font, "", 11)
		d.room(5.8, nil)
		y := d.y()
		d.pdf.SetXY(d.g.left+1, y)
		d.cell(5, 5.8, "•", "", 0, "L", false, 0, "")
		d.pdf.SetXY(d.g.left+6, y)
		d.text(it, 11, 5.8, "", d.g.contentW()-6)
		d.pdf.SetX(d.g.left)
	}
}

// medBrief is one line about a medicine: "Anastrozole 1 mg – 1 tablet once
// a day – for breast cancer (hormone therapy)". The parts are joined by
// dashes, never wrapped in brackets of our own, so a reason that has its
// own brackets does not print doubled ones.
func medBrief(m records.Medication) string {
	parts := []string{joinNonEmpty(" ", m.Name, m.Strength)}
	if how := joinNonEmpty(" ", m.Dose, howOften(m)); how != "" {
		parts = append(parts, how)
	}
	if r := strings.TrimSpace(m.Reason); r != "" {
		parts = append(parts, "for "+r)
	}
	if m.Status == records.MedPaused {
		parts = append(parts, pausedText(m))
	}
	return strings.Join(parts, " – ")
}

// pausedText is "paused since 20 August 2026: made the indigestion worse".
func pausedText(m records.Medication) string {
	s := "paused"
	if !m.PausedOn.IsZero() {
		s += " since " + m.PausedOn.Human()
	}
	if r := strings.TrimSpace(m.PauseReason); r != "" {
		s += ": " + r
	}
	return s
}

func howOften(m records.Medication) string {
	if f := strings.TrimSpace(m.Frequency); f != "" {
		return f
	}
	var slots []string
	for _, s := range records.Slots {
		if m.Slots&s.Slot != 0 {
			slots = append(slots, strings.ToLower(s.Label))
		}
	}
	return strings.Join(slots, ", ")
}

func allergyText(p *packet) string {
	switch {
	case len(p.allergies) > 0:
		var parts []string
		for _, a := range p.allergies {
			s := a.Substance
			if detail := joinNonEmpty(", ", a.Reaction, a.Severity); detail != "" {
				s += " (" + detail + ")"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, "; ")
	case p.person.Allergies == records.AllergiesNoneKnown:
		return "No known allergies"
	default:
		return "Not recorded (nobody has said whether there are allergies)"
	}
}

func docsOfKind(pl *plan, kinds ...records.Kind) []string {
	var out []string
	for i, pr := range pl.docs {
		for _, k := range kinds {
			if pr.doc.Kind == k {
				s := docTitle(pr.doc)
				if !pr.doc.Date.IsZero() {
					s = pr.doc.Date.Human() + ": " + s
				}
				if at := pl.at(i); at.page > 0 {
					s += fmt.Sprintf(" (document %d, page %d)", i+1, at.page)
				}
				out = append(out, s)
				break
			}
		}
	}
	return out
}

func drawMedications(d *doc, p *packet) {
	d.pdf.SetFont(font, "B", 11)
	d.text("Allergies: "+allergyText(p), 11, 6, "B", 0)
	d.pdf.Ln(2)
	var cur, past [][]string
	for _, m := range p.meds {
		dose := joinNonEmpty(", ", m.Strength, m.Dose, m.Form)
		name := m.Name
		if m.Status == records.MedPaused {
			name += " (" + pausedText(m) + ")"
		}
		if m.Current() {
			cur = append(cur, []string{name, dose, howOften(m), m.Start.Short(), m.Reason, m.Prescriber})
		} else {
			past = append(past, []string{m.Name, dose, m.Start.Short(), m.Stop.Short(), m.StopReason, m.Reason})
		}
	}
	d.subheading("Current medications")
	if len(cur) == 0 {
		para(d, "")
	} else {
		d.table([]col{{"Medicine", 34, "L"}, {"Strength and dose", 30, "L"}, {"How often", 30, "L"},
			{"Since", 19, "L"}, {"What for", 32, "L"}, {"Prescriber", 29, "L"}}, cur)
	}
	d.subheading("Past medications")
	if len(past) == 0 {
		para(d, "")
	} else {
		d.table([]col{{"Medicine", 34, "L"}, {"Strength and dose", 30, "L"}, {"Started", 19, "L"},
			{"Stopped", 19, "L"}, {"Why it was stopped", 42, "L"}, {"What for", 30, "L"}}, past)
	}
}

// drawQuestions lists the questions for the doctor compactly, numbered,
// most important first, the first three marked "Ask first". (The
// patient's own question sheet, WriteQuestions, keeps room for answers.)
func drawQuestions(d *doc, p *packet) {
	d.heading(secQuestions)
	qs := append([]records.Question(nil), p.questions...)
	sort.SliceStable(qs, func(a, b int) bool { return qs[a].Position < qs[b].Position })
	if len(qs) == 0 {
		d.text("No questions were written down. Space for notes:", 11, 6, "", 0)
		d.ruled(10, 9)
		return
	}
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.text("The patient's questions, most important first. The first three are the ones to ask first if time is short.", 10, 5, "", 0)
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.Ln(2)
	const lh, tagW, numW = 5.6, 20, 9
	for i, q := range qs {
		d.pdf.SetFont(font, "", 11)
		lines := d.wrap(q.Text, d.g.contentW()-numW-tagW)
		d.room(float64(len(lines))*lh+2, nil)
		y := d.y()
		d.pdf.SetFont(font, "B", 11)
		d.pdf.SetXY(d.g.left, y)
		d.cell(numW, lh, strconv.Itoa(i+1)+".", "", 0, "L", false, 0, "")
		if i < 3 {
			d.pdf.SetFillColor(fillBand, fillBand, fillBand)
			d.pdf.SetFont(font, "B", 8.5)
			d.pdf.SetXY(d.g.left+numW, y+0.4)
			d.cell(tagW-3, lh-0.8, "Ask first", "", 0, "C", true, 0, "")
		}
		d.pdf.SetFont(font, "", 11)
		for j, line := range lines {
			d.pdf.SetXY(d.g.left+numW+tagW, y+float64(j)*lh)
			d.cell(d.g.contentW()-numW-tagW, lh, line, "", 0, "L", false, 0, "")
		}
		d.pdf.SetXY(d.g.left, y+float64(len(lines))*lh+2)
	}
}

// questionBlock writes one numbered question with n ruled lines under it,
// keeping the question and its lines on one page.
func questionBlock(d *doc, n int, text string, lines int) {
	const lh, gap = 5.8, 8.5
	d.pdf.SetFont(font, "B", 11.5)
	wrapped := d.wrap(text, d.g.contentW()-8)
	d.room(float64(len(wrapped))*lh+float64(lines)*gap+6, nil)
	y := d.y()
	d.pdf.SetXY(d.g.left, y)
	d.cell(8, lh, strconv.Itoa(n)+".", "", 0, "L", false, 0, "")
	for i, line := range wrapped {
		d.pdf.SetXY(d.g.left+8, y+float64(i)*lh)
		d.cell(d.g.contentW()-8, lh, line, "", 0, "L", false, 0, "")
	}
	d.pdf.SetXY(d.g.left, y+float64(len(wrapped))*lh)
	d.ruled(lines, gap)
}

// Document pages.
//
// Every document starts on a new page with a band saying "Document 3 of
// 12", its title, date, kind and source, drawn at the top of its first
// page: above a photo, a DICOM list, or a merged PDF page scaled to fit
// below it. Only a document whose first page would shrink too far under
// the band, or whose divider must say what was left out of it, gets a
// divider page instead.

func bandLines(pl *plan, i int, continued bool) (string, string) {
	doc := pl.docs[i].doc
	first := fmt.Sprintf("Document %d of %d  ·  %s", i+1, len(pl.docs), docTitle(doc))
	if continued {
		first = fmt.Sprintf("Document %d of %d, continued  ·  %s", i+1, len(pl.docs), docTitle(doc))
	}
	date := "date not known"
	if !doc.Date.IsZero() {
		date = doc.Date.Human()
	}
	return first, joinNonEmpty("  ·  ", date, doc.Kind.Label(), doc.Source)
}

func drawDivider(d *doc, pl *plan, i int) {
	d.newPage()
	first, second := bandLines(pl, i, false)
	d.band(first, second)
	pr := pl.docs[i]
	doc := pr.doc
	d.pdf.Ln(6)
	d.text(docTitle(doc), 20, 9, "B", 0)
	d.pdf.Ln(4)
	const lw = 44
	date := "Not known"
	if !doc.Date.IsZero() {
		date = doc.Date.Human()
	}
	d.field("Date of service", date, lw)
	d.field("Kind", doc.Kind.Label(), lw)
	d.field("From", doc.Source, lw)
	d.field("Pages", followText(pr.pages-1, pl.start[i]+1, pl.end(i)), lw)
	var names []string
	for _, f := range doc.Files {
		names = append(names, f.Name)
	}
	d.field("File", strings.Join(names, ", "), lw)
	d.field("Notes", doc.Notes, lw)
	d.pdf.Ln(6)
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	notes := pr.removed.Sentences()
	if doc.Missing != "" {
		// Only the readable pages of a damaged file were added.
		notes = append([]string{doc.Missing}, notes...)
	}
	if len(notes) == 0 {
		d.text("The document follows as it was received, page for page.", 10, 5, "", 0)
		d.pdf.SetTextColor(inkText, inkText, inkText)
		return
	}
	// What cleaning took out (see sanitize.go): the pages look as they
	// did, so the sentence above stays true, with these exceptions.
	d.text("The document follows as it was received, page for page, except:", 10, 5, "", 0)
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.Ln(1)
	bullets(d, notes, "")
}

// drawImage places a picture upright, as large as the page allows but no
// larger than 96 dpi would make it (a small picture blown up to a whole
// page only looks broken), centred under the band.
func drawImage(d *doc, pl *plan, i int, continued bool, pt *part, name string) {
	d.newPage()
	first, second := bandLines(pl, i, continued)
	d.band(first, second)
	aw, ah := d.g.imageArea()
	w, h := float64(pt.w), float64(pt.h)
	scale := min(aw/w, ah/h, 25.4/96)
	w, h = w*scale, h*scale
	x := d.g.left + (aw-w)/2
	y := d.g.top + d.g.bandH + 3
	opt := gofpdf.ImageOptions{ImageType: "JPG"}
	d.pdf.RegisterImageOptionsReader(name, opt, bytes.NewReader(pt.jpg))
	d.pdf.ImageOptions(name, x, y, w, h, false, opt, 0, "")
	drawTextLayer(d, pt.text[1], pt.file.Turn(1), x, y, w, h)
	d.pdf.SetDrawColor(ruleGrey, ruleGrey, ruleGrey)
	d.pdf.SetLineWidth(0.2)
	d.pdf.Rect(x, y, w, h, "D")
}

func drawDICOM(d *doc, pl *plan, i int, continued bool, pt *part) {
	for page := 0; page*dicomRows < len(pt.dicom); page++ {
		d.newPage()
		first, second := bandLines(pl, i, continued || page > 0)
		d.band(first, second)
		d.pdf.Ln(2)
		d.text("Imaging files (DICOM)", 14, 7, "B", 0)
		d.pdf.Ln(1)
		d.text(fmt.Sprintf("This document holds %s in DICOM, the format of hospital scanners. The pictures themselves are not printed here: they are kept in the patient's records (and on the disc they came on) and can be provided in DICOM on request. \"Type\" is the DICOM modality (CT, MR...).",
			plural(len(pt.dicom), "imaging file", "imaging files")), 10.5, 5.4, "", 0)
		d.pdf.Ln(3)
		var rows [][]string
		end := min((page+1)*dicomRows, len(pt.dicom))
		for _, e := range pt.dicom[page*dicomRows : end] {
			kind := e.modality
			if kind == "" {
				kind = "not stated"
			}
			file := e.name + "\n" + records.HumanBytes(e.size)
			if e.frames > 1 {
				file += ", " + plural(e.frames, "frame", "frames")
			}
			study := joinNonEmpty("\n", dicomDate(e.studyDate), e.description)
			rows = append(rows, []string{file, e.patient, kind, study, e.accession, e.institution})
		}
		d.table([]col{{"File", 45, "L"}, {"Patient", 27, "L"}, {"Type", 13, "L"},
			{"Study: date, description", 42, "L"}, {"Accession no.", 22, "L"}, {"Institution", 27, "L"}}, rows)
	}
}

// dicomDate shows a DICOM date (YYYYMMDD) as "14 Jan 2026"; anything
// else as it is.
func dicomDate(s string) string {
	t, err := time.Parse("20060102", strings.TrimSpace(s))
	if err != nil {
		return strings.TrimSpace(s)
	}
	return t.Format("2 Jan 2006")
}

// followText says which pages of the packet follow a divider.
func followText(n, from, to int) string {
	if n == 1 || from == to {
		return fmt.Sprintf("1 page follows, page %d of this packet", from)
	}
	return fmt.Sprintf("%d pages follow, pages %d to %d of this packet", n, from, to)
}

// drawBlank is the back of a sheet left empty in a duplex packet.
func drawBlank(d *doc) {
	d.newPage()
	d.pdf.SetFont(font, "", 11)
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.pdf.SetXY(d.g.left, d.g.h/2-3)
	d.cell(d.g.contentW(), 6, blankNote, "", 0, "C", false, 0, "")
	d.pdf.SetTextColor(inkText, inkText, inkText)
}

// drawSheet is the sheet a merged PDF page is placed on (by assemble):
// the paper, turned for a landscape page, with the footer and, on a
// document's first page, its band.
func drawSheet(d *doc, pl *plan, pc placement) {
	if pc.land {
		d.pdf.AddPageFormat("L", gofpdf.SizeType{Wd: d.g.w, Ht: d.g.h})
	} else {
		d.pdf.AddPageFormat("P", gofpdf.SizeType{Wd: d.g.w, Ht: d.g.h})
	}
	if pc.band {
		first, second := bandLines(pl, pc.doc, false)
		d.band(first, second)
	}
}

// drawDocuments draws our pages of every document (blank backs, dividers,
// pictures, DICOM lists, and the sheets merged pages go on) in packet
// order.
func drawDocuments(d *doc, pl *plan) {
	img, m := 0, 0
	for i, pr := range pl.docs {
		if pr.inImaging() {
			continue // no pages: its study is in the Imaging section
		}
		if pl.duplex && d.pdf.PageNo()%2 == 1 {
			drawBlank(d)
		}
		continued := false
		if pr.divider {
			drawDivider(d, pl, i)
			continued = true
		}
		for k := range pr.parts {
			pt := &pr.parts[k]
			switch pt.kind {
			case partPDF:
				// The merged PDF holds the pages its document shows, in
				// order: its j-th page is page shown[j] of the stored file,
				// turned as the user turned it.
				shown := pt.file.Shown()
				for j := range pt.pages {
					drawSheet(d, pl, pl.place[m])
					if pc := pl.place[m]; len(shown) == pt.pages {
						// A scanned page's words, over where the page is
						// placed on this sheet (assemble.go).
						drawTextLayer(d, pt.text[shown[j]], pt.file.Turn(shown[j]), pc.x, pc.y, pc.w, pc.h)
					}
					m++
				}
			case partImage:
				img++
				drawImage(d, pl, i, continued, pt, "img"+strconv.Itoa(img))
				pt.jpg = nil // gofpdf holds its own copy now
			case partDICOM:
				drawDICOM(d, pl, i, continued, pt)
			}
			continued = true
		}
	}
}
