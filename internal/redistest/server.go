package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing redis-server
// binary from a skipped test into a failed one when it is set to "1".
const RequireEnv = "BC2SF_REQUIRE_REDIS"

const (
	// readyTimeout bounds how long a started server may take to answer PING,
	// including loading an append-only file after a restart.
	readyTimeout = 15 * time.Second
	// stopTimeout bounds a graceful shutdown before the process is killed.
	stopTimeout = 10 * time.Second
	// portAttempts is how many fresh ports Start tries when another process
	// takes the chosen port between probing and binding.
	portAttempts = 5
)

// Option configures a Server before it starts.
type Option func(*config)

type config struct {
	appendOnly bool
	args       []string
}

// WithAppendOnly makes the server keep an append-only file with
// appendfsync always, so every acknowledged write survives Stop, Kill and a
// later Start. Without it the server persists nothing.
func WithAppendOnly() Option {
	return func(c *config) { c.appendOnly = true }
}

// WithArgs appends extra command-line arguments to redis-server, for example
// WithArgs("--maxmemory", "10mb"). They come after the defaults, so they
// override them.
func WithArgs(args ...string) Option {
	return func(c *config) { c.args = append(c.args, args...) }
}

// Server is a redis-server process owned by one test. Its methods are safe
// for concurrent use, and must not be called after the test has ended.
type Server struct {
	tb   testing.TB
	bin  string
	dir  string
	conf config

	mu   sync.Mutex
	port int
	proc *process
}

// process is one run of redis-server; done is closed when it has exited.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start starts a private redis-server and stops it when the test ends.
//
// The server binds 127.0.0.1 on a free port and keeps its files under
// tb.TempDir(). Start returns once the server answers PING (at most 15 s).
// When redis-server is not on PATH, Start skips the test, or fails it when
// the environment variable BC2SF_REQUIRE_REDIS is "1".
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		const msg = "redis-server not found on PATH; install it (apt-get install redis-server) or set " +
			RequireEnv + "=1 to make this a failure"
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatal("redistest: redis-server not found on PATH and " + RequireEnv + "=1; install it (apt-get install redis-server)")
		}
		tb.Skip(msg)
	}
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir()}
	for _, o := range opts {
		o(&s.conf)
	}
	// Registered after TempDir, so it runs before the directory is removed.
	tb.Cleanup(s.Stop)

	var lastErr error
	for range portAttempts {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redistest: %v", err)
		}
		s.mu.Lock()
		s.port = port
		lastErr = s.startLocked()
		s.mu.Unlock()
		if lastErr == nil {
			return s
		}
	}
	tb.Fatalf("redistest: %v", lastErr)
	return nil
}

// Addr returns the server's address, "127.0.0.1:<port>". It stays the same
// across Stop and Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addrLocked()
}

func (s *Server) addrLocked() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// URL returns the server's address as a Redis URL for database 0,
// "redis://127.0.0.1:<port>/0".
func (s *Server) URL() string {
	return "redis://" + s.Addr() + "/0"
}

// Dir returns the server's data directory, which holds its log
// (redis.log) and, with WithAppendOnly, its append-only files.
func (s *Server) Dir() string { return s.dir }

// Running reports whether the server process is alive.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runningLocked()
}

func (s *Server) runningLocked() bool {
	if s.proc == nil {
		return false
	}
	select {
	case <-s.proc.done:
		return false
	default:
		return true
	}
}

// Stop shuts the server down with SIGTERM and waits for it to exit; with
// WithAppendOnly the server flushes its append-only file first. A server
// that has not exited after 10 s is killed. Stop on a stopped server does
// nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signalLocked(syscall.SIGTERM)
}

// Kill ends the server with SIGKILL, as a crash would, and waits for it to
// exit. Kill on a stopped server does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signalLocked(syscall.SIGKILL)
}

func (s *Server) signalLocked(sig syscall.Signal) {
	if !s.runningLocked() {
		return
	}
	p := s.proc
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Start starts a stopped server again on the same port and data directory
// and waits until it answers PING, which with WithAppendOnly means it has
// loaded its append-only file. It fails the test when the server cannot
// start. Start on a running server does nothing.
func (s *Server) Start() {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runningLocked() {
		return
	}
	// The port was released a moment ago; the kernel may still hold it
	// briefly, so a failed start is retried before giving up.
	var err error
	for range portAttempts {
		if err = s.startLocked(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.tb.Fatalf("redistest: restart: %v", err)
}

// Restart stops the server gracefully and starts it again on the same port
// and data directory.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	s.Start()
}

func (s *Server) args() []string {
	args := []string{
		"--bind", "127.0.0.1",
		"--port", strconv.Itoa(s.port),
		"--dir", s.dir,
		"--daemonize", "no",
		"--logfile", "",
		"--save", "",
	}
	if s.conf.appendOnly {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	return append(args, s.conf.args...)
}

// startLocked runs redis-server once and waits for it to answer PING.
func (s *Server) startLocked() error {
	logPath := filepath.Join(s.dir, "redis.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer logf.Close()

	cmd := exec.Command(s.bin, s.args()...)
	cmd.Dir = s.dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.proc = p

	if err := waitReady(s.addrLocked(), p.done); err != nil {
		_ = cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("redis-server on %s: %w; log tail:\n%s", s.addrLocked(), err, tail(logPath, 2000))
	}
	return nil
}

// waitReady polls PING until the server answers +PONG. A server that is
// still loading its data answers -LOADING, which counts as not ready.
func waitReady(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(readyTimeout)
	delay := 5 * time.Millisecond
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("exited before answering PING")
		default:
		}
		if last = ping(addr); last == nil {
			return nil
		}
		time.Sleep(delay)
		delay = min(delay*2, 100*time.Millisecond)
	}
	return fmt.Errorf("no PONG within %v: %w", readyTimeout, last)
}

// ping sends PING in RESP and expects the simple string PONG.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line = strings.TrimRight(line, "\r\n"); line != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// freePort asks the kernel for a free loopback port. Another process may take
// it before redis-server binds it; Start then retries with a new one.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("release probe port: %w", err)
	}
	return port, nil
}

// tail returns at most n trailing bytes of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
