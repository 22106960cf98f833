package extest_test

import (
	"fmt"

	"github.com/bc2sf/bc2sf/examples/internal/extest"
)

// A program's getenv and log output come from the test: MapEnv serves the
// environment Fakes returns, and a LogBuffer collects what it writes.
func ExampleMapEnv() {
	getenv := extest.MapEnv(map[string]string{"LOG_FORMAT": "json"})
	var logs extest.LogBuffer
	fmt.Fprintf(&logs, "format=%q listen=%q", getenv("LOG_FORMAT"), getenv("LISTEN_ADDR"))
	fmt.Println(logs.String())
	// Output: format="json" listen=""
}
