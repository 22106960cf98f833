package redistest_test

import (
	"testing"

	"github.com/bc2sf/bc2sf/internal/redistest"
)

// A test starts its own server, points a client at URL or Addr, and may
// restart the server to see what survives.
func ExampleStart() {
	testRestart := func(t *testing.T) {
		s := redistest.Start(t, redistest.WithAppendOnly())
		_ = s.URL() // "redis://127.0.0.1:<port>/0"
		// ... write through a client ...
		s.Kill()  // crash: SIGKILL
		s.Start() // same port and data directory; the append-only file is replayed
		// ... read back through the same client ...
	}
	_ = testRestart
}
