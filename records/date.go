package records

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date that may be partial: a letter dated only
// "March 2024" has Day 0, one dated "2024" has Month 0 too. The zero Date
// means "not known". Dates of service are dates, not timestamps: they carry
// no time zone.
type Date struct {
	Year  int
	Month int // 1-12, or 0 when only the year is known
	Day   int // 1-31, or 0 when only the year and month are known
}

// IsZero reports whether the date is not known.
func (d Date) IsZero() bool { return d.Year == 0 }

// DayFirst says how a date written with numbers only, such as 03/04/2024,
// is read: day first (3 April, as in the UK and most of the world) or month
// first (March 4, as in the US). It follows the user's locale (LC_ALL,
// LC_TIME, LANG): month first for en_US and a few others, day first
// otherwise. The app and the command line may set it.
var DayFirst = dayFirstFromLocale()

func dayFirstFromLocale() bool {
	loc := ""
	for _, v := range []string{"LC_ALL", "LC_TIME", "LANG"} {
		if loc = getenv(v); loc != "" {
			break
		}
	}
	for _, mdy := range []string{"en_US", "en_PH", "en_CA", "es_US"} {
		if strings.HasPrefix(loc, mdy) {
			return false
		}
	}
	return true
}

// ParseDate reads a date as people write it: "2024-03-15", "2024-03",
// "2024", "15 March 2024", "March 15, 2024", "March 2024", "Mar 2024",
// "15/03/2024", "15.03.2024", "03/2024". Numbers-only dates follow DayFirst.
// An empty string is the zero Date. Anything else is an error whose message
// a user can act on.
func ParseDate(s string) (Date, error) {
	d, _, err := ReadDate(s)
	return d, err
}

// ReadDate is ParseDate that also reports whether the text could have been
// read another way (03/04/2024: 3 April or March 4), so a screen can show
// how it was read ("= 3 April 2024") before it is saved.
func ReadDate(s string) (d Date, ambiguous bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, false, nil
	}
	order := "day/month/year (15/03/2024)"
	if !DayFirst {
		order = "month/day/year (03/15/2024)"
	}
	bad := &Problem{Msg: fmt.Sprintf("%q is not a date we can read. Write it like 15 March 2024, March 2024, 2024, %s or 2024-03-15.", s, order), Err: ErrInvalid}
	fields := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ' ' || r == ',' || r == '/' || r == '.' || r == '-'
	})
	var nums []int
	var numLen []int
	month := 0
	for _, f := range fields {
		if v, err := strconv.Atoi(f); err == nil {
			nums, numLen = append(nums, v), append(numLen, len(f))
			continue
		}
		f = strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(f, "st"), "nd"), "rd"), "th"), ".")
		if v, err := strconv.Atoi(f); err == nil { // "15th"
			nums, numLen = append(nums, v), append(numLen, len(f))
			continue
		}
		m := monthByName(f)
		if m == 0 || month != 0 {
			return Date{}, false, bad
		}
		month = m
	}
	isoDash := strings.Count(s, "-") > 0 && len(nums) > 0 && numLen[0] == 4
	switch {
	case month != 0 && len(nums) == 1 && numLen[0] == 4: // March 2024
		d = Date{Year: nums[0], Month: month}
	case month != 0 && len(nums) == 2: // 15 March 2024, March 15, 2024
		day, year := nums[0], nums[1]
		if numLen[0] == 4 { // 2024 March 15
			day, year = nums[1], nums[0]
		}
		d = Date{Year: year, Month: month, Day: day}
	case month != 0:
		return Date{}, false, bad
	case len(nums) == 1 && numLen[0] == 4: // 2024
		d = Date{Year: nums[0]}
	case len(nums) == 2 && numLen[0] == 4: // 2024-03
		d = Date{Year: nums[0], Month: nums[1]}
	case len(nums) == 2 && numLen[1] == 4: // 03/2024
		d = Date{Year: nums[1], Month: nums[0]}
	case len(nums) == 3 && (isoDash || numLen[0] == 4): // 2024-03-15
		d = Date{Year: nums[0], Month: nums[1], Day: nums[2]}
	case len(nums) == 3 && numLen[2] == 4: // 15/03/2024 or 03/15/2024
		a, b := nums[0], nums[1]
		if DayFirst {
			d = Date{Year: nums[2], Month: b, Day: a}
		} else {
			d = Date{Year: nums[2], Month: a, Day: b}
		}
		ambiguous = a != b && a >= 1 && a <= 12 && b >= 1 && b <= 12
		if d.Month > 12 && d.Day <= 12 { // 15/03 written month first: only one reading works
			d.Month, d.Day, ambiguous = d.Day, d.Month, false
		}
	default:
		return Date{}, false, bad
	}
	if d.Year < 1800 || d.Year > 2200 || (d.Month != 0 && (d.Month < 1 || d.Month > 12)) || (d.Month == 0 && d.Day != 0) {
		return Date{}, false, bad
	}
	if d.Day != 0 {
		t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		if d.Day < 1 || t.Day() != d.Day {
			return Date{}, false, bad
		}
	}
	return d, ambiguous, nil
}

func monthByName(s string) int {
	if len(s) < 3 {
		return 0
	}
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if strings.HasPrefix(name, s) || (s == "sept" && m == time.September) {
			return int(m)
		}
	}
	return 0
}

// ParseClock reads a time of day as people write it: "14:30", "14.30",
// "2.30pm", "2:30 pm", "2pm", "noon". It returns hours and minutes.
func ParseClock(s string) (h, m int, err error) {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	bad := &Problem{Msg: fmt.Sprintf("%q is not a time we can read. Write it like 14:30 or 2.30pm.", s), Err: ErrInvalid}
	switch t {
	case "noon", "midday":
		return 12, 0, nil
	case "midnight":
		return 0, 0, nil
	}
	suffix := ""
	for _, x := range []string{"am", "pm", "a.m.", "p.m."} {
		if strings.HasSuffix(t, x) {
			suffix, t = x[:1], strings.TrimSuffix(t, x)
		}
	}
	parts := strings.FieldsFunc(t, func(r rune) bool { return r == ':' || r == '.' || r == 'h' })
	if len(parts) == 0 || len(parts) > 2 {
		return 0, 0, bad
	}
	if h, err = strconv.Atoi(parts[0]); err != nil {
		return 0, 0, bad
	}
	if len(parts) == 2 {
		if len(parts[1]) != 2 {
			return 0, 0, bad
		}
		if m, err = strconv.Atoi(parts[1]); err != nil {
			return 0, 0, bad
		}
	}
	switch suffix {
	case "a", "p":
		if h < 1 || h > 12 {
			return 0, 0, bad
		}
		if h == 12 {
			h = 0
		}
		if suffix == "p" {
			h += 12
		}
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, bad
	}
	return h, m, nil
}

// MustDate is ParseDate for literals known to be valid (sample data, tests).
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the full date of t in UTC.
func DateOf(t time.Time) Date {
	t = t.UTC()
	return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

// String is the stored, sortable form: "2024-03-15", "2024-03", "2024" or "".
func (d Date) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	default:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
}

// Human is the form people read: "15 March 2024", "March 2024", "2024",
// or "date not known".
func (d Date) Human() string {
	switch {
	case d.Year == 0:
		return "date not known"
	case d.Month == 0:
		return strconv.Itoa(d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%s %d", time.Month(d.Month), d.Year)
	default:
		return fmt.Sprintf("%d %s %d", d.Day, time.Month(d.Month), d.Year)
	}
}

// Short is a compact form for tables: "15 Mar 2024", "Mar 2024", "2024", "".
func (d Date) Short() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return strconv.Itoa(d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%s %d", time.Month(d.Month).String()[:3], d.Year)
	default:
		return fmt.Sprintf("%d %s %d", d.Day, time.Month(d.Month).String()[:3], d.Year)
	}
}

// Before reports whether d is certainly earlier than e, comparing only the
// parts both dates know ("March 2024" is not before "15 March 2024").
func (d Date) Before(e Date) bool {
	if d.IsZero() || e.IsZero() {
		return false
	}
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month == 0 || e.Month == 0 {
		return false
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	if d.Day == 0 || e.Day == 0 {
		return false
	}
	return d.Day < e.Day
}

// Time returns the earliest instant the date can mean, in UTC.
func (d Date) Time() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	m, day := d.Month, d.Day
	if m == 0 {
		m = 1
	}
	if day == 0 {
		day = 1
	}
	return time.Date(d.Year, time.Month(m), day, 0, 0, 0, 0, time.UTC)
}
