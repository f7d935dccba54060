package api

import (
	"slices"
	"time"
	"unicode/utf8"
)

// AppendIndentedJSON appends t exactly as json.MarshalIndent(t, prefix,
// indent) would write it, with HTML characters left alone as
// json.Encoder.SetEscapeHTML(false) does, and reports false when it cannot
// (a time encoding/json refuses), for the caller to fall back. Listing
// 10,000 tokens spends most of its output time in encoding/json's
// reflection and re-indentation; this writes each token directly.
func (t *Token) AppendIndentedJSON(dst []byte, prefix, indent string) ([]byte, bool) {
	nl := func(depth int) {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	key := func(k string) {
		nl(1)
		dst = appendJSONString(dst, k)
		dst = append(dst, ':', ' ')
	}
	ok := true
	appendTime := func(tm *time.Time) {
		if tm == nil {
			dst = append(dst, "null"...)
			return
		}
		b, err := tm.MarshalJSON()
		if err != nil {
			ok = false
			return
		}
		dst = append(dst, b...)
	}

	dst = append(dst, '{')
	key("id")
	dst = appendJSONString(dst, t.ID)
	dst = append(dst, ',')
	key("name")
	dst = appendJSONString(dst, t.Name)
	dst = append(dst, ',')
	key("organizationId")
	dst = appendJSONString(dst, t.OrganizationID)
	dst = append(dst, ',')
	key("permissions")
	switch {
	case t.Permissions == nil:
		dst = append(dst, "null"...)
	case len(t.Permissions) == 0:
		dst = append(dst, "{}"...)
	default:
		dst = append(dst, '{')
		cats := make([]string, 0, len(t.Permissions))
		for c := range t.Permissions {
			cats = append(cats, c)
		}
		slices.Sort(cats)
		for i, c := range cats {
			if i > 0 {
				dst = append(dst, ',')
			}
			nl(2)
			dst = appendJSONString(dst, c)
			dst = append(dst, ':', ' ')
			acts := t.Permissions[c]
			switch {
			case acts == nil:
				dst = append(dst, "null"...)
			case len(acts) == 0:
				dst = append(dst, "[]"...)
			default:
				dst = append(dst, '[')
				for j, a := range acts {
					if j > 0 {
						dst = append(dst, ',')
					}
					nl(3)
					dst = appendJSONString(dst, a)
				}
				nl(2)
				dst = append(dst, ']')
			}
		}
		nl(1)
		dst = append(dst, '}')
	}
	dst = append(dst, ',')
	key("createdAt")
	appendTime(&t.CreatedAt)
	dst = append(dst, ',')
	key("updatedAt")
	appendTime(&t.UpdatedAt)
	dst = append(dst, ',')
	key("expiresAt")
	appendTime(t.ExpiresAt)
	dst = append(dst, ',')
	key("lastUsedAt")
	appendTime(t.LastUsedAt)
	nl(0)
	dst = append(dst, '}')
	return dst, ok
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does without HTML escaping:
// quotes, backslashes and control characters escaped, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 as escapes.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(dst, s[start:]...), '"')
}
