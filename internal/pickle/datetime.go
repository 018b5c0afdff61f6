package pickle

import (
	"fmt"
	"strconv"
	"time"
)

// DateTime is a Python datetime.datetime: naive, or aware with a fixed
// offset (pytz's UTC and datetime.timezone are read; datetime.timezone is
// written).
type DateTime struct {
	Year, Month, Day, Hour, Minute, Second, Microsecond int
	// Aware is true when the datetime has a tzinfo; Offset is then its
	// offset from UTC in seconds, a whole number of minutes.
	Aware  bool
	Offset int
}

func (d DateTime) valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 ||
		d.Hour > 23 || d.Minute > 59 || d.Second > 59 || d.Microsecond > 999999 ||
		d.Offset%60 != 0 || d.Offset <= -86400 || d.Offset >= 86400 || (!d.Aware && d.Offset != 0) {
		return false
	}
	// Day 0 of the next month is the last day of this one.
	last := time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return d.Day <= last
}

// ISO returns Python's d.isoformat(): YYYY-MM-DDTHH:MM:SS, then .ffffff
// unless the microseconds are 0, then ±HH:MM when aware.
func (d DateTime) ISO() string {
	s := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", d.Year, d.Month, d.Day, d.Hour, d.Minute, d.Second)
	if d.Microsecond != 0 {
		s += fmt.Sprintf(".%06d", d.Microsecond)
	}
	if d.Aware {
		sign, off := '+', d.Offset
		if off < 0 {
			sign, off = '-', -off
		}
		s += fmt.Sprintf("%c%02d:%02d", sign, off/3600, off/60%60)
	}
	return s
}

// ParseISO reads what ISO writes, and only that, so that a string it
// accepts is ISO of the DateTime it returns: "2026-12-07T18:00:00+00:00",
// "2026-12-07T18:00:00.123456", but not "...T18:00:00.000000" or
// "...T18:00:00Z", which Python's isoformat never writes.
func ParseISO(s string) (DateTime, bool) {
	// 0123456789012345678
	// YYYY-MM-DDTHH:MM:SS
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return DateTime{}, false
	}
	var d DateTime
	ok := digits(s[0:4], &d.Year) && digits(s[5:7], &d.Month) && digits(s[8:10], &d.Day) &&
		digits(s[11:13], &d.Hour) && digits(s[14:16], &d.Minute) && digits(s[17:19], &d.Second)
	rest := s[19:]
	if ok && len(rest) >= 7 && rest[0] == '.' {
		ok = digits(rest[1:7], &d.Microsecond) && d.Microsecond != 0
		rest = rest[7:]
	}
	if ok && len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' {
		var h, m int
		ok = digits(rest[1:3], &h) && digits(rest[4:6], &m) && m < 60
		d.Aware, d.Offset = true, h*3600+m*60
		if rest[0] == '-' {
			d.Offset = -d.Offset
		}
		rest = ""
	}
	if !ok || rest != "" || !d.valid() || d.ISO() != s {
		return DateTime{}, false
	}
	return d, true
}

// digits parses s, which must be only ASCII digits.
func digits(s string, dst *int) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(s)
	*dst = n
	return err == nil
}

// state is the 10 bytes Python pickles a datetime as.
func (d DateTime) state() []byte {
	return []byte{
		byte(d.Year >> 8), byte(d.Year), byte(d.Month), byte(d.Day),
		byte(d.Hour), byte(d.Minute), byte(d.Second),
		byte(d.Microsecond >> 16), byte(d.Microsecond >> 8), byte(d.Microsecond),
	}
}
