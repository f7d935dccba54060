package get

import (
	"context"
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
	cmd := NewCmdGet(f, nil)
	cmd.SetArgs(append([]string{}, args...)) // nil would make cobra read os.Args
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	return cmd.ExecuteContext(context.Background())
}
