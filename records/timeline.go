package records

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// EventKind is what happened at a point of a case's timeline.
type EventKind string

// Timeline event kinds.
const (
	EventDocument         EventKind = "document"          // a document's date of service
	EventMedicationStart  EventKind = "medication-start"  // a medicine was started
	EventMedicationStop   EventKind = "medication-stop"   // a medicine was stopped
	EventRecordsRequested EventKind = "records-requested" // copies of records were asked for
	EventRecordsReceived  EventKind = "records-received"  // and arrived
	EventOpinion          EventKind = "opinion"           // a doctor gave an opinion
	EventAppointment      EventKind = "appointment"       // the second-opinion appointment
)

// Event is one dated thing on a case's timeline.
type Event struct {
	Date   Date // possibly partial; zero when not known (such events come last)
	Kind   EventKind
	Title  string // one line: "Pathology / histopathology report: Core biopsy"
	Detail string // a second line, may be empty: "20 mg, once a day"
	Ref    string // the document, medication, request or opinion ID; "" for the appointment
}

// eventRank orders events of the same date: what was found, then what was
// done about it, then the opinions on it.
var eventRank = map[EventKind]int{
	EventDocument: 0, EventRecordsRequested: 1, EventRecordsReceived: 2, EventMedicationStop: 3,
	EventMedicationStart: 4, EventOpinion: 5, EventAppointment: 6,
}

// BuildTimeline puts a case's documents (by date of service), medication
// starts and stops, records requests, opinions and appointment in one
// chronological list. Events with a partial date come before the full
// dates of the same month or year; events with no date come last, in the
// order above. Trashed documents are left out.
func BuildTimeline(c Case, docs []Document, meds []Medication) []Event {
	var ev []Event
	for _, d := range docs {
		if d.Trashed {
			continue
		}
		// "Pathology / histopathology report: Core biopsy", unless the title
		// already starts with its kind ("Clinic letter: results").
		title := d.Kind.Label()
		if t := strings.TrimSpace(d.Title); strings.HasPrefix(strings.ToLower(t), strings.ToLower(title)) {
			title = t
		} else if t != "" {
			title += ": " + t
		}
		ev = append(ev, Event{Date: d.Date, Kind: EventDocument, Title: title, Detail: d.Source, Ref: d.ID})
	}
	for _, m := range meds {
		name := tlMedName(m)
		detail := tlJoin(", ", m.Dose, m.Frequency, tlReason(m.Reason))
		switch {
		case !m.Start.IsZero():
			ev = append(ev, Event{Date: m.Start, Kind: EventMedicationStart, Title: "Started " + name, Detail: detail, Ref: m.ID})
		case m.Current():
			// Still taken, start not recorded: shown among the undated events.
			ev = append(ev, Event{Kind: EventMedicationStart, Title: "Taking " + name + " (start date not recorded)", Detail: detail, Ref: m.ID})
		}
		if m.Status == MedStopped {
			ev = append(ev, Event{Date: m.Stop, Kind: EventMedicationStop, Title: "Stopped " + name,
				Detail: strings.TrimSpace(m.StopReason), Ref: m.ID})
		}
	}
	for _, r := range c.Requests {
		what := strings.TrimSpace(r.What)
		if what == "" {
			what = "records"
		}
		ev = append(ev, Event{Date: r.RequestedOn, Kind: EventRecordsRequested,
			Title: fmt.Sprintf("Asked %s for %s", strings.TrimSpace(r.From), what), Ref: r.ID})
		if !r.ReceivedOn.IsZero() {
			ev = append(ev, Event{Date: r.ReceivedOn, Kind: EventRecordsReceived,
				Title: fmt.Sprintf("Received %s from %s", what, strings.TrimSpace(r.From)), Ref: r.ID})
		}
	}
	for _, o := range c.Opinions {
		title := fmt.Sprintf("%s opinion", tlOrdinal(o.Position))
		if who := DoctorText(o.Clinician); who != "" {
			title += ": " + who
		}
		detail := tlSentence(o.Diagnosis)
		if t := tlSentence(o.Treatment); t != "" {
			detail = tlJoin(" ", detail, "Recommended: "+t)
		}
		ev = append(ev, Event{Date: o.Date, Kind: EventOpinion, Title: title, Detail: detail, Ref: o.ID})
	}
	if !c.Appointment.IsZero() {
		t := c.Appointment.In(time.Local)
		title := "Second-opinion appointment"
		if who := DoctorText(c.SecondDoctor); who != "" {
			title += " with " + who
		}
		detail := c.AppointmentText()
		if at := strings.TrimSpace(c.AppointmentAt); at != "" {
			detail += ", " + at
		}
		ev = append(ev, Event{Date: Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}, Kind: EventAppointment,
			Title: title, Detail: detail})
	}
	sort.SliceStable(ev, func(i, j int) bool {
		a, b := ev[i], ev[j]
		if a.Date.IsZero() != b.Date.IsZero() {
			return b.Date.IsZero()
		}
		// The stored form sorts: "2024" < "2024-03" < "2024-03-15".
		if as, bs := a.Date.String(), b.Date.String(); as != bs {
			return as < bs
		}
		return eventRank[a.Kind] < eventRank[b.Kind]
	})
	return ev
}

// Timeline is one chronological view of a case: the person's documents by
// date of service, medicines started and stopped, records requests, the
// opinions and the appointment.
func (s *Store) Timeline(ctx context.Context, caseID string) ([]Event, error) {
	c, docs, meds, err := s.caseWithRecords(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return BuildTimeline(c, docs, meds), nil
}

func tlMedName(m Medication) string {
	return tlJoin(" ", m.Name, m.Strength)
}

func tlReason(r string) string {
	if r = strings.TrimSpace(r); r != "" {
		return "for " + r
	}
	return ""
}

// tlSentence ends s with a full stop, unless it is empty or already ends
// with punctuation.
func tlSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?") {
		return s
	}
	return s + "."
}

func tlJoin(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// ordinal is "First", "Second"... as opinions are called.
func tlOrdinal(n int) string {
	words := []string{"First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth"}
	if n >= 1 && n <= len(words) {
		return words[n-1]
	}
	return fmt.Sprintf("%dth", n)
}
