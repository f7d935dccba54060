// Package start is `replex sandbox start`.
package start

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/sandbox"
)

// Options of `replex sandbox start`.
type Options struct {
	F          *cmdutil.Factory
	Listen     string
	ListenAny  bool
	Data       string
	Ephemeral  bool
	SeedTokens int
	// MaxPageSize and RefuseLargePages shape the token list's pages
	// (sandbox.Options).
	MaxPageSize      int
	RefuseLargePages bool
	Faults           sandbox.Faults
	seedSet          bool // --fault-seed was given
}

// NewCmdStart builds the command.
func NewCmdStart(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start the local sandbox server and print how to use it",
		Long: `Start the sandbox and serve until interrupted (SIGINT or SIGTERM; exit 0).

Once it serves, exactly three lines go to standard output, ready for eval:

  export REPLEX_BASE_URL=http://127.0.0.1:PORT
  export REPLEX_ORG=<organization id>
  export REPLEX_API_TOKEN=<admin token with every permission>

Request logs go to standard error. It listens on loopback only unless
--listen-any is given. State is kept in --data (default: sandbox.json in the
config directory), written atomically on every change, or in memory with
--ephemeral.

Fault injection, for testing clients (replex included) against a server and
network that misbehave; all off by default:
  --latency D                  add D before handling each request
  --fail-rate F                answer 503 to a fraction F of requests, doing nothing
  --rate-limit N               accept N requests per second, answer the rest 429
                               with Retry-After, doing nothing
  --drop-after-commit-rate F   for a fraction F of writes (POST, PUT, DELETE):
                               do the write, save it, then cut the connection
                               without answering (a write that fails, such as
                               a 404, is answered)
  --garbage-rate F             answer a fraction F of requests with a body that is
                               not the JSON envelope: half an HTML 502 page (nothing
                               done), half the real answer cut short, with 200 (done)
  --fault-seed S               make the choices repeatable (default: random, printed)
Fractions are from 0 to 1. Each faulted request is marked in the request log.

Pages of the token list hold at most --max-page-size tokens (default 1000); a
larger limit is answered with that many, and meta.limit says so, as the API
contract describes. --refuse-large-pages answers it with 400 instead, as some
servers do.`,
		Example: `  replex sandbox start --ephemeral --listen 127.0.0.1:0
  replex sandbox start --data ./sandbox.json --seed-tokens 200
  replex sandbox start --ephemeral --drop-after-commit-rate 0.5 --latency 50ms --fault-seed 1
  replex sandbox start --ephemeral --listen 127.0.0.1:0 >sandbox.env 2>sandbox.log &
  sleep 1; . ./sandbox.env; replex orgs get`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Ephemeral && cmd.Flags().Changed("data") {
				return cmdutil.Usagef("--data and --ephemeral cannot be used together: keep state in a file or in memory")
			}
			if opts.SeedTokens < 0 || opts.SeedTokens > 1_000_000 {
				return cmdutil.Usagef("invalid --seed-tokens %d: use 0 to 1000000", opts.SeedTokens)
			}
			if opts.MaxPageSize < 1 || opts.MaxPageSize > 1_000_000 {
				return cmdutil.Usagef("invalid --max-page-size %d: use 1 to 1000000", opts.MaxPageSize)
			}
			if err := checkFaults(&opts.Faults); err != nil {
				return err
			}
			opts.seedSet = cmd.Flags().Changed("fault-seed")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:3100", "address to listen on (port 0 picks a free one)")
	cmd.Flags().BoolVar(&opts.ListenAny, "listen-any", false, "allow a non-loopback listen address")
	cmd.Flags().StringVar(&opts.Data, "data", "", "state file (default: sandbox.json in the config directory)")
	_ = cmd.MarkFlagFilename("data") // completes file names
	cmd.Flags().BoolVar(&opts.Ephemeral, "ephemeral", false, "keep state in memory only")
	cmd.Flags().IntVar(&opts.SeedTokens, "seed-tokens", 0, "create N varied tokens in a new state (for demos and scale tests)")
	cmd.Flags().IntVar(&opts.MaxPageSize, "max-page-size", api.ListPageSize, "the most tokens one page of the list holds")
	cmd.Flags().BoolVar(&opts.RefuseLargePages, "refuse-large-pages", false, "answer a page limit above --max-page-size with 400 instead of a smaller page")
	fl := cmd.Flags()
	fl.Var(expiry.NewDurationFlag(&opts.Faults.Latency, 0, true), "latency", "fault: add this delay before handling each request")
	fl.Float64Var(&opts.Faults.FailRate, "fail-rate", 0, "fault: fraction of requests (0 to 1) answered 503, doing nothing")
	fl.IntVar(&opts.Faults.RateLimit, "rate-limit", 0, "fault: accept N requests per second, answer the rest 429 with Retry-After (0 = no limit)")
	fl.Float64Var(&opts.Faults.DropAfterCommitRate, "drop-after-commit-rate", 0, "fault: fraction of writes (0 to 1) done, saved, then answered by cutting the connection")
	fl.Float64Var(&opts.Faults.GarbageRate, "garbage-rate", 0, "fault: fraction of requests (0 to 1) answered with an HTML page or a truncated body")
	fl.Uint64Var(&opts.Faults.Seed, "fault-seed", 0, "fault: seed of the fault choices, for repeatable runs (default: random)")
	return cmd
}

// checkFaults validates the fault flags as usage errors.
func checkFaults(f *sandbox.Faults) error {
	for _, r := range []struct {
		flag string
		v    float64
	}{{"--fail-rate", f.FailRate}, {"--drop-after-commit-rate", f.DropAfterCommitRate}, {"--garbage-rate", f.GarbageRate}} {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			return cmdutil.Usagef("invalid %s %v: use a fraction from 0 to 1, such as 0.1", r.flag, r.v)
		}
	}
	if f.RateLimit < 0 {
		return cmdutil.Usagef("invalid --rate-limit %d: use requests per second, or 0 for no limit", f.RateLimit)
	}
	return f.Validate()
}

func run(ctx context.Context, opts *Options) error {
	f := opts.F
	ios := f.IOStreams
	data := opts.Data
	if !opts.Ephemeral && data == "" {
		dir, err := config.Dir(f.Getenv)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("cannot create %s: %w", dir, err)
		}
		data = filepath.Join(dir, "sandbox.json")
	}
	ln, err := sandbox.Listen(opts.Listen, opts.ListenAny)
	var notLoopback *sandbox.NotLoopbackError
	switch {
	case errors.As(err, &notLoopback):
		return cmdutil.Usagef("%s, or pass --listen-any to allow it", err)
	case err != nil:
		return &cmdutil.UsageError{Err: err}
	}
	if opts.Faults.Enabled() && !opts.seedSet {
		opts.Faults.Seed = rand.Uint64()
	}
	srv, err := sandbox.New(sandbox.Options{DataFile: data, SeedTokens: opts.SeedTokens, Log: ios.ErrOut, Faults: opts.Faults,
		MaxPageSize: opts.MaxPageSize, RefuseLargePages: opts.RefuseLargePages})
	if err != nil {
		ln.Close()
		return err
	}
	defer srv.Close()

	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	where := "in memory"
	if data != "" {
		where = "in " + data
	}
	fmt.Fprintf(ios.ErrOut, "sandbox: serving the Replex API on http://%s (state %s); Ctrl-C stops it\n", ln.Addr(), where)
	if f := opts.Faults; f.Enabled() {
		fmt.Fprintf(ios.ErrOut, "sandbox: injecting faults: latency %s, fail rate %g, rate limit %d/s, drop-after-commit rate %g, garbage rate %g (--fault-seed %d)\n",
			f.Latency, f.FailRate, f.RateLimit, f.DropAfterCommitRate, f.GarbageRate, f.Seed)
	}
	fmt.Fprintf(ios.Out, "export REPLEX_BASE_URL=http://%s\nexport REPLEX_ORG=%s\nexport REPLEX_API_TOKEN=%s\n",
		ln.Addr(), srv.OrgID(), srv.AdminSecret())

	select {
	case err := <-served:
		return fmt.Errorf("sandbox server stopped: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := srv.Close(); err != nil {
		return err
	}
	if opts.Faults.Enabled() {
		fmt.Fprintf(ios.ErrOut, "sandbox: faults injected: %s\n", srv.FaultStats())
	}
	fmt.Fprintln(ios.ErrOut, "sandbox: stopped")
	return nil
}
