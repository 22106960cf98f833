package bench

import (
	"strings"
	"testing"
)

const tableInput = `pkg: github.com/bc2sf/bc2sf/x
BenchmarkV-2 1 120 ns/op 100 bare-ns/op 1.2 x-bare
BenchmarkV-2 1 130 ns/op 100 bare-ns/op 1.3 x-bare
BenchmarkV-2 1 110 ns/op 100 bare-ns/op 1.1 x-bare
BenchmarkA-2 1 50 ns/op
BenchmarkB-2 1 200 ns/op
BenchmarkCount-2 1 1 calls/order
`

func TestRender(t *testing.T) {
	t.Parallel()
	res, err := Parse(strings.NewReader(tableInput))
	if err != nil {
		t.Fatal(err)
	}
	pkg := "github.com/bc2sf/bc2sf/x"
	figs := []Figure{
		{Name: "reported ratio", Value: Ref{pkg, "BenchmarkV", "ns/op"}, Baseline: Ref{pkg, "BenchmarkV", "bare-ns/op"},
			Ratio: Ref{pkg, "BenchmarkV", "x-bare"}, Goal: "≤ 1.25", Met: atMost(1.25, true)},
		{Name: "computed ratio", Value: Ref{pkg, "BenchmarkA", "ns/op"}, Baseline: Ref{"", "BenchmarkB", "ns/op"},
			Goal: "≥ 0.5", Met: atLeast(0.5, true)},
		{Name: "value only", Value: Ref{pkg, "BenchmarkCount", "calls/order"}, Goal: "1", Met: atMost(1, false)},
		{Name: "a | b absent", Value: Ref{pkg, "BenchmarkGone", "ns/op"}, Goal: "≤ 1"},
	}
	var sb strings.Builder
	if err := Render(&sb, res, figs); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"| Figure | Measured | Baseline (same run) | Ratio | Goal | Met |",
		"| --- | --- | --- | --- | --- | --- |",
		"| reported ratio | 120 ns/op | 100 bare-ns/op | 1.20 (1.10–1.30) | ≤ 1.25 | yes |",
		"| computed ratio | 50.0 ns/op | 200 ns/op | 0.250 | ≥ 0.5 | no |",
		"| value only | 1.00 calls/order | — | — | 1 | yes |",
		`| a \| b absent | not measured | — | — | ≤ 1 | — |`,
	}
	if got := strings.Split(strings.TrimSuffix(sb.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("table:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRenderAll(t *testing.T) {
	t.Parallel()
	res, err := Parse(strings.NewReader(tableInput))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := RenderAll(&sb, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "| x | BenchmarkV | 3 | 100 bare-ns/op, 120 ns/op, 1.20 x-bare |") {
		t.Errorf("appendix lacks the medians of BenchmarkV:\n%s", sb.String())
	}
}

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	for v, want := range map[float64]string{
		0: "0", 1: "1.00", 0.0135: "0.0135", 12.345: "12.3", 999.4: "999", 1234.5: "1,235",
		-22665: "-22,665", 1234567: "1,234,567",
	} {
		if got := formatNumber(v); got != want {
			t.Errorf("formatNumber(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestDefaultFiguresAreComplete(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, f := range DefaultFigures() {
		if f.Name == "" || f.Value.zero() || f.Value.Unit == "" {
			t.Errorf("figure %v lacks a name or a value", f)
		}
		if f.Baseline.zero() && f.Ratio.zero() && f.Goal == "" {
			t.Errorf("figure %v has neither a baseline nor a goal", f)
		}
		if seen[f.Name] {
			t.Errorf("two figures named %q", f.Name)
		}
		seen[f.Name] = true
	}
}
