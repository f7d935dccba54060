package main

import (
	"errors"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/replexio/replex/pkg/config"
)

// keyring has PROFILE | keyring set PROFILE VAR | keyring delete PROFILE
// looks at the real OS keyring (the test process's session bus) directly,
// not through replex: whether it holds a token for PROFILE (never printing
// it), planting $VAR there as an older login would have, or removing it.
func cmdKeyring(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || (args[0] == "set") != (len(args) == 3) || len(args) > 3 {
		ts.Fatalf("usage: keyring has PROFILE | keyring set PROFILE VAR | keyring delete PROFILE")
	}
	kr := &config.SystemKeyring{}
	profile := args[1]
	switch args[0] {
	case "has":
		_, err := kr.Get(profile)
		switch {
		case err == nil && neg:
			ts.Fatalf("the keyring holds a token for profile %q", profile)
		case errors.Is(err, config.ErrNoKeyringEntry) && !neg:
			ts.Fatalf("the keyring holds no token for profile %q", profile)
		case err != nil && !errors.Is(err, config.ErrNoKeyringEntry):
			ts.Fatalf("reading the keyring: %v", err)
		}
	case "set":
		if neg {
			ts.Fatalf("usage: keyring set PROFILE VAR")
		}
		ts.Check(kr.Set(profile, ts.Getenv(args[2])))
	case "delete":
		if err := kr.Delete(profile); err != nil && !errors.Is(err, config.ErrNoKeyringEntry) {
			ts.Fatalf("deleting from the keyring: %v", err)
		}
	default:
		ts.Fatalf("unknown keyring subcommand %q", args[0])
	}
}
