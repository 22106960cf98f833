package bench

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary text to Parse and Render: neither may panic,
// every benchmark read must have a name and at least one metric, and the
// table must have one row per figure.
func FuzzParse(f *testing.F) {
	f.Add(sampleOutput)
	f.Add("BenchmarkX-2 1 NaN ns/op\n")
	f.Add("pkg: \nBenchmark 1 1 a 2 b\n--- FAIL: \n")
	f.Fuzz(func(t *testing.T, in string) {
		res, err := Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, b := range res.Benchmarks {
			if b.Name == "" || len(b.Metrics) == 0 {
				t.Fatalf("benchmark without name or metrics: %+v", b)
			}
		}
		var buf bytes.Buffer
		figs := DefaultFigures()
		if err := Render(&buf, res, figs); err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(buf.String(), "\n"); got != len(figs)+2 {
			t.Fatalf("table has %d lines for %d figures", got, len(figs))
		}
		if err := RenderAll(&buf, res); err != nil {
			t.Fatal(err)
		}
	})
}
