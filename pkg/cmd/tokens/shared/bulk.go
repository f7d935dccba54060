package shared

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/replexio/replex/pkg/cmdutil"
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

// BulkTally is the outcome of a bulk operation, for the summary line and
// the exit status that rotate, prune and apply share.
type BulkTally struct {
	Verb    string // past tense of one success: "rotated", "deleted", "applied"
	Noun    string // one item's work, plural: "rotations", "deletions", "changes"
	Done    int    // succeeded
	Failed  int
	Started int // as RunBulk returned
	Total   int // items selected
}

// Summary is the line printed on stderr after the results: "3 rotated,
// 1 failed", and how many an interruption left unstarted.
func (b BulkTally) Summary() string {
	s := fmt.Sprintf("%d %s, %d failed", b.Done, b.Verb, b.Failed)
	if skipped := b.Total - b.Started; skipped > 0 {
		s += fmt.Sprintf(", %d not started (interrupted)", skipped)
	}
	return s
}

// Err is the command's result: 130 when interrupted, 3 when any item
// failed, nil otherwise. The lines already printed said what happened.
func (b BulkTally) Err(ctx context.Context) error {
	switch {
	case ctx.Err() != nil:
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: errors.New("interrupted"), Silent: true}
	case b.Failed > 0:
		return &cmdutil.ExitError{Code: cmdutil.ExitPartial, Err: fmt.Errorf("%d of %d %s failed", b.Failed, b.Total, b.Noun), Silent: true}
	}
	return nil
}
