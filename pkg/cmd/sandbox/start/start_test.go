package start

import (
	"context"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/sandbox"
)

// The fault flags become sandbox.Faults; without them nothing is injected.
func TestFaultFlagsToOptions(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    sandbox.Faults
		seedSet bool
	}{
		{nil, sandbox.Faults{}, false},
		{[]string{"--latency", "50ms", "--fail-rate", "0.1", "--rate-limit", "20", "--drop-after-commit-rate", "0.5", "--garbage-rate", "1", "--fault-seed", "7"},
			sandbox.Faults{Latency: 50 * time.Millisecond, FailRate: 0.1, RateLimit: 20, DropAfterCommitRate: 0.5, GarbageRate: 1, Seed: 7}, true},
		{[]string{"--drop-after-commit-rate", "0"}, sandbox.Faults{}, false},
	} {
		ios, _, _, _ := iostreams.Test()
		var got *Options
		cmd := NewCmdStart(&cmdutil.Factory{IOStreams: ios, Flags: &cmdutil.GlobalFlags{}}, func(_ context.Context, o *Options) error {
			got = o
			return nil
		})
		cmd.SetArgs(append([]string{"--ephemeral"}, tc.args...))
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got.Faults != tc.want || got.seedSet != tc.seedSet {
			t.Errorf("%v: faults %+v (seed given %v), want %+v (%v)", tc.args, got.Faults, got.seedSet, tc.want, tc.seedSet)
		}
		if got.Faults.Enabled() != (tc.want != sandbox.Faults{}) {
			t.Errorf("%v: Enabled() = %v", tc.args, got.Faults.Enabled())
		}
	}
}
