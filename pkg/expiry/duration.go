// Package expiry reads and shows API token lifetimes: the values of
// --expires, and the relative times and durations shown beside tokens.
package expiry

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Units beyond what time.ParseDuration knows. A year is 365 days: lifetimes
// are counted in elapsed time, not calendar years.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
	Year = 365 * Day
)

const durationForms = "use a number and a unit (s, m, h, d, w, y), e.g. 30d, 12h, 1y or 1d12h"

// ParseDuration reads a positive duration: anything time.ParseDuration
// accepts ("12h", "90m", "1h30m") plus whole days, weeks and years ("30d",
// "2w", "1y", "1d12h"); spaces may separate the parts ("1y 2d", as Humanize
// writes). Units are lower case: "m" is minutes, and months are refused
// because their length varies.
func ParseDuration(s string) (time.Duration, error) {
	d, problem := parseDuration(strings.TrimSpace(s))
	if problem == "" {
		return d, nil
	}
	if problem == notADuration {
		return 0, fmt.Errorf("invalid duration %q: %s", s, durationForms)
	}
	return 0, fmt.Errorf("invalid duration %q: %s; %s", s, problem, durationForms)
}

// Problems that parseDuration's callers treat specially: Parse reports input
// of no recognizable duration shape with its own, wider list of forms.
const (
	notADuration = "not a duration"
	notPositive  = "must be positive"
	tooLong      = "too long (at most 292y)"
)

// goUnit reports whether time.ParseDuration knows unit.
func goUnit(unit string) bool {
	switch unit {
	case "ns", "us", "µs", "μs", "ms", "s", "m", "h":
		return true
	}
	return false
}

// parseDuration returns the duration, or what is wrong with s.
func parseDuration(s string) (time.Duration, string) {
	switch {
	case s == "":
		return 0, "empty"
	case strings.HasPrefix(s, "-"):
		// Name the sign as the problem only when the rest is a duration;
		// one level deep, so "--1h" is not a duration at all.
		if strings.HasPrefix(s[1:], "-") {
			return 0, notADuration
		}
		switch _, problem := parseDuration(s[1:]); problem {
		case "", notPositive:
			return 0, notPositive
		case "empty":
			return 0, notADuration
		default:
			return 0, problem
		}
	}
	var total time.Duration
	rest := strings.TrimPrefix(s, "+") // as time.ParseDuration allows
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i < 0 {
			i = len(rest)
		}
		num := rest[:i]
		j := strings.IndexFunc(rest[i:], func(r rune) bool { return (r >= '0' && r <= '9') || r == '.' || r == ' ' })
		if j < 0 {
			j = len(rest) - i
		}
		unit := rest[i : i+j]
		rest = strings.TrimLeft(rest[i+j:], " ")
		if strings.Trim(num, ".") == "" {
			return 0, notADuration
		}

		var part time.Duration
		switch unit {
		case "d", "w", "y":
			if strings.Contains(num, ".") {
				return 0, "days, weeks and years must be whole numbers"
			}
			per := Day
			if unit == "w" {
				per = Week
			} else if unit == "y" {
				per = Year
			}
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil || n > math.MaxInt64/int64(per) {
				return 0, tooLong
			}
			part = time.Duration(n) * per
		case "mo", "M", "month", "months":
			return 0, "months vary in length"
		case "":
			if strings.Trim(num, "0.") == "" && total == 0 && rest == "" {
				return 0, notPositive // a bare "0", which Go accepts
			}
			return 0, "missing unit"
		default:
			d, err := time.ParseDuration(num + unit)
			if err != nil {
				if goUnit(unit) && strings.Count(num, ".") <= 1 {
					return 0, tooLong
				}
				return 0, notADuration
			}
			part = d
		}
		if part > math.MaxInt64-total {
			return 0, tooLong
		}
		total += part
	}
	if total <= 0 {
		return 0, notPositive
	}
	return total, ""
}

// Humanize writes d compactly with its largest unit and, when not zero, the
// next one: "30d", "1y 35d", "1d 12h", "1h 30m". Smaller parts are dropped,
// not rounded, so a lifetime never looks longer than it is. Durations under
// a second use Go's notation ("500ms").
func Humanize(d time.Duration) string {
	if d < 0 {
		return "-" + Humanize(d.Abs())
	}
	if d < time.Second {
		return d.String()
	}
	units := []struct {
		size time.Duration
		name string
	}{{Year, "y"}, {Day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	for i, u := range units {
		if d < u.size {
			continue
		}
		out := strconv.FormatInt(int64(d/u.size), 10) + u.name
		if i+1 < len(units) {
			next := units[i+1]
			if n := (d % u.size) / next.size; n > 0 {
				out += " " + strconv.FormatInt(int64(n), 10) + next.name
			}
		}
		return out
	}
	return d.String() // unreachable: d >= time.Second
}

// DurationFlag is the value of every duration flag (a pflag.Value): the
// units of ParseDuration, the type name "duration" in help, and the same
// error for a bad value whichever flag it is.
type DurationFlag struct {
	target *time.Duration
	zeroOK bool
}

// NewDurationFlag sets *target to def and returns the flag value that fills
// it. zeroOK lets "0" through, for flags where 0 means "never".
func NewDurationFlag(target *time.Duration, def time.Duration, zeroOK bool) *DurationFlag {
	*target = def
	return &DurationFlag{target: target, zeroOK: zeroOK}
}

// Set reads s with ParseDuration.
func (v *DurationFlag) Set(s string) error {
	if t := strings.TrimSpace(s); v.zeroOK && !strings.HasPrefix(t, "-") {
		// "0", "0s", "0d": zero, which parseDuration calls not positive.
		if _, problem := parseDuration(t); problem == notPositive {
			*v.target = 0
			return nil
		}
	}
	d, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*v.target = d
	return nil
}

// Type is the name help shows for the value.
func (v *DurationFlag) Type() string { return "duration" }

// String writes the value exactly, in units ParseDuration reads back
// ("14d", "1h30m"); zero is "0", which help leaves out as no default.
func (v *DurationFlag) String() string {
	if v == nil || v.target == nil || *v.target == 0 {
		return "0"
	}
	return Compact(*v.target)
}

// Compact writes a positive d exactly in days, hours, minutes and seconds
// ("14d", "1d12h", "1h30m"); what is left below a second in Go's notation.
func Compact(d time.Duration) string {
	var b strings.Builder
	for _, u := range []struct {
		size time.Duration
		name string
	}{{Day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.size; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10) + u.name)
			d -= n * u.size
		}
	}
	if d > 0 {
		b.WriteString(d.String())
	}
	return b.String()
}
