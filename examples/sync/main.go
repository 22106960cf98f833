package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// Exit codes: 0 after a clean shutdown, 1 when the program fails while
// running, 2 when its configuration is wrong.
const (
	exitOK     = 0
	exitFailed = 1
	exitConfig = 2
)

// shutdownTimeout bounds how long requests in flight may take after a
// signal. Keep it below the orchestrator's grace period (30 s on Kubernetes).
const shutdownTimeout = 15 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal ends the process at once
	code := run(ctx, os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program; it returns the exit code. It stops when ctx
// ends: the server stops accepting, the workers finish or give back what
// they hold, and run returns 0.
func run(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "sync:", err)
		return exitConfig
	}
	log := newLogger(cfg.logFormat, stderr)
	log.Info("starting", "config", cfg)

	if cfg.redis == nil {
		log.Warn("REDIS_URL is not set: the queue lives in memory, and events still queued at a crash are lost")
	}
	b, err := openBackend(cfg.redis, log)
	if err != nil {
		log.Error("cannot open the queue", "err", err)
		return exitConfig
	}
	defer func() {
		if err := b.close(); err != nil {
			log.Warn("closing the queue", "err", err)
		}
	}()

	p, err := newProcesses(ctx, cfg, b, log)
	var failed *startFailure
	switch {
	case errors.As(err, &failed) && ctx.Err() != nil: // a signal while starting
		log.Info("stopped while starting", "err", err)
		return exitOK
	case errors.As(err, &failed):
		log.Error("cannot start", "err", err)
		return exitFailed
	case err != nil:
		log.Error("invalid configuration", "err", err)
		return exitConfig
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), telemetryFlushTimeout)
		defer cancel()
		if err := p.obs.shutdown(sctx); err != nil {
			log.Warn("flushing telemetry", "err", err)
		}
	}()
	if err := p.run(ctx, log); err != nil {
		log.Error("stopped on failure", "err", err)
		return exitFailed
	}
	log.Info("stopped")
	return exitOK
}

// telemetryFlushTimeout bounds the export of the last spans and metrics at
// shutdown, when OTLP is on.
const telemetryFlushTimeout = 5 * time.Second

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// run serves HTTP (and the admin server when ADMIN_ADDR is set) and runs the
// loops until ctx ends or one of them fails. Then the servers stop
// accepting and finish their requests; with the queue in memory, the
// workers go on until it is empty (within shutdownTimeout), so that events
// already answered 200 are not lost with the process; then the loops drain
// on their own (the worker finishes its batch or gives its deliveries back
// to the queue).
func (p *processes) run(ctx context.Context, log *slog.Logger) error {
	ln, err := net.Listen("tcp", p.server.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String())
	servers := map[*http.Server]net.Listener{p.server: ln}
	if p.admin != nil {
		aln, err := net.Listen("tcp", p.admin.Addr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("admin listener: %w", err)
		}
		log.Info("admin listening", "addr", aln.Addr().String(), "console", deadLettersPath)
		servers[p.admin] = aln
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// The loops get their own context, ended after the drain below.
	loopCtx, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLoops()
	var wg sync.WaitGroup
	for srv, l := range servers {
		wg.Go(func() {
			if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
				cancel(fmt.Errorf("http server %s: %w", srv.Addr, err))
			}
		})
	}
	for _, loop := range p.loops {
		wg.Go(func() {
			err := loop(loopCtx)
			switch {
			case loopCtx.Err() == nil:
				// A loop that returns before shutdown leaves the queue
				// unserved: stop the process so that it gets restarted.
				if err == nil {
					err = errors.New("returned before shutdown")
				}
				cancel(err)
			case err != nil && !errors.Is(err, context.Canceled):
				log.Warn("error while draining", "err", err)
			}
		})
	}

	<-ctx.Done()
	log.Info("shutting down")
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer scancel()
	var shutdownErr error
	for srv := range servers {
		shutdownErr = errors.Join(shutdownErr, srv.Shutdown(sctx))
	}
	if p.drainQueue != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		p.drainQueue(sctx, log)
	}
	stopLoops()
	wg.Wait()
	if cause := context.Cause(ctx); !errors.Is(cause, context.Canceled) {
		return cause
	}
	if shutdownErr != nil {
		return fmt.Errorf("http shutdown: %w", shutdownErr)
	}
	return nil
}

// drainInterval is how often a draining shutdown looks at the queue.
const drainInterval = 50 * time.Millisecond

// waitForEmpty returns once q holds no live message or ctx ends, and logs
// what it leaves behind.
func waitForEmpty(q idempotency.Inspector) func(context.Context, *slog.Logger) {
	return func(ctx context.Context, log *slog.Logger) {
		tick := time.NewTicker(drainInterval)
		defer tick.Stop()
		for {
			st, err := q.Stats(ctx)
			if err == nil && st.Depth() == 0 {
				return
			}
			select {
			case <-ctx.Done():
				log.Warn("shutdown: events still queued in memory are lost", "depth", st.Depth())
				return
			case <-tick.C:
			}
		}
	}
}
