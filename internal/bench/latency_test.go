package bench

import (
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	hundred := make([]time.Duration, 0, 100)
	for i := 100; i >= 1; i-- { // reversed, so sorting matters
		hundred = append(hundred, ms(i))
	}
	tests := []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", []time.Duration{ms(7)}, 99, ms(7)},
		{"p0 is the minimum", hundred, 0, ms(1)},
		{"negative p is the minimum", hundred, -5, ms(1)},
		{"NaN is the minimum", hundred, math.NaN(), ms(1)},
		{"p50 of 100", hundred, 50, ms(50)},
		{"p99 of 100", hundred, 99, ms(99)},
		{"p99.5 rounds up", hundred, 99.5, ms(100)},
		{"p100 is the maximum", hundred, 100, ms(100)},
		{"over 100 is the maximum", hundred, 250, ms(100)},
		{"p50 of 3", []time.Duration{ms(3), ms(1), ms(2)}, 50, ms(2)},
		{"negative durations count as 0", []time.Duration{-ms(5), ms(1)}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var l Latencies
			for _, d := range tc.in {
				l.Add(d)
			}
			if got := l.Percentile(tc.p); got != tc.want {
				t.Errorf("Percentile(%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestMergeKeepsSource(t *testing.T) {
	t.Parallel()
	var a, b Latencies
	a.Add(time.Second)
	b.Add(3 * time.Second)
	b.Add(2 * time.Second)
	a.Merge(&b)
	a.Merge(nil)
	if a.Len() != 3 || b.Len() != 2 {
		t.Fatalf("Len after merge = %d and %d, want 3 and 2", a.Len(), b.Len())
	}
	if got := a.Percentile(100); got != 3*time.Second {
		t.Errorf("max after merge = %v, want 3s", got)
	}
	// A percentile read sorts; adding afterwards must sort again.
	a.Add(time.Millisecond)
	if got := a.Percentile(0); got != time.Millisecond {
		t.Errorf("min after a later Add = %v, want 1ms", got)
	}
}

func TestMillis(t *testing.T) {
	t.Parallel()
	if got := Millis(1500 * time.Microsecond); got != 1.5 {
		t.Errorf("Millis(1.5ms) = %v, want 1.5", got)
	}
}
