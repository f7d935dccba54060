package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/replexio/replex/pkg/cmd/root"
	"github.com/replexio/replex/pkg/cmdutil"
)

// TestNoSecretInArgv: no flag of any command takes a secret as its value,
// so that no secret ever appears in a process listing or shell history.
// Secrets come from standard input (auth login --with-token), the
// environment (REPLEX_API_TOKEN) or the keyring; the flags that mention
// one are switches or paths.
func TestNoSecretInArgv(t *testing.T) {
	suspicious := regexp.MustCompile(`(?i)token|secret|passw|key|credential|auth`)
	harmless := map[string]string{ // flag -> why it is not a secret
		"secret-file":            "a path",
		"secret-dir":             "a path",
		"with-token":             "a switch: the token is read from stdin",
		"delete-own-token":       "a switch",
		"show-secret":            "a switch",
		"insecure-storage":       "a switch",
		"seed-tokens":            "a number of tokens to invent",
		"secret-command":         "a command line that receives the secret on stdin",
		"secret-command-timeout": "a duration",
	}
	cmd := root.NewCmdRoot(cmdutil.NewFactory(func(string) string { return "" }))
	seen := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			if !suspicious.MatchString(f.Name) {
				return
			}
			seen++
			if why, ok := harmless[f.Name]; ok {
				if strings.HasPrefix(why, "a switch") && f.Value.Type() != "bool" {
					t.Errorf("%s --%s should be a switch, takes a %s", c.CommandPath(), f.Name, f.Value.Type())
				}
				return
			}
			t.Errorf("%s --%s (%s) looks like it takes a secret in argv", c.CommandPath(), f.Name, f.Value.Type())
		}
		c.Flags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd)
	if seen == 0 {
		t.Fatal("no flag mentions a token or secret: the walk found nothing to check")
	}
}
