package bench_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/internal/bench"
)

func ExampleLatencies() {
	var l bench.Latencies
	for i := 1; i <= 100; i++ {
		l.Add(time.Duration(i) * time.Millisecond)
	}
	fmt.Println(l.Percentile(50), l.Percentile(99))
	// Output: 50ms 99ms
}

func ExampleRender() {
	out := `pkg: github.com/bc2sf/bc2sf/webhook
BenchmarkVerifyStandard/1KiB-2  100000  4100 ns/op  3600 bare-ns/op  3700 best-ns/op  1.03 x-bare
`
	res, err := bench.Parse(strings.NewReader(out))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := bench.Render(os.Stdout, res, bench.DefaultFigures()[:1]); err != nil {
		fmt.Println(err)
	}
	// Output:
	// | Figure | Measured | Baseline (same run) | Ratio | Goal | Met |
	// | --- | --- | --- | --- | --- | --- |
	// | Webhook verification, 1KiB body (vs bare HMAC-SHA256) | 3,700 best-ns/op | 3,600 bare-ns/op | 1.03 | ≤ 1.25 | yes |
}

func ExampleSummarizeHeap() {
	samples := []bench.HeapSample{
		{InUse: 8 << 20, Progress: 0},
		{InUse: 12 << 20, Progress: 50_000},
		{InUse: 8 << 20, Progress: 100_000},
	}
	s := bench.SummarizeHeap(samples)
	fmt.Printf("peak %d MiB, slope %.0f bytes per order\n", s.Peak>>20, s.SlopePerUnit)
	// Output: peak 12 MiB, slope 0 bytes per order
}
