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

// ParseDate reads "YYYY-MM-DD", "YYYY-MM" or "YYYY". An empty string is the
// zero Date. Anything else is an error whose message a user can act on.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	parts := strings.Split(s, "-")
	bad := &Problem{Msg: fmt.Sprintf("%q is not a date we can read. Write it as year-month-day (2024-03-15), year-month (2024-03) or just the year (2024).", s)}
	if len(parts) > 3 {
		return Date{}, bad
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || (i == 0 && len(p) != 4) || (i > 0 && (len(p) < 1 || len(p) > 2)) {
			return Date{}, bad
		}
		n[i] = v
	}
	d := Date{Year: n[0], Month: n[1], Day: n[2]}
	if d.Year < 1800 || d.Year > 2200 || (len(parts) > 1 && (d.Month < 1 || d.Month > 12)) {
		return Date{}, bad
	}
	if len(parts) == 3 {
		t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		if d.Day < 1 || t.Day() != d.Day {
			return Date{}, bad
		}
	}
	return d, nil
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
