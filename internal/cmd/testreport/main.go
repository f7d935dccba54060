// Command testreport reads `go test -json` on stdin and prints what plain
// `go test` would (a line per package, the whole output of every failed
// test, build errors), then the slowest tests of the run, so that a test
// that has become slow shows in every CI log. It exits 1 when anything
// failed, so a pipeline keeps go test's verdict even without pipefail.
//
//	go test -json ./... | go run ./internal/cmd/testreport [-n 10]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	n := flag.Int("n", 10, "how many of the slowest tests to list")
	flag.Parse()
	failed, err := report(os.Stdin, os.Stdout, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(1)
	}
	if failed {
		os.Exit(1)
	}
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output and build-fail events
	Test       string
	Elapsed    float64
	Output     string
}

type timing struct {
	pkg, test string
	elapsed   float64
}

// report copies the run to w as plain go test output, followed by the n
// slowest tests, and tells whether anything failed. A run with no result
// at all counts as failed: a test run that said nothing proved nothing.
func report(r io.Reader, w io.Writer, n int) (failed bool, err error) {
	held := map[string][]string{} // a running test's output, printed if it fails
	var timings []timing
	results := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not an event: go test's own messages pass through as they are.
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch {
		case e.Action == "build-output":
			fmt.Fprint(w, e.Output)
		case e.Action == "build-fail":
			failed = true
		case e.Test == "":
			switch e.Action {
			case "output":
				// The verdict lines (ok, FAIL, "no test files") and what a
				// crashing test binary prints; the bare PASS of a passing
				// package is only noise, as in plain go test.
				if strings.HasPrefix(e.Output, "FAIL") {
					// A binary that crashed or timed out leaves tests
					// without a result; their output says where it stood.
					printUnfinished(w, held, e.Package)
				}
				if e.Output != "PASS\n" {
					fmt.Fprint(w, e.Output)
				}
			case "pass", "skip":
				results++
			case "fail":
				results++
				failed = true
			}
		case e.Action == "output":
			held[key] = append(held[key], e.Output)
		case e.Action == "pass" || e.Action == "fail" || e.Action == "skip":
			results++
			if e.Action == "fail" {
				failed = true
				for _, o := range held[key] {
					if !isProgressLine(o) {
						fmt.Fprint(w, o)
					}
				}
			}
			delete(held, key)
			if e.Action != "skip" {
				timings = append(timings, timing{e.Package, e.Test, e.Elapsed})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return true, err
	}
	if results == 0 {
		fmt.Fprintln(w, "testreport: the run reported no result")
		return true, nil
	}
	printSlowest(w, timings, n)
	return failed, nil
}

// isProgressLine tells the === RUN/PAUSE/CONT/NAME lines that -json adds,
// which plain go test does not print.
func isProgressLine(s string) bool {
	for _, p := range []string{"=== RUN ", "=== PAUSE ", "=== CONT ", "=== NAME "} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// printUnfinished prints, in test order, the output held for the tests of
// pkg that never reported a result.
func printUnfinished(w io.Writer, held map[string][]string, pkg string) {
	var keys []string
	for k := range held {
		if strings.HasPrefix(k, pkg+"\x00") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, o := range held[k] {
			if !isProgressLine(o) {
				fmt.Fprint(w, o)
			}
		}
		delete(held, k)
	}
}

func printSlowest(w io.Writer, timings []timing, n int) {
	if n <= 0 || len(timings) == 0 {
		return
	}
	sort.SliceStable(timings, func(i, j int) bool { return timings[i].elapsed > timings[j].elapsed })
	timings = timings[:min(n, len(timings))]
	fmt.Fprintf(w, "\nslowest %d tests:\n", len(timings))
	for _, t := range timings {
		fmt.Fprintf(w, "%8.2fs  %s  %s\n", t.elapsed, t.pkg, t.test)
	}
}
