package create

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
)

// errInputEnded is the end of input (Ctrl-D) at a question of the
// line-by-line form: nothing is created, as after Ctrl-C.
var errInputEnded = &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: errors.New("nothing created: the input ended before the form was done")}

// runLines is the form line by line, for TERM=dumb and screen readers: one
// question a line, answers typed as on the command line (grants as for
// --grant), every answer checked and asked again until it is valid, the
// summary printed before the final question. huh's own line-by-line mode is
// not used: it ignores Ctrl-C, takes the end of input as an answer and
// panics on some. Ctrl-C (ctx) and the end of input abort.
func runLines(ctx context.Context, st *formState, cfg formConfig) error {
	lines := make(chan string)
	ended := make(chan struct{})
	go func() {
		// Left blocked on the terminal after an interrupt; the process is
		// ending then.
		r := bufio.NewReader(cfg.In)
		for {
			line, err := r.ReadString('\n')
			if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
				close(ended)
				return
			}
			select {
			case lines <- strings.TrimRight(line, "\r\n"):
			case <-ctx.Done():
				return
			}
		}
	}()
	w := cfg.Out
	ask := func(prompt string, check func(string) error) (string, error) {
		for {
			fmt.Fprint(w, prompt)
			select {
			case <-ctx.Done():
				fmt.Fprintln(w)
				return "", ctx.Err()
			case <-ended:
				fmt.Fprintln(w)
				return "", errInputEnded
			case line := <-lines:
				answer := strings.TrimSpace(line)
				if err := check(answer); err != nil {
					fmt.Fprintf(w, "  %v\n", err)
					continue
				}
				return answer, nil
			}
		}
	}

	if cfg.AskName {
		name, err := ask("Token name (1 to 100 characters; unique in the organization): ", func(s string) error {
			return plain(shared.ValidateName(s))
		})
		if err != nil {
			return err
		}
		st.Name = name
	}

	fmt.Fprintln(w, "Grants: CATEGORY:ACTIONS separated by spaces, as for --grant (cluster:read budget:rcud '*:read'),")
	fmt.Fprintln(w, "or a preset (view, full); 'replex grants' lists the categories.")
	var perms grants.Set
	if _, err := ask("Grants: ", func(s string) error {
		var specs []string
		preset := ""
		for _, f := range strings.Fields(s) {
			if slices.Contains(grants.PresetNames(), f) && preset == "" {
				preset = f
				continue
			}
			specs = append(specs, strings.Trim(f, `'"`))
		}
		set, err := shared.Permissions(specs, preset)
		if err != nil {
			return plain(err)
		}
		if len(set) == 0 {
			return errors.New("at least one grant is needed, e.g. cluster:read")
		}
		perms = set
		return nil
	}); err != nil {
		return err
	}
	st.SetPermissions(perms)

	if cfg.AskExpiry {
		exp, err := ask("Expires: a duration (90d, 12h, 1y), a date (2027-01-31), an RFC 3339 time, or never [never]: ", func(s string) error {
			if s == "" {
				return nil
			}
			_, err := shared.ParseExpires(s, cfg.Now())
			return plain(err)
		})
		if err != nil {
			return err
		}
		st.Expiry, st.Custom = cmp.Or(exp, "never"), ""
	}

	fmt.Fprintf(w, "\nCreate token %q\n%s\n", st.Name, indent(summary(st, cfg.Now())))
	answer, err := ask("Create it? [y/N]: ", func(s string) error {
		switch strings.ToLower(s) {
		case "", "y", "yes", "n", "no":
			return nil
		}
		return errors.New("answer y or n")
	})
	if err != nil {
		return err
	}
	st.Confirm = strings.HasPrefix(strings.ToLower(answer), "y")
	return nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
