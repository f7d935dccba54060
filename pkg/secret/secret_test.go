package secret

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// clearerArg makes the test binary act as the clipboard clearer, so the real
// SpawnClearer test runs the same code path the replex binary will. An
// argument, not a variable: the clearer gets only HelperEnv.
const clearerArg = "__secret-test-clearer"

func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == clearerArg {
		d, err := time.ParseDuration(os.Args[len(os.Args)-1])
		if err == nil {
			err = RunClearer(os.Stdin, System(), d, time.Sleep)
		}
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const raw = "rpx_s3cr3t-VALUE_0123"

// wantFP is computed here, independently of Fingerprint.
func wantFP() string {
	sum := sha256.Sum256([]byte(raw))
	return "sha256:" + hex.EncodeToString(sum[:4])
}

// leaks reports whether out contains raw in any encoding fmt could produce.
func leaks(out string) bool {
	for _, enc := range []string{
		raw,
		hex.EncodeToString([]byte(raw)),
		strings.ToUpper(hex.EncodeToString([]byte(raw))),
		base64.StdEncoding.EncodeToString([]byte(raw)),
		fmt.Sprint([]byte(raw)),
		"s3cr3t",
	} {
		if strings.Contains(out, enc) {
			return true
		}
	}
	return false
}

type hidden struct{ tok Secret } // an unexported field: fmt cannot call Format here
type exported struct{ Tok Secret }

func TestSecretNeverFormatsValue(t *testing.T) {
	s := New(raw)
	values := map[string]any{
		"value":                              s,
		"pointer":                            &s,
		"unexported field":                   hidden{s},
		"pointer to unexported field struct": &hidden{s},
		"exported field":                     exported{s},
		"slice":                              []Secret{s},
		"map":                                map[string]Secret{"k": s},
		"any":                                []any{s},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%T", "%p", "%e", "%c", "%U", "%b", "%o", "%10.3s", "%-40v", "%08x", "% x", "%#x", "%+q", "%#q"}
	for name, v := range values {
		for _, verb := range verbs {
			if out := fmt.Sprintf(verb, v); leaks(out) {
				t.Errorf("%s with %s printed %q", name, verb, out)
			}
		}
		for _, out := range []string{fmt.Sprint(v), fmt.Sprintln(v), fmt.Errorf("wrapped: %v", v).Error()} {
			if leaks(out) {
				t.Errorf("%s: Sprint/Sprintln/Errorf printed %q", name, out)
			}
		}
	}
}

func TestSecretFormatsExactly(t *testing.T) {
	s, fp := New(raw), wantFP()
	for format, want := range map[string]string{
		"%v":  fp,
		"%s":  fp,
		"%+v": fp,
		"%d":  fp,
		"%x":  fp,
		"%q":  `"` + fp + `"`,
		"%#v": "secret.Secret(" + fp + ")",
		"%T":  "secret.Secret",
	} {
		if got := fmt.Sprintf(format, s); got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", format, got, want)
		}
	}
	if got, want := fmt.Sprintf("%v", exported{s}), "{"+fp+"}"; got != want {
		t.Errorf("exported field: %q, want %q", got, want)
	}
	if got := s.Fingerprint(); got != fp {
		t.Errorf("Fingerprint = %q, want %q", got, fp)
	}
	if got := (Secret{}).String(); got != "(none)" {
		t.Errorf("zero String = %q, want (none)", got)
	}
}

func TestSecretJSONAndYAML(t *testing.T) {
	s, fp := New(raw), wantFP()
	for name, v := range map[string]any{"value": s, "pointer": &s, "field": exported{s}, "hidden": hidden{s}, "map": map[string]Secret{"Tok": s}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if leaks(string(b)) {
			t.Errorf("json %s = %s", name, b)
		}
	}
	b, _ := json.Marshal(exported{s})
	if got, want := string(b), `{"Tok":"`+fp+`"}`; got != want {
		t.Errorf("json = %s, want %s", got, want)
	}
	y, err := yaml.Marshal(map[string]Secret{"token": s})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(y), "token: "+fp+"\n"; got != want {
		t.Errorf("yaml = %q, want %q", got, want)
	}
}

func TestSecretUnmarshalJSON(t *testing.T) {
	var v struct {
		Token Secret `json:"token"`
	}
	if err := json.Unmarshal([]byte(`{"token":"`+raw+`"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.Token.Reveal() != raw || !v.Token.Equal(New(raw)) {
		t.Errorf("Unmarshal gave %v, want the raw value", v.Token)
	}
	err := json.Unmarshal([]byte(`{"token":42}`), &v)
	if err == nil || err.Error() != "token secret is not a string" {
		t.Errorf("non-string: err = %v", err)
	}
	var empty struct{ Token Secret }
	if err := json.Unmarshal([]byte(`{"Token":""}`), &empty); err != nil || !empty.Token.IsZero() {
		t.Errorf(`"" = %v, %v; want zero`, empty.Token, err)
	}
}

func TestSecretZeroAndEqual(t *testing.T) {
	if !New("").IsZero() || !(Secret{}).IsZero() || New("x").IsZero() {
		t.Error("IsZero wrong")
	}
	if New("") != (Secret{}) {
		t.Error(`New("") != Secret{}`)
	}
	if !New("a").Equal(New("a")) || New("a").Equal(New("b")) || New("a").Equal(Secret{}) {
		t.Error("Equal wrong")
	}
	if (Secret{}).Reveal() != "" {
		t.Error("zero Reveal not empty")
	}
}

func TestSecretSlog(t *testing.T) {
	s, fp := New(raw), wantFP()
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("created", "token", s, "ptr", &s, "hidden", hidden{s}, "exported", exported{s}, slog.Any("any", s), slog.Group("g", "token", s))
		l.With("token", s).Error("failed", "err", fmt.Errorf("token %v rejected", s))
	}
	out := buf.String()
	if leaks(out) {
		t.Errorf("slog printed the secret:\n%s", out)
	}
	if !strings.Contains(out, "token="+fp) || !strings.Contains(out, `"token":"`+fp+`"`) {
		t.Errorf("slog output lacks the fingerprint:\n%s", out)
	}
}

func TestSecretInErrors(t *testing.T) {
	err := fmt.Errorf("create: %w", errors.New("bad token "+New(raw).String()))
	if leaks(err.Error()) {
		t.Errorf("error = %q", err)
	}
}
