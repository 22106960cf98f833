// Package redistest starts private redis-server processes for tests.
//
// Each Server listens on its own free loopback port (127.0.0.1), keeps its
// files in a temporary directory of the test, and is stopped when the test
// ends. Tests that need Redis call Start; when the redis-server binary is not
// on PATH the test is skipped with a message saying how to install it, unless
// the environment variable BC2SF_REQUIRE_REDIS is set to 1, in which case the
// test fails instead (CI sets it, so a missing binary cannot pass unnoticed).
//
// A Server can be stopped and started again on the same port and data
// directory, or killed with SIGKILL, so that tests can show what survives a
// restart or a crash. WithAppendOnly turns on the append-only file with
// appendfsync always; without it the server persists nothing (--save "").
//
// The package talks to the server in raw RESP over net.Dial and depends on
// the standard library and testing alone.
package redistest
