// Package extest holds the test support that the tests of the example
// programs (examples/sync, examples/receiver, examples/worker) share: a
// fake store and org with an environment pointing at them, a program run
// in-process until the test ends, polling with a deadline, webhook
// deliveries, and checks on the program's output.
//
// It is for tests only. The programs themselves do not import it, so that
// each stays a directory one can copy alone; copying a program's tests as
// well takes this package along.
//
// Every wait gives up after WaitLimit (30 seconds) and fails the test with
// the program's logs: a deadline for a hung test, not a measure of speed.
package extest
