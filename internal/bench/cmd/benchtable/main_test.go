package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	machine := filepath.Join(dir, "machine.md")
	if err := os.WriteFile(machine, []byte("- cores: 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(file, []byte("pkg: github.com/bc2sf/bc2sf/internal/bench\nBenchmarkAPICalls/spaced=20-2 1 5 ns/op 1 bc-all-calls/order\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdin := strings.NewReader("--- FAIL: BenchmarkEndToEnd\n")
	var out strings.Builder
	if err := run(&out, stdin, machine, []string{file, "-"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### Machine\n\n- cores: 2\n",
		"| BigCommerce calls per order, one order at a time (20 orders) | 1.00 bc-all-calls/order | — | — | 1 | yes |",
		"- BenchmarkEndToEnd\n",
		"| internal/bench | BenchmarkAPICalls/spaced=20 | 1 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunMissingInput(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := run(&out, strings.NewReader(""), "", []string{filepath.Join(t.TempDir(), "absent")}); err == nil {
		t.Fatal("run with a missing input returned nil")
	}
}
