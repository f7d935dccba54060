package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The testdata files are real `go test -json` output of a small module:
// passing.jsonl three passing tests (TestSlow sleeps 20 ms and has a
// subtest), failing.jsonl the same with TestBad failing, broken.jsonl a
// package that does not build and one whose test binary exits mid-test.
func runReport(t *testing.T, file string, n int) (string, bool) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	failed, err := report(f, &out, n)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), failed
}

func TestReportPassingRunIsQuietAndListsSlowest(t *testing.T) {
	out, failed := runReport(t, "passing.jsonl", 10)
	if failed {
		t.Errorf("a passing run counts as failed:\n%s", out)
	}
	for _, noise := range []string{"=== RUN", "--- PASS", "fast log", "\nPASS\n"} {
		if strings.Contains("\n"+out, noise) {
			t.Errorf("output holds %q, which plain go test does not print:\n%s", noise, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "ok  \tfx/a\t") {
		t.Errorf("first line %q, want the package's ok line", lines[0])
	}
	if lines[2] != "slowest 4 tests:" || len(lines) != 7 {
		t.Fatalf("want the 4 tests listed after the ok line:\n%s", out)
	}
	if !strings.HasSuffix(lines[3], "fx/a  TestSlow") || !strings.HasPrefix(strings.TrimSpace(lines[3]), "0.02s") {
		t.Errorf("the slowest test is TestSlow at 0.02s; the list starts with %q", lines[3])
	}
}

func TestReportLimitsTheList(t *testing.T) {
	out, _ := runReport(t, "passing.jsonl", 2)
	if !strings.Contains(out, "slowest 2 tests:\n") || strings.Count(out, "  fx/a  ") != 2 {
		t.Errorf("-n 2 does not list two tests:\n%s", out)
	}
}

func TestReportFailingTestShowsItsOutput(t *testing.T) {
	out, failed := runReport(t, "failing.jsonl", 10)
	if !failed {
		t.Errorf("a run with a failed test counts as passed:\n%s", out)
	}
	for _, want := range []string{"    a_test.go:5: before\n    a_test.go:5: it broke\n--- FAIL: TestBad", "FAIL\tfx/a\t"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "fast log") || strings.Contains(out, "=== RUN") {
		t.Errorf("output of a passing test or progress lines printed:\n%s", out)
	}
}

func TestReportBuildFailureAndCrash(t *testing.T) {
	out, failed := runReport(t, "broken.jsonl", 10)
	if !failed {
		t.Errorf("a build failure and a crash count as passed:\n%s", out)
	}
	for _, want := range []string{
		"b/b_test.go:3:27: undefined: undefined\n",
		"FAIL\tfx/b [build failed]\n",
		// The crashed test never reported a result: its output comes
		// before the package's verdict.
		"    c_test.go:4: about to crash\nFAIL\tfx/c\t",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestReportEmptyRunFails(t *testing.T) {
	var out strings.Builder
	failed, err := report(strings.NewReader(""), &out, 10)
	if err != nil || !failed || !strings.Contains(out.String(), "no result") {
		t.Errorf("an empty run: failed=%v err=%v output %q; want a failure saying so", failed, err, out.String())
	}
}

func TestReportPassesOtherLinesThrough(t *testing.T) {
	var out strings.Builder
	in := "go: downloading example.com/x v1.0.0\n" +
		`{"Action":"output","Package":"p","Output":"ok  \tp\t0.1s\n"}` + "\n" +
		`{"Action":"pass","Package":"p","Elapsed":0.1}` + "\n"
	failed, err := report(strings.NewReader(in), &out, 10)
	if err != nil || failed || out.String() != "go: downloading example.com/x v1.0.0\nok  \tp\t0.1s\n" {
		t.Errorf("failed=%v err=%v output %q", failed, err, out.String())
	}
}
