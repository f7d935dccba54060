package shared

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/output"
)

// CompletionTimeout bounds the API call behind a <TAB>: a shell that waits
// longer feels broken, and nothing is better than a late answer.
const CompletionTimeout = 2 * time.Second

// CompleteTokens completes <id|name> arguments from the API: each token's
// name (described by its id) and id (described by its name). A name several
// tokens share is left out: only its ids identify a token. With max > 0 no
// more is offered once max arguments are given; arguments already given are
// not offered again. Offline, logged out or on any error it offers nothing,
// quietly: completion must never print errors into a command line.
func CompleteTokens(f *cmdutil.Factory, max int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		const directive = cobra.ShellCompDirectiveNoFileComp
		if max > 0 && len(args) >= max {
			return nil, directive
		}
		client, _, err := f.Client()
		if err != nil {
			return nil, directive
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		ctx, cancel := context.WithTimeout(ctx, CompletionTimeout)
		defer cancel()
		tokens, err := client.ListTokens(ctx)
		if err != nil {
			return nil, directive
		}
		return TokenCandidates(tokens, args, toComplete), directive
	}
}

// TokenCandidates are the completions of toComplete among tokens, in
// "value\tdescription" form, names first, then ids, each sorted.
func TokenCandidates(tokens []api.Token, given []string, toComplete string) []string {
	count := map[string]int{}
	for _, t := range tokens {
		count[t.Name]++
	}
	var names, ids []string
	for _, t := range tokens {
		// A name or id that is not terminal-safe is never offered: the
		// shell would insert its raw characters into the command line,
		// and a sanitized copy would name nothing. Descriptions are only
		// shown, so they are sanitized.
		if strings.HasPrefix(t.Name, toComplete) && count[t.Name] == 1 && !slices.Contains(given, t.Name) &&
			completable(t.Name) && !slices.Contains(given, t.ID) {
			names = append(names, t.Name+"\t"+output.Sanitize(t.ID))
		}
		if strings.HasPrefix(t.ID, toComplete) && completable(t.ID) && !slices.Contains(given, t.ID) && !slices.Contains(given, t.Name) {
			ids = append(ids, t.ID+"\t"+output.Sanitize(t.Name))
		}
	}
	slices.Sort(names)
	slices.Sort(ids)
	return append(names, ids...)
}

// completable reports whether s can be offered as one shell word: no
// control, bidi or invisible character (output.FirstUnsafe), which also
// keeps tabs and newlines out of the completion protocol.
func completable(s string) bool {
	_, ok := output.FirstUnsafe(s)
	return ok && s != ""
}
