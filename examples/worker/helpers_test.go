package main

import (
	"testing"

	"github.com/bc2sf/bc2sf/examples/internal/extest"
)

// start runs the worker with env until the test ends (or Stop) and waits
// until its health endpoint listens.
func start(t *testing.T, env map[string]string) *extest.Program {
	t.Helper()
	return extest.Start(t, run, env)
}

// startQuiet runs the worker with env until the test ends (or Stop) and
// waits until it logged its start, for a worker without HEALTH_ADDR.
func startQuiet(t *testing.T, env map[string]string) *extest.Program {
	t.Helper()
	return extest.StartQuiet(t, run, env)
}
