package list

import (
	"flag"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/cmdutil"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// now is the fixed present of every test.
var now = tokenstest.Now

const day = tokenstest.Day

// execList runs `replex tokens list ARGS` and returns its error.
func execList(f *cmdutil.Factory, args ...string) error {
	return tokenstest.Execute(f, NewCmdList(f, nil), args...)
}
