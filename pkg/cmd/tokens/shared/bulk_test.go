package shared

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunBulkBoundsConcurrency(t *testing.T) {
	var running, peak atomic.Int32
	done := make([]bool, 50)
	started := RunBulk(context.Background(), 50, 4, func(ctx context.Context, i int) error {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		running.Add(-1)
		return nil
	}, func(i int, err error) { done[i] = true })
	if started != 50 || peak.Load() > 4 || peak.Load() < 2 {
		t.Fatalf("started %d, peak concurrency %d; want 50 and at most 4", started, peak.Load())
	}
	for i, d := range done {
		if !d {
			t.Fatalf("item %d never reported", i)
		}
	}
}

// TestRunBulkCancelFinishesInFlight: after cancel no item starts, and items
// under way finish with a context that is not cancelled.
func TestRunBulkCancelFinishesInFlight(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var finished atomic.Int32
	reported := 0
	started := RunBulk(ctx, 100, 3, func(wctx context.Context, i int) error {
		if i == 5 {
			cancel()
		}
		time.Sleep(5 * time.Millisecond)
		if wctx.Err() != nil {
			t.Errorf("item %d saw a cancelled context", i)
		}
		finished.Add(1)
		return nil
	}, func(int, error) { reported++ })
	if started >= 100 || started < 6 {
		t.Fatalf("started %d items; want the run to stop soon after item 5", started)
	}
	if int(finished.Load()) != started || reported != started {
		t.Fatalf("started %d, finished %d, reported %d: in-flight work was abandoned", started, finished.Load(), reported)
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := &Progress{W: &b, Enabled: true, Total: 4, Label: "rotating"}
	p.Line("rotated  a")
	p.Step(false)
	p.Step(true)
	p.Done()
	want := "\r\x1b[Krotated  a\n" +
		"\r\x1b[Krotating [..............................] 0/4" +
		"\r\x1b[Krotating [#######.......................] 1/4" +
		"\r\x1b[Krotating [###############...............] 2/4, 1 failed" +
		"\r\x1b[K"
	if b.String() != want {
		t.Fatalf("progress output\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	off := &Progress{W: &b, Enabled: false, Total: 4}
	off.Line("deleted  x")
	off.Step(false)
	off.Done()
	if b.String() != "deleted  x\n" {
		t.Fatalf("without a terminal: %q", b.String())
	}
}
