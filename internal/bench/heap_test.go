package bench

import (
	"math"
	"sync/atomic"
	"testing"
	"time"
)

func TestSummarizeHeap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		in                 []HeapSample
		start, peak, end   uint64
		perUnit, perSecond float64
		livePerUnit        float64
	}{
		{name: "empty"},
		{name: "one sample", in: []HeapSample{{InUse: 10, Progress: 5}}, start: 10, peak: 10, end: 10},
		{
			name:  "flat",
			in:    []HeapSample{{At: 0, InUse: 100}, {At: time.Second, InUse: 100, Progress: 10}, {At: 2 * time.Second, InUse: 100, Progress: 20}},
			start: 100, peak: 100, end: 100,
		},
		{
			name: "growing 2 bytes per unit, 20 per second, live 1 per unit",
			in: []HeapSample{{At: 0, InUse: 100, Live: 50}, {At: time.Second, InUse: 120, Live: 60, Progress: 10},
				{At: 2 * time.Second, InUse: 140, Live: 70, Progress: 20}},
			start: 100, peak: 140, end: 140, perUnit: 2, perSecond: 20, livePerUnit: 1,
		},
		{
			name:  "progress stuck gives no unit slope",
			in:    []HeapSample{{At: 0, InUse: 300}, {At: time.Second, InUse: 100}},
			start: 300, peak: 300, end: 100, perSecond: -200,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := SummarizeHeap(tc.in)
			if s.Samples != len(tc.in) || s.Start != tc.start || s.Peak != tc.peak || s.End != tc.end {
				t.Errorf("summary = %+v, want start %d peak %d end %d", s, tc.start, tc.peak, tc.end)
			}
			if math.Abs(s.SlopePerUnit-tc.perUnit) > 1e-9 || math.Abs(s.SlopePerSecond-tc.perSecond) > 1e-9 ||
				math.Abs(s.LiveSlopePerUnit-tc.livePerUnit) > 1e-9 {
				t.Errorf("slopes = %v/unit %v/s live %v/unit, want %v, %v and %v", s.SlopePerUnit, s.SlopePerSecond,
					s.LiveSlopePerUnit, tc.perUnit, tc.perSecond, tc.livePerUnit)
			}
		})
	}
}

func TestHeapSampler(t *testing.T) {
	t.Parallel()
	var progress atomic.Int64
	s := StartHeapSampler(time.Millisecond, func() int64 { return progress.Add(1) })
	time.Sleep(20 * time.Millisecond)
	got := s.Stop()
	if len(got) < 2 {
		t.Fatalf("%d samples, want the first and the last at least", len(got))
	}
	for i, smp := range got {
		if smp.InUse == 0 {
			t.Errorf("sample %d has no heap in use", i)
		}
		if i > 0 && (smp.Progress <= got[i-1].Progress || smp.At < got[i-1].At) {
			t.Errorf("sample %d out of order: %+v after %+v", i, smp, got[i-1])
		}
	}
	if again := s.Stop(); len(again) != len(got) {
		t.Errorf("second Stop returned %d samples, want the same %d", len(again), len(got))
	}
}
