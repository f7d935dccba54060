package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// startupScenarios measures what a command pays before it does anything:
// replex --version and --help, the Go floors, replex against the net/http
// floor run in turn (so a drifting machine moves both alike), gh as a
// reference, and the account of what each linked module's initialisation
// costs before main (the second slice, printed after every other row).
func startupScenarios(c config, bin string, baseEnv []string, tmp string) (rows, account []row, err error) {
	ver := measure(c.runs, bin, baseEnv, "--version")
	help := measure(c.runs, bin, baseEnv, "tokens", "--help")
	rows = append(rows,
		row{scenario: "replex --version", median: ver.median, peakKiB: ver.peak, extra: ver.faultNote(), target: "< 10ms", ok: ptr(ver.median < 10*time.Millisecond)},
		row{scenario: "replex tokens --help", median: help.median, peakKiB: help.peak, extra: help.faultNote(), target: "< 10ms", ok: ptr(help.median < 10*time.Millisecond)},
	)
	// What any Go program pays on this machine before its own code runs,
	// and what a program pays that links every library replex links but
	// runs none of replex's code: replex's own share is the difference.
	deps, err := linkedPackages("./cmd/replex")
	if err != nil {
		return nil, nil, err
	}
	refs := append(slices.Clone(floors), struct{ name, scenario, src string }{"libraries",
		"Go floor: program linking every library replex links (reference)", linkingSource(deps.libraries())})
	exes, runs := map[string]string{}, map[string]result{}
	for _, fl := range refs {
		exe := filepath.Join(tmp, fl.name)
		if err := goBuildSource(exe, fl.src); err != nil {
			return nil, nil, err
		}
		r := measure(c.runs, exe, baseEnv)
		rows = append(rows, row{scenario: fl.scenario, median: r.median, peakKiB: r.peak, extra: r.faultNote()})
		exes[fl.name], runs[fl.name] = exe, r
	}
	ratio := pairedRatio(c.runs*2, bin, exes["nethttp"], baseEnv, "--version")
	rows = append(rows, row{scenario: "replex --version / net/http floor, run in turn",
		extra: fmt.Sprintf("%.2fx", ratio), target: "<= 1.5x", ok: ptr(ratio <= 1.5)})
	ratio = pairedRatio(c.runs*2, bin, exes["libraries"], baseEnv, "--version")
	rows = append(rows, row{scenario: "replex --version / libraries floor, run in turn",
		extra: fmt.Sprintf("%.2fx", ratio)})
	if gh, err := exec.LookPath("gh"); err == nil {
		g := measure(c.runs, gh, baseEnv, "--version")
		ratio := float64(g.median) / float64(ver.median)
		rows = append(rows, row{scenario: "gh --version (reference)", median: g.median, peakKiB: g.peak,
			extra: fmt.Sprintf("replex is %.1fx faster", ratio), target: ">= 5x", ok: ptr(ratio >= 5)})
	} else {
		rows = append(rows, row{scenario: "gh --version (reference)", extra: "gh not installed (apt-get install gh)"})
	}
	account, err = initAccount(c, bin, exes["nethttp"], runs["nethttp"], deps, baseEnv, tmp)
	return rows, account, err
}

// pairedRatio runs a (with args) and b in turn, n pairs, and returns the
// median of the pairs' wall-time ratios a/b.
func pairedRatio(n int, a, b string, env []string, args ...string) float64 {
	once := func(bin string, args ...string) time.Duration {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, io.Discard
		start := time.Now()
		_ = cmd.Run()
		return time.Since(start)
	}
	ratios := make([]float64, n)
	for i := range ratios {
		ratios[i] = float64(once(a, args...)) / float64(once(b))
	}
	slices.Sort(ratios)
	return ratios[n/2]
}

// initAccount sums, per module, the least time each package's
// initialisation took in 2*c.runs runs of replex --version, with its
// allocations.
// The rows are the ten costliest modules, the main module, the net/http
// floor's total and replex's.
// Each module's row also says what linking it costs alone: a program that
// links net/http and that module's packages (those replex links), against
// the net/http floor (measured by the caller, c.runs times), in page faults.
func initAccount(c config, bin, netFloor string, floor result, deps linked, env []string, tmp string) ([]row, error) {
	n := c.runs * 2
	least, err := leastInit(n, env, bin, "--version")
	if err != nil {
		return nil, err
	}
	floorInit, err := leastInit(n, env, netFloor)
	if err != nil {
		return nil, err
	}
	byModule := map[string]initCost{}
	var total initCost
	for pkg, c := range least {
		m := cmp.Or(deps[pkg], "std")
		byModule[m] = byModule[m].plus(c)
		total = total.plus(c)
	}
	names := make([]string, 0, len(byModule))
	for m := range byModule {
		names = append(names, m)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(byModule[b].clock, byModule[a].clock) })
	if len(names) > 10 {
		names = names[:10]
	}
	if !slices.Contains(names, mainModule) {
		names = append(names, mainModule)
	}
	rows := []row{{heading: fmt.Sprintf("Initialisation before main, replex --version: least of %d runs, per module; "+
		"linked alone: a program linking net/http and the module, against the net/http floor", n)}}
	for _, m := range names {
		cost := byModule[m]
		note := fmt.Sprintf("%d allocs, %.0f KiB", cost.allocs, float64(cost.bytes)/1024)
		if m != "std" && m != mainModule {
			exe := filepath.Join(tmp, "alone-"+strings.NewReplacer("/", "-", ".", "-").Replace(m))
			if err := goBuildSource(exe, linkingSource(deps.of(m))); err != nil {
				return nil, err
			}
			alone := measure(c.runs, exe, env)
			// The wall-time difference is below what a shared machine
			// measures; page faults count what linking touches.
			note += fmt.Sprintf("; linked alone %+d page faults", alone.leastFaults-floor.leastFaults)
		}
		rows = append(rows, row{scenario: "init " + m, median: cost.clock, extra: note})
	}
	var floorTotal initCost
	for _, c := range floorInit {
		floorTotal = floorTotal.plus(c)
	}
	rows = append(rows, row{scenario: fmt.Sprintf("init, the net/http floor's %d packages", len(floorInit)), median: floorTotal.clock,
		extra: fmt.Sprintf("%d allocs, %.0f KiB", floorTotal.allocs, float64(floorTotal.bytes)/1024)})
	rows = append(rows, row{scenario: fmt.Sprintf("init, all %d packages", len(least)), median: total.clock,
		extra: fmt.Sprintf("%d allocs, %.0f KiB", total.allocs, float64(total.bytes)/1024)})
	return rows, nil
}

// initCost is what one package's initialisation took.
type initCost struct {
	clock  time.Duration
	bytes  int64
	allocs int64
}

func (a initCost) plus(b initCost) initCost {
	return initCost{a.clock + b.clock, a.bytes + b.bytes, a.allocs + b.allocs}
}

// leastInit runs bin with args n times under GODEBUG=inittrace=1 and
// returns, per package, the run whose initialisation took least (the
// least, because a busy machine only ever adds).
func leastInit(n int, env []string, bin string, args ...string) (map[string]initCost, error) {
	least := map[string]initCost{}
	for range n {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(slices.Clone(env), "GODEBUG=inittrace=1")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("%s with inittrace: %v: %s", filepath.Base(bin), err, stderr.String())
		}
		for line := range strings.Lines(stderr.String()) {
			// init PKG @T ms, C ms clock, B bytes, A allocs
			f := strings.Fields(line)
			if len(f) != 11 || f[0] != "init" {
				continue
			}
			ms, _ := strconv.ParseFloat(f[4], 64)
			b, _ := strconv.ParseInt(f[7], 10, 64)
			a, _ := strconv.ParseInt(f[9], 10, 64)
			c := initCost{time.Duration(ms * float64(time.Millisecond)), b, a}
			if old, ok := least[f[1]]; !ok || c.clock < old.clock {
				least[f[1]] = c
			}
		}
	}
	return least, nil
}

// mainModule is replex's own module.
const mainModule = "github.com/replexio/replex"

// linked maps each package a program links to its module's path, "" for
// the standard library's.
type linked map[string]string

// linkedPackages lists what pkg links.
func linkedPackages(pkg string) (linked, error) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}", pkg)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %v", pkg, err)
	}
	m := linked{}
	for line := range strings.Lines(string(out)) {
		p, mod, _ := strings.Cut(strings.TrimSpace(line), " ")
		m[p] = mod
	}
	return m, nil
}

// importable reports whether a program outside p's module may import p.
func importable(p string) bool {
	return !strings.Contains("/"+p+"/", "/internal/") && !strings.HasPrefix(p, "vendor/") && p != "runtime/cgo"
}

// of lists the importable packages of module m.
func (l linked) of(m string) []string {
	var pkgs []string
	for p, mod := range l {
		if mod == m && importable(p) {
			pkgs = append(pkgs, p)
		}
	}
	slices.Sort(pkgs)
	return pkgs
}

// libraries lists the importable packages that are not the main module's.
func (l linked) libraries() []string {
	var pkgs []string
	for p, mod := range l {
		if mod != mainModule && importable(p) {
			pkgs = append(pkgs, p)
		}
	}
	slices.Sort(pkgs)
	return pkgs
}

// linkingSource is an empty program that links net/http and pkgs.
func linkingSource(pkgs []string) string {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n\t_ \"net/http\"\n")
	for _, p := range pkgs {
		if p != "net/http" {
			fmt.Fprintf(&b, "\t_ %q\n", p)
		}
	}
	b.WriteString(")\n\nfunc main() {}\n")
	return b.String()
}
