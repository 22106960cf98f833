// Command benchtable turns the output of `go test -bench` into the markdown
// results of BENCHMARKS.md: a machine section, the table of figures (each
// with its baseline from the same run and the ratio), the failures, and an
// appendix with every benchmark read.
//
// Usage:
//
//	benchtable [-machine FILE] OUTPUT...
//
// OUTPUT files are read in order; "-" reads standard input. -machine names a
// file whose text is copied above the table as it is, e.g. the cores, CPU
// model and versions internal/bench/run collects. The markdown goes to standard
// output. It exits 1 when an input cannot be read, and 2 on bad usage.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bc2sf/bc2sf/internal/bench"
)

func main() {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	machine := fs.String("machine", "", "file whose text describes the machine, copied above the table")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: benchtable [-machine FILE] OUTPUT...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Stdin, *machine, fs.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// run reads the outputs and writes the report to w.
func run(w io.Writer, stdin io.Reader, machine string, inputs []string) error {
	res := &bench.Results{}
	for _, name := range inputs {
		if err := readInto(res, stdin, name); err != nil {
			return err
		}
	}
	var sb strings.Builder
	if machine != "" {
		text, err := os.ReadFile(machine)
		if err != nil {
			return err
		}
		sb.WriteString("### Machine\n\n")
		sb.Write(text)
		sb.WriteString("\n")
	}
	sb.WriteString("### Figures\n\n")
	if err := bench.Render(&sb, res, bench.DefaultFigures()); err != nil {
		return err
	}
	if len(res.Failures) > 0 {
		sb.WriteString("\n### Failures\n\n")
		for _, f := range res.Failures {
			sb.WriteString("- " + f + "\n")
		}
	}
	sb.WriteString("\n### Every benchmark (medians)\n\n")
	if err := bench.RenderAll(&sb, res); err != nil {
		return err
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func readInto(res *bench.Results, stdin io.Reader, name string) error {
	if name == "-" {
		_, err := res.Parse(stdin)
		return err
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = res.Parse(f)
	return err
}
