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

	"github.com/redis/go-redis/v9"
)

// Exit codes: 0 after a clean shutdown, 1 when the program fails while
// running, 2 when its configuration is wrong.
const (
	exitOK     = 0
	exitFailed = 1
	exitConfig = 2
)

// shutdownTimeout bounds how long health requests in flight may take after
// a signal; the worker pool has its own drain timeout.
const shutdownTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal ends the process at once
	code := run(ctx, os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program; it returns the exit code. When ctx ends the
// workers finish or give back what they hold and run returns 0.
func run(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "worker:", err)
		return exitConfig
	}
	log := newLogger(cfg.logFormat, stderr)
	log.Info("starting", "config", cfg)

	client := redis.NewClient(cfg.redis)
	defer func() {
		if err := client.Close(); err != nil {
			log.Warn("closing the Redis client", "err", err)
		}
	}()
	p, err := newProcesses(cfg, client, log)
	if err != nil {
		log.Error("invalid configuration", "err", err)
		return exitConfig
	}
	defer p.queue.Close() // always nil: the client above is what holds connections

	if err := p.run(ctx, log); err != nil {
		log.Error("stopped on failure", "err", err)
		return exitFailed
	}
	log.Info("stopped")
	return exitOK
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// run runs the loops, and the health server when there is one, until ctx
// ends or one of them fails. On shutdown the worker finishes its batch or
// gives deliveries back to the queue.
func (p *processes) run(ctx context.Context, log *slog.Logger) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	if p.health != nil {
		ln, err := net.Listen("tcp", p.health.Addr)
		if err != nil {
			return err
		}
		log.Info("listening", "addr", ln.Addr().String())
		wg.Go(func() {
			if err := p.health.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				cancel(fmt.Errorf("health server: %w", err))
			}
		})
	}
	for _, loop := range p.loops {
		wg.Go(func() {
			err := loop(ctx)
			switch {
			case ctx.Err() == nil:
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
	var shutdownErr error
	if p.health != nil {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer scancel()
		shutdownErr = p.health.Shutdown(sctx)
	}
	wg.Wait()
	if cause := context.Cause(ctx); !errors.Is(cause, context.Canceled) {
		return cause
	}
	if shutdownErr != nil {
		return fmt.Errorf("health shutdown: %w", shutdownErr)
	}
	return nil
}
