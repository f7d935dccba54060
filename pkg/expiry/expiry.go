package expiry

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const expiryForms = `use a duration (30d, 12h, 1y), a date (2027-01-31), an RFC 3339 time, or "never"`

// Parse reads the value of --expires at now and returns the expiry in UTC,
// or nil for "never". It accepts:
//
//   - "never", in any case: the token does not expire;
//   - a duration as ParseDuration reads it: now plus the duration, rounded up
//     to a whole second so the API sees a plain RFC 3339 time;
//   - a date, "2027-01-31": the token stays valid through that whole day in
//     UTC, so it expires at the start of the next one, 2027-02-01T00:00:00Z
//     (expiring at the start of the named day would cut it a day short);
//   - an RFC 3339 time, "2027-01-31T18:00:00+01:00": exactly then.
//
// A time not after now is refused.
func Parse(s string, now time.Time) (*time.Time, error) {
	in := strings.TrimSpace(s)
	fail := func(problem string) (*time.Time, error) {
		if problem == "" {
			return nil, fmt.Errorf("invalid expiry %q: %s", s, expiryForms)
		}
		return nil, fmt.Errorf("invalid expiry %q: %s; %s", s, problem, expiryForms)
	}

	var t time.Time
	switch {
	case strings.EqualFold(in, "never"):
		return nil, nil
	case isDate(in):
		day, err := time.Parse(time.DateOnly, in)
		if err != nil {
			return fail("no such date")
		}
		t = day.AddDate(0, 0, 1)
	case len(in) > len(time.DateOnly) && isDate(in[:len(time.DateOnly)]):
		var err error
		if t, err = time.Parse(time.RFC3339, in); err != nil {
			return fail("not an RFC 3339 time such as 2027-01-31T18:00:00Z")
		}
	default:
		d, problem := parseDuration(in)
		switch problem {
		case "":
			t = now.Add(d)
			if trunc := t.Truncate(time.Second); !trunc.Equal(t) {
				t = trunc.Add(time.Second)
			}
		case notADuration, "empty":
			return fail("")
		default:
			return fail(problem)
		}
	}
	if !t.After(now) {
		return nil, fmt.Errorf("invalid expiry %q: that is in the past", s)
	}
	t = t.UTC()
	return &t, nil
}

// isDate reports whether s has the shape of 2027-01-31, valid or not, so that
// an impossible date is reported as such rather than as an unknown form.
func isDate(s string) bool {
	if len(s) != len(time.DateOnly) {
		return false
	}
	for i := range len(s) {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Relative describes t as seen at now: "just now", "in 5 minutes",
// "2 hours ago", "in 3 days", "3 months ago", "in 1 year". It uses the
// largest unit that fits, rounding to the nearest whole one, so a token
// created with --expires 30d reads "in 1 month" a second later rather than
// "in 29 days". A month is 30 days and a year 365. Times less than a minute
// away read "just now" when past and "in under a minute" when ahead.
func Relative(t, now time.Time) string {
	d := t.Sub(now)
	future := d > 0
	d = d.Abs()
	if d < time.Minute {
		if future {
			return "in under a minute"
		}
		return "just now"
	}
	n, unit := relativeUnit(d)
	phrase := strconv.FormatInt(n, 10) + " " + unit
	if n != 1 {
		phrase += "s"
	}
	if future {
		return "in " + phrase
	}
	return phrase + " ago"
}

// relativeUnit picks the unit for Relative; d is at least a minute. Each
// step rounds first so that 59m40s becomes "1 hour", not "60 minutes".
func relativeUnit(d time.Duration) (int64, string) {
	if m := int64(d.Round(time.Minute) / time.Minute); m < 60 {
		return m, "minute"
	}
	if h := int64(d.Round(time.Hour) / time.Hour); h < 24 {
		return h, "hour"
	}
	days := int64(d.Round(Day) / Day)
	if days < 30 {
		return days, "day"
	}
	if months := (days + 15) / 30; months < 12 {
		return months, "month"
	}
	return max(1, (days+182)/365), "year"
}
