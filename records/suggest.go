package records

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Suggestion is what a document's text suggests for its details. Nothing
// is changed by itself: the app shows each as a one-click "Use", the
// command line prints them. A zero field suggests nothing.
type Suggestion struct {
	Date Date
	// DateFrom is the line the date was read from ("Date: 12/03/2024").
	DateFrom string
	Source   string // the letterhead's hospital, clinic or trust
	Kind     Kind   // "" when no kind stands out
	Title    string
}

// IsZero reports a suggestion with nothing in it.
func (s Suggestion) IsZero() bool {
	return s.Date.IsZero() && s.Source == "" && s.Kind == "" && s.Title == ""
}

// Suggest reads a letter's or report's text for its date of service, its
// source, its kind and a title. now bounds the date: a letter is not dated
// in the future.
func Suggest(text string, now time.Time) Suggestion {
	lines := cleanLines(text)
	var s Suggestion
	s.Date, s.DateFrom = suggestDate(lines, now)
	s.Source = suggestSource(lines)
	s.Kind = suggestKind(text)
	s.Title = suggestTitle(lines, s.Kind)
	return s
}

// Suggestions reads a document's text (PDF text layers and what OCR read)
// and suggests what differs from the document's details: a field the
// document already has as suggested is left out.
func (s *Store) Suggestions(ctx context.Context, documentID string) (Suggestion, error) {
	d, err := s.Document(ctx, documentID)
	if err != nil {
		return Suggestion{}, err
	}
	text, err := s.DocumentText(ctx, documentID)
	if err != nil || strings.TrimSpace(text) == "" {
		return Suggestion{}, err
	}
	sg := Suggest(text, s.now())
	// A title that is only the kind's name is worth offering in place of
	// a file's name ("IMG_0412"), not of a title the user gave.
	if sg.Kind != "" && sg.Title == sg.Kind.Label() && !titleFromFiles(d) {
		sg.Title = ""
	}
	if sg.Date == d.Date {
		sg.Date, sg.DateFrom = Date{}, ""
	}
	// "Larkspur Medical Practice" says nothing new beside "Dr Priya Nair,
	// Larkspur Medical Practice".
	if equalFold(sg.Source, d.Source) || sg.Source != "" && strings.Contains(strings.ToLower(d.Source), strings.ToLower(strings.TrimSpace(sg.Source))) {
		sg.Source = ""
	}
	if sg.Kind == d.Kind {
		sg.Kind = ""
	}
	if equalFold(sg.Title, d.Title) {
		sg.Title = ""
	}
	return sg, nil
}

// titleFromFiles reports whether the document has no title of the
// user's own: none, or the one made from one of its files' names.
func titleFromFiles(d Document) bool {
	if strings.TrimSpace(d.Title) == "" {
		return true
	}
	for _, f := range d.Files {
		if equalFold(titleFromName(f.Name), d.Title) {
			return true
		}
	}
	return false
}

func cleanLines(text string) []string {
	// Control characters (a PDF's dash decoded badly) separate words.
	text = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' || r == 0x7f {
			return ' '
		}
		return r
	}, text)
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

const monthNames = `jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?`

// datePatterns find dates as letters write them: ISO, numbers with / . or
// - (two- or four-digit years), 12 March 2024 (with st/nd/rd/th), and
// March 12, 2024.
var datePatterns = []*regexp.Regexp{
	regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`),
	regexp.MustCompile(`\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b`),
	regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(` + monthNames + `)\.?,?\s+(\d{4})\b`),
	regexp.MustCompile(`(?i)\b(` + monthNames + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`),
}

// Words around a date that say what it is.
var (
	birthWords  = regexp.MustCompile(`(?i)\b(date of birth|d\.?o\.?b\.?|born|birth ?date|age)\b`)
	laterWords  = regexp.MustCompile(`(?i)\b(dictated|typed|transcribed|printed|received|sent|authori[sz]ed|verified|signed|next appointment|follow[- ]up|review (?:on|in)|admi(?:tted|ssion)|registered)\b`)
	letterWords = regexp.MustCompile(`(?i)\b(date|dated|clinic date|date of (?:letter|service|visit|clinic|procedure|operation|surgery|report|examination|exam|scan|discharge|collection)|seen (?:on|in clinic on)|report(?:ed)? (?:date|on)|collected|discharged on|operation date|procedure date)\b`)
)

// suggestDate picks the letter's date: a date near "Date:" or alone in the
// letterhead wins; a date of birth never does, and a dictation or
// follow-up date only when nothing better is there.
func suggestDate(lines []string, now time.Time) (Date, string) {
	best, bestScore, from := Date{}, -1000, ""
	for i, l := range lines {
		for _, re := range datePatterns {
			for _, m := range re.FindAllStringSubmatchIndex(l, -1) {
				d, ok := dateFromMatch(re, l, m)
				if !ok || d.Year < 1950 || d.after(now) {
					continue
				}
				before := strings.ToLower(l[:m[0]])
				// The words just before the date on its line, or the line
				// before when the date begins its own.
				context := before
				if strings.TrimSpace(before) == "" && i > 0 {
					context = strings.ToLower(lines[i-1])
				}
				near := context
				if len(near) > 40 {
					near = near[len(near)-40:]
				}
				score := 0
				switch {
				case birthWords.MatchString(near):
					continue
				case laterWords.MatchString(near):
					score -= 30
				case letterWords.MatchString(near):
					score += 50
				}
				if strings.TrimSpace(l[:m[0]]) == "" && strings.TrimSpace(strings.Trim(l[m[1]:], ".,")) == "" {
					score += 15 // a date alone on its line: the letter's date
				}
				if i < 15 {
					score += 10 - i/2 // the letterhead
				}
				if d.Day == 0 {
					score -= 5
				}
				if score > bestScore {
					best, bestScore, from = d, score, l
				}
			}
		}
	}
	return best, from
}

func (d Date) after(t time.Time) bool {
	y, m, day := t.Date()
	if d.Year != y {
		return d.Year > y
	}
	if d.Month != int(m) {
		return d.Month > int(m)
	}
	return d.Day > day
}

// dateFromMatch reads a date found by one of datePatterns.
func dateFromMatch(re *regexp.Regexp, l string, m []int) (Date, bool) {
	g := func(i int) string { return l[m[2*i]:m[2*i+1]] }
	var s string
	switch re {
	case datePatterns[0]:
		s = g(1) + "-" + g(2) + "-" + g(3)
	case datePatterns[1]:
		y := g(3)
		if len(y) == 2 {
			n, _ := strconv.Atoi(y)
			// Two-digit years on letters are this century's unless that
			// would be well in the future.
			if 2000+n > time.Now().Year()+1 {
				y = strconv.Itoa(1900 + n)
			} else {
				y = strconv.Itoa(2000 + n)
			}
		}
		s = g(1) + "/" + g(2) + "/" + y
	case datePatterns[2]:
		s = g(1) + " " + g(2) + " " + g(3)
	case datePatterns[3]:
		s = g(1) + " " + g(2) + " " + g(3)
	}
	d, err := ParseDate(s)
	return d, err == nil
}

// Letterhead words: a hospital, clinic, trust or centre line.
var (
	placeWords  = regexp.MustCompile(`(?i)\b(hospitals?|infirmary|clinic|trust|cent(?:re|er)|medical|health|healthcare|surgery|practice|laborator(?:y|ies)|institute|cancer|oncology|nhs|foundation|university|imaging|radiology|pathology services|hospice)\b`)
	strongPlace = regexp.MustCompile(`(?i)\b(hospitals?|infirmary|trust|clinic|cent(?:re|er)|practice|surgery|institute|hospice)\b`)
	notPlace    = regexp.MustCompile(`(?i)\b(dear|re:|patient|name|date|dob|nhs (?:no|number)|hospital (?:no|number)|mrn|tel|phone|fax|email|www\.|http|thank|yours|dr\.? [a-z]+ [a-z]+$)`)
)

// suggestSource picks the letterhead's hospital, clinic or trust from the
// first lines: a line naming a place, preferring a hospital or trust to a
// department.
func suggestSource(lines []string) string {
	best, bestScore := "", 0
	for i, l := range lines {
		if i >= 12 {
			break
		}
		if !placeWords.MatchString(l) || notPlace.MatchString(l) || len(l) > 90 {
			continue
		}
		digits := 0
		for _, r := range l {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits > 3 { // an address or a telephone number
			continue
		}
		score := 10 - i
		if strongPlace.MatchString(l) {
			score += 10
		}
		if strings.HasPrefix(strings.ToLower(l), "department") || strings.HasPrefix(strings.ToLower(l), "dept") {
			score -= 8
		}
		if score > bestScore {
			best, bestScore = strings.Trim(l, " ,.;:-"), score
		}
	}
	return nameCase(best)
}

// smallWords stay lower case inside a name in title case.
var smallWords = map[string]bool{"of": true, "and": true, "the": true, "for": true, "at": true, "in": true, "on": true, "upon": true}

// nameCase writes an all-capitals letterhead line as a name is written:
// "NORTHGATE GENERAL HOSPITAL NHS TRUST" becomes "Northgate General
// Hospital NHS Trust" (short abbreviations stay in capitals). Other lines
// are left as they are.
func nameCase(s string) string {
	if strings.ToUpper(s) != s || strings.ToLower(s) == s {
		return s
	}
	words := strings.Fields(s)
	for i, w := range words {
		lw := strings.ToLower(w)
		switch {
		case i > 0 && smallWords[lw]:
			words[i] = lw
		case len(w) <= 3 && !smallWords[lw]:
			// NHS, UCL, GP: an abbreviation.
		default:
			r, size := utf8.DecodeRuneInString(lw)
			words[i] = string(unicode.ToUpper(r)) + lw[size:]
		}
	}
	return strings.Join(words, " ")
}

// kindClues score the kinds: a heading ("Discharge summary") counts most,
// the words such documents use count once each.
var kindClues = []struct {
	kind     Kind
	headings []string
	words    []string
}{
	{KindPathology, []string{"histopathology report", "pathology report", "histology report", "cytology report", "surgical pathology"},
		[]string{"histopathology", "histology", "specimen", "macroscopic", "microscopic", "microscopy", "immunohistochemistry", "biopsy", "margins", "grade", "gross description", "final diagnosis", "pathologist", "sections show", "receptor"}},
	{KindOperative, []string{"operation note", "operative note", "operative report", "operation report", "procedure note", "surgical note"},
		[]string{"surgeon", "assistant", "anaesthetic", "anesthesia", "anaesthesia", "incision", "procedure", "findings", "closure", "sutures", "blood loss", "post-operative", "postoperative", "theatre", "drain"}},
	{KindDischarge, []string{"discharge summary", "discharge letter", "inpatient discharge", "discharge notification"},
		[]string{"admitted", "admission", "discharged", "discharge", "ward", "length of stay", "inpatient", "medications on discharge", "presenting complaint"}},
	{KindImagingReport, []string{"radiology report", "imaging report", "ct report", "mri report", "ultrasound report", "mammography report", "x-ray report"},
		[]string{"radiology", "radiologist", "ct", "mri", "ultrasound", "x-ray", "mammogram", "mammography", "pet", "contrast", "impression", "technique", "comparison", "scan", "lesion", "axial"}},
	{KindResults, []string{"laboratory report", "blood results", "test results", "lab results", "biochemistry", "haematology", "hematology"},
		[]string{"reference range", "ref range", "result", "results", "units", "mmol/l", "g/l", "µmol/l", "umol/l", "haemoglobin", "hemoglobin", "platelets", "wbc", "egfr", "creatinine", "sodium", "potassium", "sample"}},
	{KindReferral, []string{"referral letter", "referral form", "urgent referral", "two week wait", "2ww"},
		[]string{"refer", "referral", "referring", "thank you for seeing", "would be grateful", "urgent assessment", "please see", "reason for referral", "on examination", "past history"}},
	{KindTreatmentPlan, []string{"treatment plan", "care plan", "mdt outcome", "multidisciplinary team outcome", "chemotherapy plan"},
		[]string{"cycles", "regimen", "plan", "mdt", "multidisciplinary", "adjuvant", "neoadjuvant", "radiotherapy", "chemotherapy", "fractions"}},
	{KindMedicationList, []string{"medication list", "repeat prescription", "repeat medication", "medicines list"},
		[]string{"tablets", "capsules", "once daily", "twice daily", "mg", "dose", "prescribed", "repeat"}},
	{KindClinicLetter, []string{"clinic letter", "outpatient letter", "clinic summary"},
		[]string{"dear dr", "clinic", "thank you for referring", "i saw", "i reviewed", "reviewed", "outpatient", "yours sincerely", "kind regards", "follow-up", "follow up", "seen today"}},
}

// hasPhrase reports whether text (lower case) holds phrase (lower case) as
// whole words: not inside a longer word ("ct" is not in "doctor").
func hasPhrase(text, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if (start == 0 || !isWordRune(before)) && (end == len(text) || !isWordRune(after)) {
			return true
		}
		i = start + 1
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// suggestKind scores the kinds by their clues; a kind is suggested when it
// leads clearly (a heading, or at least three clues and more than any
// other kind).
func suggestKind(text string) Kind {
	text = strings.ToLower(text)
	head := text
	if len(head) > 600 {
		head = head[:600] // headings are at the top
	}
	best, bestScore, second := Kind(""), 0, 0
	for _, c := range kindClues {
		score := 0
		for _, h := range c.headings {
			if hasPhrase(head, h) {
				score += 10
			} else if hasPhrase(text, h) {
				score += 3
			}
		}
		for _, w := range c.words {
			if hasPhrase(text, w) {
				score++
			}
		}
		switch {
		case score > bestScore:
			best, bestScore, second = c.kind, score, bestScore
		case score > second:
			second = score
		}
	}
	if bestScore >= 3 && bestScore > second {
		return best
	}
	return ""
}

var headingLine = regexp.MustCompile(`(?i)\b(report|summary|note|letter|results|referral|plan|scan|mri|ct|ultrasound|x-ray|mammogram|biopsy)\b`)

// suggestTitle is a heading line from the top of the text when there is
// one ("MRI Lumbar Spine"), else the kind's name.
func suggestTitle(lines []string, k Kind) string {
	for i, l := range lines {
		if i >= 12 {
			break
		}
		if len(l) < 6 || len(l) > 60 || !headingLine.MatchString(l) || notPlace.MatchString(l) || placeWords.MatchString(l) && strongPlace.MatchString(l) {
			continue
		}
		if strings.Count(l, " ") > 7 || strings.ContainsAny(l, ",;") {
			continue // a sentence, not a heading
		}
		return headingCase(strings.Trim(l, " .:-"))
	}
	if k != "" && k != KindOther {
		return k.Label()
	}
	return ""
}

// headingCase turns an all-capitals heading into sentence case, keeping
// short abbreviations (MRI, CT) as they are.
func headingCase(s string) string {
	if strings.ToUpper(s) != s {
		return s
	}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		up := strings.ToUpper(w)
		switch {
		case len(w) <= 3 && up != "AND" && up != "OF" && up != "THE" && up != "FOR":
			words[i] = up
		case i == 0:
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
