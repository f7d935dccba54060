// Package api is `replex api`: a raw, authenticated call to the Replex API.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"

	rapi "github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/secret"
)

// Options of `replex api`.
type Options struct {
	F           *cmdutil.Factory
	Method      string // -X or the first argument; "" = GET, or POST with fields or a body
	methodGiven bool
	Path        string
	Data        string
	Input       string
	RawFields   []string // -f key=value: strings
	TypedFields []string // -F key=value: typed, @file, @-
	Headers     []string
	Include     bool
	Silent      bool
	Paginate    bool
	JQ          string

	body   []byte
	params map[string]any
	header http.Header
	query  *gojq.Code
}

// Methods are the HTTP methods `replex api` sends.
func Methods() []string { return []string{"GET", "POST", "PUT", "PATCH", "DELETE"} }

func isMethod(s string) bool {
	for _, m := range Methods() {
		if strings.EqualFold(m, s) {
			return true
		}
	}
	return false
}

// NewCmdAPI builds the command.
func NewCmdAPI(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "api [<method>] <path>",
		Short: "Make an authenticated request to the Replex API",
		Long: `Send a request to the Replex API with the current profile's base URL and
token, and print the response body, envelope and all, to standard output.

<path> is relative to /api/v1 (a path that already starts with /api/v1 is
taken as is); {org} in it is replaced by the organization id of the profile
(--org, REPLEX_ORG).

The method is GET, or POST when fields or a body are given; -X/--method (or
the method as the first argument, "replex api DELETE <path>") sets it.

-f key=value adds a string field; -F key=value a typed one: true, false,
null and integers become JSON values, @FILE the content of a file, @- standard
input, and {org} in a value the organization id. key[sub]=value nests
objects, key[]=value builds an array (key[] alone an empty one), as with gh.
Fields are sent as a JSON object, or in the query string with GET.

--input FILE (- for standard input) sends the file as the body, unchecked;
--data sends JSON given as text, @FILE or -, checked to be JSON first. A body
goes with POST, PUT, PATCH or DELETE and not with fields. -H 'Name: value'
adds a request header; the Authorization header always comes from the profile.

--paginate follows the pages of a list (page and limit in the query, meta in
the answer) and prints every page; --jq runs on each page. -i/--include
prints the status line and the response headers first; --silent prints no
body.

On a terminal a JSON answer is indented, and control, bidi and invisible
characters in its strings are written as \u escapes (the same JSON); piped,
the body is printed exactly as received. --jq runs a jq expression over a
successful JSON answer (strings print raw, sanitized for the terminal); its
errors name the kind of value, never the value. An answer outside 2xx still prints its body on standard output,
then replex exits with the documented code ('replex help exit-codes'): 4 for 401
and 403, 5 for 404, 1 otherwise. A redirect (3xx) is not followed and its
body not printed: replex exits 1 naming where it pointed. The body is
printed as the server sent it: the answer to a create holds the new token's
secret.`,
		Example: `  replex api /organizations/{org}
  replex api /organizations/{org}/api-keys --paginate --jq '.data[].name'
  replex api -X GET /organizations/{org}/api-keys -F limit=10 -F page=2
  replex api /organizations/{org}/api-keys -f name=ci -f 'permissions[cluster][]=read'
  replex api -X PUT /organizations/{org}/api-keys/ak_123 --input token.json
  replex api -X DELETE /organizations/{org}/api-keys/ak_123 --include
  replex api DELETE /organizations/{org}/api-keys/ak_123`,
		Args:              argsMethodPath,
		ValidArgsFunction: complete,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.methodGiven = cmd.Flags().Changed("method")
			if len(args) == 2 {
				if opts.methodGiven && !strings.EqualFold(opts.Method, args[0]) {
					return cmdutil.Usagef("two methods, %s and -X %s: give one", strconv.Quote(output.Sanitize(args[0])), strconv.Quote(output.Sanitize(opts.Method)))
				}
				opts.Method, opts.methodGiven = args[0], true
			}
			opts.Path = args[len(args)-1]
			if err := opts.prepare(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Method, "method", "X", "", "HTTP `method`: GET, POST, PUT, PATCH or DELETE (default GET, or POST with fields or a body)")
	fl.StringArrayVarP(&opts.RawFields, "raw-field", "f", nil, "add a string field in `key=value` form (key[sub]=value, key[]=value)")
	fl.StringArrayVarP(&opts.TypedFields, "field", "F", nil, "add a typed field in `key=value` form: true, false, null, integers, @file, @- for stdin")
	fl.StringVar(&opts.Input, "input", "", "send the `file` as the request body, - for standard input")
	fl.StringVarP(&opts.Data, "data", "d", "", "JSON request body: the JSON itself, @`file`, or - for standard input")
	fl.StringArrayVarP(&opts.Headers, "header", "H", nil, "add a request header in `name:value` form")
	fl.BoolVarP(&opts.Include, "include", "i", false, "print the status line and response headers before the body")
	fl.BoolVar(&opts.Silent, "silent", false, "print no response body")
	fl.BoolVar(&opts.Paginate, "paginate", false, "fetch every page of a list, one request a page")
	fl.StringVar(&opts.JQ, "jq", "", "print the result of a jq `expression` over the JSON answer (each page with --paginate)")
	_ = cmd.RegisterFlagCompletionFunc("method", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return Methods(), cobra.ShellCompDirectiveNoFileComp
	})
	for _, name := range []string{"raw-field", "header", "jq"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
	return cmd
}

// argsMethodPath takes a path, or a method and a path.
func argsMethodPath(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return cmdutil.Usagef("missing path: give one such as /organizations/{org}; see '%s --help'", cmd.CommandPath())
	case len(args) == 1 && isMethod(args[0]):
		return cmdutil.Usagef("missing path after %s: give one such as /organizations/{org}", strings.ToUpper(args[0]))
	case len(args) > 2:
		return cmdutil.Usagef("too many arguments (%q): %s takes [<method>] <path>", strings.Join(args[2:], " "), cmd.CommandPath())
	}
	return nil
}

func complete(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	paths := []string{"/organizations/{org}", "/organizations/{org}/api-keys", "/organizations/{org}/api-keys/"}
	var cands []string
	switch {
	case len(args) == 0 && !strings.HasPrefix(toComplete, "/"):
		cands = append(Methods(), paths...)
	case len(args) == 0, len(args) == 1 && isMethod(args[0]):
		cands = paths
	}
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(strings.ToUpper(c), strings.ToUpper(toComplete)) {
			out = append(out, c)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// prepare checks the method, path, headers, fields, body and jq expression
// before anything is sent, and settles the method.
func (o *Options) prepare() error {
	if o.methodGiven {
		o.Method = strings.ToUpper(o.Method)
		if !isMethod(o.Method) {
			return cmdutil.Usagef("invalid method %s: use one of %s", strconv.Quote(output.Sanitize(o.Method)), strings.Join(Methods(), ", "))
		}
	}
	if err := checkPath(o.Path); err != nil {
		return err
	}
	header, err := parseHeaders(o.Headers)
	if err != nil {
		return err
	}
	o.header = header
	fields := len(o.RawFields) + len(o.TypedFields)
	switch {
	case o.Data != "" && o.Input != "":
		return cmdutil.Usagef("--data and --input both give the body: give one")
	case fields > 0 && (o.Data != "" || o.Input != ""):
		return cmdutil.Usagef("-f/-F fields and %s both give the body: put the fields in the body, or drop it", o.bodyFlag())
	case o.Paginate && (o.Data != "" || o.Input != ""):
		return cmdutil.Usagef("--paginate reads a list with GET and sends no body: drop %s", o.bodyFlag())
	case o.Paginate && o.methodGiven && o.Method != "GET":
		return cmdutil.Usagef("--paginate reads a list with GET, not %s", o.Method)
	case o.Silent && o.JQ != "":
		return cmdutil.Usagef("--silent prints nothing and --jq prints its result: give one")
	}
	if !o.methodGiven {
		o.Method = "GET"
		if !o.Paginate && (fields > 0 || o.Data != "" || o.Input != "") {
			o.Method = "POST"
		}
	}
	if o.Method == "GET" && (o.Data != "" || o.Input != "") {
		return cmdutil.Usagef("%s with GET: a body goes with POST, PUT or PATCH", o.bodyFlag())
	}
	switch {
	case o.Data != "":
		body, err := o.readBody("--data", o.Data)
		if err != nil {
			return err
		}
		if !json.Valid(body) {
			return cmdutil.Usagef("--data is not valid JSON: nothing was sent")
		}
		o.body = body
	case o.Input != "":
		body, err := o.readBody("--input", o.Input)
		if err != nil {
			return err
		}
		o.body = body
	}
	if fields > 0 {
		params, err := parseFields(o.RawFields, o.TypedFields, &fieldReader{stdin: o.F.IOStreams.In})
		if err != nil {
			return err
		}
		o.params = params
	}
	if o.Paginate {
		// The page to start from is checked now, not after logging in.
		if _, err := newPager(addQuery(o.Path, o.params)); err != nil {
			return err
		}
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

// bodyFlag names the flag that gave the body.
func (o *Options) bodyFlag() string {
	if o.Input != "" {
		return "--input"
	}
	return "--data"
}

// parseHeaders reads -H name:value. The Authorization header is refused: the
// token comes from the profile, never from the command line, where other
// users and shell history can see it.
func parseHeaders(hs []string) (http.Header, error) {
	header := http.Header{}
	for i, h := range hs {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok {
			// The text itself is not repeated: a header without its colon
			// may well be a credential.
			return nil, cmdutil.Usagef("invalid -H #%d: it has no colon; give 'Name: value'", i+1)
		}
		if !validHeaderName(name) {
			return nil, cmdutil.Usagef("invalid -H #%d: %s is not a header name; give 'Name: value'", i+1, shortKey(name))
		}
		value = strings.TrimSpace(value)
		if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			return nil, cmdutil.Usagef("invalid -H %s: the value holds a control character", shortKey(name))
		}
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", "Proxy-Authorization":
			return nil, cmdutil.Usagef("-H %s: the token comes from the profile (--profile, REPLEX_API_TOKEN, 'replex auth login'), not from the command line", http.CanonicalHeaderKey(name))
		case "Host", "Content-Length", "Transfer-Encoding", "Connection":
			return nil, cmdutil.Usagef("-H %s: replex sets this header itself", http.CanonicalHeaderKey(name))
		}
		header.Add(name, value)
	}
	return header, nil
}

// validHeaderName: a token of RFC 9110 (letters, digits and !#$%&'*+-.^_`|~).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
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

// readBody reads the body a flag names: the text itself (--data only),
// @file (--data), a file (--input) or - (stdin).
func (o *Options) readBody(flag, arg string) ([]byte, error) {
	const limit = 10 << 20
	name := arg
	switch {
	case arg == "-":
		b, err := io.ReadAll(io.LimitReader(o.F.IOStreams.In, limit+1))
		if err != nil {
			return nil, fmt.Errorf("reading %s from standard input: %w", flag, err)
		}
		if len(b) > limit {
			return nil, cmdutil.Usagef("%s: standard input is over 10 MiB", flag)
		}
		return b, nil
	case flag == "--data" && strings.HasPrefix(arg, "@"):
		name = arg[1:]
	case flag == "--data":
		return []byte(arg), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, cmdutil.Usagef("%s: %v", flag, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, cmdutil.Usagef("%s: %v", flag, err)
	}
	if len(b) > limit {
		return nil, cmdutil.Usagef("%s: %s is over 10 MiB", flag, name)
	}
	return b, nil
}

func run(ctx context.Context, o *Options) error {
	f := o.F
	client, r, err := f.Client()
	if err != nil {
		return err
	}
	path := strings.ReplaceAll(o.Path, "{org}", url.PathEscape(r.Org))
	body := o.body
	if o.params != nil {
		fillOrg(o.params, r.Org)
		if o.Method == "GET" {
			path = addQuery(path, o.params)
		} else if body, err = json.Marshal(o.params); err != nil {
			return err
		}
	}
	p := &printer{o: o, mask: r.Token}
	if !o.Paginate {
		resp, err := send(ctx, client, o, path, body)
		if err != nil {
			return err
		}
		return p.print(resp)
	}
	pages, err := newPager(path)
	if err != nil {
		return err
	}
	for {
		resp, err := send(ctx, client, o, pages.next(), nil)
		if err != nil {
			return err
		}
		if err := p.print(resp); err != nil {
			return err
		}
		more, err := pages.advance(resp.Body)
		if err != nil || !more {
			return err
		}
		if o.Include {
			fmt.Fprintln(f.IOStreams.Out)
		}
	}
}

func send(ctx context.Context, client *rapi.Client, o *Options, path string, body []byte) (rapi.RawResponse, error) {
	req := rapi.RawRequest{Method: o.Method, Path: path, Header: o.header}
	if body != nil {
		req.Body = bytes.NewReader(body)
	}
	return client.Do(ctx, req)
}

// printer prints each answer: -i's head, then the body (or --jq's result);
// an answer outside 2xx becomes the command's error after its body.
type printer struct {
	o    *Options
	mask secret.Secret
}

func (p *printer) print(resp rapi.RawResponse) error {
	ios := p.o.F.IOStreams
	if p.o.Include {
		if err := writeHead(ios.Out, resp, p.mask); err != nil {
			return err
		}
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	switch {
	case p.o.Silent:
	case ok && p.o.query != nil:
		var v any
		if err := json.Unmarshal(resp.Body, &v); err != nil {
			return fmt.Errorf("--jq: the answer is not JSON (HTTP %d)", resp.StatusCode)
		}
		if err := output.WriteJQ(ios.Out, p.o.query, v); err != nil {
			return err
		}
	default:
		if err := writeBody(ios.Out, resp.Body, ios.IsStdoutTTY()); err != nil {
			return err
		}
	}
	if !ok {
		return rapi.DecodeError(resp.StatusCode, resp.Header, resp.Body)
	}
	return nil
}

// credentialHeaders are never printed by -i: they carry credentials, not
// facts about the answer.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// writeHead prints the status line and the headers, sorted, one a line, as
// gh does; every byte is made safe for a terminal, credential headers are
// left out, and the profile's token is masked wherever a server echoes it.
func writeHead(w io.Writer, resp rapi.RawResponse, token secret.Secret) error {
	clean := func(s string) string {
		if !token.IsZero() {
			s = strings.ReplaceAll(s, token.Reveal(), "[masked "+token.Fingerprint()+"]")
		}
		return output.Sanitize(s)
	}
	var b strings.Builder
	proto := resp.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	fmt.Fprintf(&b, "%s %s\n", clean(proto), clean(resp.Status))
	names := make([]string, 0, len(resp.Header))
	for name := range resp.Header {
		if !slices.Contains(credentialHeaders, http.CanonicalHeaderKey(name)) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "%s: %s\n", clean(name), clean(strings.Join(resp.Header[name], ", ")))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
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
