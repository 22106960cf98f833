package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// MaxLineBytes is the longest line Parse reads: 1 MiB. Benchmark result
// lines are well under 1 KiB; a longer line is an error.
const MaxLineBytes = 1 << 20

// ErrParse is wrapped by the errors of Parse.
var ErrParse = errors.New("bench: cannot parse benchmark output")

// Benchmark is one benchmark of a package, with the values of every metric
// over all its runs (one per -count).
type Benchmark struct {
	// Pkg is the import path from the "pkg:" line above the results, or ""
	// when there was none.
	Pkg string
	// Name is the full name without the GOMAXPROCS suffix, such as
	// "BenchmarkVerifyStandard/1KiB".
	Name string
	// Metrics maps a unit ("ns/op", "x-bare", ...) to its value in each run,
	// in the order the runs were read.
	Metrics map[string][]float64
}

// Median returns the median of unit over the runs (the mean of the two
// middle values for an even count) and whether the unit was reported.
func (b *Benchmark) Median(unit string) (float64, bool) {
	v := slices.Clone(b.Metrics[unit])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

// Range returns the smallest and largest value of unit, and whether the unit
// was reported.
func (b *Benchmark) Range(unit string) (lo, hi float64, ok bool) {
	v := b.Metrics[unit]
	if len(v) == 0 {
		return 0, 0, false
	}
	return slices.Min(v), slices.Max(v), true
}

// Units returns the units b reported, sorted.
func (b *Benchmark) Units() []string {
	units := make([]string, 0, len(b.Metrics))
	for u := range b.Metrics {
		units = append(units, u)
	}
	slices.Sort(units)
	return units
}

// Results is the parsed output of one or more `go test -bench` runs.
type Results struct {
	// Benchmarks are in the order they first appeared.
	Benchmarks []*Benchmark
	// Failures lists the names on "--- FAIL:" lines and the packages on
	// "FAIL" lines.
	Failures []string
	// Context holds the goos, goarch and cpu lines, first seen first.
	Context []string
}

// Get returns the benchmark of pkg named name. An empty pkg matches a
// benchmark of any package.
func (r *Results) Get(pkg, name string) (*Benchmark, bool) {
	for _, b := range r.Benchmarks {
		if b.Name == name && (pkg == "" || b.Pkg == pkg) {
			return b, true
		}
	}
	return nil, false
}

// Parse reads `go test -bench` output, as many runs and packages as it
// holds, and adds them to r (a nil r starts empty); it returns r. Lines
// that are not results, such as logs, are skipped. A result line's fields
// are the name, the iteration count, then value-unit pairs; a line that
// starts like a result but breaks that form is skipped too, because
// benchmark logs may look alike. It fails, wrapping ErrParse, only on a
// read error or a line over MaxLineBytes.
func (r *Results) Parse(in io.Reader) (*Results, error) {
	if r == nil {
		r = &Results{}
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	pkg := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimSpace(strings.TrimPrefix(line, "pkg: "))
		case strings.HasPrefix(line, "goos: "), strings.HasPrefix(line, "goarch: "), strings.HasPrefix(line, "cpu: "):
			if !slices.Contains(r.Context, line) {
				r.Context = append(r.Context, line)
			}
		case strings.HasPrefix(line, "--- FAIL: "):
			if f := strings.Fields(strings.TrimPrefix(line, "--- FAIL: ")); len(f) > 0 {
				r.Failures = append(r.Failures, f[0])
			}
		case strings.HasPrefix(line, "FAIL\t"):
			r.Failures = append(r.Failures, strings.TrimSpace(strings.TrimPrefix(line, "FAIL\t")))
		case strings.HasPrefix(line, "Benchmark"):
			r.addLine(pkg, line)
		}
	}
	if err := sc.Err(); err != nil {
		return r, fmt.Errorf("%w: %w", ErrParse, err)
	}
	return r, nil
}

// Parse reads `go test -bench` output into new Results; see Results.Parse.
func Parse(in io.Reader) (*Results, error) {
	return (*Results)(nil).Parse(in)
}

// addLine records one result line, or nothing when it is not one.
func (r *Results) addLine(pkg, line string) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return
	}
	if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
		return
	}
	metrics := make(map[string]float64, len(f)/2-1)
	for i := 2; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return
		}
		metrics[f[i+1]] = v
	}
	name := trimProcs(f[0])
	var b *Benchmark
	for _, c := range r.Benchmarks {
		if c.Pkg == pkg && c.Name == name {
			b = c
			break
		}
	}
	if b == nil {
		b = &Benchmark{Pkg: pkg, Name: name, Metrics: map[string][]float64{}}
		r.Benchmarks = append(r.Benchmarks, b)
	}
	for u, v := range metrics {
		b.Metrics[u] = append(b.Metrics[u], v)
	}
}

// trimProcs drops the "-N" GOMAXPROCS suffix the testing package adds.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || i == len(name)-1 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}
