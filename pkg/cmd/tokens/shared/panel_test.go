package shared

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/secret"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeSecret is no real secret: it lacks the sandbox's rpx_ prefix, so the
// golden files can be checked for leaks by that prefix alone.
const fakeSecret = "fake-secret-for-golden"

// fakeFingerprint is the first 8 hex digits of sha256(fakeSecret), from
// printf fake-secret-for-golden | sha256sum.
const fakeFingerprint = "sha256:e6eae65d"

var panelNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func panelToken(t *testing.T, specs ...string) api.Token {
	t.Helper()
	perms, err := grants.ParseAll(specs)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2026, 5, 30, 12, 0, 0, 0, time.UTC)
	return api.Token{
		ID:          "ak_0123456789abcdef",
		Name:        "ci-deploy",
		Permissions: perms,
		ExpiresAt:   &exp,
	}
}

func TestPanelGolden(t *testing.T) {
	sec := secret.New(fakeSecret)
	tok := panelToken(t, "cluster:read,update", "budget:read")
	never := tok
	never.ExpiresAt = nil
	never.Name = "backup"
	never.Permissions = mustParse(t, "*:*")

	tests := []struct {
		name  string
		panel Panel
	}{
		{"copied_clear", Panel{Title: "Token created", Token: tok, Secret: sec, Copied: true, ClearAfter: 45 * time.Second, Now: panelNow}},
		{"copied", Panel{Title: "Token created", Token: tok, Secret: sec, Copied: true, Now: panelNow}},
		{"revealed", Panel{Title: "Token created", Token: tok, Secret: sec, Reveal: true, Now: panelNow}},
		{"secret_file", Panel{Title: "Token created", Token: tok, Secret: sec, SecretFile: "./ci.token", Now: panelNow}},
		// Every grant: the list wraps under its label; no expiry.
		{"wrapped_never", Panel{Title: "Token rotated", Token: never, Secret: sec, Copied: true, ClearAfter: 90 * time.Second, Now: panelNow}},
	}
	for _, tt := range tests {
		for _, color := range []bool{false, true} {
			name := tt.name
			if color {
				name += "_color"
			}
			t.Run(name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := tt.panel.Render(&buf, color); err != nil {
					t.Fatal(err)
				}
				got := buf.String()
				hasANSI := strings.Contains(got, "\x1b[")
				if color != hasANSI {
					t.Errorf("colour %v but ANSI escapes present = %v", color, hasANSI)
				}
				revealed := strings.Contains(got, fakeSecret)
				if revealed != tt.panel.Reveal {
					t.Errorf("secret value in the panel = %v; want %v (Reveal %v)", revealed, tt.panel.Reveal, tt.panel.Reveal)
				}
				masked := strings.Contains(got, "****** ("+fakeFingerprint+")")
				wantMasked := !tt.panel.Reveal && tt.panel.SecretFile == ""
				if masked != wantMasked {
					t.Errorf("masked fingerprint in the panel = %v; want %v", masked, wantMasked)
				}
				tokenstest.Golden(t, name, got, *update)
			})
		}
	}
}

// TestPanelPlainLines pins the plain panel line by line, independent of the
// golden files, so that -update cannot bless a broken layout unnoticed.
func TestPanelPlainLines(t *testing.T) {
	var buf bytes.Buffer
	p := Panel{Title: "Token created", Token: panelToken(t, "cluster:read"), Secret: secret.New(fakeSecret), Copied: true, ClearAfter: 45 * time.Second, Now: panelNow}
	if err := p.Render(&buf, false); err != nil {
		t.Fatal(err)
	}
	want := `╭─────────────────────────────────────────────────────────╮
│ ✔ Token created: ci-deploy                              │
│                                                         │
│ ID       ak_0123456789abcdef                            │
│ Grants   cluster:read                                   │
│ Expires  2026-05-30 12:00 UTC (in 3 months)             │
│ Secret   ****** (sha256:e6eae65d)                       │
│                                                         │
│ Copied to the clipboard; cleared in 45s if still there. │
│ Shown once: store it now. Lost means create a new one.  │
╰─────────────────────────────────────────────────────────╯
`
	if got := buf.String(); got != want {
		t.Errorf("panel:\n%s\nwant:\n%s", got, want)
	}
}

// TestPanelSanitizes keeps terminal escapes in a server-sent name or a file
// path out of the panel.
func TestPanelSanitizes(t *testing.T) {
	tok := panelToken(t, "cluster:read")
	tok.Name = "evil\x1b]52;c;aGk=\x07name"
	var buf bytes.Buffer
	p := Panel{Title: "Token created", Token: tok, Secret: secret.New(fakeSecret), SecretFile: "a\x1b[2Jb.token", Now: panelNow}
	if err := p.Render(&buf, false); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(buf.String(), '\x1b') || strings.ContainsRune(buf.String(), '\a') {
		t.Errorf("control characters reached the panel: %q", buf.String())
	}
}

func TestFakeFingerprint(t *testing.T) {
	if got := secret.New(fakeSecret).Fingerprint(); got != fakeFingerprint {
		t.Fatalf("fingerprint of the fake secret = %s; the constant says %s", got, fakeFingerprint)
	}
}

// TestGoldenFilesHoldNoSecret: the golden files must never contain anything
// shaped like a real secret.
func TestGoldenFilesHoldNoSecret(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d golden files, want at least 10", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("rpx_")) {
			t.Errorf("%s contains the real secret prefix rpx_", f)
		}
		if bytes.Contains(b, []byte(fakeSecret)) != strings.HasPrefix(filepath.Base(f), "revealed") {
			t.Errorf("%s: the fake secret value must appear in the revealed panels only", f)
		}
	}
}

func mustParse(t *testing.T, specs ...string) grants.Set {
	t.Helper()
	s, err := grants.ParseAll(specs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
