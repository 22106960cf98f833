package bench

import (
	"errors"
	"strings"
	"testing"
)

const sampleOutput = `goos: linux
goarch: amd64
pkg: github.com/bc2sf/bc2sf/webhook
cpu: AMD EPYC
BenchmarkVerifyStandard/1KiB-2   	  100000	      4000 ns/op	      3500 bare-ns/op	      1.14 x-bare
BenchmarkVerifyStandard/1KiB-2   	  100000	      4200 ns/op	      3500 bare-ns/op	      1.20 x-bare
BenchmarkVerifyStandard/1KiB-2   	  100000	      4100 ns/op	      3400 bare-ns/op	      1.10 x-bare
BenchmarkMapVsDecode
    bench_test.go:58: order JSON: 4321 bytes
BenchmarkNoProcs 	 10	 5 ns/op
ok  	github.com/bc2sf/bc2sf/webhook	12.3s
pkg: github.com/bc2sf/bc2sf/internal/bench
BenchmarkVerifyStandard/1KiB-2   	  1	      9 ns/op
BenchmarkBroken-2   	  abc	      9 ns/op
BenchmarkOdd-2   	  1	      9 ns/op 7
--- FAIL: BenchmarkEndToEnd/queue=redis
FAIL	github.com/bc2sf/bc2sf/internal/bench	3.1s
`

func TestParse(t *testing.T) {
	t.Parallel()
	res, err := Parse(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benchmarks) != 3 {
		t.Fatalf("%d benchmarks, want 3: %+v", len(res.Benchmarks), res.Benchmarks)
	}
	v, ok := res.Get("github.com/bc2sf/bc2sf/webhook", "BenchmarkVerifyStandard/1KiB")
	if !ok {
		t.Fatal("webhook benchmark missing")
	}
	if got := v.Metrics["x-bare"]; len(got) != 3 {
		t.Fatalf("x-bare runs = %v, want 3", got)
	}
	tests := []struct {
		unit string
		want float64
	}{{"ns/op", 4100}, {"bare-ns/op", 3500}, {"x-bare", 1.14}}
	for _, tc := range tests {
		if got, ok := v.Median(tc.unit); !ok || got != tc.want {
			t.Errorf("median %s = %v, %v; want %v", tc.unit, got, ok, tc.want)
		}
	}
	if lo, hi, ok := v.Range("x-bare"); !ok || lo != 1.10 || hi != 1.20 {
		t.Errorf("range = %v..%v, %v; want 1.10..1.20", lo, hi, ok)
	}
	if _, ok := v.Median("absent"); ok {
		t.Error("median of an absent unit reported ok")
	}
	if b, ok := res.Get("github.com/bc2sf/bc2sf/internal/bench", "BenchmarkVerifyStandard/1KiB"); !ok || len(b.Metrics["ns/op"]) != 1 {
		t.Errorf("same name in another package not kept apart: %+v", b)
	}
	if _, ok := res.Get("", "BenchmarkNoProcs"); !ok {
		t.Error("a name without the GOMAXPROCS suffix was not read")
	}
	wantFail := []string{"BenchmarkEndToEnd/queue=redis", "github.com/bc2sf/bc2sf/internal/bench\t3.1s"}
	if len(res.Failures) != 2 || res.Failures[0] != wantFail[0] || !strings.HasPrefix(res.Failures[1], "github.com/bc2sf/bc2sf/internal/bench") {
		t.Errorf("failures = %q, want %q", res.Failures, wantFail)
	}
	if len(res.Context) != 3 || res.Context[2] != "cpu: AMD EPYC" {
		t.Errorf("context = %q", res.Context)
	}
}

func TestParseMedianEven(t *testing.T) {
	t.Parallel()
	res, err := Parse(strings.NewReader("BenchmarkX-2 1 10 ns/op\nBenchmarkX-2 1 20 ns/op\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := res.Get("", "BenchmarkX")
	if m, _ := b.Median("ns/op"); m != 15 {
		t.Errorf("median of 10 and 20 = %v, want 15", m)
	}
}

func TestParseLineTooLong(t *testing.T) {
	t.Parallel()
	_, err := Parse(strings.NewReader("BenchmarkX-2 1 " + strings.Repeat("9", MaxLineBytes+1)))
	if !errors.Is(err, ErrParse) {
		t.Fatalf("err = %v, want ErrParse", err)
	}
}

func TestTrimProcs(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"BenchmarkA-2":              "BenchmarkA",
		"BenchmarkA/linger=1ms-16":  "BenchmarkA/linger=1ms",
		"BenchmarkA":                "BenchmarkA",
		"BenchmarkA/x-":             "BenchmarkA/x-",
		"BenchmarkA/queue=memory-x": "BenchmarkA/queue=memory-x",
	} {
		if got := trimProcs(in); got != want {
			t.Errorf("trimProcs(%q) = %q, want %q", in, got, want)
		}
	}
}
