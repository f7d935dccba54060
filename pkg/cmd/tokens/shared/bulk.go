package shared

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
)

// MaxParallel bounds --parallel.
const MaxParallel = 64

// DefaultParallel is --parallel's default.
const DefaultParallel = 8

// CheckParallel validates --parallel.
func CheckParallel(n int) error {
	if n < 1 || n > MaxParallel {
		return fmt.Errorf("invalid --parallel %d: use 1 to %d", n, MaxParallel)
	}
	return nil
}

// RunBulk calls work for items 0..n-1, at most parallel at a time, and
// report for each finished item, one at a time. When ctx is cancelled
// (Ctrl-C) no further item starts, but items already started run to the end
// with a context that is not cancelled: nothing is left half done. It
// returns how many items were started.
func RunBulk(ctx context.Context, n, parallel int, work func(ctx context.Context, i int) error, report func(i int, err error)) int {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		started int
	)
	sem := make(chan struct{}, parallel)
	inflight := context.WithoutCancel(ctx)
loop:
	for i := 0; i < n; i++ {
		select {
		case <-ctx.Done():
			break loop
		case sem <- struct{}{}:
		}
		// Both cases of the select may be ready at once; a cancelled run
		// must not start another item.
		if ctx.Err() != nil {
			<-sem
			break
		}
		started++
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := work(inflight, i)
			mu.Lock()
			report(i, err)
			mu.Unlock()
			<-sem
		}(i)
	}
	wg.Wait()
	return started
}

// Progress draws a one-line progress bar on a terminal (stderr). Lines
// printed through it appear above the bar.
type Progress struct {
	W       io.Writer
	Enabled bool
	Total   int
	Label   string
	done    int
	failed  int
}

// Line prints a result line above the bar and redraws it.
func (p *Progress) Line(format string, a ...any) {
	if p.Enabled {
		fmt.Fprint(p.W, "\r\x1b[K")
	}
	fmt.Fprintf(p.W, format+"\n", a...)
	p.draw()
}

// Step counts one finished item.
func (p *Progress) Step(failed bool) {
	p.done++
	if failed {
		p.failed++
	}
	p.draw()
}

func (p *Progress) draw() {
	if !p.Enabled || p.Total == 0 {
		return
	}
	const width = 30
	filled := width * p.done / p.Total
	bar := strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
	extra := ""
	if p.failed > 0 {
		extra = fmt.Sprintf(", %d failed", p.failed)
	}
	fmt.Fprintf(p.W, "\r\x1b[K%s [%s] %d/%d%s", p.Label, bar, p.done, p.Total, extra)
}

// Done clears the bar.
func (p *Progress) Done() {
	if p.Enabled {
		fmt.Fprint(p.W, "\r\x1b[K")
	}
}
