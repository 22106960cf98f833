package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		done, total int
		elapsed     time.Duration
		want        string
	}{
		{1800, 5000, 10 * time.Second, "1,800/5,000 orders (36.0%), 180/s, ~18s left"},
		{1234, 5000, 6855 * time.Millisecond, "1,234/5,000 orders (24.7%), 180/s, ~21s left"},
		{5000, 5000, 20 * time.Second, "5,000/5,000 orders (100.0%), 250/s"},
		{5, 3, time.Second, "5/5 orders (100.0%), 5.0/s"}, // orders created during the run
		{0, 100, 0, "0/100 orders (0.0%), 0.0/s"},
		{1, 1_000_000, 2 * time.Second, "1/1,000,000 orders (0.0%), 0.5/s, ~555h33m18s left"},
		{1800, 0, 10 * time.Second, "1,800 orders, 180/s"}, // total unknown
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := progressLine(tt.done, tt.total, tt.elapsed); got != tt.want {
				t.Errorf("progressLine(%d, %d, %v) = %q, want %q", tt.done, tt.total, tt.elapsed, got, tt.want)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	tests := map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567", -1234: "-1,234"}
	for n, want := range tests {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMeterDoneUpTo(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return base.Add(time.Duration(s) * time.Second) }
	clock := func() time.Time { return base }

	counted := newMeter(clock)
	counted.setCreated([]int64{at(30).Unix(), at(10).Unix(), at(10).Unix(), at(20).Unix()})
	for _, step := range []struct {
		last time.Time
		n    int
		want int
	}{
		{at(5), 9, 0}, // before the first order: the listing's own count is ignored
		{at(10), 1, 2},
		{at(20), 3, 3},
		{at(99), 1, 4},
	} {
		counted.doneUpTo(step.last, step.n)
		if counted.done != step.want || counted.total != 4 {
			t.Errorf("after %v: done %d of %d, want %d of 4", step.last, counted.done, counted.total, step.want)
		}
	}

	uncounted := newMeter(clock)
	uncounted.doneUpTo(at(10), 3)
	uncounted.doneUpTo(at(20), 2)
	if uncounted.done != 5 || uncounted.total != 0 {
		t.Errorf("without a count: done %d of %d, want 5 of 0", uncounted.done, uncounted.total)
	}
}

func TestMeterReportPrintsOnlyChanges(t *testing.T) {
	t.Parallel()
	m := newMeter(time.Now)
	m.setCreated(make([]int64, 3))
	var out lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	ticks := make(chan struct{}, 10) // more than the two lines expected
	out.onWrite = func([]byte) { ticks <- struct{}{} }
	done := make(chan struct{})
	go func() {
		m.report(ctx, &out, time.Millisecond, false)
		close(done)
	}()
	<-ticks // the first line, 0/3
	m.addDone()
	<-ticks // 1/3
	cancel()
	<-done
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "0/3 orders") || !strings.HasPrefix(lines[1], "1/3 orders") {
		t.Errorf("report wrote %q, want one 0/3 line then one 1/3 line", lines)
	}
}

// The progress line of a run 10 s into a range of 5,000 orders.
func Example_progressLine() {
	fmt.Println(progressLine(1800, 5000, 10*time.Second))
	fmt.Println(progressLine(1800, 0, 10*time.Second))
	// Output:
	// 1,800/5,000 orders (36.0%), 180/s, ~18s left
	// 1,800 orders, 180/s
}
