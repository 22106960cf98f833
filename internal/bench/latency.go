package bench

import (
	"math"
	"slices"
	"time"
)

// Latencies collects durations and reports percentiles of them. The zero
// value is empty and ready to use. It is not safe for concurrent use: give
// each goroutine its own and Merge them afterwards.
type Latencies struct {
	d      []time.Duration
	sorted bool
}

// Add records one duration. Negative durations are recorded as 0.
func (l *Latencies) Add(d time.Duration) {
	l.d = append(l.d, max(d, 0))
	l.sorted = false
}

// Merge adds every duration of o to l; o is left unchanged. A nil o adds
// nothing.
func (l *Latencies) Merge(o *Latencies) {
	if o == nil || len(o.d) == 0 {
		return
	}
	l.d = append(l.d, o.d...)
	l.sorted = false
}

// Len returns the number of durations recorded.
func (l *Latencies) Len() int { return len(l.d) }

// Percentile returns the nearest-rank p-th percentile: the smallest recorded
// duration such that at least p percent of all are at or below it. p is
// clamped to 0–100, and p = 0 gives the minimum. An empty Latencies returns 0.
func (l *Latencies) Percentile(p float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	if !l.sorted {
		slices.Sort(l.d)
		l.sorted = true
	}
	if math.IsNaN(p) || p <= 0 {
		return l.d[0]
	}
	rank := int(math.Ceil(min(p, 100) / 100 * float64(len(l.d))))
	return l.d[max(rank, 1)-1]
}

// Millis returns d in milliseconds as a float, the unit the scenario
// benchmarks report latencies in.
func Millis(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
