// Package shared holds what the tokens commands have in common: finding a
// token by id or name, grant and expiry flags, and how tokens are shown.
package shared

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/retired"
)

// SoonWindow is how close an expiry must be to be marked "soon".
const SoonWindow = 7 * 24 * time.Hour

// Finder resolves the <id|name> arguments of token commands. It asks the API
// for an id first (one request) and lists tokens, once, only for names.
type Finder struct {
	Client *api.Client
	all    []api.Token
	listed bool
}

// Find returns the token whose id or name is arg. An id always wins; a name
// that several tokens share is an error listing them.
func (f *Finder) Find(ctx context.Context, arg string) (api.Token, error) {
	if strings.TrimSpace(arg) == "" {
		return api.Token{}, cmdutil.Usagef("empty token id or name")
	}
	tok, err := f.Client.GetToken(ctx, arg)
	if err == nil {
		return tok, nil
	}
	if api.StatusOf(err) != 404 && api.StatusOf(err) != 400 {
		return api.Token{}, err
	}
	all, err := f.List(ctx)
	if err != nil {
		return api.Token{}, err
	}
	var matches []api.Token
	for _, t := range all {
		if t.ID == arg {
			return t, nil
		}
		if t.Name == arg {
			matches = append(matches, t)
		}
	}
	switch len(matches) {
	case 0:
		return api.Token{}, &cmdutil.NotFoundError{Msg: fmt.Sprintf("no token with id or name %q; run 'replex tokens list' to see them", output.Sanitize(arg))}
	case 1:
		return matches[0], nil
	}
	ids := make([]string, len(matches))
	for i, m := range matches {
		ids[i] = m.ID
	}
	return api.Token{}, cmdutil.Usagef("%d tokens are named %q (%s); use an id instead", len(matches), output.Sanitize(arg), strings.Join(ids, ", "))
}

// List returns every token, fetched once.
func (f *Finder) List(ctx context.Context) ([]api.Token, error) {
	if !f.listed {
		all, err := f.Client.ListTokens(ctx)
		if err != nil {
			return nil, err
		}
		f.all, f.listed = all, true
	}
	return f.all, nil
}

// ValidateName applies the contract's name rules locally, so a bad name is
// a usage error before any request.
func ValidateName(name string) error {
	switch {
	case !utf8.ValidString(name):
		return cmdutil.Usagef("invalid token name: it is not valid UTF-8")
	case strings.TrimSpace(name) == "":
		return cmdutil.Usagef("invalid token name: it is empty; give a name such as \"ci-deploy\"")
	case utf8.RuneCountInString(name) > api.MaxNameLength:
		return cmdutil.Usagef("invalid token name: %d characters, at most %d are allowed", utf8.RuneCountInString(name), api.MaxNameLength)
	}
	if p := api.NameCharProblem(name); p != "" {
		return cmdutil.Usagef("invalid token name: %s; a name may hold no control, bidi or invisible character", p)
	}
	if retired.Is(name) {
		// Such a name is how a retired token is recognised: a live token
		// named so would be skipped by every bulk operation.
		return cmdutil.Usagef("invalid token name %q: names ending in \"(rotated <date> <time>[ <tag>])\" mark tokens retired by 'tokens rotate --grace'; choose another name", name)
	}
	return nil
}

// AddGrantFlag registers a repeatable grant flag with completion of
// categories and actions. StringArray, not StringSlice: "cluster:read,update"
// is one grant, not two.
func AddGrantFlag(cmd *cobra.Command, target *[]string, name, usage string) {
	cmd.Flags().StringArrayVar(target, name, nil, usage)
	_ = cmd.RegisterFlagCompletionFunc(name, CompleteGrant)
}

// CompleteGrant completes "cat" to "cat:" and "cat:" to its actions. After
// a comma it offers only what adds to the actions already typed: not one
// given again, not write when create, update and delete are all there, and
// "*" only first.
func CompleteGrant(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	cat, acts, hasColon := strings.Cut(toComplete, ":")
	var out []string
	if !hasColon {
		for _, c := range grants.Categories() {
			if strings.HasPrefix(c.Name, strings.ToLower(cat)) {
				out = append(out, c.Name+":\t"+c.Description)
			}
		}
		if strings.HasPrefix("*", cat) {
			out = append(out, "*:\tevery category")
		}
		return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	}
	prefix := cat + ":"
	done := ""
	if i := strings.LastIndex(acts, ","); i >= 0 {
		done, acts = acts[:i+1], acts[i+1:]
	}
	given := map[string]bool{}
	for _, a := range strings.Split(strings.TrimSuffix(done, ","), ",") {
		switch a = strings.ToLower(a); a {
		case "*":
			return nil, cobra.ShellCompDirectiveNoFileComp // every action already
		case "write":
			given[grants.Create], given[grants.Update], given[grants.Delete] = true, true, true
		default:
			given[a] = true
			if strings.Trim(a, "rcud") == "" { // letters: ru
				for _, act := range []string{grants.Read, grants.Create, grants.Update, grants.Delete} {
					given[act] = given[act] || strings.ContainsRune(a, rune(act[0]))
				}
			}
		}
	}
	for _, a := range []string{grants.Read, grants.Create, grants.Update, grants.Delete, "write", "*"} {
		switch {
		case given[a],
			a == "write" && given[grants.Create] && given[grants.Update] && given[grants.Delete],
			a == "*" && done != "":
			continue
		}
		if strings.HasPrefix(a, acts) {
			out = append(out, prefix+done+a)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// Permissions builds the permission set of --grant and --preset.
func Permissions(specs []string, preset string) (grants.Set, error) {
	set, err := grants.ParseAll(specs)
	if err != nil {
		return nil, err
	}
	if preset != "" {
		p, err := grants.Preset(preset)
		if err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
		set = grants.Union(set, p)
	}
	return set, nil
}

// ParseExpires reads --expires; the error is a usage error.
func ParseExpires(value string, now time.Time) (*time.Time, error) {
	t, err := expiry.Parse(value, now)
	if err != nil {
		return nil, &cmdutil.UsageError{Err: err}
	}
	return t, nil
}

// CheckPermissions compares what the server recorded with what was asked:
// a grant must never silently not apply.
func CheckPermissions(asked, got grants.Set) error {
	if grants.Equal(asked, got) {
		return nil
	}
	missing, extra := grants.Diff(got, asked)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+strings.Join(grants.Format(missing), " "))
	}
	if len(extra) > 0 {
		parts = append(parts, "not asked for "+strings.Join(grants.Format(extra), " "))
	}
	return fmt.Errorf("the server recorded other permissions than asked (%s)", strings.Join(parts, "; "))
}

// Expiry describes when a token expires, and how urgent that is.
func Expiry(t api.Token, now time.Time) (string, output.Mark) {
	switch {
	case t.ExpiresAt == nil:
		return "never", output.MarkNone
	case !t.ExpiresAt.After(now):
		return "expired " + expiry.Relative(*t.ExpiresAt, now), output.MarkDanger
	case t.ExpiresAt.Sub(now) <= SoonWindow:
		return expiry.Relative(*t.ExpiresAt, now) + " (soon)", output.MarkWarn
	}
	return expiry.Relative(*t.ExpiresAt, now), output.MarkNone
}

// LastUsed describes when a token was last used.
func LastUsed(t api.Token, now time.Time) string {
	if t.LastUsedAt == nil {
		return "never"
	}
	return expiry.Relative(*t.LastUsedAt, now)
}

// Timestamp is the stable, absolute form of a time for pipes.
func Timestamp(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

// GrantList is the full, canonical form of a token's grants, space separated.
func GrantList(s grants.Set) string {
	f := grants.Format(s)
	if len(f) == 0 {
		return "none"
	}
	return strings.Join(f, " ")
}

// SortedIDs returns the ids of tokens, sorted (for stable messages).
func SortedIDs(ts []api.Token) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	sort.Strings(ids)
	return ids
}
