package api

import (
	"errors"
	"strings"
	"testing"

	"github.com/replexio/replex/pkg/cmdutil"
)

func TestPreparePath(t *testing.T) {
	for _, tc := range []struct {
		path string
		want string // "" = accepted; else a part of the usage error
	}{
		{"/organizations/{org}", ""},
		{"organizations/{org}/api-keys", ""},
		{"/api/v1/organizations/{org}", ""},
		{"/organizations/{org}/api-keys?page=2&limit=10", ""},
		{"/organizations/{org}/api-keys/ak_1%20x", ""},
		{"", "the path is empty: give one such as /organizations/{org}"},
		{"   ", "the path is empty"},
		{"https://elsewhere.example/api/v1/x", `invalid path "https://elsewhere.example/api/v1/x": give a path such as`},
		{"//elsewhere.example/x", "the server comes from --base-url"},
		{"/organizations/\x1b[2J", "give a path such as"},
		{" /organizations/{org}", "it contains a space; percent-encode it (%20)"},
		{"/organizations/{org}\n", "give a path such as"},
		{"/organizations/{org}/api-keys?name=a b", "contains a space"},
		{"/organizations/{org}#top", "a #fragment is never sent"},
		{"/organizations/{org}/../../admin", "no . or .. segments"},
		{"/organizations/%2e%2e/x", "no . or .. segments"},
		{"./organizations/{org}", "no . or .. segments"},
	} {
		o := &Options{Method: "GET", Path: tc.path}
		err := o.prepare()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("path %q: %v", tc.path, err)
		case tc.want == "":
		case err == nil:
			t.Errorf("path %q accepted, want an error with %q", tc.path, tc.want)
		default:
			var ue *cmdutil.UsageError
			if !errors.As(err, &ue) {
				t.Errorf("path %q: %v is not a usage error", tc.path, err)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("path %q: got %q, want one line with %q", tc.path, err, tc.want)
			}
		}
	}
}
