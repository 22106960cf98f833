package main

import (
	"testing"

	"github.com/bc2sf/bc2sf/examples/internal/extest"
)

// start runs this program with env until the test ends (or Stop) and waits
// until it listens.
func start(t *testing.T, env map[string]string) *extest.Program {
	t.Helper()
	return extest.Start(t, run, env)
}
