package bench

import (
	"runtime/metrics"
	"sync"
	"time"
)

// The runtime/metrics whose sum is the heap in use, as MemStats.HeapInuse
// counts it: spans holding objects (live or not yet swept) plus their unused
// slots.
const (
	metricHeapObjects = "/memory/classes/heap/objects:bytes"
	metricHeapUnused  = "/memory/classes/heap/unused:bytes"
	metricHeapLive    = "/gc/heap/live:bytes"
)

// HeapSample is one reading of the heap.
type HeapSample struct {
	// At is the time since the sampler started.
	At time.Duration
	// InUse is the heap in use, in bytes (MemStats.HeapInuse).
	InUse uint64
	// Live is the heap marked live by the last garbage collection, in bytes.
	Live uint64
	// Progress is the caller's progress counter at the time of the sample,
	// such as the orders done so far.
	Progress int64
}

// ReadHeap returns the heap in use and the live heap of the last garbage
// collection, in bytes, from runtime/metrics. It does not stop the world.
func ReadHeap() (inUse, live uint64) {
	s := []metrics.Sample{{Name: metricHeapObjects}, {Name: metricHeapUnused}, {Name: metricHeapLive}}
	metrics.Read(s)
	val := func(i int) uint64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[i].Value.Uint64()
	}
	return val(0) + val(1), val(2)
}

// HeapSampler reads the heap at a fixed interval in a goroutine of its own
// until Stop. Build it with StartHeapSampler.
type HeapSampler struct {
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	samples []HeapSample
}

// StartHeapSampler takes a sample at once and then every interval (at least
// 1 ms; 250 ms when interval <= 0) until Stop. progress, when not nil, is
// called for each sample's Progress and must be safe for concurrent use.
func StartHeapSampler(interval time.Duration, progress func() int64) *HeapSampler {
	if interval <= 0 {
		interval = 250 * time.Millisecond
	}
	interval = max(interval, time.Millisecond)
	s := &HeapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	take := func() {
		inUse, live := ReadHeap()
		smp := HeapSample{At: time.Since(start), InUse: inUse, Live: live}
		if progress != nil {
			smp.Progress = progress()
		}
		s.mu.Lock()
		s.samples = append(s.samples, smp)
		s.mu.Unlock()
	}
	take()
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				take()
				return
			case <-t.C:
				take()
			}
		}
	}()
	return s
}

// Stop takes a last sample, ends the sampling and returns every sample,
// oldest first. Calling it again returns the same samples.
func (s *HeapSampler) Stop() []HeapSample {
	s.once.Do(func() { close(s.stop) })
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]HeapSample(nil), s.samples...)
}

// HeapSummary reduces a series of heap samples.
type HeapSummary struct {
	// Samples is the number of samples.
	Samples int
	// Start, Peak and End are the first, largest and last heap in use, in
	// bytes; Mean is the average.
	Start, Peak, End uint64
	Mean             float64
	// SlopePerUnit is the least-squares slope of the heap in use against
	// Progress, in bytes per unit of progress: about 0 when the heap stays
	// flat while the work advances. It is 0 with fewer than 2 samples or
	// when Progress never changes.
	SlopePerUnit float64
	// SlopePerSecond is the same slope against time, in bytes per second.
	SlopePerSecond float64
	// LiveSlopePerUnit is the slope of the live heap (as the last garbage
	// collection left it) against Progress, in bytes per unit: steadier than
	// the heap in use, which rises and falls with every collection cycle.
	LiveSlopePerUnit float64
}

// SummarizeHeap summarizes samples; an empty slice gives the zero summary.
func SummarizeHeap(samples []HeapSample) HeapSummary {
	if len(samples) == 0 {
		return HeapSummary{}
	}
	sum := HeapSummary{Samples: len(samples), Start: samples[0].InUse, End: samples[len(samples)-1].InUse}
	n := len(samples)
	xs, ts, ys, live := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, s := range samples {
		sum.Peak = max(sum.Peak, s.InUse)
		sum.Mean += float64(s.InUse)
		xs[i], ts[i], ys[i], live[i] = float64(s.Progress), s.At.Seconds(), float64(s.InUse), float64(s.Live)
	}
	sum.Mean /= float64(n)
	sum.SlopePerUnit = slope(xs, ys)
	sum.SlopePerSecond = slope(ts, ys)
	sum.LiveSlopePerUnit = slope(xs, live)
	return sum
}

// slope returns the least-squares slope of ys against xs, or 0 when xs do
// not vary.
func slope(xs, ys []float64) float64 {
	n := float64(len(xs))
	if n < 2 {
		return 0
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/n, my/n
	var cov, vx float64
	for i := range xs {
		cov += (xs[i] - mx) * (ys[i] - my)
		vx += (xs[i] - mx) * (xs[i] - mx)
	}
	if vx == 0 {
		return 0
	}
	return cov / vx
}
