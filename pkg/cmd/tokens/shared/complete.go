package shared

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
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
		if strings.HasPrefix(t.Name, toComplete) && count[t.Name] == 1 && !slices.Contains(given, t.Name) &&
			completable(t.Name) && !slices.Contains(given, t.ID) {
			names = append(names, t.Name+"\t"+t.ID)
		}
		if strings.HasPrefix(t.ID, toComplete) && !slices.Contains(given, t.ID) && !slices.Contains(given, t.Name) {
			ids = append(ids, t.ID+"\t"+flatten(t.Name))
		}
	}
	slices.Sort(names)
	slices.Sort(ids)
	return append(names, ids...)
}

// completable reports whether a name can be offered as one shell word:
// control characters, tabs and newlines would break the completion protocol.
func completable(name string) bool {
	return !strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func flatten(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
