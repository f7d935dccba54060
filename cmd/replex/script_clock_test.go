package main

import (
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// second-start waits for the start of the next wall-clock second, so that
// the commands after it run within one second of replex's own clock (e.g.
// two rotations of one token, whose retired names must still differ).
func cmdSecondStart(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: second-start")
	}
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second).Sub(now))
}
