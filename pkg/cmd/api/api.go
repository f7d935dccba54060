// Package api is `replex api`: a raw, authenticated call to the Replex API.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"unicode"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"

	rapi "github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/output"
)

// Options of `replex api`.
type Options struct {
	F      *cmdutil.Factory
	Method string
	Path   string
	Data   string
	JQ     string

	body  []byte
	query *gojq.Code
}

// Methods are the HTTP methods `replex api` sends.
func Methods() []string { return []string{"GET", "POST", "PUT", "PATCH", "DELETE"} }

// NewCmdAPI builds the command.
func NewCmdAPI(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "api <method> <path> [--data JSON|@file|-]",
		Short: "Make an authenticated request to the Replex API",
		Long: `Send one request to the Replex API with the current profile's base URL and
token, and print the response body, envelope and all, to standard output.

<path> is relative to /api/v1 (a path that already starts with /api/v1 is
taken as is); {org} in it is replaced by the organization id of the profile
(--org, REPLEX_ORG). --data is the JSON body: the text itself, @FILE to read
it from a file, or - to read it from standard input; it is checked to be JSON
before anything is sent.

On a terminal a JSON answer is indented, and control, bidi and invisible
characters in its strings are written as \u escapes (the same JSON); piped,
the body is printed exactly as received. --jq runs a jq expression over a
successful JSON answer (strings print raw, sanitized for the terminal); its
errors name the kind of value, never the value. An answer outside 2xx
still prints its body on standard output, then replex exits with the
documented code (docs/exit-codes.md): 4 for 401 and 403, 5 for 404, 1
otherwise. The body is printed as the server sent it:
the answer to a create holds the new token's secret.`,
		Example: `  replex api GET /organizations/{org}
  replex api GET '/organizations/{org}/api-keys?page=1&limit=10' --jq '.data[].name'
  replex api POST /organizations/{org}/api-keys --data '{"name":"ci","permissions":{"cluster":["read"]}}'
  replex api PUT /organizations/{org}/api-keys/ak_123 --data @token.json
  replex api DELETE /organizations/{org}/api-keys/ak_123`,
		Args:              cmdutil.ExactArgs(2, "a method and a path"),
		ValidArgsFunction: complete,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Method, opts.Path = args[0], args[1]
			if err := opts.prepare(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Data, "data", "d", "", "JSON request body: the JSON itself, @`file`, or - for standard input")
	cmd.Flags().StringVar(&opts.JQ, "jq", "", "print the result of a jq `expression` over the JSON answer")
	return cmd
}

func complete(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var cands []string
	switch len(args) {
	case 0:
		cands = Methods()
	case 1:
		cands = []string{"/organizations/{org}", "/organizations/{org}/api-keys", "/organizations/{org}/api-keys/"}
	}
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(strings.ToUpper(c), strings.ToUpper(toComplete)) {
			out = append(out, c)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// prepare checks the method, path, body and jq expression before anything is sent.
func (o *Options) prepare() error {
	o.Method = strings.ToUpper(o.Method)
	valid := false
	for _, m := range Methods() {
		valid = valid || m == o.Method
	}
	if !valid {
		return cmdutil.Usagef("invalid method %q: use one of %s", o.Method, strings.Join(Methods(), ", "))
	}
	if err := checkPath(o.Path); err != nil {
		return err
	}
	if o.Data != "" {
		if o.Method == "GET" {
			return cmdutil.Usagef("--data with GET: a body goes with POST, PUT or PATCH")
		}
		body, err := o.readData()
		if err != nil {
			return err
		}
		if !json.Valid(body) {
			return cmdutil.Usagef("--data is not valid JSON: nothing was sent")
		}
		o.body = body
	}
	if o.JQ != "" {
		code, err := output.CompileJQ(o.JQ)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		o.query = code
	}
	return nil
}

// checkPath rejects a path that cannot name a resource under /api/v1: an
// empty one, a whole URL, one with spaces, a #fragment (never sent) or . and
// .. segments (which would leave /api/v1).
func checkPath(p string) error {
	if strings.TrimSpace(p) == "" {
		return cmdutil.Usagef("the path is empty: give one such as /organizations/{org} (relative to /api/v1)")
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return cmdutil.Usagef("invalid path %q: give a path such as /organizations/{org}; the server comes from --base-url", p)
	}
	if strings.ContainsFunc(p, unicode.IsSpace) {
		return cmdutil.Usagef("invalid path %q: it contains a space; percent-encode it (%%20)", p)
	}
	if strings.Contains(p, "#") {
		return cmdutil.Usagef("invalid path %q: a #fragment is never sent to the server; remove it", p)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return cmdutil.Usagef("invalid path %q: no . or .. segments; the path is relative to /api/v1", p)
		}
	}
	return nil
}

// readData reads --data: literal JSON, @file or - (stdin).
func (o *Options) readData() ([]byte, error) {
	const limit = 10 << 20
	switch {
	case o.Data == "-":
		b, err := io.ReadAll(io.LimitReader(o.F.IOStreams.In, limit))
		if err != nil {
			return nil, fmt.Errorf("reading --data from standard input: %w", err)
		}
		return b, nil
	case strings.HasPrefix(o.Data, "@"):
		b, err := os.ReadFile(o.Data[1:])
		if err != nil {
			return nil, cmdutil.Usagef("--data: %v", err)
		}
		return b, nil
	}
	return []byte(o.Data), nil
}

func run(ctx context.Context, o *Options) error {
	f := o.F
	client, r, err := f.Client()
	if err != nil {
		return err
	}
	path := strings.ReplaceAll(o.Path, "{org}", url.PathEscape(r.Org))
	var body io.Reader
	if o.body != nil {
		body = bytes.NewReader(o.body)
	}
	resp, err := client.Raw(ctx, o.Method, path, body)
	if err != nil {
		return err
	}
	ios := f.IOStreams
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	if ok && o.query != nil {
		var v any
		if err := json.Unmarshal(resp.Body, &v); err != nil {
			return fmt.Errorf("--jq: the answer is not JSON (HTTP %d)", resp.StatusCode)
		}
		if err := output.WriteJQ(ios.Out, o.query, v); err != nil {
			return err
		}
	} else if err := writeBody(ios.Out, resp.Body, ios.IsStdoutTTY()); err != nil {
		return err
	}
	if !ok {
		return rapi.DecodeError(resp.StatusCode, resp.Header, resp.Body)
	}
	return nil
}

// writeBody prints the body: indented JSON on a terminal, as received otherwise.
func writeBody(w io.Writer, body []byte, tty bool) error {
	if len(body) == 0 {
		return nil
	}
	if tty {
		var b bytes.Buffer
		if json.Indent(&b, body, "", "  ") == nil {
			b.WriteByte('\n')
			// Unsafe characters inside strings become \u escapes: the
			// same JSON, harmless on the terminal.
			_, err := w.Write(output.EscapeJSON(b.Bytes()))
			return err
		}
		// Not JSON (a proxy's page): no terminal escapes reach the screen.
		var out strings.Builder
		for _, line := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
			out.WriteString(output.Sanitize(line) + "\n")
		}
		_, err := io.WriteString(w, out.String())
		return err
	}
	_, err := w.Write(body)
	return err
}
