package expiry

import (
	"strings"
	"testing"
	"time"
)

const forms = "use a number and a unit (s, m, h, d, w, y), e.g. 30d, 12h, 1y or 1d12h"

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"12h", 12 * time.Hour},
		{"90m", 90 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{".5h", 30 * time.Minute},
		{"+1h", time.Hour},
		{"45s", 45 * time.Second},
		{"500ms", 500 * time.Millisecond},
		{"30d", 30 * Day},
		{"2w", 14 * Day},
		{"1y", 365 * Day},
		{"1d12h", 36 * time.Hour},
		{"12h1d", 36 * time.Hour},
		{"1y 2d", 367 * Day},
		{"1w  1d 1h", 8*Day + time.Hour},
		{" 7d ", 7 * Day},
		{"0d1h", time.Hour},
		{"292y", 292 * Year},
		{"106751d", 106751 * Day},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", `invalid duration "": empty; ` + forms},
		{"  ", `invalid duration "  ": empty; ` + forms},
		{"-1h", `invalid duration "-1h": must be positive; ` + forms},
		{"-30d", `invalid duration "-30d": must be positive; ` + forms},
		{"0", `invalid duration "0": must be positive; ` + forms},
		{"0d", `invalid duration "0d": must be positive; ` + forms},
		{"0h0m", `invalid duration "0h0m": must be positive; ` + forms},
		{"30", `invalid duration "30": missing unit; ` + forms},
		{"1d 5", `invalid duration "1d 5": missing unit; ` + forms},
		{"1.5d", `invalid duration "1.5d": days, weeks and years must be whole numbers; ` + forms},
		{"3mo", `invalid duration "3mo": months vary in length; ` + forms},
		{"3M", `invalid duration "3M": months vary in length; ` + forms},
		{"293y", `invalid duration "293y": too long (at most 292y); ` + forms},
		{"106752d", `invalid duration "106752d": too long (at most 292y); ` + forms},
		{"292y1y", `invalid duration "292y1y": too long (at most 292y); ` + forms},
		{"99999999999999999999h", `invalid duration "99999999999999999999h": too long (at most 292y); ` + forms},
		{"99999999999999999999d", `invalid duration "99999999999999999999d": too long (at most 292y); ` + forms},
		{"tomorow", `invalid duration "tomorow": ` + forms},
		{"-abc", `invalid duration "-abc": ` + forms},
		{"-", `invalid duration "-": ` + forms},
		{"--1h", `invalid duration "--1h": ` + forms},
		{"-1.5d", `invalid duration "-1.5d": days, weeks and years must be whole numbers; ` + forms},
		{"-0", `invalid duration "-0": must be positive; ` + forms},
		{"1D", `invalid duration "1D": ` + forms},
		{"1d-2h", `invalid duration "1d-2h": ` + forms},
		{"1..5h", `invalid duration "1..5h": ` + forms},
		{".", `invalid duration ".": ` + forms},
		{"\xff", `invalid duration "\xff": ` + forms},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err == nil {
			t.Errorf("ParseDuration(%q) = %v; want error %s", tt.in, got, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseDuration(%q) error\n got: %s\nwant: %s", tt.in, err, tt.want)
		}
	}
}

const expiryHint = `use a duration (30d, 12h, 1y), a date (2027-01-31), an RFC 3339 time, or "never"`

// testNow has a fraction of a second, to show durations rounding up.
var testNow = time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339; "" for nil
	}{
		{"never", ""},
		{" NEVER ", ""},
		{"30d", "2026-04-13T15:09:27Z"},
		{"12h", "2026-03-15T03:09:27Z"},
		{"1y", "2027-03-14T15:09:27Z"},
		{"500ms", "2026-03-14T15:09:28Z"},
		{"2027-01-31", "2027-02-01T00:00:00Z"},
		{"2026-03-14", "2026-03-15T00:00:00Z"}, // today: valid until the day ends in UTC
		{"2028-02-29", "2028-03-01T00:00:00Z"},
		{"2027-01-31T18:00:00+01:00", "2027-01-31T17:00:00Z"},
		{"2027-01-31T18:00:00.25Z", "2027-01-31T18:00:00.25Z"},
		{"2026-03-14T15:09:27Z", "2026-03-14T15:09:27Z"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, testNow)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("Parse(%q) = %v; want nil", tt.in, got)
		case tt.want != "" && (got == nil || got.Format(time.RFC3339Nano) != tt.want || got.Location() != time.UTC):
			t.Errorf("Parse(%q) = %v; want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseLocalNow(t *testing.T) {
	// The result is UTC even when testNow is not, and a duration keeps the instant.
	local := testNow.In(time.FixedZone("X", -5*3600))
	got, err := Parse("1h", local)
	if err != nil || got.Location() != time.UTC || !got.Equal(time.Date(2026, 3, 14, 16, 9, 27, 0, time.UTC)) {
		t.Errorf("Parse(1h, local) = %v, %v", got, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"tomorow", `invalid expiry "tomorow": ` + expiryHint},
		{"", `invalid expiry "": ` + expiryHint},
		{"nevr", `invalid expiry "nevr": ` + expiryHint},
		{"0d", `invalid expiry "0d": must be positive; ` + expiryHint},
		{"-1d", `invalid expiry "-1d": must be positive; ` + expiryHint},
		{"30", `invalid expiry "30": missing unit; ` + expiryHint},
		{"3mo", `invalid expiry "3mo": months vary in length; ` + expiryHint},
		{"1000y", `invalid expiry "1000y": too long (at most 292y); ` + expiryHint},
		{"2027-02-30", `invalid expiry "2027-02-30": no such date; ` + expiryHint},
		{"2027-13-01", `invalid expiry "2027-13-01": no such date; ` + expiryHint},
		{"2027-1-31", `invalid expiry "2027-1-31": ` + expiryHint},
		{"2027-01-31T18:00:00", `invalid expiry "2027-01-31T18:00:00": not an RFC 3339 time such as 2027-01-31T18:00:00Z; ` + expiryHint},
		{"2027-01-31 18:00", `invalid expiry "2027-01-31 18:00": not an RFC 3339 time such as 2027-01-31T18:00:00Z; ` + expiryHint},
		{"2026-03-13", `invalid expiry "2026-03-13": that is in the past`},
		{"2020-01-01T00:00:00Z", `invalid expiry "2020-01-01T00:00:00Z": that is in the past`},
		{"2026-03-14T15:09:26.535Z", `invalid expiry "2026-03-14T15:09:26.535Z": that is in the past`}, // exactly testNow
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, testNow)
		if err == nil {
			t.Errorf("Parse(%q) = %v; want error %s", tt.in, got, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q) error\n got: %s\nwant: %s", tt.in, err, tt.want)
		}
	}
}

func TestRelative(t *testing.T) {
	tests := []struct {
		d    time.Duration // t - testNow
		want string
	}{
		{0, "just now"},
		{-59 * time.Second, "just now"},
		{59 * time.Second, "in under a minute"},
		{time.Minute, "in 1 minute"},
		{-time.Minute, "1 minute ago"},
		{5*time.Minute + 29*time.Second, "in 5 minutes"},
		{5*time.Minute + 30*time.Second, "in 6 minutes"},
		{-59*time.Minute - 29*time.Second, "59 minutes ago"},
		{-59*time.Minute - 30*time.Second, "1 hour ago"},
		{-2 * time.Hour, "2 hours ago"},
		{23*time.Hour + 29*time.Minute, "in 23 hours"},
		{23*time.Hour + 30*time.Minute, "in 1 day"},
		{3 * Day, "in 3 days"},
		{-29 * Day, "29 days ago"},
		{30*Day - time.Second, "in 1 month"}, // --expires 30d, listed a second later
		{44 * Day, "in 1 month"},
		{45 * Day, "in 2 months"},
		{-90 * Day, "3 months ago"},
		{344 * Day, "in 11 months"},
		{345 * Day, "in 1 year"},
		{Year, "in 1 year"},
		{547 * Day, "in 1 year"},
		{548 * Day, "in 2 years"},
		{-10 * Year, "10 years ago"},
	}
	for _, tt := range tests {
		if got := Relative(testNow.Add(tt.d), testNow); got != tt.want {
			t.Errorf("Relative(now%+v) = %q; want %q", tt.d, got, tt.want)
		}
	}
	// Extremes saturate instead of overflowing.
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, want := Relative(far, time.Time{}), "in 292 years"; got != want {
		t.Errorf("Relative(far future) = %q; want %q", got, want)
	}
	if got, want := Relative(time.Time{}, far), "292 years ago"; got != want {
		t.Errorf("Relative(far past) = %q; want %q", got, want)
	}
}

func TestHumanize(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{500 * time.Millisecond, "500ms"},
		{time.Second, "1s"},
		{45 * time.Second, "45s"},
		{90 * time.Second, "1m 30s"},
		{90 * time.Minute, "1h 30m"},
		{5 * time.Hour, "5h"},
		{5*time.Hour + 59*time.Second, "5h"},
		{36 * time.Hour, "1d 12h"},
		{3 * Day, "3d"},
		{30 * Day, "30d"},
		{Year, "1y"},
		{Year + 2*Day + 3*time.Hour, "1y 2d"},
		{Year + 5*time.Hour, "1y"},
		{400 * Day, "1y 35d"},
		{-36 * time.Hour, "-1d 12h"},
		{time.Duration(1<<63 - 1), "292y 171d"},
		{time.Duration(-1 << 63), "-292y 171d"},
	}
	for _, tt := range tests {
		if got := Humanize(tt.d); got != tt.want {
			t.Errorf("Humanize(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
}

func TestHumanizeParses(t *testing.T) {
	// What Humanize writes, ParseDuration reads back, down to the dropped parts.
	for _, d := range []time.Duration{time.Second, 90 * time.Minute, 36 * time.Hour, 30 * Day, Year + 2*Day} {
		got, err := ParseDuration(Humanize(d))
		if err != nil || got != d {
			t.Errorf("ParseDuration(Humanize(%v)) = %v, %v", d, got, err)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"12h", "1h30m", "30d", "2w", "1y", "1d12h", "1y 2d", "", "-1h", "0", "1.5d", "3mo", "293y", "99999999999999999999h", ".5h", "+1h", "1µs", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if d != 0 || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("ParseDuration(%q) = %v, %q", s, d, err)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("ParseDuration(%q) = %v, not positive", s, d)
		}
		if h := Humanize(d); h == "" {
			t.Fatalf("Humanize(%v) is empty", d)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"never", "30d", "2027-01-31", "2027-02-30", "2027-01-31T18:00:00+01:00", "2027-01-31T18:00:00", "2020-01-01", "tomorow", "", "-1d", "0s", "1000y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s, testNow)
		if err != nil {
			if got != nil || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("Parse(%q) = %v, %q", s, got, err)
			}
			return
		}
		if got == nil {
			if !strings.EqualFold(strings.TrimSpace(s), "never") {
				t.Fatalf("Parse(%q) = nil without an error", s)
			}
			return
		}
		if !got.After(testNow) || got.Location() != time.UTC {
			t.Fatalf("Parse(%q) = %v, not a UTC time after %v", s, got, testNow)
		}
		_ = Relative(*got, testNow)
	})
}

func TestDurationFlag(t *testing.T) {
	var d time.Duration
	v := NewDurationFlag(&d, 14*Day, false)
	if d != 14*Day || v.String() != "14d" || v.Type() != "duration" {
		t.Fatalf("default: %v %q %q", d, v.String(), v.Type())
	}
	for in, want := range map[string]time.Duration{"2w": 2 * Week, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute, "45s": 45 * time.Second} {
		if err := v.Set(in); err != nil || d != want {
			t.Errorf("Set(%q) = %v, %v; want %v", in, d, err, want)
		}
	}
	for _, in := range []string{"0", "0s", "5", "-1h", "3mo"} {
		if err := v.Set(in); err == nil {
			t.Errorf("Set(%q) accepted %v", in, d)
		}
	}
	z := NewDurationFlag(&d, 45*time.Second, true)
	for _, in := range []string{"0", "0s", "0d"} {
		d = time.Hour
		if err := z.Set(in); err != nil || d != 0 {
			t.Errorf("zero allowed: Set(%q) = %v, %v; want 0", in, d, err)
		}
	}
	if err := z.Set("-0s"); err == nil {
		t.Error("zero allowed: Set(-0s) accepted")
	}
	if z.String() != "0" {
		t.Errorf("String() of zero = %q; want 0", z.String())
	}
	for d, want := range map[time.Duration]string{90 * Day: "90d", 36 * time.Hour: "1d12h", 90 * time.Minute: "1h30m", 1500 * time.Millisecond: "1s500ms"} {
		if got := Compact(d); got != want {
			t.Errorf("Compact(%v) = %q; want %q", d, got, want)
		}
	}
}
