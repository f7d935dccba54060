package api

import (
	"errors"
	"strings"
	"testing"
)

// TestDecodeEnvelope: one pass over the body tells a good answer, a body
// that is not the envelope, an envelope without data and data of the wrong
// shape apart.
func TestDecodeEnvelope(t *testing.T) {
	for _, tc := range []struct {
		body, wantErr string
		wantName      string
		wantTotal     int
	}{
		{`{"status":true,"data":{"id":"ak_1","name":"ci"}}`, "", "ci", -1},
		{` {"data":{"name":"ci"},"meta":{"page":1,"limit":100,"total":7},"extra":[1,{"a":null}]} `, "", "ci", 7},
		{`{"meta":{"total":1},"status":true,"data" : {"name":"x"}}`, "", "x", 1},
		{`{"status":true}`, "the answer's envelope has no data", "", 0},
		{`{"status":true,"data":null}`, "the answer's envelope has no data", "", 0},
		{`{"status":true,"data": null ,"meta":null}`, "the answer's envelope has no data", "", 0},
		{`{"status":true,"data":{"name":"ci"`, "the answer is not the Replex JSON envelope (unexpected EOF); check the base URL", "", 0},
		{`<html>Bad Gateway</html>`, "the answer is not the Replex JSON envelope (invalid character '<' looking for beginning of value); check the base URL", "", 0},
		{`[1,2]`, "the answer is not the Replex JSON envelope (it is an array, not an object); check the base URL", "", 0},
		{`"rpx_secretvalue"`, "the answer is not the Replex JSON envelope (it is a string, not an object); check the base URL", "", 0},
		{`42`, "the answer is not the Replex JSON envelope (it is a number, not an object); check the base URL", "", 0},
		{`null`, "the answer is not the Replex JSON envelope (it is null, not an object); check the base URL", "", 0},
		{``, "the answer is not the Replex JSON envelope (EOF); check the base URL", "", 0},
		{`{"data":{"name":"ci"}} trailing`, "the answer is not the Replex JSON envelope (invalid character 'a' in literal true (expecting 'u')); check the base URL", "", 0},
		{`{"data":{"name":"ci"}}{}`, "the answer is not the Replex JSON envelope (invalid character after top-level value); check the base URL", "", 0},
		{`{"data":{"name":42}}`, "the answer's data does not match the contract (cannot unmarshal number into Go struct field Token.name of type string)", "", 0},
		{`{"data":{"name":"ci"},"meta":{"total":1e3,"limit":100.0}}`, "", "ci", 1000},
		{`{"data":{"name":"ci"},"meta":{"total":1.5}}`, "meta.total is 1.5, not a count", "", 0},
		{`{"data":{"name":"ci"},"meta":{"page":-1}}`, "meta.page is -1, not a count", "", 0},
		{`{"data":{"name":"ci"},"meta":{"limit":"rpx_secret"}}`, "meta is not an object of numbers (page, limit, total)", "", 0},
		{`{"data":{"name":"ci"},"meta":"x"}`, "meta is not an object of numbers (page, limit, total)", "", 0},
	} {
		var tok Token
		meta, err := decodeEnvelope([]byte(tc.body), &tok)
		if tc.wantErr != "" {
			if e, ok := err.(*Error); (!ok || e.Message != tc.wantErr) && !(errors.As(err, new(*PagingError)) && err.(*PagingError).Problem == tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.body, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.body, err)
			continue
		}
		if tok.Name != tc.wantName {
			t.Errorf("%q: name %q, want %q", tc.body, tok.Name, tc.wantName)
		}
		if total := -1; meta != nil {
			total = meta.Total
			if total != tc.wantTotal {
				t.Errorf("%q: total %d, want %d", tc.body, total, tc.wantTotal)
			}
		} else if tc.wantTotal != -1 {
			t.Errorf("%q: no meta, want total %d", tc.body, tc.wantTotal)
		}
	}
}

// FuzzDecodeEnvelope: whatever the body, decoding neither panics nor
// returns data without an error for a body that is not one JSON object.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add(`{"status":true,"data":[{"id":"a","name":"b"}],"meta":{"total":1}}`)
	f.Add(`{"data":null}`)
	f.Add(`<html>`)
	f.Add(`{"data":[],"meta":{"page":1,"limit":1,"total":4000000000}}`)
	f.Add(`{"data":[],"meta":{"page":1.0,"limit":1e3,"total":-1e18}}`)
	f.Add(`{"meta":{"total":"12"},"data":[]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var toks []Token
		_, err := decodeEnvelope([]byte(body), &toks)
		if err == nil && !strings.Contains(body, `"data"`) && !strings.Contains(body, `\u`) {
			t.Fatalf("accepted %q without data", body)
		}
	})
}
