package root

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
)

// The help topics below are what docs/exit-codes.md and docs/output.md say,
// for users of a package, which installs the man pages but not docs/. Like
// `replex help environment` they are commands without Run, listed under
// "Additional help topics" and given a man page by gen-docs.

// newCmdExitCodes is `replex help exit-codes`. The codes are the constants
// themselves, so the topic cannot drift from what replex does.
func newCmdExitCodes() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "Exit codes that scripts can rely on",
		Long: fmt.Sprintf(`replex decides its exit code in one place; commands only report errors.
Scripts can rely on these:

  %-4d success
  %-4d API or network failure, or a local failure: connection
       refused, timeout, HTTP 409/422/5xx, the keyring refused to
       store a token, a file could not be written
  %-4d usage: a bad flag, argument, grant, duration or -o value,
       an unknown command or subcommand, a profile that does not
       exist, no organization set, a bad spec file; nothing was sent
  %-4d partial success of a bulk operation (some of several
       deletes failed, a change of tokens apply failed), an audit
       finding, or differences found by tokens diff
  %-4d not authenticated or not allowed: no token, HTTP 401
       (token rejected), HTTP 403 (permission missing)
  %-4d not found: unknown token id or name, unknown organization
       (HTTP 404)
  %-4d interrupted: Ctrl-C (SIGINT) or SIGTERM

Every failure prints one line to standard error, starting with "replex: ",
naming the problem and the fix.

A command group named alone (replex tokens) prints its help and exits 0;
followed by a word that is not one of its subcommands it exits 2 and
suggests the nearest commands.

replex auth status prints its report on standard output and still exits 4
when not logged in or when the token is rejected (HTTP 401), and 2 when no
organization is set. A token that is accepted but may not read the
organization (HTTP 403 on it) is valid: auth login saves it and auth status
reports it, both with a note and exit 0.

replex tokens delete - with an empty standard input has nothing to delete:
a note on standard error, exit 0, as tokens prune when nothing matches.

replex sandbox start exits 0 when stopped by SIGINT or SIGTERM: stopping
the server is how it is meant to end.

replex api prints the body of an answer outside 2xx on standard output and
exits with the code of its status as above: 4 for 401 and 403, 5 for 404,
1 for anything else.`,
			cmdutil.ExitOK, cmdutil.ExitFailure, cmdutil.ExitUsage, cmdutil.ExitPartial,
			cmdutil.ExitAuth, cmdutil.ExitNotFound, cmdutil.ExitInterrupted),
		Example: `  replex tokens delete --yes - <ids.txt || echo "exit $?"
  replex tokens audit -o json >audit.json || [ $? -eq 3 ]`,
	}
}

// newCmdFormatting is `replex help formatting`.
func newCmdFormatting() *cobra.Command {
	return &cobra.Command{
		Use:   "formatting",
		Short: "Output formats, --jq, piping and colour",
		Long: `replex prints for two readers: a person at a terminal and a script at the
other end of a pipe. Data goes to standard output; progress, notices,
warnings, prompts and errors to standard error.

On a terminal, tables are aligned and may use colour and relative times.
Piped, output is stable: no colour, no ANSI sequences, tab-separated columns
with a header line of single words (LAST_USED), times in RFC 3339 UTC
(2027-01-31T00:00:00Z) or "never", grants spelled out
(cluster:read,update).

-o, --output chooses the format; the name is case-insensitive (-o JSON):

  table   the default: aligned on a terminal, tab-separated piped
  wide    lists: every column, full values and absolute times
  json    the API's objects, indented; an empty list is [], never null
  yaml    the same fields as JSON
  name    lists: the identifier of each item, one a line, for pipes

Which command offers which: tokens list (table, wide, json, yaml, name),
config list (table, json, yaml, name), tokens audit and grants (table, json,
yaml); tokens get, edit, create, rotate, prune, orgs get, auth status and
version (table, that is their default output, json, yaml).

--jq EXPR runs a jq expression (gojq) over the JSON form and implies -o
json. Strings print raw, as jq -r does; anything else as compact JSON, one
result a line. A bad expression is refused before any request.

--no-headers drops the header line of a table.

-o name and "-" connect commands:

  replex tokens list --expired -o name | replex tokens delete --yes -

tokens create and rotate print the once-only secret alone on standard
output when it is not a terminal, so TOKEN=$(replex tokens create ...) holds
exactly the secret; with -o json or yaml it is in the "token" field.

Server-provided text is sanitized on every human-readable path: control
characters and escape sequences become visible placeholders, so a hostile
token name cannot rewrite the screen or add a column to piped output. JSON
and YAML carry the exact value.

Colour is on when standard output is a terminal. NO_COLOR (any value) turns
it off, whatever else is set; CLICOLOR_FORCE (any value but 0) turns it on
when piped; TERM=dumb turns it off and makes the form of tokens create ask
line by line; REPLEX_FORCE_TTY=1 (or a width, such as 120) treats standard
output and error as terminals. See 'replex help environment'.`,
		Example: `  replex tokens list -o json | jq '.[].name'
  replex tokens list --jq '.[] | select(.lastUsedAt == null) | .id'
  replex tokens list --no-headers | cut -f2
  replex tokens get ci -o yaml`,
	}
}
