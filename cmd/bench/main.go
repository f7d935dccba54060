// Command bench measures replex against the targets of docs/performance.md:
// startup, listing 10,000 tokens, bulk rotation, create end to end, and the
// sandbox's own throughput. It builds replex, starts its own sandboxes on
// loopback, runs each scenario several times and prints medians, ratios and
// peak memory.
//
//	go run ./cmd/bench           # the full run (a few minutes)
//	go run ./cmd/bench -quick    # a few seconds, small sizes (CI)
//	go run ./cmd/bench -latency 50ms -only list-latency  # listing from a server 50 ms away
//	go run ./cmd/bench -only spec  # tokens diff of a 1,000-entry spec, apply at --parallel 1 and 16
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/retired"
	"github.com/replexio/replex/pkg/secret"
)

type config struct {
	quick        bool
	runs         int
	listTokens   int
	rotate       int
	applyCreates int
	latency      time.Duration
	loadFor      time.Duration
	only         string
}

type row struct {
	heading  string // a row of its own that starts a new part of the table
	scenario string
	median   time.Duration
	peakKiB  int64
	extra    string
	target   string
	ok       *bool
}

func main() {
	var c config
	flag.BoolVar(&c.quick, "quick", false, "small sizes and few runs, for CI")
	flag.IntVar(&c.runs, "runs", 0, "runs per scenario (default 15, quick 3)")
	flag.DurationVar(&c.latency, "latency", 20*time.Millisecond, "latency the sandbox adds to each request in the network-bound scenarios (listing, rotation)")
	flag.StringVar(&c.only, "only", "", "run one group of scenarios: startup, list-latency or spec")
	flag.Parse()
	if c.only != "" && c.only != "startup" && c.only != "list-latency" && c.only != "spec" {
		fmt.Fprintf(os.Stderr, "bench: unknown -only %q: use startup, list-latency or spec\n", c.only)
		os.Exit(2)
	}
	c.listTokens, c.rotate, c.applyCreates, c.loadFor = 10000, 500, 200, 3*time.Second
	if c.runs == 0 {
		c.runs = 15
	}
	if c.quick {
		c.listTokens, c.rotate, c.applyCreates, c.loadFor = 1000, 40, 40, 500*time.Millisecond
		if c.runs == 15 {
			c.runs = 3
		}
	}
	rows, err := run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: "+err.Error())
		os.Exit(1)
	}
	print(c, rows)
}

func run(c config) ([]row, error) {
	tmp, err := os.MkdirTemp("", "replex-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// Built as releases are (.goreleaser.yaml): static, without symbols.
	bin := filepath.Join(tmp, "replex")
	if err := goBuild(bin, "./cmd/replex"); err != nil {
		return nil, err
	}
	baseEnv := []string{"HOME=" + tmp, "REPLEX_CONFIG_DIR=" + filepath.Join(tmp, "cfg"), "PATH=" + os.Getenv("PATH")}
	switch c.only {
	case "list-latency":
		return listLatency(c, bin, baseEnv)
	case "spec":
		return specScenarios(c, bin, baseEnv, tmp)
	case "startup":
		rows, account, err := startupScenarios(c, bin, baseEnv, tmp)
		return append(rows, account...), err
	}

	// Startup.
	rows, account, err := startupScenarios(c, bin, baseEnv, tmp)
	if err != nil {
		return nil, err
	}

	// Listing many tokens.
	sb, err := startSandbox(bin, "--seed-tokens", fmt.Sprint(c.listTokens))
	if err != nil {
		return nil, err
	}
	env := append(slices.Clone(baseEnv), sb.env()...)
	lj := measure(c.runs, bin, env, "tokens", "list", "-o", "json")
	lt := measure(c.runs, bin, env, "tokens", "list")
	// As on a terminal 120 columns wide, in colour: the styled table.
	ltty := measure(c.runs, bin, append(slices.Clone(env), "REPLEX_FORCE_TTY=120", "CLICOLOR_FORCE=1"), "tokens", "list")
	n := fmt.Sprintf("%d tokens", c.listTokens)
	rows = append(rows,
		row{scenario: "tokens list -o json, " + n, median: lj.median, peakKiB: lj.peak, target: "< 300ms, < 60 MiB",
			ok: ptr(lj.median < 300*time.Millisecond && lj.peak < 60*1024)},
		row{scenario: "tokens list (table), " + n, median: lt.median, peakKiB: lt.peak, target: "< 300ms, < 60 MiB",
			ok: ptr(lt.median < 300*time.Millisecond && lt.peak < 60*1024)},
		row{scenario: "tokens list (terminal table), " + n, median: ltty.median, peakKiB: ltty.peak, target: "< 300ms, < 60 MiB",
			ok: ptr(ltty.median < 300*time.Millisecond && ltty.peak < 60*1024)},
	)

	lat, err := listLatency(c, bin, baseEnv)
	if err != nil {
		return nil, err
	}
	rows = append(rows, lat...)

	// Create end to end, including process start: in an organization of
	// 100 tokens, and in the one of 10,000 above, where the listing that
	// makes a create orphan-safe (docs/security.md) reads all of them.
	crBig := measureCreate(c.runs, bin, env)
	sb.stop()
	small, err := startSandbox(bin, "--seed-tokens", "100")
	if err != nil {
		return nil, err
	}
	cr := measureCreate(c.runs, bin, append(slices.Clone(baseEnv), small.env()...))
	small.stop()
	rows = append(rows,
		row{scenario: "tokens create (end to end), 100 tokens", median: cr.median, peakKiB: cr.peak, target: "< 25ms", ok: ptr(cr.median < 25*time.Millisecond)},
		row{scenario: "tokens create (end to end), " + n, median: crBig.median, peakKiB: crBig.peak},
	)

	// Bulk rotation against a slow server.
	rotRows, err := parallelSpeedup(bin, baseEnv, tmp, c.latency, "bulk rotate", "secrets-",
		func(sb *benchSandbox) error { return sb.seedFleet(c.rotate) },
		func(dir string, p int) []string {
			return []string{"tokens", "rotate", "--name", "fleet-*", "--secret-dir", dir, "--parallel", fmt.Sprint(p), "--yes"}
		},
		func(p int) string {
			return fmt.Sprintf("rotate %d tokens, %s latency, --parallel %d", c.rotate, c.latency, p)
		})
	if err != nil {
		return nil, err
	}
	rows = append(rows, rotRows...)

	specRows, err := specScenarios(c, bin, baseEnv, tmp)
	if err != nil {
		return nil, err
	}
	rows = append(rows, specRows...)

	// The sandbox's own throughput.
	rps, err := sandboxThroughput(bin, c.loadFor)
	if err != nil {
		return nil, err
	}
	rows = append(rows, row{scenario: "sandbox GET organization", extra: fmt.Sprintf("%.0f req/s", rps), target: ">= 5000 req/s", ok: ptr(rps >= 5000)})
	return append(rows, account...), nil
}

// listLatency lists c.listTokens tokens from a server c.latency away,
// where the round trips are the time: with pages of 1,000 (what replex
// asks for), from a server that serves at most 100 (what replex asked for
// before, and what it still gets from such a server), and from one that
// refuses 1,000 with 400. It counts the list requests each run sends.
func listLatency(c config, bin string, baseEnv []string) ([]row, error) {
	var rows []row
	n := fmt.Sprintf("%d tokens", c.listTokens)
	for _, v := range []struct{ name, page string }{
		{"pages of 1000", ""},
		{"server pages of 100", "--max-page-size=100"},
		{"server refuses > 100", "--max-page-size=100 --refuse-large-pages"},
	} {
		flags := []string{"--seed-tokens", fmt.Sprint(c.listTokens), "--latency", c.latency.String()}
		sb, err := startSandbox(bin, append(flags, strings.Fields(v.page)...)...)
		if err != nil {
			return nil, err
		}
		r := measure(c.runs, bin, append(slices.Clone(baseEnv), sb.env()...), "tokens", "list", "-o", "json")
		time.Sleep(100 * time.Millisecond) // the last log lines are read
		requests := sb.listRequests.Load()
		sb.stop()
		if r.failed > 0 {
			return nil, fmt.Errorf("tokens list against a server with %s failed: %s", v.name, r.stderr)
		}
		rows = append(rows, row{scenario: fmt.Sprintf("tokens list, %s, %s latency, %s", n, c.latency, v.name), median: r.median, peakKiB: r.peak,
			extra: fmt.Sprintf("%d requests", requests/int64(c.runs))})
	}
	return rows, nil
}

func ptr(b bool) *bool { return &b }

// specScenarios measures tokens as code: planning a spec of specEntries
// against an organization of c.listTokens (tokens diff, end to end, one
// listing), and applying c.applyCreates creates against a server
// c.latency away at --parallel 1 and 16.
func specScenarios(c config, bin string, baseEnv []string, tmp string) ([]row, error) {
	var rows []row
	entries := c.listTokens / 10
	sb, err := startSandbox(bin, "--seed-tokens", fmt.Sprint(c.listTokens))
	if err != nil {
		return nil, err
	}
	all, err := sb.client().ListTokens(context.Background())
	if err != nil {
		sb.stop()
		return nil, err
	}
	// Half the entries name existing tokens (most with other grants: updates
	// to plan), half are new (creates).
	var spec strings.Builder
	spec.WriteString("tokens:\n")
	n := 0
	for _, t := range all {
		if n == entries/2 {
			break
		}
		if retired.Is(t.Name) {
			continue
		}
		fmt.Fprintf(&spec, "  - name: %q\n    grants: [cluster:read]\n    expires: never\n", t.Name)
		n++
	}
	for i := n; i < entries; i++ {
		fmt.Fprintf(&spec, "  - name: bench-new-%04d\n    grants: [cluster:read, budget:read]\n    expires: 90d\n", i)
	}
	file := filepath.Join(tmp, "plan.yaml")
	if err := os.WriteFile(file, []byte(spec.String()), 0o600); err != nil {
		sb.stop()
		return nil, err
	}
	time.Sleep(100 * time.Millisecond)
	before := sb.listRequests.Load()
	// diff exits 3 (differences): that is its success here.
	r := measure(c.runs, bin, append(slices.Clone(baseEnv), sb.env()...), "tokens", "diff", "-f", file)
	time.Sleep(100 * time.Millisecond)
	requests := sb.listRequests.Load() - before
	sb.stop()
	if !strings.Contains(r.stderr, "differences") {
		return nil, fmt.Errorf("tokens diff failed: %s", r.stderr)
	}
	rows = append(rows, row{scenario: fmt.Sprintf("tokens diff, %d-entry spec, %d tokens", entries, c.listTokens), median: r.median, peakKiB: r.peak,
		extra: fmt.Sprintf("%d list requests (one listing)", requests/int64(c.runs)), target: "< 1s", ok: ptr(r.median < time.Second)})

	spec.Reset()
	spec.WriteString("tokens:\n")
	for i := range c.applyCreates {
		fmt.Fprintf(&spec, "  - name: app-%04d\n    grants: [cluster:read]\n    expires: 90d\n", i)
	}
	file = filepath.Join(tmp, "apply.yaml")
	if err := os.WriteFile(file, []byte(spec.String()), 0o600); err != nil {
		return nil, err
	}
	applyRows, err := parallelSpeedup(bin, baseEnv, tmp, c.latency, "apply", "apply-secrets-", nil,
		func(dir string, p int) []string {
			return []string{"tokens", "apply", "-f", file, "--secret-dir", dir, "--parallel", fmt.Sprint(p), "--yes"}
		},
		func(p int) string {
			return fmt.Sprintf("apply %d creates, %s latency, --parallel %d", c.applyCreates, c.latency, p)
		})
	if err != nil {
		return nil, err
	}
	rows = append(rows, applyRows...)
	return rows, nil
}

func measureCreate(runs int, bin string, env []string) result {
	return measureEach(runs, func(i int) []string {
		return []string{"tokens", "create", fmt.Sprintf("bench-create-%d-%d", time.Now().UnixNano(), i), "--grant", "cluster:read"}
	}, bin, env)
}

// floors are reference programs: an empty Go program, and one that links
// net/http as every API client must. Their start-up is the least a Go
// command can take on the machine.
var floors = []struct{ name, scenario, src string }{
	{"empty", "Go floor: empty program (reference)", "package main\n\nfunc main() {}\n"},
	{"nethttp", "Go floor: program linking net/http (reference)",
		"package main\n\nimport _ \"net/http\"\n\nfunc main() {}\n"},
}

func goBuild(out, pkg string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

func goBuildSource(out, src string) error {
	dir, err := os.MkdirTemp(filepath.Dir(out), "src-")
	if err != nil {
		return err
	}
	file := filepath.Join(dir, "main.go")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		return err
	}
	return goBuild(out, file)
}

type result struct {
	median time.Duration
	peak   int64 // KiB, the largest of the runs
	faults int64 // page faults of the median run
	// leastFaults is the fewest page faults of a run: steadier than the
	// median's for telling two programs apart by a few dozen.
	leastFaults int64
	failed      int
	stderr      string
}

// faultNote names the page faults: on a virtual machine each costs tens of
// microseconds, and they are most of a Go program's start-up.
func (r result) faultNote() string { return fmt.Sprintf("%d page faults", r.faults) }

func measure(runs int, bin string, env []string, args ...string) result {
	return measureEach(runs, func(int) []string { return args }, bin, env)
}

// measureEach runs bin runs times and reports the median wall time and the
// peak resident memory of any run.
func measureEach(runs int, args func(i int) []string, bin string, env []string) result {
	type sample struct {
		d      time.Duration
		faults int64
	}
	var times []sample
	var res result
	for i := 0; i < runs; i++ {
		cmd := exec.Command(bin, args(i)...)
		cmd.Env = env
		cmd.Stdout = io.Discard
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		sm := sample{d: time.Since(start)}
		if err != nil {
			res.failed++
			res.stderr = stderr.String()
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.peak = max(res.peak, ru.Maxrss)
			sm.faults = ru.Minflt + ru.Majflt
		}
		times = append(times, sm)
	}
	slices.SortFunc(times, func(a, b sample) int { return int(a.d - b.d) })
	res.median, res.faults = times[len(times)/2].d, times[len(times)/2].faults
	res.leastFaults = slices.MinFunc(times, func(a, b sample) int { return int(a.faults - b.faults) }).faults
	return res
}

// benchSandbox is `replex sandbox start` in a process of its own, so that
// the peak memory reported for a replex run is that run's alone: a child
// started from this process would inherit its high-water mark.
type benchSandbox struct {
	cmd  *exec.Cmd
	vars map[string]string
	// listRequests counts the list requests in the sandbox's request log.
	listRequests atomic.Int64
}

func (b *benchSandbox) env() []string {
	return []string{"REPLEX_BASE_URL=" + b.vars["REPLEX_BASE_URL"], "REPLEX_ORG=" + b.vars["REPLEX_ORG"],
		"REPLEX_API_TOKEN=" + b.vars["REPLEX_API_TOKEN"]}
}

func (b *benchSandbox) stop() {
	b.cmd.Process.Signal(syscall.SIGTERM)
	b.cmd.Wait()
}

func (b *benchSandbox) client() *api.Client {
	return api.New(api.Options{BaseURL: b.vars["REPLEX_BASE_URL"], Org: b.vars["REPLEX_ORG"],
		Token: secret.New(b.vars["REPLEX_API_TOKEN"]), UserAgent: "replex-bench"})
}

// seedFleet creates n tokens fleet-0000... for the rotation scenario.
func (b *benchSandbox) seedFleet(n int) error {
	c := b.client()
	exp := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	var wg sync.WaitGroup
	var failed atomic.Int64
	next := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				in := api.TokenInput{Name: fmt.Sprintf("fleet-%04d", i), Permissions: grants.Set{"cluster": {"read"}}, ExpiresAt: &exp}
				if _, err := c.CreateToken(context.Background(), in); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if failed.Load() > 0 {
		return fmt.Errorf("seeding the rotation scenario: %d creates failed", failed.Load())
	}
	return nil
}

// startSandbox runs bin's ephemeral sandbox on a free loopback port with
// the extra flags and reads the three export lines it prints.
func startSandbox(bin string, flags ...string) (*benchSandbox, error) {
	args := append([]string{"sandbox", "start", "--ephemeral", "--listen", "127.0.0.1:0"}, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"HOME=" + os.TempDir(), "PATH=" + os.Getenv("PATH")}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &benchSandbox{cmd: cmd, vars: map[string]string{}}
	sc := bufio.NewScanner(out)
	for len(b.vars) < 3 && sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok {
			b.vars[k] = v
		}
	}
	if len(b.vars) < 3 {
		b.stop()
		return nil, fmt.Errorf("the sandbox did not start: %v", sc.Err())
	}
	go io.Copy(io.Discard, out)
	go func() {
		log := bufio.NewScanner(stderr)
		for log.Scan() {
			if l := log.Text(); strings.HasPrefix(l, "GET ") && strings.Contains(l, "/api-keys ") {
				b.listRequests.Add(1)
			}
		}
	}()
	return b, nil
}

// sandboxThroughput drives GET organization from several goroutines over
// kept-alive loopback connections.
func sandboxThroughput(bin string, d time.Duration) (float64, error) {
	sb, err := startSandbox(bin)
	if err != nil {
		return 0, err
	}
	defer sb.stop()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	// The request carries the token: it goes nowhere a redirect points.
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	url := sb.vars["REPLEX_BASE_URL"] + api.OrganizationPath(sb.vars["REPLEX_ORG"])
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var count, failures atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 4*runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
				req.Header.Set("Authorization", api.AuthScheme+" "+sb.vars["REPLEX_API_TOKEN"])
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					count.Add(1)
				} else {
					failures.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	wg.Wait()
	if failures.Load() > 0 {
		return 0, fmt.Errorf("sandbox answered %d requests with an error", failures.Load())
	}
	return float64(count.Load()) / time.Since(start).Seconds(), nil
}

func print(c config, rows []row) {
	mode := "full"
	if c.quick {
		mode = "quick"
	}
	fmt.Printf("replex benchmark (%s mode, %d runs per scenario, %s/%s, %d CPUs, %s)\n\n",
		mode, c.runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SCENARIO\tMEDIAN\tPEAK RSS\tNOTE\tTARGET\tMET")
	for _, r := range rows {
		if r.heading != "" {
			w.Flush() // a part of its own, with its own column widths
			fmt.Fprintf(w, "\n%s\n", r.heading)
			continue
		}
		med, peak, met := "", "", ""
		if r.median > 0 {
			med = r.median.Round(10 * time.Microsecond).String()
			if r.median >= 10*time.Millisecond {
				med = r.median.Round(100 * time.Microsecond).String()
			}
		}
		if r.peakKiB > 0 {
			peak = fmt.Sprintf("%.1f MiB", float64(r.peakKiB)/1024)
		}
		if r.ok != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*r.ok]
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.scenario, med, peak, r.extra, r.target, met)
	}
	w.Flush()
	if c.quick {
		fmt.Println("\nquick mode: small sizes; the targets apply to the full run (go run ./cmd/bench).")
	}
}

// parallelSpeedup runs one bulk command at --parallel 1 and 16, each against
// a fresh sandbox with latency (seeded by seed, if set) and a fresh secrets
// directory, and adds the speed-up row; the target is 10x.
func parallelSpeedup(bin string, baseEnv []string, tmp string, latency time.Duration, what, dirPrefix string,
	seed func(*benchSandbox) error, args func(dir string, p int) []string, scenario func(p int) string) ([]row, error) {
	var rows []row
	var seq, par time.Duration
	for _, p := range []int{1, 16} {
		sb, err := startSandbox(bin, "--latency", latency.String())
		if err != nil {
			return nil, err
		}
		if seed != nil {
			if err := seed(sb); err != nil {
				sb.stop()
				return nil, err
			}
		}
		dir, _ := os.MkdirTemp(tmp, dirPrefix)
		os.Chmod(dir, 0o700)
		cmd := args(dir, p)
		r := measure(1, bin, append(slices.Clone(baseEnv), sb.env()...), cmd...)
		sb.stop()
		if r.failed > 0 {
			return nil, fmt.Errorf("%s --parallel %d failed: %s", strings.Join(cmd[:2], " "), p, r.stderr)
		}
		if p == 1 {
			seq = r.median
		} else {
			par = r.median
		}
		rows = append(rows, row{scenario: scenario(p), median: r.median, peakKiB: r.peak})
	}
	speedup := float64(seq) / float64(par)
	return append(rows, row{scenario: what + " speed-up, 16 vs 1", extra: fmt.Sprintf("%.1fx", speedup), target: ">= 10x", ok: ptr(speedup >= 10)}), nil
}
