// Command bench measures replex against the targets of docs/performance.md:
// startup, listing 10,000 tokens, bulk rotation, create end to end, and the
// sandbox's own throughput. It builds replex, starts its own sandboxes on
// loopback, runs each scenario several times and prints medians, ratios and
// peak memory.
//
//	go run ./cmd/bench           # the full run (a few minutes)
//	go run ./cmd/bench -quick    # a few seconds, small sizes (CI)
package main

import (
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
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/sandbox"
)

type config struct {
	quick      bool
	runs       int
	listTokens int
	rotate     int
	latency    time.Duration
	loadFor    time.Duration
}

type row struct {
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
	flag.Parse()
	c.listTokens, c.rotate, c.latency, c.loadFor = 10000, 500, 20*time.Millisecond, 3*time.Second
	if c.runs == 0 {
		c.runs = 15
	}
	if c.quick {
		c.listTokens, c.rotate, c.loadFor = 1000, 40, 500*time.Millisecond
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
	bin := filepath.Join(tmp, "replex")
	if out, err := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/replex").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	baseEnv := []string{"HOME=" + tmp, "REPLEX_CONFIG_DIR=" + filepath.Join(tmp, "cfg"), "PATH=" + os.Getenv("PATH")}
	var rows []row

	// Startup.
	ver := measure(c.runs, bin, baseEnv, "--version")
	help := measure(c.runs, bin, baseEnv, "tokens", "--help")
	rows = append(rows,
		row{scenario: "replex --version", median: ver.median, peakKiB: ver.peak, target: "< 10ms", ok: ptr(ver.median < 10*time.Millisecond)},
		row{scenario: "replex tokens --help", median: help.median, peakKiB: help.peak, target: "< 10ms", ok: ptr(help.median < 10*time.Millisecond)},
	)
	if gh, err := exec.LookPath("gh"); err == nil {
		g := measure(c.runs, gh, baseEnv, "--version")
		ratio := float64(g.median) / float64(ver.median)
		rows = append(rows, row{scenario: "gh --version (reference)", median: g.median, peakKiB: g.peak,
			extra: fmt.Sprintf("replex is %.1fx faster", ratio), target: ">= 5x", ok: ptr(ratio >= 5)})
	} else {
		rows = append(rows, row{scenario: "gh --version (reference)", extra: "gh not installed (apt-get install gh)"})
	}

	// Listing many tokens.
	sb, err := startSandbox(sandbox.Options{SeedTokens: c.listTokens}, 0)
	if err != nil {
		return nil, err
	}
	env := append(slices.Clone(baseEnv), sb.env()...)
	lj := measure(c.runs, bin, env, "tokens", "list", "-o", "json")
	lt := measure(c.runs, bin, env, "tokens", "list")
	n := fmt.Sprintf("%d tokens", c.listTokens)
	rows = append(rows,
		row{scenario: "tokens list -o json, " + n, median: lj.median, peakKiB: lj.peak, target: "< 300ms, < 60 MiB",
			ok: ptr(lj.median < 300*time.Millisecond && lj.peak < 60*1024)},
		row{scenario: "tokens list (table), " + n, median: lt.median, peakKiB: lt.peak, target: "< 300ms, < 60 MiB",
			ok: ptr(lt.median < 300*time.Millisecond && lt.peak < 60*1024)},
	)

	// Create end to end, including process start.
	cr := measureEach(c.runs, func(i int) []string {
		return []string{"tokens", "create", fmt.Sprintf("bench-create-%d-%d", time.Now().UnixNano(), i), "--grant", "cluster:read"}
	}, bin, env)
	rows = append(rows, row{scenario: "tokens create (end to end)", median: cr.median, peakKiB: cr.peak, target: "< 25ms", ok: ptr(cr.median < 25*time.Millisecond)})
	sb.stop()

	// Bulk rotation against a slow server.
	var seq, par time.Duration
	for _, p := range []int{1, 16} {
		sb, err := startSandbox(sandbox.Options{}, c.latency)
		if err != nil {
			return nil, err
		}
		exp := time.Now().Add(30 * 24 * time.Hour)
		for i := 0; i < c.rotate; i++ {
			if _, _, err := sb.srv.IssueToken(fmt.Sprintf("fleet-%04d", i), grants.Set{"cluster": {"read"}}, &exp); err != nil {
				return nil, err
			}
		}
		dir, _ := os.MkdirTemp(tmp, "secrets-")
		os.Chmod(dir, 0o700)
		r := measure(1, bin, append(slices.Clone(baseEnv), sb.env()...),
			"tokens", "rotate", "--name", "fleet-*", "--secret-dir", dir, "--parallel", fmt.Sprint(p), "--yes")
		sb.stop()
		if r.failed > 0 {
			return nil, fmt.Errorf("bulk rotate --parallel %d failed: %s", p, r.stderr)
		}
		if p == 1 {
			seq = r.median
		} else {
			par = r.median
		}
		rows = append(rows, row{scenario: fmt.Sprintf("rotate %d tokens, %s latency, --parallel %d", c.rotate, c.latency, p), median: r.median, peakKiB: r.peak})
	}
	speedup := float64(seq) / float64(par)
	rows = append(rows, row{scenario: "bulk rotate speed-up, 16 vs 1", extra: fmt.Sprintf("%.1fx", speedup), target: ">= 10x", ok: ptr(speedup >= 10)})

	// The sandbox's own throughput.
	rps, err := sandboxThroughput(c.loadFor)
	if err != nil {
		return nil, err
	}
	rows = append(rows, row{scenario: "sandbox GET organization", extra: fmt.Sprintf("%.0f req/s", rps), target: ">= 5000 req/s", ok: ptr(rps >= 5000)})
	return rows, nil
}

func ptr(b bool) *bool { return &b }

type result struct {
	median time.Duration
	peak   int64 // KiB, the largest of the runs
	failed int
	stderr string
}

func measure(runs int, bin string, env []string, args ...string) result {
	return measureEach(runs, func(int) []string { return args }, bin, env)
}

// measureEach runs bin runs times and reports the median wall time and the
// peak resident memory of any run.
func measureEach(runs int, args func(i int) []string, bin string, env []string) result {
	var times []time.Duration
	var res result
	for i := 0; i < runs; i++ {
		cmd := exec.Command(bin, args(i)...)
		cmd.Env = env
		cmd.Stdout = io.Discard
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		times = append(times, time.Since(start))
		if err != nil {
			res.failed++
			res.stderr = stderr.String()
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > res.peak {
			res.peak = ru.Maxrss
		}
	}
	slices.Sort(times)
	res.median = times[len(times)/2]
	return res
}

type benchSandbox struct {
	srv *sandbox.Server
	hs  *http.Server
	url string
}

func (b *benchSandbox) env() []string {
	return []string{"REPLEX_BASE_URL=" + b.url, "REPLEX_ORG=" + b.srv.OrgID(), "REPLEX_API_TOKEN=" + b.srv.AdminSecret()}
}

func (b *benchSandbox) stop() { b.hs.Close(); b.srv.Close() }

func startSandbox(opts sandbox.Options, latency time.Duration) (*benchSandbox, error) {
	srv, err := sandbox.New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := sandbox.Listen("127.0.0.1:0", false)
	if err != nil {
		return nil, err
	}
	h := srv.Handler()
	if latency > 0 {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(latency)
			inner.ServeHTTP(w, r)
		})
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	return &benchSandbox{srv: srv, hs: hs, url: "http://" + ln.Addr().String()}, nil
}

// sandboxThroughput drives GET organization from several goroutines over
// kept-alive loopback connections.
func sandboxThroughput(d time.Duration) (float64, error) {
	sb, err := startSandbox(sandbox.Options{}, 0)
	if err != nil {
		return 0, err
	}
	defer sb.stop()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	url := sb.url + api.OrganizationPath(sb.srv.OrgID())
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
				req.Header.Set("Authorization", "Api-Key "+sb.srv.AdminSecret())
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
		med, peak, met := "", "", ""
		if r.median > 0 {
			med = r.median.Round(100 * time.Microsecond).String()
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
