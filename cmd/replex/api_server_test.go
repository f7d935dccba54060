package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// apiServerToken is the token replex sends to the servers of these tests;
// it has the sandbox's secret prefix so that a leak is caught like one.
const apiServerToken = "rpx_apiservertest0123456789abcdef"

// runAPI runs the built replex against base with a deadline: a replex that
// loops forever fails the test instead of hanging it.
func runAPI(t *testing.T, bin, base string, extraEnv []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(isolatedEnv(t, base, "org_1", apiServerToken), extraEnv...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("replex %s did not finish within 30s", strings.Join(args, " "))
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if strings.Contains(errOut.String(), "rpx_") {
		t.Errorf("replex %s: the token reached stderr:\n%s", strings.Join(args, " "), errOut.String())
	}
	return out.String(), errOut.String(), code
}

// TestAPIPaginateStopsWhenServerDoesNotMoveOn: --paginate against real
// servers on loopback that misbehave ends with one error line and exit 1,
// after the pages it did get, never in an endless walk.
func TestAPIPaginateStopsWhenServerDoesNotMoveOn(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	for _, tc := range []struct {
		name    string
		answer  func(page int) (int, string)
		pages   int // requests expected
		stdout  int // bodies printed
		errLine string
	}{
		{
			name: "page ignored",
			answer: func(int) (int, string) {
				return 200, `{"status":true,"data":[{"id":"a"},{"id":"b"}],"meta":{"page":1,"limit":2,"total":10}}`
			},
			pages: 2, stdout: 2,
			errLine: "replex: --paginate: asked for page 2, the server answered page 1; stopping",
		},
		{
			name: "same items again",
			answer: func(p int) (int, string) {
				return 200, fmt.Sprintf(`{"status":true,"data":[{"id":"a"}],"meta":{"page":%d,"limit":1,"total":10}}`, p)
			},
			pages: 2, stdout: 2,
			errLine: "replex: --paginate: page 2 holds the same items as page 1; stopping",
		},
		{
			name: "fails midway",
			answer: func(p int) (int, string) {
				if p == 3 {
					return 500, `{"status":false,"message":"database on fire","code":"internal"}`
				}
				return 200, fmt.Sprintf(`{"status":true,"data":[{"id":"%d"}],"meta":{"page":%d,"limit":1,"total":10}}`, p, p)
			},
			pages: 3, stdout: 3,
			errLine: "replex: HTTP 500: database on fire",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			requests := 0
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				requests++
				mu.Unlock()
				var page int
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				status, body := tc.answer(page)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				fmt.Fprintln(w, body)
			})}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })

			stdout, stderr, code := runAPI(t, bin, "http://"+ln.Addr().String(), nil, "api", "/organizations/{org}/api-keys", "--paginate")
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if got := strings.TrimSuffix(stderr, "\n"); got != tc.errLine {
				t.Errorf("stderr %q, want %q", got, tc.errLine)
			}
			if got := strings.Count(stdout, `{"status":`); got != tc.stdout {
				t.Errorf("%d bodies printed, want %d:\n%s", got, tc.stdout, stdout)
			}
			mu.Lock()
			defer mu.Unlock()
			if requests != tc.pages {
				t.Errorf("%d requests, want %d", requests, tc.pages)
			}
		})
	}
}

// TestAPIIncludeIsSanitised: -i prints a hostile server's status line and
// headers without a byte that could drive the terminal, without the
// credential headers, and with the token masked where the server echoes it.
// The -H headers reach the server, and the token is still the profile's.
func TestAPIIncludeIsSanitised(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	received := make(chan http.Header, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				received <- req.Header
				body := `{"status":true,"data":{"id":"org_1"}}`
				// Written by hand: a Go server would not send these bytes.
				fmt.Fprintf(conn, "HTTP/1.1 200 OK\x1b]0;owned\x07\r\n"+
					"Content-Type: application/json\r\n"+
					"Content-Length: %d\r\n"+
					"X-Echo: %s\r\n"+
					"Authorization: %s\r\n"+
					"Set-Cookie: session=s3cr3t\r\n"+
					"X-Bidi: safe\u202etxt.exe\r\n"+
					"X-Csi: a\u009b31mred\r\n"+
					"Connection: close\r\n\r\n%s",
					len(body), req.Header.Get("Authorization"), req.Header.Get("Authorization"), body)
			}()
		}
	}()
	base := "http://" + ln.Addr().String()
	for _, env := range [][]string{nil, {"REPLEX_FORCE_TTY=120"}} {
		stdout, stderr, code := runAPI(t, bin, base, env, "api", "-i", "/organizations/{org}", "-H", "X-Trace: 42", "-H", "Accept: application/vnd.replex+json")
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", env, code, stderr)
		}
		head, _, _ := strings.Cut(stdout, "\n\n")
		for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u009b", "rpx_", "Authorization", "Set-Cookie", "s3cr3t"} {
			if strings.Contains(head, bad) {
				t.Errorf("%v: the head holds %q:\n%s", env, bad, head)
			}
		}
		for _, want := range []string{
			`HTTP/1.1 200 OK\x1b]0;owned\x07`,
			"X-Bidi: safe\\u202etxt.exe",
			"X-Echo: Api-Key [masked sha256:",
		} {
			if !strings.Contains(head, want) {
				t.Errorf("%v: the head lacks %q:\n%s", env, want, head)
			}
		}
		got := <-received
		if got.Get("X-Trace") != "42" || got.Get("Accept") != "application/vnd.replex+json" || got.Get("Authorization") != "Api-Key "+apiServerToken {
			t.Errorf("the server received %v", got)
		}
	}
}
