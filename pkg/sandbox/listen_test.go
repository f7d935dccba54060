package sandbox

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/replexio/replex/pkg/api"
)

func TestListenRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "10.1.2.3:0", ":0", "[::]:0", "example.com:0", "[::ffff:10.0.0.1]:0"} {
		ln, err := Listen(addr, false)
		if err == nil {
			ln.Close()
			t.Errorf("Listen(%q) succeeded", addr)
			continue
		}
		if !strings.Contains(err.Error(), "refusing to listen on "+addr) || !strings.Contains(err.Error(), "not a loopback address") {
			t.Errorf("Listen(%q) error = %v", addr, err)
		}
	}
	if _, err := Listen("127.0.0.1", false); err == nil || !strings.Contains(err.Error(), "bad listen address") {
		t.Errorf("missing port: %v", err)
	}
}

func TestListenLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "127.1.2.3:0", "localhost:0", "[::1]:0"} {
		ln, err := Listen(addr, false)
		if err != nil {
			var opErr *net.OpError
			if addr == "[::1]:0" && errors.As(err, &opErr) { // host without IPv6
				t.Logf("skipping %s: %v", addr, err)
				continue
			}
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		if port := ln.Addr().(*net.TCPAddr).Port; port == 0 {
			t.Errorf("Listen(%q) did not pick a port", addr)
		}
		ln.Close()
	}
	ln, err := Listen("0.0.0.0:0", true)
	if err != nil {
		t.Fatalf("allowed non-loopback: %v", err)
	}
	ln.Close()
}

// The sandbox served on a real loopback listener answers the docs' request.
func TestServeOnLoopback(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+api.OrganizationPath(s.OrgID()), nil)
	req.Header.Set("Authorization", "Api-Key "+s.AdminSecret())
	r := send(t, req)
	org, _ := decodeData[api.Organization](t, r, 200)
	if org.ID != s.OrgID() {
		t.Errorf("org = %+v", org)
	}
}
