package redistest_test

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/internal/redistest"
)

// do sends one command in RESP and returns the first line of the reply.
func do(addr string, args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if strings.HasPrefix(line, "$") && line != "$-1" {
		v, err := r.ReadString('\n')
		return strings.TrimRight(v, "\r\n"), err
	}
	return line, nil
}

func mustDo(t *testing.T, addr string, args ...string) string {
	t.Helper()
	v, err := do(addr, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

func TestStartAddrURL(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil || host != "127.0.0.1" || port == "" || port == "0" {
		t.Fatalf("Addr() = %q, want 127.0.0.1:<port>", s.Addr())
	}
	if want := "redis://" + s.Addr() + "/0"; s.URL() != want {
		t.Errorf("URL() = %q, want %q", s.URL(), want)
	}
	if got := mustDo(t, s.Addr(), "PING"); got != "+PONG" {
		t.Errorf("PING = %q", got)
	}
	if !s.Running() {
		t.Error("Running() = false after Start")
	}
}

func TestTwoServersDiffer(t *testing.T) {
	t.Parallel()
	a, b := redistest.Start(t), redistest.Start(t)
	if a.Addr() == b.Addr() || a.Dir() == b.Dir() {
		t.Fatalf("servers share %q/%q and %q/%q", a.Addr(), b.Addr(), a.Dir(), b.Dir())
	}
	mustDo(t, a.Addr(), "SET", "k", "a")
	if got := mustDo(t, b.Addr(), "GET", "k"); got != "$-1" {
		t.Errorf("GET on the other server = %q, want nil", got)
	}
}

func TestRestartPersistence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []redistest.Option
		crash   bool
		wantGet string
	}{
		{name: "no persistence loses data", wantGet: "$-1"},
		{name: "append-only survives stop", opts: []redistest.Option{redistest.WithAppendOnly()}, wantGet: "v"},
		{name: "append-only survives kill", opts: []redistest.Option{redistest.WithAppendOnly()}, crash: true, wantGet: "v"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := redistest.Start(t, tc.opts...)
			addr := s.Addr()
			if got := mustDo(t, addr, "SET", "k", "v"); got != "+OK" {
				t.Fatalf("SET = %q", got)
			}
			if tc.crash {
				s.Kill()
			} else {
				s.Stop()
			}
			if s.Running() {
				t.Fatal("Running() = true after stop")
			}
			if _, err := do(addr, "PING"); err == nil {
				t.Fatal("PING succeeded on a stopped server")
			}
			s.Start()
			if s.Addr() != addr {
				t.Fatalf("Addr() changed across restart: %q -> %q", addr, s.Addr())
			}
			if got := mustDo(t, addr, "GET", "k"); got != tc.wantGet {
				t.Errorf("GET after restart = %q, want %q", got, tc.wantGet)
			}
		})
	}
}

func TestExtraArgs(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t, redistest.WithArgs("--databases", "3"))
	if got := mustDo(t, s.Addr(), "SELECT", "2"); got != "+OK" {
		t.Errorf("SELECT 2 = %q, want +OK", got)
	}
	if got := mustDo(t, s.Addr(), "SELECT", "3"); !strings.HasPrefix(got, "-ERR") {
		t.Errorf("SELECT 3 = %q, want an error with 3 databases", got)
	}
}

func TestStopIsIdempotent(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	s.Stop()
	s.Stop()
	s.Kill()
	s.Restart()
	if got := mustDo(t, s.Addr(), "PING"); got != "+PONG" {
		t.Errorf("PING after Restart = %q", got)
	}
}

// recordingTB captures Skip and Fatal instead of ending the real test.
type recordingTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recordingTB) Fatal(args ...any) {
	r.failed, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recordingTB) Fatalf(format string, args ...any) { r.Fatal(fmt.Sprintf(format, args...)) }

func TestMissingBinary(t *testing.T) {
	tests := []struct {
		name       string
		require    string
		wantSkip   bool
		wantFailed bool
	}{
		{name: "skips by default", require: "", wantSkip: true},
		{name: "fails when required", require: "1", wantFailed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv(redistest.RequireEnv, tc.require)
			rec := &recordingTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				redistest.Start(rec)
			}()
			<-done
			if rec.skipped != tc.wantSkip || rec.failed != tc.wantFailed {
				t.Fatalf("skipped=%v failed=%v, want %v/%v (%s)", rec.skipped, rec.failed, tc.wantSkip, tc.wantFailed, rec.msg)
			}
			if !strings.Contains(rec.msg, "redis-server not found on PATH") || !strings.Contains(rec.msg, "apt-get install redis-server") {
				t.Errorf("message %q does not say what is missing and how to install it", rec.msg)
			}
		})
	}
}
