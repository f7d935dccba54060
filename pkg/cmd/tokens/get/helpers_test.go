package get

import (
	"flag"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/cmdutil"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// now is the fixed present of every test.
var now = tokenstest.Now

const day = tokenstest.Day

// execGet runs `replex tokens get ARGS` and returns its error.
func execGet(f *cmdutil.Factory, args ...string) error {
	return tokenstest.Execute(f, NewCmdGet(f, nil), args...)
}
