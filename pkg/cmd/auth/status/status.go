// Package status is `replex auth status`.
package status

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/output"
)

// Options of `replex auth status`.
type Options struct {
	F      *cmdutil.Factory
	Format string
}

// Report is what status prints, in every format.
type Report struct {
	Profile       string `json:"profile"`
	BaseURL       string `json:"baseUrl"`
	BaseURLSource string `json:"baseUrlSource"`
	Org           string `json:"org"`
	OrgSource     string `json:"orgSource"`
	OrgName       string `json:"orgName,omitempty"`
	TokenSource   string `json:"tokenSource"`
	Token         string `json:"token"` // masked: a fingerprint, never the token
	LoggedIn      bool   `json:"loggedIn"`
	Valid         bool   `json:"valid"`
	Problem       string `json:"problem,omitempty"`
	// Note qualifies a valid token: it may not read the organization.
	Note string `json:"note,omitempty"`
}

// NewCmdStatus builds the command.
func NewCmdStatus(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show which profile, server, organization and token are in use",
		Long: `Show the effective profile, base URL, organization and where the token comes
from, then check the token against the server.

Exit status 4 when not logged in or when the server rejects the token. A
token that is accepted but may not read the organization (HTTP 403, no
organization:read) is valid: status says so and exits 0.`,
		Example: `  replex auth status
  replex auth status -o json
  replex auth status --profile staging`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutputFlag(&opts.Format, output.JSON, output.YAML); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Format, output.JSON, output.YAML)
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	f := opts.F
	r, err := f.Resolve()
	if err != nil {
		return err
	}
	rep := Report{
		Profile: r.Profile, BaseURL: r.BaseURL, BaseURLSource: r.BaseURLSource,
		Org: r.Org, OrgSource: r.OrgSource, TokenSource: r.TokenSource,
		Token: "none", LoggedIn: !r.Token.IsZero(),
	}
	var failure error
	switch {
	case r.Token.IsZero():
		rep.Problem = cmdutil.NotLoggedIn(r.KeyringErr)
		failure = &cmdutil.AuthError{Msg: rep.Problem}
	case r.Org == "":
		rep.Token = "****** (" + r.Token.Fingerprint() + ")"
		rep.Problem = "no organization set: pass --org, set REPLEX_ORG, or run 'replex auth login --org ID'"
		failure = &cmdutil.UsageError{Err: fmt.Errorf("%s", rep.Problem)}
	default:
		rep.Token = "****** (" + r.Token.Fingerprint() + ")"
		client, err := f.NewClient(r)
		if err != nil {
			return err
		}
		org, err := client.Organization(ctx)
		switch {
		case err == nil:
			rep.Valid, rep.OrgName = true, org.Name
		case api.StatusOf(err) == 403:
			// 401 is a rejected token; 403 is an accepted one that lacks
			// organization:read, which a least-privilege token may.
			rep.Valid = true
			rep.Note = "the token cannot read the organization (" + err.Error() + ")"
		case api.StatusOf(err) == 401:
			rep.Problem = "the server rejected the token (" + err.Error() + ")"
			failure = &cmdutil.AuthError{Msg: rep.Problem + "; run 'replex auth login'"}
		default:
			rep.Problem = cmdutil.Message(err)
			failure = err
		}
	}

	switch opts.Format {
	case output.JSON:
		if err := output.WriteJSON(f.IOStreams.Out, rep); err != nil {
			return err
		}
	case output.YAML:
		if err := output.WriteYAML(f.IOStreams.Out, rep); err != nil {
			return err
		}
	default:
		w := f.IOStreams.Out
		fmt.Fprintf(w, "Profile:   %s (%s)\n", rep.Profile, orNone(r.ProfileSource))
		fmt.Fprintf(w, "Base URL:  %s (%s)\n", output.Sanitize(rep.BaseURL), orNone(rep.BaseURLSource))
		org := rep.Org
		if rep.OrgName != "" {
			org += " (" + output.Sanitize(rep.OrgName) + ")"
		}
		fmt.Fprintf(w, "Org:       %s (%s)\n", orDash(output.Sanitize(org)), orNone(rep.OrgSource))
		fmt.Fprintf(w, "Token:     %s (%s)\n", rep.Token, tokenSource(rep.TokenSource))
		switch {
		case rep.Valid && rep.Note != "":
			fmt.Fprintln(w, "Status:    valid; "+rep.Note)
		case rep.Valid:
			fmt.Fprintln(w, "Status:    valid")
		default:
			fmt.Fprintln(w, "Status:    "+rep.Problem)
		}
	}
	if failure != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitCode(failure), Err: failure, Silent: true}
	}
	return nil
}

func tokenSource(s string) string {
	switch s {
	case config.SourceEnv:
		return "from REPLEX_API_TOKEN"
	case config.SourceKeyring:
		return "from the OS keyring"
	case config.SourceFile:
		return "from the config file"
	}
	return "none"
}

func orNone(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
