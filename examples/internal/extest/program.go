package extest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// LogBuffer collects what a program writes while the test reads it. The
// zero value is ready to use and safe for concurrent use.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; it never fails.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// RunFunc is the entry point of an example program: it runs until ctx ends
// or it fails, reads its settings with getenv, logs to stderr and returns
// the exit code.
type RunFunc func(ctx context.Context, getenv func(string) string, stderr io.Writer) int

// Program is one run of a program inside the test.
type Program struct {
	URL  string     // http://host:port of its listener; "" after StartQuiet
	Logs *LogBuffer // what it wrote to stderr
	stop context.CancelFunc
	code chan int
}

// Start runs the program with env until the test ends (or Stop) and waits
// until its JSON log says "listening", whose addr becomes URL. It fails the
// test when the program exits first.
func Start(tb testing.TB, run RunFunc, env map[string]string) *Program {
	tb.Helper()
	p := launch(tb, run, env)
	p.URL = "http://" + p.waitListening(tb)
	return p
}

// StartQuiet runs the program with env until the test ends (or Stop) and
// waits only until it logged "starting", for a program that listens
// nowhere.
func StartQuiet(tb testing.TB, run RunFunc, env map[string]string) *Program {
	tb.Helper()
	p := launch(tb, run, env)
	WaitFor(tb, "the start-up log line", p.Logs, func() bool {
		return strings.Contains(p.Logs.String(), `"msg":"starting"`)
	})
	return p
}

// launch runs the program in a goroutine and, when the test ends, cancels
// it and waits for it to return.
func launch(tb testing.TB, run RunFunc, env map[string]string) *Program {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Program{Logs: &LogBuffer{}, stop: cancel, code: make(chan int, 1)}
	go func() { p.code <- run(ctx, MapEnv(env), p.Logs) }()
	tb.Cleanup(func() {
		cancel()
		<-p.code
	})
	return p
}

// Stop cancels the program's context and returns its exit code, failing
// the test when the program has not returned within WaitLimit.
func (p *Program) Stop(tb testing.TB) int {
	tb.Helper()
	p.stop()
	select {
	case code := <-p.code:
		p.code <- code // for the cleanup
		return code
	case <-time.After(WaitLimit):
		tb.Fatalf("program did not stop; logs:\n%s", p.Logs)
		return -1
	}
}

// waitListening reads the JSON log until the "listening" line names the
// address.
func (p *Program) waitListening(tb testing.TB) string {
	tb.Helper()
	var addr string
	WaitFor(tb, "the listening log line", p.Logs, func() bool {
		for line := range strings.Lines(p.Logs.String()) {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addr = rec.Addr
				return true
			}
		}
		select {
		case code := <-p.code:
			p.code <- code
			tb.Fatalf("program exited with %d before listening; logs:\n%s", code, p.Logs)
		default:
		}
		return false
	})
	return addr
}
