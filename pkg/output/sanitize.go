package output

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the one rule for text going to a terminal (docs/output.md,
// "Terminal-safe text"). A character is unsafe when a terminal would act on
// it or when it hides or reorders text:
//
//   - C0 and C1 controls and DEL (ESC starts every escape sequence);
//   - format characters (category Cf): bidi overrides, embeddings, isolates
//     and marks (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C), zero-width
//     characters (U+200B-200D, U+2060, U+FEFF), soft hyphen, tag characters;
//   - line and paragraph separators (U+2028, U+2029), which break lines;
//   - the other default-ignorable code points, which render as nothing:
//     the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, U+034F, U+17B4,
//     U+17B5 and the variation selectors (U+FE00-FE0F and others);
//   - U+2800 BRAILLE PATTERN BLANK, a blank that is not whitespace.
//
// Sanitize and EscapeJSON show each one as an escape; FirstUnsafe finds the
// first one, for validating names.

// SafeRune reports whether r may reach a terminal as it is.
func SafeRune(r rune) bool {
	if r < 0x7f {
		return r >= 0x20 // printable ASCII: no table to look up
	}
	switch {
	case r < 0xa0: // DEL and C1 controls
		return false
	case r == 0x2800:
		return false
	case r == utf8.RuneError:
		return true // U+FFFD itself; invalid bytes are handled by the callers
	}
	return !unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// FirstUnsafe returns the first character of s that SafeRune refuses, or
// utf8.RuneError with ok false for invalid UTF-8; ok is true when s is clean.
func FirstUnsafe(s string) (r rune, ok bool) {
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return r, false
		}
		if !SafeRune(r) {
			return r, false
		}
		i += size
	}
	return 0, true
}

// CodePoint names r the way replex's messages do, U+202E, so that a message
// about a character never prints the character itself.
func CodePoint(r rune) string { return fmt.Sprintf("U+%04X", r) }

// DescribeUnsafe says what kind of unsafe character r is, for messages
// that name it by CodePoint.
func DescribeUnsafe(r rune) string {
	switch {
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return "a control character"
	case r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
		return "a bidi control"
	case r == 0x2028 || r == 0x2029:
		return "a line separator"
	}
	return "an invisible character"
}

// Sanitize makes a server-provided string safe to print on a terminal:
// invalid UTF-8 and every unsafe character become visible escapes (\x1b,
// \u202e, \U000e0041), so a hostile token name cannot rewrite the screen,
// reorder text or hide part of itself.
func Sanitize(s string) string {
	if _, ok := FirstUnsafe(s); ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case SafeRune(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// EscapeJSON makes JSON text safe for a terminal and keeps it valid JSON
// with the same meaning: unsafe characters, which in JSON can only be
// inside strings, become \u escapes (a surrogate pair above U+FFFF), and
// a byte that is not UTF-8 becomes \ufffd, which is what a JSON decoder
// reads it as. Raw C0 controls are not valid JSON and are escaped too.
func EscapeJSON(b []byte) []byte {
	if jsonTerminalSafe(b) {
		return b
	}
	var out bytes.Buffer
	out.Grow(len(b) + 16)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			out.WriteByte(b[0]) // whitespace between tokens: JSON's own layout
		case r == utf8.RuneError && size == 1:
			out.WriteString(`\ufffd`)
		case SafeRune(r):
			out.Write(b[:size])
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
		b = b[size:]
	}
	return out.Bytes()
}

// jsonTerminalSafe reports whether b needs no escaping: the common case,
// checked without building anything (and, for ASCII, without decoding).
func jsonTerminalSafe(b []byte) bool {
	ascii := true
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0x7f {
			return false
		}
		ascii = ascii && c < 0x80
	}
	return ascii || utf8.Valid(b) && !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x80 && !SafeRune(r) })
}
