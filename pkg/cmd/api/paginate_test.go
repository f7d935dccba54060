package api

import (
	"fmt"
	"strings"
	"testing"
)

func TestPagerStartsWhereThePathSays(t *testing.T) {
	for path, want := range map[string]string{
		"/o/api-keys":                 "/o/api-keys?limit=100&page=1",
		"/o/api-keys?limit=7":         "/o/api-keys?limit=7&page=1",
		"/o/api-keys?page=3&limit=10": "/o/api-keys?limit=10&page=3",
		"/o/api-keys?x=1":             "/o/api-keys?limit=100&page=1&x=1",
	} {
		p, err := newPager(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got := p.next(); got != want {
			t.Errorf("%s: first page %s, want %s", path, got, want)
		}
	}
	for _, path := range []string{"/o?page=0", "/o?page=x", "/o?page=-1"} {
		if _, err := newPager(path); err == nil || !strings.Contains(err.Error(), "is not a page number") {
			t.Errorf("%s: got %v, want a usage error", path, err)
		}
	}
}

func page(n, limit, total int, items ...string) []byte {
	return fmt.Appendf(nil, `{"status":true,"data":[%s],"meta":{"page":%d,"limit":%d,"total":%d}}`, strings.Join(items, ","), n, limit, total)
}

func TestPagerAdvance(t *testing.T) {
	type step struct {
		body []byte
		more bool
		err  string
	}
	for name, steps := range map[string][]step{
		"three pages": {
			{page(1, 2, 5, "1", "2"), true, ""},
			{page(2, 2, 5, "3", "4"), true, ""},
			{page(3, 2, 5, "5"), false, ""},
		},
		"exactly full":      {{page(1, 2, 2, "1", "2"), false, ""}},
		"no meta: the list": {{[]byte(`{"status":true,"data":[1,2,3]}`), false, ""}},
		"not json":          {{[]byte(`<html>`), false, ""}},
		"empty page ends":   {{page(1, 2, 5), false, ""}},
		"page ignored": {
			{page(1, 2, 5, "1", "2"), true, ""},
			{page(1, 2, 5, "1", "2"), false, "asked for page 2, the server answered page 1; stopping"},
		},
		"same items again": {
			{page(1, 2, 5, "1", "2"), true, ""},
			{page(2, 2, 5, "1", "2"), false, "page 2 holds the same items as page 1; stopping"},
		},
		"zero limit":    {{page(1, 0, 5, "1"), false, "meta.limit is 0"}},
		"data not list": {{[]byte(`{"data":{},"meta":{"page":1,"limit":1,"total":3}}`), false, "page 1 has meta but its data is not a list"}},
	} {
		p, _ := newPager("/o")
		for i, s := range steps {
			more, err := p.advance(s.body)
			if more != s.more || (err == nil) != (s.err == "") || (err != nil && !strings.Contains(err.Error(), s.err)) {
				t.Errorf("%s, step %d: got %v, %v; want %v, %q", name, i+1, more, err, s.more, s.err)
			}
		}
	}
}

// A server whose total grows with every page never ends by itself.
func TestPagerIsBounded(t *testing.T) {
	p, _ := newPager("/o")
	for n := 1; ; n++ {
		more, err := p.advance(page(n, 1, n+1, fmt.Sprint(n)))
		if err != nil {
			if n != maxPages || !strings.Contains(err.Error(), "stopped after 10000 pages") {
				t.Fatalf("page %d: %v", n, err)
			}
			return
		}
		if !more {
			t.Fatalf("page %d: the list ended", n)
		}
	}
}

func TestParseHeaders(t *testing.T) {
	h, err := parseHeaders([]string{"Accept: text/plain", "x-trace:  a:b ", "X-Trace: c", "Empty:"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(h); got != "map[Accept:[text/plain] Empty:[] X-Trace:[a:b c]]" {
		t.Errorf("got %s", got)
	}
	for hdr, want := range map[string]string{
		"Api-Key rpx_secret":       "invalid -H #1: it has no colon; give 'Name: value'",
		": x":                      `invalid -H #1: "" is not a header name`,
		"Bad Name: x":              `"Bad Name" is not a header name`,
		"X-A: a\rb":                `invalid -H "X-A": the value holds a control character`,
		"authorization: Api-Key x": "-H Authorization: the token comes from the profile",
		"Host: elsewhere":          "-H Host: replex sets this header itself",
	} {
		_, err := parseHeaders([]string{hdr})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "rpx_") {
			t.Errorf("%q: got %v, want %q", hdr, err, want)
		}
	}
}
