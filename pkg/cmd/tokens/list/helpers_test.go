package list

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

// execList runs `replex tokens list ARGS` and returns its error.
func execList(f *cmdutil.Factory, args ...string) error {
	cmd := NewCmdList(f, nil)
	cmd.SetArgs(append([]string{}, args...)) // nil would make cobra read os.Args
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	return cmd.ExecuteContext(context.Background())
}
