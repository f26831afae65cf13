// Package guide carries what patient guides on second opinions agree on:
// a library of suggested questions grouped by the moment they are for, and
// what to do at each step of a referral. The words live in package assets
// as plain text; this package reads them into typed values so the app and
// the command line show the same things.
package guide

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"secondopinion/assets"
	"secondopinion/records"
)

// Moments of the question library. They are stable codes.
const (
	MomentReferral = "referral" // ways to ask the current doctor for a referral
	MomentVisit    = "visit"    // questions for the second doctor
	MomentDiffer   = "differ"   // questions for each doctor when the opinions differ
)

// Group is the library's suggestions for one moment.
type Group struct {
	Moment    string // MomentReferral, MomentVisit or MomentDiffer
	Title     string // "At the second opinion"
	Note      string // one or two sentences shown above the suggestions
	Questions []string
}

// Phrasing reports whether the group holds suggested phrasing for the
// current doctor rather than questions for the second doctor: the app shows
// such a group as words to say, not as questions to add to the list.
func (g Group) Phrasing() bool { return g.Moment == MomentReferral }

// Step is what to do now at one referral status.
type Step struct {
	Status records.ReferralStatus
	Title  string // the action: "Ask for a referral"
	Todo   string // one or two sentences
}

// statusCodes name the referral statuses in assets.ReferralSteps, in the
// order of records.ReferralSteps.
var statusCodes = map[string]records.ReferralStatus{
	"not-started": records.RefNotStarted, "asked-doctor": records.RefAskedDoctor,
	"referral-sent": records.RefReferralSent, "appointment-booked": records.RefAppointmentBooked,
	"records-sent": records.RefRecordsSent, "records-received": records.RefRecordsReceived,
	"seen": records.RefSeen, "decided": records.RefDecided,
}

// Reminder codes in assets.ReferralSteps.
const (
	reminderUrgent = "urgent"
	reminderPALS   = "pals"
)

// section is one "= code | Title" block of an asset text.
type section struct {
	code, title string
	note        []string
	items       []string
}

// parseSections reads the shared format of the guide texts: "= code |
// Title" starts a section, "- " lines are items, other lines are the note;
// "#" lines and blank lines are ignored.
func parseSections(name string, b []byte) ([]section, error) {
	var out []section
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "="):
			code, title, ok := strings.Cut(strings.TrimPrefix(line, "="), "|")
			code, title = strings.TrimSpace(code), strings.TrimSpace(title)
			if !ok || code == "" || title == "" {
				return nil, fmt.Errorf("%s line %d: want \"= code | Title\", got %q", name, n, line)
			}
			out = append(out, section{code: code, title: title})
		case len(out) == 0:
			return nil, fmt.Errorf("%s line %d: text before the first \"= code | Title\" line", name, n)
		case strings.HasPrefix(line, "- "):
			out[len(out)-1].items = append(out[len(out)-1].items, strings.TrimSpace(line[2:]))
		default:
			out[len(out)-1].note = append(out[len(out)-1].note, line)
		}
	}
	return out, sc.Err()
}

// parseLibrary reads the question library text.
func parseLibrary(b []byte) ([]Group, error) {
	secs, err := parseSections("questions.txt", b)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []Group
	for _, s := range secs {
		switch s.code {
		case MomentReferral, MomentVisit, MomentDiffer:
		default:
			return nil, fmt.Errorf("questions.txt: unknown moment %q", s.code)
		}
		if seen[s.code] {
			return nil, fmt.Errorf("questions.txt: moment %q twice", s.code)
		}
		seen[s.code] = true
		if len(s.items) == 0 {
			return nil, fmt.Errorf("questions.txt: moment %q has no suggestions", s.code)
		}
		out = append(out, Group{Moment: s.code, Title: s.title, Note: strings.Join(s.note, " "), Questions: s.items})
	}
	return out, nil
}

// parseSteps reads the referral steps text: one step per status, in status
// order, and the reminders by code.
func parseSteps(b []byte) ([]Step, map[string]string, error) {
	secs, err := parseSections("steps.txt", b)
	if err != nil {
		return nil, nil, err
	}
	steps := make([]Step, len(records.ReferralSteps))
	have := make([]bool, len(steps))
	reminders := map[string]string{}
	for _, s := range secs {
		if len(s.items) > 0 {
			return nil, nil, fmt.Errorf("steps.txt: %q has \"- \" lines; write what to do as plain lines", s.code)
		}
		todo := strings.Join(s.note, " ")
		if todo == "" {
			return nil, nil, fmt.Errorf("steps.txt: %q says nothing to do", s.code)
		}
		if s.code == reminderUrgent || s.code == reminderPALS {
			reminders[s.code] = todo
			continue
		}
		st, ok := statusCodes[s.code]
		if !ok {
			return nil, nil, fmt.Errorf("steps.txt: unknown step %q", s.code)
		}
		if have[st] {
			return nil, nil, fmt.Errorf("steps.txt: step %q twice", s.code)
		}
		steps[st], have[st] = Step{Status: st, Title: s.title, Todo: todo}, true
	}
	for i, ok := range have {
		if !ok {
			return nil, nil, fmt.Errorf("steps.txt: no step for %q", records.ReferralStatus(i).Label())
		}
	}
	for _, code := range []string{reminderUrgent, reminderPALS} {
		if reminders[code] == "" {
			return nil, nil, fmt.Errorf("steps.txt: no %q reminder", code)
		}
	}
	return steps, reminders, nil
}

// The embedded texts are parsed once. They ship inside the binary and the
// tests parse them, so an error here is a build mistake, not a user's.
var (
	loadLibrary = sync.OnceValue(func() []Group {
		g, err := parseLibrary(assets.QuestionLibrary)
		if err != nil {
			panic(err)
		}
		return g
	})
	loadSteps = sync.OnceValues(func() ([]Step, map[string]string) {
		s, r, err := parseSteps(assets.ReferralSteps)
		if err != nil {
			panic(err)
		}
		return s, r
	})
)

// Library returns the question library, in the order of the moments: asking
// for a referral, at the second opinion, when the opinions differ. The
// result is the caller's to change.
func Library() []Group {
	lib := loadLibrary()
	out := make([]Group, len(lib))
	for i, g := range lib {
		g.Questions = append([]string(nil), g.Questions...)
		out[i] = g
	}
	return out
}

// ForMoment returns the library's group for a moment, and whether there is
// one.
func ForMoment(moment string) (Group, bool) {
	for _, g := range Library() {
		if g.Moment == moment {
			return g, true
		}
	}
	return Group{}, false
}

// DifferQuestions are the questions to take back to each doctor when the
// opinions differ (see records.Comparison.Differs).
func DifferQuestions() []string {
	g, _ := ForMoment(MomentDiffer)
	return g.Questions
}

// Steps returns what to do at each referral status, in status order:
// Steps()[s] is the step for status s.
func Steps() []Step {
	s, _ := loadSteps()
	return append([]Step(nil), s...)
}

// Next is what to do now for a case, given its referral status.
func Next(c records.Case) Step {
	steps := Steps()
	i := min(max(int(c.Status), 0), len(steps)-1)
	return steps[i]
}

// Reminders are the extra sentences to show beside the steps: the urgent
// reminder while the user waits for a second opinion on a condition they
// marked urgent, and where to get help while the referral is still to get.
func Reminders(c records.Case) []string {
	_, r := loadSteps()
	var out []string
	if c.Urgent && c.Status < records.RefSeen {
		out = append(out, r[reminderUrgent])
	}
	if c.ViaReferral && c.Status <= records.RefAskedDoctor {
		out = append(out, r[reminderPALS])
	}
	return out
}

// normal is the form library texts are matched in: case, spaces and
// punctuation do not matter (as in records.Store.AddQuestion).
func normal(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}), " ")
}

// groupOf returns the title of the library group a text comes from, or "".
func groupOf(text string) string {
	n := normal(text)
	for _, g := range loadLibrary() {
		for _, q := range g.Questions {
			if normal(q) == n {
				return g.Title
			}
		}
	}
	return ""
}

// AddFromLibrary adds texts (chosen from the library, perhaps edited) to
// the end of a case's question list, in the given order, skipping any the
// list already has. A question from the library gets its group's title as
// its category. It returns how many were added; on an error, the ones before
// it stay added.
func AddFromLibrary(ctx context.Context, s *records.Store, caseID string, texts []string) (added int, err error) {
	for _, t := range texts {
		if strings.TrimSpace(t) == "" {
			continue
		}
		q := records.Question{CaseID: caseID, Text: t, Category: groupOf(t)}
		ok, err := s.AddQuestion(ctx, &q)
		if err != nil {
			return added, err
		}
		if ok {
			added++
		}
	}
	return added, nil
}
