package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLimit bounds every wait for something asynchronous: 30 seconds. It is
// a deadline for a hung test, not a measure of speed.
const waitLimit = 30 * time.Second

// waitFor polls cond every 10 ms until it holds, failing the test after
// waitLimit with what it waited for and logs.
func waitFor(tb testing.TB, what string, logs *logBuffer, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s; logs:\n%s", what, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logBuffer collects what the program writes while the test reads it. The
// zero value is ready to use and safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// program is one run of the program inside the test.
type program struct {
	url    string     // http://host:port of its listener
	logs   *logBuffer // what it wrote to stderr
	cancel context.CancelFunc
	code   chan int
}

// start runs the program with env until the test ends (or stop) and waits
// until its JSON log says "listening", whose addr becomes url. It fails the
// test when the program exits first.
func start(tb testing.TB, env map[string]string) *program {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &program{logs: &logBuffer{}, cancel: cancel, code: make(chan int, 1)}
	go func() { p.code <- run(ctx, mapEnv(env), p.logs) }()
	tb.Cleanup(func() {
		cancel()
		<-p.code
	})
	p.url = "http://" + p.waitListening(tb)
	return p
}

// role returns the ROLE the program logged at start, for messages.
func (p *program) role() string {
	for line := range strings.Lines(p.logs.String()) {
		var rec struct {
			Msg    string
			Config struct{ Role string }
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "starting" {
			return rec.Config.Role
		}
	}
	return "?"
}

// stop cancels the program's context and returns its exit code, failing
// the test when the program has not returned within waitLimit.
func (p *program) stop(tb testing.TB) int {
	tb.Helper()
	p.cancel()
	select {
	case code := <-p.code:
		p.code <- code // for the cleanup
		return code
	case <-time.After(waitLimit):
		tb.Fatalf("program did not stop; logs:\n%s", p.logs)
		return -1
	}
}

// waitListening reads the JSON log until the "listening" line names the
// address.
func (p *program) waitListening(tb testing.TB) string {
	tb.Helper()
	return p.waitLog(tb, "listening")
}

// waitLog reads the JSON log until a line whose msg is msg names an
// address, and returns it. It fails the test when the program exits first.
func (p *program) waitLog(tb testing.TB, msg string) string {
	tb.Helper()
	var addr string
	waitFor(tb, "the log line "+strconv.Quote(msg), p.logs, func() bool {
		for line := range strings.Lines(p.logs.String()) {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg {
				addr = rec.Addr
				return true
			}
		}
		select {
		case code := <-p.code:
			p.code <- code
			tb.Fatalf("program exited with %d before logging %q; logs:\n%s", code, msg, p.logs)
		default:
		}
		return false
	})
	return addr
}
