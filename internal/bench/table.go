package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Ref names one metric of one benchmark.
type Ref struct {
	// Pkg is the benchmark's import path; "" matches any package.
	Pkg string
	// Bench is the full benchmark name without the GOMAXPROCS suffix.
	Bench string
	// Unit is the metric, such as "ns/op" or "p99-ms".
	Unit string
}

func (r Ref) zero() bool { return r.Bench == "" }

// Figure is one row of the results table: a measured value, the baseline it
// is compared with, and their ratio.
type Figure struct {
	// Name says what is measured.
	Name string
	// Value is the measured metric.
	Value Ref
	// Baseline is the metric measured in the same run that Value is
	// compared with; zero when the figure has none of its own (Ratio then
	// must be set).
	Baseline Ref
	// Ratio is a ratio the benchmark reported itself; when zero, the ratio
	// is Value / Baseline, of the medians.
	Ratio Ref
	// Goal describes the target in words, e.g. "≤ 1.25"; "" for none.
	Goal string
	// Met reports whether the median value and ratio meet the goal; nil when
	// the figure has no goal to check.
	Met func(value, ratio float64) bool
}

// Render writes figs as a markdown table, one row per figure, with the
// median of each metric over the runs in res and, when a reported ratio has
// several runs, its range. A figure whose benchmark is absent is written as
// "not measured" rather than dropped, so a missing benchmark shows.
func Render(w io.Writer, res *Results, figs []Figure) error {
	var sb strings.Builder
	sb.WriteString("| Figure | Measured | Baseline (same run) | Ratio | Goal | Met |\n")
	sb.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, f := range figs {
		sb.WriteString(row(res, f))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// row renders one figure.
func row(res *Results, f Figure) string {
	value, vok := lookup(res, f.Value)
	cells := []string{f.Name, "not measured", "—", "—", orDash(f.Goal), "—"}
	if !vok {
		return mdRow(cells)
	}
	cells[1] = formatValue(value, f.Value.Unit)
	base, bok := 0.0, false
	if !f.Baseline.zero() {
		if base, bok = lookup(res, f.Baseline); bok {
			cells[2] = formatValue(base, f.Baseline.Unit)
		}
	}
	ratio, rok := 0.0, false
	switch {
	case !f.Ratio.zero():
		if ratio, rok = lookup(res, f.Ratio); rok {
			cells[3] = formatNumber(ratio) + spread(res, f.Ratio)
		}
	case bok && base != 0:
		ratio, rok = value/base, true
		cells[3] = formatNumber(ratio)
	}
	if f.Met != nil && (rok || f.Ratio.zero() && f.Baseline.zero()) {
		cells[5] = "no"
		if f.Met(value, ratio) {
			cells[5] = "yes"
		}
	}
	return mdRow(cells)
}

func lookup(res *Results, r Ref) (float64, bool) {
	if res == nil || r.zero() {
		return 0, false
	}
	b, ok := res.Get(r.Pkg, r.Bench)
	if !ok {
		return 0, false
	}
	return b.Median(r.Unit)
}

// spread renders " (lo–hi)" for a metric with more than one run.
func spread(res *Results, r Ref) string {
	b, ok := res.Get(r.Pkg, r.Bench)
	if !ok || len(b.Metrics[r.Unit]) < 2 {
		return ""
	}
	lo, hi, _ := b.Range(r.Unit)
	return " (" + formatNumber(lo) + "–" + formatNumber(hi) + ")"
}

func formatValue(v float64, unit string) string {
	return formatNumber(v) + " " + unit
}

// formatNumber writes v with three significant digits, grouping thousands.
func formatNumber(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'f', -1, 64)
	case v == 0:
		return "0"
	}
	abs := math.Abs(v)
	if abs >= 1000 {
		return group(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	}
	digits := max(0, 2-int(math.Floor(math.Log10(abs))))
	return strconv.FormatFloat(v, 'f', digits, 64)
}

// group inserts a comma every three digits of an integer's text.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var sb strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	return sign + sb.String()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func mdRow(cells []string) string {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// RenderAll writes every benchmark in res as a markdown table: package,
// name, number of runs and the median of each metric. It is the appendix of
// the report, so that figures without a row of their own are still shown.
func RenderAll(w io.Writer, res *Results) error {
	var sb strings.Builder
	sb.WriteString("| Package | Benchmark | Runs | Medians |\n| --- | --- | --- | --- |\n")
	for _, b := range res.Benchmarks {
		runs := 0
		var parts []string
		for _, u := range b.Units() {
			runs = max(runs, len(b.Metrics[u]))
			m, _ := b.Median(u)
			parts = append(parts, formatValue(m, u))
		}
		sb.WriteString(mdRow([]string{shortPkg(b.Pkg), b.Name, strconv.Itoa(runs), strings.Join(parts, ", ")}))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// shortPkg drops the module path, so rows read "webhook", "internal/bench".
func shortPkg(pkg string) string {
	const module = "github.com/bc2sf/bc2sf/"
	if s, ok := strings.CutPrefix(pkg, module); ok {
		return s
	}
	return pkg
}

// atMost and atLeast build Figure.Met checks on the ratio or the value.
func atMost(limit float64, ofRatio bool) func(v, r float64) bool {
	return func(v, r float64) bool {
		if ofRatio {
			return r <= limit
		}
		return v <= limit
	}
}

func atLeast(limit float64, ofRatio bool) func(v, r float64) bool {
	return func(v, r float64) bool {
		if ofRatio {
			return r >= limit
		}
		return v >= limit
	}
}

// String describes the figure by name and the metric it shows.
func (f Figure) String() string {
	return fmt.Sprintf("%s (%s %s)", f.Name, f.Value.Bench, f.Value.Unit)
}
